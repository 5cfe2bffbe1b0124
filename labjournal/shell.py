"""Host shells: run a command on the lab host itself (not in a container).

One interface for every platform, in the style of testinfra's backends: a registry of
backends keyed by ``shell.kind`` in the environment file, each returning
:class:`~labjournal.lab.CommandResult`. ``local`` runs on this machine; ``winrm`` runs
PowerShell on a Windows host (labjournal/winrm_shell.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable
from typing import Protocol

from labjournal.config import Environment
from labjournal.errors import ConfigError, LabTimeout
from labjournal.lab import CommandResult


class HostShell(Protocol):
    """What every host-shell backend offers."""

    def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Run ``command`` in the host's native shell (sh on Linux, PowerShell on Windows)."""
        ...

    def close(self) -> None: ...


class LocalShell:
    """``sh -c`` on this machine (the lab host is the machine running labjournal)."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        timeout = timeout or self.env.timeouts.command
        with subprocess.Popen(["sh", "-c", command], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True) as p:
            try:
                out, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                # children (systemctl, ctr, nsenter) would keep the pipes open: kill them all
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.communicate()
                raise LabTimeout(f"host command {command!r} did not finish within "
                                 f"{timeout:g} s", where=f"lab host '{self.env.name}' "
                                 "(local shell)",
                                 hint="raise timeouts.command in the environment file") \
                    from None
        return CommandResult(p.returncode, out, err)

    def close(self) -> None:
        pass


BACKENDS: dict[str, Callable[[Environment], HostShell]] = {"local": LocalShell}


def open_shell(env: Environment) -> HostShell:
    """Open the host shell the environment describes (``shell.kind``)."""
    kind = env.shell.kind
    if kind == "winrm" and "winrm" not in BACKENDS:
        from labjournal import winrm_shell  # noqa: F401  (registers the backend)
    try:
        factory = BACKENDS[kind]
    except KeyError:
        raise ConfigError(f"lab host '{env.name}' has no usable host shell (kind: {kind})",
                          where=str(env.source),
                          hint="set shell.kind to local or winrm in the environment file") \
            from None
    return factory(env)
