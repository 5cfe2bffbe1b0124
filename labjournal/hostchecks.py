"""Checks on the lab host itself, through its host shell (PowerShell on Windows, sh on Linux)
and its engine: the container feature, the engine's service, the images the engine holds,
installing the base image, and whether the host's own tools see the engine's containers.

Answers are in the journal's words; the raw output is kept as evidence.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from labjournal import powershell
from labjournal.containers import RunningContainer
from labjournal.engine import Engine
from labjournal.errors import ConfigError, EngineRefused
from labjournal.lab import CommandResult, LabHost, first_line
from labjournal.resources import PROJECT
from labjournal.shell import HostShell

CONTAINERD_SOCKETS = ("/run/containerd/containerd.sock",
                      "/var/run/docker/containerd/containerd.sock")
AUTOMATIC = ("Automatic", "AutomaticDelayedStart", "Boot", "System")

# Get-Container's containers one a line, then its warnings as "WARNING: ..." lines on stdout
# (over WinRM the warning stream would otherwise not reach the output).
GET_CONTAINER = ("$w = @(); $found = @(Get-Container -WarningVariable w "
                 "-WarningAction SilentlyContinue); "
                 "$found | ForEach-Object { \"$($_.Name) $($_.ContainerId)\" }; "
                 "$w | ForEach-Object { \"WARNING: $($_.Message)\" }")

# What the host's own remoting runs to enter a container (the writeup's commands on Windows).
ENTER = {
    "Enter-PSSession": ("windows", "powershell -command Enter-PSSession -ContainerName {name} "
                                   "-RunAsAdministrator"),
    "Invoke-Command": ("windows", "Invoke-Command -ContainerName {name} -RunAsAdministrator "
                                  "-ScriptBlock {{ whoami }}"),
    "nsenter": ("linux", "nsenter --target {pid} --all id -un"),
}


@dataclass(frozen=True)
class Answer:
    """One value the host gave, with the output it came from."""

    value: str
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageInstall:
    """Installing a base image on the host: how long, and whether the engine listed it."""

    seconds: float
    before: Answer
    after: Answer


@dataclass(frozen=True)
class ToolView:
    """What the host's own container tool said about a container, and its warnings."""

    listing: Answer
    warnings: list[str]


