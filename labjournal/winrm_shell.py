"""The ``winrm`` host shell: PowerShell on a Windows lab host over WS-Management (pywinrm).

HTTPS (5986) with certificate validation by default; the transport (ntlm, kerberos, credssp,
basic over https) and message encryption as the environment says. Every command is sent as
``powershell.exe -EncodedCommand`` (labjournal/powershell.py) in a fresh WinRM shell, and
the whole exchange is bounded by ``timeouts.command`` (TCP connect by ``timeouts.connect``):
pywinrm's own output loop retries forever, so this module drives Receive itself.

Failures become labjournal's typed errors, each naming the host, the endpoint and the
cause: :class:`AuthenticationFailed`, :class:`HostUnreachable`, :class:`LabTimeout`,
:class:`CommandFailed` (exit code and stderr), :class:`EngineRefused` (a WS-Man fault).
The password is resolved when the first command connects and never appears in a message,
a log line or a repr.
"""

from __future__ import annotations

import logging
import math
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, TypeVar

import requests.exceptions
import winrm.exceptions
import winrm.transport
from winrm.protocol import Protocol

from labjournal import powershell
from labjournal.config import Environment
from labjournal.errors import (
    AuthenticationFailed,
    CommandFailed,
    ConfigError,
    EngineRefused,
    HostUnreachable,
    LabError,
    LabTimeout,
)
from labjournal.lab import CommandResult
from labjournal.shell import BACKENDS

log = logging.getLogger("labjournal.winrm")
T = TypeVar("T")
UTF8_CODEPAGE = 65001
MAX_OPERATION_TIMEOUT = 20  # seconds a Receive may wait on the host (pywinrm's default)
READ_GRACE = 5  # seconds beyond the WS-Man operation timeout before a read gives up
MARGIN = 0.5  # seconds kept between the host's OperationTimeout and our deadline
NEEDS_PASSWORD = ("ntlm", "credssp", "basic")


class _Stalled(Exception):
    """Internal: the host stopped answering (a read or connect timed out)."""


