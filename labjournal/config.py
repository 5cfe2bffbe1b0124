"""Lab-host environments: one YAML file per host under ``environments/``, validated on load.

Secrets are never written in the YAML: a credential is a reference, ``{env: NAME}`` or
``{file: PATH}``, resolved only when a connection needs it (see :class:`SecretRef`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from labjournal.errors import ConfigError

PLATFORMS = ("linux", "windows")
SHELL_KINDS = ("local", "winrm", "ssh", "none")
WINRM_TRANSPORTS = ("ntlm", "kerberos", "credssp", "basic", "certificate")
OBTAIN = ("build", "pull", "local")
BUILD_KEY = re.compile(r"^[a-z][a-z0-9.\-]*$")
DEFAULT_ENV_DIR = Path(__file__).resolve().parent.parent / "environments"


@dataclass(frozen=True)
class SecretRef:
    """Where a secret comes from: an environment variable or a file. Never the value."""

    env: str | None = None
    file: str | None = None
    origin: str = ""

    def resolve(self) -> str:
        """Return the secret's value; a missing source is a :class:`ConfigError`."""
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise ConfigError(
                    f"secret variable {self.env} is not set", where=self.origin,
                    hint=f"export {self.env}=... before the run, or point the YAML at a file")
            return value
        path = Path(self.file or "")
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"secret file {path} cannot be read ({exc.strerror})",
                              where=self.origin, hint="create the file or fix its path") from None

    def __repr__(self) -> str:  # never the value
        return f"SecretRef(env={self.env!r})" if self.env else f"SecretRef(file={self.file!r})"


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed for each kind of operation on the host."""

    connect: float = 10.0
    build: float = 900.0
    run: float = 120.0
    pull: float = 3600.0
    command: float = 300.0


@dataclass(frozen=True)
class TLS:
    """Client TLS material for a tcp:// engine; paths only, never key contents."""

    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    verify: bool = True


@dataclass(frozen=True)
class EngineSpec:
    """How to reach the Docker-API engine of a lab host."""

    url: str | None = None
    context: str | None = None
    tls: TLS | None = None
    insecure: bool = False
    version: str = "auto"


@dataclass(frozen=True)
class ShellSpec:
    """How to reach the host's own shell (PowerShell over WinRM, local, ssh)."""

    kind: str = "local"
    endpoint: str | None = None
    transport: str = "ntlm"
    username: str | None = None
    password: SecretRef | None = None
    server_cert_validation: str = "validate"
    ca: Path | None = None
    message_encryption: str = "auto"


@dataclass(frozen=True)
class BaseImage:
    """The image scenarios build FROM, and how the run obtains it."""

    name: str = "labjournal/probe"
    obtain: str = "build"
    recipe: str | None = "probe"


@dataclass(frozen=True)
class Environment:
    """One lab host, as described by ``environments/<name>.yaml``."""

    name: str
    platform: str
    build: str
    source: Path
    description: str = ""
    baseline: str | None = None
    engine: EngineSpec = field(default_factory=EngineSpec)
    shell: ShellSpec = field(default_factory=ShellSpec)
    base_image: BaseImage = field(default_factory=BaseImage)
    timeouts: Timeouts = field(default_factory=Timeouts)
    run_defaults: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def secrets(self) -> list[SecretRef]:
        """Every secret this environment references (for redaction)."""
        return [s for s in (self.shell.password,) if s is not None]


def env_dir() -> Path:
    """The folder holding environment files (``LABJOURNAL_ENV_DIR`` overrides)."""
    return Path(os.environ.get("LABJOURNAL_ENV_DIR", DEFAULT_ENV_DIR))


def known_environments(directory: Path | None = None) -> list[str]:
    """Names of the environments defined in ``directory``."""
    directory = directory or env_dir()
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_environment(name_or_path: str, directory: Path | None = None) -> Environment:
    """Load and validate one environment, by name or by path to a YAML file."""
    directory = directory or env_dir()
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = directory / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(known_environments(directory)) or "(none)"
        raise ConfigError(f"unknown lab host '{name_or_path}'", where=str(directory),
                          hint=f"use one of: {known}; or add {path.name} (see README)")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path.name}: not valid YAML{pos}: {problem}", where=str(path),
                          hint="fix the YAML syntax at the position shown") from None
    return parse_environment(data, path)


