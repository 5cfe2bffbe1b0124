@host
Feature: Entering a container with the host's own remoting
  Writeup (TP5, 2016-07-11): `powershell -command Enter-PSSession -ContainerName
  amazing_archimedes -RunAsAdministrator` against a running docker container fails with
  "The input ContainerName amazing_archimedes does not exist, or the corresponding container
  is not running."; `Invoke-Command` fails "the same way" (its message is not quoted, so
  that row records only the failure). {container} stands for the name of the container the
  scenario started.
  Linux rows: the OS's own way into a running container is to join its namespaces:
  `nsenter --target <pid> --all` from the host shell, which needs no engine.

  @host-ps-direct-fails
  Scenario Outline: <tool> into a running container
    Given a container left running
    When the host's own remoting enters the container with "<tool>"
    Then entering it <outcome>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | tool            | outcome                                                                                                         |
      | Enter-PSSession | fails with "The input ContainerName {container} does not exist, or the corresponding container is not running." |
      | Invoke-Command  | fails                                                                                                           |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | tool    | outcome  |
      | nsenter | succeeds |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | tool    | outcome  |
      | nsenter | succeeds |
