@run
Feature: The container's OS sees its network interface
  Writeup (TP5, 2016-07-11; the catalogue records the same on TP4): `ipconfig` inside the
  container shows "Ethernet adapter vEthernet (Temp Nic Name)" with an IPv4 address
  (172.23.71.6/255.240.0.0 there; the address itself is not recorded, it differs per run).
  Windows rows: a container on the host's default network. Linux rows: the OS inside a
  container on an internal bridge network the scenario creates (`ip -o link`,
  `ip -o -4 addr`); internal, so nothing can leave it, and no traffic is sent.

  @run-nic-visible-to-os
  Scenario Outline: the network interface of a networked container
    Given a container with a network interface, running as "-"
    When the container lists its network interfaces
    Then the OS in the container lists the interfaces "<interfaces>"
    And the interface "<nic>" has an IPv4 address

    @tp4
    Examples: TP4 (writeup's TP4 post, 2016-01-22)
      | interfaces                | nic                       |
      | vEthernet (Temp Nic Name) | vEthernet (Temp Nic Name) |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | interfaces                | nic                       |
      | vEthernet (Temp Nic Name) | vEthernet (Temp Nic Name) |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | interfaces | nic  |
      | lo, eth0   | eth0 |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | interfaces | nic  |
      | lo, eth0   | eth0 |
