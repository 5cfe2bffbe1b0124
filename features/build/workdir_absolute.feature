@build
Feature: WORKDIR with an absolute path
  Writeup (TP4 post 2016-01-22, quoted in the TP5 post 2016-07-11): an absolute WORKDIR,
  written C:\hoge, C:/hoge or C:\\hoge, fails on TP4; `WORKDIR c:\\pcap4j` works on TP5.
  Linux rows record what the Docker and Podman builders here do with the same spellings.
  Table cells: Gherkin reads \\ as one backslash, so C:\\\\hoge in a cell is C:\\hoge.

  @build-workdir-absolute
  Scenario Outline: WORKDIR <workdir>
    Given a Dockerfile with:
      """
      WORKDIR <workdir>
      """
    When the image is built
    Then the build <outcome>
    And the image's working directory is "<workingdir>"

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | workdir    | outcome     | workingdir |
      | C:\hoge    | is rejected | -          |
      | C:/hoge    | is rejected | -          |
      | C:\\\\hoge | is rejected | -          |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | workdir       | outcome  | workingdir |
      | c:\\\\pcap4j  | succeeds | -          |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | workdir    | outcome  | workingdir |
      | /pcap4j    | succeeds | /pcap4j    |
      | C:\hoge    | succeeds | /C:hoge    |
      | C:/hoge    | succeeds | /C:/hoge   |
      | C:\\\\hoge | succeeds | /C:\hoge   |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | workdir    | outcome  | workingdir |
      | /pcap4j    | succeeds | /pcap4j    |
      | C:\hoge    | succeeds | /C:hoge    |
      | C:/hoge    | succeeds | /C:/hoge   |
      | C:\\\\hoge | succeeds | /C:\hoge   |
