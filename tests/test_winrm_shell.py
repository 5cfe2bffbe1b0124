"""The WinRM host shell: real pywinrm over real HTTP(S) against a WS-Man endpoint on loopback.

The endpoint (tests/support/wsman_server.py) speaks the WinRS shell protocol and decodes the
``-EncodedCommand`` it is sent; it does not run PowerShell, so what a script *does* on
Windows is not checked here (docs/windows.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from labjournal import powershell
from labjournal.config import load_environment
from labjournal.errors import (
    AuthenticationFailed,
    CommandFailed,
    ConfigError,
    EngineRefused,
    HostUnreachable,
    LabTimeout,
)
from labjournal.shell import open_shell
from labjournal.winrm_shell import WinRMShell
from tests.support.certs import Authority
from tests.support.wsman_server import Behaviour, Invocation, WSManServer

USER = "labadmin"
PASSWORD = "s3cret-Pässword!'\"$"  # quotes, $ and non-ASCII: must never show up anywhere
PASSWORD_VAR = "LJ_TEST_WINRM_PASSWORD"
CLIXML_ERROR = (
    '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/'
    '2004/04"><S S="Error">Get-Item : Cannot find path \'C:\\nope\' because it does not '
    'exist._x000D__x000A_</S><S S="Error">At line:1 char:1_x000D__x000A_</S></Objs>')


def _rules(invocation: Invocation) -> Behaviour:
    """The canned "host": what each test script gets back."""
    script = invocation.script or ""
    if "Write-Output 'hello'" in script:
        return Behaviour(stdout="héllo ✓\r\n".encode())
    if "Get-Item 'C:\\nope'" in script:
        return Behaviour(stderr=CLIXML_ERROR.encode(), exit_code=1)
    if "exit 3" in script:
        return Behaviour(stdout=b"partial\r\n", stderr=b"it went wrong\r\n", exit_code=3)
    if "Get-BigOutput" in script:
        return Behaviour(stdout=BIG, chunk=96 * 1024)
    if "Get-WindowsFeature" in script:
        return Behaviour(stdout=b'{"Name":"Containers","Installed":true,"Depth":[1,2]}\r\n')
    if "Get-NotJson" in script:
        return Behaviour(stdout=b"WARNING: something\r\n")
    if "Start-Sleep 600" in script:
        return Behaviour(runs_for=600)
    if "Stall-Here" in script:
        return Behaviour(stall=30)
    return Behaviour(stderr=b"The term is not recognized as the name of a cmdlet", exit_code=1)


BIG = b"".join(f"line {i:07d} {'x' * 50}\r\n".encode() for i in range(100_000))  # 6.5 MB


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> Authority:
    return Authority.create(tmp_path_factory.mktemp("winrm-ca"))


@pytest.fixture(scope="module")
def https_server(ca):
    pair = ca.issue("wsman", server=True)
    with WSManServer(_rules, username=USER, password=PASSWORD, auth="basic",
                     tls=(pair.cert, pair.key)) as server:
        yield server


@pytest.fixture
def env_file(tmp_path):
    """Write an environment YAML into the test's folder; returns its path."""
    def write(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        return path
    return write


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(PASSWORD_VAR, PASSWORD)
    return PASSWORD


def _env(env_file, endpoint: str, *, transport: str = "basic", ca: Path | None = None,
         command: float = 20, extra: str = ""):
    ca_line = f"  ca: {ca}\n" if ca else ""
    return load_environment(str(env_file("winlab", (
        "name: winlab\nplatform: windows\nbuild: tp5\n"
        f"shell:\n  kind: winrm\n  endpoint: {endpoint}\n  transport: {transport}\n"
        f"  username: {USER}\n  password: {{env: {PASSWORD_VAR}}}\n{ca_line}{extra}"
        f"timeouts: {{connect: 3, command: {command}}}\n"))))


@pytest.fixture
def shell(env_file, https_server, ca, password):
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem))
    yield sh
    sh.close()


def _shown(exc: BaseException) -> str:
    """Everything a log or report shows of ``exc``: the formatted traceback chain and repr."""
    return "".join(traceback.format_exception(exc)) + repr(exc)


def _no_secret(exc: BaseException, secret: str = PASSWORD) -> None:
    assert secret not in _shown(exc)


def test_open_shell_picks_the_winrm_backend(shell):
    assert isinstance(shell, WinRMShell)
    assert PASSWORD not in repr(shell)


