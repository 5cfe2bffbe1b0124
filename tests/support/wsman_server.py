"""A small WS-Management endpoint on loopback, enough of the WinRS shell protocol for pywinrm.

It answers Create, Command, Receive, Signal and Delete (MS-WSMV), with Basic authentication
over HTTPS or NTLM over plain HTTP with WinRM message encryption (pyspnego as the NTLM
acceptor). It does not run PowerShell: it decodes the ``-EncodedCommand`` argument the
client sent (base64 of UTF-16LE, as powershell.exe would), records it, and answers with the
:class:`Behaviour` the test's handler picks for it: output in many Receive responses, an
exit code, a command that runs for a while (WS-Man OperationTimeout faults meanwhile), or
a server that stops answering.
"""

from __future__ import annotations

import base64
import os
import re
import ssl
import struct
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
}
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
TIMED_OUT = 2150858793  # WS-Man fault: OperationTimeout elapsed (the client retries)
BOUNDARY = b"--Encrypted Boundary"
SPNEGO_ENCRYPTED = b"application/HTTP-SPNEGO-session-encrypted"
ENCODED_FLAGS = ("-encodedcommand", "-enc", "-ec", "-e")


@dataclass
class Behaviour:
    """What the "host" does for one command."""

    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0
    chunk: int = 96 * 1024  # stdout bytes per Receive response (Windows caps envelopes)
    runs_for: float = 0.0  # seconds before the command ends
    stall: float = 0.0  # seconds the server holds a Receive without answering


@dataclass
class Invocation:
    """One Command request: the command line and the decoded PowerShell (if any)."""

    command_line: str
    script: str | None
    error: str | None = None


@dataclass
class _Command:
    behaviour: Behaviour
    started: float
    offset: int = 0
    stalled: bool = False


@dataclass
class Stats:
    """What the server saw, for assertions."""

    receives: int = 0
    signals: int = 0
    deletes: int = 0
    creates: int = 0
    encrypted_requests: int = 0
    plain_requests: int = 0
    auth_failures: int = 0
    wire: bytearray = field(default_factory=bytearray)  # request bodies as received


Handler = Callable[[Invocation], Behaviour]


def decode_command_line(line: str) -> Invocation:
    """Find ``-EncodedCommand`` (or an accepted abbreviation) and decode it as powershell.exe."""
    tokens = line.split()
    for i, tok in enumerate(tokens[:-1]):
        if tok.lower() in ENCODED_FLAGS:
            try:
                raw = base64.b64decode(tokens[i + 1], validate=True)
                return Invocation(line, raw.decode("utf-16-le", errors="strict"))
            except (ValueError, UnicodeDecodeError) as exc:
                return Invocation(line, None, f"cannot decode -EncodedCommand: {exc}")
    return Invocation(line, None, "no -EncodedCommand argument")


