"""Steps about layer commits: how long a build step's commit takes, what paths it keeps."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from labjournal import layers
from labjournal.journal import Journal, is_recorded
from labjournal.lab import Bench, BuildResult, LabHost
from labjournal.layers import CommitTimes
from labjournal.outcomes import build_evidence


@when(parsers.parse("build steps changing {few} and {many} files are timed"),
      target_fixture="commit_times")
def build_steps_are_timed(bench: Bench, few: str, many: str) -> CommitTimes:
    """Time a step changing ``few`` files and one changing ``many`` (warm-up, median of 5)."""
    return layers.time_commits(bench, few, many)


@then(parsers.re(r'^the step changing (?P<which>few|many) files takes "(?P<bound>[^"]*)"$'))
def the_step_takes(journal: Journal, commit_times: CommitTimes, which: str,
                   bound: str) -> None:
    """The median against a bound (``< 5 s``); words or ``-`` are reported, not compared."""
    timing = commit_times.timing(which)
    journal.expect(f"time of a step changing {which} files", bound, timing.describe(),
                   layers.seconds_match(bound, timing.median),
                   {"layer commit times": commit_times.describe()})


@then(parsers.re(r'^the step changing many files takes "(?P<bound>[^"]*)" times as long '
                 r"as the one changing few$"))
def the_ratio(journal: Journal, commit_times: CommitTimes, bound: str) -> None:
    """The ratio of the medians against a bound (``> 1.5``); words or ``-``: not compared."""
    journal.expect("many-files over few-files step time", bound, f"{commit_times.ratio:.2f}",
                   layers.ratio_match(bound, commit_times.ratio),
                   {"layer commit times": commit_times.describe()})


@given(parsers.re(r"^a container host (?P<state>as set up here|as installed|after .+)$"))
def a_container_host(lab_host: LabHost, state: str) -> None:
    """``as set up here``; a row naming another host state is skipped (not knowable)."""
    layers.require_host_state(lab_host, state)


@when(parsers.parse("a build step writes a file at a path of {path_bytes} bytes, "
                    "its name {name_bytes} bytes"), target_fixture="build")
def a_build_step_writes_a_long_path(bench: Bench, path_bytes: str,
                                    name_bytes: str) -> BuildResult:
    """One RUN step writes the file (one directory at a time); the next step reads it."""
    return layers.long_path_build(bench, path_bytes, name_bytes)


@then(parsers.re(r"^the next build step (?P<finding>finds the file|finds no file|-)$"))
def the_next_step_finds(journal: Journal, build: BuildResult, finding: str) -> None:
    """Whether the step after the commit finds the file (``-``: not recorded)."""
    if is_recorded(finding):
        journal.expect("what the next build step finds", finding,
                       layers.next_step_finding(build), evidence=build_evidence(build))
