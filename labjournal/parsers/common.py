"""What every parser shares: :class:`ParseError`, line splitting, echoed-prompt removal."""

from __future__ import annotations

import re

from labjournal.errors import LabError

# A command line echoed by cmd.exe or PowerShell ("C:\Users\Administrator>docker ps",
# "PS C:\Users\Administrator> docker images"), as the writeup's transcripts start with.
PROMPT = re.compile(r"^(?:PS )?[A-Za-z]:\\[^>\n]*> ?(?P<command>\S.*)$")


class ParseError(LabError, ValueError):
    """Text handed to a parser is not the output it parses.

    A :class:`ValueError` (callers may catch that) and a :class:`LabError` (a step that meets
    one reports ``broken``: the host printed something the journal does not understand).
    """

    def __init__(self, parser: str, expected: str, text: str, *, detail: str = "") -> None:
        self.parser = parser
        self.expected = expected
        self.text = text
        what = f"{parser}: expected {expected}"
        if detail:
            what += f" ({detail})"
        what += f"; the text starts with {snippet(text)}"
        super().__init__(what, where=f"labjournal.parsers.{parser}",
                         hint="check that the command really ran and printed this output "
                         "(see docs/parsers.md for each parser's input)")


def snippet(text: str, limit: int = 120) -> str:
    """The start of ``text``, quoted, for error messages."""
    if not text.strip():
        return "(nothing: the text is empty)"
    head = text[:limit]
    return repr(head) + ("..." if len(text) > limit else "")


def lines_of(text: str) -> list[str]:
    """Lines of ``text`` with CRLF (WinRM, Windows consoles) and trailing blanks removed."""
    return [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def drop_prompt(lines: list[str]) -> tuple[str | None, list[str]]:
    """Remove an echoed ``C:\\...>command`` line before the output; return (command, rest)."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = PROMPT.match(line)
        if m:
            return m["command"], lines[i + 1:]
        return None, lines
    return None, lines


def output_lines(text: str) -> tuple[str | None, list[str]]:
    """Split ``text`` into (echoed command or None, output lines)."""
    if not isinstance(text, str):
        raise TypeError(f"a parser takes the command's output as str, not {type(text).__name__}")
    return drop_prompt(lines_of(text))
