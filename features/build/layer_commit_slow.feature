@build
Feature: Layer commit time of a build step
  Writeup (TP4 post 2016-01-22, quoted in the TP5 post 2016-07-11): building, every step
  (probably the layer creation) is very slow; on TP5 every step is still slow, and very slow
  when many files change. No numbers or file counts were given.
  Linux rows: a build step writing few files and one writing many are each timed (the whole step:
  its container, the run and the layer commit) over one warm-up build and five measured ones; the
  median is compared with the row's bound, never with an exact number. A cell in words (no digits) records what the
  writeup saw and is not compared; - : not recorded.

  @build-layer-commit-slow
  Scenario Outline: Layer commit time, few changed files against many
    When build steps changing <few> and <many> files are timed
    Then the step changing few files takes "<few time>"
    And the step changing many files takes "<many time>"
    And the step changing many files takes "<many/few>" times as long as the one changing few

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | few | many | few time  | many time | many/few |
      | -   | -    | very slow | very slow | -        |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | few | many | few time   | many time | many/few |
      | -   | -    | still slow | very slow | -        |

    # Medians seen here (Dec 2026, other runs sharing the engines): Docker 0.35-0.75 s for 10
    # files, 1.4-2.6 s for 2000 (ratio 3.5-4); Podman 0.6-1.1 s and 1.2-3.7 s (ratio 1.6-3.2,
    # its per-step overhead is larger). The bounds leave room for a loaded machine.
    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | few | many | few time | many time | many/few |
      | 10  | 2000 | < 5 s    | < 20 s    | > 2      |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | few | many | few time | many time | many/few |
      | 10  | 2000 | < 5 s    | < 20 s    | > 1.3    |
