import pytest

from labjournal.errors import ConfigError
from labjournal.timing import Timing, measure, within


@pytest.mark.parametrize(("bound", "seconds", "ok"), [
    ("> 30 s", 31, True), ("> 30 s", 29.9, False),
    ("< 2 s", 0.5, True), ("< 2 s", 2.5, False),
    ("about 5 s", 7.4, True), ("about 5 s", 7.6, False), ("about 5 s", 2.4, False),
    ("about 5 s ± 1 s", 5.9, True), ("about 5 s ± 1 s", 6.1, False),
    ("about 10 s ± 10 %", 10.9, True), ("about 10 s ± 10 %", 11.1, False),
])
def test_bounds(bound, seconds, ok):
    assert within(bound, seconds) is ok


def test_an_exact_number_is_not_a_bound():
    with pytest.raises(ConfigError, match="not a duration bound"):
        within("5", 5)


def test_measure_skips_warmup_and_counts_repeats():
    calls = []
    timing = measure(lambda: calls.append(1), repeats=3, warmup=2)
    assert len(calls) == 5
    assert len(timing.samples) == 3 and timing.warmup == 2


def test_median_and_spread():
    t = Timing((3.0, 1.0, 2.0, 10.0, 2.5), warmup=1)
    assert t.median == 2.5
    assert t.spread == (1.0, 10.0)
    assert "median 2.50 s" in t.describe()
    assert within(t.in_words(), t.median)
