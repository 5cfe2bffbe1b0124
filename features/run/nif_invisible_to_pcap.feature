@run
Feature: The capture library and the container's interfaces
  Writeup (TP5, 2016-07-11; the catalogue records the same on TP4): Pcap4J's GetNextPacketEx
  sample inside the container logs "No NIF was found." and stops with
  `java.io.IOException: No NIF to capture.`, while `ipconfig` shows the container's adapter.
  Pcap4J lists interfaces with libpcap's `pcap_findalldevs`; on Linux `tcpdump -D` prints
  what that call returns. Linux containers sit on an internal bridge network the scenario
  creates. Each row says which of the interfaces the OS lists the capture
  library lists too. Linux rows also run as the image's non-root user (labuser, uid 1000):
  listing devices needs no privilege there, so the result is the same. libpcap also lists
  devices the OS does not show as interfaces (any, nflog, nfqueue, dbus-*, bluetooth-monitor);
  they are in the evidence, not in the rows. No traffic is captured or sent.

  @run-nif-invisible-to-pcap
  Scenario Outline: the capture library's interfaces, as <user>
    Given a container with a network interface, running as "<user>"
    When the container lists its network interfaces
    Then the OS in the container lists the interfaces "<os>"
    And the capture library lists "<capture>" of them
    And the capture program reports "<log>"
    And the capture program reports "<error>"

    @tp4
    Examples: TP4 (writeup's TP4 post, 2016-01-22)
      | user | os                        | capture | log | error |
      | -    | vEthernet (Temp Nic Name) | none    | -   | -     |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | user | os                        | capture | log               | error                                   |
      | -    | vEthernet (Temp Nic Name) | none    | No NIF was found. | java.io.IOException: No NIF to capture. |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user    | os       | capture  | log | error |
      | -       | lo, eth0 | lo, eth0 | -   | -     |
      | labuser | lo, eth0 | lo, eth0 | -   | -     |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user    | os       | capture  | log | error |
      | -       | lo, eth0 | lo, eth0 | -   | -     |
      | labuser | lo, eth0 | lo, eth0 | -   | -     |
