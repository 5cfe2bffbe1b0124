"""Generic steps about a command's result (the fixture ``output``: a CommandResult)."""

from __future__ import annotations

from pytest_bdd import parsers, then

from labjournal.containers import output_shows
from labjournal.journal import Journal, is_recorded
from labjournal.lab import CommandResult


def _evidence(output: CommandResult) -> dict[str, str]:
    return {"exit code": str(output.rc), "stdout": output.stdout, "stderr": output.stderr}


@then(parsers.re(r"^the command (?P<outcome>succeeds|fails)$"))
def the_command_outcome(journal: Journal, output: CommandResult, outcome: str) -> None:
    """``succeeds`` (exit code 0) or ``fails``."""
    observed = "succeeds" if output.succeeded else "fails"
    journal.expect("command outcome", outcome, observed, evidence=_evidence(output))


@then(parsers.parse('the output shows "{text}"'))
def the_output_shows(journal: Journal, output: CommandResult, text: str) -> None:
    """``text`` appears in the output (stdout or stderr); ``-``: nothing recorded."""
    if is_recorded(text):
        journal.expect("output", text, (output.stdout + output.stderr).strip(),
                       output_shows(output, text), _evidence(output))
