@run
Feature: The user a container runs as
  Writeup (TP5, 2016-07-11): inside the container the user is `ContainerAdministrator`.
  Linux rows: the user name and uid `id` reports in a container of the probe image.

  @run-default-user
  Scenario Outline: a container started without a user option
    When a container is started without a user option
    Then the container runs as "<user>"

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | user                   |
      | ContainerAdministrator |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user         |
      | root (uid 0) |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user         |
      | root (uid 0) |
