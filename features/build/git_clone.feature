@build
Feature: git clone inside a build step
  Writeup (TP5 post 2016-07-11): `git clone` returned an error over HTTPS and over the git
  protocol alike; the post downloaded a zip instead.
  Linux rows: the scenario starts its own git server on an internal network it creates, serving
  one repository over git's dumb HTTP protocol through HTTPS (openssl s_server, a CA made for
  the scenario) and over the git protocol (git daemon); a build step asked to run on that network
  clones it and checks a file of it. Where the step really ran is recorded too (- : not
  recorded).

  @build-git-clone-fails
  Scenario Outline: git clone over <protocol> in a build step
    Given a git server of the scenario's own
    When a build step on the server's network clones the repository over <protocol>
    Then the clone <outcome>
    And the build step runs on <step network>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | protocol | outcome | step network |
      | https    | fails   | -            |
      | git      | fails   | -            |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | protocol | outcome | step network           |
      | https    | works   | the scenario's network |
      | git      | works   | the scenario's network |

    # Docker and Podman differ in where the step runs: Podman 4.3's Docker-compatible build API
    # ignores the network mode, so RUN steps run in the host's network namespace (see
    # https_in_step.feature).
    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | protocol | outcome | step network       |
      | https    | works   | the host's network |
      | git      | works   | the host's network |
