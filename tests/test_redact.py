"""Secrets referenced by a selected environment never reach reports/ (real runs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from labjournal.config import load_environment
from labjournal.redact import MASK, Redactor, secret_values
from tests.conftest import ROOT, journal_env, run_pytest

SECRET = "s3cr3t-Pa55-7q"

FEATURE = f'''@build
Feature: A build log that shows a credential
  A Dockerfile echoes the WinRM password into a path; the host reports it back.

  @build-secret-echo
  Scenario: the credential comes back in the build log and the working directory
    Given a Dockerfile with:
      """
      WORKDIR /opt/{SECRET}
      RUN echo "password={SECRET}"
      """
    When the image is built
    Then the build succeeds
    And the image's working directory is "/elsewhere"
'''


def vault_env(directory: Path) -> Path:
    """A Linux host (a copy of local) whose shell references a password variable."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "environments" / "local.yaml").read_text()
    text = text.replace("name: local", "name: vault").replace(
        "shell:\n  kind: local",
        "shell:\n  kind: local\n  username: Administrator\n"
        "  password: {env: LABJOURNAL_TEST_PASSWORD}")
    path = directory / "vault.yaml"
    path.write_text(text)
    return path


def test_redactor_replaces_raw_repr_and_json_forms(tmp_path):
    secret = 'pa"ss\\word'
    r = Redactor([secret])
    assert r.text(f"x {secret} y") == f"x {MASK} y"
    assert MASK in r.text(repr(f"--{secret}--"))
    assert secret not in json.dumps(r.data({"a": [f"{secret}!"]}))
    f = tmp_path / "a.txt"
    f.write_text(json.dumps({"m": secret}))
    assert r.file(f) and "word" not in f.read_text()
    assert not Redactor([])


def test_secret_values_only_for_set_sources(tmp_path, monkeypatch):
    env = load_environment(str(vault_env(tmp_path)))
    monkeypatch.delenv("LABJOURNAL_TEST_PASSWORD", raising=False)
    assert secret_values([env]) == []
    monkeypatch.setenv("LABJOURNAL_TEST_PASSWORD", SECRET)
    assert secret_values([env]) == [SECRET]


def test_password_never_reaches_reports(journal_copy, tmp_path):
    root = journal_copy({"features/build/secret_echo.feature": FEATURE,
                         "features/build/test_build.py":
                         (ROOT / "features/build/test_build.py").read_text()},
                        keep_features=False)
    envs = tmp_path / "envs"
    vault_env(envs)
    for path in (ROOT / "environments").glob("*.yaml"):  # every build key (tp4, tp5...)
        shutil.copy(path, envs / path.name)
    env = journal_env(LABJOURNAL_ENV_DIR=str(envs), LABJOURNAL_TEST_PASSWORD=SECRET)
    proc = run_pytest("features", "--env", "vault", cwd=root, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out  # the working directory differs: changed
    assert "1 changed" in out
    assert SECRET not in out
    assert MASK in out

    reports = root / "reports"
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-result.json") for p in files)
    leaks = [p for p in files if SECRET.encode() in p.read_bytes()]
    assert leaks == []
    # the secret really went through: its place is marked in results and attachments
    marked = [p for p in files if MASK.encode() in p.read_bytes()]
    assert any(p.name.endswith("-attachment.txt") for p in marked)
    assert any(p.name == "verdicts.jsonl" for p in marked)
    result = next(json.loads(p.read_text()) for p in files if p.name.endswith("-result.json"))
    assert result["status"] == "failed"
    assert MASK in result["statusDetails"]["message"]

    # the site built from these results: still nothing to find
    site = subprocess.run([str(ROOT / ".venv/bin/labjournal"), "report", "--reports",
                           str(reports), "--features", str(root / "features")],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)
    assert site.returncode == 0, site.stderr
    leaks = [p for p in reports.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == []
