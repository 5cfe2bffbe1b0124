@build
Feature: A long path in a committed layer
  Writeup (TP5 post 2016-07-11): after `choco install` the build failed with
  "hcsshim::ImportLayer failed in Win32: The filename or extension is too long. (0xce)" (moby
  issue 22449); after updating the container host (update-containerhost.ps1, then a restart) it
  no longer happened. No path length was given.
  Linux rows: one build step writes a file at a path of the given length (directories of up to
  250 bytes under /longpath, made one at a time, then the file's name), the layer is committed,
  and the next build step walks back to it and says whether the file is there.

  @build-long-path-import
  Scenario Outline: A file at a path of <path bytes> bytes, committed and read in the next step
    Given a container host <container host>
    When a build step writes a file at a path of <path bytes> bytes, its name <name bytes> bytes
    Then the build <outcome>
    And the next build step <next step>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | container host                 | path bytes | name bytes | outcome                                                                                               | next step |
      | as installed                   | -          | -          | is rejected with "hcsshim::ImportLayer failed in Win32: The filename or extension is too long. (0xce)" | -         |
      | after update-containerhost.ps1 | -          | -          | succeeds                                                                                              | -         |

    # Docker and Podman differ, and neither reports anything: a file whose path is too long is
    # silently left out of the committed layer (its directories are kept). Measured here (Dec
    # 2026): Docker keeps paths of up to 4001 bytes, Podman up to 3990; both limits are where the
    # layer's folder on the host (/var/lib/docker/overlay2/<id>/diff, 94 bytes;
    # /var/lib/containers/storage/overlay/<id>/diff, 105 bytes) plus the path reach PATH_MAX
    # (4096 with the terminating NUL), so they move with the engine's storage folder.
    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | container host  | path bytes | name bytes | outcome  | next step      |
      | as set up here  | 3900       | 255        | succeeds | finds the file |
      | as set up here  | 4000       | 255        | succeeds | finds the file |
      | as set up here  | 4095       | 255        | succeeds | finds no file  |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | container host  | path bytes | name bytes | outcome  | next step      |
      | as set up here  | 3900       | 255        | succeeds | finds the file |
      | as set up here  | 4000       | 255        | succeeds | finds no file  |
      | as set up here  | 4095       | 255        | succeeds | finds no file  |
