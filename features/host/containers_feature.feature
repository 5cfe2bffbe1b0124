@host
Feature: The host's container feature
  Writeup (TP5, 2016-07-11): `Install-WindowsFeature containers` installs the container
  feature (Windows Server Containers, not Hyper-V Containers) in a few minutes; a restart
  (`Restart-Computer -Force`) is needed before it takes effect. The journal checks the
  resulting state with `Get-WindowsFeature containers`; installing and restarting the host
  is not rerun (docs/not-automatable.md).
  No Linux row: containers on Linux are kernel facilities (namespaces, cgroups), not an OS
  feature to install; the engines come as packages (`./lab setup` installs docker.io and
  podman), so there is nothing here to compare with.

  @host-containers-feature
  Scenario Outline: the container feature after installation and restart
    Then the host's container feature is "<state>"

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | state     |
      | Installed |
