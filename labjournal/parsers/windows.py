"""Parsers for what Windows hosts and containers print (the writeup's transcripts).

Each takes the text as captured (CRLF or LF; a leading echoed ``C:\\...>command`` line is
skipped and, where useful, kept as ``command``) and returns frozen dataclasses. Text that
is not the parser's format raises :class:`~labjournal.parsers.common.ParseError`.
"""

from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from labjournal.parsers.common import ParseError, output_lines

# --------------------------------------------------------------------------- ipconfig


@dataclass(frozen=True)
class Adapter:
    """One adapter section of ``ipconfig`` (or ``ipconfig /all``)."""

    kind: str  # "Ethernet adapter", "Tunnel adapter", "Wireless LAN adapter", ...
    name: str  # "vEthernet (Temp Nic Name)"
    dns_suffix: str | None = None  # "" when the line is there but empty
    ipv4: str | None = None
    subnet_mask: str | None = None
    gateway: str | None = None  # the first IPv4 gateway, else the first one listed
    gateways: tuple[str, ...] = ()
    link_local_ipv6: str | None = None
    media_state: str | None = None  # "Media disconnected"
    fields: tuple[tuple[str, str], ...] = ()  # every "key . . . : value" pair, in order

    @property
    def ipv4_interface(self) -> ipaddress.IPv4Interface | None:
        """Address and mask together (``172.23.71.6/12``), when both are shown."""
        if not (self.ipv4 and self.subnet_mask):
            return None
        return ipaddress.IPv4Interface(f"{self.ipv4}/{self.subnet_mask}")


_IPCONFIG_HEADER = "Windows IP Configuration"
_ADAPTER = re.compile(r"^(?P<kind>\S.*? adapter) (?P<name>.+):$")
_KEY_VALUE = re.compile(r"^ {1,9}(?P<key>[A-Za-z][^.:]*?)[ .]*:(?: (?P<value>.*))?$")
_CONTINUATION = re.compile(r"^ {10,}(?P<value>\S.*)$")


def _address(value: str) -> str:
    return re.sub(r"\((?:Preferred|Deprecated|Tentative|Duplicate)\)$", "", value).strip()


