"""How this run behaves, as the environment says: retries, timeouts, colour, the sandbox's options and
fault knobs, and the secrets the targets name. Read once, at the edge (config.load_settings); nothing
below it reads the environment."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from crmdefs.debuglog import remember_secret
from crmdefs.errors import CredentialsError
from crmdefs.sandbox.options import FaultPlan, SandboxOptions


class EnvSecrets(Mapping[str, str]):
    """The environment variables that targets name for their secrets, copied once. Never shown: its repr
    is redacted and each value is registered with the --debug redactor as it is read."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})
        for value in self._values.values():
            remember_secret(value)

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"EnvSecrets({sorted(self._values)})"

    def __reduce__(self) -> Any:
        raise TypeError("secrets cannot be pickled or serialized")


DEFAULT_RETRIES = 5
MAX_RETRIES = 20
MAX_HTTP_TIMEOUT = 3600.0


@dataclass(frozen=True, kw_only=True)
class Runtime:
    """How this run behaves, as the environment says: read once by :func:`read_runtime`."""

    max_retries: int = DEFAULT_RETRIES  # CRMDEFS_MAX_RETRIES: retries of a 429/5xx/dropped connection
    http_timeout: float | None = None  # CRMDEFS_HTTP_TIMEOUT: read timeout; None = each client's default
    no_color: bool = False  # NO_COLOR (https://no-color.org): set = never colour
    ci: bool = False  # CI (set by GitHub Actions, GitLab CI…): never ask questions (`crmdefs init`)
    sandbox: SandboxOptions = field(default_factory=SandboxOptions)  # CRMDEFS_SANDBOX_HUBSPOT_*
    faults: FaultPlan = field(default_factory=FaultPlan)  # CRMDEFS_SANDBOX_* fault knobs
    secrets: EnvSecrets = field(default_factory=EnvSecrets)  # the variables the targets name


def read_runtime(environ: Mapping[str, str], secret_names: Iterable[str] = ()) -> Runtime:
    """Everything crmdefs reads from the environment besides click's own options (CRMDEFS_CONFIG,
    CRMDEFS_TARGET, CRMDEFS_DEBUG); ``secret_names`` are the variables the targets name for their
    secrets. A bad value is refused here, naming the variable."""
    names = set(secret_names)
    return Runtime(
        max_retries=_max_retries(environ),
        http_timeout=_http_timeout(environ),
        no_color="NO_COLOR" in environ,
        ci=environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"),
        sandbox=SandboxOptions.from_env(environ),
        faults=FaultPlan.from_env(environ),
        secrets=EnvSecrets({name: environ[name] for name in sorted(names) if name in environ}),
    )


def _max_retries(environ: Mapping[str, str]) -> int:
    text = environ.get("CRMDEFS_MAX_RETRIES", "").strip()
    if not text:
        return DEFAULT_RETRIES
    if not text.isdigit() or int(text) > MAX_RETRIES:
        raise CredentialsError(
            f"CRMDEFS_MAX_RETRIES must be a whole number from 0 to {MAX_RETRIES}, not {text!r}"
        )
    return int(text)


def _http_timeout(environ: Mapping[str, str]) -> float | None:
    text = environ.get("CRMDEFS_HTTP_TIMEOUT", "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_HTTP_TIMEOUT:  # also refuses nan and inf
        raise CredentialsError(
            f"CRMDEFS_HTTP_TIMEOUT must be a number of seconds above 0 and at most {MAX_HTTP_TIMEOUT:g}, "
            f"not {text!r}"
        )
    return seconds
