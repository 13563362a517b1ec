"""PURE: the value list a plan writes for a picklist field (:func:`merge_values`) and the value changes
that lead there. Values match by the key the field's state gives (``FieldState.value_key``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from crmdefs.plan.changes import Migration, Skip, ValueChange, ValueChangeKind
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, ValueState, normalize_text


def merge_values(
    want: DesiredField,
    have: FieldState,
    usage: Mapping[str, int] | None = None,
    migrate_records: bool = False,
) -> tuple[list[ValueState], list[ValueChange], list[Migration], list[Skip]]:
    """The full value list to write: desired values in their order, then the CRM's other values (kept,
    or deactivated when ``unlisted_values: deactivate``). Values are never dropped. Old values named in a
    ``renamed_from`` are deactivated once no record holds them (or, with ``migrate_records``, once their
    records have moved); until then they stay active and the pending migration is reported."""
    key = have.value_key
    existing = {key(v.value): v for v in have.values or ()}
    target: list[ValueState] = []
    changes: list[ValueChange] = []
    for wanted in want.values or ():
        current = existing.pop(key(wanted.value), None)
        if current is None:
            new = ValueState(
                wanted.value,
                wanted.label or wanted.new_label or wanted.value,
                wanted.description,
                True,
                bool(wanted.default),
                dict(wanted.attributes),
            )
            target.append(new)
            changes.append(ValueChange(ValueChangeKind.ADD, new.value, None, new.label))
        else:
            updated, value_changes = _update_value(wanted, current)
            target.append(updated)
            changes += value_changes
    renamed = {key(old): w.value for w in want.values or () for old in w.renamed_from}
    migrations, skips = _renames(have, existing, renamed, target, changes, usage, migrate_records)
    held = {key(v) for v in want.held_values}
    for leftover in have.values or ():
        if key(leftover.value) not in existing:
            continue
        if want.unlisted_values == "deactivate" and leftover.active and key(leftover.value) not in held:
            target.append(dataclasses.replace(leftover, active=False, default=False))
            changes.append(ValueChange(ValueChangeKind.DEACTIVATE, leftover.value, True, False))
        else:
            target.append(leftover)
    target, default_changes = _one_default(target, want)
    changes += default_changes
    reorder = _reorder(have.values or (), target, have)
    if reorder is not None:
        changes.append(reorder)
    return target, changes, migrations, skips


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
        records = usage.get(old.value) if usage is not None else None
        in_use = records is None or records > 0  # not counted: assume records hold it
        if in_use:
            migrations.append(Migration(old.value, renamed[key], records))
        if in_use and not migrate_records:
            target.append(old)  # deactivating it now would strand its records on an inactive value
            held = f"{records} records" if records is not None else "records"
            skips.append(
                Skip(
                    "values",
                    f"{held} still hold {old.value!r}: run `crmdefs apply --migrate-records` "
                    f"to move them to {renamed[key]!r}; {old.value!r} is deactivated after that",
                )
            )
        elif old.active:
            target.append(dataclasses.replace(old, active=False, default=False))
            changes.append(ValueChange(ValueChangeKind.DEACTIVATE, old.value, True, False))
        else:
            target.append(old)
    return migrations, skips


def _update_value(wanted: DesiredValue, current: ValueState) -> tuple[ValueState, list[ValueChange]]:
    changes: list[ValueChange] = []
    label = wanted.label if wanted.label is not None else current.label
    if label != current.label:
        changes.append(ValueChange(ValueChangeKind.RELABEL, current.value, current.label, label))
    description = (
        normalize_text(wanted.description) if wanted.description is not None else current.description
    )
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
    old = [have.value_key(v.value) for v in before]
    kept = [have.value_key(v.value) for v in after if have.value_key(v.value) in set(old)]
    if kept == old:
        return None
    return ValueChange(ValueChangeKind.REORDER, "", value_names(before), value_names(after))


def value_names(values: Sequence[ValueState]) -> list[str]:
    return [v.value for v in values]
