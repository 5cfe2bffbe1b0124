@run
Feature: Time for a container run
  Writeup: on TP4 a container took over 30 s to start (TP4 post 2016-01-22, quoted in the TP5
  post); on TP5 it "got faster but still takes about 5 s" (2016-07-11). The writeup timed
  `docker run -it pcap4j cmd` to its prompt; the journal times a container of the base image
  running a trivial command to its exit (create, start, exit, remove), after one warm-up run,
  five times, and compares the median with the row's bound. The spread is kept as evidence.

  @run-start-latency
  Scenario Outline: a container run, start to exit
    When a container of the base image runs a trivial command to its exit, repeatedly
    Then a container run takes "<bound>"

    @tp4
    Examples: TP4 (writeup's TP4 post, 2016-01-22)
      | bound  |
      | > 30 s |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | bound     |
      | about 5 s |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | bound |
      | < 3 s |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | bound |
      | < 3 s |
