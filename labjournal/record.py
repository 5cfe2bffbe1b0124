"""Record mode: write what the hosts did into the features, like a snapshot update.

For a host whose build has its own Examples table in a scenario, differing cells of that
table are updated. For a host that ran a baseline's rows, a new Examples table tagged with
the host's build key is added after the scenario's last table, named with provenance (engine,
OS build, date). Everything else in the file stays byte for byte. Cells are written with
Gherkin's escaping (``\\\\`` for a backslash, ``\\|`` for a pipe, ``\\n`` for a newline).
"""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass, field
from pathlib import Path

from labjournal.verdicts import CHANGED, REPRODUCED, Verdict

RECORDABLE = (REPRODUCED, CHANGED)


@dataclass
class Table:
    """One Examples table as it stands in the file (0-based line indexes)."""

    keyword_line: int
    tags: set[str]
    indent: str
    tag_indent: str
    header: int
    row_indent: str
    rows: list[int]
    columns: list[str]
    raw: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class RecordResult:
    diff: str
    notes: list[str]
    changed: list[Path]


def escape_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def unescape_cell(raw: str) -> str:
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append({"n": "\n", "\\": "\\", "|": "|"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def split_row(line: str) -> list[str]:
    """The raw (still escaped, stripped) cells of a table row."""
    body = line.strip()
    cells, cur, i = [], [], 1
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            cur.append(body[i:i + 2])
            i += 2
            continue
        if c == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return cells


def scenario_tables(lines: list[str], scenario_line: int) -> tuple[list[Table], int]:
    """The Examples tables of the scenario starting at 1-based ``scenario_line``, and the
    index of the line after the last table row."""
    tables: list[Table] = []
    end = scenario_line
    i = scenario_line  # 0-based index of the line after the Scenario line
    while i < len(lines):
        text = lines[i].strip()
        if text.startswith(("Scenario", "Rule:", "Feature:", "Example:", "Background:")):
            break
        if text.startswith(("Examples:", "Scenarios:")):
            tags, j = set(), i - 1
            tag_indent = ""
            while j >= 0 and lines[j].strip().startswith("@"):
                tags.update(t.lstrip("@") for t in lines[j].split())
                tag_indent = lines[j][:len(lines[j]) - len(lines[j].lstrip())]
                j -= 1
            indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
            k = i + 1
            while k < len(lines) and not lines[k].strip().startswith("|"):
                k += 1
            header, rows, raw = k, [], {}
            raw[k] = split_row(lines[k]) if k < len(lines) else []
            k += 1
            while k < len(lines) and lines[k].strip().startswith(("|", "#")):
                if lines[k].strip().startswith("|"):
                    rows.append(k)
                    raw[k] = split_row(lines[k])
                k += 1
            columns = [unescape_cell(c) for c in raw.get(header, [])]
            head = lines[header] if header < len(lines) else ""
            tables.append(Table(i, tags, indent, tag_indent or indent, header,
                                head[:len(head) - len(head.lstrip())], rows, columns, raw))
            end = (rows[-1] if rows else header) + 1
            i = k
            continue
        i += 1
    return tables, end


def _row_values(table: Table, line: int) -> dict[str, str]:
    return dict(zip(table.columns, (unescape_cell(c) for c in table.raw[line]), strict=False))


def new_cells(v: Verdict, raw: list[str], columns: list[str], notes: list[str]) -> list[str]:
    """The row's raw cells with every unmatched observation's column set to what was seen."""
    cells = list(raw)
    for obs in v.observations:
        if obs.get("matched"):
            continue
        column = next((c for c in obs.get("columns", []) if c in columns), None)
        if column is None:
            notes.append(f"{v.nodeid}: cannot tell which column {obs['recorded']!r} "
                         f"({obs['what']}) came from; left as it is")
            continue
        cells[columns.index(column)] = escape_cell(obs["observed"])
    return cells


def render_row(indent: str, cells: list[str], widths: list[int]) -> str:
    return indent + "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths,
                                                                    strict=False)) + " |\n"


def provenance(v: Verdict, today: str) -> str:
    f = v.facts
    engine = f"{f.get('product', 'engine')} {f.get('engine_version', '?')}"
    os_name = f.get("os", "?")
    return (f"{engine} on {os_name}, OS build {f.get('os_build', '?')} "
            f"(recorded {today} on {v.host}, run {v.run})")