def _adapter(kind: str, name: str, pairs: list[tuple[str, str]]) -> Adapter:
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)
    ipv4 = next((first[k] for k in ("IPv4 Address", "Autoconfiguration IPv4 Address",
                                    "IP Address") if k in first), None)
    gateways = tuple(v for k, v in pairs if k == "Default Gateway" and v)
    v4 = [g for g in gateways if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", g)]
    link_local = first.get("Link-local IPv6 Address")
    return Adapter(
        kind=kind, name=name, dns_suffix=first.get("Connection-specific DNS Suffix"),
        ipv4=_address(ipv4) if ipv4 else None, subnet_mask=first.get("Subnet Mask"),
        gateway=(v4 or list(gateways) or [None])[0], gateways=gateways,
        link_local_ipv6=_address(link_local) if link_local else None,
        media_state=first.get("Media State"), fields=tuple(pairs))


def _checked(adapter: Adapter, text: str) -> Adapter:
    for what, value in (("IPv4 Address", adapter.ipv4), ("Subnet Mask", adapter.subnet_mask)):
        try:
            if value is not None:
                ipaddress.IPv4Address(value)
        except ValueError:
            raise ParseError("parse_ipconfig", f"an IPv4 address as {what}", text,
                             detail=f"{adapter.name}: {value!r}") from None
    return adapter


def parse_ipconfig(text: str) -> list[Adapter]:
    """Adapters shown by ``ipconfig``, in order (an empty list: the header and no adapter)."""
    _, lines = output_lines(text)
    body = [ln for ln in lines if ln.strip()]
    if not body or body[0].strip() != _IPCONFIG_HEADER:
        raise ParseError("parse_ipconfig", f"ipconfig output starting '{_IPCONFIG_HEADER}'",
                         text)
    adapters: list[Adapter] = []
    current: tuple[str, str, list[tuple[str, str]]] | None = None
    for line in body[1:]:
        heading = _ADAPTER.match(line)
        if heading:
            if current:
                adapters.append(_checked(_adapter(*current), text))
            current = (heading["kind"], heading["name"], [])
            continue
        kv = _KEY_VALUE.match(line)
        if _CONTINUATION.match(line):  # a further value of the key above (gateways, DNS)
            if current and current[2]:
                current[2].append((current[2][-1][0], line.strip()))
        elif kv:
            if current:  # key/value lines before any adapter (ipconfig /all) are host-wide
                current[2].append((kv["key"].strip(), (kv["value"] or "").strip()))
        else:
            raise ParseError("parse_ipconfig", "adapter headings and 'key . . . : value' lines",
                             text, detail=f"line {line!r}")
    if current:
        adapters.append(_checked(_adapter(*current), text))
    return adapters


# --------------------------------------------------------------- Pcap4J capture sample


@dataclass(frozen=True)
class LogLine:
    """A logback line: ``18:49:00.582 [main] INFO  org.pcap4j.core.Pcaps - No NIF was found.``"""

    time: str
    thread: str
    level: str
    logger: str
    message: str


@dataclass(frozen=True)
class JavaException:
    """An exception as printed by ``printStackTrace``: class, message, ``at ...`` frames."""

    cls: str
    message: str | None
    frames: tuple[str, ...] = ()  # as printed after "at ", tails like "java:44)" kept


@dataclass(frozen=True)
class CaptureRun:
    """Output of Pcap4J's sample (``capture.bat`` running ``GetNextPacketEx``)."""

    command: str | None
    sample: str | None  # "GetNextPacketEx"
    properties: tuple[tuple[str, str], ...]  # ("count", "5"), ("readTimeout", "10"), ...
    log: tuple[LogLine, ...]
    exceptions: tuple[JavaException, ...]
    nifs: tuple[str, ...]  # interfaces NifSelector listed ("NIF[0]: eth0")
    other: tuple[str, ...]  # lines none of the above (packets, prompts, statistics)

    def prop(self, key: str) -> str | None:
        return dict(self.properties).get(key)

    def _int(self, key: str) -> int | None:
        value = self.prop(key)
        return int(value) if value is not None and value.strip().isdigit() else None

    @property
    def count(self) -> int | None:
        return self._int("count")

    @property
    def read_timeout(self) -> int | None:
        return self._int("readTimeout")

    @property
    def snaplen(self) -> int | None:
        return self._int("snaplen")

    @property
    def exception(self) -> JavaException | None:
        return self.exceptions[0] if self.exceptions else None

    @property
    def no_interface(self) -> bool:
        """Pcap4J found no interface to capture on (run-nif-invisible-to-pcap)."""
        return (any(ln.message.strip() == "No NIF was found." for ln in self.log)
                or any(e.message == "No NIF to capture." for e in self.exceptions))


_PROPERTY = re.compile(r"^org\.pcap4j\.sample\.(?P<sample>\w+)\.(?P<key>\w+): (?P<value>.*)$")
_LOG = re.compile(r"^(?P<time>\d{2}:\d{2}:\d{2}[.,]\d{3}) \[(?P<thread>[^\]]*)\] "
                  r"(?P<level>TRACE|DEBUG|INFO|WARN|ERROR)\s+(?P<logger>\S+) - (?P<msg>.*)$")
_EXCEPTION = re.compile(r"^(?:Exception in thread \"[^\"]*\" |Caused by: )?"
                        r"(?P<cls>(?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error))"
                        r"(?:: (?P<msg>.*))?$")
_FRAME = re.compile(r"^\s+(?:at (?P<frame>.+)|\.\.\. \d+ more)$")
_NIF = re.compile(r"^NIF\[(?P<index>\d+)\]: (?P<name>\S+)")


def parse_capture_output(text: str) -> CaptureRun:
    """The sample's properties, log lines, exceptions and listed interfaces."""
    command, lines = output_lines(text)
    sample = None
    props: list[tuple[str, str]] = []
    log: list[LogLine] = []
    exceptions: list[JavaException] = []
    nifs: list[str] = []
    other: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if m := _PROPERTY.match(line):
            sample = sample or m["sample"]
            props.append((m["key"], m["value"].strip()))
        elif m := _LOG.match(line):
            log.append(LogLine(m["time"], m["thread"], m["level"], m["logger"], m["msg"]))
        elif m := _EXCEPTION.match(line):
            exceptions.append(JavaException(m["cls"], m["msg"]))
        elif (m := _FRAME.match(line)) and exceptions:
            if m["frame"]:
                last = exceptions[-1]
                exceptions[-1] = JavaException(last.cls, last.message,
                                               (*last.frames, m["frame"]))
        elif m := _NIF.match(line):
            nifs.append(m["name"])
        else:
            other.append(line)
    if not (props or log or exceptions):
        raise ParseError("parse_capture_output", "Pcap4J sample output "
                         "('org.pcap4j.sample.<Sample>.<key>: value' lines, log lines "
                         "or an exception)", text)
    return CaptureRun(command, sample, tuple(props), tuple(log), tuple(exceptions),
                      tuple(nifs), tuple(other))


# ----------------------------------------------------------------------------- runas


@dataclass(frozen=True)
class RunasResult:
    """What ``runas /user:NAME program`` printed."""

    command: str | None
    user: str | None  # as asked for: "Administrator", "User Manager\Administrator"
    program: str | None
    qualified_user: str | None  # as runas resolved it: "92EC7B3B09B4\Administrator"
    errors: tuple[str, ...]  # the text after each "RUNAS ERROR: "
    error_code: int | None  # Win32 error: 1326
    error_message: str | None  # "The user name or password is incorrect."

    @property
    def failed(self) -> bool:
        return bool(self.errors)


_RUNAS_CMD = re.compile(r'^runas(?:\.exe)?\s.*?/user:(?:"(?P<q>[^"]+)"|(?P<u>\S+))\s+(?P<p>.+)$',
                        re.IGNORECASE)
_PASSWORD = re.compile(r"^Enter the password for (?P<user>.+?):(?P<rest>.*)$")
_ATTEMPT = re.compile(r'^Attempting to start (?P<prog>.+) as user "(?P<user>[^"]+)" \.\.\.$')
_RUNAS_ERROR = re.compile(r"^RUNAS ERROR: (?P<msg>.*)$")
_WIN32 = re.compile(r"^(?P<code>\d+): (?P<msg>.*)$")


def parse_runas(text: str) -> RunasResult:
    """The user, program, ``RUNAS ERROR`` lines and Win32 error of a runas attempt."""
    command, lines = output_lines(text)
    user = program = qualified = message = None
    code: int | None = None
    errors: list[str] = []
    if command and (m := _RUNAS_CMD.match(command.strip())):
        user, program = m["q"] or m["u"], m["p"].strip()
    seen = False
    pending = [ln.strip() for ln in lines]
    while pending:
        line = pending.pop(0)
        if m := _PASSWORD.match(line):
            user, seen = user or m["user"], True
            if m["rest"].strip():  # no newline after the prompt when stdin is not a console
                pending.insert(0, m["rest"].strip())
        elif m := _ATTEMPT.match(line):
            program, qualified, seen = program or m["prog"], m["user"], True
        elif m := _RUNAS_ERROR.match(line):
            errors.append(m["msg"])
            seen = True
        elif (m := _WIN32.match(line)) and errors and code is None:
            code, message = int(m["code"]), m["msg"]
    if not seen:
        raise ParseError("parse_runas", "runas output ('Enter the password for ...', "
                         "'Attempting to start ...' or 'RUNAS ERROR: ...')", text)
    return RunasResult(command, user, program, qualified, tuple(errors), code, message)


# ------------------------------------------------------------------------ PowerShell


@dataclass(frozen=True)
class PowerShellError:
    """One error record as Windows PowerShell prints it (NormalView)."""

    command: str | None  # "Enter-PSSession" (None for a bare ``throw``)
    message: str
    script: str | None  # None for "At line:1 char:1"; the path for "At C:\x.ps1:3 char:5"
    line: int | None
    char: int | None
    script_line: str | None  # the "+ ..." line quoting the failing code
    category_info: str | None
    category: str | None  # "InvalidOperation"
    target_name: str | None
    target_type: str | None
    activity: str | None  # "Enter-PSSession"
    reason: str | None  # "PSInvalidOperationException"
    fully_qualified_error_id: str | None
    details: tuple[tuple[str, str], ...] = ()  # other "+ Key : value" lines (PSComputerName)

    @property
    def error_id(self) -> str | None:
        """``CreateRemoteRunspaceForContainerFailed`` (the part before the comma)."""
        fq = self.fully_qualified_error_id
        return fq.split(",", 1)[0] if fq else None

    @property
    def error_source(self) -> str | None:
        """``Microsoft.PowerShell.Commands.EnterPSSessionCommand`` (after the comma)."""
        fq = self.fully_qualified_error_id
        return fq.split(",", 1)[1] if fq and "," in fq else None


@dataclass(frozen=True)
class PowerShellOutput:
    """PowerShell output split into streams."""

    command: str | None
    output: tuple[str, ...]  # lines that are none of the below
    warnings: tuple[str, ...]  # the text after "WARNING: "
    verbose: tuple[str, ...]  # the text after "VERBOSE: " / "DEBUG: "
    errors: tuple[PowerShellError, ...]


_STREAM = re.compile(r"^(?P<stream>WARNING|VERBOSE|DEBUG): ?(?P<msg>.*)$")
# "Get-Item : msg", "C:\\x.ps1 : msg" (a script's own error names the script)
_HEADLINE = re.compile(r"^(?P<cmd>\S(?:.*?\S)?) : (?P<msg>.*)$")
_POSITION = re.compile(r"^At (?:line:(?P<line>\d+)|(?P<script>.+):(?P<sline>\d+)) "
                       r"char:(?P<char>\d+)$")
_PLUS = re.compile(r"^\+ (?P<text>.*)$")
_DETAIL = re.compile(r"^\s+\+ (?P<key>\w+)\s*: (?P<value>.*)$")
_CATEGORY = re.compile(r"^(?P<cat>\w+): \((?P<target>.*)\) \[(?P<activity>[^\]]*)\], "
                       r"(?P<reason>.*)$")
_CLIXML_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CLIXML_STREAMS = {"error": "", "warning": "WARNING: ", "verbose": "VERBOSE: ",
                   "debug": "DEBUG: "}


def decode_clixml(text: str) -> str:
    """Turn ``#< CLIXML`` (PowerShell's stderr over WinRM) into the text a console shows."""
    if not text.lstrip().startswith("#< CLIXML"):
        return text
    xml = text.lstrip().split("\n", 1)[1] if "\n" in text.lstrip() else ""
    try:
        root = ET.fromstring(xml.strip())
    except ET.ParseError as exc:
        raise ParseError("decode_clixml", "a CLIXML document after '#< CLIXML'", text,
                         detail=str(exc)) from None
    out = []
    for el in root.iter():
        stream = (el.get("S") or "").lower()
        if el.tag.rsplit("}", 1)[-1] == "S" and stream in _CLIXML_STREAMS:
            value = _CLIXML_CHAR.sub(lambda m: chr(int(m[1], 16)), el.text or "")
            prefix = _CLIXML_STREAMS[stream]
            out.append(prefix + value if prefix and not value.startswith(prefix) else value)
    return "".join(s if s.endswith(("\n", "\r\n")) else s + "\n" for s in out)


def _record_end(lines: list[str], i: int) -> tuple[int, int] | None:
    """If an error record starts at ``lines[i]``: (first non-message line, end); else None."""
    j = i
    while j < len(lines) and j - i < 40 and lines[j].strip() and not (
            _POSITION.match(lines[j]) or _PLUS.match(lines[j]) or _DETAIL.match(lines[j])):
        j += 1
    if j == i or j >= len(lines) or not lines[j].strip():
        return None
    k = j
    while k < len(lines) and (_POSITION.match(lines[k]) or _PLUS.match(lines[k])):
        k += 1
    fqid = False
    while k < len(lines) and (m := _DETAIL.match(lines[k])):
        fqid = fqid or m["key"] == "FullyQualifiedErrorId"
        k += 1
        while (k < len(lines) and lines[k].startswith(" " * 6) and not _DETAIL.match(lines[k])
               and not fqid):  # a wrapped CategoryInfo
            k += 1
    return (j, k) if fqid else None


def _record(message_lines: list[str], rest: list[str]) -> PowerShellError:
    head = _HEADLINE.match(message_lines[0])
    command = head["cmd"] if head else None
    first = head["msg"] if head else message_lines[0]
    message = " ".join([first.strip(), *(ln.strip() for ln in message_lines[1:])]).strip()
    script = script_line = None
    line_no = char = None
    details: list[tuple[str, str]] = []
    for ln in rest:
        if m := _POSITION.match(ln):
            script, char = m["script"], int(m["char"])
            line_no = int(m["line"] or m["sline"])
        elif (m := _PLUS.match(ln)) and script_line is None and not set(m["text"]) <= {"~", " "}:
            script_line = m["text"]
        elif m := _DETAIL.match(ln):
            details.append((m["key"], m["value"].strip()))
        elif ln.startswith(" " * 6) and details:  # wrapped value
            details[-1] = (details[-1][0], details[-1][1] + " " + ln.strip())
    info = dict(details)
    cat = info.get("CategoryInfo")
    cm = _CATEGORY.match(cat) if cat else None
    target_name = target_type = None
    if cm:
        name, sep, kind = cm["target"].rpartition(":")
        target_name, target_type = (name, kind) if sep else (cm["target"], None)
    return PowerShellError(
        command=command, message=message, script=script, line=line_no, char=char,
        script_line=script_line, category_info=cat,
        category=cm["cat"] if cm else None, target_name=target_name, target_type=target_type,
        activity=cm["activity"] if cm else None, reason=cm["reason"] if cm else None,
        fully_qualified_error_id=info.get("FullyQualifiedErrorId"),
        details=tuple((k, v) for k, v in details
                      if k not in ("CategoryInfo", "FullyQualifiedErrorId")))


def parse_powershell_output(text: str) -> PowerShellOutput:
    """Split PowerShell output (console text or CLIXML) into output, warnings and errors."""
    command, lines = output_lines(decode_clixml(text))
    output: list[str] = []
    warnings: list[str] = []
    verbose: list[str] = []
    errors: list[PowerShellError] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if m := _STREAM.match(line):
            (warnings if m["stream"] == "WARNING" else verbose).append(m["msg"])
            i += 1
            continue
        bounds = _record_end(lines, i) if line.strip() else None
        if bounds is None:
            if line.strip():
                output.append(line)
            i += 1
            continue
        j, k = bounds
        start = max((n for n in range(i, j) if _HEADLINE.match(lines[n])), default=i)
        output.extend(ln for ln in lines[i:start] if ln.strip())
        errors.append(_record(lines[start:j], lines[j:k]))
        i = k
    return PowerShellOutput(command, tuple(output), tuple(warnings), tuple(verbose),
                            tuple(errors))


def parse_powershell_errors(text: str) -> list[PowerShellError]:
    """Every error record in the output (an empty list when there is none)."""
    return list(parse_powershell_output(text).errors)


def parse_powershell_error(text: str) -> PowerShellError:
    """The first error record; text with no error record is a ParseError."""
    errors = parse_powershell_errors(text)
    if not errors:
        raise ParseError("parse_powershell_error", "a PowerShell error record ('Cmdlet : "
                         "message', 'At line:N char:M', '+ CategoryInfo', "
                         "'+ FullyQualifiedErrorId')", text)
    return errors[0]


def parse_powershell_warnings(text: str) -> list[str]:
    """The messages of ``WARNING:`` lines (an empty list when there is none)."""
    return list(parse_powershell_output(text).warnings)


# ---------------------------------------------------------------------- docker build


@dataclass(frozen=True)
class BuildError:
    """A ``docker build`` failure, classified.

    ``kind``: ``unsupported-instruction`` (the daemon refuses an instruction it knows),
    ``unknown-instruction`` (the Dockerfile parser does not know it), ``layer-import``
    (hcsshim::ImportLayer failed), ``hcsshim`` (another hcsshim call failed), ``step-failed``
    (a RUN step exited non-zero) or ``other``.
    """

    kind: str
    message: str  # the error, unescaped, without "Error response from daemon: "
    messages: tuple[str, ...] = ()  # every error line, unescaped, in order
    instruction: str | None = None  # "user"
    operation: str | None = None  # "ImportLayer"
    win32_message: str | None = None  # "The filename or extension is too long."
    win32_code: int | None = None  # 0xce
    layer_id: str | None = None
    folder: str | None = None
    command: str | None = None  # the RUN command that failed
    exit_code: int | None = None  # of that command, or of the re-exec'd process
    log_time: str | None = None
    log_level: str | None = None
    details: tuple[tuple[str, str], ...] = ()  # key=value pairs after the hcsshim message


_DAEMON_PREFIX = re.compile(r"^(?:Error response from daemon: |ERROR: |Error: )")
_REEXEC = re.compile(r"^re-exec error: exit status (?P<status>\d+): output: (?P<rest>.*)$")
_LOGRUS = re.compile(r'^time="(?P<time>[^"]*)" level=(?P<level>\w+) '
                     r'msg="(?P<msg>(?:[^"\\]|\\.)*)"')
_UNSUPPORTED = re.compile(r"does not support the command '(?P<instr>[^']+)'")
_UNKNOWN = re.compile(r"unknown instruction: (?P<instr>\S+)", re.IGNORECASE)
_HCSSHIM = re.compile(r"hcsshim::(?P<op>\w+) failed in Win32: (?P<msg>.*?) "
                      r"\((?P<code>0x[0-9A-Fa-f]+)\)(?P<rest>.*)$")
_STEP = re.compile(r"The command '(?P<cmd>.*)' returned a non-zero code: (?P<code>\d+)"
                   r"|process \"(?P<cmd2>.*)\" did not complete successfully: "
                   r"exit code: (?P<code2>\d+)")
_ERRORISH = re.compile(r"error|fail|not support|denied|unable|cannot|invalid", re.IGNORECASE)
_GO_ESCAPE = re.compile(r"\\(.)")


def _unquote(msg: str) -> str:
    """Undo Go's %q escaping in a logrus msg="..." field (``\\\\`` -> ``\\``)."""
    return _GO_ESCAPE.sub(lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), msg)


