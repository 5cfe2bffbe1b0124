"""Layer observations: a long path kept across a layer commit, and how long a commit takes.

Each function builds real images through :class:`~labjournal.lab.Bench` (Linux shell in the
probe image). A long path is made one directory at a time (``mkdir`` and ``cd``), so it may
exceed ``PATH_MAX``; the next step walks back to it and reads the file. A commit is timed as
the whole build step that changes the files (container, run, layer commit), after a warm-up.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass

import pytest

from labjournal.errors import ApparatusFailed, ConfigError
from labjournal.journal import is_recorded
from labjournal.lab import Bench, BuildResult, LabHost
from labjournal.timing import Timing, within

log = logging.getLogger("labjournal.layers")
LONG_ROOT = "/longpath"
DIR_BYTES = 250          # directory names this long (NAME_MAX is 255)
STEP_LINE = re.compile(r"^(?:Step|STEP) \d+/\d+ ?: ?(?P<instruction>.*)$", re.MULTILINE)
RATIO = re.compile(r"^\s*(?P<op>[<>])\s*(?P<limit>\d+(?:\.\d+)?)\s*$")
AS_SET_UP_HERE = "as set up here"
FOUND, MISSING = "@@labjournal-file-found@@", "@@labjournal-file-missing@@"


def require_host_state(host: LabHost, state: str) -> None:
    """Go on for rows recorded on a host ``as set up here``; skip rows that name a host
    state (``after update-containerhost.ps1``), which labjournal cannot tell of a host."""
    if state.strip() != AS_SET_UP_HERE:
        pytest.skip(f"the row was recorded on a container host {state}; labjournal cannot "
                    f"tell whether '{host.name}' is one: compare by hand")


def _directories(path_bytes: int, name_bytes: int) -> list[int]:
    """Lengths of the directories under LONG_ROOT so the whole path is ``path_bytes`` long."""
    rest = path_bytes - len(LONG_ROOT) - 1 - name_bytes  # "/longpath" + dirs + "/" + name
    if rest < 0 or rest == 1:  # no room, or room for a "/" without a name
        raise ConfigError(f"a path of {path_bytes} bytes cannot hold a {name_bytes}-byte "
                          f"name under {LONG_ROOT}", where="journal row",
                          hint=f"use {len(LONG_ROOT) + 1 + name_bytes} bytes or more than "
                          f"{len(LONG_ROOT) + 2 + name_bytes}")
    lengths = []
    while rest > 0:
        step = min(DIR_BYTES + 1, rest)  # "/" + name
        if 0 < rest - step < 2:           # leave no remainder too short for "/x"
            step -= 2
        lengths.append(step - 1)
        rest -= step
    return lengths


def long_path_dockerfile(path_bytes: int, name_bytes: int, marker: str) -> str:
    """Two RUN steps: write ``marker`` at a path of ``path_bytes`` bytes; then read it and
    say whether it is there (the build fails only if a step cannot run at all)."""
    lengths = " ".join(str(n) for n in _directories(path_bytes, name_bytes))
    name = f'"$(printf "%{name_bytes}s" "" | tr " " f)"'
    walk = (f'cd /; mkdir -p {LONG_ROOT}; cd {LONG_ROOT}; for n in {lengths}; do '
            f'd="$(printf "%${{n}}s" "" | tr " " d)"')
    return (f"RUN set -e; {walk}; mkdir -p \"$d\"; cd \"$d\"; done; "
            f"printf %s {marker} > {name}\n"
            f"RUN set -e; {walk}; cd \"$d\"; done; "
            f"if [ \"$(cat {name} 2>/dev/null)\" = {marker} ]; then echo {FOUND}; "
            f"else echo {MISSING}; ls -la; fi\n")


def long_path_build(bench: Bench, path_bytes: int | str, name_bytes: int | str) -> BuildResult:
    """Commit a file at a path of ``path_bytes`` bytes in one step, read it in the next."""
    bench.host.require_platform("linux", "the long path is made by the probe image's shell")
    path_bytes, name_bytes = _count(path_bytes, "path bytes"), _count(name_bytes, "name bytes")
    marker = f"labjournal-{uuid.uuid4().hex[:8]}"
    return bench.build(long_path_dockerfile(path_bytes, name_bytes, marker), network="none")


def next_step_finding(build: BuildResult) -> str:
    """What the reading step found, in the journal's words."""
    if re.search(rf"^{FOUND}$", build.log, re.MULTILINE):
        return "finds the file"
    if re.search(rf"^{MISSING}$", build.log, re.MULTILINE):
        return "finds no file"
    return "does not run"


