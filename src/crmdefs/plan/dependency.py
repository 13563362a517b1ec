"""``depends_on`` → a Salesforce dependent picklist: what the definitions ask (desired), what is wrong with
it once the CRM is read (problems, reported by plan/resolve.py with the binding's file:line) and the rows
of the matrix to write (the diff's hook, :func:`with_dependency`). Pure: no I/O.

Rules (docs/salesforce.md): the matrix is keyed on value API names and only the rows of the values the
binding lists are written — every other row is kept (docs/salesforce.md#sf-dependent-matrix); a standard
field cannot depend, a multi-select cannot control (docs/salesforce.md#sf-dependent-which-fields); a
checkbox's columns are ``checked`` / ``unchecked`` (docs/salesforce.md#sf-dependent-checkbox); a field
already controlled by another field is never switched (docs/salesforce.md#sf-dependent-switch-controller).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence

from crmdefs.definitions.model import Crm, FieldBinding, Glossary, PicklistValue
from crmdefs.plan.changes import DOCUMENT_ONLY, Action, DependencyChange, DependencyRow, FieldPlan, Skip
from crmdefs.plan.state import ControllerState, DesiredDependency, DesiredField, FieldState

CHECKBOX_ALIASES = {"true": "checked", "false": "unchecked"}
KIND_WORDS = {"multi_select": "a multi-select picklist", "other": "neither a picklist nor a checkbox"}
Finding = tuple[str, str]  # (what is wrong, what to do)


def desired_dependency(binding: FieldBinding, glossary: Glossary) -> DesiredDependency | None:
    """The rows a binding's ``depends_on`` asks for: each listed value → ``show_when``. When the controlling
    field is bound too, ``show_when`` names its definitions' values: they become its Salesforce values."""
    dep = binding.depends_on
    if dep is None or binding.picklist is None:
        return None
    crm = binding.address.crm
    controller = next(
        (
            b
            for b in glossary.bindings
            if b.address.crm is crm
            and b.address.object.casefold() == binding.address.object.casefold()
            and b.address.field.casefold() == dep.field.casefold()
            and b.picklist is not None
        ),
        None,
    )
    values = controller.picklist.values if controller is not None and controller.picklist else ()
    # Once per controlling value: two spellings of one bound value name it twice.
    show_when = tuple(dict.fromkeys(_crm_value(name, values, crm) for name in dep.show_when))
    return DesiredDependency(
        field=dep.field,
        rows={v.value_in(crm): show_when for v in binding.picklist.values},
        source=dep.source,
        bound_values=tuple(v.value_in(crm) for v in values) if controller is not None else None,
    )


def restored_dependency(state: FieldState) -> DesiredDependency | None:
    """A backup's matrix as desired rows (`crmdefs revert`): every value of the field, with the controlling
    values it had — none for a value that had no settings."""
    if state.dependency is None:
        return None
    matrix = {k.casefold(): v for k, v in state.dependency.matrix.items()}
    rows = {v.value: matrix.get(v.value.casefold(), ()) for v in state.values or ()}
    return DesiredDependency(state.dependency.controlling_field, rows)


def _crm_value(name: str, values: Sequence[PicklistValue], crm: Crm) -> str:
    for v in values:
        if name.casefold() in {v.value.casefold(), v.value_in(crm).casefold(), v.label_in(crm).casefold()}:
            return v.value_in(crm)
    return name


def problems(want: DesiredField, have: FieldState) -> list[Finding]:
    """What the CRM cannot do with the binding's ``depends_on``: a standard field, a controlling field that
    is missing or cannot control, controlling values the field does not have (nor its own binding)."""
    dep, controller = want.depends_on, have.controller
    if dep is None or controller is None or (not have.exists and want.create is None):
        return []
    where = f"{want.address}: depends_on"
    if not have.custom:
        return [
            (
                f"{where}: {want.address.dotted} is a standard picklist, and Salesforce lets standard "
                "picklists control other fields but not depend on one",
                "remove depends_on, or put it on the custom field that should depend on this one",
            )
        ]
    if controller.kind == "missing":
        close = difflib.get_close_matches(dep.field, controller.values, n=3, cutoff=0.6)
        hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else "use its API name"
        return [(f"{where}: {want.address.object} has no field '{dep.field}'", hint)]
    if controller.kind in KIND_WORDS:
        return [
            (
                f"{where}: {controller.field} is {KIND_WORDS[controller.kind]}, so it cannot control "
                "a picklist",
                "name a picklist or a checkbox on the same object",
            )
        ]
    columns = _columns(controller)
    bound = {v.casefold() for v in dep.bound_values or ()}
    found: list[Finding] = []
    for name in dict.fromkeys(n for row in dep.rows.values() for n in row):
        if name.casefold() not in columns and name.casefold() not in bound:
            close = difflib.get_close_matches(name, controller.values, n=1, cutoff=0.6)
            found.append(
                (
                    f"{where}: '{name}' is not a value of {controller.field}",
                    f"did you mean '{close[0]}'?" if close else f"its values: {', '.join(controller.values)}",
                )
            )
    return found


