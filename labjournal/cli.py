"""The ``labjournal`` command: ``sweep`` leftovers, ``report`` (the site), ``gate`` (nightly)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from labjournal.config import load_environment
from labjournal.engine import Engine
from labjournal.errors import LabError
from labjournal.resources import sweep


def cmd_sweep(args: argparse.Namespace) -> int:
    """Remove resources that ended runs left behind on the named lab hosts."""
    for name in args.env or ["local"]:
        engine = Engine.connect(load_environment(name))
        try:
            removed = sweep(engine, max_age=args.max_age)
        finally:
            engine.close()
        print(f"{name}: removed " + ", ".join(f"{n} {k}" for k, n in removed.items()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write reports/site/: the Allure report with history, the matrix, an index."""
    from labjournal.site import build_site
    result = build_site(Path(args.reports), Path(args.features), keep=args.keep)
    for run in result.generated:
        print(f"allure: generated run {run}")
    if result.removed:
        print(f"pruned Allure results of {len(result.removed)} old run(s) (verdicts kept)")
    print(f"site: {result.site / 'index.html'}")
    return 0


def cmd_gate(args: argparse.Namespace) -> int:
    """Exit 1 when the run has changed rows or broken hosts (recorded behaviour passes)."""
    from labjournal.verdicts import gate, read_verdicts, run_dirs
    reports = Path(args.reports)
    runs = run_dirs(reports)
    if args.run:
        runs = [r for r in runs if r.name == args.run]
    if not runs:
        print(f"labjournal gate: no run with verdicts under {reports / 'runs'}", file=sys.stderr)
        return 2
    run = runs[-1]
    verdicts = read_verdicts(run / "verdicts.jsonl")
    failing = gate(verdicts)
    for v in failing:
        print(f"{v.verdict}: {v.observation} on {v.host} ({v.host_build}, row "
              f"{v.compared_with}): {v.message}")
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(f"gate {'FAILED' if failing else 'passed'}: run {run.name}: {summary}")
    return 1 if failing else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labjournal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sweep", help=cmd_sweep.__doc__)
    p.add_argument("--env", action="append", help="lab host (repeatable; default local)")
    p.add_argument("--max-age", type=float, default=6 * 3600,
                   help="also remove other machines' leftovers older than this (seconds)")
    p.set_defaults(func=cmd_sweep)
    p = sub.add_parser("report", help=cmd_report.__doc__)
    p.add_argument("--reports", default="reports", help="the reports folder (default reports)")
    p.add_argument("--features", default="features", help="the journal's features folder")
    p.add_argument("--keep", type=int, default=30,
                   help="keep the Allure results of this many runs (verdicts are all kept)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("gate", help=cmd_gate.__doc__)
    p.add_argument("--reports", default="reports", help="the reports folder (default reports)")
    p.add_argument("--run", help="the run to judge (default: the newest)")
    p.set_defaults(func=cmd_gate)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LabError as exc:
        print(f"labjournal {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
