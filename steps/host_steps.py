"""Steps about the lab host itself: its container feature, engine service, images, tools."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pytest_bdd import given, parsers, then, when

from labjournal import containers, hostchecks
from labjournal.containers import RunningContainer
from labjournal.hostchecks import Answer, HostChecks, ImageInstall
from labjournal.journal import Journal, is_recorded
from labjournal.lab import Bench, CommandResult, LabHost
from labjournal.shell import open_shell
from labjournal.timing import within


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("labjournal").addoption(
        "--long", action="store_true", dest="lab_long",
        help="also run @long rows (host operations of many minutes, e.g. host-image-install)")


@pytest.fixture
def host_checks(lab_host: LabHost) -> Iterator[HostChecks]:
    """Questions to the lab host through its host shell (PowerShell or sh) and its engine."""
    shell = open_shell(lab_host.env)
    try:
        yield HostChecks(lab_host, shell)
    finally:
        shell.close()


def _expect(journal: Journal, what: str, recorded: str, answer: Answer) -> None:
    if is_recorded(recorded):
        journal.expect(what, recorded, answer.value, evidence=answer.evidence)


@then(parsers.parse('the host\'s container feature is "{state}"'))
def the_container_feature(journal: Journal, lab_host: LabHost, host_checks: HostChecks,
                          state: str) -> None:
    """The install state of the Windows feature Containers (``Installed``)."""
    lab_host.require_platform("windows", "the Windows feature Containers")
    _expect(journal, "Containers feature", state, host_checks.container_feature())


@then(parsers.parse('the engine\'s service start type is "{start_type}"'))
def the_service_start_type(journal: Journal, host_checks: HostChecks, start_type: str) -> None:
    """The engine service's start type as the host reports it (``-``: not recorded)."""
    _expect(journal, "engine service start type", start_type, host_checks.service_start_type())


@then(parsers.re(r"^the engine's service (?P<autostart>(?:does not )?start(?:s)? by itself.*)$"))
def the_service_autostart(journal: Journal, host_checks: HostChecks, autostart: str) -> None:
    """``starts by itself`` / ``does not start by itself`` when the host boots (and why)."""
    _expect(journal, "engine service after boot", autostart, host_checks.service_autostart())


@then(parsers.parse('the images the engine holds besides the lab\'s own are "{others}"'))
def the_other_images(journal: Journal, host_checks: HostChecks, others: str) -> None:
    """Images other than the lab's base image and labjournal's (``none``)."""
    _expect(journal, "images besides the lab's own", others, host_checks.other_images())


@when(parsers.parse('the base image "{name}" is installed through the host\'s package '
                    'provider'), target_fixture="image_install")
def the_base_image_is_installed(request: pytest.FixtureRequest, lab_host: LabHost,
                                host_checks: HostChecks, name: str) -> ImageInstall:
    """Install-ContainerImage, then Restart-Service docker (only with ``--long``)."""
    lab_host.require_platform("windows", "the ContainerImage package provider")
    if not (request.config.getoption("lab_long") or os.environ.get("LABJOURNAL_LONG") == "1"):
        pytest.skip("a host operation of about 50 minutes: run with --long")
    return host_checks.install_base_image(name)


@then(parsers.re(r"^the engine (?P<listing>lists|does not list) the installed image "
                 r"(?P<when>before|after) it restarts$"))
def the_engine_lists_installed(journal: Journal, image_install: ImageInstall, listing: str,
                               when: str) -> None:
    """Whether ``docker images`` shows the installed image before/after the engine restarts."""
    answer = image_install.before if when == "before" else image_install.after
    _expect(journal, f"installed image listed {when} the restart", listing, answer)


@then(parsers.parse('the installation takes "{bound}"'))
def the_installation_takes(journal: Journal, image_install: ImageInstall, bound: str) -> None:
    """The install's duration against the row's bound."""
    journal.expect("image installation time", bound, f"{image_install.seconds:.0f} s",
                   within(bound, image_install.seconds), image_install.before.evidence)


@given("a container left running", target_fixture="running_container")
def a_container_left_running(bench: Bench) -> RunningContainer:
    """The base image's shell with a terminal, like ``docker run -it <image> cmd``."""
    return containers.start_running(bench)


@then("the engine lists the running container")
def the_engine_lists_it(journal: Journal, bench: Bench,
                        running_container: RunningContainer) -> None:
    """The engine's running-container list (``docker ps``) shows it."""
    listed = containers.engine_lists(bench, running_container)
    journal.expect("engine's container list", "lists", "lists" if listed else "does not list")


@then(parsers.re(r"^the host's own container tool (?P<listing>lists|does not list) "
                 r"the running container$"))
def the_own_tool_lists(journal: Journal, host_checks: HostChecks,
                       running_container: RunningContainer, listing: str) -> None:
    """Get-Container on Windows; containerd's ctr (Docker) or podman (Podman) on Linux."""
    _expect(journal, "host's own container tool", listing,
            host_checks.own_tool(running_container).listing)


@then(parsers.parse('the host\'s own container tool warns "{warning}"'))
def the_own_tool_warns(journal: Journal, host_checks: HostChecks,
                       running_container: RunningContainer, warning: str) -> None:
    """A warning the host's own container tool prints (``-``: none recorded)."""
    if is_recorded(warning):
        view = host_checks.own_tool(running_container)
        journal.expect("host's own container tool warning", warning,
                       " / ".join(view.warnings) or "(no warning)", warning in view.warnings,
                       view.listing.evidence)


@when(parsers.parse('the host\'s own remoting enters the container with "{tool}"'),
      target_fixture="output")
def the_host_enters(host_checks: HostChecks, running_container: RunningContainer,
                    tool: str) -> CommandResult:
    """Enter-PSSession / Invoke-Command -ContainerName on Windows, nsenter on Linux."""
    return host_checks.enter(running_container, tool)


@then(parsers.re(r'^entering it (?P<outcome>succeeds|fails(?: with ".*")?)$'))
def entering_outcome(journal: Journal, output: CommandResult,
                     running_container: RunningContainer, outcome: str) -> None:
    """``succeeds``, ``fails`` or ``fails with "<message>"`` ({container}: its name)."""
    recorded = outcome.replace("{container}", running_container.name)
    observed = hostchecks.entering_outcome(output)
    journal.expect("entering the container from the host", recorded, observed,
                   hostchecks.outcome_matches(recorded, observed),
                   {"exit code": str(output.rc), "stdout": output.stdout,
                    "stderr": output.stderr})

