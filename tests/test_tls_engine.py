"""A remote engine over TCP with TLS: a real dockerd started with --tlsverify on 127.0.0.1.

The daemon runs beside the machine's own (its own data-root, exec-root, pidfile and bridge,
no iptables) and is stopped at the end of the session, also when a test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from labjournal.config import load_environment
from labjournal.engine import Engine, endpoint_warnings, resolve_endpoint
from labjournal.errors import ConfigError, HostUnreachable
from labjournal.hostfacts import gather
from tests.support.certs import Authority
from tests.support.tls_dockerd import TLSDockerd

pytestmark = pytest.mark.skipif(
    shutil.which("dockerd") is None or os.geteuid() != 0,
    reason="needs dockerd and root (./lab setup installs docker.io; CI runs as root)")


@pytest.fixture(scope="session")
def tls_dockerd(tmp_path_factory, request) -> TLSDockerd:
    ca = Authority.create(tmp_path_factory.mktemp("dockerd-ca"))
    daemon = TLSDockerd.start(ca)
    request.addfinalizer(daemon.stop)
    return daemon


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory) -> Authority:
    return Authority.create(tmp_path_factory.mktemp("other-ca"), "other")


def _env(tmp_path: Path, engine: str, name: str = "remote"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nplatform: linux\nbuild: docker-20.10\n"
                    f"engine:\n{engine}timeouts: {{connect: 5}}\n")
    return load_environment(str(path))


def _tls(url: str, ca: Path, cert: Path | None = None, key: Path | None = None,
         verify: bool = True) -> str:
    lines = f"  url: {url}\n  tls:\n    ca: {ca}\n    verify: {str(verify).lower()}\n"
    if cert:
        lines += f"    cert: {cert}\n    key: {key}\n"
    return lines


def _dockerd_version() -> str:
    out = subprocess.run(["dockerd", "--version"], capture_output=True, text=True).stdout
    return out.split()[2].rstrip(",")  # "Docker version 20.10.24+dfsg1, build ..."


def test_client_with_a_valid_certificate_gets_facts_and_works(tls_dockerd, tmp_path):
    d = tls_dockerd
    env = _env(tmp_path, _tls(d.url, d.ca.pem, d.client.cert, d.client.key))
    engine = Engine.connect(env)
    try:
        assert engine.url == d.url
        assert engine.facts.product == "docker"
        assert engine.facts.engine_version == _dockerd_version()
        assert engine.warnings == []
        assert engine.client.api.api_version == engine.facts.api_version  # negotiated
        name = f"ljtls-{uuid.uuid4().hex[:8]}"
        with engine.calls("creating a volume"):
            volume = engine.client.volumes.create(name, labels={"org.labjournal.test": "tls"})
        with engine.calls("listing volumes"):
            names = [v.name for v in engine.client.volumes.list(
                filters={"label": "org.labjournal.test=tls"})]
        assert name in names
        with engine.calls("removing a volume"):
            volume.remove()
    finally:
        engine.close()


def test_a_ca_bundle_in_the_environment_does_not_replace_the_hosts_ca(tls_dockerd, tmp_path,
                                                                      monkeypatch):
    # requests would use REQUESTS_CA_BUNDLE instead of engine.tls.ca (psf/requests#3829)
    system_bundle = next((p for p in ("/etc/ssl/certs/ca-certificates.crt",)
                          if Path(p).is_file()), str(tls_dockerd.client.cert))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", system_bundle)
    monkeypatch.setenv("CURL_CA_BUNDLE", system_bundle)
    d = tls_dockerd
    engine = Engine.connect(_env(tmp_path, _tls(d.url, d.ca.pem, d.client.cert, d.client.key)))
    try:
        with engine.calls("pinging"):
            assert engine.client.ping()
    finally:
        engine.close()


def test_a_client_without_a_certificate_is_refused(tls_dockerd, tmp_path):
    env = _env(tmp_path, _tls(tls_dockerd.url, tls_dockerd.ca.pem))
    with pytest.raises(HostUnreachable) as info:
        Engine.connect(env)
    text = str(info.value)
    assert "refused our client certificate" in text
    assert f"lab host 'remote' at {tls_dockerd.url}" in text and "what to do:" in text


def test_a_client_certificate_from_another_ca_is_refused(tls_dockerd, other_ca, tmp_path):
    rogue = other_ca.issue("rogue-client", server=False)
    env = _env(tmp_path, _tls(tls_dockerd.url, tls_dockerd.ca.pem, rogue.cert, rogue.key))
    with pytest.raises(HostUnreachable, match="refused our client certificate"):
        Engine.connect(env)


def test_an_engine_whose_certificate_we_do_not_trust_is_refused(tls_dockerd, other_ca,
                                                                 tmp_path):
    d = tls_dockerd
    env = _env(tmp_path, _tls(d.url, other_ca.pem, d.client.cert, d.client.key))
    with pytest.raises(HostUnreachable, match="TLS certificate was not trusted"):
        Engine.connect(env)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_without_verification_it_connects_and_the_report_is_warned(tls_dockerd, other_ca,
                                                                   tmp_path):
    d = tls_dockerd
    env = _env(tmp_path, _tls(d.url, other_ca.pem, d.client.cert, d.client.key, verify=False))
    engine = Engine.connect(env)
    try:
        assert len(engine.warnings) == 1
        assert "without verifying" in engine.warnings[0] and d.url in engine.warnings[0]
        # and the report's host facts carry it
        assert gather(env, None, engine).warnings == tuple(engine.warnings)
    finally:
        engine.close()


def test_plain_http_to_the_tls_port_fails_clearly(tls_dockerd, tmp_path):
    env = _env(tmp_path, f"  url: {tls_dockerd.url}\n")  # loopback: plain tcp is allowed
    with pytest.raises(HostUnreachable, match="HTTP request to an HTTPS server"):
        Engine.connect(env)


def test_plain_tcp_to_another_machine_is_refused_unless_insecure(tmp_path):
    # resolve_endpoint only: no traffic is sent to this (documentation-range) address
    url = "tcp://192.0.2.10:2375"
    with pytest.raises(ConfigError, match="would send engine commands unencrypted"):
        resolve_endpoint(_env(tmp_path, f"  url: {url}\n"))
    env = _env(tmp_path, f"  url: {url}\n  insecure: true\n", name="knowingly")
    resolved, tls = resolve_endpoint(env)
    assert (resolved, tls) == (url, None)
    [warning] = endpoint_warnings(env, resolved, tls)
    assert "plain tcp" in warning and "insecure: true" in warning and url in warning
    assert endpoint_warnings(env, "tcp://127.0.0.1:2375", None) == []


# -- Docker contexts -------------------------------------------------------------------


@pytest.fixture
def docker_config(tmp_path, monkeypatch) -> Path:
    """A private DOCKER_CONFIG (docker-py finds contexts next to its config.json)."""
    if shutil.which("docker") is None:
        pytest.skip("needs the docker CLI to create contexts (Debian docker.io ships it)")
    folder = tmp_path / "docker-config"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({}))
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    return folder


def _context(name: str, docker_arg: str, config: Path) -> None:
    subprocess.run(["docker", "context", "create", name, "--docker", docker_arg], check=True,
                   capture_output=True, env={**os.environ, "DOCKER_CONFIG": str(config)},
                   timeout=30)


def test_a_docker_context_reaches_the_tls_engine(tls_dockerd, docker_config, tmp_path):
    d = tls_dockerd
    _context("ljtls", f"host={d.url},ca={d.ca.pem},cert={d.client.cert},key={d.client.key}",
             docker_config)
    engine = Engine.connect(_env(tmp_path, "  context: ljtls\n"))
    try:
        assert engine.url == d.url
        assert engine.facts.engine_version == _dockerd_version()
        assert engine.warnings == []
    finally:
        engine.close()


def test_a_context_without_client_certificate_is_refused(tls_dockerd, docker_config, tmp_path,
                                                         other_ca):
    rogue = other_ca.issue("ctx-rogue", server=False)
    d = tls_dockerd
    _context("ljrogue", f"host={d.url},ca={d.ca.pem},cert={rogue.cert},key={rogue.key}",
             docker_config)
    with pytest.raises(HostUnreachable, match="refused our client certificate"):
        Engine.connect(_env(tmp_path, "  context: ljrogue\n"))


def test_a_missing_context_is_a_config_error(docker_config, tmp_path):
    with pytest.raises(ConfigError, match="'nosuch' does not exist"):
        resolve_endpoint(_env(tmp_path, "  context: nosuch\n"))
