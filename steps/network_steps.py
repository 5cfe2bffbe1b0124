"""Steps about network traffic from build steps to servers of the scenario's own."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from labjournal import servers
from labjournal.journal import Journal, is_recorded
from labjournal.lab import Bench
from labjournal.servers import Server, StepAttempt


@given("an HTTPS server of the scenario's own", target_fixture="server")
def an_https_server(bench: Bench) -> Server:
    """An HTTPS file server (CA made for the scenario) on an internal network it creates."""
    return servers.https_server(bench)


@given("a git server of the scenario's own", target_fixture="server")
def a_git_server(bench: Bench) -> Server:
    """A git server (HTTPS and git protocol) on an internal network the scenario creates."""
    return servers.git_server(bench)


@when("a build step on the server's network fetches a file from it",
      target_fixture="attempt")
def a_build_step_fetches(bench: Bench, server: Server) -> StepAttempt:
    """A RUN step, built on the server's network, fetches a file over HTTPS and checks it."""
    return servers.fetch_in_build(bench, server)


@when(parsers.parse("a build step on the server's network clones the repository over "
                    "{protocol}"), target_fixture="attempt")
def a_build_step_clones(bench: Bench, server: Server, protocol: str) -> StepAttempt:
    """A RUN step runs ``git clone`` over ``https`` or ``git`` and checks the file it got."""
    return servers.clone_in_build(bench, server, protocol)


@then(parsers.re(r'^the (?P<action>fetch|clone) (?P<outcome>works|fails(?: with ".*")?)$'))
def the_attempt_outcome(journal: Journal, attempt: StepAttempt, outcome: str) -> None:
    """``works``, ``fails`` or ``fails with "<text in the build's error or log>"``."""
    journal.expect(f"{attempt.action} in a build step", outcome, attempt.outcome,
                   attempt.matches(outcome), attempt.evidence())


@then(parsers.parse("the build step runs on {network}"))
def the_build_step_network(journal: Journal, attempt: StepAttempt, network: str) -> None:
    """The network the step's addresses are on: the scenario's, the host's, none (``-``)."""
    if is_recorded(network):
        journal.expect("build step network", network, attempt.network,
                       evidence=attempt.evidence())