def plan_file(path: Path, verdicts: list[Verdict], notes: list[str], today: str) -> str:
    """The feature file's new text with the verdicts recorded."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
        trailing_newline = False
    else:
        trailing_newline = True
    replace: dict[int, str] = {}
    insert: dict[int, list[str]] = {}
    by_scenario: dict[int, list[Verdict]] = {}
    for v in verdicts:
        by_scenario.setdefault(v.scenario_line, []).append(v)
    for scenario_line, group in sorted(by_scenario.items()):
        tables, end = scenario_tables(lines, scenario_line)
        for build in dict.fromkeys(v.host_build for v in group):
            runs = [v for v in group if v.host_build == build]
            own = [t for t in tables if build in t.tags]
            if own:
                _update_table(own, runs, replace, notes)
            else:
                block = _new_table(tables, runs, build, notes, today)
                if block:
                    insert.setdefault(end, []).extend(block)
    out: list[str] = []
    for i, line in enumerate(lines):
        out.extend(insert.get(i, []))
        out.append(replace.get(i, line))
    out.extend(insert.get(len(lines), []))
    result = "".join(out)
    return result if trailing_newline else result[:-1]


def _update_table(own: list[Table], runs: list[Verdict], replace: dict[int, str],
                  notes: list[str]) -> None:
    for table in own:
        cells = {r: list(table.raw[r]) for r in table.rows}
        used: set[int] = set()
        for v in runs:
            line = next((r for r in table.rows if r not in used and
                         _row_values(table, r) == v.row), None)
            if line is None:
                continue
            used.add(line)
            if v.verdict in RECORDABLE:
                cells[line] = new_cells(v, table.raw[line], table.columns, notes)
        if all(cells[r] == table.raw[r] for r in table.rows):
            continue
        every = [table.raw[table.header], *cells.values()]
        widths = [max(len(c[i]) for c in every if i < len(c)) for i in range(len(every[0]))]
        replace[table.header] = render_row(table.row_indent, table.raw[table.header], widths)
        for r in table.rows:
            replace[r] = render_row(table.row_indent, cells[r], widths)


def _new_table(tables: list[Table], runs: list[Verdict], build: str, notes: list[str],
               today: str) -> list[str]:
    base = next((t for t in tables if runs[0].compared_with in t.tags), None)
    if base is None:
        notes.append(f"{runs[0].feature}: no {runs[0].compared_with} table to start from")
        return []
    rows: list[list[str]] = []
    used: set[int] = set()
    for r in base.rows:
        v = next((v for v in runs if v.row == _row_values(base, r) and id(v) not in used),
                 None)
        if v is None:
            continue
        used.add(id(v))
        if v.verdict not in RECORDABLE:
            notes.append(f"{v.nodeid}: {v.verdict}, not recorded for {build}")
            continue
        rows.append(new_cells(v, base.raw[r], base.columns, notes))
    if not rows:
        return []
    header = base.raw[base.header]
    every = [header, *rows]
    widths = [max(len(c[i]) for c in every) for i in range(len(header))]
    row_indent = base.row_indent
    return ["\n", f"{base.tag_indent}@{build}\n",
            f"{base.indent}Examples: {provenance(runs[0], today)}\n",
            render_row(row_indent, header, widths),
            *(render_row(row_indent, c, widths) for c in rows)]


def record(verdicts: list[Verdict], root: Path, write: bool = True,
           today: str | None = None) -> RecordResult:
    """Record the run's rows into the features; return the unified diff (and write it)."""
    today = today or time.strftime("%Y-%m-%d")
    notes: list[str] = []
    by_file: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if v.feature and v.scenario_line:
            by_file.setdefault(v.feature, []).append(v)
    diff: list[str] = []
    changed: list[Path] = []
    for rel, group in sorted(by_file.items()):
        path = Path(rel) if Path(rel).is_absolute() else root / rel
        old = path.read_text(encoding="utf-8")
        new = plan_file(path, group, notes, today)
        if new == old:
            continue
        diff.extend(difflib.unified_diff(old.splitlines(keepends=True),
                                         new.splitlines(keepends=True),
                                         f"a/{rel}", f"b/{rel}"))
        changed.append(path)
        if write:
            path.write_text(new, encoding="utf-8")
    return RecordResult("".join(diff), notes, changed)
