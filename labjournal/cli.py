"""The ``labjournal`` command: housekeeping around runs (``sweep``; more in later issues)."""

from __future__ import annotations

import argparse
import logging
import sys

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labjournal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sweep", help=cmd_sweep.__doc__)
    p.add_argument("--env", action="append", help="lab host (repeatable; default local)")
    p.add_argument("--max-age", type=float, default=6 * 3600,
                   help="also remove other machines' leftovers older than this (seconds)")
    p.set_defaults(func=cmd_sweep)
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
