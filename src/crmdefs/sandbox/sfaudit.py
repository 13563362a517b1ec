"""The sandbox's setup audit trail: every Metadata API save appends rows to
``state["salesforce"]["setup"]["SetupAuditTrail"]`` by Id (sfstore.records), which SOQL reads like any
object (sfquery.py; its describe: data/describe_SetupAuditTrail.json), ``CreatedBy.<field>`` from the
users (sfusers.py).

A row: ``Id`` (key prefix 0Ym), ``Action``, ``Section``, ``Display``, ``CreatedById`` (the session's user),
``CreatedDate`` (now, UTC, ``2026-11-29T10:15:02.000+0000``), ``DelegateUser`` (null: nobody logged in as
someone else), as real rows look (docs/salesforce.md#sf-setup-audit-trail). One row per changed attribute,
as Salesforce writes them: help text, label, each picklist value added, deactivated, relabelled…

Wording (docs/salesforce.md#sf-setup-audit-trail-display). CONFIRMED from rows of real orgs quoted in public
code: custom field help text ``Changed help text of <label> custom field[ on <Objects>]``
(changedCFFieldHelp[Custom]); label ``Changed label of custom field[ on <Objects>] from A to B``
(changedCF[Custom]); values ``Added value V to <label> picklist with color Assigned dynamically``,
``Deactivated value V from …``, ``Activated value V to …``, ``Changed <label> picklist value from A to B``,
``Reordered <label> picklist``, ``Changed <label> picklist default value from A to B``; a new custom field
``Created custom field: <label> (<Type>)``; validation rules ``New <Objects> validation rule "N"`` and
``Changed error message for <Objects> validation "N" from "A" to "B"``; sections ``Customize <Objects>``
for a standard object's fields, ``Custom Objects`` for a custom object's (Display then ends ``on
<Objects>``), ``Validation Rules``, ``Global Value Sets``, ``Field Dependencies``. UNVERIFIED (no real row
found, the sandbox's guess in the same style): a standard field's help text, descriptions, value
descriptions, record types, business processes, Path, permission sets.
"""

from __future__ import annotations

import datetime as dt

from crmdefs.sandbox.records_seed import salesforce_id18
from crmdefs.sandbox.sfstore import STANDARD_VALUE_SETS, Json, SalesforceOrg

Row = tuple[str, str, str]  # Action, Section, Display
_COLOR = " with color Assigned dynamically"


def record_save(
    org: SalesforceOrg, type_name: str, before: Json | None, after: Json, *, create: bool
) -> None:
    """Append the rows of one saved component, made by the session's user, now."""
    rows = _rows(org, type_name, before or {}, after, create)
    trail = org.records("SetupAuditTrail")
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    for action, section, display in rows:
        row_id = salesforce_id18(f"0Ym5g{len(trail) + 1:010d}")
        trail[row_id] = {
            "Id": row_id,
            "Action": action,
            "Section": section,
            "Display": display[:1000],  # Display is a string(1000) (field reference)
            "CreatedById": org.session_user,
            "CreatedDate": when,
            "SystemModstamp": when,
            "DelegateUser": None,
            "CreatedByContext": None,
            "CreatedByIssuer": None,
            "ResponsibleNamespacePrefix": None,
        }


def _rows(org: SalesforceOrg, type_name: str, before: Json, after: Json, create: bool) -> list[Row]:
    name = str(after.get("fullName", ""))
    if type_name == "CustomField":
        return _field_rows(org, name, before, after, create)
    if type_name == "StandardValueSet":
        field = next((f for f, s in STANDARD_VALUE_SETS.items() if s == name), None)
        if field is None:
            return []
        label = _field_label(org, field, {})
        section, on = _section(org, field.partition(".")[0])
        return _value_rows(
            label, before.get("standardValue", []), after.get("standardValue", []), section, on
        )
    if type_name == "GlobalValueSet":
        label = str(after.get("masterLabel") or name)
        if create:
            return [("createGlobalPicklist", "Global Value Sets", f"Created global picklist : {label}")]
        return _value_rows(
            label, before.get("customValue", []), after.get("customValue", []), "Global Value Sets", ""
        )
    if type_name == "ValidationRule":
        return _rule_rows(org, name, before, after, create)
    return _other_rows(org, type_name, name, before, after)


