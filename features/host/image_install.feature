@host
Feature: Installing the base image on the host
  Writeup (TP5, 2016-07-11): `Install-PackageProvider ContainerImage -Force` (tens of
  seconds), then `Install-ContainerImage -Name WindowsServerCore` (a download of more than
  9 GB; about 50 minutes), then `Restart-Service docker`; after that `docker images` lists
  windowsservercore 10.0.14300.1000 (9.354 GB). The writeup restarted the engine as the
  guide said and did not look before; the row records "lists" only for after the restart.
  Tagged @long: a host operation of about 50 minutes that changes the host; it runs only
  with --long (or LABJOURNAL_LONG=1), on a host without the image (docs/not-automatable.md).
  No Linux row: Linux engines get images from a registry or a local build, never from an
  OS package provider, and there is no out-of-band image store to restart the engine for.

  @host-image-install @long
  Scenario Outline: Install-ContainerImage <name>
    When the base image "<name>" is installed through the host's package provider
    Then the engine lists the installed image after it restarts
    And the installation takes "<duration>"

    # about 50 minutes
    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | name              | duration     |
      | WindowsServerCore | about 3000 s |
