@host
Feature: The host's own container tool and the engine's containers
  Writeup (TP5, 2016-07-11): a container that `docker ps` shows (amazing_archimedes, started
  with `docker run -it pcap4j cmd`) is not listed by `Get-Container` of the Containers
  PowerShell module, which only prints a WARNING that the module is being reworked to align
  with Docker. The journal starts its own container through the engine and asks both.
  Linux rows: the host's own tool beside or below the engine. Docker: containerd's `ctr`
  (namespace moby) lists the container by its id. Podman: the `podman` command, which shares
  the service's storage, lists it. The tools differ, the answer is the same.

  @host-ps-cmdlets-blind
  Scenario Outline: a container the engine runs, seen from the host's own tool
    Given a container left running
    Then the engine lists the running container
    And the host's own container tool <listing> the running container
    And the host's own container tool warns "<warning>"

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | listing       | warning                                                                                                                                                                                                                                                                                                                                                  |
      | does not list | Based on customer feedback, we are updating the Containers PowerShell module to better align with Docker. As part of that some cmdlet and parameter names may change in future releases. To learn more about these changes as well as to join in the design process or provide usage feedback please refer to http://aka.ms/windowscontainers/powershell |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | listing | warning |
      | lists   | -       |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | listing | warning |
      | lists   | -       |