def parse_build_error(text: str) -> BuildError:
    """Classify a docker build error and pull out its parts."""
    _, lines = output_lines(text)
    messages: list[str] = []
    status = time_ = level = None
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        line = _DAEMON_PREFIX.sub("", line)
        if m := _REEXEC.match(line):
            status = status if status is not None else int(m["status"])
            line = m["rest"]
        if m := _LOGRUS.match(line):
            time_, level = time_ or m["time"], level or m["level"]
            line = _unquote(m["msg"])
        messages.append(line)
    base = dict(messages=tuple(messages), log_time=time_, log_level=level, exit_code=status)
    for msg in messages:
        if m := _UNSUPPORTED.search(msg):
            return BuildError("unsupported-instruction", msg, instruction=m["instr"].lower(),
                              **base)
        if m := _UNKNOWN.search(msg):
            return BuildError("unknown-instruction", msg, instruction=m["instr"].lower(),
                              **base)
        if m := _HCSSHIM.search(msg):
            details = tuple(re.findall(r"(\w+)=(\S+)", m["rest"]))
            info = dict(details)
            kind = "layer-import" if m["op"] == "ImportLayer" else "hcsshim"
            return BuildError(kind, msg, operation=m["op"], win32_message=m["msg"],
                              win32_code=int(m["code"], 16), layer_id=info.get("layerId"),
                              folder=info.get("folder"), details=details, **base)
        if m := _STEP.search(msg):
            base["exit_code"] = int(m["code"] or m["code2"])
            return BuildError("step-failed", msg, command=m["cmd"] or m["cmd2"], **base)
    for msg in messages:
        if _ERRORISH.search(msg):
            return BuildError("other", msg, **base)
    raise ParseError("parse_build_error", "a docker build error message", text)


