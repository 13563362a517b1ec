"""Building the Metadata API components the Salesforce adapter saves. ``updateMetadata`` replaces whole
components (docs/salesforce.md#sf-metadata-update-replaces), so every builder starts from the component as
read and changes only what the plan says (read-modify-write)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from crmdefs.adapters.salesforce import metadata as smd
from crmdefs.adapters.salesforce.dependent import write_matrix
from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.changes import FieldPlan


def _text(change: FieldPlan) -> dict[str, str | None]:
    return {a.attribute: a.after for a in change.attributes}


def new_field(md: Any, change: FieldPlan) -> Any:
    """createMetadata component for a new custom picklist field (opt-in with ``create:``)."""
    assert change.create is not None
    text = _text(change)
    values = [
        md.CustomValue(
            fullName=v.value, label=v.label, default=v.default, description=v.description, isActive=True
        )
        for v in change.target_values or ()
    ]
    component = md.CustomField(
        fullName=change.address.dotted,
        label=text.get("label") or change.create.label,
        type=change.create.type,
        inlineHelpText=text.get("help_text"),
        description=text.get("description"),
        required=False,
        valueSet=md.ValueSet(
            restricted=change.create.restricted,
            valueSetDefinition=md.ValueSetValuesDefinition(sorted=False, value=values),
        ),
    )
    if change.dependency is not None:
        write_matrix(md, component, change.dependency)
    return component


def field_component(md: Any, component: Any, change: FieldPlan) -> Any | None:
    """The CustomField to save for ``change``, or None when its changes live elsewhere (value sets)."""
    text = _text(change)
    local = change.target_values is not None and smd.value_source(change.address.dotted, component) == ""
    if not text and not local and change.dependency is None:
        return None
    if change.dependency is not None:
        write_matrix(md, component, change.dependency)
    smd.apply_text(component, text)
    if local and change.target_values is not None:
        definition = component.valueSet.valueSetDefinition
        definition.value = smd.rebuild_values(
            list(definition.value or []), change.target_values, md.CustomValue, standard=False
        )
    return component


def value_set_components(
    md: Any, cache: dict[str, dict[str, Any]], updates: Sequence[FieldPlan]
) -> dict[str, dict[str, tuple[Any, list[FieldAddress]]]]:
    """StandardValueSet / GlobalValueSet components to save, each with the fields whose plan changed it."""
    out: dict[str, dict[str, tuple[Any, list[FieldAddress]]]] = {"StandardValueSet": {}, "GlobalValueSet": {}}
    for change in updates:
        if change.target_values is None:
            continue
        source = smd.value_source(change.address.dotted, cache["CustomField"].get(change.address.dotted))
        if not source:
            continue
        type_name, name = source.split(":", 1)
        component = cache[type_name][name]
        if type_name == "StandardValueSet":
            component.standardValue = smd.rebuild_values(
                list(component.standardValue or []), change.target_values, md.StandardValue, standard=True
            )
        else:
            component.customValue = smd.rebuild_values(
                list(component.customValue or []), change.target_values, md.CustomValue, standard=False
            )
        owners = out[type_name].get(name, (component, []))[1]
        out[type_name][name] = (component, [*owners, change.address])
    return out


def add_record_type_values(md: Any, record_type: Any, field: str, values: Sequence[str]) -> None:
    """New values are not added to record types automatically (docs/salesforce.md#sf-record-type-new-values):
    add them explicitly."""
    entries = list(record_type.picklistValues or [])
    entry = next((e for e in entries if e.picklist == field), None)
    if entry is None:
        entry = md.RecordTypePicklistValue(picklist=field, values=[])
        entries.append(entry)
        record_type.picklistValues = entries
    present = {unquote(v.fullName).casefold() for v in entry.values or []}
    additions = [md.PicklistValue(fullName=v, default=False) for v in values if v.casefold() not in present]
    entry.values = [*(entry.values or []), *additions]


def add_process_values(md: Any, process: Any, values: Sequence[str]) -> None:
    """A business process offers only the values it lists (docs/salesforce.md#sf-business-processes): add
    the new ones after every value it has — none is ever left out — as non-defaults (an Opportunity
    process takes no default; docs/salesforce.md#sf-business-process-defaults)."""
    present = {unquote(v.fullName).casefold() for v in process.values or []}
    additions = [md.PicklistValue(fullName=v, default=False) for v in values if v.casefold() not in present]
    process.values = [*(process.values or []), *additions]


def grant_field_access(md: Any, permission_set: Any | None, name: str, fields: Sequence[str]) -> Any:
    """The permission set with read and edit access to ``fields`` (a new one labelled after its name). Its
    other content is kept as read — a save replaces the whole permission set
    (docs/salesforce.md#sf-permissionset-replace) — and no grant is removed or lowered."""
    if permission_set is None:
        permission_set = md.PermissionSet(
            fullName=name,
            label=name.replace("_", " "),
            description="Field access for fields created by crmdefs.",
        )
    grants = list(permission_set.fieldPermissions or [])
    present = {str(g.field or "").casefold(): g for g in grants}
    for field in fields:
        grant = present.get(field.casefold())
        if grant is None:
            grants.append(md.PermissionSetFieldPermissions(field=field, readable=True, editable=True))
        else:  # a partial grant (read only, or neither) becomes read and edit
            grant.readable = grant.editable = True
    permission_set.fieldPermissions = grants
    return permission_set


def path_component(
    md: Any, current: Any | None, name: str, address: FieldAddress, record_type: str, changes: Sequence[Any]
) -> Any:
    """The PathAssistant to save: the Path the record type has (``current``), only the steps of the planned
    stages changed — other steps, key fields (``fieldNames``), label and active flag kept as they are —
    or a new one when it has none (docs/salesforce.md#sf-path-one-per-record-type)."""
    if current is None:
        label = "master record type" if record_type == "__MASTER__" else record_type
        current = md.PathAssistant(
            fullName=name,
            active=True,
            entityName=address.object,
            fieldName=address.field,
            masterLabel=f"Stages ({label})",
            recordTypeName=record_type,
            pathAssistantSteps=[],
        )
    steps = list(current.pathAssistantSteps or [])
    by_stage = {str(s.picklistValueName).casefold(): s for s in steps}  # stages match as values do
    for change in changes:
        if change.stage.casefold() in by_stage:
            by_stage[change.stage.casefold()].info = change.after
        else:
            steps.append(md.PathAssistantStep(picklistValueName=change.stage, info=change.after))
    current.pathAssistantSteps = steps
    return current
