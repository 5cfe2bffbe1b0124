"""Record mode: rows written from real runs make the next run reproduce, nothing else moves."""

from __future__ import annotations

from labjournal.record import escape_cell, record, split_row, unescape_cell
from labjournal.verdicts import Verdict, read_verdicts, run_dirs
from tests.conftest import ROOT, run_pytest
from tests.test_verdicts import journal

FEATURE = "features/build/workdir_absolute.feature"


def test_cells_round_trip_gherkin_escapes():
    for value in ["C:\\hoge", "C:\\\\hoge", "a|b", "two\nlines", "plain", ""]:
        assert unescape_cell(escape_cell(value)) == value
    assert split_row("  | C:\\\\\\\\hoge | a\\|b |  x |\n") == ["C:\\\\\\\\hoge", "a\\|b", "x"]
    assert unescape_cell("C:\\\\\\\\hoge") == "C:\\\\hoge"


def test_updating_a_cell_keeps_the_rest_byte_for_byte(tmp_path):
    text = ("# a comment that stays\n@build\nFeature: f\n\n  @build-x-y\n"
            "  Scenario Outline: s <a>\n    Given a Dockerfile with:\n      \"\"\"\n"
            "      WORKDIR <a>\n      \"\"\"\n    Then the build <b>\n\n"
            "    @tp5\n    Examples: odd   alignment  stays\n"
            "      | a    |  b        |\n      | x\\|y | succeeds  |\n\n"
            "    @docker-20.10\n    Examples: mine\n      | a  | b        |\n"
            "      | p  | succeeds |\n      | q\\\\r | succeeds |\n")
    path = tmp_path / FEATURE
    path.parent.mkdir(parents=True)
    path.write_text(text)
    v = Verdict(run="r", time=0, nodeid="n", observation="build-x-y", area="build",
                scenario="s <a>", feature=FEATURE, row={"a": "q\\r", "b": "succeeds"},
                host="h", host_build="docker-20.10", compared_with="docker-20.10",
                verdict="changed", status="failed", message="",
                observations=[{"what": "build outcome", "recorded": "succeeds",
                               "observed": 'is rejected with "a|b"', "matched": False,
                               "columns": ["b"]}], scenario_line=6)
    result = record([v], tmp_path, write=True)
    new = path.read_text()
    assert '| q\\\\r | is rejected with "a\\|b" |' in new
    old_lines, new_lines = text.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed and min(changed) >= old_lines.index("    Examples: mine")  # only that table
    assert result.diff.startswith(f"--- a/{FEATURE}")
    assert record([v], tmp_path, write=False).diff == ""  # nothing more to record


def test_record_on_a_host_without_rows_then_the_next_run_reproduces(journal_copy, tmp_path):
    local = (ROOT / "environments" / "local.yaml").read_text()
    newer = local.replace("name: local", "name: newer").replace(
        "build: docker-20.10", "build: docker-test\nbaseline: docker-20.10")
    root, env = journal(journal_copy, tmp_path, hosts={"newer": newer})
    before = (root / FEATURE).read_text()

    proc = run_pytest("features", "--env", "newer", "--record", cwd=root, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = (root / FEATURE).read_text()
    assert after.startswith(before)  # everything that was there stays, byte for byte
    added = after[len(before):]
    assert added.startswith("\n    @docker-test\n    Examples: docker ")
    assert "(recorded " in added and "OS build " in added
    assert "      | C:\\\\\\\\hoge | succeeds | /C:\\hoge   |\n" in added
    first = read_verdicts(run_dirs(root / "reports")[-1] / "verdicts.jsonl")
    assert {v.compared_with for v in first} == {"docker-20.10"}

    proc = run_pytest("features", "--env", "newer", "--record-dry-run", cwd=root, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 diff lines" in proc.stdout and "+++ b/" not in proc.stdout
    second = read_verdicts(run_dirs(root / "reports")[-1] / "verdicts.jsonl")
    assert len(second) == 4
    assert {(v.compared_with, v.verdict) for v in second} == {("docker-test", "reproduced")}
    assert (root / FEATURE).read_text() == after  # the dry run changed nothing
