"""Steps about running containers: start time, users, interfaces, switching user."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from labjournal import containers
from labjournal.containers import Interfaces, UserRun
from labjournal.journal import Journal, is_recorded
from labjournal.lab import Bench, CommandResult
from labjournal.timing import Timing, within


@when("a container of the base image runs a trivial command to its exit, repeatedly",
      target_fixture="start_timing")
def containers_run_repeatedly(bench: Bench) -> Timing:
    """Time whole container runs (create, start, exit, remove) after a warm-up run."""
    return containers.start_latency(bench)


@then(parsers.parse('a container run takes "{bound}"'))
def a_container_run_takes(journal: Journal, start_timing: Timing, bound: str) -> None:
    """The median run time against the row's bound (``> 30 s``, ``about 5 s``, ``< 3 s``)."""
    journal.expect("container run time", bound, start_timing.describe(),
                   within(bound, start_timing.median), {"samples (s)": str(start_timing.samples)})


@given(parsers.parse('a container with a network interface, running as "{user}"'),
       target_fixture="container_user")
def a_container_as(user: str) -> str | None:
    """A networked container running as ``user`` (``-``: the image's default user)."""
    return containers.default(user)


@when("the container lists its network interfaces", target_fixture="interfaces")
def the_container_lists_interfaces(bench: Bench, container_user: str | None) -> Interfaces:
    """The OS's and the capture library's interface listings inside one container."""
    return containers.list_interfaces(bench, user=container_user)


@then(parsers.parse('the OS in the container lists the interfaces "{names}"'))
def the_os_lists(journal: Journal, interfaces: Interfaces, names: str) -> None:
    """Every interface the container's OS lists, comma-separated, in its order."""
    journal.expect("interfaces the OS lists", names, interfaces.os_names(),
                   evidence=interfaces.evidence)


@then(parsers.parse('the interface "{name}" has an IPv4 address'))
def the_interface_has_ipv4(journal: Journal, interfaces: Interfaces, name: str) -> None:
    """The named interface carries at least one IPv4 address."""
    observed = ", ".join(interfaces.ipv4(name)) or "no IPv4 address"
    journal.expect(f"IPv4 address of {name}", "an IPv4 address", observed,
                   bool(interfaces.ipv4(name)), interfaces.evidence)


@then(parsers.parse('the capture library lists "{names}" of them'))
def the_capture_library_lists(journal: Journal, interfaces: Interfaces, names: str) -> None:
    """Which of the OS's interfaces libpcap's device list holds (``none``: not one)."""
    journal.expect("interfaces the capture library lists", names, interfaces.capture_of_os(),
                   evidence=interfaces.evidence)


@then(parsers.parse('the capture program reports "{message}"'))
def the_capture_program_reports(journal: Journal, interfaces: Interfaces, message: str) -> None:
    """A line the capture program printed besides its list (``-``: none recorded)."""
    if is_recorded(message):
        journal.expect("capture program report", message, interfaces.report or "(nothing)",
                       message in interfaces.report, interfaces.evidence)


@when(parsers.parse('a container is started with the user option "{option}"'),
      target_fixture="user_run")
def started_with_user_option(bench: Bench, option: str) -> UserRun:
    """``--user <option>`` (``-``: no option)."""
    return containers.run_as(bench, containers.default(option))


@when("a container is started without a user option", target_fixture="user_run")
def started_without_user_option(bench: Bench) -> UserRun:
    """No ``--user``: the image's default user."""
    return containers.run_as(bench)


@then(parsers.re(r'the container (?P<outcome>runs as ".*"|is refused with ".*")$'))
def the_container_outcome(journal: Journal, user_run: UserRun, outcome: str) -> None:
    """``runs as "<user>"`` or ``is refused with "<the engine's message>"``, verbatim."""
    journal.expect("user the container runs as", outcome, user_run.outcome,
                   evidence=user_run.evidence)


@when(parsers.re(r'^"(?P<command>.*)" runs in a container as "(?P<user>.*)"$'),
      target_fixture="output")
def runs_in_a_container(bench: Bench, command: str, user: str) -> CommandResult:
    """Run a command in a container as ``user`` (``-``: default user), stdin closed."""
    return containers.switch_user(bench, command, containers.default(user))
