"""What Salesforce checks when a Metadata component is saved, per type, and how it stores the result.

Sources: docs/salesforce.md — WSDL required elements (docs/salesforce.md#sf-value-set-definition,
docs/salesforce.md#sf-custom-value), standard value sets (docs/salesforce.md#sf-standard-value-sets), record
types (docs/salesforce.md#sf-record-type-values), deactivate-not-delete
(docs/salesforce.md#sf-omitted-values-deactivated). Status codes/messages marked UNVERIFIED imitate
Salesforce's style.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from crmdefs.sandbox.sfstore import SalesforceOrg

SaveError = tuple[str, str]  # (statusCode, message)
REQUIRED_STANDARD_VALUE_KEYS = {
    "OpportunityStage": ("closed", "won", "forecastCategory", "probability"),
    "LeadStatus": ("converted",),
}

# Setup UI limits (docs/salesforce.md#sf-help-text-description-length,
# docs/salesforce.md#sf-picklist-value-length; UNVERIFIED as API limits); enforcing them catches clients that
# would otherwise be cut off by a real org.
TEXT_LIMITS = {"inlineHelpText": 510, "description": 1000, "label": 255}
VALUE_TEXT_LIMITS = {"fullName": 255, "label": 255, "description": 255}


def check(
    org: SalesforceOrg,
    type_name: str,
    component: dict[str, Any],
    existing: dict[str, Any] | None,
    *,
    create: bool,
) -> tuple[list[SaveError], dict[str, Any]]:
    checker: Any = {
        "CustomField": _custom_field,
        "StandardValueSet": _standard_value_set,
        "GlobalValueSet": _global_value_set,
        "RecordType": _record_type,
        "PathAssistant": _path_assistant,
        "PermissionSet": _permission_set,
    }[type_name]
    errors = _too_long(component, TEXT_LIMITS)
    more, stored = checker(org, component, existing or {}, create)
    return errors + more, stored


def _too_long(component: dict[str, Any], limits: dict[str, int]) -> list[SaveError]:
    return [
        ("STRING_TOO_LONG", f"{key}: data value too large (max length={limit})")  # UNVERIFIED wording
        for key, limit in limits.items()
        if isinstance(component.get(key), str) and len(component[key]) > limit
    ]


def _required(component: dict[str, Any], *keys: str) -> list[SaveError]:
    return [
        ("REQUIRED_FIELD_MISSING", f"Required field is missing: {key}")
        for key in keys
        if key not in component
    ]


def merge_values(
    old: list[dict[str, Any]], new: list[dict[str, Any]], what: str
) -> tuple[list[SaveError], list[dict[str, Any]]]:
    """Values left out of an update are deactivated, not deleted
    (docs/salesforce.md#sf-omitted-values-deactivated): they stay, inactive."""
    errors: list[SaveError] = []
    seen: set[str] = set()
    for value in new:
        errors += _required(value, "fullName", "default")
        errors += _too_long(value, VALUE_TEXT_LIMITS)
        key = str(value.get("fullName", "")).casefold()
        if key in seen:
            errors.append(("DUPLICATE_VALUE", f"Duplicate {what} value: {value.get('fullName')}"))
        seen.add(key)
    if sum(1 for v in new if v.get("default")) > 1:
        errors.append(("FIELD_INTEGRITY_EXCEPTION", f"Only one default value is allowed in {what}"))
    kept = [{**v, "isActive": False} for v in old if str(v.get("fullName", "")).casefold() not in seen]
    return errors, new + kept


def _custom_field(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    name = c["fullName"]
    obj, _, field = name.partition(".")
    custom = field.endswith("__c")
    if not custom:
        if create or not org.standard_field_exists(name):
            return [
                ("FIELD_INTEGRITY_EXCEPTION", f"{name} is not a custom field (custom field names end in __c)")
            ], c
        # Standard picklists keep values in a StandardValueSet (docs/salesforce.md#sf-standard-value-sets)
        if "valueSet" in c:
            return [
                (
                    "FIELD_INTEGRITY_EXCEPTION",
                    f"{name} is a standard picklist; its values belong to its StandardValueSet",
                )
            ], c  # UNVERIFIED
        return [], c
    if not org.known_object(obj):
        return [("INVALID_CROSS_REFERENCE_KEY", f"In field: fullName - no CustomObject named {obj} found")], c
    errors = _required(c, "label", "type")
    value_set = c.get("valueSet")
    if c.get("type") in ("Picklist", "MultiselectPicklist") and not value_set:
        errors.append(("FIELD_INTEGRITY_EXCEPTION", "Picklist fields need a valueSet"))  # UNVERIFIED wording
    if value_set and "valueSetDefinition" in value_set:
        definition = value_set["valueSetDefinition"]
        errors += _required(definition, "sorted")
        old_values = old.get("valueSet", {}).get("valueSetDefinition", {}).get("value", [])
        more, merged = merge_values(old_values, definition.get("value", []), name)
        errors += more
        c = {**c, "valueSet": {**value_set, "valueSetDefinition": {**definition, "value": merged}}}
    elif value_set and value_set.get("valueSetName") not in org.metadata["GlobalValueSet"]:
        errors.append(
            ("INVALID_CROSS_REFERENCE_KEY", f"no GlobalValueSet named {value_set.get('valueSetName')} found")
        )
    return errors, c


def _standard_value_set(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    if create:
        return [("INVALID_OPERATION", "Standard value sets cannot be created")], c  # UNVERIFIED wording
    errors = _required(c, "sorted")
    for value in c.get("standardValue", []):
        missing = [k for k in REQUIRED_STANDARD_VALUE_KEYS.get(c["fullName"], ()) if k not in value]
        # CumulusCI AddValueSetEntries requires these keys
        # (docs/salesforce.md#sf-standard-value-required-attributes)
        if missing:
            errors.append(
                (
                    "REQUIRED_FIELD_MISSING",
                    f"{c['fullName']} value {value.get('fullName')}: "
                    f"Required field is missing: {', '.join(missing)}",
                )
            )
    more, merged = merge_values(old.get("standardValue", []), c.get("standardValue", []), c["fullName"])
    return errors + more, {**c, "standardValue": merged}


def _global_value_set(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    errors = _required(c, "masterLabel", "sorted")
    more, merged = merge_values(old.get("customValue", []), c.get("customValue", []), c["fullName"])
    return errors + more, {**c, "customValue": merged}


def _record_type(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    obj, _, _ = c["fullName"].partition(".")
    errors = _required(c, "active", "label")
    if not org.known_object(obj):
        errors.append(
            ("INVALID_CROSS_REFERENCE_KEY", f"In field: fullName - no CustomObject named {obj} found")
        )
    picklists = []
    for entry in c.get("picklistValues", []):
        values = [{**v, "fullName": decode_rt_value(v.get("fullName", ""))} for v in entry.get("values", [])]
        known = {str(v["fullName"]) for v in org.values_of(f"{obj}.{entry.get('picklist')}") or []}
        for value in values:
            if value["fullName"] not in known:  # forcedotcom/cli#1486: record type names a missing value
                errors.append(
                    (
                        "INVALID_CROSS_REFERENCE_KEY",
                        f"Picklist value: {value['fullName']} in picklist: {entry.get('picklist')} not found",
                    )
                )
        picklists.append({**entry, "values": values})
    return errors, {**c, "picklistValues": picklists}


def _path_assistant(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    return _required(c, "active", "entityName", "fieldName", "masterLabel", "recordTypeName"), c


def _permission_set(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    """A save replaces the permission set's whole content: what the update does not carry (grants, agent
    access) is gone, nothing is merged from ``old`` (docs/salesforce.md#sf-permissionset-replace)."""
    errors = _required(c, "label")
    for grant in c.get("fieldPermissions", []):
        name = str(grant.get("field", ""))
        if name not in org.metadata["CustomField"] and not org.standard_field_exists(name):
            errors.append(
                ("INVALID_CROSS_REFERENCE_KEY", f"In field: field - no CustomField named {name} found")
            )
        if grant.get("editable") and not grant.get("readable"):
            errors.append(("FIELD_INTEGRITY_EXCEPTION", f"{name}: an editable field must also be readable"))
    return errors, c


def decode_rt_value(name: str) -> str:
    """Deploys take record-type value names encoded or not (CumulusCI: "The Metadata API does _not_
    require us to perform its partial URL-encoding to deploy")."""
    return unquote(name)
