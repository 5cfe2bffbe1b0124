"""Connecting to lab hosts: real engines answer with facts; dead ones fail fast and clearly."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from labjournal.config import load_environment
from labjournal.engine import Engine, resolve_endpoint
from labjournal.errors import ConfigError, HostUnreachable, LabTimeout
from tests.conftest import ROOT, run_pytest


@pytest.mark.parametrize(("name", "product"), [("local", "docker"), ("podman", "podman")])
def test_real_engines_report_their_facts(name, product):
    engine = Engine.connect(load_environment(name))
    try:
        facts = engine.facts
        assert facts.product == product
        assert facts.os_type == "linux"
        assert facts.engine_version[0].isdigit()
        assert facts.kernel
    finally:
        engine.close()


def _env(write_env, url: str, extra: str = "") -> object:
    return load_environment(str(write_env(
        "dead", f"name: dead\nplatform: linux\nbuild: docker-20.10\n"
        f"engine: {{url: '{url}'{extra}}}\ntimeouts: {{connect: 2}}\n")))


def test_missing_socket_is_unreachable_and_says_where(write_env, tmp_path):
    env = _env(write_env, f"unix://{tmp_path}/no.sock")
    started = time.monotonic()
    with pytest.raises(HostUnreachable) as info:
        Engine.connect(env)
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert "lab host 'dead'" in message and f"{tmp_path}/no.sock" in message
    assert "socket does not exist" in message and "what to do" in message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_port_is_unreachable(write_env):
    port = _free_port()
    with pytest.raises(HostUnreachable, match="connection was refused"):
        Engine.connect(_env(write_env, f"tcp://127.0.0.1:{port}"))


def test_silent_engine_times_out_within_the_connect_timeout(write_env):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        with pytest.raises(LabTimeout, match="did not answer within 2 s"):
            Engine.connect(_env(write_env, f"tcp://127.0.0.1:{server.getsockname()[1]}"))
        assert time.monotonic() - started < 8
    finally:
        stop.set()
        thread.join()
        for s in held:
            s.close()
        server.close()


def test_plain_tcp_to_a_remote_host_is_refused_unless_insecure(write_env):
    with pytest.raises(ConfigError, match="unencrypted"):
        resolve_endpoint(_env(write_env, "tcp://lab.example:2375"))
    url, tls = resolve_endpoint(_env(write_env, "tcp://lab.example:2375", ", insecure: true"))
    assert url == "tcp://lab.example:2375" and tls is None


def test_unset_variable_in_the_address_is_a_config_error():
    env = load_environment("tp5")
    with pytest.raises(ConfigError, match=r"still holds a variable.*LABJOURNAL_TP5_HOST"):
        resolve_endpoint(env)


UNRESOLVABLE = """
import sys
from labjournal.config import load_environment
from labjournal.engine import Engine
from labjournal.errors import HostUnreachable
try:
    Engine.connect(load_environment(sys.argv[1]))
except HostUnreachable as exc:
    print(exc)
"""


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_unresolvable_host_name_fails_fast(write_env):
    """Resolution runs in a private network namespace, so no query leaves this machine."""
    path = write_env("nowhere", "name: nowhere\nplatform: linux\nbuild: docker-20.10\n"
                     "engine: {url: 'tcp://lab-host.invalid:2376', insecure: true}\n"
                     "timeouts: {connect: 5}\n")
    started = time.monotonic()
    out = subprocess.run(["unshare", "--net", sys.executable, "-c", UNRESOLVABLE, str(path)],
                         capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert time.monotonic() - started < 15
    assert "the host name does not resolve" in out.stdout, out.stdout + out.stderr
    assert "lab-host.invalid:2376" in out.stdout


def test_a_run_against_a_stopped_engine_ends_fast_with_the_message(write_env, tmp_path):
    path = write_env("stopped", "name: stopped\nplatform: linux\nbuild: docker-20.10\n"
                     f"engine: {{url: 'unix://{tmp_path}/docker.sock'}}\n")
    started = time.monotonic()
    result = run_pytest("features/", "--env", str(path), f"--alluredir={tmp_path}/allure",
                        timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed
    assert result.returncode != 0
    out = result.stdout
    assert "HostUnreachable: cannot reach the engine: the socket does not exist" in out
    assert "lab host 'stopped'" in out
    assert "Traceback" not in out


def test_collect_only_needs_no_host():
    result = run_pytest("features/", "--env", "tp5", "--collect-only", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[tp5-" in result.stdout
    assert "[local-" not in result.stdout
