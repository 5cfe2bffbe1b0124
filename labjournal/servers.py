"""Servers a scenario starts for itself, and build steps that talk to them.

A scenario that observes a build step's network traffic brings its own servers: containers
of the probe image on an ``internal`` network the scenario creates (no route outside), all
carrying the bench's labels, so the scenario's cleanup removes them. Nothing else is ever
contacted: clients reach a server by its address on that network, and the name in the
server's certificate is mapped to that address explicitly (``curl --resolve``, git's
``http.curloptResolve``), never looked up.

The HTTPS server is ``openssl s_server -WWW`` serving files from a folder, with a certificate
signed by a CA made for the scenario; the git server serves one repository over git's
dumb HTTP protocol through the same HTTPS server and over the git protocol (``git daemon``).
"""

from __future__ import annotations

import base64
import contextlib
import io
import ipaddress
import re
import shlex
import tarfile
import time
import uuid
from dataclasses import dataclass, field

import docker.errors
import docker.types

from labjournal.errors import ApparatusFailed, ConfigError, LabTimeout
from labjournal.lab import Bench, BuildResult, CommandResult, first_line

TLS_NAME = "files.labjournal.test"
HTTPS_PORT = 8443
GIT_PORT = 9418
ROOT = "/home/labuser/www"
CA_FILE = "labjournal-ca.pem"
ADDR_MARK = "@@labjournal-address@@"
STEP_TIMEOUT = 60  # seconds a fetch or clone in a build step may take before it counts as failed

# Runs in the server container as labuser: a CA and a server certificate for TLS_NAME.
_CERTIFICATES = f"""set -e
mkdir -p ~/tls {ROOT} && cd ~/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \\
  -subj '/CN=labjournal test CA' -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \\
  -subj '/CN={TLS_NAME}' -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:{TLS_NAME}\\n' > ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \\
  -extfile ext -out server.pem 2>/dev/null
"""
_HTTPS = (f"cd {ROOT} && exec openssl s_server -quiet -WWW -accept {HTTPS_PORT} "
          "-cert ~/tls/server.pem -key ~/tls/server.key")
# A bare repository served as files: loose objects only and every file git's dumb-HTTP
# client asks for present, because s_server answers a missing file with "200" and an error
# text. The smart-HTTP probe (info/refs?service=...) gets the plain info/refs, so git falls
# back to the dumb protocol.
_GIT_REPOSITORY = f"""git init -q ~/work && cd ~/work && cp ~/content/* . && git add -A
git -c user.name=labjournal -c user.email=lab@labjournal.test commit -qm content
git clone -q --bare ~/work {ROOT}/repo.git && cd {ROOT}/repo.git && git update-server-info
: > objects/info/alternates && : > objects/info/http-alternates
cp info/refs 'info/refs?service=git-upload-pack'
git daemon --export-all --base-path={ROOT} --reuseaddr --listen=0.0.0.0 --port={GIT_PORT} \\
  --detach
"""


@dataclass(frozen=True)
class Network:
    """An internal network a scenario created: its name, subnet and the host-side gateway."""

    name: str
    subnet: str
    gateway: str

    def whose(self, addresses: list[str]) -> str:
        """Which network a container with ``addresses`` (IPv4) is on, in the journal's words."""
        net = ipaddress.ip_network(self.subnet, strict=False) if self.subnet else None
        own = [a for a in addresses if net and ipaddress.ip_address(a) in net]
        if any(a != self.gateway for a in own):
            return "the scenario's network"
        if self.gateway in addresses:
            return "the host's network"
        if all(ipaddress.ip_address(a).is_loopback for a in addresses):
            return "no network"
        return "another network"


@dataclass(frozen=True)
class Server:
    """A running server of the scenario's own: where it listens and what it serves."""

    container: str
    network: Network
    address: str
    ca_pem: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def resolve(self) -> str:
        """``name:port:address``, mapping the certificate's name to the server's address."""
        return f"{TLS_NAME}:{HTTPS_PORT}:{self.address}"

    def https_url(self, path: str) -> str:
        return f"https://{TLS_NAME}:{HTTPS_PORT}/{path}"

    def git_url(self, protocol: str, repo: str = "repo.git") -> str:
        """The repository's URL for ``protocol`` (``https`` or ``git``)."""
        if protocol == "https":
            return self.https_url(repo)
        if protocol == "git":
            return f"git://{self.address}:{GIT_PORT}/{repo}"
        raise ConfigError(f"the git server has no protocol '{protocol}'", where="journal row",
                          hint="write https or git")


