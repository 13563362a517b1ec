"""Dependent picklists in the Salesforce sandbox: what a CustomField save with ``valueSet.controllingField``
and ``valueSettings`` is refused for, and how REST describe shows the dependency.

Facts (docs/salesforce.md): the matrix is keyed on value API names and lives on the dependent field's own
value set, also when its values come from a global value set (docs/salesforce.md#sf-dependent-matrix,
docs/salesforce.md#sf-dependent-global-value-set); a picklist (standard or custom, fewer than 300 values)
or a checkbox controls, a multi-select does not, a standard field cannot depend
(docs/salesforce.md#sf-dependent-which-fields); a checkbox's columns are ``checked``/``unchecked``
(docs/salesforce.md#sf-dependent-checkbox); describe gives ``dependentPicklist``, ``controllerName`` and a
``validFor`` bitmap per value, bit i = the controller's i-th value, most significant bit first
(docs/salesforce.md#sf-dependent-describe). The error codes and messages are UNVERIFIED: Salesforce's
answer to a missing controlling field or value is not documented
(docs/salesforce.md#sf-dependent-switch-controller).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from crmdefs.sandbox.sfstore import SalesforceOrg, field_name

SaveError = tuple[str, str]
CHECKBOX_COLUMNS = ("unchecked", "checked")  # describe bit 0 and bit 1
MAX_CONTROLLING_VALUES = 300  # "fewer than 300 values" (docs/salesforce.md#sf-dependent-which-fields)


def check(org: SalesforceOrg, component: dict[str, Any]) -> list[SaveError]:
    """What Salesforce refuses in a CustomField's dependency (empty when it has none)."""
    value_set = component.get("valueSet") or {}
    controller = value_set.get("controllingField")
    if not controller:
        if value_set.get("valueSettings"):
            return [_error("valueSettings need a controllingField")]
        return []
    obj, _, name = str(component.get("fullName", "")).partition(".")
    fields = org.fields(obj) if org.known_object(obj) else {}
    real = field_name(fields, str(controller))
    if real is None:
        return [_error(f"controlling field {controller} does not exist on {obj}")]
    if real.casefold() == name.casefold():
        return [_error(f"{name} cannot control itself")]
    columns = controlling_values(org, obj, real, str(fields[real]["type"]))
    if columns is None:
        kind = fields[real]["type"]
        return [_error(f"{real} ({kind}) cannot control a picklist: use a picklist or a checkbox")]
    if len(columns) >= MAX_CONTROLLING_VALUES:
        return [_error(f"{real} has {len(columns)} values; a controlling field has fewer than 300")]
    known = {c.casefold() for c in columns}
    errors = []
    for setting in value_set.get("valueSettings", []):
        for value in setting.get("controllingFieldValue", []):
            if str(value).casefold() not in known:
                errors.append(_error(f"controlling value {value} is not a value of {real}"))
    return errors


def _error(message: str) -> SaveError:
    return ("FIELD_INTEGRITY_EXCEPTION", message)  # UNVERIFIED code and wording


def controlling_values(org: SalesforceOrg, obj: str, field: str, kind: str) -> list[str] | None:
    """The columns of a matrix controlled by ``field`` (its describe type ``kind``), or None when that
    kind of field cannot control."""
    if kind == "boolean":
        return list(CHECKBOX_COLUMNS)
    if kind != "picklist":
        return None
    values = org.values_of(f"{obj}.{field}")
    if values is None:  # a standard picklist without a value set of its own: the recorded describe's
        described = org.describe(obj) or {"fields": []}
        entry: dict[str, Any] = next((f for f in described["fields"] if f["name"] == field), {})
        return [str(v["value"]) for v in entry.get("picklistValues", [])]
    return [str(v["fullName"]) for v in values]


def show_in_describe(fields: Sequence[dict[str, Any]], components: dict[str, Any], obj: str) -> None:
    """Mark dependent fields in a describe's ``fields`` (already showing each field's values): their
    controller, and each value's ``validFor`` bitmap over the controller's describe values."""
    by_name = {f["name"]: f for f in fields}
    for field in fields:
        component = components.get(f"{obj}.{field['name']}")
        if component is None:  # a recorded field crmdefs never saved: as recorded
            continue
        value_set = component.get("valueSet") or {}
        controller = by_name.get(field_name(by_name, str(value_set.get("controllingField") or "")) or "")
        field["dependentPicklist"] = controller is not None
        field["controllerName"] = controller["name"] if controller is not None else None
        if controller is None:
            continue
        columns = (
            list(CHECKBOX_COLUMNS)
            if controller["type"] == "boolean"
            else [str(v["value"]) for v in controller.get("picklistValues", [])]
        )
        index = {c.casefold(): i for i, c in enumerate(columns)}
        settings = {
            str(s.get("valueName", "")).casefold(): s.get("controllingFieldValue", [])
            for s in value_set.get("valueSettings", [])
        }
        for entry in field.get("picklistValues", []):
            named = settings.get(entry["value"].casefold(), [])
            bits = [index[v.casefold()] for v in named if v.casefold() in index]
            entry["validFor"] = valid_for(bits, len(columns))


def valid_for(bits: Sequence[int], width: int) -> str:
    """The base64 bitmap with ``bits`` set: bit i is ``0x80 >> (i % 8)`` of byte ``i >> 3``. Its length
    follows the controller's value count, at least 3 bytes as in real ones
    (docs/salesforce.md#sf-dependent-describe)."""
    data = bytearray(max(3, -(-width // 8)))
    for i in bits:
        data[i >> 3] |= 0x80 >> (i % 8)
    return base64.b64encode(bytes(data)).decode("ascii")
