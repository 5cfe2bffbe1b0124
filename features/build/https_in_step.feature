@build
Feature: HTTPS from inside a build step
  Writeup (TP4 post 2016-01-22, quoted in the TP5 post 2016-07-11): install.ps1, run in a build
  step, failed fetching the Chocolatey installer over HTTPS on TP4; on TP5 `choco install`
  worked ("the restriction on HTTPS seems gone").
  Linux rows: the scenario starts its own HTTPS server (openssl s_server, its certificate from a
  CA made for the scenario) on an internal network it creates; a build step asked to run on that
  network fetches a file from it, trusting that CA, and checks what it got. Where the step really
  ran is recorded too: "the scenario's network", "the host's network", "no network" (- : not
  recorded).

  @build-https-in-step
  Scenario Outline: A build step fetches a file over HTTPS
    Given an HTTPS server of the scenario's own
    When a build step on the server's network fetches a file from it
    Then the fetch <outcome>
    And the build step runs on <step network>

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | outcome | step network |
      | fails   | -            |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | outcome | step network |
      | works   | -            |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | outcome | step network           |
      | works   | the scenario's network |

    # Docker and Podman differ. Podman 4.3's Docker-compatible build API ignores the network
    # mode (a network name, "none" and "host" alike): RUN steps run in the host's network
    # namespace, and reach the server through the network's gateway address on the host.
    # (`podman build --network none` on the command line does isolate the step.)
    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | outcome | step network       |
      | works   | the host's network |
