"""Keeping credentials out of results: every secret an environment references is redacted.

The values come from :attr:`Environment.secrets` and are read only when their source is set
(an unset variable or unreadable file has no value to leak). Every form a value can take in
our outputs is replaced: the raw text, its ``repr`` form (step parameters are reprs) and its
JSON-escaped form.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from labjournal.config import Environment, SecretRef
from labjournal.errors import ConfigError

MASK = "[redacted]"


def secret_values(envs: Iterable[Environment]) -> list[str]:
    """The values of every secret the environments reference, where they are set."""
    values: set[str] = set()
    for env in envs:
        for ref in env.secrets:
            value = _value_if_set(ref)
            if value:
                values.add(value)
    return sorted(values, key=len, reverse=True)


def _value_if_set(ref: SecretRef) -> str | None:
    if ref.env and ref.env not in os.environ:
        return None
    if ref.file and not Path(ref.file).is_file():
        return None
    try:
        return ref.resolve()
    except ConfigError:
        return None


class Redactor:
    """Replaces secret values (and their escaped forms) in text, JSON and files."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for s in secrets:
            if s:
                forms.update({s, repr(s)[1:-1], json.dumps(s)[1:-1]})
        self.forms = sorted(forms, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def text(self, value: str) -> str:
        for form in self.forms:
            if form in value:
                value = value.replace(form, MASK)
        return value

    def data(self, value: Any) -> Any:
        """A copy of a JSON-like structure with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.data(v) for v in value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value

    def file(self, path: Path) -> bool:
        """Redact a file in place (bytes-level, any encoding of UTF-8 text); True if changed."""
        if not self.forms or not path.is_file():
            return False
        data = original = path.read_bytes()
        for form in self.forms:
            data = data.replace(form.encode("utf-8"), MASK.encode())
        if data == original:
            return False
        tmp = path.with_name(path.name + ".redact")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return True

    def tree(self, root: Path) -> int:
        """Redact every file under ``root``; the number of files changed."""
        if not self.forms or not root.exists():
            return 0
        return sum(self.file(p) for p in root.rglob("*") if p.is_file())