def test_success_returns_utf8_output_and_sends_an_encoded_script(shell, https_server):
    result = shell.run("Write-Output 'hello'")
    assert result.rc == 0
    assert result.stdout == "héllo ✓\r\n"
    sent = https_server.invocations[-1]
    assert sent.command_line == powershell.command_line("Write-Output 'hello'")
    assert sent.command_line.startswith("powershell.exe -NoLogo -NoProfile -NonInteractive "
                                        "-ExecutionPolicy Bypass -EncodedCommand ")
    assert sent.script == powershell.wrap("Write-Output 'hello'")
    assert PASSWORD.encode() not in https_server.stats.wire


def test_each_command_gets_its_shell_and_closes_it(shell, https_server):
    before = (https_server.stats.creates, https_server.stats.deletes,
              https_server.stats.signals)
    shell.run("Write-Output 'hello'")
    shell.run("Write-Output 'hello'")
    after = (https_server.stats.creates, https_server.stats.deletes, https_server.stats.signals)
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 2, 2]
    assert not https_server.shells


def test_non_zero_exit_is_a_result_and_with_check_a_command_failed(shell):
    result = shell.run("Write-Output 'partial'; exit 3")
    assert (result.rc, result.stdout, result.stderr) == (3, "partial\r\n", "it went wrong\r\n")
    with pytest.raises(CommandFailed) as info:
        shell.run("Write-Output 'partial'; exit 3", check=True)
    err = info.value
    assert err.exit_code == 3 and err.stderr == "it went wrong\r\n"
    assert "exited 3: it went wrong" in str(err)
    assert "lab host 'winlab'" in str(err) and shell.endpoint in str(err)


def test_clixml_stderr_becomes_plain_text(shell):
    result = shell.run("Get-Item 'C:\\nope'")
    assert result.rc == 1
    assert result.stderr.startswith("Get-Item : Cannot find path 'C:\\nope' because it does")
    assert "CLIXML" not in result.stderr and "_x000D_" not in result.stderr


def test_json_values_come_back_as_data(shell, https_server):
    value = shell.run_json("Get-WindowsFeature -Name Containers | Select-Object Name,Installed")
    assert value == {"Name": "Containers", "Installed": True, "Depth": [1, 2]}
    assert "ConvertTo-Json -InputObject $(\nGet-WindowsFeature -Name Containers" in \
        https_server.invocations[-1].script


def test_output_that_is_not_json_is_refused_clearly(shell):
    with pytest.raises(EngineRefused, match="was not JSON.*WARNING: something"):
        shell.run_json("Get-NotJson")


def test_large_output_across_many_receives(shell, https_server):
    receives = https_server.stats.receives
    started = time.monotonic()
    result = shell.run("Get-BigOutput")
    assert time.monotonic() - started < 30
    assert len(result.stdout) == len(BIG)
    assert hashlib.sha256(result.stdout.encode()).digest() == hashlib.sha256(BIG).digest()
    assert https_server.stats.receives - receives >= len(BIG) // (96 * 1024)


def test_wrong_password_is_authentication_failed_without_the_secret(env_file, https_server,
                                                                   ca, monkeypatch):
    wrong = PASSWORD + "-wrong"
    monkeypatch.setenv(PASSWORD_VAR, wrong)
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem))
    with pytest.raises(AuthenticationFailed) as info:
        sh.run("Write-Output 'hello'")
    text = str(info.value)
    assert f"user '{USER}'" in text and "lab host 'winlab'" in text
    assert https_server.url in text and "what to do:" in text
    assert wrong not in repr(sh)
    _no_secret(info.value, wrong)
    _no_secret(info.value)


def test_password_basic_cannot_encode_is_refused_without_quoting_it(env_file, https_server,
                                                                    ca, monkeypatch):
    secret = "pass-\u2713-word"  # not latin-1: requests cannot send it with Basic
    monkeypatch.setenv(PASSWORD_VAR, secret)
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem))
    with pytest.raises(AuthenticationFailed, match="outside latin-1") as info:
        sh.run("Write-Output 'hello'")
    assert "\u2713" not in _shown(info.value) and "2713" not in _shown(info.value)


