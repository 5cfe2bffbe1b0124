"""One error hierarchy for labjournal.

Every error names what failed, where (the lab host and endpoint), and what to do.
Each type maps to its own Allure status (see ``allure_status`` and docs/verdicts.md):

* :class:`ConfigError`      bad environment YAML or options: the run stops before any test.
* :class:`HostUnreachable`  nothing answered at the endpoint: ``broken``.
* :class:`LabTimeout`       the host answered too slowly: ``unknown``.
* :class:`EngineRefused`    the engine (or host shell) said no to a request: ``failed``.
* :class:`ApparatusFailed`  the harness's own apparatus failed (probe image, scenario server):
  ``broken``.
"""

from __future__ import annotations


class LabError(Exception):
    """Root of every error labjournal raises on purpose."""

    allure_status = "broken"

    def __init__(self, what: str, *, where: str = "", hint: str = "") -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.what]
        if self.where:
            parts.append(f"[{self.where}]")
        text = " ".join(parts)
        if self.hint:
            text += f"\n  what to do: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.message


class ConfigError(LabError):
    """An environment file, option or journal row is malformed or inconsistent."""

    allure_status = "broken"


class HostUnreachable(LabError):
    """The lab host or its engine did not answer (refused, unresolvable, down)."""

    allure_status = "broken"


class AuthenticationFailed(HostUnreachable):
    """The host answered but refused our credentials."""


class LabTimeout(LabError):
    """An operation on the lab host did not finish within its configured timeout."""

    allure_status = "unknown"


class EngineRefused(LabError):
    """The engine or host shell answered and refused the request."""

    allure_status = "failed"


class CommandFailed(EngineRefused):
    """A host-shell command ran and exited non-zero."""

    def __init__(self, what: str, *, where: str = "", hint: str = "",
                 exit_code: int | None = None, stdout: str = "", stderr: str = "") -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(what, where=where, hint=hint)


class ApparatusFailed(LabError):
    """The harness's own apparatus failed (probe image, base image, a scenario's server or
    helper container), so the observation could not be made: the verdict is *broken*, never
    *changed*."""

    allure_status = "broken"
