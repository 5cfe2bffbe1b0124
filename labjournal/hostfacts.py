"""Host facts for reports: OS build and revision, container features, engine, isolation.

Read through the host shell (PowerShell on Windows, sh on Linux) and the engine's own facts.
A fact that cannot be read is ``None`` and the reason goes to ``problems``; with
``strict=True`` the typed error is raised instead.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from labjournal.config import Environment
from labjournal.engine import Engine
from labjournal.errors import CommandFailed, ConfigError, LabError
from labjournal.shell import HostShell, open_shell

# Registry values of the running Windows build; the features that make it a container host.
WINDOWS_SCRIPT = r"""
$cv = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$features = @()
if (Get-Command Get-WindowsFeature -ErrorAction SilentlyContinue) {
  $features = @(Get-WindowsFeature -Name @('Containers','Hyper-V') |
    Where-Object { $_.Installed } | ForEach-Object { $_.Name })
} elseif (Get-Command Get-WindowsOptionalFeature -ErrorAction SilentlyContinue) {
  $features = @(Get-WindowsOptionalFeature -Online |
    Where-Object { $_.FeatureName -in @('Containers','Microsoft-Hyper-V') -and
                   $_.State -eq 'Enabled' } | ForEach-Object { $_.FeatureName })
}
[pscustomobject]@{
  ProductName = $cv.ProductName; EditionID = $cv.EditionID
  InstallationType = $cv.InstallationType; CurrentBuild = $cv.CurrentBuild; UBR = $cv.UBR
  ReleaseId = $cv.ReleaseId; DisplayVersion = $cv.DisplayVersion; BuildLabEx = $cv.BuildLabEx
  Features = $features
}""".strip()

# os-release, then the kernel and what a container engine needs from it.
LINUX_SCRIPT = r"""cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
echo "LJ_DEBIAN_VERSION=$(cat /etc/debian_version 2>/dev/null)"
echo "LJ_KERNEL=$(uname -r)"
echo "LJ_CGROUP_FS=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)"
grep -qw overlay /proc/filesystems 2>/dev/null && echo "LJ_OVERLAY=1"
echo "LJ_USERNS=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)"
exit 0"""


@dataclass(frozen=True)
class HostFacts:
    """What a report says about the lab host a result came from."""

    host: str
    platform: str
    os_name: str | None = None
    os_build: str | None = None
    os_revision: str | None = None
    kernel: str | None = None
    container_features: tuple[str, ...] = ()
    engine_product: str | None = None
    engine_version: str | None = None
    api_version: str | None = None
    engine_os_build: str | None = None
    isolation: str | None = None
    problems: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())  # the engine's, e.g. plain tcp allowed

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("container_features", "problems", "warnings"):
            d[key] = list(getattr(self, key))
        return d


def gather(env: Environment, shell: HostShell | None, engine: Engine | None = None, *,
           strict: bool = False) -> HostFacts:
    """Facts of ``env``'s host from its shell (if any) and its connected engine (if any)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    if shell is not None:
        try:
            values.update(windows_facts(shell) if env.platform == "windows"
                          else linux_facts(shell))
        except LabError as exc:
            if strict:
                raise
            problems.append(f"host shell: {exc.what} [{exc.where}]")
    if engine is not None:
        f = engine.facts
        values.update(engine_product=f.product, engine_version=f.engine_version,
                      api_version=f.api_version, engine_os_build=f.os_build,
                      isolation=f.isolation,
                      warnings=tuple(getattr(engine, "warnings", ())))
    return HostFacts(host=env.name, platform=env.platform, problems=tuple(problems), **values)


def collect(env: Environment, engine: Engine | None = None) -> HostFacts:
    """Facts of ``env``'s host for a report: opens (and closes) its host shell itself;
    connects the engine when none is given. Nothing raises: failures go to ``problems``."""
    problems: list[str] = []
    shell = None
    own_engine = engine is None
    try:
        if env.shell.kind != "none":
            shell = open_shell(env)
    except LabError as exc:
        problems.append(f"host shell: {exc.what} [{exc.where}]")
    try:
        if engine is None:
            engine = Engine.connect(env)
    except LabError as exc:
        problems.append(f"engine: {exc.what} [{exc.where}]")
    try:
        facts = gather(env, shell, engine)
    finally:
        if shell is not None:
            shell.close()
        if own_engine and engine is not None:
            engine.close()
    return replace(facts, problems=tuple(problems) + facts.problems)


def windows_facts(shell: HostShell) -> dict[str, Any]:
    """OS name, build, revision (UBR) and container features via PowerShell."""
    run_json = getattr(shell, "run_json", None)
    if run_json is None:
        raise ConfigError("Windows host facts need a PowerShell host shell",
                          where=getattr(shell, "where", ""), hint="set shell.kind: winrm")
    data = run_json(WINDOWS_SCRIPT, depth=3)
    if not isinstance(data, dict):
        raise CommandFailed(f"host facts script returned {type(data).__name__}, not an object",
                            where=getattr(shell, "where", ""), hint="run it by hand on the host")
    features = data.get("Features") or []
    if isinstance(features, str):  # ConvertTo-Json of a one-element array on PowerShell 2
        features = [features]
    return {
        "os_name": _text(data.get("ProductName")),
        "os_build": _text(data.get("CurrentBuild")),
        "os_revision": _text(data.get("UBR")),
        "kernel": _text(data.get("BuildLabEx")),
        "container_features": tuple(str(f) for f in features),
    }


def linux_facts(shell: HostShell) -> dict[str, Any]:
    """OS name and version from os-release, kernel, and the kernel's container features."""
    result = shell.run(LINUX_SCRIPT)
    if not result.succeeded:
        raise CommandFailed(f"host facts script exited {result.rc}",
                            where=getattr(shell, "where", ""), exit_code=result.rc,
                            stdout=result.stdout, stderr=result.stderr,
                            hint="run it by hand on the host")
    kv = parse_os_release(result.stdout)
    features = []
    cgroup = kv.get("LJ_CGROUP_FS", "")
    if cgroup:
        features.append("cgroup2" if cgroup == "cgroup2fs" else "cgroup1")
    if kv.get("LJ_OVERLAY") == "1":
        features.append("overlay")
    if kv.get("LJ_USERNS", "0").isdigit() and int(kv.get("LJ_USERNS", "0")) > 0:
        features.append("user-namespaces")
    return {
        "os_name": kv.get("PRETTY_NAME") or kv.get("NAME"),
        "os_build": kv.get("VERSION_ID") or kv.get("BUILD_ID"),
        "os_revision": kv.get("LJ_DEBIAN_VERSION") or None,
        "kernel": kv.get("LJ_KERNEL") or None,
        "container_features": tuple(features),
    }


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines (os-release(5) quoting) as a dict; other lines are skipped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            parts = shlex.split(raw)
        except ValueError:
            parts = [raw]
        out[key.strip()] = parts[0] if parts else ""
    return out


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def main(argv: list[str] | None = None) -> int:
    """``python -m labjournal.hostfacts NAME...``: each host's facts as JSON (one per line)."""
    import json
    import sys

    from labjournal.config import load_environment
    from labjournal.errors import ConfigError

    names = argv if argv is not None else sys.argv[1:]
    if not names:
        print("usage: python -m labjournal.hostfacts ENVIRONMENT...", file=sys.stderr)
        return 2
    rc = 0
    for name in names:
        try:
            facts = collect(load_environment(name))
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            rc = 2
            continue
        print(json.dumps(facts.as_dict(), ensure_ascii=False))
        rc = rc or (1 if facts.problems else 0)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
