"""Windows parsers against the writeup's transcripts (tests/transcripts/, see its README)."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from labjournal.errors import LabError
from labjournal.parsers import (
    ParseError,
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

TRANSCRIPTS = Path(__file__).parent / "transcripts"
ROOT = Path(__file__).resolve().parent.parent
WRITEUP = Path(os.environ.get("LABJOURNAL_WRITEUP",
                              ROOT.parent / "shared" / "seeds" / "000_a69ef7f4c4d6c83e.txt"))
FROM_WRITEUP = [
    "docker-version.txt", "host-no-base-images.docker-images.txt",
    "host-image-install.docker-images.txt", "build-long-path-import.txt",
    "build-user-unsupported.txt", "run-nic-visible-to-os.ipconfig.txt",
    "run-nif-invisible-to-pcap.capture.txt", "run-runas-fails.user.txt",
    "run-runas-fails.user-manager.txt", "host-ps-direct-fails.enter-pssession.txt",
    "host-ps-cmdlets-blind.docker-ps.txt", "host-ps-cmdlets-blind.get-container.txt",
]


def transcript(name: str) -> str:
    return (TRANSCRIPTS / name).read_bytes().decode("utf-8")


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# ------------------------------------------------------------------ the transcripts


@pytest.mark.skipif(not WRITEUP.is_file(), reason=f"the writeup is not at {WRITEUP}")
@pytest.mark.parametrize("name", FROM_WRITEUP)
def test_transcripts_are_the_writeups_code_blocks(name):
    blocks = re.findall(r"^```[a-z]+\n(.*?)^```$", WRITEUP.read_text(encoding="utf-8"),
                        flags=re.M | re.S)
    assert transcript(name) in blocks


# ------------------------------------------------------------------ ipconfig


@pytest.mark.parametrize("convert", [str, crlf], ids=["lf", "crlf"])
def test_ipconfig_in_the_container(convert):
    [adapter] = parse_ipconfig(convert(transcript("run-nic-visible-to-os.ipconfig.txt")))
    assert adapter.kind == "Ethernet adapter"
    assert adapter.name == "vEthernet (Temp Nic Name)"
    assert adapter.dns_suffix == "localdomain"
    assert adapter.ipv4 == "172.23.71.6"
    assert adapter.subnet_mask == "255.240.0.0"
    assert adapter.gateway == "172.16.0.1"
    assert adapter.link_local_ipv6 == "fe80::59cf:1491:6f8e:30c8%18"
    # the gateway the container was given is on the container's own subnet
    assert adapter.ipv4_interface == ipaddress.IPv4Interface("172.23.71.6/12")
    assert ipaddress.ip_address(adapter.gateway) in adapter.ipv4_interface.network


def test_ipconfig_several_adapters_and_continued_values():
    # Constructed in ipconfig's layout: a second adapter, a disconnected one, a gateway
    # list continued on the next line, "(Preferred)" suffixes (ipconfig /all).
    text = transcript("run-nic-visible-to-os.ipconfig.txt") + (
        "\nEthernet adapter vEthernet (nat):\n\n"
        "   IPv4 Address. . . . . . . . . . . : 10.0.75.2(Preferred)\n"
        "   Subnet Mask . . . . . . . . . . . : 255.255.255.0\n"
        "   Default Gateway . . . . . . . . . : fe80::1%5\n"
        "                                       10.0.75.1\n"
        "\nTunnel adapter isatap.localdomain:\n\n"
        "   Media State . . . . . . . . . . . : Media disconnected\n"
        "   Connection-specific DNS Suffix  . :\n")
    first, nat, tunnel = parse_ipconfig(text)
    assert first.name == "vEthernet (Temp Nic Name)"
    assert (nat.ipv4, nat.gateway, nat.gateways) == ("10.0.75.2", "10.0.75.1",
                                                      ("fe80::1%5", "10.0.75.1"))
    assert (tunnel.kind, tunnel.media_state, tunnel.dns_suffix, tunnel.ipv4) == (
        "Tunnel adapter", "Media disconnected", "", None)


# ------------------------------------------------------------------ Pcap4J sample


def test_capture_sample_finds_no_interface():
    run = parse_capture_output(transcript("run-nif-invisible-to-pcap.capture.txt"))
    assert run.command == "capture.bat"
    assert run.sample == "GetNextPacketEx"
    assert (run.count, run.read_timeout, run.snaplen) == (5, 10, 65536)
    [log] = run.log
    assert (log.time, log.thread, log.level, log.logger, log.message) == (
        "18:49:00.582", "main", "INFO", "org.pcap4j.core.Pcaps", "No NIF was found.")
    assert run.exception.cls == "java.io.IOException"
    assert run.exception.message == "No NIF to capture."
    assert run.exception.frames == (
        "org.pcap4j.sample.GetNextPacketEx.main(GetNextPacketEx.java:45)java:44)",)
    assert run.no_interface and run.nifs == () and run.other == ()


def test_capture_without_the_no_nif_lines_is_not_no_interface():
    # The same run with the two "No NIF" lines replaced by NifSelector's listing.
    text = transcript("run-nif-invisible-to-pcap.capture.txt")
    kept = [ln for ln in text.splitlines() if "NIF" not in ln and " at " not in ln]
    run = parse_capture_output("\n".join([*kept, "NIF[0]: eth0", "      : link layer "
                                          "address: 00:15:5d:00:00:01"]))
    assert not run.no_interface
    assert run.nifs == ("eth0",) and run.exception is None and run.count == 5


# ------------------------------------------------------------------ runas


def test_runas_wrong_password():
    r = parse_runas(transcript("run-runas-fails.user.txt"))
    assert (r.user, r.program) == ("Administrator", "cmd")
    assert r.qualified_user == "92EC7B3B09B4\\Administrator"
    assert r.errors == ("Unable to run - cmd",)
    assert (r.error_code, r.error_message) == (1326, "The user name or password is incorrect.")
    assert r.failed


def test_runas_user_manager_account():
    r = parse_runas(transcript("run-runas-fails.user-manager.txt"))
    assert (r.user, r.program) == ("User Manager\\Administrator", "capture.bat")
    assert r.errors == ("Unable to acquire user password",)
    assert (r.error_code, r.qualified_user) == (None, None)


def test_runas_prompt_without_newline():
    # Over a non-console stdin the prompt is not ended by a typed newline.
    lines = transcript("run-runas-fails.user.txt").splitlines()
    text = "\r\n".join([lines[1] + " " + lines[2], *lines[3:]])
    r = parse_runas(text)
    assert r.command is None and r.user == "Administrator" and r.program == "cmd"
    assert r.error_code == 1326


# ------------------------------------------------------------------ PowerShell


def test_enter_pssession_error_record():
    err = parse_powershell_error(transcript("host-ps-direct-fails.enter-pssession.txt"))
    assert err.command == "Enter-PSSession"
    assert err.message == ("The input ContainerName amazing_archimedes does not exist, or the "
                           "corresponding container is not running.")
    assert (err.script, err.line, err.char) == (None, 1, 1)
    assert err.script_line == "Enter-PSSession -ContainerName amazing_archimedes " \
                              "-RunAsAdministrator"
    assert (err.category, err.activity, err.reason) == (
        "InvalidOperation", "Enter-PSSession", "PSInvalidOperationException")
    assert (err.target_name, err.target_type) == ("", "")
    assert err.error_id == "CreateRemoteRunspaceForContainerFailed"
    assert err.error_source == "Microsoft.PowerShell.Commands.EnterPSSessionCommand"


def test_several_error_records_warnings_and_output_in_one_output():
    record = transcript("host-ps-direct-fails.enter-pssession.txt").split("\n", 1)[1]
    remote = record.replace("Enter-PSSession", "Invoke-Command").rstrip("\n") + \
        "\n    + PSComputerName        : amazing_archimedes\n"
    warning = transcript("host-ps-cmdlets-blind.get-container.txt").split("\n", 1)[1]
    out = parse_powershell_output(crlf("before\n" + record + warning + remote + "after\n"))
    assert [e.command for e in out.errors] == ["Enter-PSSession", "Invoke-Command"]
    assert out.errors[1].details == (("PSComputerName", "amazing_archimedes"),)
    assert out.errors[1].activity == "Invoke-Command"
    assert len(out.warnings) == 1 and out.output == ("before", "after")


def test_get_container_prints_only_a_warning():
    text = transcript("host-ps-cmdlets-blind.get-container.txt")
    [warning] = parse_powershell_warnings(text)
    assert warning.startswith("Based on customer feedback, we are updating the Containers "
                              "PowerShell module to better align with Docker.")
    assert "http://aka.ms/windowscontainers/powershell" in warning
    out = parse_powershell_output(text)
    assert out.command == "powershell -command Get-Container"
    assert out.output == () and out.errors == ()  # it lists no container
    assert parse_powershell_errors(text) == []


def clixml(text: str, stream: str = "Error") -> str:
    """``text`` as WinRM returns PowerShell's stderr: one <S> element per line."""
    parts = "".join(f'<S S="{stream}">{escape(ln)}_x000D__x000A_</S>'
                    for ln in text.splitlines())
    return ('#< CLIXML\r\n<Objs Version="1.1.0.1" '
            f'xmlns="http://schemas.microsoft.com/powershell/2004/04">{parts}</Objs>')


