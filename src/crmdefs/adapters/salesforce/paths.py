"""The org's Paths (PathAssistant), found per record type.

Salesforce allows one Path per object and record type, ``__MASTER__`` included, and never changes a Path's
object, field or record type (docs/salesforce.md#sf-path-one-per-record-type). A Path's name is whatever
the admin gave it and says nothing of its record type, so crmdefs lists the org's Paths (listMetadata gives
names only, docs/salesforce.md#sf-list-metadata), reads them, and matches each record type by
``entityName`` and ``recordTypeName``. Guidance goes on the Path a record type already has, in place; a
Path is created only where the record type has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.adapters.salesforce.metadata import path_name, path_steps
from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.state import path_read_only_key


def read_paths(org: OrgCalls) -> dict[str, Any]:
    """Every Path of the org by fullName: one listMetadata, then readMetadata in batches of 10 (kept for
    the write's read-modify-write)."""
    return org.read("PathAssistant", org.list_names("PathAssistant"))


def find_path(paths: Mapping[str, Any], obj: str, record_type: str) -> tuple[str, Any] | None:
    """The Path on ``obj``'s ``record_type``, whatever field it is for; names compare case-insensitively."""
    key = (obj.casefold(), record_type.casefold())
    for name in sorted(paths):
        path = paths[name]
        if (str(path.entityName or "").casefold(), str(path.recordTypeName or "").casefold()) == key:
            return name, path
    return None


def free_path_name(paths: Mapping[str, Any], obj: str, record_type: str) -> str:
    """A name for a new Path crmdefs creates (metadata.path_name), with a number added if an existing Path
    (of another record type) already has it: names are unique whatever the case."""
    base = path_name(obj, record_type)
    taken = {name.casefold() for name in paths}
    name, number = base, 2
    while name.casefold() in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def for_other_field(path: Any, address: FieldAddress) -> bool:
    return str(path.fieldName or "").casefold() != address.field.casefold()


def _where(record_type: str) -> str:
    return "the master record type" if record_type == "__MASTER__" else f"record type {record_type}"


def conflict(name: str, path: Any, address: FieldAddress, record_type: str) -> str:
    """Why guidance for ``address`` cannot go on ``record_type``: its Path ``name`` is for another field."""
    return (
        f"{_where(record_type)} of {address.object} already has the Path {name}, for "
        f"{address.object}.{path.fieldName}: Salesforce allows one Path per record type and never changes a "
        f"Path's field — rebuild {name} on {address.field} in Setup > Path Settings, or leave this record "
        "type out of path_guidance"
    )


@dataclass(frozen=True)
class FieldPaths:
    """What the org's Paths hold for one field: guidance per record type (stage → info), the record types
    whose Path is for another field (``read_only`` entries: key → why), and notes per record type."""

    guidance: dict[str, dict[str, str]] = field(default_factory=dict)
    read_only: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def field_paths(paths: Mapping[str, Any], address: FieldAddress, record_types: Sequence[str]) -> FieldPaths:
    found = FieldPaths()
    for record_type in record_types:
        match = find_path(paths, address.object, record_type)
        if match is None:
            continue  # none yet: apply creates one
        name, path = match
        if for_other_field(path, address):
            found.read_only[path_read_only_key(record_type)] = conflict(name, path, address, record_type)
            continue
        found.guidance[record_type] = path_steps(path)
        if path.active is False:
            found.notes[record_type] = (
                f"the Path {name} ({_where(record_type)}) is inactive: its guidance is updated, but users "
                "see it only once the Path is activated in Setup > Path Settings"
            )
    return found
