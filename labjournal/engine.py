"""Connection to a lab host's Docker-API engine (Docker or Podman, local or remote).

A thin layer over the Docker SDK for Python: it opens one client per lab host, reads the
engine's facts once, and turns transport failures (which docker-py raises as ``requests``
exceptions) and engine refusals into labjournal's typed errors.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from urllib.parse import urlparse

import docker
import docker.constants
import docker.errors
import docker.tls
import requests.exceptions
import urllib3.exceptions

from labjournal.config import Environment
from labjournal.errors import (
    ApparatusFailed,
    ConfigError,
    EngineRefused,
    HostUnreachable,
    LabError,
    LabTimeout,
)

log = logging.getLogger("labjournal.engine")
DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class EngineFacts:
    """What the engine says about itself, read once per run."""

    product: str
    engine_version: str
    api_version: str
    os: str
    os_type: str
    os_build: str
    kernel: str
    architecture: str
    isolation: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def resolve_endpoint(env: Environment) -> tuple[str, docker.tls.TLSConfig | None]:
    """The engine URL and TLS settings for ``env`` (explicit URL, Docker context, or default)."""
    spec = env.engine
    if spec.context:
        url, tls = _from_context(env)
        _refuse_plain_tcp(env, url, tls)
        return url, tls
    url = spec.url or os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET
    if "${" in url:
        raise ConfigError(f"engine address of '{env.name}' still holds a variable: {url}",
                          where=str(env.source),
                          hint="export the variable named in the address, then run again")
    tls = None
    if spec.tls is not None:
        for label, path in (("ca", spec.tls.ca), ("cert", spec.tls.cert), ("key", spec.tls.key)):
            if path is not None and not path.is_file():
                raise ConfigError(f"TLS {label} file {path} for '{env.name}' does not exist",
                                  where=str(env.source),
                                  hint="point engine.tls at the client certificates of the host")
        client_cert = (str(spec.tls.cert), str(spec.tls.key)) if spec.tls.cert else None
        tls = docker.tls.TLSConfig(client_cert=client_cert,
                                   ca_cert=str(spec.tls.ca) if spec.tls.ca else None,
                                   verify=spec.tls.verify)
    _refuse_plain_tcp(env, url, tls)
    return url, tls


def _refuse_plain_tcp(env: Environment, url: str, tls: docker.tls.TLSConfig | None) -> None:
    if url.startswith("tcp://") and tls is None and not env.engine.insecure \
            and not _is_loopback(url):
        raise ConfigError(
            f"plain tcp to {url} for '{env.name}' would send engine commands unencrypted",
            where=str(env.source),
            hint="configure engine.tls (ca/cert/key) or the context's TLS material, or set "
            "engine.insecure: true knowingly")


def endpoint_warnings(env: Environment, url: str,
                      tls: docker.tls.TLSConfig | None) -> list[str]:
    """What a report should say about a weak engine connection (empty when it is sound)."""
    if url.startswith("tcp://") and tls is None and not _is_loopback(url):
        return [f"engine of '{env.name}' reached over plain tcp ({url}): unencrypted and "
                "unauthenticated, allowed only because the environment says insecure: true"]
    if tls is not None and not tls.verify:
        return [f"engine of '{env.name}' at {url}: TLS without verifying the engine's "
                "certificate (engine.tls.verify: false)"]
    return []


def _from_context(env: Environment) -> tuple[str, docker.tls.TLSConfig | None]:
    from docker.context import ContextAPI
    try:
        ctx = ContextAPI.get_context(env.engine.context)
    except docker.errors.DockerException as exc:
        raise ConfigError(f"Docker context '{env.engine.context}' cannot be read: {exc}",
                          where=str(env.source), hint="check `docker context ls`") from None
    if ctx is None:
        raise ConfigError(f"Docker context '{env.engine.context}' does not exist",
                          where=str(env.source), hint="create it with `docker context create`")
    return ctx.Host, ctx.TLSConfig


def _is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def describe_transport_error(exc: BaseException) -> str:
    """A short cause for a connection failure, without the SDK's nested noise."""
    text = str(exc)
    for marker, cause in (
        ("Name or service not known", "the host name does not resolve"),
        ("nodename nor servname", "the host name does not resolve"),
        ("Temporary failure in name resolution", "the host name does not resolve"),
        ("No such file or directory", "the socket does not exist (engine not running?)"),
        ("Connection refused", "the connection was refused (engine not listening?)"),
        ("CERTIFICATE_VERIFY_FAILED", "the engine's TLS certificate was not trusted"),
        ("certificate required", "the engine refused our client certificate"),
        ("bad certificate", "the engine refused our client certificate"),
        ("timed out", "the engine did not answer in time"),
        ("Permission denied", "permission denied on the socket"),
    ):
        if marker in text:
            return cause
    return text.splitlines()[0][:300] if text else type(exc).__name__


