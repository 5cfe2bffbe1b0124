@host
Feature: The engine brings no images of its own
  Writeup (TP5, 2016-07-11): right after Docker was installed, `docker images` listed
  nothing; the base image came later, from Install-ContainerImage (host-image-install).
  A journal host is no longer "right after install": it holds the lab's base image and what
  labjournal builds. So the rows record the images the engine holds besides those two kinds
  (the base image of the environment file, and images labelled
  org.labjournal.project=labjournal): none, if the engine brought or fetched nothing itself.
  Only tagged images count: untagged ones are build intermediates, and an image an engine
  brings has a name.
  Linux rows: Docker and Podman here, where nothing is pulled (there is no registry).

  @host-no-base-images
  Scenario Outline: images the engine holds besides the lab's own
    Then the images the engine holds besides the lab's own are "<others>"

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | others |
      | none   |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | others |
      | none   |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | others |
      | none   |
