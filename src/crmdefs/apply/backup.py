"""Backups written by apply, read back by `crmdefs revert`: the prior state of every touched field.

Reverting plans the way back like any other change. crmdefs never deletes, so: values an apply added are
deactivated (Salesforce) or hidden (HubSpot) on revert, fields it created stay (remove them in the CRM if
unwanted), and values it made available on record types stay available.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdefs.adapters.base import RecordChange
from crmdefs.definitions.addresses import parse_address
from crmdefs.errors import CrmdefsError
from crmdefs.files import each, json_object, unusable
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, field_state_from_json


class BackupError(CrmdefsError):
    """A backup file cannot be used."""


@dataclass(frozen=True)
class Backup:
    target: str
    created_at: str
    fields: tuple[FieldState, ...]
    records: tuple[RecordChange, ...] = ()  # records a migration changed: revert sets ``old`` again


def load_backup(path: Path) -> Backup:
    try:
        data = json_object(path.read_text(encoding="utf-8"))
        return Backup(
            str(data["target"]),
            str(data["created_at"]),
            each("fields", data["fields"], field_state_from_json),
            each("records", data.get("records", []), _record),
        )
    except OSError as exc:
        raise BackupError(
            f"cannot read backup {path} ({exc.strerror or exc}) — backups are in .crmdefs/backups/<target>/"
        ) from exc
    except (ValueError, KeyError, TypeError, AttributeError, CrmdefsError) as exc:
        raise BackupError(
            f"{unusable(str(path), 'crmdefs backup', exc)} — pick a file from .crmdefs/backups/<target>/"
        ) from exc


def _record(r: dict[str, Any]) -> RecordChange:
    return RecordChange(str(parse_address(r["address"])), str(r["id"]), r.get("old"), r.get("new"))


def desired_from_backup(backup: Backup) -> tuple[list[DesiredField], list[str]]:
    """The fields as they were, as desired state; plus notes for what a revert cannot undo."""
    desired: list[DesiredField] = []
    notes: list[str] = []
    for state in backup.fields:
        if not state.exists:
            notes.append(
                f"{state.address} was created by that apply; crmdefs never deletes fields — remove it "
                "in the CRM if it is not wanted"
            )
            continue
        values = None
        if state.values is not None:
            values = tuple(
                DesiredValue(
                    value=v.value,
                    label=v.label,
                    description=v.description or "",
                    default=v.default,
                    attributes=dict(v.attributes),
                    active=v.active,
                )
                for v in state.values
            )
        desired.append(
            DesiredField(
                address=state.address,
                label=state.label or "" if "label" not in state.read_only else None,
                help_text=state.help_text or "" if "help_text" not in state.read_only else None,
                description=state.description or "" if "description" not in state.read_only else None,
                values=values,
                unlisted_values="deactivate",  # values added since the backup: deactivate/hide, never delete
            )
        )
    return desired, notes