class Engine:
    """One lab host's engine: a connected client plus its facts."""

    def __init__(self, env: Environment, client: docker.DockerClient, url: str,
                 facts: EngineFacts, warnings: list[str] | None = None) -> None:
        self.env = env
        self.client = client
        self.url = url
        self.facts = facts
        self.warnings = list(warnings or [])  # for the report: how the connection is weak

    @classmethod
    def connect(cls, env: Environment, timeout: float | None = None) -> Engine:
        """Open the client and read facts; fail fast with a message naming host and endpoint."""
        url, tls = resolve_endpoint(env)
        timeout = timeout or env.timeouts.connect
        where = f"lab host '{env.name}' at {url}"
        hint = ("start the engine (`./lab up` starts the local ones), check the address in "
                f"{env.source.name}, or pick another host with --env")
        try:
            with _socket_timeout(timeout):
                client = _client(url, tls, timeout, env.engine.version)
                info = client.info()
                version = client.version()
        except (TimeoutError, requests.exceptions.Timeout) as exc:
            raise LabTimeout(f"engine did not answer within {timeout:g} s", where=where,
                             hint=hint) from exc
        except (docker.errors.DockerException, requests.exceptions.RequestException,
                OSError) as exc:
            cause = describe_transport_error(exc)
            if "timed out" in cause or "in time" in cause:
                raise LabTimeout(f"engine did not answer within {timeout:g} s", where=where,
                                 hint=hint) from exc
            raise HostUnreachable(f"cannot reach the engine: {cause}", where=where,
                                  hint=hint) from exc
        client.api.timeout = max(env.timeouts.run, env.timeouts.command)
        facts = _facts(info, version)
        log.info("connected to %s: %s %s on %s", env.name, facts.product, facts.engine_version,
                 facts.os)
        warnings = endpoint_warnings(env, url, tls)
        for text in warnings:
            log.warning("%s: %s", env.name, text)
        return cls(env, client, url, facts, warnings)

    @property
    def where(self) -> str:
        return f"lab host '{self.env.name}' at {self.url}"

    def close(self) -> None:
        self.client.close()

    @contextmanager
    def calls(self, what: str, timeout: float | None = None) -> Iterator[None]:
        """Translate SDK exceptions raised inside the block into typed errors."""
        try:
            yield
        except LabError:
            raise
        except (TimeoutError, requests.exceptions.Timeout,
                urllib3.exceptions.ReadTimeoutError) as exc:  # streams read through urllib3
            limit = f" within {timeout:g} s" if timeout else ""
            raise LabTimeout(f"{what} did not finish{limit}", where=self.where,
                             hint="raise the timeout in the environment file "
                             "(timeouts:) or check the host's load") from exc
        except docker.errors.APIError as exc:
            raise EngineRefused(f"{what} was refused: {exc.explanation or exc}",
                                where=self.where,
                                hint="see the engine's message; the request may not be "
                                "supported on this build") from exc
        except (docker.errors.DockerException, requests.exceptions.RequestException,
                urllib3.exceptions.HTTPError, ConnectionError) as exc:
            raise HostUnreachable(f"{what} failed: {describe_transport_error(exc)}",
                                  where=self.where, hint="check that the engine is still up") \
                from exc

    def image_exists(self, ref: str) -> bool:
        with self.calls(f"looking up image {ref}"):
            try:
                self.client.images.get(ref)
                return True
            except docker.errors.ImageNotFound:
                return False

    def pull(self, ref: str, progress: Callable[[str], None] | None = None) -> None:
        """Pull ``ref`` with progress lines and the pull timeout."""
        timeout = self.env.timeouts.pull
        repo, _, tag = ref.rpartition(":") if ":" in ref.split("/")[-1] else (ref, "", "latest")
        with self.calls(f"pulling {ref}", timeout), _deadline(timeout, self):
            for chunk in self.client.api.pull(repo, tag=tag, stream=True, decode=True):
                if "error" in chunk:
                    raise ApparatusFailed(f"pulling {ref} was refused: {chunk['error']}",
                                        where=self.where,
                                        hint="check the image name and registry access")
                if progress and chunk.get("status"):
                    progress(f"{chunk.get('id', '')} {chunk['status']} "
                             f"{chunk.get('progress', '')}".strip())


def _client(url: str, tls: docker.tls.TLSConfig | None, timeout: float,
            version: str) -> docker.DockerClient:
    """A client whose TLS settings are the ones given, whatever the process environment says.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's CA file on every
    request (psf/requests#3829): with them set, a TLS engine signed by its own CA is refused.
    With TLS the session ignores the environment (no CA bundle, no proxy variables).
    """
    auto = version == "auto"
    if tls is None:
        return docker.DockerClient(base_url=url, timeout=timeout,
                                   version=None if auto else version)
    client = docker.DockerClient(base_url=url, tls=tls, timeout=timeout,
                                 version=docker.constants.MINIMUM_DOCKER_API_VERSION
                                 if auto else version)
    client.api.trust_env = False
    if auto:
        client.api._version = client.api.version(api_version=False)["ApiVersion"]
    return client


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


@contextmanager
def _deadline(seconds: float, engine: Engine) -> Iterator[None]:
    """Bound a streaming call: the SDK's per-read timeout is set to the whole limit."""
    old = engine.client.api.timeout
    engine.client.api.timeout = seconds
    try:
        yield
    finally:
        engine.client.api.timeout = old


def _facts(info: dict, version: dict) -> EngineFacts:
    components = {c.get("Name", ""): c for c in version.get("Components") or []}
    product = "podman" if "Podman Engine" in components or "podman" in str(
        version.get("Platform", {}).get("Name", "")).lower() else "docker"
    if product == "podman":
        engine_version = components.get("Podman Engine", {}).get("Version", version.get(
            "Version", "?"))
    else:
        engine_version = version.get("Version", "?")
    kernel = info.get("KernelVersion", "?")
    os_type = info.get("OSType", version.get("Os", "?"))
    os_build = kernel.split()[-1] if os_type == "windows" else kernel
    return EngineFacts(
        product=product, engine_version=engine_version,
        api_version=version.get("ApiVersion", "?"), os=info.get("OperatingSystem", "?"),
        os_type=os_type, os_build=os_build, kernel=kernel,
        architecture=info.get("Architecture", version.get("Arch", "?")),
        isolation=info.get("Isolation") or ("process" if os_type == "windows" else "namespaces"),
    )
