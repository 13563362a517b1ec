"""PURE: the value list a plan writes for a picklist field (:func:`merge_values`) and the value changes
that lead there. Values match by the key the field's state gives (``FieldState.value_key``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from crmdefs.plan.changes import Migration, Skip, ValueChange, ValueChangeKind
from crmdefs.plan.state import (
    NO_HIDING,
    NO_VALUE_DESCRIPTIONS,
    DesiredField,
    DesiredValue,
    FieldState,
    ValueState,
    add_read_only_key,
    normalize_text,
)
from crmdefs.words import plural


def merge_values(
    want: DesiredField,
    have: FieldState,
    usage: Mapping[str, int] | None = None,
    migrate_records: bool = False,
) -> tuple[list[ValueState], list[ValueChange], list[Migration], list[Skip]]:
    """The full value list to write: desired values in their order, then the CRM's other values (kept,
    or deactivated when ``unlisted_values: deactivate``; a pipeline's other stages stay in place). Values
    are never dropped. Old values named in a ``renamed_from`` are deactivated once no record holds them
    (or, with ``migrate_records``, once their records have moved); until then they stay active and the
    pending migration is reported."""
    key = have.value_key
    existing = {key(v.value): v for v in have.values or ()}
    target: list[ValueState] = []
    changes: list[ValueChange] = []
    blocked: list[Skip] = []
    described = NO_VALUE_DESCRIPTIONS not in have.read_only
    for wanted in want.values or ():
        current = existing.pop(key(wanted.value), None)
        if current is None and add_read_only_key(wanted.value) in have.read_only:
            blocked.append(Skip("values", have.read_only[add_read_only_key(wanted.value)]))
        elif current is None:
            new = _new_value(wanted, described)
            target.append(new)
            changes.append(ValueChange(ValueChangeKind.ADD, new.value, None, new.label))
        else:
            updated, value_changes = _update_value(wanted, current, described)
            target.append(updated)
            changes += value_changes
    if not described and any(w.description for w in want.values or ()):
        blocked.append(Skip("values", have.read_only[NO_VALUE_DESCRIPTIONS]))  # said once, for every value
    listed = len(target)
    renamed = {key(old): w.value for w in want.values or () for old in w.renamed_from}
    migrations, skips = _renames(have, existing, renamed, target, changes, usage, migrate_records)
    skips = blocked + skips
    held = {key(v) for v in want.held_values}
    for leftover in have.values or ():
        if key(leftover.value) not in existing:
            continue
        if want.unlisted_values == "deactivate" and leftover.active and key(leftover.value) not in held:
            target.append(dataclasses.replace(leftover, active=False, default=False))
            changes.append(ValueChange(ValueChangeKind.DEACTIVATE, leftover.value, True, False))
        else:
            target.append(leftover)
    if have.pipeline is not None:
        target = _in_place(have, target[:listed], target[listed:])
    target, default_changes = _one_default(target, want)
    changes += default_changes
    if NO_HIDING in have.read_only:
        target, changes = _kept_visible(have, target, changes, skips)
    reorder = _reorder(have.values or (), target, have)
    if reorder is not None:
        changes.append(reorder)
    return target, changes, migrations, skips


def _new_value(wanted: DesiredValue, described: bool) -> ValueState:
    """A value to add, as the definitions give it (its description only where the CRM keeps one)."""
    label = wanted.label or wanted.new_label or wanted.value
    description = wanted.description if described else None
    return ValueState(wanted.value, label, description, True, bool(wanted.default), dict(wanted.attributes))


def _in_place(have: FieldState, listed: list[ValueState], others: list[ValueState]) -> list[ValueState]:
    """A pipeline's stages are a flow: a stage the definitions do not list stays right after the stage it
    follows in the CRM (or first, when nothing listed comes before it), not at the end after the closed
    stages."""
    key = have.value_key
    result = list(listed)
    by_key = {key(v.value): v for v in others}
    order = [key(v.value) for v in have.values or ()]
    for index, name in enumerate(order):
        if name not in by_key:
            continue
        placed = [key(v.value) for v in result]
        before = next((placed.index(p) + 1 for p in reversed(order[:index]) if p in placed), 0)
        result.insert(before, by_key[name])
    return result


def _kept_visible(
    have: FieldState, target: list[ValueState], changes: list[ValueChange], skips: list[Skip]
) -> tuple[list[ValueState], list[ValueChange]]:
    """A CRM that cannot hide this field's values keeps them as they are: each deactivation becomes one
    skip (``unlisted_values: deactivate`` is refused by validate; a revert may still ask)."""
    hidden = [c.value for c in changes if c.kind is ValueChangeKind.DEACTIVATE]
    if not hidden:
        return target, changes
    names = ", ".join(repr(v) for v in hidden)
    skips.append(Skip("values", f"{names} not hidden: {have.read_only[NO_HIDING]}"))
    keys = {have.value_key(v) for v in hidden}
    visible = [dataclasses.replace(v, active=True) if have.value_key(v.value) in keys else v for v in target]
    return visible, [c for c in changes if c.kind is not ValueChangeKind.DEACTIVATE]


def _renames(
    have: FieldState,
    existing: dict[str, ValueState],
    renamed: Mapping[str, str],
    target: list[ValueState],
    changes: list[ValueChange],
    usage: Mapping[str, int] | None,
    migrate_records: bool,
) -> tuple[list[Migration], list[Skip]]:
    """Old values replaced by a rename, in the CRM's order. Mutates ``existing``/``target``/``changes``."""
    migrations: list[Migration] = []
    skips: list[Skip] = []
    for value in have.values or ():
        key = have.value_key(value.value)
        if key not in renamed or key not in existing:
            continue
        old = existing.pop(key)
        if NO_HIDING in have.read_only:  # never retired, so its records are not moved either
            target.append(old)
            reason = have.read_only[NO_HIDING]
            skips.append(Skip("values", f"{old.value!r} stays (renamed to {renamed[key]!r}): {reason}"))
            continue
        records = usage.get(old.value) if usage is not None else None
        in_use = records is None or records > 0  # not counted: assume records hold it
        if in_use:
            migrations.append(Migration(old.value, renamed[key], records))
        if in_use and not migrate_records:
            target.append(old)  # deactivating it now would strand its records on an inactive value
            held = plural(records, "record") if records is not None else "records"
            holds, them = ("holds", "it") if records == 1 else ("hold", "them")
            skips.append(
                Skip(
                    "values",
                    f"{held} still {holds} {old.value!r}: run `crmdefs apply --migrate-records` "
                    f"to move {them} to {renamed[key]!r}; {old.value!r} is deactivated after that",
                )
            )
        elif old.active:
            target.append(dataclasses.replace(old, active=False, default=False))
            changes.append(ValueChange(ValueChangeKind.DEACTIVATE, old.value, True, False))
        else:
            target.append(old)
    return migrations, skips


