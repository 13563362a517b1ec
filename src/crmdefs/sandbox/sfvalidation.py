"""Validation rules in the Salesforce sandbox: the ``ValidationRule`` component checked when it is saved
(Metadata API), and the active rules enforced on every record write of the REST record API.

Sources (CONFIRMED = read in the source named; UNVERIFIED = our choice):
- The component: fullName ``Object.RuleName``; ``active``, ``errorConditionFormula`` and ``errorMessage``
  required; ``errorMessage`` and ``description`` at most 255 characters; ``errorDisplayField`` a field of
  the object (else the message shows at the top of the page): CONFIRMED,
  docs/salesforce.md#sf-validation-rule. The rule name
  (letters, digits, underscores, starting with a letter, no double or trailing underscore, at most 40):
  CONFIRMED, same entry.
- Formula errors at save: the wording of docs/salesforce.md#sf-formula-picklist-functions (formula.py); the
  status code FIELD_INTEGRITY_EXCEPTION for them is UNVERIFIED.
- A record that makes an active rule's formula true is refused: HTTP 400,
  ``[{"message": <errorMessage>, "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": [<the
  errorDisplayField>] or []}]``; in sObject Collections the same error inside the record's result:
  CONFIRMED, docs/salesforce.md#sf-validation-error-shape. Every failing rule is listed, in name order
  (UNVERIFIED: the order).
"""

from __future__ import annotations

import re
from typing import Any

from crmdefs.sandbox.formula import FormulaError, evaluate, parse
from crmdefs.sandbox.sfstore import Json, SalesforceOrg, field_name

SaveError = tuple[str, str]
TEXT_LIMIT = 255
_RULE_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$")


def field_types(fields: dict[str, Json]) -> dict[str, str]:
    """An object's fields (SalesforceOrg.fields) by name → their describe type, as a formula sees them."""
    return {name: str(info.get("type", "string")) for name, info in fields.items()}


def check_rule(
    org: SalesforceOrg, component: dict[str, Any], existing: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    """What Salesforce refuses when a ValidationRule is saved; the component is stored whole (updateMetadata
    replaces it)."""
    del existing, create  # a rule is replaced whole: nothing of the old one is kept
    obj, _, rule = str(component["fullName"]).partition(".")
    missing = [k for k in ("active", "errorConditionFormula", "errorMessage") if k not in component]
    if missing:
        return [("REQUIRED_FIELD_MISSING", f"Required field is missing: {missing[0]}")], component
    if org.object_name(obj) != obj:  # UNVERIFIED wording
        return [
            ("INVALID_CROSS_REFERENCE_KEY", f"In field: fullName - no CustomObject named {obj} found")
        ], {}
    if not _RULE_NAME.match(rule) or rule.endswith("_") or len(rule) > 40:  # UNVERIFIED wording
        return [("FIELD_INTEGRITY_EXCEPTION", f"The Rule Name field can only contain underscores and "
                 f"alphanumeric characters: {rule}")], {}  # fmt: skip
    for key in ("errorMessage", "description"):
        if len(str(component.get(key) or "")) > TEXT_LIMIT:  # UNVERIFIED wording
            return [("STRING_TOO_LONG", f"{key}: data value too large (max length={TEXT_LIMIT})")], {}
    fields = org.fields(obj)
    try:
        parse(str(component["errorConditionFormula"]), field_types(fields))
    except FormulaError as error:
        return [("FIELD_INTEGRITY_EXCEPTION", f"Error: {error}")], {}
    shown = component.get("errorDisplayField")
    if shown and field_name(fields, str(shown)) is None:  # UNVERIFIED wording
        return [("FIELD_INTEGRITY_EXCEPTION", f"Error Location: field {shown} does not exist")], {}
    return [], component


def rules_of(org: SalesforceOrg, obj: str) -> list[dict[str, Any]]:
    """The active rules of ``obj``, in name order."""
    rules = org.metadata.get("ValidationRule", {})
    prefix = obj.casefold() + "."
    return [
        rules[name]
        for name in sorted(rules)
        if name.casefold().startswith(prefix) and rules[name].get("active")
    ]


def violations(org: SalesforceOrg, obj: str, record: Json) -> list[Json]:
    """The errors of every active rule ``record`` (its values once saved) fails, as the record APIs give
    them (``statusCode`` is named ``errorCode`` in a single-record answer: the caller renames it)."""
    fields = org.fields(obj)
    types = field_types(fields)
    errors: list[Json] = []
    for rule in rules_of(org, obj):
        try:
            failed = bool(evaluate(parse(str(rule["errorConditionFormula"]), types), record))
        except FormulaError:
            continue  # a field the formula names was removed since: Salesforce would not have saved it
        if failed:
            shown = rule.get("errorDisplayField")
            errors.append(
                {
                    "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "message": str(rule["errorMessage"]),
                    "fields": [field_name(fields, str(shown)) or str(shown)] if shown else [],
                }
            )
    return errors
