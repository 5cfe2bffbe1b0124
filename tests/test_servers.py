"""Servers of a scenario's own (labjournal.servers) against the real engines."""

from __future__ import annotations

import subprocess
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

from labjournal import servers
from labjournal.config import load_environment
from labjournal.lab import Bench, LabHost
from labjournal.resources import RUN, Run, _list, cleanup_run, new_run_id
from labjournal.servers import Network

ENGINES = ["local", "podman"]


@pytest.fixture(params=ENGINES)
def bench(request):
    """A bench on a real engine; afterwards nothing of the run may be left."""
    host = LabHost(load_environment(request.param), Run(new_run_id()))
    b = Bench(host, request.node.nodeid)
    yield b
    b.close()
    cleanup_run(host.engine, host.run.run_id)
    flt = {"label": f"{RUN}={host.run.run_id}"}
    assert not _list(host.engine, "containers", flt), "a server container outlived the test"
    assert not _list(host.engine, "networks", flt), "a scenario network outlived the test"
    host.close()


def _forward_dropped() -> bool:
    """Whether bridged traffic passes iptables' FORWARD chain with a DROP policy (dockerd sets
    it; netavark adds no ACCEPT rule for an internal network)."""
    nf = Path("/proc/sys/net/bridge/bridge-nf-call-iptables")
    if not nf.exists() or nf.read_text().strip() != "1":
        return False
    rules = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True)
    return "-P FORWARD DROP" in rules.stdout


def test_network_words_for_addresses():
    net = Network("n", "10.89.0.0/24", "10.89.0.1")
    assert net.whose(["127.0.0.1", "10.89.0.5"]) == "the scenario's network"
    assert net.whose(["127.0.0.1", "192.0.2.2", "10.89.0.1"]) == "the host's network"
    assert net.whose(["127.0.0.1"]) == "no network"
    assert net.whose(["127.0.0.1", "172.17.0.2"]) == "another network"


def test_https_server_answers_another_container_on_its_internal_network(bench: Bench):
    server = servers.https_server(bench, {"hello.txt": "hello from the scenario"})
    network = bench.engine.client.networks.get(server.network.name)
    assert network.attrs["Internal"] is True
    assert network.attrs["Labels"]["org.labjournal.bench"] == bench.token
    assert ip_address(server.address) in ip_network(server.network.subnet)
    assert "BEGIN CERTIFICATE" in server.ca_pem
    got = servers.fetch_from_container(bench, server, timeout=15)
    if bench.host.name == "podman" and got.rc == 124 and _forward_dropped():
        pytest.xfail("containers on a Podman internal network cannot reach each other here: "
                     "dockerd's FORWARD DROP policy applies to bridged traffic and netavark "
                     "adds no ACCEPT rule for internal networks")
    assert (got.rc, got.stdout) == (0, "hello from the scenario"), got
    untrusted = servers.fetch_from_container(bench, server, trust=False, timeout=15)
    assert untrusted.rc == 60, untrusted  # curl: the peer's certificate is not trusted


# Podman 4.3's Docker-compatible build ignores the network mode: RUN steps share the host's
# network namespace (reaching the server through the network's gateway).
STEP_NETWORK = {"local": "the scenario's network", "podman": "the host's network"}


def test_git_server_serves_https_and_git_protocol_to_a_build_step(bench: Bench):
    server = servers.git_server(bench, {"README": "a repository of the scenario"})
    for protocol in ("https", "git"):
        attempt = servers.clone_in_build(bench, server, protocol)
        assert attempt.outcome == "works", attempt.build.log[-2000:]
        assert attempt.network == STEP_NETWORK[bench.host.name]


def test_server_and_network_are_removed(bench: Bench):
    server = servers.https_server(bench)
    servers.remove(bench, server)
    flt = {"label": f"org.labjournal.bench={bench.token}"}
    assert not _list(bench.engine, "containers", flt)
    assert not _list(bench.engine, "networks", flt)