# ------------------------------------------------------------------ docker CLI tables


@dataclass(frozen=True)
class DockerTable:
    """A ``docker images`` / ``docker ps`` table: column names and one dict per row."""

    command: str | None
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def column(self, name: str) -> list[str]:
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; the table has {', '.join(self.columns)}")
        return [row[name] for row in self.rows]


_COLUMN = re.compile(r"\S+(?: \S+)*")
_COLUMN_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?: [A-Z][A-Z0-9]*)*$")


def parse_docker_table(text: str) -> DockerTable:
    """Rows of a docker CLI table; columns are placed where the header puts them."""
    command, lines = output_lines(text)
    body = [ln for ln in lines if ln.strip()]
    header = body[0] if body else ""
    cols = list(_COLUMN.finditer(header))
    if len(cols) < 2 or not all(_COLUMN_NAME.match(c.group()) for c in cols):
        raise ParseError("parse_docker_table", "a docker table header in capitals "
                         "('REPOSITORY   TAG   IMAGE ID ...')", text)
    names = tuple(c.group() for c in cols)
    starts = [c.start() for c in cols]
    rows = []
    for line in body[1:]:
        if any(s < len(line) and line[s - 1] != " " for s in starts[1:]) or line[0] == " ":
            raise ParseError("parse_docker_table", "rows aligned under the header's columns",
                             text, detail=f"row {line!r}")
        ends = [*starts[1:], None]
        rows.append({n: line[s:e].strip() for n, s, e in zip(names, starts, ends, strict=True)})
    return DockerTable(command, names, tuple(rows))


@dataclass(frozen=True)
class DockerVersion:
    """``Docker version 1.12.0-dev, build 8e92415``."""

    version: str
    build: str
    major: int
    minor: int
    patch: int
    prerelease: str | None  # "dev", "ce", "rc1"

    @property
    def release(self) -> tuple[int, int, int]:
        return self.major, self.minor, self.patch


_DOCKER_VERSION = re.compile(r"^Docker version (?P<version>(?P<maj>\d+)\.(?P<min>\d+)\."
                             r"(?P<pat>\d+)(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?)"
                             r", build (?P<build>[0-9A-Za-z]+)$")


def parse_docker_version(text: str) -> DockerVersion:
    """The version and build of ``docker -v`` / ``docker --version``."""
    _, lines = output_lines(text)
    body = [ln.strip() for ln in lines if ln.strip()]
    m = _DOCKER_VERSION.match(body[0]) if len(body) == 1 else None
    if not m:
        raise ParseError("parse_docker_version",
                         "one line 'Docker version X.Y.Z[-pre], build HASH'", text)
    return DockerVersion(m["version"], m["build"], int(m["maj"]), int(m["min"]), int(m["pat"]),
                         m["pre"])