def create_network(bench: Bench) -> Network:
    """A labelled ``internal`` network (no route outside) for this scenario."""
    client = bench.engine.client
    with bench.engine.calls("creating the scenario's internal network"):
        net = client.networks.create(f"labjournal-{bench.token}-{uuid.uuid4().hex[:6]}",
                                     driver="bridge", internal=True, labels=bench.labels)
        net.reload()
    config = (net.attrs.get("IPAM") or {}).get("Config") or [{}]
    ipv4 = next((c for c in config if ":" not in c.get("Subnet", "")), config[0])
    return Network(net.name, ipv4.get("Subnet", ""), ipv4.get("Gateway", ""))


def _sample() -> dict[str, str]:
    return {"hello.txt": f"labjournal sample {uuid.uuid4().hex}"}


def https_server(bench: Bench, files: dict[str, str] | None = None) -> Server:
    """An HTTPS server on a new internal network, serving ``files`` (name -> text)."""
    bench.host.require_platform("linux", "the scenario's servers run the probe image")
    files = files or _sample()
    return _start(bench, create_network(bench), files, _HTTPS, [HTTPS_PORT])


def git_server(bench: Bench, files: dict[str, str] | None = None) -> Server:
    """A git server on a new internal network: ``repo.git`` holding ``files``, over
    git's dumb HTTP protocol (HTTPS) and over the git protocol."""
    bench.host.require_platform("linux", "the scenario's servers run the probe image")
    files = files or _sample()
    script = _GIT_REPOSITORY + _HTTPS
    return _start(bench, create_network(bench), files, script, [HTTPS_PORT, GIT_PORT],
                  serve=False)


def _start(bench: Bench, network: Network, files: dict[str, str], script: str,
           ports: list[int], serve: bool = True, ready: float = 60) -> Server:
    """Start the server container as labuser (``files`` in ~/content, copied to the served
    folder when ``serve``), wait until ``ports`` listen, read its CA and address.

    The files travel in the environment (a base64 tar): Podman's archive upload breaks
    under load ("passing bulk input to subprocess: write |1: broken pipe")."""
    unpack = 'printf %s "$LABJOURNAL_FILES" | base64 -d | tar -x -C ~\n'
    copy = f"cp ~/content/* {ROOT}/\n" if serve else ""
    command = ["sh", "-c", _CERTIFICATES + unpack + copy + script]
    engine = bench.engine
    options = {"labels": bench.labels, "user": "labuser", "network": network.name,
               "detach": True, "working_dir": "/home/labuser",
               "environment": {"LABJOURNAL_FILES": base64.b64encode(
                   _tar_folder("content", files)).decode()}}
    ulimits = bench.host.env.run_defaults.get("ulimits")
    if ulimits:
        options["ulimits"] = [docker.types.Ulimit(name=k, soft=v[0], hard=v[1])
                              for k, v in ulimits.items()]
    with engine.calls("starting the scenario's server"):
        container = engine.client.containers.create(bench.host.base_image(), command,
                                                    **options)
        container.start()
    deadline = time.monotonic() + ready
    wanted = {str(p) for p in ports}
    while True:
        with engine.calls("checking that the scenario's server listens"):
            container.reload()
            if container.status != "running":
                raise ApparatusFailed("the scenario's server stopped: "
                                    + first_line(container.logs().decode(errors="replace")),
                                    where=engine.where, hint=container.logs().decode()[-500:])
            listening = container.exec_run(["ss", "-Hltn"]).output.decode()
        if wanted <= set(re.findall(r":(\d+)\s", listening)):
            break
        if time.monotonic() > deadline:
            raise LabTimeout(f"the scenario's server did not listen on {sorted(wanted)} "
                             f"within {ready:g} s", where=engine.where,
                             hint=container.logs().decode(errors="replace")[-500:])
        time.sleep(0.2)
    with engine.calls("reading the scenario's server CA and address"):
        ca = container.exec_run(["cat", "/home/labuser/tls/ca.pem"]).output.decode()
        address = container.attrs["NetworkSettings"]["Networks"][network.name]["IPAddress"]
    return Server(container.id, network, address, ca, dict(files))


