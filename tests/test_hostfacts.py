"""Host facts: real on this Linux host (LocalShell + the local dockerd); Windows through the
WS-Man test endpoint, which answers the facts script with a TP5-shaped reply."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from labjournal.config import load_environment
from labjournal.engine import Engine
from labjournal.errors import CommandFailed
from labjournal.hostfacts import WINDOWS_SCRIPT, collect, gather, parse_os_release
from labjournal.shell import LocalShell, open_shell
from tests.support.certs import Authority
from tests.support.wsman_server import Behaviour, Invocation, WSManServer

PASSWORD_VAR = "LJ_TEST_FACTS_PASSWORD"
# The shape PowerShell 5 prints for WINDOWS_SCRIPT on a TP5 container host (values from the
# writeup's build numbers; not captured from a real host: see docs/windows.md).
TP5_REPLY = {"ProductName": "Windows Server 2016 Technical Preview 5",
             "EditionID": "ServerDatacenterEval", "InstallationType": "Server",
             "CurrentBuild": "14300", "UBR": 1000, "ReleaseId": None, "DisplayVersion": None,
             "BuildLabEx": "14300.1000.amd64fre.rs1_release_svc.160324-1723",
             "Features": ["Containers"]}


def test_parse_os_release_unquotes_values():
    text = 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# comment\nX=\'a b\'\nbad\n'
    assert parse_os_release(text) == {"NAME": "Debian GNU/Linux", "VERSION_ID": "12",
                                      "ID": "debian", "X": "a b"}


def test_linux_facts_from_the_local_shell_and_engine():
    env = load_environment("local")
    engine = Engine.connect(env)
    try:
        facts = gather(env, LocalShell(env), engine, strict=True)
    finally:
        engine.close()
    release = parse_os_release(Path("/etc/os-release").read_text())
    assert facts.os_name == release["PRETTY_NAME"]
    assert facts.os_build == release.get("VERSION_ID")
    assert facts.kernel == os.uname().release
    overlay = "overlay" in Path("/proc/filesystems").read_text().split()
    assert ("overlay" in facts.container_features) == overlay
    assert any(f.startswith("cgroup") for f in facts.container_features)
    assert facts.engine_product == engine.facts.product == "docker"
    assert facts.engine_version == engine.facts.engine_version
    assert facts.isolation == engine.facts.isolation
    assert facts.problems == ()
    assert json.loads(json.dumps(facts.as_dict()))["host"] == "local"


@pytest.fixture(scope="module")
def windows_host(tmp_path_factory):
    ca = Authority.create(tmp_path_factory.mktemp("facts-ca"))
    pair = ca.issue("wsman", server=True)
    replies: dict[str, Behaviour] = {}

    def handler(inv: Invocation) -> Behaviour:
        if "Windows NT\\CurrentVersion" in (inv.script or ""):
            return replies["facts"]
        return Behaviour(stderr=b"unexpected script", exit_code=1)

    with WSManServer(handler, username="admin", password="pw", tls=(pair.cert, pair.key)) \
            as server:
        yield server, ca, replies


def _windows_env(tmp_path: Path, server: WSManServer, ca: Authority):
    path = tmp_path / "tp5lab.yaml"
    path.write_text("name: tp5lab\nplatform: windows\nbuild: tp5\nshell:\n  kind: winrm\n"
                    f"  endpoint: {server.url}\n  transport: basic\n  username: admin\n"
                    f"  password: {{env: {PASSWORD_VAR}}}\n  ca: {ca.pem}\n"
                    "timeouts: {connect: 3, command: 10}\n")
    return load_environment(str(path))


def test_windows_facts_through_powershell(windows_host, tmp_path, monkeypatch):
    server, ca, replies = windows_host
    replies["facts"] = Behaviour(stdout=json.dumps(TP5_REPLY).encode() + b"\r\n")
    monkeypatch.setenv(PASSWORD_VAR, "pw")
    env = _windows_env(tmp_path, server, ca)
    shell = open_shell(env)
    try:
        facts = gather(env, shell, None, strict=True)
    finally:
        shell.close()
    assert (facts.os_build, facts.os_revision) == ("14300", "1000")
    assert facts.os_name == "Windows Server 2016 Technical Preview 5"
    assert facts.container_features == ("Containers",)
    assert facts.engine_version is None and facts.problems == ()
    script = server.invocations[-1].script
    assert WINDOWS_SCRIPT in script and "ConvertTo-Json -InputObject $(" in script


def test_windows_facts_failure_is_a_problem_or_with_strict_an_error(windows_host, tmp_path,
                                                                    monkeypatch):
    server, ca, replies = windows_host
    replies["facts"] = Behaviour(stderr=b"Get-WindowsFeature : access denied", exit_code=1)
    monkeypatch.setenv(PASSWORD_VAR, "pw")
    env = _windows_env(tmp_path, server, ca)
    shell = open_shell(env)
    try:
        facts = gather(env, shell, None)
        assert facts.os_build is None
        [problem] = facts.problems
        assert "access denied" in problem and "lab host 'tp5lab'" in problem
        with pytest.raises(CommandFailed, match="exited 1"):
            gather(env, shell, None, strict=True)
    finally:
        shell.close()


def test_collect_for_a_report_never_raises(tmp_path):
    local = collect(load_environment("local"))
    assert local.problems == () and local.engine_product == "docker" and local.os_name
    path = tmp_path / "gone.yaml"
    path.write_text("name: gone\nplatform: windows\nbuild: tp5\n"
                    f"engine: {{url: 'unix://{tmp_path}/none.sock'}}\n"
                    "shell: {kind: winrm, endpoint: 'https://${LJ_UNSET_HOST_VAR}:5986/wsman',"
                    " transport: ntlm, username: u, password: {env: LJ_UNSET_PASSWORD_VAR}}\n"
                    "timeouts: {connect: 2}\n")
    gone = collect(load_environment(str(path)))
    assert gone.os_build is None and gone.engine_version is None
    assert [p.split(":")[0] for p in gone.problems] == ["host shell", "engine"]
    assert "still holds a variable" in gone.problems[0]
    assert "lab host 'gone'" in gone.problems[1]


def test_command_line_prints_facts_as_json():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "labjournal.hostfacts", "local"],
                         capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["host"] == "local" and facts["engine_product"] == "docker"
    assert facts["os_name"] == parse_os_release(Path("/etc/os-release").read_text())["PRETTY_NAME"]
