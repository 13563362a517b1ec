"""The plan as documented data (README "Plan and apply"): what changes per field, before → after, with
the skips and the fingerprint of the state it was made on. Built by plan.compute_plan; apply executes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from crmdefs.definitions.model import CreateSpec, FieldAddress
from crmdefs.plan.state import FieldState, ValueState

FORMAT_VERSION = "1.0"


class ValueChangeKind(str, Enum):
    ADD = "add"
    RELABEL = "relabel"
    REDESCRIBE = "redescribe"
    DEACTIVATE = "deactivate"  # Salesforce: isActive false; HubSpot: hidden. Never a delete.
    REACTIVATE = "reactivate"
    SET_DEFAULT = "set_default"
    UNSET_DEFAULT = "unset_default"
    UPDATE_ATTRIBUTES = "update_attributes"  # Salesforce stage/status attributes
    REORDER = "reorder"


@dataclass(frozen=True)
class AttributeChange:
    attribute: str  # label | help_text | description
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ValueChange:
    kind: ValueChangeKind
    value: str  # the value's API name / internal value ("" for reorder)
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class RecordTypeChange:
    record_type: str
    add: tuple[str, ...]  # values the record type must start offering


@dataclass(frozen=True)
class Skip:
    attribute: str  # label | help_text | description | values | field | record_types
    reason: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class Migration:
    """Records holding ``old`` move to ``new`` (a value's ``renamed_from``), then ``old`` is deactivated.
    Done only by `apply --migrate-records`; without it, the plan shows it as pending."""

    old: str
    new: str
    records: int | None  # None = not counted


@dataclass(frozen=True)
class PathChange:
    """Path "Guidance for Success" of one stage on one record type's path (``__MASTER__`` = master)."""

    record_type: str
    stage: str
    before: str | None
    after: str


@dataclass(frozen=True)
class FieldPlan:
    address: FieldAddress
    action: str  # create | update | none
    fingerprint: str  # of the state the plan was computed on; "" when the field does not exist
    attributes: tuple[AttributeChange, ...] = ()
    value_changes: tuple[ValueChange, ...] = ()
    record_types: tuple[RecordTypeChange, ...] = ()
    skips: tuple[Skip, ...] = ()
    warnings: tuple[str, ...] = ()
    target_values: tuple[ValueState, ...] | None = None  # the whole list to write, when values change
    create: CreateSpec | None = None
    migrations: tuple[Migration, ...] = ()  # to run (plan made with --migrate-records) or pending
    usage: Mapping[str, int] = field(default_factory=dict)  # records per value, for values it retires
    path_changes: tuple[PathChange, ...] = ()

    @property
    def has_changes(self) -> bool:
        return self.action != "none"


@dataclass(frozen=True)
class Summary:
    add: int = 0
    change: int = 0
    deactivate: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"{self.add} to add, {self.change} to change, {self.deactivate} to deactivate, "
            f"{self.skipped} skipped"
        )


@dataclass(frozen=True)
class Plan:
    target: str
    definitions_digest: str
    created_at: str
    fields: tuple[FieldPlan, ...]
    format_version: str = FORMAT_VERSION
    read_fingerprints: Mapping[str, str] = field(default_factory=dict)
    migrate_records: bool = False  # made with --migrate-records: migrations run on apply
    # The state each changed field was planned on, so a stale plan can say what moved and how.
    before: Mapping[str, FieldState] = field(default_factory=dict)

    @property
    def changes(self) -> tuple[FieldPlan, ...]:
        return tuple(f for f in self.fields if f.has_changes)

    def summary(self) -> Summary:
        add = change = deactivate = skipped = 0
        for f in self.fields:
            skipped += len(f.skips)
            if f.action == "create":
                add += 1
                continue
            change += len(f.attributes) + len(f.record_types) + len(f.path_changes)
            change += len(f.migrations) if self.migrate_records else 0
            for v in f.value_changes:
                if v.kind is ValueChangeKind.ADD:
                    add += 1
                elif v.kind is ValueChangeKind.DEACTIVATE:
                    deactivate += 1
                else:
                    change += 1
        return Summary(add, change, deactivate, skipped)