def parse_environment(data: Any, path: Path) -> Environment:
    """Validate a parsed YAML mapping; every problem names the file and the key."""
    v = _Validator(path)
    top = v.mapping(data, "")
    v.only(top, "", {f.name for f in fields(Environment)} - {"source"})
    name = v.string(top, "name", default=path.stem)
    platform = v.choice(top, "platform", PLATFORMS)
    build = v.string(top, "build")
    if not BUILD_KEY.match(build):
        v.fail("build", f"'{build}' is not a build key (lowercase letters, digits, '.', '-')")
    baseline = v.string(top, "baseline", default=None)
    return Environment(
        name=name, platform=platform, build=build, source=path,
        description=v.string(top, "description", default=""), baseline=baseline,
        engine=_engine(v, top.get("engine"), platform), shell=_shell(v, top.get("shell")),
        base_image=_base_image(v, top.get("base_image")),
        timeouts=_timeouts(v, top.get("timeouts")),
        run_defaults=v.mapping(top.get("run_defaults", {}), "run_defaults"),
        facts=v.mapping(top.get("facts", {}), "facts"),
    )


def _engine(v: _Validator, data: Any, platform: str) -> EngineSpec:
    m = v.mapping(data or {}, "engine")
    v.only(m, "engine", {"url", "context", "tls", "insecure", "version"})
    url = v.string(m, "url", default=None, key="engine.url")
    if url is not None:
        url = os.path.expandvars(url)
        if not re.match(r"^(unix|tcp|ssh|npipe|http|https)://", url):
            v.fail("engine.url", f"'{url}' is not an engine address "
                   "(unix://, tcp://, ssh://, npipe://)")
    context = v.string(m, "context", default=None, key="engine.context")
    if url and context:
        v.fail("engine", "give either url or context, not both")
    tls = None
    if m.get("tls") is not None:
        t = v.mapping(m["tls"], "engine.tls")
        v.only(t, "engine.tls", {"ca", "cert", "key", "verify"})
        tls = TLS(ca=v.filepath(t, "ca", "engine.tls.ca"),
                  cert=v.filepath(t, "cert", "engine.tls.cert"),
                  key=v.filepath(t, "key", "engine.tls.key"),
                  verify=v.boolean(t, "verify", True, "engine.tls.verify"))
        if (tls.cert is None) != (tls.key is None):
            v.fail("engine.tls", "cert and key go together: give both or neither")
    insecure = v.boolean(m, "insecure", False, "engine.insecure")
    return EngineSpec(url=url, context=context, tls=tls, insecure=insecure,
                      version=str(m.get("version", "auto")))


def _shell(v: _Validator, data: Any) -> ShellSpec:
    m = v.mapping(data or {}, "shell")
    v.only(m, "shell", {f.name for f in fields(ShellSpec)})
    kind = v.choice(m, "kind", SHELL_KINDS, default="local", key="shell.kind")
    transport = v.choice(m, "transport", WINRM_TRANSPORTS, default="ntlm", key="shell.transport")
    endpoint = v.string(m, "endpoint", default=None, key="shell.endpoint")
    if kind in ("winrm", "ssh") and not endpoint:
        v.fail("shell.endpoint", f"a {kind} shell needs an endpoint")
    if kind == "winrm" and endpoint and not re.match(r"^https?://", endpoint):
        v.fail("shell.endpoint", f"'{endpoint}' is not a WinRM URL (https://host:5986/wsman)")
    if kind == "winrm" and transport == "basic" and endpoint and endpoint.startswith("http://"):
        v.fail("shell.transport", "basic authentication is allowed only over https")
    return ShellSpec(
        kind=kind, endpoint=endpoint, transport=transport,
        username=v.string(m, "username", default=None, key="shell.username"),
        password=v.secret(m, "password", "shell.password"),
        server_cert_validation=v.choice(m, "server_cert_validation", ("validate", "ignore"),
                                        default="validate", key="shell.server_cert_validation"),
        ca=v.filepath(m, "ca", "shell.ca"),
        message_encryption=v.choice(m, "message_encryption", ("auto", "always", "never"),
                                    default="auto", key="shell.message_encryption"),
    )


