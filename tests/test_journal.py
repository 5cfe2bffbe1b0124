"""The whole journal: every recorded Linux row reproduces here, and row selection by build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_bdd.feature import get_features

from tests.conftest import ROOT, run_pytest


def recorded_rows(build: str) -> int:
    """How many Examples rows the features record for ``build`` (tag on the table)."""
    rows = 0
    for feature in get_features([str(ROOT / "features")]):
        for template in feature.scenarios.values():
            for examples in template.examples:
                if build in examples.tags:
                    rows += len(list(examples.as_contexts()))
    return rows


@pytest.mark.parametrize("build", ["tp4", "tp5", "docker-20.10", "podman-4.3"])
def test_collect_only_selects_exactly_the_rows_of_the_build(build):
    env = {"tp4": "tp4", "tp5": "tp5", "docker-20.10": "local", "podman-4.3": "podman"}[build]
    result = run_pytest("features/", "--env", env, "--collect-only", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    selected = re.search(r"(\d+)/\d+ tests collected", result.stdout)
    expected = recorded_rows(build)
    assert expected > 0
    assert selected and int(selected.group(1)) == expected, result.stdout[-500:]
    assert all(f"[{env}-" in line for line in result.stdout.splitlines() if "::" in line)


def test_every_observation_of_the_catalogue_is_in_the_journal():
    catalogue = Path(ROOT.parent / "shared" / "notes" / "observations.md")
    if not catalogue.is_file():
        pytest.skip("the catalogue (../shared/notes/observations.md) is not beside the repo")
    ids = set(re.findall(r"^\| ([a-z]+-[a-z0-9-]+) \|", catalogue.read_text(), re.M))
    tags = set()
    for feature in get_features([str(ROOT / "features")]):
        for template in feature.scenarios.values():
            tags |= template.tags
    assert len(ids) == 23
    assert ids - tags == set()


def test_the_journal_reproduces_on_both_local_engines(tmp_path):
    """`pytest features/ --env local --env podman`: every recorded Linux row passes."""
    result = run_pytest("features/", "--env", "local", "--env", "podman", "-q",
                        f"--lab-reports={tmp_path}", timeout=1500)
    tail = result.stdout[-3000:]
    assert result.returncode == 0, tail
    passed = re.search(r"(\d+) passed", tail)
    assert passed and int(passed.group(1)) == recorded_rows("docker-20.10") + recorded_rows(
        "podman-4.3") - _long_rows(), tail
    assert "failed" not in tail.split("\n")[-2] and "error" not in tail.split("\n")[-2]


def _long_rows() -> int:
    """Rows of @long scenarios (skipped unless asked) recorded for the Linux builds."""
    rows = 0
    for feature in get_features([str(ROOT / "features")]):
        for template in feature.scenarios.values():
            if "long" in template.tags | feature.tags:
                for examples in template.examples:
                    if examples.tags & {"docker-20.10", "podman-4.3"}:
                        rows += len(list(examples.as_contexts()))
    return rows
