"""PURE: ``compute_plan(desired, actual)`` → :class:`Plan`. No I/O, no printing, no clock.

The plan's types live in changes.py; apply only executes a plan. Per field it holds the
attribute changes (before → after), value-level changes, record-type and business-process additions
(offers.py), skips with their reason,
the complete value list to write (built in values.py), and the fingerprint of the state it was computed on.

No CRM's rules live here: how values match, the value set a field shares and the notes a create carries
come with the :class:`FieldState` the adapter read (``value_key``, ``shared_value_set``, ``create_notes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.changes import (
    DOCUMENT_ONLY,
    AccessChange,
    Action,
    AttributeChange,
    FieldPlan,
    Migration,
    PathChange,
    Plan,
    RecordTypeChange,
    Skip,
    ValueChange,
    ValueChangeKind,
)
from crmdefs.plan.dependency import with_dependency
from crmdefs.plan.offers import not_offered, offer_warnings, process_changes
from crmdefs.plan.rules import plan_rules
from crmdefs.plan.state import (
    ACCESS_READ_EDIT,
    NOTE_REQUIRED_PROPERTIES,
    DesiredField,
    FieldState,
    ValueState,
    normalize_text,
    path_read_only_key,
)
from crmdefs.plan.values import merge_values, value_names

TEXT_ATTRIBUTES = ("label", "help_text", "description")


def compute_plan(
    desired: Sequence[DesiredField],
    actual: Mapping[FieldAddress, FieldState],
    *,
    target: str,
    definitions_digest: str,
    created_at: str,
    usage: Mapping[FieldAddress, Mapping[str, int]] | None = None,
    migrate_records: bool = False,
) -> Plan:
    """The changes that make ``actual`` match ``desired`` (every desired field must be in ``actual``).

    ``usage`` gives records per value where known (see :func:`values_to_count`); a value that still holds
    records is only retired by a rename when ``migrate_records`` is set, after its records move."""
    counts = usage or {}
    fields = tuple(
        with_dependency(
            _field_plan(d, actual[d.address], actual, counts.get(d.address), migrate_records),
            d,
            actual[d.address],
        )
        for d in sorted(desired, key=lambda d: str(d.address))
    )
    fingerprints = {str(d.address): actual[d.address].fingerprint() for d in desired}
    before = {str(f.address): actual[f.address] for f in fields if f.has_changes}
    return Plan(
        target,
        definitions_digest,
        created_at,
        fields,
        read_fingerprints=fingerprints,
        before=before,
        migrate_records=migrate_records,
    )


def values_to_count(plan: Plan) -> dict[FieldAddress, list[str]]:
    """The values whose record counts a user should see before they are retired or migrated."""
    wanted: dict[FieldAddress, list[str]] = {}
    for f in plan.fields:
        names = [v.value for v in f.value_changes if v.kind is ValueChangeKind.DEACTIVATE]
        names += [m.old for m in f.migrations]
        if names:
            wanted[f.address] = sorted(set(names))
    return wanted


def _field_plan(
    want: DesiredField,
    have: FieldState,
    everything: Mapping[FieldAddress, FieldState],
    usage: Mapping[str, int] | None,
    migrate_records: bool,
) -> FieldPlan:
    if not have.exists:
        return _create_or_skip(want, have)
    attributes, skips = _attribute_changes(want, have)
    skips += [Skip(attribute, reason) for attribute, reason in want.held]
    value_changes, migrations, target_values = _value_plan(want, have, usage, migrate_records, skips)
    record_types, rt_skips = _record_type_changes(want, have, target_values or have.values or ())
    processes, process_skips = process_changes(want, have, target_values or have.values or ())
    path_changes, path_skips = _path_changes(want, have)
    access, access_skips = _access_change(want, have)
    rules, rule_skips = plan_rules(want, have)
    skips += rt_skips + process_skips + path_skips + access_skips + rule_skips
    # always said (the CRM has no API for it), once: a requirement's own skip says it already
    if NOTE_REQUIRED_PROPERTIES in have.read_only and not rule_skips:
        skips.append(Skip(NOTE_REQUIRED_PROPERTIES, have.read_only[NOTE_REQUIRED_PROPERTIES]))
    if want.document_only:
        attributes, value_changes, record_types, target_values, skips = _document_only(
            attributes, value_changes, record_types, skips, path_changes, access
        )
        skips += [Skip("business_processes", DOCUMENT_ONLY, p.process, list(p.add)) for p in processes]
        skips += [Skip("requirements", DOCUMENT_ONLY, r.before, r.after) for r in rules]
        migrations, processes, path_changes, access, rules = [], [], [], None, []
    writes = (attributes, value_changes, record_types, processes, path_changes, access, rules)
    has_changes = any(writes) or bool(migrations and migrate_records)
    return FieldPlan(
        address=want.address,
        action=Action.UPDATE if has_changes else Action.NOOP,
        fingerprint=have.fingerprint(),
        attributes=tuple(attributes),
        value_changes=tuple(value_changes),
        record_types=tuple(record_types),
        business_processes=tuple(processes),
        skips=tuple(skips),
        # The shared set changes only when this field's values do: a help text alone stays on this field.
        warnings=(_warnings(have, everything) if value_changes else ())
        + tuple(offer_warnings(have, value_changes, record_types, processes))
        + _path_warnings(have, path_changes),
        target_values=target_values,
        migrations=tuple(migrations),
        usage=dict(usage or {}),
        path_changes=tuple(path_changes),
        access=access,
        pipeline=have.pipeline,
        rules=tuple(rules),
    )


def _value_plan(
    want: DesiredField,
    have: FieldState,
    usage: Mapping[str, int] | None,
    migrate_records: bool,
    skips: list[Skip],
) -> tuple[list[ValueChange], list[Migration], tuple[ValueState, ...] | None]:
    """The value changes, migrations and whole value list to write (None: the values stay); adds to
    ``skips`` what cannot be written."""
    if want.values is None:
        return [], [], None
    if have.values is None:
        skips.append(Skip("values", f"{have.address.dotted} is not a picklist in the CRM"))
        return [], [], None
    target, value_changes, migrations, rename_skips = merge_values(want, have, usage, migrate_records)
    skips += rename_skips
    if value_changes and "values" in have.read_only:
        skips.append(Skip("values", have.read_only["values"], value_names(have.values), value_names(target)))
        return [], migrations, None
    return value_changes, migrations, tuple(target) if value_changes else None


def _access_change(want: DesiredField, have: FieldState) -> tuple[AccessChange | None, list[Skip]]:
    """Access through the binding's permission set is a state: a missing or partial grant is a change
    (the adapter reads the permission set; a state without it was not read, so nothing is known) — or a
    skip, with the adapter's reason, when the permission set cannot be written (``read_only["access"]``)."""
    permission_set = want.create.permission_set if want.create is not None else None
    if not permission_set or permission_set not in have.field_access:
        return None, []
    current = have.field_access[permission_set]
    if current == ACCESS_READ_EDIT:
        return None, []
    if "access" in have.read_only:
        return None, [Skip("access", have.read_only["access"], current, ACCESS_READ_EDIT)]
    return AccessChange(permission_set, current, ACCESS_READ_EDIT), []