def _tar_folder(folder: str, files: dict[str, str]) -> bytes:
    """A tar of ``folder`` holding ``files``, owned by labuser (uid 1000)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        entries = {folder + "/": b""} | {f"{folder}/{k}": v.encode() for k, v in files.items()}
        for name, data in entries.items():
            info = tarfile.TarInfo(name.rstrip("/"))
            info.uid = info.gid = 1000
            info.mtime = int(time.time())
            if name.endswith("/"):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            else:
                info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@dataclass(frozen=True)
class StepAttempt:
    """A build step that fetched or cloned from a scenario's server, and what came of it."""

    action: str
    build: BuildResult
    network: str

    @property
    def outcome(self) -> str:
        """``works`` or ``fails`` (the step checks what it received itself)."""
        return "works" if self.build.ok else "fails"

    def matches(self, recorded: str) -> bool:
        """``works``; ``fails``; ``fails with "text"`` (text in the build's error or log)."""
        m = re.fullmatch(r'fails(?: with "(?P<text>.*)")?', recorded)
        if recorded == "works" or not m:
            return recorded == self.outcome
        text = m.group("text")
        return not self.build.ok and (text is None or text in (self.build.error or "")
                                      or text in self.build.log)

    def evidence(self) -> dict[str, str]:
        return {"Dockerfile": self.build.dockerfile, "build log": self.build.log,
                "build step network": self.network}


def _step(bench: Bench, server: Server, action: str, command: str) -> StepAttempt:
    """Build one RUN step on the server's network: report its addresses, then ``command``."""
    dockerfile = (f"COPY {CA_FILE} /tmp/{CA_FILE}\n"
                  f"RUN {{ ip -4 -o addr show || true; }} | sed 's/^/{ADDR_MARK} /'; "
                  f"{command}\n")
    build = bench.build(dockerfile, files={CA_FILE: server.ca_pem.encode()},
                        network=server.network.name)
    addresses = re.findall(rf"{ADDR_MARK} .*?inet (\d+\.\d+\.\d+\.\d+)/", build.log)
    return StepAttempt(action, build, server.network.whose(addresses) if addresses
                       else "(not reported)")


def fetch_in_build(bench: Bench, server: Server, name: str | None = None) -> StepAttempt:
    """A build step fetches ``name`` (the first file) over HTTPS, trusting the scenario's CA,
    and checks what it got."""
    name = name or next(iter(server.files))
    q = shlex.quote
    command = (f"timeout {STEP_TIMEOUT} curl -fsS --cacert /tmp/{CA_FILE} "
               f"--resolve {server.resolve} {q(server.https_url(name))} -o /tmp/fetched && "
               f"test \"$(cat /tmp/fetched)\" = {q(server.files[name])}")
    return _step(bench, server, "fetch over https", command)


def clone_in_build(bench: Bench, server: Server, protocol: str,
                   name: str | None = None) -> StepAttempt:
    """A build step runs ``git clone`` over ``protocol`` and checks the file ``name``."""
    name = name or next(iter(server.files))
    q = shlex.quote
    options = (f"-c http.sslCAInfo=/tmp/{CA_FILE} -c http.curloptResolve={server.resolve} "
               if protocol == "https" else "")
    command = (f"timeout {STEP_TIMEOUT} git {options}clone -q "
               f"{q(server.git_url(protocol))} /tmp/clone && "
               f"test \"$(cat /tmp/clone/{q(name)})\" = {q(server.files[name])}")
    return _step(bench, server, f"clone over {protocol}", command)


def fetch_from_container(bench: Bench, server: Server, name: str | None = None, *,
                         trust: bool = True, timeout: int = STEP_TIMEOUT) -> CommandResult:
    """A container on the server's network fetches ``name`` over HTTPS and prints it,
    trusting the scenario's CA (or, ``trust=False``, only the image's usual CAs)."""
    name = name or next(iter(server.files))
    ca = "--cacert /tmp/ca.pem " if trust else ""
    command = (f"printf '%s' \"$CA\" > /tmp/ca.pem && timeout {timeout} curl -fsS {ca}"
               f"--resolve {server.resolve} {shlex.quote(server.https_url(name))}")
    return bench.run(None, ["sh", "-c", command], user="labuser",
                     network=server.network.name, environment={"CA": server.ca_pem})


def remove(bench: Bench, server: Server) -> None:
    """Remove the server's container and its network now (cleanup would do it later)."""
    client = bench.engine.client
    with bench.engine.calls("removing the scenario's server"):
        with contextlib.suppress(docker.errors.NotFound):
            client.containers.get(server.container).remove(force=True)
        with contextlib.suppress(docker.errors.NotFound):
            client.networks.get(server.network.name).remove()
