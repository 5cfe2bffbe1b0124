@build
Feature: Where the default Maven repository is
  Writeup (TP5, 2016-07-11): the default .m2 folder is now C:\Users\ContainerAdministrator\.m2,
  so a dot-folder directly under C:\ is no longer needed.
  Maven's default repository folder is <user home>\.m2; the user home is %USERPROFILE% on
  Windows and $HOME on Linux, read in a container of the image.
  Linux rows record the Docker and Podman engines here for the probe image's default user
  (root), for labuser (uid 1000) and for a uid with no passwd entry.
  Table cells: a lone \ before another letter stays as it is (C:\Users).

  @build-maven-home
  Scenario Outline: the default user's Maven repository
    Given a Dockerfile with:
      """
      # no instructions: the base image's default user
      """
    When the image is built
    Then the default Maven repository of the container's user is "<repository>"

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | repository                          |
      | C:\Users\ContainerAdministrator\.m2 |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | repository |
      | /root/.m2  |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | repository |
      | /root/.m2  |

  # Both engines give a uid with no passwd entry HOME=/, so its .m2 is a dot-folder directly
  # under / (the case build-dotdir-vanishes is about).
  @build-maven-home
  Scenario Outline: the Maven repository after USER <user>
    Given a Dockerfile with:
      """
      USER <user>
      """
    When the image is built
    Then the default Maven repository of the container's user is "<repository>"

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user    | repository        |
      | labuser | /home/labuser/.m2 |
      | 4242    | //.m2             |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user    | repository        |
      | labuser | /home/labuser/.m2 |
      | 4242    | //.m2             |
