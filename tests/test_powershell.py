"""The PowerShell that host-level steps send, checked without a Windows host.

Encoding is checked against vectors produced on Windows; quoting and syntax with the
tree-sitter PowerShell grammar (a parser, not PowerShell itself: what a script does on a
host is not checked here, see docs/windows.md). The grammar rejects one valid form, bare-word
arrays as arguments (``Select-Object Name,Status``): scripts here quote them
(``-Property 'Name','Status'``), which PowerShell reads the same way.
"""

from __future__ import annotations

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Node, Parser

from labjournal import hostfacts, powershell

PARSER = Parser(Language(tree_sitter_powershell.language()))
TRICKY = ["plain", "it's", "''", "$env:TEMP", "`n backtick", 'say "hi"', "%TMP%", "C:\\pcap4j",
          "a;b|c&d", "‘smart’ ‚quotes‛", "ünïcødé ✓", "", "line1\nline2", "$(Remove-Item x)"]


def _parse(script: str) -> Node:
    tree = PARSER.parse(script.encode("utf-8"))
    return tree.root_node


def _errors(node: Node) -> list[str]:
    found = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            found.append(f"{n.type} at {n.start_point}: {n.text[:60]!r}")
        stack.extend(n.children)
    return found


def _strings(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type == "string_literal":
            out.append(n)
            continue
        stack.extend(n.children)
    return out


# -- -EncodedCommand ---------------------------------------------------------------------


@pytest.mark.parametrize(("script", "encoded"), [
    # the example in `powershell.exe -?` (about_PowerShell_exe)
    ('dir "c:\\program files" ',
     "ZABpAHIAIAAiAGMAOgBcAHAAcgBvAGcAcgBhAG0AIABmAGkAbABlAHMAIgAgAA=="),
    # produced on Windows by a .NET tool and run with powershell.exe -encodedcommand
    ("& Get-Date; Write-Output 'Ohai there'",
     "JgAgAEcAZQB0AC0ARABhAHQAZQA7ACAAVwByAGkAdABlAC0ATwB1AHQAcAB1AHQAIAAnAE8AaABhAGkAIAB0AGgAZQ"
     "ByAGUAJwA="),
])
def test_encoded_command_matches_windows(script, encoded):
    assert powershell.encode(script) == encoded
    assert powershell.decode(encoded) == script


@pytest.mark.parametrize("text", TRICKY + ["emoji 🐳 outside the BMP"])
def test_encoding_round_trips_as_utf16le(text):
    encoded = powershell.encode(text)
    assert encoded.isascii()
    raw = __import__("base64").b64decode(encoded)
    assert raw == text.encode("utf-16-le") and len(raw) % 2 == 0
    assert powershell.decode(encoded) == text


def test_command_line_runs_powershell_non_interactively():
    line = powershell.command_line("Get-Service docker")
    words = line.split()
    assert words[:6] == ["powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive",
                         "-ExecutionPolicy", "Bypass"]
    assert words[6] == "-EncodedCommand" and len(words) == 8
    assert powershell.decode(words[7]) == powershell.wrap("Get-Service docker")


def test_command_line_refuses_what_windows_would_truncate():
    fits = "x" * 2000
    assert len(powershell.command_line(f"Write-Output '{fits}'")) <= powershell.MAX_COMMAND_LINE
    with pytest.raises(powershell.ScriptTooLong, match="8191"):
        powershell.command_line("Write-Output '" + "x" * 3000 + "'")


# -- quoting -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", TRICKY)
def test_quote_is_one_verbatim_literal_with_the_exact_value(value):
    quoted = powershell.quote(value)
    root = _parse(f"Write-Output {quoted}")
    assert _errors(root) == []
    [literal] = _strings(root)
    assert literal.text.decode() == quoted
    assert literal.children and literal.children[0].type == "verbatim_string_characters"
    # PowerShell's rule: inside '...', a doubled quote character stands for itself
    inner = quoted[1:-1]
    for q in "'\u2018\u2019\u201a\u201b":
        inner = inner.replace(q * 2, q)
    assert inner == value


def test_naive_quoting_is_caught_by_the_check():
    root = _parse("Write-Output 'it's'")  # what f"'{value}'" would send
    assert _errors(root) or len(_strings(root)) != 1


def test_quote_list_is_an_array_of_literals():
    script = "$names = " + powershell.quote_list(["Containers", "it's"])
    root = _parse(script)
    assert _errors(root) == []
    assert [s.text.decode() for s in sorted(_strings(root), key=lambda n: n.start_byte)] == \
        ["'Containers'", "'it''s'"]


# -- what the host shell actually sends parses -------------------------------------------


@pytest.mark.parametrize("script", [
    "Write-Output 'hello'",
    "exit 3",
    powershell.to_json("Get-Service docker | Select-Object -Property 'Name','Status'"),
    powershell.to_json(hostfacts.WINDOWS_SCRIPT, depth=3),
    f"Get-WindowsFeature -Name {powershell.quote('Containers')}",
])
def test_wrapped_scripts_parse_without_errors(script):
    assert _errors(_parse(powershell.wrap(script))) == []


def test_the_host_checks_powershell_parses():
    """The PowerShell text labjournal/hostchecks.py sends to Windows hosts, if it is there."""
    hostchecks = pytest.importorskip("labjournal.hostchecks")
    scripts = [getattr(hostchecks, "GET_CONTAINER", None)]
    enter = getattr(hostchecks, "ENTER", {})
    scripts += [enter[k][1].format(name=powershell.quote("web-1"), pid=1)
                for k in ("Enter-PSSession", "Invoke-Command") if k in enter]
    scripts = [s for s in scripts if s]
    if not scripts:
        pytest.skip("labjournal.hostchecks defines no PowerShell constants")
    for script in scripts:
        assert _errors(_parse(powershell.wrap(script))) == [], script


def test_a_syntax_error_is_caught_by_the_check():
    assert _errors(_parse(powershell.wrap("if ($x { 'unclosed'")))


# -- results -----------------------------------------------------------------------------


@pytest.mark.parametrize(("stdout", "value"), [
    ('{"Name":"docker","Status":4}\r\n', {"Name": "docker", "Status": 4}),
    ("\ufeff[1,2]\r\n", [1, 2]),
    ("", None),
    ("\r\n", None),
    ("null", None),
    ('"14300"', "14300"),
])
def test_parse_json(stdout, value):
    assert powershell.parse_json(stdout) == value


def test_parse_json_names_what_it_got():
    with pytest.raises(ValueError, match="output began: 'WARNING: the module"):
        powershell.parse_json("WARNING: the module is being reworked\r\n{}")


def test_clixml_error_stream_becomes_text():
    stderr = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/'
              'powershell/2004/04"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.'
              'Management.Automation.PSCustomObject</T></TN><MS><I64 N="SourceId">1</I64>'
              '</MS></Obj><S S="Error">Enter-PSSession : The input ContainerName web does not '
              'exist_x000D__x000A_</S><S S="Error">    + CategoryInfo : InvalidArgument'
              '_x000D__x000A_</S></Objs>')
    text = powershell.clean_stderr(stderr)
    assert text == ("Enter-PSSession : The input ContainerName web does not exist\r\n"
                    "    + CategoryInfo : InvalidArgument")


@pytest.mark.parametrize("stderr", ["plain error\r\n", "#< CLIXML\r\n<Objs><S S=\"Error\">x",
                                    ""])
def test_non_clixml_or_broken_stderr_is_kept(stderr):
    assert powershell.clean_stderr(stderr) == stderr
