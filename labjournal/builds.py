"""What a Dockerfile's instructions did to the image, in the journal's words.

A build scenario's *probe line* is the last instruction of its Dockerfile (``ENV NAME=value``,
``WORKDIR path``, ``COPY src dest``): the functions here read back what the builder made of
the value written there (the image's environment, working directory, or where the copied
file landed) and say it as the journal does (``disappears``, ``stays unexpanded``, ...).
Windows hosts are asked with ``cmd``, Linux hosts with ``sh``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from labjournal.containers import UserRun, is_windows, run_as, shell_command
from labjournal.lab import Bench, BuildResult, first_line

SEPARATOR = re.compile(r"\\\\|\\|/")
REFERENCE = re.compile(r"%\w+%|\$\{\w+\}|\$\w+")
SHELL_MARKER = "labjournal-shell"
FOLDER_MARKER = "labjournal-folder: "


@dataclass(frozen=True)
class ProbeLine:
    """The last instruction of a Dockerfile: its keyword and the value written in it."""

    keyword: str
    target: str  # ENV: the variable's name; COPY: the source; WORKDIR: ""
    value: str


def probe_line(dockerfile: str) -> ProbeLine:
    """Parse the Dockerfile's last instruction (``ENV``, ``WORKDIR`` or ``COPY``)."""
    lines = [ln.strip() for ln in dockerfile.splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    keyword, _, rest = lines[-1].partition(" ")
    keyword = keyword.upper()
    rest = rest.strip()
    if keyword == "ENV":
        name, _, value = rest.partition("=") if "=" in rest.split()[0] else rest.partition(" ")
        return ProbeLine(keyword, name.strip(), value.strip())
    if keyword == "COPY":
        source, _, dest = rest.partition(" ")
        return ProbeLine(keyword, source, dest.strip())
    if keyword == "WORKDIR":
        return ProbeLine(keyword, "", rest)
    raise ValueError(f"no probe line (ENV, WORKDIR, COPY) at the end of:\n{dockerfile}")


def image_env(bench: Bench, build: BuildResult) -> dict[str, str]:
    """The built image's configured environment variables."""
    env = bench.inspect_image(build.image)["Config"].get("Env") or []
    return dict(item.partition("=")[::2] for item in env)


def probed_value(bench: Bench, build: BuildResult, line: ProbeLine) -> str:
    """What the builder made of the probe line's value (``(unset)``, ``(no file)``)."""
    if line.keyword == "ENV":
        return image_env(bench, build).get(line.target, "(unset)")
    if line.keyword == "WORKDIR":
        return bench.inspect_image(build.image)["Config"].get("WorkingDir", "")
    return _copied_to(bench, build, path_candidates(line.value))


def path_candidates(written: str) -> list[str]:
    """Where a file written ``a\\b`` may land: ``ab``, ``a\\b`` or ``a/b``."""
    parts = [p for p in SEPARATOR.split(written) if p]
    return ["".join(parts), "\\".join(parts), "/".join(parts)]


def _copied_to(bench: Bench, build: BuildResult, candidates: list[str]) -> str:
    """The first candidate path (relative to the working directory) that exists."""
    if is_windows(bench):
        command = " & ".join(f"(if exist {c} echo {c})" for c in candidates)
    else:
        command = "; ".join(f"[ -e {shlex.quote(c)} ] && echo {shlex.quote(c)}"
                            for c in candidates) + "; true"
    found = bench.run(build.image, shell_command(bench, command)).stdout.split()
    return found[0] if found else "(no file)"


def separator_fate(written: str, observed: str) -> str:
    """``disappears``, ``is kept`` (as ``\\`` or ``/``) or ``gives "<observed>"``."""
    parts = [p for p in SEPARATOR.split(written) if p]
    value = observed.lower()
    if value.endswith("".join(parts).lower()):
        return "disappears"
    if any(value.endswith(sep.join(parts).lower()) for sep in ("\\", "/")):
        return "is kept"
    return f'gives "{observed}"'


def expansion(written: str, observed: str) -> str:
    """``stays unexpanded`` (the reference is still there) or ``becomes "<observed>"``."""
    refs = REFERENCE.findall(written)
    if refs and all(r.lower() in observed.lower() for r in refs):
        return "stays unexpanded"
    return f'becomes "{observed}"'


def build_failure(build: BuildResult) -> str:
    """How a probe reports a refused build (matched by its message)."""
    return f'makes the build fail with "{first_line(build.error or "")}"'


def path_separator(bench: Bench, build: BuildResult, dockerfile: str) -> str:
    """What became of the separators in the probe line's path."""
    if not build.ok:
        return build_failure(build)
    line = probe_line(dockerfile)
    return separator_fate(line.value, probed_value(bench, build, line))


def variable_expansion(bench: Bench, build: BuildResult, dockerfile: str) -> str:
    """What became of the variable reference in the probe line's value."""
    if not build.ok:
        return build_failure(build)
    line = probe_line(dockerfile)
    return expansion(line.value, probed_value(bench, build, line))


def escape_verdict(bench: Bench, build: BuildResult, dockerfile: str) -> str:
    """``takes effect`` when the probe ENV keeps its backslashes as written, else ``cannot be
    used`` (``\\`` is then still the escape character, or the build was refused)."""
    if not build.ok:
        return "cannot be used"
    line = probe_line(dockerfile)
    return "takes effect" if probed_value(bench, build, line) == line.value else "cannot be used"


def printed_lines(build: BuildResult) -> list[str]:
    """The lines the build log holds, stripped (step headers and command output)."""
    return [ln.strip() for ln in build.log.splitlines() if ln.strip()]


def shell_verdict(bench: Bench, build: BuildResult, dockerfile: str) -> str:
    """``takes effect`` when a RUN step printed the marker line that only the shell SHELL
    names prints (the feature's command), else ``cannot be used``."""
    return "takes effect" if build.ok and SHELL_MARKER in printed_lines(build) \
        else "cannot be used"


PROBES = {"path separator": path_separator, "variable": variable_expansion}
VERDICTS = {"escape directive": escape_verdict, "SHELL instruction": shell_verdict}


def look_for_folder(windows: bool, folder: str) -> str:
    """A RUN step that prints ``labjournal-folder: present`` or ``... gone``."""
    present, gone = FOLDER_MARKER + "present", FOLDER_MARKER + "gone"
    if windows:
        return f"RUN if exist {folder}\\ (echo {present}) else (echo {gone})"
    return f"RUN if [ -d {shlex.quote(folder)} ]; then echo '{present}'; else echo '{gone}'; fi"


def folder_in_next_step(bench: Bench, dockerfile: str, folder: str) -> tuple[str, BuildResult]:
    """Build ``dockerfile`` plus a next step looking for ``folder``: ``present`` or ``gone``."""
    build = bench.build(f"{dockerfile.rstrip()}\n{look_for_folder(is_windows(bench), folder)}\n",
                        network="none")
    if not build.ok:
        return build_failure(build), build
    seen = [ln[len(FOLDER_MARKER):] for ln in printed_lines(build)
            if ln.startswith(FOLDER_MARKER)]
    return (seen[-1] if seen else "(no answer)"), build


def maven_repository(bench: Bench, build: BuildResult) -> str:
    """The default Maven repository (``${user.home}/.m2``) of the image's default user."""
    command = r"echo %USERPROFILE%\.m2" if is_windows(bench) else 'echo "$HOME/.m2"'
    result = bench.run(build.image, shell_command(bench, command))
    return result.stdout.strip() if result.succeeded else f"(fails: {first_line(result.stderr)})"


def start_container(bench: Bench, build: BuildResult) -> UserRun:
    """Start a container of the built image (no user option): who it runs as, or the refusal."""
    return run_as(bench, image=build.image)