def change_files_dockerfile(files: int) -> str:
    """One RUN step writing ``files`` small files (each one a change the commit must take)."""
    return (f"RUN mkdir /churn && cd /churn && i=0 && "
            f"while [ $i -lt {files} ]; do echo $i > f$i; i=$((i+1)); done\n")


def step_seconds(build: BuildResult, marker: str) -> float:
    """How long the build step whose instruction holds ``marker`` took (run and commit)."""
    steps = STEP_LINE.findall(build.log)
    for index, instruction in enumerate(steps):
        if marker in instruction and index < len(build.step_seconds):
            return build.step_seconds[index]
    raise ApparatusFailed(f"no timed build step holding {marker!r}", where="the build log",
                        hint=build.error or build.log[-500:])


def time_commit(bench: Bench, files: int, *, repeats: int = 5, warmup: int = 1) -> Timing:
    """Time the step changing ``files`` files over ``warmup`` + ``repeats`` builds."""
    dockerfile = change_files_dockerfile(files)
    samples = []
    for n in range(warmup + repeats):
        build = bench.build(dockerfile, network="none")
        if not build.ok:
            raise ApparatusFailed(f"the step changing {files} files failed: {build.error}",
                                where=bench.engine.where, hint=build.log[-500:])
        if n >= warmup:
            samples.append(step_seconds(build, "/churn"))
    return Timing(tuple(samples), warmup)


@dataclass(frozen=True)
class CommitTimes:
    """Layer commit times of a step changing few files and of one changing many."""

    few: int
    many: int
    few_time: Timing
    many_time: Timing

    def timing(self, which: str) -> Timing:
        """The timing of the ``few`` or the ``many`` files step."""
        return self.few_time if which == "few" else self.many_time

    @property
    def ratio(self) -> float:
        """The many-files median over the few-files median."""
        return self.many_time.median / max(self.few_time.median, 1e-6)

    def describe(self) -> str:
        return (f"{self.few} files: {self.few_time.describe()}\n"
                f"{self.many} files: {self.many_time.describe()}\n"
                f"many/few: {self.ratio:.2f}")


def time_commits(bench: Bench, few: int | str, many: int | str) -> CommitTimes:
    """Time steps changing ``few`` and ``many`` files (with a warm-up and repeats)."""
    bench.host.require_platform("linux", "the files are written by the probe image's shell")
    few, many = _count(few, "few files"), _count(many, "many files")
    times = CommitTimes(few, many, time_commit(bench, few), time_commit(bench, many))
    log.info("layer commit times on %s:\n%s", bench.host.name, times.describe())
    return times


def _count(cell: int | str, what: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise ConfigError(f"'{cell}' is not a count ({what})", where="journal row",
                          hint="write a whole number") from None


def is_words(cell: str) -> bool:
    """A cell with no digit gives the writeup's words (``very slow``), not a bound."""
    return is_recorded(cell) and not any(ch.isdigit() for ch in cell)


def seconds_match(bound: str, seconds: float) -> bool:
    """A duration bound (``< 5 s``); ``-`` or the writeup's words: not compared (True)."""
    if is_words(bound) or not is_recorded(bound):
        return True
    return within(bound, seconds)


def ratio_match(bound: str, ratio: float) -> bool:
    """A ratio bound (``< 3``, ``> 1.5``); ``-`` or the writeup's words: not compared."""
    if is_words(bound) or not is_recorded(bound):
        return True
    m = RATIO.match(bound)
    if not m:
        raise ConfigError(f"'{bound}' is not a ratio bound", where="journal row",
                          hint="write '< 3' or '> 1.5', '-', or the writeup's words")
    limit = float(m.group("limit"))
    return ratio > limit if m.group("op") == ">" else ratio < limit