def test_a_stalled_host_is_a_timeout_not_a_hang(env_file, https_server, ca, password):
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem, command=2))
    started = time.monotonic()
    with pytest.raises(LabTimeout) as info:
        sh.run("Stall-Here")
    elapsed = time.monotonic() - started
    assert elapsed < 2 + 1.5, elapsed  # the 2 s limit, plus set-up and slack
    assert "lab host 'winlab'" in str(info.value) and https_server.url in str(info.value)
    assert "did not answer within" in str(info.value)
    # the shell still works afterwards (a new connection)
    assert sh.run("Write-Output 'hello'", timeout=10).rc == 0


def test_a_command_running_past_its_timeout_is_stopped(env_file, https_server, ca, password):
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem, command=3))
    signals = https_server.stats.signals
    started = time.monotonic()
    with pytest.raises(LabTimeout, match="did not finish within 3 s"):
        sh.run("Start-Sleep 600")
    assert time.monotonic() - started < 3 + 3  # command timeout + connect (for the Signal)
    assert https_server.stats.signals == signals + 1  # the host was told to stop it
    sh.close()


def test_untrusted_server_certificate_is_refused(env_file, https_server, tmp_path, password):
    other = Authority.create(tmp_path / "other", "other")
    sh = open_shell(_env(env_file, https_server.url, ca=other.pem))
    with pytest.raises(HostUnreachable, match="certificate is not trusted") as info:
        sh.run("Write-Output 'hello'")
    assert not isinstance(info.value, AuthenticationFailed)
    assert https_server.url in str(info.value)
    _no_secret(info.value)


def test_nothing_listening_is_host_unreachable(env_file, password):
    from tests.support.tls_dockerd import free_port
    url = f"https://127.0.0.1:{free_port()}/wsman"
    sh = open_shell(_env(env_file, url))
    started = time.monotonic()
    with pytest.raises(HostUnreachable, match="connection was refused") as info:
        sh.run("Write-Output 'hello'")
    assert time.monotonic() - started < 5
    assert url in str(info.value) and "lab host 'winlab'" in str(info.value)


def test_plain_http_to_an_https_only_listener_names_the_cause(env_file, https_server, password):
    # ntlm over http is allowed by config; the TLS listener answers with garbage for HTTP
    url = https_server.url.replace("https://", "http://")
    sh = open_shell(_env(env_file, url, transport="ntlm"))
    with pytest.raises((HostUnreachable, EngineRefused)) as info:
        sh.run("Write-Output 'hello'")
    assert url in str(info.value)
    _no_secret(info.value)


@pytest.mark.parametrize(("transport", "endpoint", "extra", "problem"), [
    ("ntlm", "http://127.0.0.1:5985/wsman", "  message_encryption: never\n", "in clear"),
    ("basic", "https://127.0.0.1:5986/wsman", "  message_encryption: always\n",
     "cannot encrypt"),
    ("certificate", "https://127.0.0.1:5986/wsman", "", "not supported"),
    ("ntlm", "https://${LJ_UNSET_HOST_VARIABLE}:5986/wsman", "", "still holds a variable"),
])
def test_unsafe_or_impossible_settings_are_config_errors(env_file, transport, endpoint, extra,
                                                         problem, password):
    with pytest.raises(ConfigError, match=problem):
        WinRMShell(_env(env_file, endpoint, transport=transport, extra=extra))


def test_missing_password_variable_is_a_config_error_at_connect_time(env_file, https_server,
                                                                     ca, monkeypatch):
    monkeypatch.delenv(PASSWORD_VAR, raising=False)
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem))  # not resolved yet
    with pytest.raises(ConfigError, match=PASSWORD_VAR):
        sh.run("Write-Output 'hello'")


def test_script_too_long_for_a_command_line_is_refused_before_sending(shell, https_server):
    count = len(https_server.invocations)
    with pytest.raises(ConfigError, match="too long"):
        shell.run("Write-Output '" + "x" * 4000 + "'")
    assert len(https_server.invocations) == count


# -- NTLM over plain HTTP, with WinRM message encryption -------------------------------


@pytest.fixture(scope="module")
def ntlm_server():
    with WSManServer(_rules, username=USER, password=PASSWORD, auth="ntlm") as server:
        yield server


def test_ntlm_over_http_encrypts_every_message(env_file, ntlm_server, password):
    sh = open_shell(_env(env_file, ntlm_server.url, transport="ntlm"))
    result = sh.run("Write-Output 'hello'")
    assert (result.rc, result.stdout) == (0, "héllo ✓\r\n")
    assert sh.run_json("Get-WindowsFeature")["Name"] == "Containers"
    sh.close()
    stats = ntlm_server.stats
    assert stats.encrypted_requests >= 8 and stats.plain_requests == 0
    # the SOAP text (and the encoded command in it) never crossed the wire in clear
    assert b"EncodedCommand" not in stats.wire and b"Envelope" not in stats.wire
    assert PASSWORD.encode() not in stats.wire


