"""The sandbox's one state file: both CRMs' data plus the access token, persisted atomically after every
change so that separate crmdefs invocations see one continuous org."""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crmdefs.errors import SandboxStateError

STATE_FILE = "state.json"
STATE_FORMAT = 1


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working directory."""
    return os.path.relpath(path)


class SandboxState:
    """``data`` = {"format", "token", "salesforce": {...}, "hubspot": {...}}; hold ``lock`` while using it."""

    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data
        self.lock = threading.RLock()
        self._seen = _stamp(folder / STATE_FILE)  # the file as we last read or wrote it

    def refresh(self) -> None:
        """Take the state file again if another process replaced it since we read or wrote it: `crmdefs
        sandbox reset` while `sandbox serve` runs resets what serve serves. One stat per request."""
        path = self.folder / STATE_FILE
        with self.lock:
            stamp = _stamp(path)
            if stamp is None or stamp == self._seen:
                return
            fresh = SandboxState.open(self.folder, lambda: {})
            self.data, self._seen = fresh.data, stamp

    @property
    def token(self) -> str:
        return str(self.data["token"])

    @classmethod
    def open(cls, folder: Path, seed: Callable[[], dict[str, Any]]) -> SandboxState:
        """Load the state in ``folder``, or create it from ``seed`` on first use."""
        path = folder / STATE_FILE
        if not path.exists():
            state = cls(folder, new_state(seed))
            state.save()
            return state
        hint = "run `crmdefs sandbox reset` to restore the seeded demo org"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SandboxStateError(f"sandbox state {shown(path)} is unreadable ({exc}) — {hint}") from exc
        if (
            not isinstance(data, dict)
            or data.get("format") != STATE_FORMAT
            or not all(
                isinstance(data.get(key), expected)
                for key, expected in (("token", str), ("salesforce", dict), ("hubspot", dict))
            )
        ):
            raise SandboxStateError(
                f"sandbox state {shown(path)} is not a crmdefs sandbox state (format {STATE_FORMAT}) — {hint}"
            )
        return cls(folder, data)

    def save(self) -> None:
        with self.lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / STATE_FILE
            tmp = path.with_suffix(".json.tmp")
            # Compact: saved after every change, and an org of 7,000 fields takes 0.45 s to save indented
            # and sorted against 0.06 s as it is (bench/). `python -m json.tool` shows it for a person.
            tmp.write_text(json.dumps(self.data, separators=(",", ":")), encoding="utf-8")
            tmp.replace(path)  # atomic: a crash never leaves half a state file
            self._seen = _stamp(path)

    def reset(self, seed: Callable[[], dict[str, Any]]) -> None:
        with self.lock:
            token = self.data.get("token")
            self.data = new_state(seed)
            if isinstance(token, str):
                self.data["token"] = token  # keep clients that already know the token working
            self.save()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of the state file from the next: each save replaces the file (new inode)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def new_state(seed: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return {"format": STATE_FORMAT, "token": "sbx_" + secrets.token_urlsafe(24), **seed()}


class StateView:
    """What both CRMs' stores share: the state, its lock and token, saving, and the injected save
    failures (``FaultPlan.fail_components``: components or properties whose save fails)."""

    def __init__(self, state: SandboxState, failing: frozenset[str] = frozenset()) -> None:
        self.state = state
        self.failing = failing

    @property
    def lock(self) -> threading.RLock:
        return self.state.lock

    @property
    def token(self) -> str:
        return self.state.token

    def save(self) -> None:
        self.state.save()  # after every successful change
