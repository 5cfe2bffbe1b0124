"""Steps about building images (Dockerfile instructions and the builder's answer)."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when

from labjournal import builds
from labjournal.containers import UserRun
from labjournal.journal import Journal, is_recorded
from labjournal.lab import Bench, BuildResult
from labjournal.outcomes import build_evidence, build_outcome_matches, probe_outcome_matches


@pytest.fixture
def build_context() -> dict[str, bytes]:
    """Files sent with the Dockerfile (none unless a step adds some)."""
    return {}


@given(parsers.parse("a Dockerfile with:"), target_fixture="dockerfile")
def a_dockerfile(docstring: str) -> str:
    """Instructions after ``FROM <the lab host's base image>`` (parser directives may lead)."""
    return docstring


@given(parsers.parse('a file "{name}" in the build context'), target_fixture="build_context")
def a_context_file(build_context: dict[str, bytes], name: str) -> dict[str, bytes]:
    """A small text file the Dockerfile may COPY."""
    return build_context | {name: f"{name}\n".encode()}


@when("the image is built", target_fixture="build")
def the_image_is_built(bench: Bench, dockerfile: str,
                       build_context: dict[str, bytes]) -> BuildResult:
    """Build the Dockerfile on the lab host (network none); a refusal is kept as the result."""
    return bench.build(dockerfile, files=build_context, network="none")


@when("a container of the image is started", target_fixture="user_run")
def a_container_of_the_image(bench: Bench, build: BuildResult) -> UserRun:
    """Start the built image with no user option: who it runs as, or the engine's refusal."""
    return builds.start_container(bench, build)


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


@then(parsers.parse('the image\'s environment variable "{name}" is "{value}"'))
def the_environment_variable(journal: Journal, bench: Bench, build: BuildResult, name: str,
                             value: str) -> None:
    """The image's configured value of ``name`` (``(unset)`` when it has none)."""
    observed = builds.image_env(bench, build).get(name, "(unset)") if build.ok else "(no image)"
    journal.expect(f"environment variable {name}", value, observed,
                   evidence=build_evidence(build))


@then(parsers.re(r"the (?P<probe>path separator|variable) (?P<fate>.+)$"))
def the_probe_line(journal: Journal, bench: Bench, build: BuildResult, dockerfile: str,
                   probe: str, fate: str) -> None:
    """Last instruction: separator ``disappears``/``is kept``; variable ``stays unexpanded``."""
    observed = builds.PROBES[probe](bench, build, dockerfile)
    journal.expect(probe, fate, observed, probe_outcome_matches(fate, observed, build),
                   build_evidence(build))


@then(parsers.re(r"the (?P<feature>escape directive|SHELL instruction) "
                 r"(?P<verdict>takes effect|cannot be used)$"))
def the_feature_verdict(journal: Journal, bench: Bench, build: BuildResult, dockerfile: str,
                        feature: str, verdict: str) -> None:
    """``takes effect`` or ``cannot be used`` (rules: builds.escape_verdict, shell_verdict)."""
    journal.expect(feature, verdict, builds.VERDICTS[feature](bench, build, dockerfile),
                   evidence=build_evidence(build))


@then(parsers.parse('a build step prints "{text}"'))
def a_build_step_prints(journal: Journal, build: BuildResult, text: str) -> None:
    """A line of RUN output in the build log is exactly ``text`` (``-``: nothing recorded)."""
    if is_recorded(text):
        lines = builds.printed_lines(build)
        journal.expect("build step output", text, text if text in lines else "(no such line)",
                       evidence=build_evidence(build))


@then(parsers.re(r'the folder "(?P<folder>.+)" is (?P<presence>.+) in the next build step$'))
def the_folder_in_the_next_step(journal: Journal, bench: Bench, dockerfile: str, folder: str,
                                presence: str) -> None:
    """``present`` or ``gone``: what a next RUN step of the same Dockerfile finds."""
    observed, build = builds.folder_in_next_step(bench, dockerfile, folder)
    journal.expect(f"folder {folder} in the next step", presence, observed,
                   probe_outcome_matches(presence, observed, build), build_evidence(build))


@then(parsers.parse('the default Maven repository of the container\'s user is "{path}"'))
def the_maven_repository(journal: Journal, bench: Bench, build: BuildResult, path: str) -> None:
    """``<user home>\\.m2``: %USERPROFILE% on Windows, $HOME on Linux (Maven's user.home)."""
    observed = builds.maven_repository(bench, build) if build.ok else "(no image)"
    journal.expect("default Maven repository", path, observed, evidence=build_evidence(build))
