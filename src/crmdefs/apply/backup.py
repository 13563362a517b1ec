"""The backup file: one home for its format. apply writes one before any CRM write; `crmdefs revert`
reads it back.

Format (``format_version`` 1.0): ``{"format_version", "target", "created_at", "definitions_digest",
"fields": [the prior state of every touched field], "records": [{"address", "id", "old", "new"}]}`` —
``records`` lists every record a migration changed, added before the first record changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdefs.adapters.base import RecordChange, RecordFailure
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import BackupError, CrmdefsError
from crmdefs.files import check_version, each, json_object, unusable, write_json
from crmdefs.plan.changes import Plan
from crmdefs.plan.state import FieldState, field_state_from_json

BACKUP_FORMAT = "1.0"


def backup_folder(project_root: Path, target: str) -> Path:
    return project_root / ".crmdefs" / "backups" / target


def backup_stamp(when: dt.datetime) -> str:
    """A backup's file name: sortable, unique to the microsecond."""
    return when.strftime("%Y%m%dT%H%M%S.%fZ")


@dataclass(frozen=True)
class Backup:
    target: str
    created_at: str
    fields: tuple[FieldState, ...]
    records: tuple[RecordChange, ...] = ()  # records a migration changed: revert sets ``old`` again


def write_backup(folder: Path, plan: Plan, states: Mapping[FieldAddress, FieldState], stamp: str) -> Path:
    """The prior state of every field ``plan`` touches, so the change can be reverted (`crmdefs revert`)."""
    fields = [states[c.address].to_json() for c in plan.changes]
    return _write(folder / f"{stamp}.json", plan.target, stamp, plan.definitions_digest, fields, [])


def write_records_backup(folder: Path, target: str, stamp: str, records: Sequence[RecordChange]) -> Path:
    """A backup holding only records (a mapping migration changes no field definition)."""
    return _write(folder / f"{stamp}.json", target, stamp, "", [], [_record_json(c) for c in records])


def add_backup_records(backup: Path, changes: Sequence[RecordChange]) -> None:
    """Add records about to change to an existing backup (before the first of them changes)."""
    data = _read(backup)
    data["records"] = [*data.get("records", []), *(_record_json(c) for c in changes)]
    write_json(backup, data)


def drop_backup_records(backup: Path, failures: Sequence[RecordFailure]) -> None:
    """Take out of a backup the records a CRM answered it did not update (``unchanged``): they were never
    changed, so a revert must not write them; records whose outcome is not known stay."""
    left_alone = {(f.address, i) for f in failures if f.unchanged for i in f.record_ids}
    if not left_alone:
        return
    data = _read(backup)
    data["records"] = [
        r for r in data.get("records", []) if (r.get("address"), r.get("id")) not in left_alone
    ]
    write_json(backup, data)


def _write(
    path: Path, target: str, stamp: str, digest: str, fields: list[Any], records: list[dict[str, Any]]
) -> Path:
    data = {
        "format_version": BACKUP_FORMAT,
        "target": target,
        "created_at": stamp,
        "definitions_digest": digest,
        "fields": fields,
        "records": records,  # filled before any record is migrated: revert sets these old values back
    }
    write_json(path, data)  # written whole or not at all, before any CRM write
    return path


def _record_json(c: RecordChange) -> dict[str, Any]:
    return {"address": c.address, "id": c.record_id, "old": c.old, "new": c.new}


def load_backup(path: Path) -> Backup:
    """Read a backup; any damage (or a format this crmdefs does not read) is a :class:`BackupError`."""
    try:
        data = _read(path)
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


def _read(path: Path) -> dict[str, Any]:
    data = json_object(path.read_text(encoding="utf-8"))
    check_version(data, BACKUP_FORMAT)
    return data


def _record(r: dict[str, Any]) -> RecordChange:
    return RecordChange(str(parse_address(r["address"])), str(r["id"]), r.get("old"), r.get("new"))
