"""PURE: a binding's requirements against the validation rules the CRM holds → rule changes and skips.

Which rules are crmdefs' own (docs/salesforce.md#sf-validation-rule): a rule crmdefs wrote says "managed by
crmdefs for Object.Field" in its description; one named ``crmdefs_<Field>_…`` is taken for this field's too
(the default names, unless its description names another field). Only those are ever changed: a wanted rule
whose name a rule of someone else's already has is skipped with the reason, and a rule of crmdefs' that the
definitions no longer ask for is deactivated — never deleted. How a rule is written for the CRM (formula,
error display field) comes with the state the adapter read (``FieldState.rule_targets``); a CRM with no API
for rules says where a person sets them (``read_only[RULES_ELSEWHERE]``): one skip per requirement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.changes import RuleChange, Skip
from crmdefs.plan.state import RULES_ELSEWHERE, DesiredField, DesiredRule, FieldState, normalize_text

MARKER = "managed by crmdefs for"


def marker(address: FieldAddress) -> str:
    """What a rule's description says once crmdefs wrote it for ``address``."""
    return f"{MARKER} {address.dotted}"


def default_prefix(address: FieldAddress) -> str:
    """The start of the names crmdefs gives its rules for ``address`` (definitions/rules.py rule_name)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", address.field.removesuffix("__c")).strip("_")
    return f"crmdefs_{stem}_"


def owned(name: str, rule: Mapping[str, Any], address: FieldAddress) -> bool:
    """Whether the rule ``name`` is one crmdefs made for ``address``."""
    description = str(rule.get("description") or "").casefold()
    if marker(address).casefold() in description:
        return True
    return MARKER not in description and name.casefold().startswith(default_prefix(address).casefold())


def rule_state(
    active: bool, formula: str, display_field: str | None, message: str, description: str | None
) -> dict[str, Any]:
    """A rule as FieldState.validation_rules holds it (plan/state.py RULE_KEYS), texts normalized."""
    return {
        "active": bool(active),
        "formula": (formula or "").strip(),
        "display_field": display_field or None,
        "message": normalize_text(message) or "",
        "description": normalize_text(description),
    }


def plan_rules(want: DesiredField, have: FieldState) -> tuple[list[RuleChange], list[Skip]]:
    """The rule changes that make ``have`` hold ``want``'s requirements, and what cannot be written."""
    if want.rules is None:
        return [], []
    if RULES_ELSEWHERE in have.read_only:
        where = have.read_only[RULES_ELSEWHERE]
        return [], [Skip("requirements", f"{_sentence(r)}: {where}") for r in want.rules]
    held = {name.casefold(): name for name in have.validation_rules}
    changes: list[RuleChange] = []
    skips: list[Skip] = []
    wanted: set[str] = set()
    for rule in want.rules:
        wanted.add(rule.name.casefold())
        name = held.get(rule.name.casefold())
        before = have.validation_rules[name] if name is not None else None
        if before is not None and not owned(rule.name, before, want.address):
            skips.append(Skip("requirements", _taken(rule, want.address)))
            continue
        after = _after(rule, have)
        if after is not None and after != before:
            require = tuple(have.rule_fields[r][0] for r in rule.require if r in have.rule_fields)
            changes.append(RuleChange(name or rule.name, before, after, rule.when, require))
    for key, name in sorted(held.items()):
        before = have.validation_rules[name]
        if key not in wanted and before.get("active") and owned(name, before, want.address):
            changes.append(RuleChange(name, before, {**before, "active": False}))
    return changes, skips


def _after(rule: DesiredRule, have: FieldState) -> dict[str, Any] | None:
    target = have.rule_targets.get(rule.name, {})
    formula = rule.formula or target.get("formula")
    if not formula:
        return None  # the adapter could not write it (plan/resolve.py has said why)
    display = rule.display_field if rule.formula else target.get("display_field")
    return rule_state(rule.active, formula, display, rule.message, rule.description)


def _sentence(rule: DesiredRule) -> str:
    values = " or ".join(f'"{v}"' for v in rule.when)
    return f"{' and '.join(rule.require)} required at {values}"


def _taken(rule: DesiredRule, address: FieldAddress) -> str:
    where = f" ({rule.source})" if rule.source else ""
    return (
        f"{address.object} already has a validation rule named {rule.name} that crmdefs did not make{where} "
        "— give the requirement another 'name:'"
    )
