"""The compatibility matrix: observations x builds, "does X work on build Y, and since when?".

Each cell holds what the journal records for that build (its Examples rows) and the latest
verdict of the hosts of that build, with the run since which it has been the same, read from
every run's ``verdicts.jsonl`` (oldest first).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from pathlib import Path

from labjournal.verdicts import (
    BROKEN,
    CHANGED,
    NOT_APPLICABLE,
    REPRODUCED,
    Verdict,
    observation_id,
    read_verdicts,
    run_dirs,
)

ORDER = {CHANGED: 0, BROKEN: 1, REPRODUCED: 2, NOT_APPLICABLE: 3}


@dataclass
class Cell:
    """One (observation, build) of the matrix."""

    recorded: list[dict[str, str]] = field(default_factory=list)
    verdict: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    compared_with: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    run: str = ""
    since: str = ""
    streak: int = 0
    messages: list[str] = field(default_factory=list)


def journal_rows(features: Path) -> dict[tuple[str, str], list[dict[str, str]]]:
    """(observation id, build key) -> the rows the journal records, from every feature."""
    from pytest_bdd.parser import FeatureParser
    rows: dict[tuple[str, str], list[dict[str, str]]] = {}
    for path in sorted(features.rglob("*.feature")):
        try:
            feature = FeatureParser(str(path.parent), path.name).parse()
        except Exception:  # a file being edited: the matrix still renders the rest
            continue
        for scenario in feature.scenarios.values():
            obs = observation_id(scenario.tags)
            if obs is None:
                continue
            for examples in scenario.examples:
                for build in examples.tags:
                    rows.setdefault((obs, build), []).extend(examples.as_contexts())
    return rows


def _aggregate(verdicts: list[Verdict]) -> tuple[str, dict[str, int]]:
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    worst = min(counts, key=lambda k: ORDER.get(k, 9)) if counts else ""
    return worst, counts


def build_matrix(reports: Path, features: Path) -> tuple[dict[tuple[str, str], Cell],
                                                         list[str], list[str]]:
    """The cells, the observation ids and the build keys of the matrix."""
    cells: dict[tuple[str, str], Cell] = {}
    for key, rows in journal_rows(features).items():
        cells.setdefault(key, Cell()).recorded = rows
    history: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for run in run_dirs(reports):
        per_key: dict[tuple[str, str], list[Verdict]] = {}
        for v in read_verdicts(run / "verdicts.jsonl"):
            per_key.setdefault((v.observation, v.host_build), []).append(v)
        for key, vs in per_key.items():
            cell = cells.setdefault(key, Cell())
            cell.verdict, cell.counts = _aggregate(vs)
            cell.run = run.name
            cell.compared_with = {v.compared_with for v in vs}
            cell.hosts = {v.host for v in vs}
            cell.messages = sorted({v.message for v in vs if v.message})[:5]
            history.setdefault(key, []).append((run.name, cell.verdict))
    for key, seen in history.items():
        cell = cells[key]
        since, streak = seen[-1][0], 0
        for run, verdict in reversed(seen):
            if verdict != cell.verdict:
                break
            since, streak = run, streak + 1
        cell.since, cell.streak = since, streak
    observations = sorted({k[0] for k in cells})
    builds = sorted({k[1] for k in cells})
    return cells, observations, builds


def _when(run_id: str) -> str:
    try:
        t = time.strptime(run_id.split("-")[0], "%Y%m%dT%H%M%S")
        return time.strftime("%Y-%m-%d %H:%M", t)
    except ValueError:
        return run_id


def _cell_html(cell: Cell | None, build: str) -> str:
    if cell is None:
        return '<td class="none">–</td>'
    parts = []
    if cell.recorded:
        rows = "".join(f"<li>{html.escape(', '.join(f'{k}={v}' for k, v in r.items()))}</li>"
                       for r in cell.recorded)
        parts.append(f"<details><summary>journal: {len(cell.recorded)} row(s)</summary>"
                     f"<ul>{rows}</ul></details>")
    else:
        parts.append('<div class="muted">journal: no rows of its own</div>')
    if cell.verdict:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(cell.counts.items()))
        vs = sorted(cell.compared_with - {build})
        base = f" (vs {html.escape(', '.join(vs))})" if vs else ""
        parts.append(f'<div class="v"><b>{html.escape(cell.verdict)}</b>{base}: '
                     f'{html.escape(counts)} on {html.escape(", ".join(sorted(cell.hosts)))}'
                     f"</div><div class=\"since\">since {_when(cell.since)} "
                     f"({cell.streak} run{'s' if cell.streak != 1 else ''}; "
                     f"latest {html.escape(cell.run)})</div>")
        for m in cell.messages:
            parts.append(f'<div class="msg">{html.escape(m)}</div>')
    else:
        parts.append('<div class="muted">not run</div>')
    css = cell.verdict.replace(" ", "-") if cell.verdict else "notrun"
    return f'<td class="{css}">{"".join(parts)}</td>'


def render_matrix(reports: Path, features: Path) -> str:
    cells, observations, builds = build_matrix(reports, features)
    head = "".join(f"<th>{html.escape(b)}</th>" for b in builds)
    body = []
    for obs in observations:
        tds = "".join(_cell_html(cells.get((obs, b)), b) for b in builds)
        body.append(f'<tr><th class="obs">{html.escape(obs)}</th>{tds}</tr>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>labjournal compatibility matrix</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .4em .6em; vertical-align: top; font-size: 90%; }}
th.obs {{ text-align: left; white-space: nowrap; }}
td.reproduced {{ background: #e6f4ea; }} td.changed {{ background: #fce8e6; }}
td.broken {{ background: #fef7e0; }} td.not-applicable {{ background: #f1f3f4; }}
.muted, .since {{ color: #555; }} .msg {{ font-family: monospace; font-size: 85%; }}
</style></head><body>
<h1>Compatibility matrix</h1>
<p>Does observation X hold on build Y, and since when? Rows: the writeup's observations
(catalogue ids); columns: build keys. Each cell: what the journal records for that build and
the latest verdict of hosts of that build (compared with a baseline's rows when the build
has none of its own), with the run since which it has stayed the same.
Generated {time.strftime("%Y-%m-%d %H:%M:%S %Z")}. <a href="allure/index.html">Allure report</a></p>
<table><tr><th>observation</th>{head}</tr>
{chr(10).join(body)}
</table></body></html>
"""
