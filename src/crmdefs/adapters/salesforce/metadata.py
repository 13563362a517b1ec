"""Salesforce metadata ⇄ crmdefs' normalized state. Pure: zeep objects in, FieldState / zeep objects out.

Facts (docs/salesforce.md): values of standard picklists live in a StandardValueSet
(docs/salesforce.md#sf-standard-value-sets), of global-value-set fields in their GlobalValueSet
(docs/salesforce.md#sf-global-value-set), else in the field's valueSetDefinition
(docs/salesforce.md#sf-value-set-definition); StandardValue adds
closed/won/forecastCategory/probability/converted (docs/salesforce.md#sf-standard-value-attributes);
record-type value names come back partly URL-encoded (docs/salesforce.md#sf-record-type-url-encoding).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from crmdefs.definitions.crmfacts import STANDARD_VALUE_SETS
from crmdefs.definitions.model import CreateSpec, FieldAddress
from crmdefs.plan.state import (
    ACCESS_NONE,
    ACCESS_READ,
    ACCESS_READ_EDIT,
    FieldState,
    ValueMatch,
    ValueState,
    normalize_text,
)

# Our attribute names ⇄ the Metadata API's (StandardValue, WSDL).
ATTRIBUTE_NAMES = {
    "closed": "closed",
    "won": "won",
    "probability": "probability",
    "forecast_category": "forecastCategory",
    "converted": "converted",
}


def value_source(full_name: str, component: Any) -> str:
    """Where the values of field ``full_name`` live: "", "StandardValueSet:X" or "GlobalValueSet:X"."""
    if full_name in STANDARD_VALUE_SETS:
        return f"StandardValueSet:{STANDARD_VALUE_SETS[full_name]}"
    value_set = getattr(component, "valueSet", None)
    name = getattr(value_set, "valueSetName", None) if value_set is not None else None
    return f"GlobalValueSet:{name}" if name else ""


def salesforce_state(address: FieldAddress, **attributes: Any) -> FieldState:
    """A FieldState with Salesforce's rules: picklist values match case-insensitively, and a field whose
    values live in a global value set shares that set with every field that uses it."""
    source = str(attributes.get("value_source", ""))
    shared = source.split(":", 1)[1] if source.startswith("GlobalValueSet:") else None
    return FieldState(address, value_match=ValueMatch.CASE_INSENSITIVE, shared_value_set=shared, **attributes)


def missing_state(address: FieldAddress, create: CreateSpec | None) -> FieldState:
    """A field the org does not have. A custom field created by crmdefs has no field-level security, so
    creating one carries a note on who will see it."""
    return salesforce_state(
        address, exists=False, custom=address.field.endswith("__c"), create_notes=create_notes(create)
    )


def create_notes(create: CreateSpec | None) -> tuple[str, ...]:
    if create is None:
        return ()
    if create.permission_set:
        # Access is a state the plan reads (field_access below): if the grant fails, apply reports the
        # field as failed and the next plan shows the grant again, so the note promises no more than that.
        return (
            f"apply also grants read/edit access through the permission set {create.permission_set} "
            "(created if missing); only users assigned that permission set see the field",
        )
    return (
        "a new field has no field-level security, so no user sees it: add create.permission_set "
        "or grant access in Setup",
    )


def field_access(permission_set: Any | None, field: str) -> str:
    """What ``permission_set`` (as read; None = it does not exist) grants on ``field``: ACCESS_READ_EDIT,
    ACCESS_READ or ACCESS_NONE. Field names compare case-insensitively, as Salesforce names do."""
    wanted = field.casefold()
    grants = getattr(permission_set, "fieldPermissions", None) if permission_set is not None else None
    for grant in grants or []:
        if str(grant.field or "").casefold() == wanted:
            if grant.readable and grant.editable:
                return ACCESS_READ_EDIT
            return ACCESS_READ if grant.readable else ACCESS_NONE
    return ACCESS_NONE


def local_values(component: Any) -> list[Any] | None:
    value_set = getattr(component, "valueSet", None)
    definition = getattr(value_set, "valueSetDefinition", None) if value_set is not None else None
    return list(definition.value or []) if definition is not None else None


def value_states(values: list[Any]) -> tuple[ValueState, ...]:
    states = []
    for v in values:
        attributes = {ours: getattr(v, theirs, None) for ours, theirs in ATTRIBUTE_NAMES.items()}
        states.append(
            ValueState(
                value=v.fullName,
                label=v.label or v.fullName,
                description=normalize_text(v.description),
                active=v.isActive is not False,  # absent means active
                default=bool(v.default),
                attributes={k: a for k, a in attributes.items() if a is not None},
            )
        )
    return tuple(states)


def record_type_values(record_type: Any, field: str) -> tuple[str, ...]:
    for entry in record_type.picklistValues or []:
        if entry.picklist == field:
            return tuple(unquote(v.fullName) for v in entry.values or [])
    return ()


def rebuild_values(
    existing: list[Any], target: tuple[ValueState, ...], make: Any, standard: bool
) -> list[Any]:
    """The zeep value list to save: ``target`` in order, keeping what crmdefs does not manage (e.g. color)
    from the existing entries. ``make`` builds a new CustomValue/StandardValue."""
    by_name = {v.fullName.casefold(): v for v in existing}
    result = []
    for state in target:
        value = by_name.get(state.value.casefold()) or make(fullName=state.value, default=False)
        value.fullName = state.value
        value.label = state.label
        value.description = state.description
        value.default = state.default
        # Explicit: a value left out would be deactivated, never deleted
        # (docs/salesforce.md#sf-omitted-values-deactivated).
        value.isActive = state.active
        if standard:
            for ours, theirs in ATTRIBUTE_NAMES.items():
                if ours in state.attributes:
                    setattr(value, theirs, state.attributes[ours])
        result.append(value)
    return result


def apply_text(component: Any, attributes: Mapping[str, str | None]) -> None:
    names = {"label": "label", "help_text": "inlineHelpText", "description": "description"}
    for ours, after in attributes.items():
        setattr(component, names[ours], after)


def path_name(obj: str, record_type: str) -> str:
    """The name crmdefs gives a Path it creates, for a record type that has none (one Path per record
    type: docs/salesforce.md#sf-path-one-per-record-type; an existing Path keeps its own name)."""
    return f"crmdefs_{obj}_{'Master' if record_type == '__MASTER__' else record_type}"


def path_steps(component: Any) -> dict[str, str]:
    return {step.picklistValueName: step.info or "" for step in component.pathAssistantSteps or []}
