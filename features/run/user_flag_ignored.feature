@run
Feature: docker run --user
  Writeup (TP5, 2016-07-11): `docker run -it --user Administrator pcap4j cmd` is silently
  ignored: the container still runs as ContainerAdministrator. Linux rows: the probe image
  has the user labuser (uid 1000) and no user Administrator. Docker and Podman honour
  --user, and both refuse to start a container whose user does not exist, with the same
  message.

  @run-user-flag-ignored
  Scenario Outline: --user <option>
    When a container is started with the user option "<option>"
    Then the container <outcome>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | option        | outcome                          |
      | Administrator | runs as "ContainerAdministrator" |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | option        | outcome                                                                                 |
      | labuser       | runs as "labuser (uid 1000)"                                                            |
      | 1000          | runs as "labuser (uid 1000)"                                                            |
      | Administrator | is refused with "unable to find user Administrator: no matching entries in passwd file" |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | option        | outcome                                                                                 |
      | labuser       | runs as "labuser (uid 1000)"                                                            |
      | 1000          | runs as "labuser (uid 1000)"                                                            |
      | Administrator | is refused with "unable to find user Administrator: no matching entries in passwd file" |
