"""Fixtures for labjournal's own tests (real engines; nothing is faked)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def write_env(tmp_path: Path):
    """Write an environment YAML into a temporary folder and return its path."""
    def write(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        return path
    return write


def run_pytest(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
               timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run pytest as a user would, in a subprocess, and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def journal_copy(tmp_path: Path):
    """A scratch copy of the journal (root conftest, pyproject, features/) to run pytest in.

    Returns a function taking ``{relative path: text}`` of extra or replaced feature files;
    run it with ``run_pytest(..., cwd=root, env=journal_env())``.
    """
    import shutil

    root = tmp_path / "journal"

    def make(files: dict[str, str] | None = None, keep_features: bool = True) -> Path:
        root.mkdir(exist_ok=True)
        shutil.copy(ROOT / "conftest.py", root / "conftest.py")
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        if keep_features:
            shutil.copytree(ROOT / "features", root / "features", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / "features").mkdir(exist_ok=True)
            shutil.copy(ROOT / "features" / "conftest.py", root / "features" / "conftest.py")
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root
    return make


def journal_env(**extra: str) -> dict[str, str]:
    """Environment for a pytest run in a journal copy: the project's steps importable."""
    return {"PYTHONPATH": str(ROOT), **extra}
