"""PURE: what `crmdefs adopt` takes from the CRM, field by field, from the same plan and classification as
`crmdefs drift` (drift/classify.py).

- A field **changed in the CRM** since the last apply (its state no longer has the fingerprint recorded in
  ``.crmdefs/state/<target>.json``) has the differences the CRM made adopted: a text or value text that
  differs from what apply last recorded, and a value active in the CRM that neither the definitions nor
  the last applied state held (added there). A difference where the CRM still holds what was applied is
  the definitions' own unapplied edit: never adopted (that would undo it).
- A field named with ``--only`` has every adoptable difference adopted whatever its origin, and every
  active value the definitions do not list that the last apply did not see (every one, when never applied).
- Any other field (definitions not applied, reverted, never applied, or no state file) adopts nothing:
  crmdefs cannot tell an edit in the CRM from definitions not applied yet. Each is listed with the fix.

Adoptable: a binding's label, help text and description; a value's label and description; a value added.
Everything else (values deactivated or reactivated, defaults, stage attributes, order, record types,
business processes, Path guidance, validation rules, dependency rows, access) is listed as not adopted,
with what to do — never dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from crmdefs.apply.applied_state import AppliedField
from crmdefs.definitions.model import FieldAddress, FieldBinding
from crmdefs.drift.classify import ORIGIN_TEXT, Origin, classify, differences
from crmdefs.plan.changes import FieldPlan, Plan, ValueChange, ValueChangeKind
from crmdefs.plan.state import FieldState, ValueState, normalize_text

TEXTS = ("label", "help_text", "description")
NOT_APPLIED = (
    "the definitions changed here and were not applied (the CRM still holds what was applied): run "
    "`crmdefs apply` to push them, or name the field with --only to take the CRM's version"
)
UNKNOWN_ORIGIN = {
    Origin.UNCLASSIFIED: "no state file (.crmdefs/state/{target}.json), so crmdefs cannot tell an edit in "
    "the CRM from definitions not applied yet",
    Origin.NEVER_APPLIED: "never applied to this target, so crmdefs cannot tell an edit in the CRM from "
    "definitions not applied yet",
    Origin.REVERTED: "the CRM holds what `crmdefs revert` wrote, not an edit made there",
}
# "empty", not "emptied": with --only or no state file, crmdefs cannot tell whether the CRM ever had it.
EMPTY = "empty in the CRM: remove it from the definitions, or apply to write it"
OTHER = (
    "adopt writes texts and new values only: to keep the CRM's version edit the definitions by hand, or "
    "run `crmdefs apply` to put the definitions' back"
)
VALUE_REASONS = {
    ValueChangeKind.REACTIVATE: "deactivated in the CRM: remove it from the definitions, or apply to "
    "reactivate it",
    ValueChangeKind.ADD: "in the definitions but not in the CRM: apply adds it, or remove it from the "
    "definitions",
    ValueChangeKind.DEACTIVATE: "active in the CRM and not in the definitions, which deactivate unlisted "
    "values, but not new since the last apply: add it to the definitions by hand, or apply to deactivate "
    "it",
}


@dataclass(frozen=True)
class Found:
    """One difference to adopt: a binding's text (``value`` None), a value's text, or a value added
    (``added``). ``crm_text``: the CRM's text, normalized as plans compare it."""

    attribute: str  # label | help_text | description | value
    crm_text: str | None = None
    value: str | None = None
    added: ValueState | None = None


@dataclass(frozen=True)
class NotAdopted:
    item: str
    reason: str


@dataclass(frozen=True)
class FieldSelection:
    address: FieldAddress
    origin: str
    forced: bool
    adopt: tuple[Found, ...] = ()
    not_adopted: tuple[NotAdopted, ...] = ()


def select(
    plan: Plan,
    states: Mapping[FieldAddress, FieldState],
    bindings: Mapping[FieldAddress, FieldBinding],
    applied: Mapping[str, AppliedField] | None,
    only: Collection[FieldAddress],
) -> list[FieldSelection]:
    """What to adopt per field of ``plan``; fields with nothing to say are left out."""
    drift = classify(plan.target, plan, {str(a): s for a, s in states.items()}, applied)
    origins = {f.address: f.origin for f in drift.fields}
    selected = []
    for change in plan.fields:
        state = states[change.address]
        record = applied.get(str(change.address)) if applied is not None else None
        moved = record is not None and state.exists and state.fingerprint() != record.crm_fingerprint
        origin = origins.get(str(change.address), Origin.CHANGED_IN_CRM if moved else None)
        forced = change.address in only
        if origin is None and not forced:
            continue
        base = record.crm_state if record is not None and origin is Origin.CHANGED_IN_CRM else None
        last = record.crm_state if record is not None else None
        chosen = _field(change, state, bindings[change.address], (base, last), forced, origin, plan.target)
        if chosen.adopt or chosen.not_adopted:
            selected.append(chosen)
    return selected


