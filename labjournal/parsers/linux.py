"""Parsers for Linux counterparts: ``tcpdump -D``, ``ip -o link show``, ``ip -o addr show``.

``tcpdump -D`` prints what libpcap's ``pcap_findalldevs`` returns, the call Pcap4J makes
(observation run-nif-invisible-to-pcap); ``ip`` shows what the OS sees (run-nic-visible-to-os).
Empty output is an empty list (no devices); any line that is not the format is a ParseError.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from labjournal.parsers.common import ParseError, output_lines


@dataclass(frozen=True)
class PcapDevice:
    """One line of ``tcpdump -D``: ``2.any (Pseudo-device ...) [Up, Running]``."""

    index: int
    name: str
    description: str | None
    flags: tuple[str, ...] | None  # None: an old tcpdump (before 4.9) that prints no flags

    @property
    def up(self) -> bool:
        return self.flags is not None and "Up" in self.flags

    @property
    def running(self) -> bool:
        return self.flags is not None and "Running" in self.flags

    @property
    def loopback(self) -> bool:
        return self.flags is not None and "Loopback" in self.flags


@dataclass(frozen=True)
class IpLink:
    """One line of ``ip -o link show``."""

    index: int
    name: str  # without the "@if12" / "@NONE" / "@eth0" suffix
    link: str | None  # what followed "@": "if12", "NONE", a parent device name
    peer_index: int | None  # "@if12" -> 12: the other end of a veth pair (another netns)
    flags: tuple[str, ...]
    mtu: int | None
    state: str | None
    link_type: str | None  # "ether", "loopback", "none", ...
    address: str | None
    netnsid: int | None

    @property
    def up(self) -> bool:
        return "UP" in self.flags


@dataclass(frozen=True)
class IpAddr:
    """One line of ``ip -o addr show`` (``-4`` or ``-6`` or both)."""

    index: int
    name: str
    family: str  # "inet" or "inet6"
    cidr: str  # "172.17.0.2/16"
    scope: str | None
    label: str | None

    @property
    def interface(self) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
        return ipaddress.ip_interface(self.cidr)

    @property
    def address(self) -> str:
        return str(self.interface.ip)


_TCPDUMP = re.compile(r"^(?P<index>\d+)\.(?P<name>\S+)(?: \((?P<desc>.*)\))?"
                      r"(?: \[(?P<flags>[^\]]*)\])?$")


def parse_tcpdump_list(text: str) -> list[PcapDevice]:
    """Devices listed by ``tcpdump -D`` (with or without the ``[Up, Running]`` flags)."""
    _, lines = output_lines(text)
    devices = []
    for line in lines:
        if not line.strip():
            continue
        m = _TCPDUMP.match(line)
        if not m:
            raise ParseError("parse_tcpdump_list", "`tcpdump -D` lines like "
                             "'1.eth0 [Up, Running, Connected]'", text,
                             detail=f"line {line!r}")
        flags = m["flags"]
        devices.append(PcapDevice(
            index=int(m["index"]), name=m["name"], description=m["desc"],
            flags=None if flags is None else tuple(
                f.strip() for f in flags.split(",") if f.strip() and f.strip() != "none")))
    return devices


_IP_LINK = re.compile(r"^(?P<index>\d+): (?P<name>[^:@\s]+)(?:@(?P<link>[^:\s]+))?: "
                      r"<(?P<flags>[^>]*)>(?P<rest>.*)$")


def _after(words: list[str], key: str) -> str | None:
    for i, w in enumerate(words[:-1]):
        if w == key:
            return words[i + 1]
    return None


def parse_ip_link(text: str) -> list[IpLink]:
    """Links listed by ``ip -o link show`` (one line per link, ``\\`` for line breaks)."""
    _, lines = output_lines(text)
    links = []
    for line in lines:
        if not line.strip():
            continue
        m = _IP_LINK.match(line)
        if not m:
            raise ParseError("parse_ip_link", "`ip -o link show` lines like "
                             "'2: eth0@if12: <BROADCAST,...> mtu 1500 ... state UP ...'", text,
                             detail=f"line {line!r}")
        words = m["rest"].replace("\\", " ").split()
        link_type = next((w[5:] for w in words if w.startswith("link/")), None)
        link = m["link"]
        peer = re.fullmatch(r"if(\d+)", link or "")
        mtu, netnsid = _after(words, "mtu"), _after(words, "link-netnsid")
        links.append(IpLink(
            index=int(m["index"]), name=m["name"], link=link,
            peer_index=int(peer[1]) if peer else None,
            flags=tuple(f for f in m["flags"].split(",") if f),
            mtu=int(mtu) if mtu and mtu.isdigit() else None,
            state=_after(words, "state"), link_type=link_type,
            address=_after(words, f"link/{link_type}") if link_type else None,
            netnsid=int(netnsid) if netnsid and netnsid.isdigit() else None))
    return links


_IP_ADDR = re.compile(r"^(?P<index>\d+): (?P<name>\S+?)\s+(?P<family>inet6?) "
                      r"(?P<cidr>\S+)(?P<rest>.*)$")


def parse_ip_addr(text: str) -> list[IpAddr]:
    """Addresses listed by ``ip -o addr show`` (``ip -o -4 addr show`` for IPv4 only)."""
    _, lines = output_lines(text)
    addrs = []
    for line in lines:
        if not line.strip():
            continue
        m = _IP_ADDR.match(line)
        if not m:
            raise ParseError("parse_ip_addr", "`ip -o addr show` lines like "
                             "'2: eth0    inet 172.17.0.2/16 brd ... scope global eth0'", text,
                             detail=f"line {line!r}")
        try:
            ipaddress.ip_interface(m["cidr"])
        except ValueError:
            raise ParseError("parse_ip_addr", "an address/prefix after 'inet'", text,
                             detail=f"{m['cidr']!r} is not one") from None
        words = m["rest"].split("\\", 1)[0].split()
        scope = _after(words, "scope")
        # only IPv4 lines end with the label ("eth0", "eth0:1"); IPv6 ones end with flags
        label = (words[-1] if m["family"] == "inet" and words and words[-1] != scope
                 and words[-1] != "dynamic" else None)
        addrs.append(IpAddr(index=int(m["index"]), name=m["name"], family=m["family"],
                            cidr=m["cidr"], scope=scope, label=label))
    return addrs
