"""One exception root and the located problem type.

Every error a user can cause is a :class:`CrmdefsError` whose message says what is wrong and what to do.
``__main__.main`` is the only place these become output and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from crmdefs.words import plural


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located at ``path:line:column`` (1-based).

    ``message`` says what is wrong; ``hint`` says what to do. Rendered as
    ``path:line:column: message — hint``.
    """

    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        text = f"{where}: {prefix}{self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class CrmdefsError(Exception):
    """Root of every expected failure. ``str(error)`` is a complete, user-facing message."""


class ProblemsError(CrmdefsError):
    """Input files have problems; ``problems`` lists all of them (errors and warnings)."""

    def __init__(self, problems: list[Problem], what: str = "definitions", *, strict: bool = False) -> None:
        self.problems = sorted(problems)
        self.what = what
        self.strict = strict  # warnings alone caused the failure (validate --strict)
        self.errors = sum(1 for p in self.problems if p.severity is Severity.ERROR)
        self.warnings = len(self.problems) - self.errors
        super().__init__(self.summary())

    def summary(self) -> str:
        counts = f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"
        cause = " (warnings fail with --strict)" if self.strict else ""
        return f"{counts} in {self.what}{cause} — fix them and run the command again"


class BindingsError(ProblemsError):
    """Bindings name fields, record types or business processes a target does not have
    (plan/resolve.py)."""

    def __init__(self, problems: list[Problem], target: str) -> None:
        super().__init__(problems, f"the bindings for target '{target}'")

    def __str__(self) -> str:  # where one text is shown (a drift target's error): every problem too
        return "\n".join([self.summary(), *(f"    {p.render()}" for p in self.problems)])


class ConfigError(CrmdefsError):
    """crmdefs.yaml or the environment is missing something or is wrong."""


class CredentialsError(ConfigError):
    """A target's credentials are missing from the environment."""


# --- command line -----------------------------------------------------------------------------------


class OptionsError(CrmdefsError):
    """Options that cannot go together, or that name something the project does not have."""


class ApplyCancelled(CrmdefsError):
    """Nobody confirmed an apply (the answer was not 'yes', or there was no terminal to ask)."""


class Interrupted(CrmdefsError):
    """Ctrl-C stopped the command cleanly (exit 130); the message says what was and was not written."""


class StoppedAtOnce(BaseException):
    """A second Ctrl-C during apply or revert, or one while a target is read: stop without waiting for the
    calls in flight (exit 130).

    Not a CrmdefsError, nor an Exception: no ``except Exception`` on its way out may hold it up, and
    ``__main__.main`` ends the process at once rather than wait for the writers' threads."""


class LockedError(CrmdefsError):
    """Another apply or revert of the same target is running (apply/lock.py)."""


class OutputError(CrmdefsError):
    """A file crmdefs was asked to write cannot be written (or would overwrite one it must not)."""


# --- files crmdefs writes and reads back (one home each; see README "Files crmdefs keeps") ---------


class FileFormatError(CrmdefsError):
    """A file crmdefs wrote earlier (plan, backup, state, baseline, mapping) cannot be used."""


class PlanFileError(FileFormatError):
    """A saved plan cannot be used."""


class StalePlanError(CrmdefsError):
    """The CRM changed after the plan was made."""


class BackupError(FileFormatError):
    """A backup file cannot be used."""


class StateFileError(FileFormatError):
    """The applied-state file drift reads cannot be used."""


class BaselineError(FileFormatError):
    """A drift baseline cannot be used."""


class MappingError(CrmdefsError):
    """A free-text → code mapping cannot be made or used."""


# --- talking to a CRM ---------------------------------------------------------------------------------


class CrmApiError(CrmdefsError):
    """A CRM refused in a way crmdefs cannot work around; the message names target, field, what to do."""


class DailyLimitError(CrmApiError):
    """HubSpot's 429 with policyName DAILY: never retried (docs/hubspot.md#hs-429-body)."""


class StopAll(CrmApiError):
    """A refusal every further call would get too (daily limit, rejected token): stop calling."""


class RetriesExhausted(Exception):
    """A retryable failure that kept failing; ``last`` is the final error, ``attempts`` the calls made.
    Internal to an adapter, which turns it into a :class:`CrmApiError` naming the target."""

    def __init__(self, last: BaseException, attempts: int) -> None:
        super().__init__(f"gave up after {plural(attempts, 'attempt')}: {type(last).__name__}")
        self.last = last
        self.attempts = attempts


class WebhookError(CrmdefsError):
    """The drift report could not be posted, or the webhook URL is refused."""


# --- the sandbox ------------------------------------------------------------------------------------


class SandboxStateError(CrmdefsError):
    """The sandbox's state directory or connection file cannot be used."""


class FaultSettingsError(CrmdefsError, ValueError):
    """A CRMDEFS_SANDBOX_* fault knob has a value that cannot be used."""