def test_clixml_stderr_from_winrm():
    console = transcript("host-ps-direct-fails.enter-pssession.txt").split("\n", 1)[1]
    assert decode_clixml(clixml(console)).replace("\r\n", "\n") == console
    assert parse_powershell_error(clixml(console)) == parse_powershell_error(console)
    warning = "Based on customer feedback, we are updating the module."
    assert parse_powershell_warnings(clixml(warning, "warning")) == [warning]


# ------------------------------------------------------------------ docker build


def test_user_instruction_unsupported():
    err = parse_build_error(transcript("build-user-unsupported.txt"))
    assert (err.kind, err.instruction) == ("unsupported-instruction", "user")
    assert err.message == "The daemon on this platform does not support the command 'user'"


def test_long_path_layer_import():
    text = transcript("build-long-path-import.txt")
    err = parse_build_error(text)
    assert (err.kind, err.operation) == ("layer-import", "ImportLayer")
    assert err.win32_message == "The filename or extension is too long."
    assert err.win32_code == 0xce
    assert err.layer_id == ("\\\\?\\C:\\ProgramData\\docker\\windowsfilter\\103de6bf1358c50"
                            "6510ad67990f09ec3e2f10f9e866e846df5a88c04f5edf7aa")
    assert err.folder == "C:\\Windows\\TEMP\\hcs719016711"
    assert dict(err.details)["flavour"] == "1"
    assert (err.exit_code, err.log_level, err.log_time) == (1, "error",
                                                            "2016-07-09T19:57:22-07:00")
    # the re-exec line escapes backslashes twice; unescaped, both lines say the same
    first, second = (parse_build_error(line) for line in text.splitlines())
    assert first.layer_id == second.layer_id == err.layer_id
    assert first.message == second.message
    assert "\\\\\\\\" in text.splitlines()[0] and "\\\\\\\\" not in first.message


