"""Verdicts, baselines and the gate, from real runs of the journal's features."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from labjournal.errors import EngineRefused, HostUnreachable, LabTimeout
from labjournal.journal import JournalMismatch, Observation
from labjournal.verdicts import classify, read_verdicts, run_dirs
from tests.conftest import ROOT, journal_env, run_pytest

FEATURE = "features/build/workdir_absolute.feature"


def journal(journal_copy, tmp_path: Path, *, change: tuple[str, str] | None = None,
            hosts: dict[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """A copy of the build features (one row changed if asked) and an environments dir."""
    text = (ROOT / FEATURE).read_text()
    if change:
        assert change[0] in text
        text = text.replace(change[0], change[1], 1)
    root = journal_copy({FEATURE: text, "features/build/test_build.py":
                         (ROOT / "features/build/test_build.py").read_text()},
                        keep_features=False)
    envs = tmp_path / "envs"
    envs.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "environments").glob("*.yaml"):  # every build key (tp4, tp5...)
        shutil.copy(path, envs / path.name)
    for name, text in (hosts or {}).items():
        (envs / f"{name}.yaml").write_text(text)
    return root, journal_env(LABJOURNAL_ENV_DIR=str(envs))


def labjournal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / ".venv/bin/labjournal"), *args], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=600)


def latest_verdicts(root: Path):
    return read_verdicts(run_dirs(root / "reports")[-1] / "verdicts.jsonl")


def excinfo(exc: BaseException) -> pytest.ExceptionInfo:
    try:
        raise exc
    except BaseException as e:  # noqa: B036 - the point is to capture any of them
        return pytest.ExceptionInfo.from_exception(e)


def test_each_error_type_has_its_verdict_and_allure_status():
    mismatch = JournalMismatch(Observation("build outcome", "succeeds", "is rejected", False),
                               "tp5")
    cases = {
        "mismatch": (classify("call", excinfo(mismatch), "tp5", "tp5"), "changed", "failed"),
        "refused": (classify("call", excinfo(EngineRefused("no")), "tp5", "tp5"),
                    "changed", "failed"),
        "refused in setup": (classify("setup", excinfo(EngineRefused("no")), "tp5", "tp5"),
                             "broken", "broken"),
        "unreachable": (classify("setup", excinfo(HostUnreachable("down")), "tp5", "tp5"),
                        "broken", "broken"),
        "timeout": (classify("call", excinfo(LabTimeout("slow")), "tp5", "tp5"),
                    "broken", "unknown"),
        "skip": (classify("call", excinfo(pytest.skip.Exception("needs windows")), "x", "x"),
                 "not applicable", "skipped"),
        "bug": (classify("call", excinfo(KeyError("k")), "x", "x"), "broken", "broken"),
    }
    for name, (outcome, verdict, status) in cases.items():
        assert (outcome.verdict, outcome.status) == (verdict, status), name
    assert cases["mismatch"][0].message.startswith("changed since the journal (tp5)")
    assert classify("call", excinfo(mismatch), "tp4", "tp5").message.startswith(
        "changed since tp4")
    assert cases["skip"][0].message == "needs windows"


def test_changed_row_fails_the_gate_and_intact_journal_passes(journal_copy, tmp_path):
    row = "      | C:/hoge    | succeeds | /C:/hoge   |"  # first one: the docker-20.10 table
    root, env = journal(journal_copy, tmp_path,
                        change=(row, row.replace("| succeeds |", "| is rejected |")))
    proc = run_pytest("features", "--env", "local", cwd=root, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    verdicts = latest_verdicts(root)
    changed = [v for v in verdicts if v.verdict == "changed"]
    assert [(v.host, v.row["workdir"]) for v in changed] == [("local", "C:/hoge")]
    assert changed[0].message.startswith("changed since the journal (docker-20.10)")
    assert changed[0].observations[0]["observed"] == "succeeds"
    assert {v.verdict for v in verdicts} <= {"reproduced", "changed", "broken"}
    assert len(verdicts) == 4
    results = [json.loads(p.read_text()) for p in
               (root / "reports" / "runs").glob("*/allure-results/*-result.json")]
    failed = [r for r in results if r["status"] == "failed"]
    assert len(failed) == 1
    labels = {(x["name"], x["value"]) for x in failed[0]["labels"]}
    assert ("labjournal.verdict", "changed") in labels
    assert ("labjournal.observation", "build-workdir-absolute") in labels
    gate = labjournal("gate", "--reports", str(root / "reports"), env=env)
    assert gate.returncode == 1, gate.stdout
    assert "changed: build-workdir-absolute on local" in gate.stdout

    (root / FEATURE).write_text((ROOT / FEATURE).read_text())  # the journal intact again
    proc = run_pytest("features", "--env", "local", cwd=root, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    gate = labjournal("gate", "--reports", str(root / "reports"), env=env)
    assert gate.returncode == 0, gate.stdout
    assert "gate passed" in gate.stdout and "4 reproduced" in gate.stdout


def test_baseline_rows_and_unreachable_hosts(journal_copy, tmp_path):
    local = (ROOT / "environments" / "local.yaml").read_text()
    newer = local.replace("name: local", "name: newer").replace(
        "build: docker-20.10", "build: docker-test\nbaseline: docker-20.10")
    gone = local.replace("name: local", "name: gone").replace(
        "url: null", "url: unix:///nonexistent/labjournal.sock")
    row = "      | C:\\hoge    | succeeds | /C:hoge    |\n      | C:/hoge"
    root, env = journal(journal_copy, tmp_path, hosts={"newer": newer, "gone": gone},
                        change=(row, row.replace("/C:hoge    |", "/elsewhere  |")))
    proc = run_pytest("features", "--env", "newer", "--env", "gone", cwd=root, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    verdicts = latest_verdicts(root)
    newer_v = [v for v in verdicts if v.host == "newer"]
    assert {v.compared_with for v in newer_v} == {"docker-20.10"}
    changed = [v for v in newer_v if v.verdict == "changed"]
    assert len(changed) == 1
    assert changed[0].message.startswith("changed since docker-20.10: working directory")
    gone_v = [v for v in verdicts if v.host == "gone"]
    assert len(gone_v) == 4 and {v.verdict for v in gone_v} == {"broken"}
    assert "HostUnreachable" in gone_v[0].message
    # the scenario never started, yet each row has an Allure result, per host history
    results = [json.loads(p.read_text()) for p in
               (root / "reports" / "runs").glob("*/allure-results/*-result.json")]
    broken = [r for r in results if r["status"] == "broken"]
    assert len(broken) == 4
    assert all(("labjournal.host", "gone") in {(x["name"], x["value"]) for x in r["labels"]}
               for r in broken)
    assert len({r["historyId"] for r in results}) == len(results) == 8
    names = {(r["name"], r["testCaseId"]) for r in broken}
    assert names == {(r["name"], r["testCaseId"]) for r in results if r not in broken}
    gate = labjournal("gate", "--reports", str(root / "reports"), env=env)
    assert gate.returncode == 1
    assert "broken: build-workdir-absolute on gone" in gate.stdout


def test_a_failed_cleanup_is_noted_not_a_verdict(journal_copy, tmp_path):
    root, env = journal(journal_copy, tmp_path)
    conftest = root / "features" / "conftest.py"
    conftest.write_text(conftest.read_text() + '''

@pytest.fixture(autouse=True)
def _cleanup_fails(request):
    yield
    if "/pcap4j" in request.node.name:
        from labjournal.errors import EngineRefused
        raise EngineRefused("removing the bench was refused")
''')
    proc = run_pytest("features", "--env", "local", cwd=root, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # pytest still reports the error
    assert "INTERNALERROR" not in proc.stdout + proc.stderr
    verdicts = latest_verdicts(root)
    assert {v.verdict for v in verdicts} == {"reproduced"}
    noted = [v for v in verdicts if v.message]
    assert len(noted) == 1 and noted[0].row["workdir"] == "/pcap4j"
    assert noted[0].message == ("cleanup: EngineRefused during teardown: "
                                "removing the bench was refused")