def _base_image(v: _Validator, data: Any) -> BaseImage:
    m = v.mapping(data or {}, "base_image")
    v.only(m, "base_image", {"name", "obtain", "recipe"})
    obtain = v.choice(m, "obtain", OBTAIN, default="build", key="base_image.obtain")
    recipe = v.string(m, "recipe", default="probe" if obtain == "build" else None,
                      key="base_image.recipe")
    return BaseImage(name=v.string(m, "name", default="labjournal/probe", key="base_image.name"),
                     obtain=obtain, recipe=recipe)


def _timeouts(v: _Validator, data: Any) -> Timeouts:
    m = v.mapping(data or {}, "timeouts")
    names = {f.name for f in fields(Timeouts)}
    v.only(m, "timeouts", names)
    values = {}
    for k in names & m.keys():
        val = m[k]
        if isinstance(val, bool) or not isinstance(val, (int, float)) or val <= 0:
            v.fail(f"timeouts.{k}", f"must be a positive number of seconds, not {val!r}")
        values[k] = float(val)
    return Timeouts(**values)


class _Validator:
    """Small helpers that raise :class:`ConfigError` naming file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> None:
        raise ConfigError(f"{self.path.name}: key '{key}': {problem}", where=str(self.path),
                          hint="fix the environment file (fields: see environments/README.md)")

    def mapping(self, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail(key or "(top level)", f"expected a mapping, got {type(data).__name__}")
        return data

    def only(self, m: dict[str, Any], key: str, allowed: set[str]) -> None:
        unknown = sorted(set(m) - allowed)
        if unknown:
            where = f"{key}." if key else ""
            self.fail(where + unknown[0], f"unknown key; allowed: {', '.join(sorted(allowed))}")

    _MISSING = object()

    def string(self, m: dict[str, Any], name: str, default: Any = _MISSING,
               key: str | None = None) -> Any:
        key = key or name
        if name not in m or m[name] is None:
            if default is self._MISSING:
                self.fail(key, "is required")
            return default
        if not isinstance(m[name], (str, int, float)) or isinstance(m[name], bool):
            self.fail(key, f"expected text, got {type(m[name]).__name__}")
        return str(m[name])

    def choice(self, m: dict[str, Any], name: str, allowed: tuple[str, ...],
               default: Any = _MISSING, key: str | None = None) -> str:
        value = self.string(m, name, default=default, key=key)
        if value not in allowed:
            self.fail(key or name, f"'{value}' is not one of {', '.join(allowed)}")
        return value

    def boolean(self, m: dict[str, Any], name: str, default: bool, key: str) -> bool:
        value = m.get(name, default)
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {value!r}")
        return value

    def filepath(self, m: dict[str, Any], name: str, key: str) -> Path | None:
        value = self.string(m, name, default=None, key=key)
        if value is None:
            return None
        p = Path(os.path.expanduser(os.path.expandvars(value)))
        return p if p.is_absolute() else (self.path.parent / p)

    def secret(self, m: dict[str, Any], name: str, key: str) -> SecretRef | None:
        value = m.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, "secrets are never written in the YAML: use {env: VARIABLE} "
                      "or {file: PATH}")
        self.only(value, key, {"env", "file"})
        if len(value) != 1:
            self.fail(key, "give exactly one of env or file")
        origin = f"{self.path}: {key}"
        if "env" in value:
            return SecretRef(env=str(value["env"]), origin=origin)
        return SecretRef(file=str(self.filepath(value, "file", key)), origin=origin)
