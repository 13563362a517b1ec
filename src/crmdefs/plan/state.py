"""What a CRM field looks like, normalized: the common ground of both adapters and the pure diff.

Adapters turn Salesforce metadata and HubSpot properties into :class:`FieldState`; desired.py turns the
glossary into :class:`DesiredField`; diff.py compares the two. Text is normalized here, once, so that an
org crmdefs has just written plans to zero changes: line endings become ``\\n``, trailing spaces on each
line and blank lines at either end go (Salesforce trims saved strings;
docs/salesforce.md#sf-strings-trimmed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import Enum
from functools import cached_property
from typing import Any

from crmdefs.definitions.model import CreateSpec, FieldAddress, Source

# What a permission set grants on a field (FieldState.field_access): nothing, read only, read and edit.
ACCESS_NONE, ACCESS_READ, ACCESS_READ_EDIT = "none", "read", "read_edit"

# Salesforce standard value attributes (OpportunityStage, LeadStatus), in our names.
STAGE_ATTRIBUTES = ("closed", "won", "probability", "forecast_category", "converted")


def normalize_text(text: str | None) -> str | None:
    """Line endings, trailing whitespace and surrounding blank lines do not count as differences."""
    if text is None:
        return None
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(lines).strip()
    return cleaned or None


@dataclass(frozen=True)
class ValueState:
    """One picklist value / option as the CRM holds it."""

    value: str
    label: str
    description: str | None = None
    active: bool = True  # Salesforce isActive; HubSpot not hidden
    default: bool = False
    attributes: Mapping[str, Any] = field(default_factory=dict)  # STAGE_ATTRIBUTES present in the CRM

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "label": self.label,
            "description": self.description,
            "active": self.active,
            "default": self.default,
            "attributes": dict(self.attributes),
        }


class ValueMatch(str, Enum):
    """How a CRM tells two picklist values apart (the adapter says which; the diff only asks for keys)."""

    EXACT = "exact"
    CASE_INSENSITIVE = "case-insensitive"

    def key(self, value: str) -> str:
        """What ``value`` is compared by: two values with the same key are the same value to the CRM."""
        return value.casefold() if self is ValueMatch.CASE_INSENSITIVE else value


@dataclass(frozen=True)
class DependencyState:
    """A Salesforce dependent picklist as read (docs/salesforce.md#sf-dependent-matrix): the controlling
    field, and for each of this field's values that has settings, the controlling values that offer it."""

    controlling_field: str
    matrix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"field": self.controlling_field, "matrix": {k: list(v) for k, v in self.matrix.items()}}


@dataclass(frozen=True)
class ControllerState:
    """The field a binding's ``depends_on`` names, as the CRM has it: ``kind`` "picklist", "checkbox",
    "multi_select", "missing" or "other"; ``values`` the controlling values a matrix can name."""

    field: str
    kind: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DesiredDependency:
    """What a binding's ``depends_on`` asks: each row, this field's value → the controlling values that
    offer it, as written (matched to the controller's values case-insensitively). ``bound_values``: the
    controller's values its own binding lists (None: not bound), which may not exist in the CRM yet."""

    field: str
    rows: Mapping[str, tuple[str, ...]]
    source: Source | None = None
    bound_values: tuple[str, ...] | None = None


# Marks the FieldState fields that are not written by ``to_json`` (see the comment on those fields).
NOT_SERIALIZED = {"serialized": False}


