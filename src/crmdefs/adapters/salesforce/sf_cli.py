"""Reusing the session of an `sf org login` (the Salesforce CLI): the instance URL from `sf org display`,
the access token from `sf org auth show-access-token`.

Since sf 2.136.8 (May 2026) `sf org display --json` prints a placeholder ("[REDACTED] Use 'sf org auth
show-access-token' to view") where the token was; the token comes from the dedicated command, which `--json`
runs without its confirmation prompt. Older CLIs lack that command but still print the token in `org
display`, so that token is used when, and only when, it is not the placeholder
(docs/salesforce.md#sf-cli-token-redacted). The commands' output holds the token: it is parsed, never
printed, and never attached to an error.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from crmdefs.config import Secret
from crmdefs.errors import CredentialsError

TIMEOUT = 120  # seconds: the CLI may refresh an expired session before it answers


def sf_cli_login(target: str, alias: str) -> tuple[str, Secret]:
    """(instance URL, access token) of the org the CLI knows as ``alias``."""
    binary = shutil.which("sf")
    if binary is None:
        raise CredentialsError(
            f"target '{target}': auth 'sf_cli' needs the Salesforce CLI (`sf`) on PATH — "
            "install it or use another auth mode"
        )
    shown = _run(binary, ["org", "display", "--json", "--target-org", alias])
    url = shown.get("instanceUrl") if shown is not None else None
    if shown is None or not isinstance(url, str) or not url:
        raise CredentialsError(
            f"target '{target}': `sf org display --target-org {alias}` failed{_said(shown)} — "
            f"run `sf org login web --alias {alias}`"
        )
    dedicated = _run(binary, ["org", "auth", "show-access-token", "--target-org", alias, "--json"])
    token = _usable(dedicated.get("accessToken") if dedicated is not None else None) or _usable(
        shown.get("accessToken")
    )
    if token is None:
        raise CredentialsError(
            f"target '{target}': `sf org auth show-access-token --target-org {alias}` gave no access "
            f"token{_said(dedicated)} — run `sf org login web --alias {alias}`, or update the Salesforce CLI"
        )
    return url, Secret(token)


def _run(binary: str, args: list[str]) -> dict[str, Any] | None:
    """The ``result`` of ``sf ARGS`` (with its ``message`` under ``"message"`` when it failed), or None
    when the command gave no JSON object at all."""
    try:
        done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False)
        data = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None  # never chained: the output may hold the token
    if not isinstance(data, dict):
        return None
    if done.returncode != 0 or data.get("status") not in (0, None):
        return {"message": str(data.get("message") or "")}
    result = data.get("result")
    return dict(result) if isinstance(result, dict) else {}


def _usable(token: Any) -> str | None:
    """A real access token: not missing, not the CLI's placeholder (it starts with "[REDACTED]" and holds
    spaces; a real token never does)."""
    if (
        not isinstance(token, str)
        or not token
        or token.startswith("[REDACTED")
        or any(c.isspace() for c in token)
    ):
        return None
    return token


def _said(answer: dict[str, Any] | None) -> str:
    message = (answer or {}).get("message")
    return f": {message}" if isinstance(message, str) and message else ""
