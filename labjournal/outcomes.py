"""The journal's words for outcomes, and how a host's result is matched against them."""

from __future__ import annotations

import re

from labjournal.lab import BuildResult

REJECTED = re.compile(r'^is rejected(?: with "(?P<message>.*)")?$')


def build_outcome_matches(recorded: str, result: BuildResult) -> bool:
    """``succeeds``; ``is rejected``; ``is rejected with "text"`` (text found in the error)."""
    if recorded == "succeeds":
        return result.ok
    m = REJECTED.match(recorded)
    if not m or result.ok:
        return False
    return m.group("message") is None or m.group("message") in (result.error or "")


def build_evidence(result: BuildResult) -> dict[str, str]:
    return {"Dockerfile": result.dockerfile, "build log": result.log}


FAILED = re.compile(r'^makes the build fail with "(?P<message>.*)"$')


def probe_outcome_matches(recorded: str, observed: str, result: BuildResult) -> bool:
    """Equal texts; ``makes the build fail with "text"``: text found in the build error."""
    m = FAILED.match(recorded)
    if m:
        return not result.ok and m.group("message") in (result.error or "")
    return recorded == observed
