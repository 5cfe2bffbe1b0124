"""Domain objects the steps talk to: a lab host and one scenario's bench on it.

A step is a one-liner into :class:`Bench`: it builds images, runs containers and returns
:class:`BuildResult` / :class:`CommandResult`. Everything it creates carries the run's and
the scenario's labels and is removed when the scenario ends.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import tarfile
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from labjournal.config import Environment
from labjournal.engine import Engine
from labjournal.errors import ConfigError, EngineRefused, LabTimeout
from labjournal.probe import ensure_probe_image
from labjournal.resources import Run, label_dockerfile, remove_labelled

log = logging.getLogger("labjournal.lab")
DIRECTIVE = re.compile(r"^#\s*(escape|syntax)\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class CommandResult:
    """Exit code and output of a command in a container or on the host shell."""

    rc: int
    stdout: str
    stderr: str = ""

    @property
    def succeeded(self) -> bool:
        return self.rc == 0


@dataclass
class BuildResult:
    """What a ``docker build`` did: the image or the refusal, and the full log."""

    dockerfile: str
    ok: bool
    image: str | None
    log: str
    error: str | None
    seconds: float
    step_seconds: list[float] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """The build outcome in the journal's words."""
        if self.ok:
            return "succeeds"
        return f'is rejected with "{first_line(self.error or "")}"'


def first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""


class LabHost:
    """A selected lab host: its environment, the run, and (lazily) its engine."""

    def __init__(self, env: Environment, run: Run) -> None:
        self.env = env
        self.run = run
        self._engine: Engine | None = None
        self._error: Exception | None = None
        self._base: str | None = None

    @property
    def name(self) -> str:
        return self.env.name

    @property
    def build_key(self) -> str:
        return self.env.build

    def require_platform(self, platform: str, why: str) -> None:
        """Skip (not fail) a step that only makes sense on ``platform`` hosts."""
        if self.env.platform != platform:
            import pytest
            pytest.skip(f"{why}: needs a {platform} host, '{self.name}' is {self.env.platform}")

    def connect(self) -> Engine:
        """The engine, connected once per run; a failed connect is remembered and re-raised."""
        if self._error is not None:
            raise self._error
        if self._engine is None:
            try:
                self._engine = Engine.connect(self.env)
            except Exception as exc:
                self._error = exc
                raise
        return self._engine

    @property
    def engine(self) -> Engine:
        return self.connect()

    @property
    def connected(self) -> bool:
        return self._engine is not None

    def base_image(self) -> str:
        """The base image reference, obtained once per run as the environment says."""
        if self._base is None:
            base = self.env.base_image
            engine = self.engine
            if base.obtain == "build":
                self._base = ensure_probe_image(engine, progress=log.info)
            elif base.obtain == "pull":
                if not engine.image_exists(base.name):
                    engine.pull(base.name, progress=log.info)
                self._base = base.name
            else:
                if not engine.image_exists(base.name):
                    raise ConfigError(f"base image {base.name} is not on the host",
                                      where=engine.where,
                                      hint="install it on the host (for TP5: "
                                      "Install-ContainerImage) or set base_image.obtain: pull")
                self._base = base.name
        return self._base

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