@dataclass(frozen=True)
class FieldState:
    """A field as read from the CRM. ``exists`` False = the CRM has no such field."""

    address: FieldAddress
    exists: bool = True
    label: str | None = None
    help_text: str | None = None
    description: str | None = None
    values: tuple[ValueState, ...] | None = None  # None = not a picklist
    value_source: str = ""  # where values live: "" (the field), "StandardValueSet:X", "GlobalValueSet:X"
    record_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name → available values
    read_only: Mapping[str, str] = field(default_factory=dict)  # attribute → why the CRM refuses changes
    custom: bool = True
    path_guidance: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # record type → stage → info
    # Salesforce business processes (sales / lead / support process) → the values each offers. None: the
    # field's values per record type are the record types' own (``record_types``), not a process's.
    business_processes: Mapping[str, tuple[str, ...]] | None = None
    # Field-level access through the permission set the binding names (Salesforce create.permission_set):
    # permission set → ACCESS_NONE | ACCESS_READ | ACCESS_READ_EDIT. Empty = not read (no such binding).
    field_access: Mapping[str, str] = field(default_factory=dict)
    modified_by: str | None = None  # who/when last changed it, where the API says (drift reports)
    modified_at: str | None = None
    # What the adapter knows of the CRM's rules for this field, so that the diff needs no CRM's rules.
    # Neither serialized nor compared: saved plans, backups and state files keep their exact bytes and
    # fingerprints, and a state rebuilt from JSON (field_state_from_json) gets the defaults. That is safe:
    # how values match is a property of the CRM, not of the field's content, so it cannot change between
    # plan and apply; the shared value set is derived from ``value_source``; create notes only matter while
    # a plan is computed. Rebuilt states are only fingerprinted, rendered, described (stale-plan check) or
    # turned back into desired fields — never diffed value by value — so they behave exactly as before.
    value_match: ValueMatch = field(default=ValueMatch.EXACT, compare=False, metadata=NOT_SERIALIZED)
    shared_value_set: str | None = field(default=None, compare=False, metadata=NOT_SERIALIZED)
    create_notes: tuple[str, ...] = field(default=(), compare=False, metadata=NOT_SERIALIZED)  # warnings
    # Which active record types use each business process: the plan warns about a new value no process in
    # use offers. Only matters while a plan is computed, like the create notes.
    process_record_types: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict, compare=False, metadata=NOT_SERIALIZED
    )
    # A multi-select picklist: a record holds several values at once ("a;b"), counted and moved one by one.
    multi_select: bool = field(default=False, compare=False, metadata=NOT_SERIALIZED)
    # Per record type, what a person should know about the Path that takes its guidance (e.g. inactive).
    path_notes: Mapping[str, str] = field(default_factory=dict, compare=False, metadata=NOT_SERIALIZED)
    # The HubSpot deal pipeline (its id) whose stages are this field's values; None: the values are the
    # field's own. Serialized only when set, so every other state keeps its bytes and fingerprint.
    pipeline: str | None = None
    # Names the definitions give values the CRM stores under another name (a HubSpot deal stage matched by
    # its label: definitions' value → stage id). Read with the definitions, like the create notes.
    value_aliases: Mapping[str, str] = field(default_factory=dict, compare=False, metadata=NOT_SERIALIZED)
    # Salesforce dependent picklist: the controlling field and matrix as read (None: not dependent).
    # Serialized only when set, like ``pipeline``. ``controller``: the field a binding's depends_on names,
    # as read with the definitions (only matters while a plan is computed).
    dependency: DependencyState | None = None
    controller: ControllerState | None = field(default=None, compare=False, metadata=NOT_SERIALIZED)
    # Salesforce validation rules of this field (plan/rules.py): rule name → RULE_KEYS, the ones crmdefs made
    # for it and the ones its requirements name. Serialized only when read and non-empty, like ``pipeline``.
    validation_rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Read with the definitions, like the create notes: each wanted rule's formula and error display field
    # as the adapter writes them (rule name → {"formula", "display_field"}), and each required field as
    # written → (the CRM's spelling, its type), absent when the object lacks it (plan/resolve.py says so).
    rule_targets: Mapping[str, Mapping[str, str | None]] = field(
        default_factory=dict, compare=False, metadata=NOT_SERIALIZED
    )
    rule_fields: Mapping[str, tuple[str, str]] = field(
        default_factory=dict, compare=False, metadata=NOT_SERIALIZED
    )

    def value_key(self, value: str) -> str:
        """What a picklist value of this field is matched by (``value_match``, after ``value_aliases``)."""
        return self.value_match.key(self.value_aliases.get(value, value) if self.value_aliases else value)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (what ``dataclasses.asdict`` gives for the serialized fields, built directly:
        asdict's deep copies were a third of a 1,500-field plan)."""
        data = {name: getattr(self, name) for name in _SERIALIZED}
        data["address"] = str(self.address)
        data["values"] = None if self.values is None else [v.to_json() for v in self.values]
        data["record_types"] = {k: list(v) for k, v in self.record_types.items()}
        data["read_only"] = dict(self.read_only)
        data["path_guidance"] = {k: dict(v) for k, v in self.path_guidance.items()}
        if self.business_processes is None:  # absent: older states keep their bytes and fingerprints
            del data["business_processes"]
        else:
            data["business_processes"] = {k: list(v) for k, v in self.business_processes.items()}
        # Only where read, so the states (and fingerprints) of every other field stay as they were.
        data["field_access"] = dict(self.field_access)
        if not self.field_access:
            del data["field_access"]
        if self.pipeline is None:
            del data["pipeline"]
        if self.dependency is None:
            del data["dependency"]
        else:
            data["dependency"] = self.dependency.to_json()
        data["validation_rules"] = {k: dict(v) for k, v in self.validation_rules.items()}
        if not self.validation_rules:
            del data["validation_rules"]
        return data

    def fingerprint(self) -> str:
        """A digest of everything a plan may change, to tell later whether the field moved."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:  # computed once: a plan asks for it several times per field
        data = self.to_json()
        for volatile in ("modified_by", "modified_at", "read_only"):
            data.pop(volatile)
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def path_read_only_key(record_type: str) -> str:
    """The ``read_only`` key saying why the Path guidance of ``record_type`` cannot be written."""
    return f"path_guidance:{record_type}"


# ``read_only`` keys for what a CRM cannot do with a field's values (each maps to the reason a person reads):
NO_VALUE_DESCRIPTIONS = "value_descriptions"  # values hold no description (HubSpot deal stages)
NO_HIDING = "hide_values"  # values cannot be deactivated or hidden (HubSpot deal stages)
NOTE_REQUIRED_PROPERTIES = "required_properties"  # always shown as a skip: set in the CRM's own settings
RULES_ELSEWHERE = "requirements"  # the CRM has no API for required fields: where a person sets them
# What a validation rule holds, as FieldState.validation_rules keeps it (plan/rules.py compares these).
RULE_KEYS = ("active", "formula", "display_field", "message", "description")


def add_read_only_key(value: str) -> str:
    """The ``read_only`` key saying why ``value`` cannot be added to the field (e.g. a stage id that the
    pipeline does not have: HubSpot chooses the ids of new stages)."""
    return f"add:{value}"


_SERIALIZED = tuple(f.name for f in fields(FieldState) if f.metadata.get("serialized", True))


@dataclass(frozen=True)
class DesiredValue:
    value: str
    label: str | None = None  # None = keep the CRM's label (a new value gets ``new_label``)
    description: str | None = None  # None = leave the CRM's description alone
    default: bool | None = None  # None = leave the CRM's default alone
    attributes: Mapping[str, Any] = field(default_factory=dict)
    active: bool = True  # False only when reverting to a state where the value was inactive
    renamed_from: tuple[str, ...] = ()  # old values this one replaces (record migration)
    # The label of the value if it has to be created and ``label`` is None; None = the value itself. The
    # definitions' own value when the CRM's internal value differs ("No Decision" for no_decision).
    new_label: str | None = None
    # The definitions name the CRM's stored value for this CRM (``hubspot: {value: …}``): a HubSpot deal
    # stage is then matched by that id only, never by its label.
    value_given: bool = False


@dataclass(frozen=True)
class DesiredRule:
    """A requirement as the CRM should enforce it: ``require`` must be filled while the field holds one of
    ``when`` (values as the CRM stores them; fields as written). ``formula``/``display_field``: given only
    when the rule is restored as it was (revert); otherwise the adapter writes them for the field types."""

    name: str
    message: str
    description: str
    active: bool = True
    when: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    source: Source | None = None
    formula: str | None = None
    display_field: str | None = None


@dataclass(frozen=True)
class DesiredField:
    """What the glossary wants a field to be. ``None`` attributes are left as the CRM has them; ``""``
    clears them (used by revert)."""

    address: FieldAddress
    label: str | None = None
    help_text: str | None = None
    description: str | None = None
    values: tuple[DesiredValue, ...] | None = None
    unlisted_values: str = "keep"  # keep | deactivate
    record_types: tuple[str, ...] | None = None  # ("*",) = every active record type
    business_processes: tuple[str, ...] | None = None  # ("*",) = every process an active record type uses
    create: CreateSpec | None = None
    document_only: bool = False
    sorted: bool = False
    # Salesforce Path "Guidance for Success": record types (``__MASTER__``, names or "*") and, per stage
    # value, the guidance HTML. Empty = not managed.
    path_record_types: tuple[str, ...] = ()
    path_guidance: Mapping[str, str] = field(default_factory=dict)
    # The approval gate (README "Approval"): texts left alone because they carry a term that is not
    # approved, as (attribute, reason); and values withheld for that reason, which are then neither
    # added, changed nor deactivated.
    held: tuple[tuple[str, str], ...] = ()
    held_values: tuple[str, ...] = ()
    pipeline: str | None = None  # HubSpot deals.dealstage: the pipeline (id or label) whose stages are values
    # Where the binding is written, for messages (None: not from the definitions, e.g. a revert's backup).
    # Not part of what is asked of the field: applied_state.desired_digest leaves it out.
    source: Source | None = None
    depends_on: DesiredDependency | None = None  # Salesforce dependent picklist (plan/dependency.py)
    # The requirements (plan/rules.py). None: not managed (the CRM's rules are not even read); (): none
    # wanted, so a rule crmdefs made for the field is deactivated.
    rules: tuple[DesiredRule, ...] | None = None


def field_state_from_json(data: Mapping[str, Any]) -> FieldState:
    """Inverse of :meth:`FieldState.to_json` (plan files and backups)."""
    from crmdefs.definitions.addresses import parse_address

    values = data.get("values")
    return FieldState(
        address=parse_address(str(data["address"])),
        exists=bool(data.get("exists", True)),
        label=data.get("label"),
        help_text=data.get("help_text"),
        description=data.get("description"),
        values=None if values is None else tuple(ValueState(**v) for v in values),
        value_source=str(data.get("value_source", "")),
        record_types={k: tuple(v) for k, v in dict(data.get("record_types", {})).items()},
        path_guidance={k: dict(v) for k, v in dict(data.get("path_guidance", {})).items()},
        business_processes=None
        if data.get("business_processes") is None
        else {k: tuple(v) for k, v in dict(data["business_processes"]).items()},
        field_access={str(k): str(v) for k, v in dict(data.get("field_access", {})).items()},
        read_only=dict(data.get("read_only", {})),
        custom=bool(data.get("custom", True)),
        modified_by=data.get("modified_by"),
        modified_at=data.get("modified_at"),
        pipeline=None if data.get("pipeline") is None else str(data["pipeline"]),
        dependency=None if data.get("dependency") is None else dependency_from_json(data["dependency"]),
        validation_rules={str(k): dict(v) for k, v in dict(data.get("validation_rules", {})).items()},
    )


def dependency_from_json(data: Mapping[str, Any]) -> DependencyState:
    matrix = dict(data.get("matrix", {}))
    return DependencyState(str(data["field"]), {str(k): tuple(str(c) for c in v) for k, v in matrix.items()})