def _section(org: SalesforceOrg, obj: str) -> tuple[str, str]:
    """(Section, the " on <Objects>" a custom object's rows end with)."""
    plural = _plural(org, obj)
    if obj.endswith("__c"):
        return "Custom Objects", f" on {plural}"
    return f"Customize {plural}", ""


def _plural(org: SalesforceOrg, obj: str) -> str:
    described = org.describe(obj)
    if described is not None:
        return str(described.get("labelPlural") or obj)
    custom = org.metadata.get("CustomObject", {}).get(obj, {})
    return str(custom.get("pluralLabel") or custom.get("label") or obj.removesuffix("__c"))


def _field_label(org: SalesforceOrg, full_name: str, component: Json) -> str:
    if component.get("label"):
        return str(component["label"])
    obj, _, field = full_name.partition(".")
    described = org.describe(obj) or {"fields": []}
    return next((str(f["label"]) for f in described["fields"] if f["name"] == field), field)


def _field_rows(org: SalesforceOrg, full_name: str, before: Json, after: Json, create: bool) -> list[Row]:
    obj, _, field = full_name.partition(".")
    label = _field_label(org, full_name, after)
    section, on = _section(org, obj)
    custom = "Custom" if on else ""
    kind = "custom field" if field.endswith("__c") else "field"
    if create:
        if on:
            return [
                (f"createdCF{custom}", section, f"Created custom field {label} ({after.get('type')}){on}")
            ]
        return [("createdCF", section, f"Created custom field: {label} ({after.get('type')})")]
    rows: list[Row] = []
    if before.get("inlineHelpText") != after.get("inlineHelpText"):
        rows.append((f"changedCFFieldHelp{custom}", section, f"Changed help text of {label} {kind}{on}"))
    if before.get("description") != after.get("description"):  # UNVERIFIED wording and action
        rows.append((f"changedCFDescription{custom}", section, f"Changed description of {label} {kind}{on}"))
    old_label = before.get("label")
    if old_label and old_label != after.get("label") and after.get("label"):
        rows.append(
            (f"changedCF{custom}", section, f"Changed label of custom field{on} from {old_label} to {label}")
        )
    old_set, new_set = before.get("valueSet") or {}, after.get("valueSet") or {}
    old_values = (old_set.get("valueSetDefinition") or {}).get("value", [])
    new_values = (new_set.get("valueSetDefinition") or {}).get("value", [])
    rows += _value_rows(label, old_values, new_values, section, on)
    if old_set.get("valueSettings") != new_set.get("valueSettings") and new_set.get("controllingField"):
        controller = _field_label(org, f"{obj}.{new_set['controllingField']}", {})
        obj_label = (org.describe(obj) or {}).get("label") or obj
        display = f'Updated dependency rules for "{label}" controlled by "{controller}" on object {obj_label}'
        rows.append(("updatedDependency", "Field Dependencies", display))
    return rows


