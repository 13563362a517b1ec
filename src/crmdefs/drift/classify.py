"""PURE: a plan's differences, classified by where they came from, and filtered by a baseline.

- **changed in the CRM**: the field no longer holds what crmdefs last applied (someone edited it there);
- **definitions not applied**: the CRM holds what was last applied, but the definitions changed since;
- **reverted**: the CRM holds what `crmdefs revert` last wrote (a backup), not the definitions;
- **never applied**: crmdefs has no record of applying this field;
- **unclassified**: there is no state file (``.crmdefs/state/<target>.json``), so the origin is unknown.

Skips (differences the CRM cannot take) are listed but are not drift.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from crmdefs.adapters.setup_audit import AUDIT_DAYS, SetupChange
from crmdefs.apply.applied_state import AppliedField
from crmdefs.plan.changes import Action, FieldPlan, Plan, Skip, ValueChangeKind
from crmdefs.plan.state import FieldState

# 1.1: the origin "reverted" and each field's reverted_from; 1.2: who changed it (each field's
# "attribution" and "setup_change", each target's "attribution_unavailable"; drift/attribute.py)
REPORT_FORMAT = "1.2"


class Origin(str, Enum):
    CHANGED_IN_CRM = "changed_in_crm"
    NOT_APPLIED = "definitions_not_applied"
    REVERTED = "reverted"
    NEVER_APPLIED = "never_applied"
    UNCLASSIFIED = "unclassified"


ORIGIN_TEXT = {
    Origin.CHANGED_IN_CRM: "changed in the CRM since the last apply",
    Origin.NOT_APPLIED: "definitions changed but not applied",
    Origin.REVERTED: "reverted by `crmdefs revert`",
    Origin.NEVER_APPLIED: "never applied",
    Origin.UNCLASSIFIED: "difference (no state file to classify it)",
}


@dataclass(frozen=True)
class Difference:
    item: str  # "help_text", "value 'Price': relabel", "record type Renewal", "field"
    before: Any
    after: Any
    key: str  # stable identity for baselines: address, item, before and after


@dataclass(frozen=True)
class Attribution:
    """The setup change a Salesforce difference came from (drift/attribute.py). ``change`` None: no row of
    the last ``days`` days names the field (after its last apply when ``since`` is true). ``own``: the
    change was made as a user crmdefs applied or reverted as."""

    change: SetupChange | None
    own: bool = False
    days: int = AUDIT_DAYS
    since: bool = True  # searched after the last apply (False: none recorded for the field, the whole window)
    # Not ``own``, yet made as a user crmdefs signs in as: after that user's last apply had finished, so
    # someone signed in with crmdefs' user (an admin running crmdefs as themselves edits in Setup too).
    crmdefs_user: bool = False


@dataclass(frozen=True)
class FieldDrift:
    address: str
    origin: Origin
    differences: tuple[Difference, ...]
    modified_by: str | None = None
    modified_at: str | None = None
    last_applied_at: str | None = None
    reverted_from: str | None = None  # Origin.REVERTED: the backup the field went back to
    attribution: Attribution | None = None  # Salesforce: who changed it (None: not looked up)


@dataclass(frozen=True)
class TargetDrift:
    target: str
    fields: tuple[FieldDrift, ...] = ()
    skips: tuple[tuple[str, Skip], ...] = ()
    error: str | None = None
    classified: bool = True  # False: no state file, origins unknown
    baselined: int = 0  # differences hidden by the baseline
    attribution_unavailable: str | None = None  # why the setup audit trail could not be read


@dataclass(frozen=True)
class DriftReport:
    targets: tuple[TargetDrift, ...]
    generated_at: str
    format_version: str = REPORT_FORMAT

    @property
    def drift_count(self) -> int:
        return sum(len(f.differences) for t in self.targets for f in t.fields)

    @property
    def errors(self) -> tuple[TargetDrift, ...]:
        return tuple(t for t in self.targets if t.error is not None)


def _key(address: str, item: str, before: Any, after: Any) -> str:
    canonical = json.dumps([address, item, before, after], sort_keys=True, default=str, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:24]


def _word(flag: Any, yes: str, no: str) -> Any:
    return flag if not isinstance(flag, bool) else (yes if flag else no)


def differences(change: FieldPlan) -> tuple[Difference, ...]:
    address = str(change.address)
    items: list[tuple[str, Any, Any]] = []
    if change.action is Action.CREATE:
        items.append(("field", None, "missing; the binding says to create it"))
    items += [(a.attribute, a.before, a.after) for a in change.attributes]
    for v in change.value_changes:
        if not v.value:
            items.append(("value order", v.before, v.after))
            continue
        before, after = v.before, v.after
        if v.kind in (ValueChangeKind.DEACTIVATE, ValueChangeKind.REACTIVATE):
            before, after = _word(before, "active", "inactive"), _word(after, "active", "inactive")
        elif v.kind in (ValueChangeKind.SET_DEFAULT, ValueChangeKind.UNSET_DEFAULT):
            before, after = _word(before, "default", "not default"), _word(after, "default", "not default")
        items.append(
            (
                f"value {v.value!r}"
                + ("" if v.kind is ValueChangeKind.ADD else f" {v.kind.value.replace('_', ' ')}"),
                before,
                after,
            )
        )
    items += [(f"record type {rt.record_type}", None, list(rt.add)) for rt in change.record_types]
    items += [(f"business process {p.process}", None, list(p.add)) for p in change.business_processes]
    items += [
        (
            f"path guidance ({'master' if p.record_type == '__MASTER__' else p.record_type}) {p.stage!r}",
            p.before,
            p.after,
        )
        for p in change.path_changes
    ]
    if change.access is not None:
        items.append(
            (
                f"access through permission set {change.access.permission_set}",
                change.access.before,
                change.access.after,
            )
        )
    items += [(f"validation rule {r.name}", r.before, dict(r.after)) for r in change.rules]
    if change.dependency is not None:  # dependent picklist rows: the controlling values that offer a value
        field = change.dependency.controlling_field
        items += [
            (f"value {r.value!r} offered for {field}", list(r.before), list(r.after))
            for r in change.dependency.rows
        ]
    return tuple(
        Difference(item, before, after, _key(address, item, before, after)) for item, before, after in items
    )


def classify(
    target: str,
    plan: Plan,
    current: Mapping[str, FieldState],
    applied: Mapping[str, AppliedField] | None,
) -> TargetDrift:
    """The drift of one target: each changed field of ``plan`` with its origin."""
    fields = []
    for change in plan.changes:
        address = str(change.address)
        state = current[address]
        record = applied.get(address) if applied is not None else None
        if applied is None:
            origin = Origin.UNCLASSIFIED
        elif record is None:
            origin = Origin.NEVER_APPLIED
        elif state.fingerprint() != record.crm_fingerprint:
            origin = Origin.CHANGED_IN_CRM
        elif record.reverted_from is not None:
            origin = Origin.REVERTED  # our own revert: the CRM is as it left it
        else:
            origin = Origin.NOT_APPLIED  # the CRM is as applied; so the definitions moved (or a write failed)
        fields.append(
            FieldDrift(
                address,
                origin,
                differences(change),
                state.modified_by,
                state.modified_at,
                record.applied_at if record else None,
                record.reverted_from if record and origin is Origin.REVERTED else None,
            )
        )
    skips = tuple((str(f.address), s) for f in plan.fields for s in f.skips)
    return TargetDrift(target, tuple(fields), skips, classified=applied is not None)


@dataclass(frozen=True)
class BaselineEntry:
    target: str
    address: str
    item: str
    key: str
    expires: dt.date | None = None


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = field(default_factory=tuple)

    def covers(self, target: str, key: str, today: dt.date) -> bool:
        return any(
            e.target == target and e.key == key and (e.expires is None or e.expires >= today)
            for e in self.entries
        )


def apply_baseline(drift: TargetDrift, baseline: Baseline, today: dt.date) -> TargetDrift:
    """Hide the differences the baseline already knows (and has not expired), so only new drift shows."""
    kept_fields = []
    hidden = 0
    for field_drift in drift.fields:
        kept = tuple(d for d in field_drift.differences if not baseline.covers(drift.target, d.key, today))
        hidden += len(field_drift.differences) - len(kept)
        if kept:
            kept_fields.append(dataclasses.replace(field_drift, differences=kept))
    return dataclasses.replace(drift, fields=tuple(kept_fields), baselined=drift.baselined + hidden)


def baseline_of(report: DriftReport, expires: dt.date | None) -> Baseline:
    return Baseline(
        tuple(
            BaselineEntry(t.target, f.address, d.item, d.key, expires)
            for t in report.targets
            for f in t.fields
            for d in f.differences
        )
    )
