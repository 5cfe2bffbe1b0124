@build
Feature: Environment variables in WORKDIR and ENV
  Writeup (TP4 post 2016-01-22, quoted in the TP5 post 2016-07-11): variables are not
  expanded in WORKDIR or ENV; on TP5 %tmp%, %TMP%, $TMP and ${TMP} all still fail.
  The reference is the one in the Dockerfile's last instruction: it "stays unexpanded" when
  the image still holds it literally, it "becomes" a value otherwise, and "makes the build
  fail with" the builder's message when the build is refused.
  Linux rows record the Docker and Podman builders here, with no definition of the variable
  (TMP is not in the probe image's configuration, like the Windows image's TMP; HOME is set
  only at run time; PATH is in the image's configuration) and after an ENV that defines it.

  @build-env-not-expanded
  Scenario Outline: ENV value <reference>
    Given a Dockerfile with:
      """
      ENV PROBE=<reference>
      """
    When the image is built
    Then the variable <expansion>

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | reference | expansion        |
      | %tmp%     | stays unexpanded |
      | %TMP%     | stays unexpanded |
      | $TMP      | stays unexpanded |
      | ${TMP}    | stays unexpanded |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | reference | expansion        |
      | %tmp%     | stays unexpanded |
      | %TMP%     | stays unexpanded |
      | $TMP      | stays unexpanded |
      | ${TMP}    | stays unexpanded |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | reference | expansion                                                              |
      | %tmp%     | stays unexpanded                                                       |
      | %TMP%     | stays unexpanded                                                       |
      | $TMP      | becomes ""                                                             |
      | ${TMP}    | becomes ""                                                             |
      | $HOME     | becomes ""                                                             |
      | $PATH     | becomes "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | reference | expansion                                                              |
      | %tmp%     | stays unexpanded                                                       |
      | %TMP%     | stays unexpanded                                                       |
      | $TMP      | becomes ""                                                             |
      | ${TMP}    | becomes ""                                                             |
      | $HOME     | becomes ""                                                             |
      | $PATH     | becomes "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" |

  @build-env-not-expanded
  Scenario Outline: ENV value <reference> after ENV TMP=/defined
    Given a Dockerfile with:
      """
      ENV TMP=/defined
      ENV PROBE=<reference>
      """
    When the image is built
    Then the variable <expansion>

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | reference | expansion          |
      | %TMP%     | stays unexpanded   |
      | $TMP      | becomes "/defined" |
      | ${TMP}    | becomes "/defined" |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | reference | expansion          |
      | %TMP%     | stays unexpanded   |
      | $TMP      | becomes "/defined" |
      | ${TMP}    | becomes "/defined" |

  @build-env-not-expanded
  Scenario Outline: WORKDIR <reference>
    Given a Dockerfile with:
      """
      WORKDIR <reference>
      """
    When the image is built
    Then the variable <expansion>

    @tp4
    Examples: TP4 (writeup, 2016-01-22)
      | reference | expansion        |
      | %tmp%     | stays unexpanded |
      | %TMP%     | stays unexpanded |
      | $TMP      | stays unexpanded |
      | ${TMP}    | stays unexpanded |

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | reference | expansion        |
      | %tmp%     | stays unexpanded |
      | %TMP%     | stays unexpanded |
      | $TMP      | stays unexpanded |
      | ${TMP}    | stays unexpanded |

    # Docker and Podman differ: both substitute nothing for an undefined $TMP, then Docker
    # refuses the empty WORKDIR while Podman keeps the working directory at /.
    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | reference | expansion                                            |
      | %TMP%     | stays unexpanded                                     |
      | $TMP      | makes the build fail with "cannot normalize nothing" |
      | ${TMP}    | makes the build fail with "cannot normalize nothing" |
      | $HOME     | makes the build fail with "cannot normalize nothing" |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | reference | expansion        |
      | %TMP%     | stays unexpanded |
      | $TMP      | becomes "/"      |
      | ${TMP}    | becomes "/"      |
      | $HOME     | becomes "/"      |

  @build-env-not-expanded
  Scenario Outline: WORKDIR <reference> after ENV TMP=/defined
    Given a Dockerfile with:
      """
      ENV TMP=/defined
      WORKDIR <reference>
      """
    When the image is built
    Then the variable <expansion>

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | reference | expansion          |
      | %TMP%     | stays unexpanded   |
      | $TMP      | becomes "/defined" |
      | ${TMP}    | becomes "/defined" |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | reference | expansion          |
      | %TMP%     | stays unexpanded   |
      | $TMP      | becomes "/defined" |
      | ${TMP}    | becomes "/defined" |