class WinRMShell:
    """PowerShell on one Windows lab host; one WinRM shell per command."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.spec = env.shell
        self.endpoint = os.path.expandvars(self.spec.endpoint or "")
        self.username = os.path.expandvars(self.spec.username or "")
        self._protocol: Protocol | None = None
        self._check_spec()

    def __repr__(self) -> str:  # never the password
        return (f"WinRMShell(host={self.env.name!r}, endpoint={self.endpoint!r}, "
                f"transport={self.spec.transport!r}, user={self.username!r})")

    @property
    def where(self) -> str:
        return f"lab host '{self.env.name}' at {self.endpoint} (WinRM, {self.spec.transport})"

    # -- public interface (shell.HostShell) -------------------------------------------

    def run(self, command: str, *, timeout: float | None = None,
            check: bool = False) -> CommandResult:
        """Run the PowerShell ``command``; ``check`` turns a non-zero exit into CommandFailed."""
        timeout = timeout or self.env.timeouts.command
        try:
            line = powershell.command_line(command)
        except powershell.ScriptTooLong as exc:
            raise ConfigError(f"PowerShell script too long for {self.env.name}: {exc}",
                              where=self.where,
                              hint="split the script into several commands") from None
        log.info("%s: PowerShell, %d characters", self.env.name, len(command))
        rc, out, err = self._execute(line, timeout)
        result = CommandResult(rc, out.decode("utf-8", errors="replace"),
                               powershell.clean_stderr(err.decode("utf-8", errors="replace")))
        if check and not result.succeeded:
            raise self._failed(command, result)
        return result

    def run_json(self, script: str, *, depth: int = 4, timeout: float | None = None) -> Any:
        """Run ``script`` and return what it outputs as data (ConvertTo-Json, then JSON)."""
        result = self.run(powershell.to_json(script, depth), timeout=timeout, check=True)
        try:
            return powershell.parse_json(result.stdout)
        except ValueError as exc:
            raise EngineRefused(f"the host's answer to {_summary(script)} was not JSON: {exc}",
                                where=self.where,
                                hint="check the script on the host by hand") from None

    def close(self) -> None:
        if self._protocol is not None:
            self._protocol.transport.close_session()
            self._protocol = None

    # -- connection --------------------------------------------------------------------

    def _check_spec(self) -> None:
        spec, where = self.spec, str(self.env.source)
        if "${" in self.endpoint or "${" in self.username:
            raise ConfigError(f"WinRM endpoint or user of '{self.env.name}' still holds a "
                              f"variable: {self.endpoint} {self.username}", where=where,
                              hint="export the variables the environment file names")
        if spec.transport == "certificate":
            raise ConfigError("WinRM certificate authentication is not supported by "
                              "labjournal's shell settings", where=where,
                              hint="use transport ntlm, kerberos, credssp or basic (https)")
        if spec.transport in NEEDS_PASSWORD and (not self.username or spec.password is None):
            raise ConfigError(f"WinRM {spec.transport} needs shell.username and shell.password",
                              where=where, hint="set both ({env: VARIABLE} for the password)")
        plain_http = self.endpoint.lower().startswith("http://")
        if plain_http and spec.transport == "basic":
            raise ConfigError("basic authentication over plain http would send the password "
                              "in clear", where=where, hint="use an https:// endpoint")
        if plain_http and spec.message_encryption == "never":
            raise ConfigError("WinRM over plain http without message encryption would send "
                              "commands in clear", where=where,
                              hint="use https, or leave message_encryption at auto")
        if spec.message_encryption == "always" and spec.transport == "basic":
            raise ConfigError("basic authentication cannot encrypt messages", where=where,
                              hint="use https with message_encryption auto, or ntlm")
        available = {"kerberos": winrm.transport.HAVE_KERBEROS,
                     "credssp": winrm.transport.HAVE_CREDSSP}.get(spec.transport, True)
        if not available:
            raise ConfigError(f"WinRM {spec.transport} needs an extra Python package",
                              where=where,
                              hint=f"pip install 'pywinrm[{spec.transport}]' into the venv")
        if spec.ca is not None and not spec.ca.is_file():
            raise ConfigError(f"WinRM CA file {spec.ca} does not exist", where=where,
                              hint="point shell.ca at the PEM file that signed the host's "
                              "certificate")

    def _connect(self) -> Protocol:
        if self._protocol is None:
            password = self.spec.password.resolve() if self.spec.password else None
            self._protocol = Protocol(
                endpoint=self.endpoint, transport=self.spec.transport,
                username=self.username or None, password=password,
                server_cert_validation=self.spec.server_cert_validation,
                ca_trust_path=str(self.spec.ca) if self.spec.ca else None,
                message_encryption=self.spec.message_encryption,
                operation_timeout_sec=MAX_OPERATION_TIMEOUT,
                read_timeout_sec=MAX_OPERATION_TIMEOUT + READ_GRACE,
                proxy=None)  # never a proxy from the environment: lab traffic goes direct
        return self._protocol

    # -- one command -------------------------------------------------------------------

    def _execute(self, line: str, timeout: float) -> tuple[int, bytes, bytes]:
        deadline = time.monotonic() + timeout
        shell_id = command_id = None
        try:
            proto = self._connect()
            shell_id = self._call(deadline, timeout, proto.open_shell,
                                  codepage=UTF8_CODEPAGE, noprofile=True)
            command_id = self._call(deadline, timeout, proto.run_command, shell_id, line)
            out, err = [], []
            while True:
                try:
                    o, e, rc, done = self._call(deadline, timeout,
                                                proto.get_command_output_raw, shell_id,
                                                command_id)
                except winrm.exceptions.WinRMOperationTimeoutError:
                    continue  # the host's normal "still running, no output yet"
                out.append(o)
                err.append(e)
                if done:
                    break
        except _Stalled as stalled:
            self.close()  # the connection is in an unknown state; do not reuse it
            raise LabTimeout(f"the host did not answer within {timeout:g} s ({stalled})",
                             where=self.where, hint="raise timeouts.command (or "
                             "timeouts.connect) in the environment file, or check the host"
                             ) from None
        except LabError:
            self._cleanup(shell_id, command_id)  # e.g. stop a command past its deadline
            raise
        self._cleanup(shell_id, command_id)
        return rc, b"".join(out), b"".join(err)

    def _call(self, deadline: float, timeout: float, fn: Callable[..., T], *args: Any,
              **kwargs: Any) -> T:
        """One WS-Man request, bounded by what is left of the deadline; typed errors."""
        left = deadline - time.monotonic()
        # The host must answer a waiting Receive (OperationTimeout, whole seconds) before
        # our read gives up; when less than that is left, the deadline has come.
        op = min(MAX_OPERATION_TIMEOUT, math.floor(left - MARGIN))
        if op < 1:
            raise LabTimeout(f"the command did not finish within {timeout:g} s",
                             where=self.where, hint="raise timeouts.command in the "
                             "environment file, or check what the command waits for")
        proto = self._protocol
        assert proto is not None
        proto.operation_timeout_sec = op
        connect = min(self.env.timeouts.connect, left)
        read = min(op + READ_GRACE, left)
        # pywinrm hands this straight to requests: a (connect, read) pair is allowed there.
        proto.transport.read_timeout_sec = (connect, read)  # type: ignore[assignment]
        try:
            return fn(*args, **kwargs)
        except winrm.exceptions.WinRMOperationTimeoutError:
            raise
        except LabError:
            raise
        except requests.exceptions.ConnectTimeout:
            raise _Stalled(f"no TCP connection within {connect:g} s") from None
        except requests.exceptions.Timeout:
            raise _Stalled(f"no answer within {read:g} s") from None
        except Exception as exc:  # noqa: BLE001  (mapped below, never swallowed)
            raise self._translate(exc) from None

    def _translate(self, exc: Exception) -> LabError:
        user = self.username or "(none)"
        if isinstance(exc, winrm.exceptions.AuthenticationError):
            return AuthenticationFailed(
                f"WinRM refused the credentials of user '{user}' ({self.spec.transport})",
                where=self.where, hint="check shell.username and the password it points to; "
                "the account must be allowed WinRM logons on the host")
        if isinstance(exc, UnicodeError):  # its text would quote part of the credentials
            return AuthenticationFailed(
                f"the credentials of user '{user}' cannot be sent with {self.spec.transport} "
                "authentication (characters outside latin-1)", where=self.where,
                hint="use ntlm, or a password of latin-1 characters for basic")
        if isinstance(exc, requests.exceptions.SSLError):
            return HostUnreachable(f"TLS with the WinRM listener failed: {_tls_cause(exc)}",
                                   where=self.where,
                                   hint="give the CA that signed the host's certificate in "
                                   "shell.ca (server_cert_validation: ignore only knowingly)")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return HostUnreachable(f"cannot reach the WinRM listener: {_connect_cause(exc)}",
                                   where=self.where,
                                   hint="check the endpoint, that WinRM listens there "
                                   "(winrm enumerate winrm/config/listener) and the firewall")
        if isinstance(exc, winrm.exceptions.WSManFaultError):
            code = f" (WS-Man fault {exc.wsman_fault_code})" if exc.wsman_fault_code else ""
            return EngineRefused(f"WinRM refused the request: {exc.reason}{code}",
                                 where=self.where, hint="see the host's reason above")
        if isinstance(exc, winrm.exceptions.WinRMTransportError):
            return EngineRefused(f"WinRM answered HTTP {exc.code}", where=self.where,
                                 hint="check the endpoint path (/wsman) and the listener")
        if isinstance(exc, (ET.ParseError, StopIteration, ValueError)):
            return EngineRefused(f"WinRM sent an answer labjournal cannot read "
                                 f"({type(exc).__name__})", where=self.where,
                                 hint="is the endpoint really a WS-Management listener?")
        return EngineRefused(f"WinRM request failed: {type(exc).__name__}: {exc}",
                             where=self.where, hint="see the cause above")

    def _cleanup(self, shell_id: str | None, command_id: str | None) -> None:
        """Signal the command and delete the shell (within the connect timeout); a failure
        here is only logged."""
        proto = self._protocol
        if proto is None or shell_id is None:
            return
        deadline = time.monotonic() + self.env.timeouts.connect
        try:
            if command_id is not None:
                self._call(deadline, self.env.timeouts.connect, proto.cleanup_command,
                           shell_id, command_id)
            self._call(deadline, self.env.timeouts.connect, proto.close_shell, shell_id)
        except (LabError, _Stalled, AssertionError) as exc:
            log.warning("%s: could not close WinRM shell %s: %s", self.env.name, shell_id, exc)
            self.close()

    def _failed(self, command: str, result: CommandResult) -> CommandFailed:
        err = result.stderr.strip().splitlines()
        cause = f": {err[0][:300]}" if err else ""
        return CommandFailed(f"PowerShell {_summary(command)} exited {result.rc}{cause}",
                             where=self.where, hint="see the command's stderr",
                             exit_code=result.rc, stdout=result.stdout, stderr=result.stderr)


def _summary(script: str) -> str:
    first = script.strip().splitlines()[0] if script.strip() else ""
    return repr(first[:80] + ("..." if len(first) > 80 or "\n" in script.strip() else ""))


def _tls_cause(exc: BaseException) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "the host's certificate is not trusted (unknown CA or wrong host name)"
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return "the endpoint does not speak TLS (is it the http port 5985?)"
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _connect_cause(exc: BaseException) -> str:
    text = str(exc)
    for marker, cause in (("Connection refused", "the connection was refused (nothing "
                           "listens on that port)"),
                          ("Name or service not known", "the host name does not resolve"),
                          ("Temporary failure in name resolution",
                           "the host name does not resolve"),
                          ("RemoteDisconnected", "the host closed the connection"),
                          ("Connection reset", "the host reset the connection"),
                          ("No route to host", "there is no route to the host")):
        if marker in text:
            return cause
    return text.splitlines()[0][:200] if text else type(exc).__name__


BACKENDS["winrm"] = WinRMShell
