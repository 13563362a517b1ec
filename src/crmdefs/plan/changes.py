"""The plan as documented data (README "Plan and apply"): what changes per field, before → after, with
the skips and the fingerprint of the state it was made on. Built by plan.compute_plan; apply executes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from crmdefs.definitions.model import CreateSpec, FieldAddress
from crmdefs.plan.state import FieldState, ValueState

FORMAT_VERSION = "1.4"  # 1.1: business_processes and access in field plans; 1.2: HubSpot deal pipelines;
# 1.3: dependent picklists (FieldPlan.dependency); 1.4: validation rules (FieldPlan.rules)


class Action(str, Enum):
    """What apply does to one field: a closed set, like Terraform's ``plans.Action``. Apply decides nothing
    anew; it executes the action the plan holds. The values are what a saved plan file stores."""

    CREATE = "create"
    """The field does not exist: create it with the plan's label, texts and whole value list."""
    UPDATE = "update"
    """The field exists: write the changed attributes, values, record types, business processes, path
    steps and access."""
    NOOP = "none"
    """Nothing to write. The field may still carry skips and warnings for a person to read."""


class ValueChangeKind(str, Enum):
    """One change to one picklist value. Each member says what the change's ``before`` and ``after`` hold."""

    ADD = "add"
    """A new value. before: None; after: its label."""
    RELABEL = "relabel"
    """before/after: the label the value shows."""
    REDESCRIBE = "redescribe"
    """before/after: the value's description (None = none)."""
    DEACTIVATE = "deactivate"
    """Retire a value (Salesforce: isActive false; HubSpot: hidden); never a delete. before True, after
    False."""
    REACTIVATE = "reactivate"
    """before False, after True: the value is offered again."""
    SET_DEFAULT = "set_default"
    """before False, after True: the value becomes the list's default."""
    UNSET_DEFAULT = "unset_default"
    """before True, after False: the value stops being the default."""
    UPDATE_ATTRIBUTES = "update_attributes"
    """Salesforce stage/status attributes. before/after: dicts of only the attributes that change."""
    REORDER = "reorder"
    """The list's order. ``value`` is ""; before/after: every value's API name, in order."""


@dataclass(frozen=True)
class AttributeChange:
    """A field-level text. ``attribute``: label | help_text | description; before/after: the normalized text
    (None = empty; an ``after`` of None clears it)."""

    attribute: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ValueChange:
    """One picklist value's change; what ``before`` and ``after`` hold depends on ``kind``
    (see :class:`ValueChangeKind`)."""

    kind: ValueChangeKind
    value: str  # the value's API name / internal value ("" for reorder)
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class RecordTypeChange:
    """Values a Salesforce record type must start offering; nothing is ever taken away from one."""

    record_type: str
    add: tuple[str, ...]


@dataclass(frozen=True)
class ProcessChange:
    """Values a Salesforce business process (the sales, lead or support process a record type uses for
    Opportunity.StageName, Lead.Status or Case.Status) must start offering; nothing is ever taken away
    from one. ``process``: its name without the object, e.g. "Standard Sales Process"."""

    process: str
    add: tuple[str, ...]


# The reason of every skip a ``document_only`` binding gets (plan/diff.py, plan/dependency.py).
DOCUMENT_ONLY = "document_only: crmdefs documents and compares this field but never writes it"


@dataclass(frozen=True)
class Skip:
    """Something the definitions ask for that this plan will not write, with the reason a person reads.
    ``attribute``: label | help_text | description | values | field | record_types | business_processes |
    path_guidance | access | required_properties | requirements;
    before/after: what the CRM holds and what the definitions want, where that helps (else None)."""

    attribute: str
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
    """Path "Guidance for Success" of one stage on one record type's path (``__MASTER__`` = master).
    before: the guidance the path holds now (None = none); after: the guidance to write."""

    record_type: str
    stage: str
    before: str | None
    after: str


@dataclass(frozen=True)
class AccessChange:
    """Read and edit access to the field through a Salesforce permission set (the binding's
    ``create.permission_set``): a state kept, not a one-time step of creating the field. before: what the
    permission set grants now — "none", "read" or "read_edit" (plan/state.py ACCESS_*); after: "read_edit".
    Apply adds the grant to the permission set (created if missing) and removes nothing from it."""

    permission_set: str
    before: str
    after: str


@dataclass(frozen=True)
class RuleChange:
    """A Salesforce validation rule made from a binding's requirement (plan/rules.py). before: the rule as
    the CRM holds it (None: new), after: as apply writes it — dicts of plan/state.py RULE_KEYS. ``when`` and
    ``require``: the values and fields it is about (the CRM's names; empty for a rule only deactivated or
    restored), from which the plan counts the records that fail it today (``violations``; None = not
    counted). A rule is never deleted: one no longer wanted is deactivated."""

    name: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any]
    when: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    violations: int | None = None

    @property
    def kind(self) -> str:
        """create | deactivate (only ``active`` goes from true to false) | update."""
        if self.before is None:
            return "create"
        if self.before.get("active") and self.after == {**self.before, "active": False}:
            return "deactivate"
        return "update"


