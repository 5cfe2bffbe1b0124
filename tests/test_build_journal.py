"""The build journal against the real Docker engine: a changed recorded outcome fails exactly
its own row, with the journal's message."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT, journal_env, run_pytest

FEATURE = "features/build/user_unsupported.feature"
RECORDED = "      | labuser    | succeeds |\n      | nosuchuser | succeeds |"
CHANGED = "      | labuser    | is rejected |\n      | nosuchuser | succeeds |"


def test_one_changed_cell_fails_exactly_that_row(journal_copy):
    text = (ROOT / FEATURE).read_text(encoding="utf-8")
    assert text.count(RECORDED) == 2  # the Docker and the Podman table
    changed = text.replace(RECORDED, CHANGED, 1)  # the first one: Docker 20.10
    root: Path = journal_copy({FEATURE: changed,
                               "features/build/test_build.py":
                               (ROOT / "features/build/test_build.py").read_text()},
                              keep_features=False)
    out = run_pytest("features/build", "--env", "local", "--no-sweep", "-q",
                     "-m", "build-user-unsupported", cwd=root, env=journal_env())
    report = out.stdout + out.stderr
    assert out.returncode == 1, report
    assert "1 failed, 5 passed" in report, report
    assert "test_user_user_at_the_end_of_the_dockerfile[local-labuser-is rejected]" in report
    assert ("build outcome: the journal records 'is rejected' for docker-20.10, "
            "the host did 'succeeds'") in report, report