def _create_or_skip(want: DesiredField, have: FieldState) -> FieldPlan:
    if want.create is None or want.document_only:
        reason = (
            f"{want.address.dotted} does not exist in {want.address.crm.value}; add 'create:' to the "
            "binding or fix the address"
        )
        return FieldPlan(want.address, Action.NOOP, "", skips=(Skip("field", reason),))
    held = tuple(Skip(attribute, reason) for attribute, reason in want.held)
    values = tuple(
        ValueState(
            v.value,
            v.label or v.new_label or v.value,
            v.description,
            True,
            bool(v.default),
            dict(v.attributes),
        )
        for v in want.values or ()
    )
    label = want.label or want.create.label
    attributes = tuple(
        AttributeChange(name, None, value)
        for name, value in (
            ("label", label),
            ("help_text", want.help_text),
            ("description", want.description),
        )
        if value is not None
    )
    changes = tuple(ValueChange(ValueChangeKind.ADD, v.value, None, v.label) for v in values)
    if want.rules:  # a rule needs the field's type: the next plan, once the field exists, shows them
        held += (
            Skip(
                "requirements", "validation rules are planned once the field exists: plan again after apply"
            ),
        )
    return FieldPlan(
        want.address,
        Action.CREATE,
        "",
        attributes=attributes,
        value_changes=changes,
        target_values=values if want.values is not None else None,
        create=want.create,
        warnings=have.create_notes,
        skips=held,
    )