def _value_rows(label: str, before: list[Json], after: list[Json], section: str, on: str) -> list[Row]:
    """One row per value added, deactivated, reactivated, relabelled; a reorder; a new default."""
    custom = "Custom" if on else ""
    old = {str(v.get("fullName")): v for v in before}
    rows: list[Row] = []
    for value in after:
        name = str(value.get("fullName"))
        was = old.get(name)
        active = value.get("isActive", True) is not False
        if was is None:
            rows.append(
                (
                    f"createdPicklistWithColor{custom}",
                    section,
                    f"Added value {name} to {label} picklist{_COLOR}{on}",
                )
            )
            continue
        if (was.get("isActive", True) is not False) != active:
            action, text = (
                ("activatedPicklistValueWithColor", "Activated value {} to")
                if active
                else (
                    "deactivatePicklistValueWithColor",
                    "Deactivated value {} from",
                )
            )
            rows.append((action + custom, section, f"{text.format(name)} {label} picklist{_COLOR}{on}"))
        if was.get("label") and value.get("label") and was["label"] != value["label"]:
            display = f"Changed {label} picklist value{on} from {was['label']} to {value['label']}"
            rows.append((f"changedPicklist{custom}", section, display))
        if was.get("description") != value.get("description"):  # UNVERIFIED wording and action
            rows.append(
                (
                    "changedPicklistValueDescription",
                    section,
                    f"Changed description of {label} picklist value {name}{on}",
                )
            )
    kept = [str(v.get("fullName")) for v in after if str(v.get("fullName")) in old]
    if kept != [n for n in old if n in kept]:
        rows.append((f"changedPicklistSort{custom}", section, f"Reordered {label} picklist{on}"))
    old_default = next((n for n, v in old.items() if v.get("default")), None)
    new_default = next((str(v.get("fullName")) for v in after if v.get("default")), None)
    if old_default != new_default:
        old_text, new_text = old_default or "none", new_default or "none"
        display = f"Changed {label} picklist default value{on} from {old_text} to {new_text}"
        rows.append((f"changedPicklistDefault{custom}", section, display))
    return rows


_RULE_CHANGES = (  # element → (Action, what); the error message's wording is confirmed, the others UNVERIFIED
    ("errorMessage", "changedValidationMessage", "error message"),
    ("errorConditionFormula", "changedValidationFormula", "error condition formula"),
    ("description", "changedValidationDescription", "description"),
    ("errorDisplayField", "changedValidationErrorLocation", "error location"),
)


def _rule_rows(org: SalesforceOrg, full_name: str, before: Json, after: Json, create: bool) -> list[Row]:
    obj, _, rule = full_name.partition(".")
    plural = _plural(org, obj)
    if create:
        return [("newValidation", "Validation Rules", f'New {plural} validation rule "{rule}"')]
    rows: list[Row] = []
    for element, action, what in _RULE_CHANGES:
        old, new = before.get(element), after.get(element)
        if old != new:
            display = f'Changed {what} for {plural} validation "{rule}" from "{old or ""}" to "{new or ""}"'
            rows.append((action, "Validation Rules", display))
    if before.get("active") != after.get("active"):  # UNVERIFIED wording and action
        verb = "Activated" if after.get("active") else "Deactivated"
        rows.append((f"{verb.lower()}Validation", "Validation Rules", f'{verb} {plural} validation "{rule}"'))
    return rows


def _other_rows(org: SalesforceOrg, type_name: str, name: str, before: Json, after: Json) -> list[Row]:
    """Record types, business processes, Path, permission sets: UNVERIFIED rows in Salesforce's style, one
    per picklist (record type) or field (permission set) whose setting changed, naming its label."""
    obj = name.partition(".")[0]
    section, on = _section(org, obj) if "." in name else ("Manage Users", "")
    label = str(after.get("label") or after.get("masterLabel") or name)
    if type_name == "RecordType":
        old = {p.get("picklist"): p for p in before.get("picklistValues", [])}
        return [
            (
                "changedRecordTypePicklist",
                section,
                f"Changed picklist values of {_field_label(org, obj + '.' + str(p.get('picklist')), {})} "
                f"for record type {label}{on}",
            )
            for p in after.get("picklistValues", [])
            if old.get(p.get("picklist")) != p
        ]
    if type_name == "PermissionSet":
        old_access = {p.get("field"): p for p in before.get("fieldPermissions", [])}
        return [
            (
                "PermSetFlsChanged",
                "Manage Users",
                f"Changed permission set {label}: field-level security for "
                f"{_field_label(org, str(p.get('field')), {})} on {str(p.get('field')).partition('.')[0]}",
            )
            for p in after.get("fieldPermissions", [])
            if old_access.get(p.get("field")) != p
        ]
    if before == after:
        return []
    return [(f"changed{type_name}", section, f"Changed {_words(type_name)} {label}{on}")]


def _words(type_name: str) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in type_name).strip()
