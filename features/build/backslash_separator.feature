@build
Feature: A single backslash as path separator in WORKDIR, ENV and COPY
  Writeup (TP4 post 2016-01-22, quoted in the TP5 post 2016-07-11): in WORKDIR, ENV and COPY
  a single \ path separator disappears, so \\ or / must be used. For TP5 the post points to
  the "Windows Considerations" of Microsoft's Dockerfile page, which documents the same.
  Linux rows record what the Docker and Podman builders here make of the same spellings.
  The path is the one in the Dockerfile's last instruction; "disappears" means the image
  holds the path with the separator gone (C:\pcap4j\bin -> C:pcap4jbin), "is kept" that it
  holds it with a \ or / between the parts.
  Table cells: Gherkin reads \\ as one backslash, so C:\\\\pcap4j in a cell is C:\\pcap4j
  in the Dockerfile; a lone \ before another letter stays as it is (C:\pcap4j).

  @build-backslash-separator
  Scenario Outline: ENV value written <path>
    Given a Dockerfile with:
      """
      ENV PROBE=<path>
      """
    When the image is built
    Then the path separator <separator>

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | path                | separator  |
      | C:\pcap4j\bin       | disappears |
      | C:\\\\pcap4j\\\\bin | is kept    |
      | C:/pcap4j/bin       | is kept    |

    @tp5
    Examples: TP5 (writeup, 2016-07-11, citing Microsoft's Windows Considerations)
      | path                | separator  |
      | C:\pcap4j\bin       | disappears |
      | C:\\\\pcap4j\\\\bin | is kept    |
      | C:/pcap4j/bin       | is kept    |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | path                | separator  |
      | C:\pcap4j\bin       | disappears |
      | C:\\\\pcap4j\\\\bin | is kept    |
      | C:/pcap4j/bin       | is kept    |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | path                | separator  |
      | C:\pcap4j\bin       | disappears |
      | C:\\\\pcap4j\\\\bin | is kept    |
      | C:/pcap4j/bin       | is kept    |

  @build-backslash-separator
  Scenario Outline: WORKDIR written <path>
    Given a Dockerfile with:
      """
      WORKDIR <path>
      """
    When the image is built
    Then the path separator <separator>

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | path          | separator  |
      | pcap4j\bin    | disappears |
      | pcap4j\\\\bin | is kept    |
      | pcap4j/bin    | is kept    |

    @tp5
    Examples: TP5 (writeup, 2016-07-11, citing Microsoft's Windows Considerations)
      | path          | separator  |
      | pcap4j\bin    | disappears |
      | pcap4j\\\\bin | is kept    |
      | pcap4j/bin    | is kept    |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | path          | separator  |
      | pcap4j\bin    | disappears |
      | pcap4j\\\\bin | is kept    |
      | pcap4j/bin    | is kept    |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | path          | separator  |
      | pcap4j\bin    | disappears |
      | pcap4j\\\\bin | is kept    |
      | pcap4j/bin    | is kept    |

  @build-backslash-separator
  Scenario Outline: COPY destination written <path>
    Given a file "probe.txt" in the build context
    And a Dockerfile with:
      """
      COPY probe.txt <path>
      """
    When the image is built
    Then the path separator <separator>

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | path                | separator  |
      | pcap4j\probe.txt    | disappears |
      | pcap4j\\\\probe.txt | is kept    |
      | pcap4j/probe.txt    | is kept    |

    @tp5
    Examples: TP5 (writeup, 2016-07-11, citing Microsoft's Windows Considerations)
      | path                | separator  |
      | pcap4j\probe.txt    | disappears |
      | pcap4j\\\\probe.txt | is kept    |
      | pcap4j/probe.txt    | is kept    |

    # On Linux \ is not a separator: "is kept" for \\ means the file is named pcap4j\probe.txt.
    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | path                | separator  |
      | pcap4j\probe.txt    | disappears |
      | pcap4j\\\\probe.txt | is kept    |
      | pcap4j/probe.txt    | is kept    |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | path                | separator  |
      | pcap4j\probe.txt    | disappears |
      | pcap4j\\\\probe.txt | is kept    |
      | pcap4j/probe.txt    | is kept    |
