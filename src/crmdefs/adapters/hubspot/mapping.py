"""HubSpot property JSON ⇄ crmdefs' types, for the HubSpot adapter. Pure: no SDK calls, no I/O, so it is
tested against recorded responses (facts: docs/hubspot.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crmdefs.definitions.crmfacts import HUBSPOT_DEFINED
from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.changes import FieldPlan, Skip
from crmdefs.plan.state import FieldState, ValueMatch, ValueState, normalize_text

Json = dict[str, Any]
NO_HELP_TEXT = "HubSpot properties have no help text, only a description — bind the text to 'description'"
# Each object's default "… information" group (docs/hubspot.md#hs-default-groups), for a `create:` that names
# no group.
DEFAULT_GROUPS = {
    "contacts": "contactinformation", "companies": "companyinformation", "deals": "dealinformation"
}  # fmt: skip
# A fieldType for a `create:` that names none (valid type/fieldType pairs, docs/hubspot.md#hs-field-types).
FIELD_TYPES = {
    "enumeration": "select", "bool": "booleancheckbox", "number": "number", "date": "date", "datetime": "date"
}  # fmt: skip

# --- pure: property JSON → FieldState ---------------------------------------------------------------------


def read_only_reasons(address: FieldAddress, prop: Mapping[str, Any]) -> dict[str, str]:
    """What modificationMetadata / externalOptions forbid, as user-facing reasons
    (docs/hubspot.md#hs-read-only-definition, docs/hubspot.md#hs-read-only-options,
    docs/hubspot.md#hs-external-options)."""
    meta = prop.get("modificationMetadata") or {}
    name = address.dotted
    reasons = {"help_text": NO_HELP_TEXT}
    if meta.get("readOnlyDefinition"):
        for key in ("label", "description"):
            reasons[key] = f"HubSpot does not let the API change the {key} of {name} (readOnlyDefinition)"
    # readOnlyOptions is optional, absent on most properties (docs/hubspot.md#hs-read-only-options-absent).
    if meta.get("readOnlyOptions"):
        reasons["values"] = f"HubSpot does not let the API change the options of {name} (readOnlyOptions)"
    # lifecyclestage, dealstage: the options live elsewhere (docs/hubspot.md#hs-external-options).
    if prop.get("externalOptions"):
        fact = HUBSPOT_DEFINED.get(name)
        where = fact.options_live_in if fact and fact.options_live_in else "HubSpot, outside the property"
        where = f"the options of {name} live in {where}, not on the property"
        reasons["values"] = f"{where} (externalOptions): change them there"
    return reasons


def option_values(options: Sequence[Mapping[str, Any]]) -> tuple[ValueState, ...]:
    """Options in the API's order; a description of "" and none at all are the same
    (docs/hubspot.md#hs-option-description-optional)."""
    return tuple(
        ValueState(
            value=str(o["value"]),
            label=str(o.get("label") or o["value"]),
            description=normalize_text(o.get("description")),
            active=not o.get("hidden", False),
        )
        for o in options
    )


def field_state(address: FieldAddress, prop: Mapping[str, Any] | None) -> FieldState:
    if prop is None:
        return FieldState(address, exists=False)
    user = prop.get("updatedUserId")
    return FieldState(
        address=address,
        label=normalize_text(prop.get("label")),
        description=normalize_text(prop.get("description")),
        values=option_values(prop.get("options") or []) if prop.get("type") == "enumeration" else None,
        read_only=read_only_reasons(address, prop),
        # hubspotDefined: absent, not false, on custom properties (docs/hubspot.md#hs-custom-vs-defined-keys)
        custom=not prop.get("hubspotDefined", False),
        modified_by=str(user) if user is not None else None,
        modified_at=prop.get("updatedAt"),
        value_match=ValueMatch.EXACT,  # HubSpot's internal option values match exactly
        # Multiple checkboxes: a record holds several values, "a;b" (docs/hubspot.md#hs-multi-checkbox-values)
        multi_select=prop.get("type") == "enumeration" and prop.get("fieldType") == "checkbox",
    )


# --- pure: FieldPlan → request bodies (docs/hubspot.md#hs-property-update-fields) ---------------------------


def option_inputs(values: Sequence[ValueState]) -> list[Json]:
    """OptionInput JSON: the list order is the display order; an inactive value is hidden."""
    return [
        {"label": v.label, "value": v.value, "description": v.description or "", "displayOrder": i,
         "hidden": not v.active}
        for i, v in enumerate(values)
    ]  # fmt: skip


def patch_body(plan: FieldPlan) -> tuple[Json, tuple[Skip, ...]]:
    """The PATCH of an update: only the keys that change (omitted keys keep their value,
    docs/hubspot.md#hs-patch-partial-update), and what
    HubSpot cannot hold, as skips."""
    body: Json = {}
    skips: list[Skip] = []
    for change in plan.attributes:
        if change.attribute == "help_text":
            skips.append(Skip("help_text", NO_HELP_TEXT, change.before, change.after))
        elif change.attribute == "label" and change.after is None:
            skips.append(Skip("label", "HubSpot requires a label; it was left as it is", change.before))
        elif change.attribute in ("label", "description"):
            body[change.attribute] = change.after or ""  # "" clears; the SDK leaves None out of the body
    if plan.target_values is not None:
        body["options"] = option_inputs(plan.target_values)
    return body, tuple(skips)


def create_body(plan: FieldPlan) -> tuple[Json, tuple[Skip, ...]]:
    """The POST of a create (docs/hubspot.md#hs-property-create-fields), and what HubSpot cannot hold, as
    skips."""
    spec = plan.create
    assert spec is not None, "a create plan carries its CreateSpec"
    texts = {a.attribute: a.after for a in plan.attributes}
    body: Json = {
        "name": plan.address.field,
        "label": texts.get("label") or spec.label,
        "type": spec.type,
        "fieldType": spec.field_type or FIELD_TYPES.get(spec.type, "text"),
        "groupName": spec.group or DEFAULT_GROUPS.get(plan.address.object, ""),
    }
    if texts.get("description"):
        body["description"] = texts["description"]
    if plan.target_values is not None:
        body["options"] = option_inputs(plan.target_values)
    return body, (Skip("help_text", NO_HELP_TEXT, None, texts["help_text"]),) if "help_text" in texts else ()


def converge_body(create: Json, current: Mapping[str, Any]) -> Json:
    """After a 409: the PATCH that makes the existing property what ``create`` wanted. Options it has
    beyond ours are kept (appended, unchanged), never dropped."""
    body: Json = {
        key: create[key]
        for key in ("label", "description")
        if key in create and normalize_text(create[key]) != normalize_text(current.get(key))
    }
    if "options" in create:
        ours = {o["value"] for o in create["options"]}
        theirs = current.get("options") or []
        merged = option_values(create["options"]) + option_values(
            [o for o in theirs if o["value"] not in ours]
        )
        if option_inputs(merged) != option_inputs(option_values(theirs)):
            body["options"] = option_inputs(merged)
    return body


def group_label(name: str) -> str:
    """A label for a group known only by its name: closed_lost_reasons → Closed lost reasons."""
    return " ".join(name.replace("_", " ").replace("-", " ").split()).capitalize() or name