def test_ntlm_wrong_password_is_authentication_failed(env_file, ntlm_server, monkeypatch):
    monkeypatch.setenv(PASSWORD_VAR, "not-the-password")
    sh = open_shell(_env(env_file, ntlm_server.url, transport="ntlm"))
    with pytest.raises(AuthenticationFailed, match="refused the credentials") as info:
        sh.run("Write-Output 'hello'")
    assert ntlm_server.url in str(info.value)
    _no_secret(info.value, "not-the-password")


def test_ntlm_over_https_with_channel_binding(env_file, ca, password):
    """The templates' default: ntlm on 5986; the endpoint checks the channel binding token."""
    pair = ca.issue("wsman-ntlm", server=True)
    with WSManServer(_rules, username=USER, password=PASSWORD, auth="ntlm",
                     tls=(pair.cert, pair.key)) as server:
        sh = open_shell(_env(env_file, server.url, transport="ntlm", ca=ca.pem))
        assert sh.run("Write-Output 'hello'").stdout == "héllo ✓\r\n"
        sh.close()
        assert server.stats.plain_requests >= 1 and server.stats.auth_failures == 0
        # a binding for another certificate (a TLS middlebox) fails the NTLM logon
        server.binding_override = b"\0" * 32
        sh = open_shell(_env(env_file, server.url, transport="ntlm", ca=ca.pem))
        with pytest.raises(AuthenticationFailed):
            sh.run("Write-Output 'hello'")
        assert server.stats.auth_failures == 1


def test_a_listener_that_never_speaks_is_a_timeout(env_file, password):
    """TCP connects (the kernel accepts) but nothing answers the TLS handshake."""
    import socket
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"https://127.0.0.1:{silent.getsockname()[1]}/wsman"
        sh = open_shell(_env(env_file, url, command=2))
        started = time.monotonic()
        with pytest.raises(LabTimeout, match="did not answer within") as info:
            sh.run("Write-Output 'hello'")
        assert time.monotonic() - started < 2 + 1.5
        assert url in str(info.value)


def test_nothing_secret_is_logged(env_file, https_server, ca, password, caplog):
    caplog.set_level(logging.DEBUG)  # every logger: ours, pywinrm, requests, urllib3, spnego
    sh = open_shell(_env(env_file, https_server.url, ca=ca.pem))
    sh.run("Write-Output 'hello'")
    sh.close()
    assert "winlab" in caplog.text  # our own line was captured
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize("transport", ["kerberos", "credssp"])
def test_a_transport_without_its_package_is_a_config_error(env_file, transport, password):
    import winrm.transport
    if getattr(winrm.transport, f"HAVE_{transport.upper()}"):
        pytest.skip(f"the {transport} package is installed here")
    with pytest.raises(ConfigError, match=f"pywinrm\\[{transport}\\]"):
        WinRMShell(_env(env_file, "https://127.0.0.1:5986/wsman", transport=transport))


UNRESOLVABLE = """
import os, sys
from labjournal.config import load_environment
from labjournal.errors import HostUnreachable
from labjournal.shell import open_shell
os.environ["LJ_TEST_WINRM_PASSWORD"] = "x"
try:
    open_shell(load_environment(sys.argv[1])).run("Write-Output 'hello'")
except HostUnreachable as exc:
    print(exc)
"""


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0,
                    reason="needs unshare (util-linux) and root")
def test_a_host_name_that_does_not_resolve_is_host_unreachable(env_file):
    """In a private network namespace, so no DNS query leaves this machine."""
    path = env_file("winlab", "name: winlab\nplatform: windows\nbuild: tp5\nshell:\n"
                    "  kind: winrm\n  endpoint: https://win-lab-host.invalid:5986/wsman\n"
                    f"  transport: ntlm\n  username: {USER}\n"
                    f"  password: {{env: {PASSWORD_VAR}}}\ntimeouts: {{connect: 3, command: 10}}\n")
    out = subprocess.run(["unshare", "--net", sys.executable, "-c", UNRESOLVABLE, str(path)],
                         capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parent.parent)
    assert "the host name does not resolve" in out.stdout, out.stdout + out.stderr
    assert "https://win-lab-host.invalid:5986/wsman" in out.stdout
