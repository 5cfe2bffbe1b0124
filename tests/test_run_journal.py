"""The running-container and host domain code (containers.py, hostchecks.py) against the real
Docker and Podman engines here, and its Windows readers against the writeup's transcripts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labjournal import containers, hostchecks
from labjournal.config import load_environment
from labjournal.hostchecks import HostChecks
from labjournal.lab import Bench, CommandResult, LabHost
from labjournal.resources import Run, cleanup_run, new_run_id
from labjournal.shell import open_shell
from tests.conftest import journal_env, run_pytest

ENGINES = ["local", "podman"]
TRANSCRIPTS = Path(__file__).parent / "transcripts"


@pytest.fixture(scope="module", params=ENGINES)
def host(request) -> Iterator[LabHost]:
    run = Run(new_run_id())
    h = LabHost(load_environment(request.param), run)
    yield h
    cleanup_run(h.engine, run.run_id)
    h.close()


@pytest.fixture
def bench(host: LabHost) -> Iterator[Bench]:
    b = Bench(host, "tests/test_run_journal.py")
    yield b
    b.close()


@pytest.fixture
def checks(host: LabHost) -> Iterator[HostChecks]:
    shell = open_shell(host.env)
    yield HostChecks(host, shell)
    shell.close()


# --- real engines --------------------------------------------------------------------------

def test_interfaces_on_a_network_of_the_scenarios_own(bench: Bench):
    found = containers.list_interfaces(bench)
    assert found.os_names() == "lo, eth0"
    assert found.ipv4("eth0") and found.ipv4("lo") == ["127.0.0.1"]
    assert found.capture_of_os() == "lo, eth0"
    assert "any" in found.capture and found.report == ""
    network = bench.engine.client.networks.get(containers.own_network(bench))
    assert network.attrs["Internal"] is True


def test_interfaces_without_a_network_show_loopback_only(bench: Bench):
    result = bench.run(None, containers.shell_command(bench, containers.LINUX_LISTING),
                       network="none")
    found = containers.linux_interfaces(result)
    assert found.os_names() == "lo"
    assert found.ipv4("eth0") == []
    assert found.capture_of_os() == "lo" and "eth0" not in found.capture


def test_capture_listing_as_the_non_root_user(bench: Bench):
    found = containers.list_interfaces(bench, user="1000")
    assert found.capture_of_os() == "lo, eth0"


def test_users(bench: Bench):
    assert containers.run_as(bench).outcome == 'runs as "root (uid 0)"'
    assert containers.run_as(bench, "labuser").outcome == 'runs as "labuser (uid 1000)"'
    refused = containers.run_as(bench, "Administrator")
    assert refused.outcome == ('is refused with "unable to find user Administrator: '
                               'no matching entries in passwd file"')


def test_su_without_a_password(bench: Bench):
    ok = containers.switch_user(bench, "su labuser -c 'id -un'")
    assert ok.succeeded and ok.stdout.strip() == "labuser"
    denied = containers.switch_user(bench, "su root -c id", "labuser")
    assert not denied.succeeded
    assert containers.output_shows(denied, "su: Authentication failure")


def test_start_latency_is_measured_after_warmup(bench: Bench):
    timing = containers.start_latency(bench, repeats=2, warmup=1)
    assert len(timing.samples) == 2 and 0 < timing.median < 30


def test_the_hosts_own_tool_and_nsenter_see_a_running_container(bench: Bench,
                                                                checks: HostChecks):
    running = containers.start_running(bench)
    assert containers.engine_lists(bench, running)
    assert checks.own_tool(running).listing.value == "lists"
    entered = checks.enter(running, "nsenter")
    assert hostchecks.entering_outcome(entered) == "succeeds"
    assert entered.stdout.strip() == "root"
    bench.engine.client.containers.get(running.id).remove(force=True)
    assert not containers.engine_lists(bench, running)
    assert hostchecks.entering_outcome(checks.enter(running, "nsenter")).startswith("fails")


def test_other_images_leave_out_labjournals_own_only(bench: Bench, checks: HostChecks):
    assert checks.other_images().value == "none"
    # An image labjournal did not label (FROM scratch, no labels) is "another" image.
    api = bench.engine.client.api
    context = containers_tar({"Dockerfile": b"FROM scratch\nCOPY x /x\n", "x": b"x"})
    tag = f"labjournal-test-other:{bench.token}"
    list(api.build(fileobj=context, custom_context=True, tag=tag, rm=True, decode=True))
    try:
        assert tag in checks.other_images().value
    finally:
        bench.engine.client.images.remove(tag, force=True)
    assert checks.other_images().value == "none"


def containers_tar(files: dict[str, bytes]):
    from labjournal.lab import _tar
    return _tar(files)


def test_service_answers_say_why(checks: HostChecks):
    answer = checks.service_autostart()
    assert answer.value in ("starts by itself", "does not start by itself",
                            "does not start by itself (no service manager)")
    assert "PID 1 and systemd" in answer.evidence


# --- the Windows readers, on the writeup's transcripts ---------------------------------------

def transcript(name: str) -> str:
    return (TRANSCRIPTS / name).read_text()


def test_windows_interfaces_from_the_writeups_output():
    out = (transcript("run-nic-visible-to-os.ipconfig.txt") + containers.SEP + " \n"
           + transcript("run-nif-invisible-to-pcap.capture.txt"))
    found = containers.windows_interfaces(CommandResult(0, out.replace("\n", "\r\n")))
    assert found.os_names() == "vEthernet (Temp Nic Name)"
    assert found.ipv4("vEthernet (Temp Nic Name)") == ["172.23.71.6"]
    assert found.capture_of_os() == "none"
    assert "No NIF was found." in found.report
    assert "java.io.IOException: No NIF to capture." in found.report


def test_powershell_direct_error_and_module_warning():
    text = transcript("host-ps-direct-fails.enter-pssession.txt")
    failed = CommandResult(1, "", text)
    recorded = ('fails with "The input ContainerName {container} does not exist, or the '
                'corresponding container is not running."').replace("{container}",
                                                                     "amazing_archimedes")
    assert hostchecks.outcome_matches(recorded, hostchecks.entering_outcome(failed))
    assert hostchecks.outcome_matches("fails", hostchecks.entering_outcome(failed))
    assert not hostchecks.outcome_matches("succeeds", hostchecks.entering_outcome(failed))
    warned = CommandResult(0, transcript("host-ps-cmdlets-blind.get-container.txt"))
    assert hostchecks.powershell_warnings(warned)[0].startswith(
        "Based on customer feedback, we are updating the Containers PowerShell module")


# --- a row the host does not reproduce fails, naming both ---------------------------------

def test_a_wrong_row_fails_with_the_journals_words(journal_copy):
    feature = (Path(__file__).parent.parent / "features/run/default_user.feature").read_text()
    wrong = feature.replace("| root (uid 0) |", "| nobody (uid 65534) |", 1)
    root = journal_copy({"features/run/default_user.feature": wrong})
    p = run_pytest("features/run/test_run.py", "-m", "run-default-user", "--env", "local",
                   "-q", cwd=root, env=journal_env())
    assert p.returncode == 1, p.stdout[-2000:]
    assert ("the journal records 'runs as \"nobody (uid 65534)\"' for docker-20.10, "
            "the host did 'runs as \"root (uid 0)\"'") in p.stdout


def test_entering_with_another_platforms_tool_skips(checks: HostChecks):
    running = containers.RunningContainer("0" * 64, "none_such", 1)
    with pytest.raises(pytest.skip.Exception, match="needs a windows host"):
        checks.enter(running, "Enter-PSSession")
