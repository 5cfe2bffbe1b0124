@build
Feature: A dot-folder directly under the root, in the next build step
  Writeup (TP4 post 2016-01-22, quoted in the TP5 post 2016-07-11): a folder whose name
  starts with "." made directly under C:\ in one build step is gone in the next step; on
  TP5 this was not reproduced.
  The next step is a RUN added after the Dockerfile's own steps that looks for the folder.
  Linux rows record the Docker and Podman builders here, with a dot-folder and a plain
  folder directly under /.
  Table cells: a lone \ before another letter stays as it is (C:\.foo).

  @build-dotdir-vanishes
  Scenario Outline: a folder <folder> made in one build step
    Given a Dockerfile with:
      """
      RUN mkdir <folder>
      """
    When the image is built
    Then the folder "<folder>" is <next step> in the next build step

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | folder  | next step |
      | C:\.foo | gone      |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | folder  | next step |
      | C:\.foo | present   |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | folder | next step |
      | /.foo  | present   |
      | /foo   | present   |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | folder | next step |
      | /.foo  | present   |
      | /foo   | present   |