def _attribute_changes(want: DesiredField, have: FieldState) -> tuple[list[AttributeChange], list[Skip]]:
    changes: list[AttributeChange] = []
    skips: list[Skip] = []
    for name in TEXT_ATTRIBUTES:
        if getattr(want, name) is None:
            continue  # the definitions do not say: leave the CRM's text alone
        after = normalize_text(getattr(want, name))  # "" becomes None: clear it
        before = normalize_text(getattr(have, name))
        if after == before:
            continue
        if name in have.read_only:
            skips.append(Skip(name, have.read_only[name], before, after))
        else:
            changes.append(AttributeChange(name, before, after))
    return changes, skips


def _record_type_changes(
    want: DesiredField, have: FieldState, values: Sequence[ValueState]
) -> tuple[list[RecordTypeChange], list[Skip]]:
    if not want.record_types or want.values is None:
        return [], []
    names = sorted(have.record_types) if want.record_types == ("*",) else list(want.record_types)
    changes: list[RecordTypeChange] = []
    skips: list[Skip] = []
    for name in names:
        if name not in have.record_types:
            skips.append(Skip("record_types", f"record type {name} not found on {have.address.object}"))
            continue
        missing = not_offered(want, have, values, have.record_types[name])
        if missing:
            changes.append(RecordTypeChange(name, missing))
    return changes, skips


def path_record_types(want: DesiredField, record_types: Sequence[str]) -> list[str]:
    """The paths a binding manages: ``*`` = the master record type's and every record type's."""
    if want.path_record_types == ("*",):
        return ["__MASTER__", *sorted(record_types)]
    return list(want.path_record_types)


def _path_changes(want: DesiredField, have: FieldState) -> tuple[list[PathChange], list[Skip]]:
    """Guidance to write per record type and stage; a record type whose Path cannot take it (the adapter
    says why in ``read_only``) is skipped whole. Stages match as the field's values do."""
    if not want.path_guidance:
        return [], []
    changes, skips = [], []
    for record_type in path_record_types(want, list(have.record_types)):
        if path_read_only_key(record_type) in have.read_only:
            skips.append(Skip("path_guidance", have.read_only[path_read_only_key(record_type)]))
            continue
        current = {have.value_key(s): i for s, i in have.path_guidance.get(record_type, {}).items()}
        for stage, info in want.path_guidance.items():
            before = current.get(have.value_key(stage))
            if before != info:
                changes.append(PathChange(record_type, stage, before, info))
    return changes, skips


def _path_warnings(have: FieldState, changes: Sequence[PathChange]) -> tuple[str, ...]:
    return tuple(
        have.path_notes[rt] for rt in dict.fromkeys(p.record_type for p in changes) if rt in have.path_notes
    )


def _document_only(
    attributes: list[AttributeChange],
    values: list[ValueChange],
    record_types: list[RecordTypeChange],
    skips: list[Skip],
    path_changes: list[PathChange],
    access: AccessChange | None,
) -> tuple[list[AttributeChange], list[ValueChange], list[RecordTypeChange], None, list[Skip]]:
    skips = skips + [Skip(a.attribute, DOCUMENT_ONLY, a.before, a.after) for a in attributes]
    if values:
        skips.append(
            Skip("values", DOCUMENT_ONLY, None, [f"{v.kind.value} {v.value}".strip() for v in values])
        )
    skips += [Skip("record_types", DOCUMENT_ONLY, rt.record_type, list(rt.add)) for rt in record_types]
    skips += [Skip("path_guidance", DOCUMENT_ONLY, p.before, p.after) for p in path_changes]
    skips += [Skip("access", DOCUMENT_ONLY, access.before, access.after)] if access is not None else []
    return [], [], [], None, skips


def _warnings(have: FieldState, everything: Mapping[FieldAddress, FieldState]) -> tuple[str, ...]:
    name = have.shared_value_set
    if name is None:
        return ()
    others = sorted(
        a.dotted for a, s in everything.items() if s.shared_value_set == name and a != have.address
    )
    shared = f"; also used by {', '.join(others)}" if others else ""
    return (f"values live in the global value set {name}: changes reach every field that uses it{shared}",)
