"""One apply at a time per target: ``.crmdefs/locks/<target>.lock``, held while apply or revert runs.

Two applies on one target would each plan from what the other is about to change, and each would take a
backup of a state the other then overwrites. The lock is a file created exclusively (``O_EXCL``), holding the
holder's pid, host and start time, so a second apply can say who holds it. A lock whose process is gone
(killed, or the machine restarted) is stale: it is taken over with a note. A lock from another host cannot
be checked from here and is never taken over.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crmdefs.errors import LockedError
from crmdefs.files import process_gone


def lock_path(project_root: Path, target: str) -> Path:
    return project_root / ".crmdefs" / "locks" / f"{target}.lock"


@contextmanager
def apply_lock(project_root: Path, target: str, note: Callable[[str], None]) -> Iterator[None]:
    """Hold the target's apply lock for the ``with`` block; raise LockedError when a live process holds
    it."""
    path = lock_path(project_root, target)
    mine = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    _take(path, target, mine, note)
    try:
        yield
    finally:
        if _holder(path) == mine:  # never remove a lock someone else took over meanwhile
            path.unlink(missing_ok=True)


def _take(path: Path, target: str, mine: dict[str, Any], note: Callable[[str], None]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # FileExistsError included: a file where the folder goes
        raise _unwritable(path, target, exc) from exc
    for _ in range(3):  # a stale lock is removed, then created again; another process may race us
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is not None and not _stale(holder):
                raise LockedError(_held_message(path, target, holder)) from None
            what = _describe(holder) if holder else "an unreadable lock file"
            note(
                f"note: took over the apply lock of target '{target}' from {what}, which is no longer running"
            )
            path.unlink(missing_ok=True)
            continue
        except OSError as exc:  # a read-only project, a full disk
            raise _unwritable(path, target, exc) from exc
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(mine, handle)
        return
    raise LockedError(f"could not take the apply lock {path} of target '{target}' — run again")


def _unwritable(path: Path, target: str, exc: OSError) -> LockedError:
    return LockedError(
        f"cannot take the apply lock {path} of target '{target}' ({exc.strerror or exc}) — make "
        f"{path.parent} a folder you can write to, then run again"
    )


def _holder(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def _stale(holder: dict[str, Any]) -> bool:
    # Another machine's process: we cannot tell whether it still runs.
    return holder.get("host") == socket.gethostname() and process_gone(holder["pid"])


def _describe(holder: dict[str, Any]) -> str:
    return f"process {holder['pid']} on {holder.get('host', '?')} (started {holder.get('started', '?')})"


def _held_message(path: Path, target: str, holder: dict[str, Any]) -> str:
    return (
        f"target '{target}' is being applied by {_describe(holder)} — wait for it to finish and run "
        f"again; if that process is no longer running, delete {path}"
    )
