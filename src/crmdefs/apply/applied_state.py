"""What apply last wrote, per target: ``.crmdefs/state/<target>.json``. One home for its format.

drift uses it to tell "someone edited the CRM since the last apply" from "the definitions changed but were
not applied" from "never applied". Commit the folder, or keep it as a CI artifact: without it, drift
can still find differences but cannot say where they came from.

Format (``format_version`` 1.0): ``{"target", "fields": {address: {"applied_at", "desired_digest",
"crm_fingerprint", "crm_state"}}}`` — the state apply read back right after writing, and a digest of the
definitions it applied.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdefs.errors import CrmdefsError, StateFileError
from crmdefs.files import check_version, json_object, located, mapping, unusable, write_json
from crmdefs.plan.state import DesiredField, FieldState, field_state_from_json

STATE_FORMAT = "1.0"


def desired_digest(field: DesiredField) -> str:
    """A digest of what the definitions ask of one field."""
    canonical = json.dumps(dataclasses.asdict(field), sort_keys=True, default=str, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class AppliedField:
    applied_at: str
    desired_digest: str
    crm_fingerprint: str
    crm_state: FieldState


def state_path(project_root: Path, target: str) -> Path:
    return project_root / ".crmdefs" / "state" / f"{target}.json"


def load_applied(path: Path) -> dict[str, AppliedField] | None:
    """The recorded fields, or None when there is no state file."""
    if not path.exists():
        return None
    try:
        data = json_object(path.read_text(encoding="utf-8"))
        check_version(data, STATE_FORMAT)
        return {
            address: located(f"fields[{address!r}]", _applied_field, f)
            for address, f in located("'fields'", mapping, data["fields"]).items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError, CrmdefsError) as exc:
        raise StateFileError(
            f"{unusable(str(path), 'crmdefs state file', exc)} — restore it from version control, or "
            "delete it (drift then cannot classify differences)"
        ) from exc


def _applied_field(f: dict[str, Any]) -> AppliedField:
    state = field_state_from_json(f["crm_state"])
    return AppliedField(str(f["applied_at"]), str(f["desired_digest"]), str(f["crm_fingerprint"]), state)


def record_applied(
    path: Path,
    target: str,
    applied_at: str,
    desired: Mapping[str, DesiredField],
    states: Mapping[str, FieldState],
) -> None:
    """Merge the fields just applied (address → desired, read-back state) into the state file."""
    current = load_applied(path) or {}
    for address, state in states.items():
        current[address] = AppliedField(
            applied_at, desired_digest(desired[address]), state.fingerprint(), state
        )
    data: dict[str, Any] = {
        "format_version": STATE_FORMAT,
        "target": target,
        "fields": {
            address: {
                "applied_at": f.applied_at,
                "desired_digest": f.desired_digest,
                "crm_fingerprint": f.crm_fingerprint,
                "crm_state": f.crm_state.to_json(),
            }
            for address, f in sorted(current.items())
        },
    }
    write_json(path, data)
