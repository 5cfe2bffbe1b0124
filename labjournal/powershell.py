"""PowerShell text for Windows host shells: quoting, encoded commands, JSON results.

Nothing here talks to a host: it builds the exact text the WinRM shell sends and parses
what comes back, so it is checked without a Windows host (tests/test_powershell.py).

* :func:`quote` makes a single-quoted literal (no expansion of ``$``, backtick or ``%``).
* :func:`encode` is what ``-EncodedCommand`` takes: base64 of the UTF-16LE script.
* :func:`wrap` adds the preamble every host script runs under (stop on error, UTF-8 out,
  a failed script exits non-zero with its error on stderr).
* :func:`to_json` / :func:`parse_json` carry values back via ``ConvertTo-Json``.
* :func:`clean_stderr` turns PowerShell's CLIXML error stream into plain text.
"""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

POWERSHELL = "powershell.exe"
FLAGS = ("-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass")
# cmd.exe's limit for one command line; WinRM's Command runs through cmd unless skipped.
MAX_COMMAND_LINE = 8191
# PowerShell treats these as single quotes too (about_Quoting_Rules): double every one.
_SINGLE_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")
_CLIXML = "#< CLIXML"
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


class ScriptTooLong(ValueError):
    """The encoded command would not fit on one Windows command line."""


def quote(value: str) -> str:
    """``value`` as a PowerShell single-quoted string literal, taken verbatim by the host."""
    return "'" + _SINGLE_QUOTES.sub(lambda m: m.group() * 2, value) + "'"


def quote_list(values: list[str]) -> str:
    """A PowerShell array literal of quoted strings: ``@('a','b')``."""
    return "@(" + ",".join(quote(v) for v in values) + ")"


def encode(script: str) -> str:
    """The ``-EncodedCommand`` argument for ``script``: base64 of its UTF-16LE bytes."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def decode(encoded: str) -> str:
    """Inverse of :func:`encode` (what powershell.exe does with the argument)."""
    return base64.b64decode(encoded, validate=True).decode("utf-16-le")


def wrap(script: str) -> str:
    """``script`` under the preamble every host script runs with.

    Errors stop the script; a terminating error is written to stderr as text and the
    process exits 1; a native program's non-zero exit code is passed on; output is UTF-8.
    """
    return "\n".join([
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'",
        "try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } "
        "catch { }",
        "try {",
        script,
        "} catch {",
        "  [Console]::Error.WriteLine(($_ | Out-String).Trim())",
        "  exit 1",
        "}",
        "if ($LASTEXITCODE -is [int] -and $LASTEXITCODE -ne 0) { exit $LASTEXITCODE }",
        "exit 0",
    ])


def command_line(script: str) -> str:
    """The full command line that runs ``script`` (wrapped) with powershell.exe."""
    line = " ".join((POWERSHELL, *FLAGS, "-EncodedCommand", encode(wrap(script))))
    if len(line) > MAX_COMMAND_LINE:
        raise ScriptTooLong(f"the encoded script needs {len(line)} characters on the command "
                            f"line; Windows allows {MAX_COMMAND_LINE}")
    return line


def to_json(script: str, depth: int = 4) -> str:
    """A script printing the output of ``script`` (statements allowed) as compact JSON."""
    return f"ConvertTo-Json -InputObject $(\n{script}\n) -Depth {depth} -Compress"


def parse_json(stdout: str) -> Any:
    """The value a :func:`to_json` script printed; empty output is ``None``.

    Raises ``ValueError`` naming the start of the output when it is not JSON.
    """
    text = stdout.lstrip("\ufeff").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"PowerShell printed no JSON ({exc.msg}); output began: "
                         f"{text[:200]!r}") from None


def clean_stderr(stderr: str) -> str:
    """Plain text from PowerShell's stderr, which is CLIXML when run non-interactively."""
    if not stderr.lstrip().startswith(_CLIXML):
        return stderr
    texts: list[str] = []
    body = stderr.lstrip()[len(_CLIXML):]
    for chunk in re.findall(r"<Objs\b.*?</Objs>", body, flags=re.DOTALL):
        try:
            root = ET.fromstring(chunk)
        except ET.ParseError:
            return stderr
        for node in root.iter():
            if node.tag.rsplit("}", 1)[-1] == "S" and node.get("S") == "Error" and node.text:
                texts.append(_XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), node.text))
    return "".join(texts).strip() if texts else stderr
