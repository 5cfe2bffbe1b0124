"""Verdicts: what one journal row did on one lab host, and where runs keep them.

Four verdicts (docs/verdicts.md), each with one Allure status:

* ``reproduced``     the host did what the journal records          -> ``passed``
* ``changed``        the host did something else (says what)        -> ``failed``
* ``not applicable`` the row does not apply to the host (the reason) -> ``skipped``
* ``broken``         the harness could not tell (unreachable host, timeout, infrastructure
  error)                                                          -> ``broken`` (``unknown``
  for :class:`~labjournal.errors.LabTimeout`, as its ``allure_status`` says)

Each run writes one JSON line per (row, host) to ``reports/runs/<run>/verdicts.jsonl``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from labjournal.errors import LabError
from labjournal.journal import JournalMismatch
from labjournal.lab import first_line

REPRODUCED, CHANGED, NOT_APPLICABLE, BROKEN = ("reproduced", "changed", "not applicable",
                                               "broken")
STATUS = {REPRODUCED: "passed", CHANGED: "failed", NOT_APPLICABLE: "skipped", BROKEN: "broken"}
GATE_FAILS = (CHANGED, BROKEN)
AREAS = ("host", "build", "run")
OBSERVATION_ID = re.compile(rf"^({'|'.join(AREAS)})-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Outcome:
    """The verdict of one test phase (or of the whole row)."""

    verdict: str
    status: str
    message: str = ""


def classify(when: str, excinfo: pytest.ExceptionInfo | None, compared_with: str,
             host_build: str) -> Outcome:
    """The verdict of one phase (``setup``, ``call``, ``teardown``) from its exception."""
    if excinfo is None:
        return Outcome(REPRODUCED, "passed")
    exc = excinfo.value
    if isinstance(exc, pytest.skip.Exception):
        return Outcome(NOT_APPLICABLE, "skipped", str(getattr(exc, "msg", exc)))
    since = changed_since(compared_with, host_build)
    if isinstance(exc, JournalMismatch):
        return Outcome(CHANGED, "failed", f"{since}: {first_line(str(exc))}")
    if isinstance(exc, LabError):
        status = exc.allure_status
        name = type(exc).__name__
        if status == "failed" and when == "call":
            return Outcome(CHANGED, "failed", f"{since}: {name}: {first_line(exc.what)}")
        status = "broken" if status == "failed" else status
        return Outcome(BROKEN, status, f"{name} during {when}: {first_line(exc.what)}")
    if isinstance(exc, AssertionError) and when == "call":
        return Outcome(CHANGED, "failed", f"{since}: {first_line(str(exc)) or 'assertion'}")
    return Outcome(BROKEN, "broken",
                   f"{type(exc).__name__} during {when}: {first_line(str(exc))}")


def combine(phases: list[Outcome]) -> Outcome:
    """The row's verdict: the first phase that did not reproduce (setup, call, teardown)."""
    for outcome in phases:
        if outcome.verdict != REPRODUCED:
            return outcome
    return phases[-1] if phases else Outcome(BROKEN, "broken", "no phase ran")


def changed_since(compared_with: str, host_build: str) -> str:
    """``changed since the journal (tp5)`` or ``changed since <baseline>``."""
    if compared_with and compared_with != host_build:
        return f"changed since {compared_with}"
    return f"changed since the journal ({compared_with or host_build})"


def observation_id(tags: set[str] | list[str]) -> str | None:
    """The catalogue id among a scenario's tags (``build-workdir-absolute``)."""
    ids = sorted(t for t in tags if OBSERVATION_ID.match(t))
    return ids[0] if ids else None


@dataclass
class Verdict:
    """One (journal row, lab host) of one run."""

    run: str
    time: float
    nodeid: str
    observation: str
    area: str
    scenario: str
    feature: str
    row: dict[str, str]
    host: str
    host_build: str
    compared_with: str
    verdict: str
    status: str
    message: str
    observations: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    scenario_line: int = 0

    @property
    def baseline(self) -> bool:
        return self.compared_with != self.host_build

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def runs_dir(reports: Path) -> Path:
    return reports / "runs"


def read_verdicts(path: Path) -> list[Verdict]:
    """The verdicts of one run's ``verdicts.jsonl`` (bad lines are skipped)."""
    out = []
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(Verdict.from_dict(json.loads(line)))
        except (ValueError, TypeError):
            continue
    return out


def run_dirs(reports: Path) -> list[Path]:
    """Every run that wrote verdicts, oldest first (run ids sort by start time)."""
    root = runs_dir(reports)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "verdicts.jsonl").is_file())


def gate(verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts that fail a nightly run: changed rows and broken hosts, nothing else."""
    return [v for v in verdicts if v.verdict in GATE_FAILS]