@dataclass(frozen=True)
class DependencyRow:
    """One row of a dependent picklist's matrix: ``value`` (this field's value) is offered for the
    controlling values ``after`` instead of ``before`` (() = for none)."""

    value: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class DependencyChange:
    """Salesforce dependent picklist (docs/salesforce.md#sf-dependent-matrix): the rows of the values a
    binding lists that change, controlled by ``controlling_field``; every other row is kept. ``columns``:
    the controlling values the rows name, in the controlling field's order; ``new``: the field was not
    dependent before."""

    controlling_field: str
    rows: tuple[DependencyRow, ...]
    columns: tuple[str, ...] = ()
    new: bool = False


@dataclass(frozen=True)
class FieldPlan:
    """Everything the plan says about one bound field: its :class:`Action`, the changes that make it match
    the definitions, what is skipped and why, and the fingerprint of the state it was planned on (apply
    refuses the plan when the field has moved since)."""

    address: FieldAddress
    action: Action
    fingerprint: str  # of the state the plan was computed on; "" when the field does not exist
    attributes: tuple[AttributeChange, ...] = ()
    value_changes: tuple[ValueChange, ...] = ()
    record_types: tuple[RecordTypeChange, ...] = ()
    business_processes: tuple[ProcessChange, ...] = ()
    skips: tuple[Skip, ...] = ()
    warnings: tuple[str, ...] = ()
    target_values: tuple[ValueState, ...] | None = None  # the whole list to write, when values change
    create: CreateSpec | None = None
    migrations: tuple[Migration, ...] = ()  # to run (plan made with --migrate-records) or pending
    usage: Mapping[str, int] = field(default_factory=dict)  # records per value, for values it retires
    path_changes: tuple[PathChange, ...] = ()
    access: AccessChange | None = None  # a grant to make on an existing field
    # HubSpot deals.dealstage: the id of the deal pipeline whose stages are the values. Apply then writes the
    # value changes to those stages, one request per stage (docs/hubspot.md#hs-pipeline-put-overwrites).
    pipeline: str | None = None
    dependency: DependencyChange | None = None  # Salesforce dependent picklist rows to write
    rules: tuple[RuleChange, ...] = ()  # Salesforce validation rules to create, update or deactivate

    def __post_init__(self) -> None:
        # A closed set: "create" becomes Action.CREATE, and anything outside the set is refused here.
        object.__setattr__(self, "action", Action(self.action))

    @property
    def has_changes(self) -> bool:
        return self.action is not Action.NOOP


@dataclass(frozen=True)
class Summary:
    """A plan (or the part of it an apply wrote) counted in changes: a field created, a value added, a text
    or value changed, a value deactivated, a difference skipped. `plan` and `apply` both count with
    :func:`count_changes` and say it with these words, so their numbers can be compared."""

    add: int = 0
    change: int = 0
    deactivate: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        """The changes to write (skips are not written)."""
        return self.add + self.change + self.deactivate

    def __str__(self) -> str:
        return (
            f"{self.add} to add, {self.change} to change, {self.deactivate} to deactivate, "
            f"{self.skipped} skipped"
        )

    def done(self) -> str:
        """The same counts once written: "15 added, 57 changed, 0 deactivated, 5 skipped"."""
        return (
            f"{self.add} added, {self.change} changed, {self.deactivate} deactivated, {self.skipped} skipped"
        )


def count_changes(fields: Iterable[FieldPlan], *, migrate: bool) -> Summary:
    """The changes of ``fields``; ``migrate``: the plan runs its migrations (each is a change)."""
    add = change = deactivate = skipped = 0
    for f in fields:
        skipped += len(f.skips)
        if f.action is Action.CREATE:
            add += 1
            continue
        change += len(f.attributes) + len(f.record_types) + len(f.business_processes)
        change += len(f.path_changes) + (f.access is not None)
        for rule in f.rules:
            add += rule.kind == "create"
            deactivate += rule.kind == "deactivate"
            change += rule.kind == "update"
        change += len(f.migrations) if migrate else 0
        change += len(f.dependency.rows) if f.dependency is not None else 0
        for v in f.value_changes:
            if v.kind is ValueChangeKind.ADD:
                add += 1
            elif v.kind is ValueChangeKind.DEACTIVATE:
                deactivate += 1
            else:
                change += 1
    return Summary(add, change, deactivate, skipped)


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
        return count_changes(self.fields, migrate=self.migrate_records)
