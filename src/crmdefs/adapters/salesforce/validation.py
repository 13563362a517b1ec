"""Validation rules of the bound fields (docs/salesforce.md#sf-validation-rule): read, written, counted.

Read: one ``listMetadata`` of ValidationRule for the whole org, then ``readMetadata`` (10 a call) of the
rules on objects with a binding that manages rules; each field gets the rules crmdefs made for it
(plan/rules.py ``owned``) and the ones its requirements name, plus — from the object's REST describe — how
each wanted rule is written for the field types (``rule_targets``) and the required fields the object has
(``rule_fields``; plan/resolve.py reports the others). Formulas
(docs/salesforce.md#sf-formula-picklist-functions): ``AND(<when>, <any required blank>)``, picklists
through ``ISPICKVAL``, multi-select through ``INCLUDES`` / ``ISBLANK``, everything else ``ISBLANK``; a
checkbox is never blank (resolve refuses it). Written: ``createMetadata`` for a new rule, read-modify-write
``updateMetadata`` otherwise (a deactivated rule keeps everything but ``active``); never
``deleteMetadata``. Counted: one ``SELECT COUNT()`` per rule.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from crmdefs.adapters.salesforce import soql
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.adapters.salesforce.names import Describes
from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.changes import FieldPlan, RuleChange
from crmdefs.plan.rules import owned, rule_state
from crmdefs.plan.state import DesiredField, DesiredRule, FieldState

TYPE = "ValidationRule"
CHECKBOX = "boolean"  # REST describe's type of a checkbox: never blank


def quote(text: str) -> str:
    """A formula string literal (double quotes; backslash escapes, as in JSON)."""
    return json.dumps(text, ensure_ascii=False)


def formula(field: str, multi_select: bool, when: Sequence[str], required: Sequence[tuple[str, str]]) -> str:
    """``AND(<field holds a when value>, <a required field is blank>)``; ``required``: (name, describe
    type) of each required field."""
    function = "INCLUDES" if multi_select else "ISPICKVAL"
    holds = [f"{function}({field}, {quote(v)})" for v in when]
    blank = [
        f'ISPICKVAL({name}, "")' if kind == "picklist" else f"ISBLANK({name})" for name, kind in required
    ]
    return f"AND({_any(holds)}, {_any(blank)})"


def _any(tests: list[str]) -> str:
    return tests[0] if len(tests) == 1 else f"OR({', '.join(tests)})"


def read_rules(
    org: OrgCalls,
    fields: Sequence[DesiredField],
    states: Mapping[FieldAddress, FieldState],
    describe: Describes,
) -> dict[FieldAddress, FieldState]:
    """``states`` with the rules of every field whose binding manages them; ``describe``: the read's REST
    describes (one per object, shared with the record types and controlling fields)."""
    managed = [f for f in fields if f.rules is not None and states[f.address].exists]
    if not managed:
        return dict(states)
    objects = {f.address.object.casefold() for f in managed}
    names = [n for n in org.list_names(TYPE) if n.partition(".")[0].casefold() in objects]
    rules = {name: _state(c) for name, c in org.read(TYPE, names, keep=False).items()}
    describes = {f.address.object: describe(f.address.object) for f in managed if f.rules}
    out = dict(states)
    for wanted in managed:
        types = _types(describes.get(wanted.address.object))
        out[wanted.address] = _field_rules(wanted, states[wanted.address], rules, types)
    return out


def _state(component: Any) -> dict[str, Any]:
    return rule_state(
        component.active is not False,
        str(component.errorConditionFormula or ""),
        component.errorDisplayField,
        str(component.errorMessage or ""),
        component.description,
    )


def _types(describe: Any | None) -> dict[str, tuple[str, str]]:
    """Field name casefolded → (the org's spelling, the describe type)."""
    fields = describe["fields"] if describe is not None else []
    return {str(f["name"]).casefold(): (str(f["name"]), str(f.get("type", ""))) for f in fields}


def _field_rules(
    wanted: DesiredField,
    state: FieldState,
    rules: Mapping[str, dict[str, Any]],
    types: Mapping[str, tuple[str, str]],
) -> FieldState:
    address = wanted.address
    named = {f"{address.object}.{r.name}".casefold() for r in wanted.rules or ()}
    mine = {
        name.partition(".")[2]: rule
        for name, rule in rules.items()
        if name.partition(".")[0].casefold() == address.object.casefold()
        and (name.casefold() in named or owned(name.partition(".")[2], rule, address))
    }
    found = {
        r: types[r.casefold()] for rule in wanted.rules or () for r in rule.require if r.casefold() in types
    }
    targets = {rule.name: _target(address, state, rule, found) for rule in wanted.rules or ()}
    return dataclasses.replace(
        state,
        validation_rules=mine,
        rule_fields=found,
        rule_targets={name: target for name, target in targets.items() if target},
    )


def _target(
    address: FieldAddress, state: FieldState, rule: DesiredRule, found: Mapping[str, tuple[str, str]]
) -> dict[str, str | None]:
    """How ``rule`` is written, or nothing when a required field is missing or a checkbox (resolve says)."""
    required = [found[r] for r in rule.require if r in found]
    if rule.formula or len(required) < len(rule.require) or any(k == CHECKBOX for _, k in required):
        return {}
    return {
        "formula": formula(address.field, state.multi_select, rule.when, required),
        "display_field": required[0][0],  # the message shows next to the first required field
    }


def save_rules(org: OrgCalls, changes: Sequence[FieldPlan], errors: dict[FieldAddress, list[str]]) -> None:
    """Create the new rules, save the changed ones whole (read just before), deactivate the unwanted."""
    owners: dict[str, FieldAddress] = {}
    new: list[Any] = []
    for change in changes:
        for rule in change.rules:
            full_name = f"{change.address.object}.{rule.name}"
            owners[full_name.casefold()] = change.address
            if rule.before is None:
                new.append(_component(org.md.ValidationRule(fullName=full_name), rule))
    changed = {f"{c.address.object}.{r.name}": r for c in changes for r in c.rules if r.before is not None}
    current = org.read(TYPE, list(changed)) if changed else {}
    for name in changed:
        if name not in current:
            errors[owners[name.casefold()]].append(f"validation rule {name} no longer exists")
    updated = [_component(current[n], rule) for n, rule in changed.items() if n in current]
    outcome = (org.save("createMetadata", new) if new else []) + (
        org.save("updateMetadata", updated) if updated else []
    )
    for name, problems in outcome:
        errors[owners[name.casefold()]] += [f"validation rule {name}: {p}" for p in problems]


def _component(component: Any, rule: RuleChange) -> Any:
    after = rule.after
    component.active = bool(after["active"])
    component.errorConditionFormula = after["formula"]
    component.errorDisplayField = after.get("display_field")
    component.errorMessage = after["message"]
    component.description = after.get("description")
    return component


def count_violations(org: OrgCalls, address: FieldAddress, rule: RuleChange, multi_select: bool) -> int:
    """Records that fail ``rule`` today: one aggregate query, no record bodies."""
    holds = soql.holds(address.field, rule.when, multi_select=multi_select)
    return soql.count(
        org, f"SELECT COUNT() FROM {address.object} WHERE {holds} AND {soql.any_empty(rule.require)}"
    )
