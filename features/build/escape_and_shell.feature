@build
Feature: The escape parser directive and the SHELL instruction
  Writeup (TP5, 2016-07-11): the `# escape=` parser directive and the SHELL instruction,
  both in the Dockerfile reference with Windows examples, could not be used.
  The directive "takes effect" when, with ` as the escape character, the backslash in the
  last ENV stays exactly as written (the reference's Windows use: C:\ paths). SHELL "takes
  effect" when the RUN step after it prints the line labjournal-shell, which only the shell
  SHELL names does (powershell's Write-Output; bash's $BASH_VERSION); a refused build or a
  missing line means it "cannot be used".
  Linux rows record the Docker and Podman builders here.

  # Docker and Podman differ: Podman takes the directive for line continuations (see the
  # next scenario) but still reads \ as the escape character in ENV and WORKDIR values.
  @build-escape-and-shell
  Scenario Outline: the escape directive with a C:\ path in ENV
    Given a Dockerfile with:
      """
      # escape=<escape>
      ENV PROBE=C:\pcap4j
      """
    When the image is built
    Then the escape directive <verdict>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | escape | verdict        |
      | `      | cannot be used |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | escape | verdict      |
      | `      | takes effect |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | escape | verdict        |
      | `      | cannot be used |

  @build-escape-and-shell
  Scenario Outline: the escape directive in a line continuation
    Given a Dockerfile with:
      """
      # escape=<escape>
      ENV PROBE=one <escape>
          OTHER=two
      """
    When the image is built
    Then the build <outcome>
    And the image's environment variable "OTHER" is "<other>"

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | escape | outcome  | other |
      | `      | succeeds | two   |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | escape | outcome  | other |
      | `      | succeeds | two   |

  @build-escape-and-shell
  Scenario Outline: SHELL <shell>
    Given a Dockerfile with:
      """
      SHELL <shell>
      RUN <command>
      """
    When the image is built
    Then the SHELL instruction <verdict>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | shell                      | command                       | verdict        |
      | ["powershell", "-Command"] | Write-Output labjournal-shell | cannot be used |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | shell               | command                                         | verdict      |
      | ["/bin/bash", "-c"] | [ -n "$BASH_VERSION" ] && echo labjournal-shell | takes effect |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | shell               | command                                         | verdict      |
      | ["/bin/bash", "-c"] | [ -n "$BASH_VERSION" ] && echo labjournal-shell | takes effect |