def test_build_step_failed_on_a_real_engine():
    err = parse_build_error(transcript("build-step-failed.linux-docker.txt"))
    assert (err.kind, err.command, err.exit_code) == ("step-failed", "/bin/sh -c false", 1)


def test_unknown_instruction_and_daemon_prefix():
    text = transcript("build-unknown-instruction.linux-docker.txt")
    for variant in (text, "Error response from daemon: " + text):
        err = parse_build_error(variant)
        assert (err.kind, err.instruction) == ("unknown-instruction", "frobnicate")
        assert err.message == text.strip()


def test_generic_build_error():
    err = parse_build_error("Step 3/9 : RUN git clone https://github.com/kaitoy/pcap4j\n"
                            "fatal: unable to access 'https://github.com/kaitoy/pcap4j/'\n")
    assert err.kind == "other" and err.message.startswith("fatal: unable to access")


# ------------------------------------------------------------------ docker tables, version


def test_docker_images_empty_right_after_install():
    table = parse_docker_table(transcript("host-no-base-images.docker-images.txt"))
    assert table.command == "docker images"
    assert table.columns == ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")
    assert table.rows == ()


def test_docker_images_after_image_install():
    table = parse_docker_table(transcript("host-image-install.docker-images.txt"))
    [row] = table.rows
    assert row == {"REPOSITORY": "windowsservercore", "TAG": "10.0.14300.1000",
                   "IMAGE ID": "5bc36a335344", "CREATED": "8 weeks ago", "SIZE": "9.354 GB"}
    assert table.column("SIZE") == ["9.354 GB"]
    with pytest.raises(KeyError, match="no column 'NAMES'"):
        table.column("NAMES")


def test_docker_ps_with_an_empty_column():
    [row] = parse_docker_table(transcript("host-ps-cmdlets-blind.docker-ps.txt")).rows
    assert row["CONTAINER ID"] == "a711497f29d8" and row["COMMAND"] == '"cmd"'
    assert row["STATUS"] == "Up 12 minutes" and row["PORTS"] == ""
    assert row["NAMES"] == "amazing_archimedes"


