"""Steps about building images (Dockerfile instructions and the builder's answer)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from labjournal.journal import Journal, is_recorded
from labjournal.lab import Bench, BuildResult
from labjournal.outcomes import build_evidence, build_outcome_matches


@given(parsers.parse("a Dockerfile with:"), target_fixture="dockerfile")
def a_dockerfile(docstring: str) -> str:
    """Instructions after ``FROM <the lab host's base image>`` (parser directives may lead)."""
    return docstring


@when("the image is built", target_fixture="build")
def the_image_is_built(bench: Bench, dockerfile: str) -> BuildResult:
    """Build the Dockerfile on the lab host; a refusal is kept as the result."""
    return bench.build(dockerfile)


@then(parsers.re(r'the build (?P<outcome>succeeds|is rejected(?: with ".*")?)$'))
def the_build_outcome(journal: Journal, build: BuildResult, outcome: str) -> None:
    """``succeeds``, ``is rejected`` or ``is rejected with "<text in the error>"``."""
    journal.expect("build outcome", outcome, build.outcome,
                   build_outcome_matches(outcome, build), build_evidence(build))


@then(parsers.parse('the image\'s working directory is "{workdir}"'))
def the_working_directory(journal: Journal, bench: Bench, build: BuildResult,
                          workdir: str) -> None:
    """The image's configured WORKDIR (``-`` when the row records none)."""
    if not is_recorded(workdir):
        return
    observed = bench.inspect_image(build.image)["Config"].get("WorkingDir", "") \
        if build.ok else "(no image)"
    journal.expect("working directory", workdir, observed, evidence=build_evidence(build))