def _update_value(
    wanted: DesiredValue, current: ValueState, described: bool = True
) -> tuple[ValueState, list[ValueChange]]:
    """``described``: the CRM keeps a description on values (else the current one, none, stays)."""
    changes: list[ValueChange] = []
    label = wanted.label if wanted.label is not None else current.label
    if label != current.label:
        changes.append(ValueChange(ValueChangeKind.RELABEL, current.value, current.label, label))
    asked = wanted.description is not None and described
    description = normalize_text(wanted.description) if asked else current.description
    if description != normalize_text(current.description):
        changes.append(
            ValueChange(ValueChangeKind.REDESCRIBE, current.value, current.description, description)
        )
    if wanted.active and not current.active:
        changes.append(ValueChange(ValueChangeKind.REACTIVATE, current.value, False, True))
    elif current.active and not wanted.active:
        changes.append(ValueChange(ValueChangeKind.DEACTIVATE, current.value, True, False))
    default = current.default if wanted.default is None else wanted.default
    if default != current.default:
        kind = ValueChangeKind.SET_DEFAULT if default else ValueChangeKind.UNSET_DEFAULT
        changes.append(ValueChange(kind, current.value, current.default, default))
    attributes = {**current.attributes, **wanted.attributes}
    if attributes != dict(current.attributes):
        changed = {k: v for k, v in wanted.attributes.items() if current.attributes.get(k) != v}
        before = {k: current.attributes.get(k) for k in changed}
        changes.append(ValueChange(ValueChangeKind.UPDATE_ATTRIBUTES, current.value, before, changed))
    updated = ValueState(current.value, label, description, wanted.active, default, attributes)
    return updated, changes


def _one_default(values: list[ValueState], want: DesiredField) -> tuple[list[ValueState], list[ValueChange]]:
    """A list has at most one default: when the YAML names one, any other default is cleared."""
    chosen = {v.value for v in want.values or () if v.default}
    if not chosen:
        return values, []
    changes = [
        ValueChange(ValueChangeKind.UNSET_DEFAULT, v.value, True, False)
        for v in values
        if v.default and v.value not in chosen and v.active
    ]
    cleared = {c.value for c in changes}
    return [dataclasses.replace(v, default=False) if v.value in cleared else v for v in values], changes


def _reorder(
    before: Sequence[ValueState], after: Sequence[ValueState], have: FieldState
) -> ValueChange | None:
    """A reorder when the values people can pick would show in another order. Where an inactive (or
    hidden) value sits is not compared: nobody can pick one, so moving it is a write nobody notices
    (docs/salesforce.md#sf-inactive-values-not-offered). A value added in the CRM after the values crmdefs
    deactivated then plans no change once the definitions list it last (`crmdefs adopt` does so)."""
    shown = [have.value_key(v.value) for v in after if v.active]
    old = [k for k in (have.value_key(v.value) for v in before) if k in set(shown)]
    if [k for k in shown if k in set(old)] == old:
        return None
    return ValueChange(ValueChangeKind.REORDER, "", value_names(before), value_names(after))


def value_names(values: Sequence[ValueState]) -> list[str]:
    return [v.value for v in values]
