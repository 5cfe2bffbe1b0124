"""Linux parsers: against outputs captured from the real tools (tests/transcripts/README.md
says where and how), and live, inside a probe container on each local engine."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from labjournal.config import load_environment
from labjournal.errors import LabError
from labjournal.lab import Bench, LabHost
from labjournal.parsers import ParseError, parse_ip_addr, parse_ip_link, parse_tcpdump_list
from labjournal.resources import Run, new_run_id

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def transcript(name: str) -> str:
    return (TRANSCRIPTS / name).read_text()


# ------------------------------------------------------------------ tcpdump -D


def test_tcpdump_list_on_the_default_bridge():
    devices = parse_tcpdump_list(
        transcript("run-nif-invisible-to-pcap.linux-bridge.tcpdump-D.txt"))
    assert [d.index for d in devices] == list(range(1, len(devices) + 1))
    by_name = {d.name: d for d in devices}
    eth0, any_, lo = by_name["eth0"], by_name["any"], by_name["lo"]
    assert eth0.flags == ("Up", "Running", "Connected") and eth0.description is None
    assert any_.description == "Pseudo-device that captures on all interfaces"
    assert any_.up and any_.running and not any_.loopback
    assert lo.loopback
    # "[none]" means no flags; parentheses inside the description survive
    assert by_name["nflog"].flags == ()
    assert by_name["nflog"].description == "Linux netfilter log (NFLOG) interface"


def test_tcpdump_list_without_a_network():
    names = [d.name for d in parse_tcpdump_list(
        transcript("run-nif-invisible-to-pcap.linux-none.tcpdump-D.txt"))]
    assert "eth0" not in names and {"any", "lo"} <= set(names)


def test_tcpdump_list_old_format_without_flags():
    # tcpdump before 4.9 printed no "[...]" flags (layout of e.g. tcpdump 4.1 on CentOS 6)
    devices = parse_tcpdump_list("1.eth0\n2.any (Pseudo-device that captures on all "
                                 "interfaces)\n3.lo\n")
    assert [(d.name, d.flags) for d in devices] == [("eth0", None), ("any", None),
                                                    ("lo", None)]
    assert devices[1].description.startswith("Pseudo-device") and not devices[0].up


def test_no_devices_is_an_empty_list():
    assert parse_tcpdump_list("") == []


# ------------------------------------------------------------------ ip -o link / addr


@pytest.mark.parametrize(("engine", "index", "peer"), [("bridge", 50, 51), ("podman", 2, 55)])
def test_ip_link_in_a_container(engine, index, peer):
    lo, eth0 = parse_ip_link(transcript(f"run-nic-visible-to-os.linux-{engine}.ip-link.txt"))
    assert (lo.name, lo.link_type, lo.peer_index, lo.state) == ("lo", "loopback", None,
                                                                 "UNKNOWN")
    assert (eth0.name, eth0.link, eth0.index, eth0.peer_index) == ("eth0", f"if{peer}", index,
                                                                    peer)
    assert eth0.up and eth0.state == "UP" and eth0.mtu == 1500 and eth0.netnsid == 0
    assert eth0.link_type == "ether" and len(eth0.address.split(":")) == 6


def test_ip_link_without_a_network_is_loopback_only():
    [lo] = parse_ip_link(transcript("run-nic-visible-to-os.linux-none.ip-link.txt"))
    assert lo.name == "lo" and "LOOPBACK" in lo.flags


def test_ip_link_on_the_machine():
    links = {x.name: x for x in parse_ip_link(
        transcript("run-nic-visible-to-os.linux-host.ip-link.txt"))}
    docker0 = links["docker0"]
    assert docker0.state == "DOWN" and "NO-CARRIER" in docker0.flags and docker0.up
    assert not links["ifb0"].up and all(x.peer_index is None for x in links.values())


@pytest.mark.parametrize("where", ["bridge", "podman", "host"])
def test_ip_addr_matches_ip_link(where):
    addrs = parse_ip_addr(transcript(f"run-nic-visible-to-os.linux-{where}.ip-addr.txt"))
    links = {x.name: x.index for x in parse_ip_link(
        transcript(f"run-nic-visible-to-os.linux-{where}.ip-link.txt"))}
    for a in addrs:
        assert a.family == "inet" and a.label == a.name
        if where != "podman":  # podman's two files come from two containers
            assert links[a.name] == a.index
    lo = next(a for a in addrs if a.name == "lo")
    assert (lo.cidr, lo.scope, lo.address) == ("127.0.0.1/8", "host", "127.0.0.1")
    eth0 = next(a for a in addrs if a.name == "eth0")
    assert eth0.scope == "global" and not eth0.interface.ip.is_loopback


def test_ip_addr_ipv6_has_no_label():
    # `ip -o addr show` layout for IPv6 (flags, not a label, end the line)
    [a] = parse_ip_addr("2: eth0    inet6 fe80::42:acff:fe11:2/64 scope link \\       "
                        "valid_lft forever preferred_lft forever")
    assert (a.family, a.scope, a.label) == ("inet6", "link", None)
    assert a.interface.network == ipaddress.ip_network("fe80::/64")


# ------------------------------------------------------------------ not the format


@pytest.mark.parametrize(("parser", "name"), [
    (parse_tcpdump_list, "run-nic-visible-to-os.linux-bridge.ip-link.txt"),
    (parse_tcpdump_list, "run-nic-visible-to-os.ipconfig.txt"),
    (parse_ip_link, "run-nif-invisible-to-pcap.linux-bridge.tcpdump-D.txt"),
    (parse_ip_link, "run-nic-visible-to-os.linux-bridge.ip-addr.txt"),
    (parse_ip_addr, "run-nic-visible-to-os.linux-bridge.ip-link.txt"),
    (parse_ip_addr, "run-nif-invisible-to-pcap.linux-bridge.tcpdump-D.txt"),
])
def test_text_of_another_format_is_a_parse_error(parser, name):
    with pytest.raises(ParseError) as info:
        parser(transcript(name))
    assert isinstance(info.value, ValueError) and isinstance(info.value, LabError)
    assert parser.__name__ in str(info.value) and "expected" in str(info.value)


def test_a_tool_error_is_a_parse_error():
    with pytest.raises(ParseError, match="tcpdump: no suitable device found"):
        parse_tcpdump_list("tcpdump: no suitable device found\n")
    with pytest.raises(ParseError, match="is not one"):
        parse_ip_addr("2: eth0    inet 172.17.0.999/16 scope global eth0")


# ------------------------------------------------------------------ live


SCRIPT = ("ip -o link show; echo =====; for d in /sys/class/net/*; do "
          "echo ${d##*/} $(cat $d/ifindex) $(cat $d/iflink); done; echo =====; "
          "tcpdump -D; echo =====; ip -o -4 addr show")


@pytest.mark.parametrize("env", ["local", "podman"])
def test_live_probe_container_agrees_with_sysfs(env):
    """On an internal network of our own: ip, /sys/class/net and tcpdump -D agree."""
    host = LabHost(load_environment(env), Run(new_run_id()))
    bench = Bench(host, "tests/test_parsers_linux.py::live")
    try:
        net = host.engine.client.networks.create(f"lj-parsers-{bench.token}", internal=True,
                                                 labels=bench.labels)
        result = bench.run(None, ["sh", "-c", SCRIPT], network=net.name)
        net.reload()
        subnet = ipaddress.ip_network(net.attrs["IPAM"]["Config"][0]["Subnet"])
    finally:
        bench.close()
        host.close()
    assert result.rc == 0, result.stderr
    link_text, sysfs_text, tcpdump_text, addr_text = result.stdout.split("=====\n")
    links = {x.name: x for x in parse_ip_link(link_text)}
    sysfs = {n: (int(i), int(p)) for n, i, p in (ln.split() for ln in sysfs_text.splitlines())}
    assert set(links) == set(sysfs)
    for name, link in links.items():
        assert link.index == sysfs[name][0]
        if link.peer_index is not None:
            assert link.peer_index == sysfs[name][1]
    assert any(x.peer_index is not None for x in links.values()), "no veth in the container"
    devices = {d.name: d for d in parse_tcpdump_list(tcpdump_text)}
    assert "any" in devices
    for link in links.values():
        if link.up:
            assert devices[link.name].up and devices[link.name].running
    addrs = parse_ip_addr(addr_text)
    assert all(links[a.name].index == a.index for a in addrs)
    assert any(a.interface.ip in subnet for a in addrs), (addrs, subnet)
