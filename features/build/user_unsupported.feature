@build
Feature: The USER instruction
  Writeup (TP5, 2016-07-11): `USER Administrator` added at the end of the Dockerfile makes
  the build fail with "The daemon on this platform does not support the command 'user'".
  Linux rows record the Docker and Podman builders here with a user the probe image has
  (labuser, uid 1000) and one it lacks, and what a container of the image and a RUN step
  after USER then do.

  @build-user-unsupported
  Scenario Outline: USER <user> at the end of the Dockerfile
    Given a Dockerfile with:
      """
      USER <user>
      """
    When the image is built
    Then the build <outcome>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | user          | outcome                                                                            |
      | Administrator | is rejected with "The daemon on this platform does not support the command 'user'" |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user       | outcome  |
      | labuser    | succeeds |
      | nosuchuser | succeeds |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user       | outcome  |
      | labuser    | succeeds |
      | nosuchuser | succeeds |

  @build-user-unsupported
  Scenario Outline: a container of an image whose USER is <user>
    Given a Dockerfile with:
      """
      USER <user>
      """
    When the image is built
    And a container of the image is started
    Then the container <container>

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user       | container                                                                            |
      | labuser    | runs as "labuser (uid 1000)"                                                         |
      | nosuchuser | is refused with "unable to find user nosuchuser: no matching entries in passwd file" |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user       | container                                                                            |
      | labuser    | runs as "labuser (uid 1000)"                                                         |
      | nosuchuser | is refused with "unable to find user nosuchuser: no matching entries in passwd file" |

  # Docker and Podman refuse a RUN after USER nosuchuser with different messages.
  @build-user-unsupported
  Scenario Outline: a RUN step after USER <user>
    Given a Dockerfile with:
      """
      USER <user>
      RUN id -un
      """
    When the image is built
    Then the build <outcome>
    And a build step prints "<printed>"

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user       | outcome                                                                               | printed |
      | labuser    | succeeds                                                                              | labuser |
      | nosuchuser | is rejected with "unable to find user nosuchuser: no matching entries in passwd file" | -       |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user       | outcome                                                                                       | printed |
      | labuser    | succeeds                                                                                      | labuser |
      | nosuchuser | is rejected with "determining run uid: user: unknown user error looking up user "nosuchuser"" | -       |