def _field(
    change: FieldPlan,
    state: FieldState,
    binding: FieldBinding,
    states: tuple[FieldState | None, FieldState | None],
    forced: bool,
    origin: Origin | None,
    target: str,
) -> FieldSelection:
    """One field's selection. ``states``: the state last applied when the CRM changed since (what the CRM
    changed is what differs from it; else None), and the state last applied whatever the origin (a value
    it held was there then, so it was not added since — even on a field named with --only; None when
    never applied)."""
    base, last = states
    said = ORIGIN_TEXT[origin] if origin is not None else "no difference"
    if not forced and base is None:
        reason = UNKNOWN_ORIGIN.get(origin, NOT_APPLIED) if origin is not None else NOT_APPLIED
        why = reason.format(target=target) + (
            ""
            if origin is Origin.NOT_APPLIED or reason == NOT_APPLIED
            else "; name it with --only ADDRESS to adopt the CRM's version"
        )
        return FieldSelection(change.address, said, forced, (), (NotAdopted("field", why),))
    added = _added(state, binding, last)
    found: list[Found] = []
    skipped: list[NotAdopted] = []
    for attribute in change.attributes:
        if not forced and _text(base, attribute.attribute) == _text(state, attribute.attribute):
            skipped.append(NotAdopted(attribute.attribute, NOT_APPLIED))
        elif attribute.before is None:
            skipped.append(NotAdopted(attribute.attribute, EMPTY))
        else:
            found.append(Found(attribute.attribute, attribute.before))
    for value_change in change.value_changes:
        _value_change(value_change, state, base, {state.value_key(v.value) for v in added}, found, skipped)
    found += [Found("value", v.description, v.value, v) for v in added]
    rest = dataclasses.replace(change, attributes=(), value_changes=())
    skipped += [NotAdopted(d.item, OTHER) for d in differences(rest)]
    return FieldSelection(change.address, said, forced, tuple(found), tuple(skipped))


def _value_change(
    change: ValueChange,
    state: FieldState,
    base: FieldState | None,
    added: set[str],
    found: list[Found],
    skipped: list[NotAdopted],
) -> None:
    item = f"value {change.value!r} {change.kind.value.replace('_', ' ')}" if change.value else "value order"
    if change.kind in (ValueChangeKind.RELABEL, ValueChangeKind.REDESCRIBE):
        attribute = "label" if change.kind is ValueChangeKind.RELABEL else "description"
        if base is not None and _value_text(base, state, change.value, attribute) == _value_text(
            state, state, change.value, attribute
        ):
            skipped.append(NotAdopted(item, NOT_APPLIED))
        elif change.before is None:
            skipped.append(NotAdopted(item, EMPTY))
        else:
            found.append(Found(attribute, normalize_text(str(change.before)), change.value))
    elif change.kind is ValueChangeKind.DEACTIVATE and state.value_key(change.value) in added:
        return  # adopted as a value added in the CRM
    else:
        skipped.append(NotAdopted(item, VALUE_REASONS.get(change.kind, OTHER)))


def _added(state: FieldState, binding: FieldBinding, base: FieldState | None) -> list[ValueState]:
    """Active values the definitions do not list (nor rename); with ``base``, only those the last applied
    state did not hold at all (a value it held inactive was reactivated, not added)."""
    if binding.picklist is None or state.values is None:
        return []
    crm = binding.address.crm
    listed = {state.value_key(v.value_in(crm)) for v in binding.picklist.values}
    listed |= {state.value_key(old) for v in binding.picklist.values for old in v.renamed_from}
    known = {state.value_key(v.value) for v in base.values or ()} if base is not None else set()
    return [
        v
        for v in state.values
        if v.active and state.value_key(v.value) not in listed and state.value_key(v.value) not in known
    ]


def _text(state: FieldState | None, attribute: str) -> str | None:
    return normalize_text(getattr(state, attribute)) if state is not None else None


def _value_text(held_in: FieldState, state: FieldState, value: str, attribute: str) -> str | None:
    """``value``'s text in ``held_in``, matched as ``state`` (the CRM read now) matches values: a state
    rebuilt from the state file does not know how its CRM matches them."""
    held = _value(held_in.values or (), state, value)
    return normalize_text(getattr(held, attribute)) if held is not None else None


def _value(values: Sequence[ValueState], state: FieldState, value: str) -> ValueState | None:
    key = state.value_key(value)
    return next((v for v in values if state.value_key(v.value) == key), None)
