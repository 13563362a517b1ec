"""The drift baseline file: one home for its format. `drift --write-baseline` writes the differences a
team accepts; `drift --baseline` reads them back and hides them until they expire.

Format (``format_version`` 1.0): ``{"format_version", "created_at", "entries": [{"target", "address",
"item", "key", "expires"}]}``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from crmdefs.definitions.load import display_path
from crmdefs.drift.classify import Baseline, BaselineEntry
from crmdefs.errors import BaselineError
from crmdefs.files import check_version, each, json_object, unusable, write_atomic

BASELINE_FORMAT = "1.0"


def load_baseline(path: Path) -> Baseline:
    """Read a baseline; any damage (or a format this crmdefs does not read) is a :class:`BaselineError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(
            f"cannot read the drift baseline {display_path(path)} ({getattr(exc, 'strerror', None) or exc}) "
            "— check --baseline, or write one with `crmdefs drift --write-baseline FILE`"
        ) from exc
    try:
        data = json_object(text)
        check_version(data, BASELINE_FORMAT)
        return Baseline(each("entries", data["entries"], _entry))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(
            f"{unusable(display_path(path), 'drift baseline', exc)} — write one with "
            "`crmdefs drift --write-baseline FILE`"
        ) from exc


def _entry(e: dict[str, Any]) -> BaselineEntry:
    expires = dt.date.fromisoformat(e["expires"]) if e.get("expires") else None
    return BaselineEntry(str(e["target"]), str(e["address"]), str(e["item"]), str(e["key"]), expires)


def save_baseline(path: Path, baseline: Baseline, now: str) -> None:
    entries = [
        {
            "target": e.target,
            "address": e.address,
            "item": e.item,
            "key": e.key,
            "expires": e.expires.isoformat() if e.expires else None,
        }
        for e in baseline.entries
    ]
    data = {"format_version": BASELINE_FORMAT, "created_at": now, "entries": entries}
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