@pytest.mark.parametrize("name", ["host-image-install.linux-docker-images.txt",
                                  "host-image-install.linux-podman-images.txt"])
def test_image_tables_of_todays_engines(name):
    [row] = parse_docker_table(transcript(name)).rows
    assert row["REPOSITORY"].endswith("labjournal/probe")
    assert re.fullmatch(r"[0-9a-f]{12}", row["TAG"]) and re.fullmatch(r"[0-9a-f]{12}",
                                                                        row["IMAGE ID"])


def test_docker_ps_empty_on_todays_engine():
    table = parse_docker_table(transcript("host-no-base-images.linux-docker-ps-empty.txt"))
    assert table.rows == () and "NAMES" in table.columns


def test_misaligned_table_is_refused():
    text = transcript("host-image-install.docker-images.txt").replace(
        "windowsservercore   ", "windowsservercore-longer-name   ")
    with pytest.raises(ParseError, match="aligned"):
        parse_docker_table(text)


def test_docker_version():
    v = parse_docker_version(transcript("docker-version.txt"))
    assert (v.version, v.build, v.release, v.prerelease) == ("1.12.0-dev", "8e92415",
                                                             (1, 12, 0), "dev")
    today = parse_docker_version(transcript("docker-version.linux-host.txt"))
    assert today.release > v.release and today.prerelease is None


# ------------------------------------------------------------------ not the format


@pytest.mark.parametrize(("parser", "name"), [
    (parse_ipconfig, "run-nif-invisible-to-pcap.capture.txt"),
    (parse_ipconfig, "host-ps-cmdlets-blind.docker-ps.txt"),
    (parse_capture_output, "run-nic-visible-to-os.ipconfig.txt"),
    (parse_capture_output, "run-runas-fails.user.txt"),
    (parse_runas, "run-nic-visible-to-os.ipconfig.txt"),
    (parse_runas, "host-ps-direct-fails.enter-pssession.txt"),
    (parse_powershell_error, "host-ps-cmdlets-blind.get-container.txt"),
    (parse_powershell_error, "host-image-install.docker-images.txt"),
    (parse_build_error, "docker-version.txt"),
    (parse_build_error, "host-image-install.docker-images.txt"),
    (parse_docker_table, "run-nic-visible-to-os.ipconfig.txt"),
    (parse_docker_table, "docker-version.txt"),
    (parse_docker_table, "run-runas-fails.user.txt"),
    (parse_docker_version, "docker-version.podman-not-docker.txt"),
    (parse_docker_version, "host-image-install.docker-images.txt"),
])
def test_text_of_another_format_is_a_parse_error(parser, name):
    text = transcript(name)
    with pytest.raises(ParseError) as info:
        parser(text)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, LabError)
    assert parser.__name__ in str(err) and "expected" in str(err)
    assert repr(text[:30])[1:-1] in str(err)  # it shows the start of the text
    assert "what to do:" in str(err)


@pytest.mark.parametrize("parser", [parse_ipconfig, parse_capture_output, parse_runas,
                                    parse_powershell_error, parse_build_error,
                                    parse_docker_table, parse_docker_version])
@pytest.mark.parametrize("text", ["", "\r\n\r\n"], ids=["empty", "blank-lines"])
def test_empty_output_is_a_parse_error(parser, text):
    with pytest.raises(ParseError, match="the text is empty"):
        parser(text)


def test_bytes_are_refused():
    with pytest.raises(TypeError, match="not bytes"):
        parse_ipconfig(transcript("run-nic-visible-to-os.ipconfig.txt").encode())


def test_garbage_inside_ipconfig_is_refused():
    text = transcript("run-nic-visible-to-os.ipconfig.txt") + "Traceback (most recent call)\n"
    with pytest.raises(ParseError, match="Traceback"):
        parse_ipconfig(text)


def test_ipconfig_with_a_bad_address_is_refused():
    text = transcript("run-nic-visible-to-os.ipconfig.txt").replace("172.23.71.6", "172.23.71")
    with pytest.raises(ParseError, match="an IPv4 address as IPv4 Address"):
        parse_ipconfig(text)


def test_localised_ipconfig_is_refused():
    # a Japanese-language host prints its own headings; the parser reads English output only
    text = transcript("run-nic-visible-to-os.ipconfig.txt").replace(
        "Windows IP Configuration", "Windows IP 構成")
    with pytest.raises(ParseError, match="Windows IP Configuration"):
        parse_ipconfig(text)
