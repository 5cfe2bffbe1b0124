@run
Feature: Switching user inside a running container
  Writeup (TP5, 2016-07-11): as ContainerAdministrator, `runas /user:Administrator cmd` asks
  for the password, then "RUNAS ERROR: Unable to run - cmd" / "1326: The user name or
  password is incorrect."; `runas /user:"User Manager\Administrator" capture.bat` ends with
  "RUNAS ERROR: Unable to acquire user password". The writeup did not know the password.
  Linux rows: `su` in a container of the probe image, with no terminal and nothing on stdin
  (no password given): root switches to labuser without one, labuser cannot become root.

  @run-runas-fails
  Scenario Outline: <command> as <user>
    When "<command>" runs in a container as "<user>"
    Then the command <outcome>
    And the output shows "<shows>"
    And the output shows "<also>"

    @tp5
    Examples: TP5 (writeup, 2016-07-11)
      | user | command                                              | outcome | shows                                        | also                                          |
      | -    | runas /user:Administrator cmd                        | fails   | RUNAS ERROR: Unable to run - cmd             | 1326: The user name or password is incorrect. |
      | -    | runas /user:"User Manager\Administrator" capture.bat | fails   | RUNAS ERROR: Unable to acquire user password | -                                             |

    @docker-20.10
    Examples: Docker 20.10 on Linux (recorded here)
      | user    | command          | outcome  | shows                                                    | also |
      | -       | su labuser -c id | succeeds | uid=1000(labuser) gid=1000(labuser) groups=1000(labuser) | -    |
      | labuser | su root -c id    | fails    | Password: su: Authentication failure                     | -    |

    @podman-4.3
    Examples: Podman 4.3 on Linux (recorded here)
      | user    | command          | outcome  | shows                                                    | also |
      | -       | su labuser -c id | succeeds | uid=1000(labuser) gid=1000(labuser) groups=1000(labuser) | -    |
      | labuser | su root -c id    | fails    | Password: su: Authentication failure                     | -    |
