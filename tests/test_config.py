"""Environment files: the shipped ones load; bad ones name file, key and problem."""

from __future__ import annotations

import pytest

from labjournal.config import (
    DEFAULT_ENV_DIR,
    SecretRef,
    known_environments,
    load_environment,
)
from labjournal.errors import ConfigError

SHIPPED = ["local", "podman", "tp4", "tp5", "ws2016", "ws2019", "ws2022", "ws2025"]


def test_every_shipped_environment_loads():
    assert set(SHIPPED) <= set(known_environments(DEFAULT_ENV_DIR))
    for name in SHIPPED:
        env = load_environment(name)
        assert env.name == name
        assert env.platform in ("linux", "windows")


@pytest.mark.parametrize(("name", "image"), [
    ("tp4", "windowsservercore:10.0.10586.0"),
    ("tp5", "windowsservercore:10.0.14300.1000"),
    ("ws2016", "mcr.microsoft.com/windows/servercore:ltsc2016"),
    ("ws2019", "mcr.microsoft.com/windows/servercore:ltsc2019"),
    ("ws2022", "mcr.microsoft.com/windows/servercore:ltsc2022"),
    ("ws2025", "mcr.microsoft.com/windows/servercore:ltsc2025"),
])
def test_windows_templates_carry_the_builds_base_image(name, image):
    env = load_environment(name)
    assert env.platform == "windows"
    assert env.base_image.name == image
    assert env.shell.kind == "winrm"
    assert env.shell.password is not None and env.shell.password.env


def test_windows_baselines_chain_back_to_tp5():
    assert load_environment("ws2016").baseline == "tp5"
    assert load_environment("ws2025").baseline == "ws2022"


MINIMAL = "name: x\nplatform: linux\nbuild: docker-20.10\n"


def test_minimal_file_gets_defaults(write_env):
    env = load_environment(str(write_env("x", MINIMAL)))
    assert env.engine.url is None and env.shell.kind == "local"
    assert env.timeouts.connect == 10
    assert env.base_image.obtain == "build"


@pytest.mark.parametrize(("text", "key", "problem"), [
    ("name: x\nbuild: b\n", "platform", "is required"),
    ("name: x\nplatform: macos\nbuild: b\n", "platform", "not one of"),
    (MINIMAL + "colour: blue\n", "colour", "unknown key"),
    (MINIMAL + "engine: {url: 'ftp://h'}\n", "engine.url", "not an engine address"),
    (MINIMAL + "engine: {url: 'tcp://h:2376', context: c}\n", "engine", "not both"),
    (MINIMAL + "engine: {tls: {cert: a.pem}}\n", "engine.tls", "cert and key go together"),
    (MINIMAL + "timeouts: {build: -1}\n", "timeouts.build", "positive number"),
    (MINIMAL + "timeouts: {bild: 3}\n", "timeouts.bild", "unknown key"),
    (MINIMAL + "shell: {kind: winrm}\n", "shell.endpoint", "needs an endpoint"),
    (MINIMAL + "shell: {kind: winrm, endpoint: 'http://h:5985/wsman', transport: basic}\n",
     "shell.transport", "only over https"),
    (MINIMAL + "shell: {kind: winrm, endpoint: 'https://h/wsman', password: hunter2}\n",
     "shell.password", "never written in the YAML"),
    (MINIMAL + "shell: {kind: local, password: {env: A, file: b}}\n", "shell.password",
     "exactly one"),
    ("name: x\nplatform: linux\nbuild: 'Docker 20'\n", "build", "not a build key"),
    ("- just\n- a list\n", "(top level)", "expected a mapping"),
])
def test_bad_files_name_file_key_and_problem(write_env, text, key, problem):
    path = write_env("bad", text)
    with pytest.raises(ConfigError) as info:
        load_environment(str(path))
    message = str(info.value)
    assert "bad.yaml" in message
    assert f"key '{key}'" in message
    assert problem in message
    assert "what to do" in message


def test_yaml_syntax_error_names_the_file_and_position(write_env):
    path = write_env("broken", "name: [x\nplatform: linux\n")
    with pytest.raises(ConfigError,
                       match=r"broken.yaml: not valid YAML at line 2, column 9: expected"):
        load_environment(str(path))


def test_unknown_environment_lists_known_ones():
    with pytest.raises(ConfigError) as info:
        load_environment("no-such-host")
    assert "unknown lab host 'no-such-host'" in str(info.value)
    assert "local, podman" in str(info.value)


def test_relative_tls_paths_resolve_next_to_the_file(write_env, tmp_path):
    path = write_env("t", MINIMAL + "engine: {url: 'tcp://h:2376', tls: {ca: certs/ca.pem}}\n")
    env = load_environment(str(path))
    assert env.engine.tls.ca == tmp_path / "certs" / "ca.pem"


def test_secret_from_env_and_file_never_in_repr(monkeypatch, tmp_path):
    monkeypatch.setenv("LJ_TEST_SECRET", "s3cr3t-value")
    ref = SecretRef(env="LJ_TEST_SECRET", origin="x.yaml")
    assert ref.resolve() == "s3cr3t-value"
    assert "s3cr3t" not in repr(ref)
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-file\n")
    assert SecretRef(file=str(secret_file)).resolve() == "from-file"


def test_missing_secret_says_which_variable(monkeypatch):
    monkeypatch.delenv("LJ_UNSET_SECRET", raising=False)
    with pytest.raises(ConfigError, match="LJ_UNSET_SECRET is not set"):
        SecretRef(env="LJ_UNSET_SECRET", origin="x.yaml").resolve()


def test_secret_file_reference_is_resolved_relative_to_the_yaml(write_env, tmp_path):
    (tmp_path / "pw.txt").write_text("pw\n")
    path = write_env("w", MINIMAL + "shell: {kind: winrm, endpoint: 'https://h/wsman', "
                     "password: {file: pw.txt}}\n")
    env = load_environment(str(path))
    assert env.shell.password.resolve() == "pw"
    assert env.secrets == [env.shell.password]
