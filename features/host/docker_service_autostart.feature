@host
Feature: Does the engine's service start by itself?
  Writeup (TP5, 2016-07-11): dockerd was registered with `dockerd --register-service`;
  `Start-Service docker` brings it up in seconds; by default the service does not start by
  itself when the OS restarts, so it had to be started after every reboot. The writeup does
  not print the start type, so the TP5 row records none.
  Linux rows: what this host says. Debian's packages enable the units (`systemctl
  is-enabled` reads the unit files: docker for Docker, podman.socket for Podman's API), but
  PID 1 on these machines is not a service manager (no /run/systemd/system), so nothing
  starts the engines: `./lab up` does.

  @host-docker-service-autostart
  Scenario Outline: the engine's service when the host boots
    Then the engine's service start type is "<start_type>"
    And the engine's service <autostart>

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | start_type | autostart                |
      | -          | does not start by itself |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | start_type | autostart                                     |
      | enabled    | does not start by itself (no service manager) |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | start_type | autostart                                     |
      | enabled    | does not start by itself (no service manager) |
