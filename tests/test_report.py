"""`labjournal report`: three real runs on local and podman make a site with their history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_pytest
from tests.test_verdicts import journal, labjournal

FEATURE = "features/build/workdir_absolute.feature"


def report(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return labjournal("report", "--reports", str(root / "reports"), "--features",
                      str(root / "features"), env=env)


def results_by_env(site: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for path in (site / "allure" / "data" / "test-results").glob("*.json"):
        data = json.loads(path.read_text())
        out.setdefault(data.get("environment"), []).append(data)
    return out


def test_three_runs_then_report(journal_copy, tmp_path):
    root, env = journal(journal_copy, tmp_path)
    for _ in range(3):
        proc = run_pytest("features", "--env", "local", "--env", "podman", cwd=root, env=env)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        assert "labjournal verdicts" in proc.stdout

    runs = sorted((root / "reports" / "runs").iterdir())
    assert len(runs) == 3 and all((r / "allure-results").is_dir() for r in runs)
    done = report(root, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("allure: generated run") == 3

    history = (root / "reports" / "history" / "history.jsonl").read_text().splitlines()
    assert len(history) == 3
    for line in history:
        envs_in_run = {r.get("environment") for r in json.loads(line)["testResults"].values()}
        assert envs_in_run == {"local", "podman"}

    site = root / "reports" / "site"
    by_env = results_by_env(site)
    assert set(by_env) == {"local", "podman"}
    for name, results in by_env.items():
        assert len(results) == 4, name
        assert all(len(r.get("history", [])) == 2 for r in results), name  # + this run = 3
    ids = {r["historyId"] for rs in by_env.values() for r in rs}
    assert len(ids) == 8  # the host is in the historyId: one history line per row and host

    matrix = (site / "matrix.html").read_text()
    assert "build-workdir-absolute" in matrix and "docker-20.10" in matrix
    assert "podman-4.3" in matrix and "since " in matrix and "tp4" in matrix
    assert "(3 runs;" in matrix or "broken" in matrix

    again = report(root, env)  # nothing new: the history does not grow
    assert again.returncode == 0, again.stderr
    assert len((root / "reports" / "history" / "history.jsonl").read_text().splitlines()) == 3

    row = "      | C:/hoge    | succeeds | /C:/hoge   |"  # the docker-20.10 table's row
    text = (root / FEATURE).read_text()
    (root / FEATURE).write_text(text.replace(row, row.replace("succeeds", "is rejected"), 1))
    proc = run_pytest("features", "--env", "local", cwd=root, env=env)
    assert proc.returncode == 1
    assert report(root, env).returncode == 0
    categories = json.loads((site / "allure" / "widgets" / "local" / "categories.json")
                            .read_text())
    assert "changed since the journal" in json.dumps(categories)