class HostChecks:
    """Questions put to one lab host through its shell and its engine."""

    def __init__(self, host: LabHost, shell: HostShell) -> None:
        self.host = host
        self.shell = shell
        self._tool_views: dict[str, ToolView] = {}

    @property
    def windows(self) -> bool:
        return self.host.env.platform == "windows"

    def sh(self, command: str, timeout: float | None = None) -> CommandResult:
        return self.shell.run(command, timeout=timeout)

    # --- host-containers-feature -----------------------------------------------------------

    def container_feature(self) -> Answer:
        """The install state of the Windows feature ``Containers`` (``Installed``, ...)."""
        r = self.sh("(Get-WindowsFeature containers).InstallState")
        return Answer(r.stdout.strip() or first_line(r.stderr), _evidence(r))

    # --- host-docker-service-autostart -----------------------------------------------------

    def service_unit(self) -> str:
        """The engine's service name: ``docker`` on Windows, the systemd unit on Linux."""
        if self.windows:
            return "docker"
        return "podman.socket" if self.host.engine.facts.product == "podman" else "docker"

    def service_start_type(self) -> Answer:
        """Windows: ``Get-Service docker`` StartType; Linux: ``systemctl is-enabled <unit>``."""
        unit = self.service_unit()
        if self.windows:
            r = self.sh(f"(Get-Service {unit}).StartType")
        else:
            r = self.sh(f"systemctl is-enabled {unit} 2>&1 || true")
        return Answer(first_line(r.stdout) or first_line(r.stderr), _evidence(r))

    def service_autostart(self) -> Answer:
        """Whether the engine's service starts by itself when the host boots.

        Windows: the start type decides. Linux: an enabled unit starts only under a running
        service manager: without systemd as PID 1 (``/run/systemd/system``) nothing does.
        """
        start = self.service_start_type()
        if self.windows:
            ok = start.value in AUTOMATIC
            return Answer("starts by itself" if ok else "does not start by itself",
                          start.evidence)
        r = self.sh("cat /proc/1/comm; test -d /run/systemd/system && echo systemd-booted "
                    "|| echo not-systemd-booted")
        pid1, booted = (r.stdout.split() + ["?", "?"])[:2]
        evidence = {**start.evidence, "PID 1 and systemd": r.stdout}
        if booted != "systemd-booted":
            return Answer("does not start by itself (no service manager)", evidence)
        ok = start.value in ("enabled", "enabled-runtime", "static", "alias")
        return Answer("starts by itself" if ok else "does not start by itself", evidence)

    # --- host-no-base-images ---------------------------------------------------------------

    def other_images(self) -> Answer:
        """Tagged images the engine lists besides the lab's base image and labjournal's own."""
        engine = self.host.engine
        base = self.host.env.base_image.name
        images = _list_images(engine)
        others = []
        listing = []
        for image in images:
            tags = image.tags or [image.short_id]
            labels = image.labels or {}
            listing.append(f"{', '.join(tags)} {labels.get(PROJECT, '')}".strip())
            if labels.get(PROJECT) == "labjournal" or any(_same_repo(t, base) for t in tags):
                continue
            others.extend(tags)
        return Answer(", ".join(sorted(others)) or "none", {"images": "\n".join(listing)})

    # --- host-image-install ----------------------------------------------------------------

    def install_base_image(self, name: str) -> ImageInstall:
        """Install ``name`` with the ContainerImage package provider, then restart the engine."""
        timeout = self.host.env.timeouts.pull
        self.sh("Install-PackageProvider ContainerImage -Force")
        started = time.monotonic()
        r = self.sh(f"Install-ContainerImage -Name {name}", timeout=timeout)
        seconds = time.monotonic() - started
        before = self.engine_lists_image(name)
        self.sh("Restart-Service docker")
        after = self.engine_lists_image(name)
        return ImageInstall(seconds, Answer(before.value, {**_evidence(r), **before.evidence}),
                            after)

    def engine_lists_image(self, name: str) -> Answer:
        """Whether ``docker images`` on the host lists repository ``name`` (any case)."""
        from labjournal.parsers.windows import parse_docker_table
        r = self.sh("docker images")
        repos = parse_docker_table(r.stdout).column("REPOSITORY")
        listed = any(repo.lower() == name.lower() for repo in repos)
        return Answer("lists" if listed else "does not list", {"docker images": r.stdout})

    # --- host-ps-cmdlets-blind -------------------------------------------------------------

    def own_tool(self, container: RunningContainer) -> ToolView:
        """Whether the host's own container tool lists ``container`` (asked once), warnings.

        Windows: the Containers PowerShell module's ``Get-Container``. Linux: the tool below
        or beside the engine: containerd's ``ctr`` (Docker) or the ``podman`` command.
        """
        if container.id not in self._tool_views:
            self._tool_views[container.id] = self._own_tool(container)
        return self._tool_views[container.id]

    def _own_tool(self, container: RunningContainer) -> ToolView:
        if self.windows:
            r = self.sh(GET_CONTAINER)
            listed = container.name in r.stdout or container.id[:12] in r.stdout
            return ToolView(Answer("lists" if listed else "does not list", _evidence(r)),
                            powershell_warnings(r))
        if self.host.engine.facts.product == "podman":
            r = self.sh("podman ps --no-trunc --format '{{.ID}}'")
        else:
            socket = next((s for s in CONTAINERD_SOCKETS if os.path.exists(s)),
                          CONTAINERD_SOCKETS[0])
            r = self.sh(f"ctr --address {socket} --namespace moby containers list")
        listed = container.id in r.stdout
        return ToolView(Answer("lists" if listed else "does not list", _evidence(r)), [])

    # --- host-ps-direct-fails --------------------------------------------------------------

    def enter(self, container: RunningContainer, tool: str) -> CommandResult:
        """Enter ``container`` from the host with its own remoting ``tool`` (see ENTER)."""
        try:
            platform, template = ENTER[tool]
        except KeyError:
            raise ConfigError(f"no way to enter a container with {tool!r}",
                              where=f"lab host '{self.host.name}'",
                              hint=f"use one of {', '.join(ENTER)}") from None
        self.host.require_platform(platform, tool)
        name = powershell.quote(container.name) if platform == "windows" else container.name
        return self.sh(template.format(name=name, pid=container.pid))


def entering_outcome(result: CommandResult) -> str:
    """``succeeds`` or ``fails with "<the error's message>"``."""
    if result.succeeded and not result.stderr.strip():
        return "succeeds"
    return f'fails with "{error_message(result)}"'


def outcome_matches(recorded: str, observed: str) -> bool:
    """``fails`` matches any failure; ``fails with "text"`` needs that exact message."""
    return observed == recorded or (recorded == "fails" and observed.startswith("fails"))


def error_message(result: CommandResult) -> str:
    """The first error message of a failed host command (a PowerShell error record's text,
    else the first line it printed)."""
    from labjournal.parsers import ParseError, parse_powershell_error
    text = result.stderr or result.stdout
    try:
        return parse_powershell_error(text).message
    except ParseError:
        return first_line(text)


def powershell_warnings(result: CommandResult) -> list[str]:
    """The ``WARNING:`` messages a PowerShell command printed."""
    from labjournal.parsers import parse_powershell_warnings
    return parse_powershell_warnings(result.stdout + "\n" + result.stderr)



def _list_images(engine: Engine, attempts: int = 40) -> list:
    """The engine's tagged images (an image an engine brings has a name; untagged ones are
    build intermediates). Podman's listing fails while another client removes an image
    ("image not known"); that is retried (for up to about 20 s: builds churn images)."""
    for attempt in range(attempts):
        try:
            with engine.calls("listing images"):
                return engine.client.images.list(filters={"dangling": False})
        except EngineRefused as exc:
            if "image not known" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return []


def _same_repo(tag: str, base: str) -> bool:
    """Whether image tag ``tag`` is the base image ``base`` (any tag, any registry prefix)."""
    repo = tag.rsplit(":", 1)[0] if ":" in tag.split("/")[-1] else tag
    base_repo = base.rsplit(":", 1)[0] if ":" in base.split("/")[-1] else base
    return repo == base_repo or repo.endswith("/" + base_repo)


def _evidence(r: CommandResult) -> dict[str, str]:
    return {"exit code": str(r.rc), "stdout": r.stdout, "stderr": r.stderr}
