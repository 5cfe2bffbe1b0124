"""Timing observations: measured with a warm-up and repeats, compared by a stated tolerance.

The journal never records an exact number for a duration. A row states a bound in words:

* ``> 30 s`` / ``< 2 s``          a one-sided bound on the median
* ``about 5 s``                   the median within ±50 % of 5 s (the default tolerance)
* ``about 5 s ± 2 s`` / ``about 5 s ± 20 %``   with an explicit tolerance
* ``-``                           nothing recorded (the measurement is still reported)
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from labjournal.errors import ConfigError

BOUND = re.compile(
    r"^\s*(?:(?P<op>[<>])\s*(?P<limit>\d+(?:\.\d+)?)\s*s"
    r"|about\s+(?P<centre>\d+(?:\.\d+)?)\s*s(?:\s*±\s*(?P<tol>\d+(?:\.\d+)?)\s*(?P<unit>s|%))?)"
    r"\s*$")


@dataclass(frozen=True)
class Timing:
    """Samples of one measurement (seconds), after the warm-up runs."""

    samples: tuple[float, ...]
    warmup: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.samples), max(self.samples)

    def describe(self) -> str:
        lo, hi = self.spread
        return (f"median {self.median:.2f} s (min {lo:.2f} s, max {hi:.2f} s, "
                f"{len(self.samples)} runs after {self.warmup} warm-up)")

    def in_words(self) -> str:
        """The measurement as a journal bound (what record mode writes)."""
        return f"about {self.median:.2g} s"


def measure(action: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> Timing:
    """Run ``action`` ``warmup`` times unmeasured, then ``repeats`` times measured."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return Timing(tuple(samples), warmup)


def within(bound: str, seconds: float) -> bool:
    """Whether ``seconds`` satisfies the recorded ``bound`` (see the module docstring)."""
    m = BOUND.match(bound)
    if not m:
        raise ConfigError(f"'{bound}' is not a duration bound", where="journal row",
                          hint="write '> 30 s', '< 2 s', 'about 5 s' or 'about 5 s ± 20 %'")
    if m.group("op"):
        limit = float(m.group("limit"))
        return seconds > limit if m.group("op") == ">" else seconds < limit
    centre = float(m.group("centre"))
    tol = float(m.group("tol") or 50)
    margin = centre * tol / 100 if (m.group("unit") or "%") == "%" else tol
    return abs(seconds - centre) <= margin