class Bench:
    """One scenario's workspace on a lab host: builds and runs with the scenario's labels."""

    def __init__(self, host: LabHost, scenario: str) -> None:
        self.host = host
        self.token = uuid.uuid4().hex[:12]
        self.labels = host.run.labels(scenario) | {"org.labjournal.bench": self.token}

    @property
    def engine(self) -> Engine:
        return self.host.engine

    def build(self, instructions: str, files: dict[str, bytes] | None = None,
              network: str | None = None) -> BuildResult:
        """Build ``FROM <base image>`` plus ``instructions``; a refusal is a result, not an error.

        Parser directives (``# escape=``) at the top of ``instructions`` stay above FROM.
        """
        head, body = _split_directives(instructions)
        dockerfile = f"{head}FROM {self.host.base_image()}\n{body}"
        labelled = label_dockerfile(dockerfile, dockerfile_safe(self.labels))
        context = _tar({"Dockerfile": labelled.encode(), **(files or {})})
        timeout = self.host.env.timeouts.build
        api = self.engine.client.api
        lines: list[str] = []
        step_times: list[float] = []
        error = None
        image = None
        started = time.monotonic()
        last = started
        old = api.timeout
        api.timeout = timeout
        try:
            with self.engine.calls("the image build", timeout):
                for chunk in api.build(fileobj=context, custom_context=True, rm=True,
                                       forcerm=True, decode=True, labels=self.labels,
                                       network_mode=network, nocache=True):
                    if time.monotonic() - started > timeout:
                        raise LabTimeout(f"the image build did not finish within {timeout:g} s",
                                         where=self.engine.where,
                                         hint="raise timeouts.build in the environment file")
                    if "error" in chunk:
                        error = chunk["error"]
                        lines.append(error)
                        break
                    text = chunk.get("stream", "")
                    if text:
                        lines.append(text)
                        log.info("build: %s", text.rstrip())
                        if text.startswith(("Step ", "STEP ")):
                            now = time.monotonic()
                            step_times.append(now - last)
                            last = now
                    if "aux" in chunk and "ID" in chunk["aux"]:
                        image = chunk["aux"]["ID"]
        finally:
            api.timeout = old
        seconds = time.monotonic() - started
        step_times = step_times[1:] + [time.monotonic() - last]
        if error is None and image is None:
            image = _last_built_id("".join(lines))
        return BuildResult(dockerfile=dockerfile, ok=error is None and image is not None,
                           image=image, log="".join(lines), error=error, seconds=seconds,
                           step_seconds=step_times)

    def run(self, image: str | None, command: list[str] | str, *, user: str | None = None,
            network: str | None = "none", environment: dict[str, str] | None = None,
            **kwargs: Any) -> CommandResult:
        """Run ``command`` in a new container of ``image`` and wait for it (run timeout)."""
        image = image or self.host.base_image()
        timeout = self.host.env.timeouts.run
        options: dict[str, Any] = {"labels": self.labels, "user": user or "",
                                   "environment": environment, "detach": True}
        if network:
            options["network_mode" if network in ("none", "host", "bridge") else
                    "network"] = network
        ulimits = self.host.env.run_defaults.get("ulimits")
        if ulimits:
            options["ulimits"] = [docker.types.Ulimit(name=k, soft=v[0], hard=v[1])
                                  for k, v in ulimits.items()]
        options.update(kwargs)
        with self.engine.calls(f"running {command!r}", timeout):
            container = self.engine.client.containers.create(image, command, **options)
            try:
                container.start()
                status = container.wait(timeout=timeout)
                stdout = container.logs(stdout=True, stderr=False).decode(errors="replace")
                stderr = container.logs(stdout=False, stderr=True).decode(errors="replace")
            finally:
                with contextlib.suppress(docker.errors.APIError):
                    container.remove(force=True, v=True)
        return CommandResult(status.get("StatusCode", -1), stdout, stderr)

    def inspect_image(self, image: str, attempts: int = 5) -> dict:
        """The image's inspect data; retried, since Podman fails an inspect ("image not
        known") while another client removes an image that shares its parent layer."""
        for attempt in range(attempts):
            try:
                with self.engine.calls(f"inspecting image {image}"):
                    return self.engine.client.api.inspect_image(image)
            except EngineRefused as exc:
                if attempt == attempts - 1 or "image not known" not in str(exc):
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Remove what this scenario created (the run's cleanup catches the rest)."""
        if self.host.connected:
            remove_labelled(self.engine, f"org.labjournal.bench={self.token}", settle=5)


def dockerfile_safe(labels: dict[str, str]) -> dict[str, str]:
    """Label values a LABEL line holds verbatim whatever the escape character: a scenario id
    with quotes, backslashes, backticks or ``$`` (journal cells) would break or bend it."""
    return {k: re.sub(r'["\\`$\r\n\t]', "_", v) for k, v in labels.items()}


def _split_directives(text: str) -> tuple[str, str]:
    """Split leading parser directives (``# escape=``, ``# syntax=``) from the rest."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and DIRECTIVE.match(lines[n]):
        n += 1
    return "".join(lines[:n]), "".join(lines[n:])


def _tar(files: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def _last_built_id(log_text: str) -> str | None:
    for line in reversed(log_text.splitlines()):
        for prefix in ("Successfully built ", "--> "):
            if line.startswith(prefix):
                return line[len(prefix):].strip()
    return None


__all__ = ["Bench", "BuildResult", "CommandResult", "LabHost", "EngineRefused"]
