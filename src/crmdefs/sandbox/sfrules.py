"""What Salesforce checks when a Metadata component is saved, per type, and how it stores the result.

Sources: docs/salesforce.md — WSDL required elements (docs/salesforce.md#sf-value-set-definition,
docs/salesforce.md#sf-custom-value), standard value sets (docs/salesforce.md#sf-standard-value-sets), record
types (docs/salesforce.md#sf-record-type-values), business processes
(docs/salesforce.md#sf-business-processes), deactivate-not-delete
(docs/salesforce.md#sf-omitted-values-deactivated). Status codes/messages marked UNVERIFIED imitate
Salesforce's style.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from crmdefs.sandbox import sfdependent, sfvalidation
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

# Standard fields whose `description` the save accepts (success, no error) but does not store: imitates the
# reported, undocumented behaviour of some standard fields (docs/salesforce.md#sf-standard-field-description),
# so that apply's read-back verification has something to catch. Chosen among standard fields the starter
# glossary does not bind.
DESCRIPTION_NOT_KEPT = frozenset({"Opportunity.Type"})
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
        "BusinessProcess": _business_process,
        "ValidationRule": sfvalidation.check_rule,
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
        if name in DESCRIPTION_NOT_KEPT:
            return [], {k: v for k, v in c.items() if k != "description"}
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
    errors += sfdependent.check(org, c)  # controllingField / valueSettings
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
    errors += _process_of_record_type(org, obj, c)
    picklists = []
    for entry in c.get("picklistValues", []):
        values = [{**v, "fullName": decode_rt_value(v.get("fullName", ""))} for v in entry.get("values", [])]
        if PROCESS_FIELDS.get(obj) == entry.get("picklist"):
            errors.append(_process_values_refused(obj, str(entry.get("picklist"))))
            continue
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


# The field whose values per record type come from a business process
# (docs/salesforce.md#sf-business-processes); CumulusCI's EnsureRecordTypes SOBJECT_MAP.
PROCESS_FIELDS = {"Opportunity": "StageName", "Lead": "Status", "Case": "Status", "Solution": "Status"}


def _process_values_refused(obj: str, field: str) -> SaveError:
    # UNVERIFIED wording: a real org refuses or ignores these values; the sandbox refuses them loudly.
    return (
        "FIELD_INTEGRITY_EXCEPTION",
        f"Picklist values of {obj}.{field} cannot be set on a record type: they come from its "
        "business process",
    )


def _process_of_record_type(org: SalesforceOrg, obj: str, c: dict[str, Any]) -> list[SaveError]:
    """A record type of an object with business processes names one that exists
    (docs/salesforce.md#sf-business-processes); its name is the process's, without the object."""
    if obj not in PROCESS_FIELDS:
        return []
    name = c.get("businessProcess")
    if not name:
        return [("REQUIRED_FIELD_MISSING", "Required field is missing: businessProcess")]
    if f"{obj}.{name}" not in org.metadata.get("BusinessProcess", {}):
        return [
            (
                "INVALID_CROSS_REFERENCE_KEY",
                f"In field: businessProcess - no BusinessProcess named {name} found",
            )
        ]
    return []


def _business_process(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    """A process holds exactly the values it is saved with (our reading of the docs: ``values`` is the list
    of the process's values; docs/salesforce.md#sf-business-processes). Each must be a value of the field;
    at least one is needed; Opportunity processes take no default, the others need one
    (docs/salesforce.md#sf-business-process-defaults)."""
    obj, _, _ = c["fullName"].partition(".")
    if obj not in PROCESS_FIELDS:
        return [("INVALID_CROSS_REFERENCE_KEY", f"In field: fullName - {obj} has no business processes")], c
    field = f"{obj}.{PROCESS_FIELDS[obj]}"
    values = c.get("values", [])
    errors: list[SaveError] = []
    for value in values:
        errors += _required(value, "fullName", "default")
    known = {str(v["fullName"]).casefold() for v in org.values_of(field) or []}
    errors += [
        ("INVALID_CROSS_REFERENCE_KEY", f"Picklist value: {v.get('fullName')} in picklist: {field} not found")
        for v in values
        if str(v.get("fullName", "")).casefold() not in known
    ]
    if not values:
        errors.append(("FIELD_INTEGRITY_EXCEPTION", "A business process needs at least one value"))
    defaults = sum(1 for v in values if v.get("default"))
    if obj == "Opportunity" and defaults:
        errors.append(("FIELD_INTEGRITY_EXCEPTION", "A sales process cannot have a default stage"))
    elif obj != "Opportunity" and values and defaults != 1:
        errors.append(("FIELD_INTEGRITY_EXCEPTION", f"A business process of {obj} needs one default value"))
    return errors, c


PATH_FIXED = ("entityName", "fieldName", "recordTypeName")  # not updateable


def _path_assistant(
    org: SalesforceOrg, c: dict[str, Any], old: dict[str, Any], create: bool
) -> tuple[list[SaveError], dict[str, Any]]:
    """One Path per object and record type, __MASTER__ included; its object, field and record type are
    fixed once created (docs/salesforce.md#sf-path-one-per-record-type). Wording UNVERIFIED."""
    errors = _required(c, "active", "entityName", "fieldName", "masterLabel", "recordTypeName")
    if errors:
        return errors, c
    if not create:
        return [
            ("FIELD_INTEGRITY_EXCEPTION", f"{key} cannot be changed on an existing path: {old[key]}")
            for key in PATH_FIXED
            if old.get(key) is not None and c[key] != old[key]
        ], c
    key = (str(c["entityName"]).casefold(), str(c["recordTypeName"]).casefold())
    for name, other in org.metadata.setdefault("PathAssistant", {}).items():
        if (
            str(other.get("entityName", "")).casefold(),
            str(other.get("recordTypeName", "")).casefold(),
        ) == key:
            return [
                (
                    "FIELD_INTEGRITY_EXCEPTION",
                    f"Only one path can be created per record type for each object: the path {name} is "
                    f"already on {c['entityName']} record type {c['recordTypeName']}",
                )
            ], c
    return [], c


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
