"""Running containers: start time, who a container runs as, the interfaces its OS and its
capture library list, switching user inside it, and long-running containers for host checks.

Each function runs real containers through :class:`~labjournal.lab.Bench` and returns what
the host did in the journal's words, with the raw output kept as evidence. Linux hosts run
the probe image (``ip``, ``tcpdump -D``, ``id``, ``su``); Windows hosts run the writeup's
Pcap4J image (``ipconfig``, ``capture.bat``, ``%USERNAME%``, ``runas``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labjournal.errors import ApparatusFailed, EngineRefused
from labjournal.lab import Bench, CommandResult, first_line
from labjournal.timing import Timing, measure

SEP = "@@labjournal@@"
PCAP4J_IMAGE = "pcap4j"  # the writeup's `docker build -t pcap4j .`; facts.pcap4j_image overrides
CAPTURE_BAT = r"C:\pcap4j\pcap4j-1\bin\capture.bat"


def is_windows(bench: Bench) -> bool:
    return bench.host.env.platform == "windows"


def shell_command(bench: Bench, command: str) -> list[str]:
    """``command`` as the container's shell runs it (``sh -c`` or ``cmd /c``)."""
    return ["cmd", "/c", command] if is_windows(bench) else ["sh", "-c", command]


def default(value: str | None) -> str | None:
    """A row's ``-`` (nothing given) as None."""
    return None if value is None or value.strip() in ("", "-") else value


# --- run-start-latency ---------------------------------------------------------------------

def start_latency(bench: Bench, *, repeats: int = 5, warmup: int = 1) -> Timing:
    """Time a container of the base image running a trivial command to its exit."""
    command = ["cmd", "/c", "exit 0"] if is_windows(bench) else ["true"]

    def once() -> None:
        result = bench.run(None, command)
        if not result.succeeded:
            raise ApparatusFailed(f"the trivial container exited with {result.rc}",
                                where=bench.engine.where, hint=result.stderr[-300:])
    return measure(once, repeats=repeats, warmup=warmup)


# --- run-default-user, run-user-flag-ignored -----------------------------------------------

@dataclass(frozen=True)
class UserRun:
    """A container asked to run as ``requested``: who it ran as, or the engine's refusal."""

    requested: str | None
    user: str | None
    refusal: str | None
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """``runs as "<user>"`` or ``is refused with "<engine's message>"``."""
        if self.refusal is not None:
            return f'is refused with "{self.refusal}"'
        return f'runs as "{self.user}"'


def run_as(bench: Bench, user: str | None = None, image: str | None = None) -> UserRun:
    """Start a container (``--user user`` when given) and report the user it runs as.

    Linux: ``root (uid 0)`` from ``id``; Windows: ``%USERNAME%`` (``ContainerAdministrator``).
    ``image`` defaults to the base image (Windows: the pcap4j image).
    """
    windows = is_windows(bench)
    image = image or (pcap4j_image(bench) if windows else None)
    command = "echo %USERNAME%" if windows else "id -un; id -u"
    try:
        result = bench.run(image, shell_command(bench, command), user=user)
    except EngineRefused as exc:
        message = refusal_text(exc)
        return UserRun(user, None, message, {"engine refusal": message})
    evidence = {"output": result.stdout + result.stderr}
    lines = [ln.strip() for ln in result.stdout.splitlines() if ln.strip()]
    if not result.succeeded or len(lines) < (1 if windows else 2):
        return UserRun(user, None, first_line(result.stderr or result.stdout)
                       or f"(no answer, exit code {result.rc})", evidence)
    name = lines[0] if windows else f"{lines[0]} (uid {lines[1]})"
    return UserRun(user, name, None, evidence)


def refusal_text(exc: EngineRefused) -> str:
    """The engine's own words for a refusal (the API error's explanation), verbatim."""
    cause = exc.__cause__
    text = getattr(cause, "explanation", None) or str(cause or exc.what)
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)



# --- run-runas-fails -----------------------------------------------------------------------

def switch_user(bench: Bench, command: str, user: str | None = None) -> CommandResult:
    """Run ``command`` (``su ...``, ``runas ...``) in a container as ``user``, stdin closed."""
    image = pcap4j_image(bench) if is_windows(bench) else None
    return bench.run(image, shell_command(bench, command), user=user)


def output_shows(result: CommandResult, text: str) -> bool:
    """Whether ``text`` is one of the lines of the command's output (stdout or stderr)."""
    return text in (result.stdout + "\n" + result.stderr).replace("\r\n", "\n")


# --- run-nic-visible-to-os, run-nif-invisible-to-pcap --------------------------------------

@dataclass(frozen=True)
class Interfaces:
    """What a container's OS lists (name -> IPv4 addresses) and what its capture library lists.

    ``report`` is what the capture program printed besides the list (Pcap4J's log and
    exception on Windows; tcpdump's error, if any, on Linux).
    """

    os: dict[str, list[str]]
    capture: list[str]
    report: str
    evidence: dict[str, str] = field(default_factory=dict)

    def os_names(self) -> str:
        """The OS's interfaces, loopback first, as a row cell (``lo, eth0``)."""
        return ", ".join(self.os) or "none"

    def ipv4(self, name: str) -> list[str]:
        return self.os.get(name, [])

    def capture_of_os(self) -> str:
        """The OS's interfaces the capture library also lists (``none`` when it lists none)."""
        seen = [n for n in self.os if n in self.capture]
        return ", ".join(seen) or "none"


