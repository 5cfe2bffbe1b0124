"""A second, real dockerd for the tests: ``--tlsverify`` on 127.0.0.1, beside the main one.

It has its own --data-root, --exec-root and --pidfile, a bridge of its own and no iptables
rules, so it touches nothing of the machine's engine (``--bridge=none`` would: dockerd then
deletes the host's docker0); :meth:`TLSDockerd.stop` ends it (and the containerd it
started), removes its folders and its bridge.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.certs import Authority, Pair

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _own_bridge(port: int) -> str:
    """A bridge of the test's own (address in a range docker0 does not use)."""
    name = f"ljtls{port % 10000}"
    subprocess.run(["ip", "link", "del", name], capture_output=True)
    subprocess.run(["ip", "link", "add", "name", name, "type", "bridge"], check=True)
    subprocess.run(["ip", "addr", "add", "172.31.254.1/24", "dev", name], check=True)
    return name


@dataclass
class TLSDockerd:
    """A running dockerd with TLS client verification; client material in ``client``."""

    url: str
    ca: Authority
    client: Pair
    root: Path
    process: subprocess.Popen

    @classmethod
    def start(cls, ca: Authority) -> TLSDockerd:
        """Start it and wait until a verified TLS handshake and ``/_ping`` succeed."""
        # exec-root holds containerd's socket: keep the path short (108-byte socket limit)
        root = Path(tempfile.mkdtemp(prefix="ljtls-", dir="/tmp"))
        server = ca.issue("dockerd", server=True)
        client = ca.issue("client", server=False)
        port = free_port()
        url = f"tcp://127.0.0.1:{port}"
        log = (root / "dockerd.log").open("wb")
        cmd = ["dockerd", "--tlsverify", f"--tlscacert={ca.pem}", f"--tlscert={server.cert}",
               f"--tlskey={server.key}", "-H", url, f"--data-root={root / 'data'}",
               f"--exec-root={root / 'x'}", f"--pidfile={root / 'dockerd.pid'}",
               # Not --bridge=none: a dockerd started so deletes the host's docker0
               # (moby removeDefaultBridgeInterface) and breaks the main engine.
               f"--bridge={_own_bridge(port)}", "--iptables=false", "--ip-masq=false",
               "--storage-driver=vfs", "--containerd-namespace=ljtls",
               "--containerd-plugins-namespace=ljtls-plugins"]
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        daemon = cls(url, ca, client, root, process)
        try:
            daemon._wait_ready(port)
        except BaseException:
            daemon.stop()
            raise
        return daemon

    def _wait_ready(self, port: int) -> None:
        ctx = ssl.create_default_context(cafile=str(self.ca.pem))
        ctx.load_cert_chain(str(self.client.cert), str(self.client.key))
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dockerd exited {self.process.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as raw, \
                        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    tls.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
                    if b"200 OK" in tls.recv(1024):
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"dockerd did not answer within {START_TIMEOUT:g} s:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "dockerd.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to the whole process group; then remove the folders."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # containerd started by this dockerd (same process group), if it outlived it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        subprocess.run(["umount", "-R", "-l", str(self.root / "data")], capture_output=True,
                       check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        port = int(self.url.rsplit(":", 1)[1])
        subprocess.run(["ip", "link", "del", f"ljtls{port % 10000}"], capture_output=True,
                       check=False)
