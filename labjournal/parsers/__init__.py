"""Parsers for the command outputs the journal's scenarios check.

Windows outputs (ipconfig, Pcap4J's capture sample, runas, PowerShell errors and warnings,
docker build errors, docker tables and version) are in :mod:`.windows`; their Linux
counterparts (``tcpdump -D``, ``ip -o link``, ``ip -o addr``) in :mod:`.linux`. Every parser
returns frozen dataclasses and raises :class:`ParseError` (a ``ValueError``) for text that
is not its format. See docs/parsers.md.
"""

from labjournal.parsers.common import ParseError
from labjournal.parsers.linux import (
    IpAddr,
    IpLink,
    PcapDevice,
    parse_ip_addr,
    parse_ip_link,
    parse_tcpdump_list,
)
from labjournal.parsers.windows import (
    Adapter,
    BuildError,
    CaptureRun,
    DockerTable,
    DockerVersion,
    JavaException,
    LogLine,
    PowerShellError,
    PowerShellOutput,
    RunasResult,
    decode_clixml,
    parse_build_error,
    parse_capture_output,
    parse_docker_table,
    parse_docker_version,
    parse_ipconfig,
    parse_powershell_error,
    parse_powershell_errors,
    parse_powershell_output,
    parse_powershell_warnings,
    parse_runas,
)

__all__ = [
    "Adapter", "BuildError", "CaptureRun", "DockerTable", "DockerVersion", "IpAddr", "IpLink",
    "JavaException", "LogLine", "ParseError", "PcapDevice", "PowerShellError",
    "PowerShellOutput", "RunasResult", "decode_clixml", "parse_build_error",
    "parse_capture_output", "parse_docker_table", "parse_docker_version", "parse_ip_addr",
    "parse_ip_link", "parse_ipconfig", "parse_powershell_error", "parse_powershell_errors",
    "parse_powershell_output", "parse_powershell_warnings", "parse_runas",
    "parse_tcpdump_list",
]