def pcap4j_image(bench: Bench) -> str:
    return str(bench.host.env.facts.get("pcap4j_image", PCAP4J_IMAGE))


def own_network(bench: Bench) -> str:
    """An internal bridge network of the scenario's own (no route out), labelled like the rest."""
    name = f"labjournal-{bench.token}"
    with bench.engine.calls(f"creating network {name}"):
        if not bench.engine.client.networks.list(names=[name]):
            bench.engine.client.networks.create(name, driver="bridge", internal=True,
                                                labels=bench.labels)
    return name


LINUX_LISTING = f"ip -o link; echo {SEP}; ip -o -4 addr; echo {SEP}; tcpdump -D 2>&1"
WINDOWS_LISTING = f"ipconfig & echo {SEP}& {CAPTURE_BAT}"


def list_interfaces(bench: Bench, *, user: str | None = None) -> Interfaces:
    """In one networked container: the OS's interface listing and the capture library's.

    Linux: on an internal bridge network of the scenario's own, ``ip -o link`` /
    ``ip -o -4 addr`` and ``tcpdump -D`` (libpcap's ``pcap_findalldevs``, what Pcap4J
    calls). Windows: on the default network, ``ipconfig`` and the writeup's Pcap4J sample.
    """
    if is_windows(bench):
        result = bench.run(pcap4j_image(bench), shell_command(bench, WINDOWS_LISTING),
                           user=user, network=None)
        return windows_interfaces(result)
    result = bench.run(None, shell_command(bench, LINUX_LISTING), user=user,
                       network=own_network(bench))
    return linux_interfaces(result)


def linux_interfaces(result: CommandResult) -> Interfaces:
    """Read the output of :data:`LINUX_LISTING`."""
    from labjournal.parsers import ParseError, parse_ip_addr, parse_ip_link, parse_tcpdump_list
    links_text, addr_text, pcap_text = (result.stdout.split(SEP + "\n") + ["", ""])[:3]
    addrs = parse_ip_addr(addr_text)
    os_view = {link.name: [a.address for a in addrs if a.name == link.name and
                           a.family == "inet"] for link in parse_ip_link(links_text)}
    try:
        devices, report = [d.name for d in parse_tcpdump_list(pcap_text)], ""
    except ParseError:  # tcpdump printed an error instead of a list
        devices, report = [], pcap_text.strip()
    return Interfaces(os_view, devices, report, {
        "ip -o link": links_text, "ip -o -4 addr": addr_text, "tcpdump -D": pcap_text,
        "stderr": result.stderr})


def windows_interfaces(result: CommandResult) -> Interfaces:
    """Read the output of :data:`WINDOWS_LISTING` (``ipconfig``, then Pcap4J's sample)."""
    from labjournal.parsers import parse_capture_output, parse_ipconfig
    text = result.stdout.replace("\r\n", "\n")
    ipconfig_text, _, capture_text = text.partition(SEP)
    os_view = {a.name: [a.ipv4] if a.ipv4 else [] for a in parse_ipconfig(ipconfig_text)}
    report = (capture_text + "\n" + result.stderr.replace("\r\n", "\n")).strip()
    capture = parse_capture_output(report)
    return Interfaces(os_view, list(capture.nifs), report,
                      {"ipconfig": ipconfig_text, "capture.bat": capture_text,
                       "stderr": result.stderr})


# --- long-running containers for the host checks -------------------------------------------

@dataclass(frozen=True)
class RunningContainer:
    """A container left running (like the writeup's ``docker run -it pcap4j cmd``)."""

    id: str
    name: str
    pid: int


def start_running(bench: Bench) -> RunningContainer:
    """Start the base image's shell with a terminal and stdin open; it runs until removed."""
    image = bench.host.base_image()
    command = ["cmd"] if is_windows(bench) else ["/bin/sh"]
    options: dict = {"labels": bench.labels, "detach": True, "tty": True, "stdin_open": True,
                     "network_mode": "none" if not is_windows(bench) else None}
    ulimits = bench.host.env.run_defaults.get("ulimits")
    if ulimits:
        import docker.types
        options["ulimits"] = [docker.types.Ulimit(name=k, soft=v[0], hard=v[1])
                              for k, v in ulimits.items()]
    with bench.engine.calls("starting a long-running container", bench.host.env.timeouts.run):
        container = bench.engine.client.containers.run(
            image, command, **{k: v for k, v in options.items() if v is not None})
        container.reload()
    return RunningContainer(container.id, container.name, int(container.attrs["State"]["Pid"]))


def engine_lists(bench: Bench, container: RunningContainer) -> bool:
    """Whether the engine's running-container list (``docker ps``) shows ``container``."""
    with bench.engine.calls("listing running containers"):  # one call, no per-item inspect
        return any(c["Id"] == container.id for c in bench.engine.client.api.containers())