class WSManServer:
    """Serve WS-Man on 127.0.0.1 until :meth:`stop`; ``handler`` picks each command's behaviour."""

    def __init__(self, handler: Handler, *, username: str, password: str,
                 auth: str = "basic", tls: tuple[Path, Path] | None = None) -> None:
        if auth == "basic" and tls is None:
            raise ValueError("basic auth only over https")
        self.handler = handler
        self.username = username
        self.password = password
        self.auth = auth
        self.tls = tls
        self.invocations: list[Invocation] = []
        self.stats = Stats()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.commands: dict[str, _Command] = {}
        self.shells: set[str] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._user_file: Path | None = None
        self._previous_user_file: str | None = None
        self.binding_override: bytes | None = None  # act as a TLS-terminating middlebox

    @property
    def url(self) -> str:
        assert self._httpd is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}/wsman"

    def __enter__(self) -> WSManServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.auth == "ntlm":  # pyspnego's NTLM acceptor reads users from this file
            fd, name = tempfile.mkstemp(prefix="ljntlm-")
            os.write(fd, f":{self.username}:{self.password}\n".encode())
            os.close(fd)
            self._user_file = Path(name)
            self._previous_user_file = os.environ.get("NTLM_USER_FILE")
            os.environ["NTLM_USER_FILE"] = name
        httpd = _QuietServer(("127.0.0.1", 0), _RequestHandler)
        httpd.daemon_threads = True
        httpd.app = self  # type: ignore[attr-defined]
        httpd.ssl_ctx = None  # type: ignore[attr-defined]
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            httpd.ssl_ctx = ctx  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._user_file is not None:  # servers nest: give back the outer one's file
            if self._previous_user_file is None:
                os.environ.pop("NTLM_USER_FILE", None)
            else:
                os.environ["NTLM_USER_FILE"] = self._previous_user_file
            self._user_file.unlink(missing_ok=True)

    # -- SOAP --------------------------------------------------------------------------

    def dispatch(self, body: bytes) -> tuple[int, bytes | None]:
        """Answer one SOAP request: (HTTP status, envelope), or (0, None) to drop it."""
        if not body:
            return 200, b""  # pywinrm's empty POST that sets up message encryption
        root = ET.fromstring(body)
        action = root.findtext("s:Header/a:Action", "", NS).rsplit("/", 1)[-1]
        relates = root.findtext("s:Header/a:MessageID", "", NS)
        shell_id = next((s.text for s in root.iter(f"{{{NS['w']}}}Selector")
                         if s.get("Name") == "ShellId"), None)
        timeout = _seconds(root.findtext("s:Header/w:OperationTimeout", "PT20S", NS))
        if action == "Create":
            return self._create(relates)
        if shell_id not in self.shells:
            return 500, _fault(relates, 2150858843, "The request for the Windows Remote Shell "
                               "with ShellId is not valid: the shell was not found.")
        if action == "Command":
            return self._command(root, relates)
        if action == "Receive":
            return self._receive(root, relates, timeout)
        if action == "Signal":
            cmd = root.find("s:Body/rsp:Signal", NS)
            with self.lock:
                self.stats.signals += 1
                self.commands.pop(cmd.get("CommandId", "") if cmd is not None else "", None)
            return 200, _envelope(f"{SHELL}/SignalResponse", relates, "<rsp:SignalResponse/>")
        if action == "Delete":
            with self.lock:
                self.stats.deletes += 1
                self.shells.discard(shell_id)
            return 200, _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/"
                                  "DeleteResponse", relates, "")
        return 500, _fault(relates, 2150858817, f"unsupported action {action}")

    def _create(self, relates: str) -> tuple[int, bytes]:
        shell_id = str(uuid.uuid4()).upper()
        with self.lock:
            self.shells.add(shell_id)
            self.stats.creates += 1
        body = (f"<x:ResourceCreated><a:Address>{escape(self.url)}</a:Address>"
                "<a:ReferenceParameters><w:ResourceURI>http://schemas.microsoft.com/wbem/"
                "wsman/1/windows/shell/cmd</w:ResourceURI><w:SelectorSet>"
                f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
                "</a:ReferenceParameters></x:ResourceCreated>")
        return 200, _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse",
                              relates, body)

    def _command(self, root: ET.Element, relates: str) -> tuple[int, bytes]:
        line = root.findtext("s:Body/rsp:CommandLine/rsp:Command", "", NS)
        args = root.findtext("s:Body/rsp:CommandLine/rsp:Arguments", "", NS)
        invocation = decode_command_line(f"{line} {args}".strip())
        with self.lock:
            self.invocations.append(invocation)
        if invocation.error:  # what powershell.exe would do with a bad argument
            behaviour = Behaviour(stderr=invocation.error.encode(), exit_code=1)
        else:
            behaviour = self.handler(invocation)
        command_id = str(uuid.uuid4()).upper()
        with self.lock:
            self.commands[command_id] = _Command(behaviour, time.monotonic())
        return 200, _envelope(f"{SHELL}/CommandResponse", relates,
                              f"<rsp:CommandResponse><rsp:CommandId>{command_id}"
                              "</rsp:CommandId></rsp:CommandResponse>")

    def _receive(self, root: ET.Element, relates: str, timeout: float) -> tuple[int, bytes | None]:
        stream = root.find("s:Body/rsp:Receive/rsp:DesiredStream", NS)
        command_id = stream.get("CommandId", "") if stream is not None else ""
        with self.lock:
            self.stats.receives += 1
            cmd = self.commands.get(command_id)
        if cmd is None:
            return 500, _fault(relates, 2150858843, "unknown command")
        b = cmd.behaviour
        if b.stall and not cmd.stalled:
            cmd.stalled = True
            self.stopping.wait(b.stall)
            return 0, None  # hang up without an answer
        left = b.runs_for - (time.monotonic() - cmd.started)
        if left > 0 and (self.stopping.wait(min(left, timeout)) or left > timeout):
            return 500, _fault(relates, TIMED_OUT, "The WS-Management service cannot "
                               "complete the operation within the time specified in "
                               "OperationTimeout.")
        piece = b.stdout[cmd.offset:cmd.offset + b.chunk]
        cmd.offset += len(piece)
        done = cmd.offset >= len(b.stdout)
        parts = []
        if piece:
            parts.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}">'
                         f"{base64.b64encode(piece).decode()}</rsp:Stream>")
        if done and b.stderr:
            parts.append(f'<rsp:Stream Name="stderr" CommandId="{command_id}">'
                         f"{base64.b64encode(b.stderr).decode()}</rsp:Stream>")
        if done:
            parts.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"/>')
            parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{SHELL}/'
                         f'CommandState/Done"><rsp:ExitCode>{b.exit_code}</rsp:ExitCode>'
                         "</rsp:CommandState>")
        else:
            parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{SHELL}/'
                         'CommandState/Running"/>')
        return 200, _envelope(f"{SHELL}/ReceiveResponse", relates,
                              f"<rsp:ReceiveResponse>{''.join(parts)}</rsp:ReceiveResponse>")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up or spoke plain HTTP to the TLS port: nothing to report


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def setup(self) -> None:
        ctx = self.server.ssl_ctx  # type: ignore[attr-defined]
        self.request.settimeout(30)
        if ctx is not None:
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()
        self.ntlm = None  # per connection: NTLM authenticates the TCP connection
        self.authenticated = False

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    @property
    def app(self) -> WSManServer:
        return self.server.app  # type: ignore[attr-defined]

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ssl.SSLError, ConnectionError, TimeoutError):
            self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        app = self.app
        if not self._authenticate():
            return
        encrypted = "multipart/encrypted" in self.headers.get("Content-Type", "")
        with app.lock:
            if len(app.stats.wire) < 8 << 20:
                app.stats.wire.extend(body)
            if body:
                if encrypted:
                    app.stats.encrypted_requests += 1
                else:
                    app.stats.plain_requests += 1
        if app.auth == "ntlm" and not app.tls and body and not encrypted:
            self._reply(400, b"unencrypted WinRM message refused (AllowUnencrypted=false)")
            return
        if encrypted:
            body = self._unseal(body)
        status, envelope = app.dispatch(body)
        if envelope is None:
            self.close_connection = True
            return
        if encrypted and envelope:
            self._reply(status, self._seal(envelope), 'multipart/encrypted;protocol="'
                        'application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted '
                        'Boundary"')
        else:
            self._reply(status, envelope)

    def _authenticate(self) -> bool:
        app = self.app
        header = self.headers.get("Authorization", "")
        if app.auth == "basic":
            # requests (pywinrm's client) sends Basic credentials as latin-1
            expected = base64.b64encode(f"{app.username}:{app.password}".encode("latin-1")
                                        ).decode()
            if header == f"Basic {expected}":
                return True
            if header:
                app.stats.auth_failures += 1
            self._reply(401, b"", headers={"WWW-Authenticate": 'Basic realm="WSMAN"'})
            return False
        if self.authenticated and not header:
            return True
        scheme, _, token = header.partition(" ")
        if scheme not in ("Negotiate", "NTLM") or not token:
            self._reply(401, b"", headers={"WWW-Authenticate": "Negotiate"})
            return False
        import spnego
        import spnego.exceptions
        if self.ntlm is None:
            self.ntlm = spnego.server(protocol="ntlm", channel_bindings=self._bindings())
        try:
            out = self.ntlm.step(base64.b64decode(token))
        except spnego.exceptions.SpnegoError:
            app.stats.auth_failures += 1
            self.ntlm = None
            self._reply(401, b"", headers={"WWW-Authenticate": "Negotiate"})
            self.close_connection = True
            return False
        if not self.ntlm.complete:
            self._reply(401, b"", headers={
                "WWW-Authenticate": f"{scheme} {base64.b64encode(out or b'').decode()}"})
            return False
        self.authenticated = True
        return True

    def _bindings(self):
        """Over TLS, the channel binding the client must send (tls-server-end-point, RFC 5929)."""
        if not isinstance(self.request, ssl.SSLSocket):
            return None
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from spnego.channel_bindings import GssChannelBindings
        cert = x509.load_pem_x509_certificate(self.app.tls[0].read_bytes())  # type: ignore[index]
        digest = self.app.binding_override or cert.fingerprint(hashes.SHA256())
        return GssChannelBindings(application_data=b"tls-server-end-point:" + digest)

    def _unseal(self, body: bytes) -> bytes:
        parts = [p for p in body.split(BOUNDARY + b"\r\n") if p]
        payload = parts[1]
        if payload.endswith(BOUNDARY + b"--\r\n"):
            payload = payload[:-len(BOUNDARY + b"--\r\n")]
        data = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
        size = struct.unpack("<i", data[:4])[0]
        return self.ntlm.unwrap_winrm(data[4:4 + size], data[4 + size:])

    def _seal(self, message: bytes) -> bytes:
        res = self.ntlm.wrap_winrm(message)
        return (BOUNDARY + b"\r\n\tContent-Type: " + SPNEGO_ENCRYPTED + b"\r\n"
                b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
                + str(len(message)).encode() + b"\r\n" + BOUNDARY + b"\r\n"
                b"\tContent-Type: application/octet-stream\r\n"
                + struct.pack("<i", len(res.header)) + res.header + res.data
                + BOUNDARY + b"--\r\n")

    def _reply(self, status: int, body: bytes, content_type: str = "application/soap+xml;"
               "charset=UTF-8", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


def _seconds(duration: str) -> float:
    m = re.fullmatch(r"PT([\d.]+)S", duration.strip())
    return float(m.group(1)) if m else 20.0


def _envelope(action: str, relates: str, body: str) -> bytes:
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    return (f"<s:Envelope {ns}><s:Header><a:Action>{action}</a:Action>"
            f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
            f"<a:RelatesTo>{escape(relates)}</a:RelatesTo></s:Header>"
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def _fault(relates: str, code: int, text: str) -> bytes:
    body = ('<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut'
            f'</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{escape(text)}'
            '</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com'
            f'/wbem/wsman/1/wsmanfault" Code="{code}" Machine="127.0.0.1"><f:Message>'
            f"{escape(text)}</f:Message></f:WSManFault></s:Detail></s:Fault>")
    return _envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relates, body)
