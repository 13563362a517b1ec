"""PURE: which record types and business processes offer a field's values, and what the plan says about it.

Salesforce shows a record's picklist values through its record type: most fields take them from the record
type itself (``FieldState.record_types``, changed by :class:`RecordTypeChange`), the stage and status fields
from the business process the record type uses (``FieldState.business_processes``, changed by
:class:`ProcessChange`; docs/salesforce.md#sf-business-processes). A value added to the field reaches
neither on its own (docs/salesforce.md#sf-record-type-new-values), so the plan warns where a new value
would be offered nowhere a rep can pick it — and only there: an object without record types (or whose
stage field has no process in use) offers every value through its master record type
(docs/salesforce.md#sf-master-record-type).
"""

from __future__ import annotations

from collections.abc import Sequence

from crmdefs.plan.changes import ProcessChange, RecordTypeChange, Skip, ValueChange, ValueChangeKind
from crmdefs.plan.state import DesiredField, FieldState, ValueState
from crmdefs.words import noun


def process_changes(
    want: DesiredField, have: FieldState, values: Sequence[ValueState]
) -> tuple[list[ProcessChange], list[Skip]]:
    """The values each named (or every: ``all``) business process must start offering."""
    if not want.business_processes or want.values is None:
        return [], []
    processes = have.business_processes
    if processes is None:
        return [], [Skip("business_processes", f"{have.address.dotted} has no business processes")]
    names = sorted(processes) if want.business_processes == ("*",) else list(want.business_processes)
    changes: list[ProcessChange] = []
    skips: list[Skip] = []
    for name in names:
        if name not in processes:
            in_use = sorted(p for p, types in have.process_record_types.items() if types)
            known = f"record types use {', '.join(in_use)}" if in_use else "no active record type uses one"
            reason = f"business process {name} not found on {have.address.object} ({known})"
            skips.append(Skip("business_processes", reason))
            continue
        missing = not_offered(want, have, values, processes[name])
        if missing:
            changes.append(ProcessChange(name, missing))
    return changes, skips


def not_offered(
    want: DesiredField, have: FieldState, values: Sequence[ValueState], offered: Sequence[str]
) -> tuple[str, ...]:
    """The active values of ``values`` the definitions list that ``offered`` (a record type's or a
    process's values) lacks. Only listed values: the CRM's other values (kept, or retired by a rename) are
    not offered anywhere new."""
    listed = {have.value_key(w.value) for w in want.values or ()}
    present = {have.value_key(v) for v in offered}
    return tuple(
        v.value
        for v in values
        if v.active and have.value_key(v.value) in listed and have.value_key(v.value) not in present
    )


def offer_warnings(
    have: FieldState,
    value_changes: Sequence[ValueChange],
    record_types: Sequence[RecordTypeChange],
    processes: Sequence[ProcessChange],
) -> list[str]:
    """Warnings for values this plan adds that no rep could pick after the apply: in no business process an
    active record type uses, or not offered on some record types. None when nothing is added."""
    added = [v.value for v in value_changes if v.kind is ValueChangeKind.ADD]
    if not added:
        return []
    if have.business_processes is not None:
        return _process_warnings(have, added, processes)
    return _record_type_warnings(have, added, record_types)


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def _process_warnings(have: FieldState, added: Sequence[str], changes: Sequence[ProcessChange]) -> list[str]:
    in_use = sorted(p for p, types in have.process_record_types.items() if types)
    if not in_use:
        return []  # no record type uses a process: the master record type offers every active value
    processes = have.business_processes or {}
    offered = {
        p: {have.value_key(v) for v in processes.get(p, ())}
        | {have.value_key(v) for c in changes if c.process == p for v in c.add}
        for p in in_use
    }
    nowhere = [v for v in added if not any(have.value_key(v) in offered[p] for p in in_use)]
    if not nowhere:
        return []
    return [
        f"{_quoted(nowhere)} will be in no business process a record type uses: reps cannot pick "
        f"{'it' if len(nowhere) == 1 else 'them'} on any record type — add business_processes: "
        f"[{', '.join(in_use)}] (or all) to the binding"
    ]


def _record_type_warnings(
    have: FieldState, added: Sequence[str], changes: Sequence[RecordTypeChange]
) -> list[str]:
    by_missing: dict[tuple[str, ...], list[str]] = {}
    for name, values in sorted(have.record_types.items()):
        offered = {have.value_key(v) for v in values}
        offered |= {have.value_key(v) for c in changes if c.record_type == name for v in c.add}
        missing = tuple(v for v in added if have.value_key(v) not in offered)
        if missing:
            by_missing.setdefault(missing, []).append(name)
    return [
        f"{noun(len(names), 'record type')} {', '.join(names)} will not offer new "
        f"{noun(len(missing), 'value')} {_quoted(missing)}: reps on "
        f"{'them' if len(names) > 1 else 'it'} cannot pick {'them' if len(missing) > 1 else 'it'} — add "
        f"{', '.join(names)} to the binding's record_types (or use all)"
        for missing, names in by_missing.items()
    ]