def _columns(controller: ControllerState) -> dict[str, str]:
    """The controlling values a matrix names, by casefolded spelling (a checkbox's also as true/false)."""
    columns = {v.casefold(): v for v in controller.values}
    if controller.kind == "checkbox":
        columns.update(CHECKBOX_ALIASES)
    return columns


def with_dependency(plan: FieldPlan, want: DesiredField, have: FieldState) -> FieldPlan:
    """``plan`` with the matrix rows to write for ``want.depends_on`` (or why they are skipped)."""
    dep, controller = want.depends_on, have.controller
    if dep is None or controller is None or controller.kind not in ("picklist", "checkbox"):
        return plan
    if plan.action is not Action.CREATE and (not have.exists or have.values is None):
        return plan  # nothing to make dependent: the plan already says why
    current = have.dependency
    if current is not None and current.controlling_field.casefold() != controller.field.casefold():
        return dataclasses.replace(
            plan, skips=(*plan.skips, _switch_skip(have, current.controlling_field, controller.field))
        )
    rows, pending = _rows(dep, have, plan, controller)
    skips = list(plan.skips)
    if pending:
        skips.append(
            Skip(
                "depends_on",
                f"{controller.field} has no value {', '.join(repr(p) for p in pending)} in Salesforce yet; "
                "plan again once it is added to write the rows that name it",
            )
        )
    if not rows:
        return dataclasses.replace(plan, skips=tuple(skips))
    if want.document_only:
        skips.append(Skip("depends_on", DOCUMENT_ONLY, None, {r.value: list(r.after) for r in rows}))
        return dataclasses.replace(plan, skips=tuple(skips))
    named = {c.casefold() for r in rows for c in (*r.before, *r.after)}
    change = DependencyChange(
        controller.field,
        tuple(rows),
        tuple(c for c in controller.values if c.casefold() in named),
        new=current is None,
    )
    action = Action.UPDATE if plan.action is Action.NOOP else plan.action
    warnings = plan.warnings + (_unlisted_warning(dep, want, have, controller.field) if change.new else ())
    return dataclasses.replace(plan, action=action, dependency=change, skips=tuple(skips), warnings=warnings)


def _rows(
    dep: DesiredDependency, have: FieldState, plan: FieldPlan, controller: ControllerState
) -> tuple[list[DependencyRow], list[str]]:
    """The rows that change (all of them when the field is not dependent yet) and the controlling values
    named that the CRM does not have yet (listed by the controller's own binding)."""
    columns = _columns(controller)
    order = {c.casefold(): i for i, c in enumerate(controller.values)}
    names = {v.value.casefold(): v.value for v in plan.target_values or have.values or ()}
    current: Mapping[str, tuple[str, ...]] = have.dependency.matrix if have.dependency is not None else {}
    before_rows = {k.casefold(): v for k, v in current.items()}
    rows: list[DependencyRow] = []
    pending: list[str] = []
    for value, wanted in dep.rows.items():
        real = names.get(value.casefold())
        if real is None:  # not in the field, nor added by this plan (withheld or skipped): no row
            continue
        pending += [w for w in wanted if w.casefold() not in columns and w not in pending]
        chosen = {columns[w.casefold()] for w in wanted if w.casefold() in columns}
        after = tuple(sorted(chosen, key=lambda c: order.get(c.casefold(), len(order))))
        before = before_rows.get(real.casefold(), ())
        if have.dependency is None or {b.casefold() for b in before} != {a.casefold() for a in after}:
            rows.append(DependencyRow(real, before, after))
    return rows, pending


def _switch_skip(have: FieldState, current: str, wanted: str) -> Skip:
    return Skip(
        "depends_on",
        f"{have.address.dotted} is controlled by {current} in Salesforce, not {wanted}; crmdefs does not "
        f"switch its controlling field (its matrix is keyed on {current}'s values and would be lost) — "
        f"change it in Setup > Object Manager > {have.address.object} > Fields & Relationships > Field "
        f"Dependencies, or write depends_on: {{field: {current}, …}}",
        current,
        wanted,
    )


def _unlisted_warning(
    dep: DesiredDependency, want: DesiredField, have: FieldState, controller: str
) -> tuple[str, ...]:
    """Values the CRM keeps offering that the matrix gives no controlling value. Not said of values on
    their way out: renamed ones (retired once their records move) or any unlisted one when the binding
    deactivates unlisted values."""
    if want.unlisted_values == "deactivate":
        return ()
    listed = {v.casefold() for v in dep.rows}
    listed |= {old.casefold() for v in want.values or () for old in v.renamed_from}
    unlisted = [v.value for v in have.values or () if v.active and v.value.casefold() not in listed]
    if not unlisted:
        return ()
    names = ", ".join(repr(v) for v in unlisted)
    return (
        f"once {have.address.field} depends on {controller}, Salesforce offers a value without settings for "
        f"no {controller} value: {names} — list them in the binding or set them in Setup",
    )
