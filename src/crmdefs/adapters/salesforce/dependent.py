"""Dependent picklists in a Salesforce org: the matrix as read from a CustomField, the controlling field as
REST describe shows it, and the rows a plan writes.

Facts: the dependency lives on the dependent field's own ``valueSet`` (``controllingField``,
``valueSettings[{controllingFieldValue[], valueName}]``), keyed on value API names
(docs/salesforce.md#sf-dependent-matrix), also for a field whose values are in a global value set
(docs/salesforce.md#sf-dependent-global-value-set); a checkbox's columns are ``checked`` / ``unchecked``
(docs/salesforce.md#sf-dependent-checkbox). The matrix is read from the CustomField, not from describe's
``validFor`` bitmaps (docs/salesforce.md#sf-dependent-describe).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmdefs.adapters.salesforce.names import Describes
from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.changes import DependencyChange
from crmdefs.plan.state import ControllerState, DependencyState, DesiredField

CHECKBOX_COLUMNS = ("unchecked", "checked")  # describe bits 0 and 1
KINDS = {"picklist": "picklist", "boolean": "checkbox", "multipicklist": "multi_select"}


def dependency_state(component: Any) -> DependencyState | None:
    """The matrix a CustomField holds (None: not a dependent picklist)."""
    value_set = getattr(component, "valueSet", None)
    controller = getattr(value_set, "controllingField", None) if value_set is not None else None
    if not controller:
        return None
    matrix = {
        str(s.valueName): tuple(str(c) for c in s.controllingFieldValue or [])
        for s in getattr(value_set, "valueSettings", None) or []
    }
    return DependencyState(str(controller), matrix)


def controllers(describe: Describes, fields: Sequence[DesiredField]) -> dict[FieldAddress, ControllerState]:
    """The controlling field each ``depends_on`` names, from REST describe (``describe`` asks once per
    object): its kind and the values a matrix can name — a picklist's in describe order, a checkbox's two
    columns."""
    return {
        wanted.address: controller_state(describe(wanted.address.object), wanted.depends_on.field)
        for wanted in fields
        if wanted.depends_on is not None
    }


def controller_state(describe: Any, name: str) -> ControllerState:
    fields = (describe or {}).get("fields", [])
    entry = next((f for f in fields if str(f["name"]).casefold() == name.casefold()), None)
    if entry is None:
        return ControllerState(name, "missing", tuple(str(f["name"]) for f in fields))
    kind = KINDS.get(str(entry.get("type")), "other")
    if kind == "checkbox":
        return ControllerState(str(entry["name"]), kind, CHECKBOX_COLUMNS)
    values = tuple(str(v["value"]) for v in entry.get("picklistValues") or [])
    return ControllerState(str(entry["name"]), kind, values)


def write_matrix(md: Any, component: Any, change: DependencyChange) -> None:
    """Set the planned rows on a CustomField as read: the controlling field, and for each planned value its
    controlling values; every other row stays as it was (docs/salesforce.md#sf-dependent-matrix)."""
    value_set = component.valueSet
    value_set.controllingField = change.controlling_field
    settings = list(value_set.valueSettings or [])
    planned = {row.value.casefold(): row for row in change.rows}
    kept = [s for s in settings if str(s.valueName).casefold() not in planned]
    written = [
        md.ValueSettings(controllingFieldValue=list(row.after), valueName=row.value)
        for row in change.rows
        if row.after  # a value offered for no controlling value has no settings entry
    ]
    value_set.valueSettings = kept + written
