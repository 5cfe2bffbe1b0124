"""Comparing what a host did with what the journal records for its build.

Every "Then" step ends in :func:`expect`: it raises :class:`JournalMismatch` (an
``AssertionError``, so Allure marks the row *failed*) with the message
``the journal records X for <build>, the host did Y`` and keeps the observation on the test
item, where record mode and the verdict reports read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

OBSERVATIONS = pytest.StashKey[list["Observation"]]()
NOT_RECORDED = ("", "-", "n/a", "not recorded")


@dataclass
class Observation:
    """One recorded value set against what the host did."""

    what: str
    recorded: str
    observed: str
    matched: bool
    evidence: dict[str, str] = field(default_factory=dict)


class JournalMismatch(AssertionError):
    """The host did something other than what the journal records for its build."""

    def __init__(self, obs: Observation, build: str) -> None:
        self.observation = obs
        self.build = build
        text = (f"{obs.what}: the journal records {obs.recorded!r} for {build}, "
                f"the host did {obs.observed!r}")
        for name, value in obs.evidence.items():
            text += f"\n--- {name} ---\n{value.rstrip()[-3000:]}"
        super().__init__(text)


def is_recorded(value: str) -> bool:
    """False for cells that say nothing was recorded ('-', empty, 'not recorded')."""
    return value.strip().lower() not in NOT_RECORDED


def expect(request: pytest.FixtureRequest, build: str, what: str, recorded: str,
           observed: str, matched: bool | None = None,
           evidence: dict[str, str] | None = None) -> None:
    """Compare ``observed`` with ``recorded``; keep the observation; raise on a mismatch.

    ``matched`` lets the caller apply its own rule (a substring of an error message, a
    tolerance); by default the two texts must be equal.
    """
    if matched is None:
        matched = recorded == observed
    obs = Observation(what, recorded, observed, matched, dict(evidence or {}))
    request.node.stash.setdefault(OBSERVATIONS, []).append(obs)
    if not matched:
        raise JournalMismatch(obs, build)


class Journal:
    """The journal as one test sees it: the row's build and the observations made so far."""

    def __init__(self, request: pytest.FixtureRequest, build: str) -> None:
        self.request = request
        self.build = build

    def expect(self, what: str, recorded: str, observed: str, matched: bool | None = None,
               evidence: dict[str, str] | None = None) -> None:
        """See :func:`expect`."""
        expect(self.request, self.build, what, recorded, observed, matched, evidence)
