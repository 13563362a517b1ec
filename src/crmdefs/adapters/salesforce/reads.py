"""Reading fields from a Salesforce org into :class:`FieldState`: the fields (CustomField), their value sets
(StandardValueSet / GlobalValueSet), record types, business processes and paths, one readMetadata per type
and batch of 10 (paths are listed first: paths.py). REST describe is used only to list record types
(offers.py) and the fields of an object;
it does not carry descriptions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from simple_salesforce.exceptions import SalesforceResourceNotFound

from crmdefs.adapters.base import Progress
from crmdefs.adapters.salesforce import metadata as smd
from crmdefs.adapters.salesforce import roundtrip
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.adapters.salesforce.dependent import controllers, dependency_state
from crmdefs.adapters.salesforce.names import Describes
from crmdefs.adapters.salesforce.offers import process_names, process_state, record_type_names
from crmdefs.adapters.salesforce.paths import field_paths, read_paths
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.plan.diff import path_record_types
from crmdefs.plan.state import DesiredField, FieldState, ValueState, normalize_text

PICKLIST_TYPES = ("picklist", "multipicklist")
MULTI_SELECT = "MultiselectPicklist"  # CustomField type (docs/salesforce.md#sf-multiselect-not-groupable)


@dataclass(frozen=True)
class FieldReading:
    """A CustomField as read, with what can be worked out from it alone: where its values live
    (``source``, see metadata.value_source) and, when they live on the field, the values."""

    component: Any
    source: str
    values: tuple[ValueState, ...] | None  # None: no picklist, or the values live in a value set


def read_custom_field(name: str, component: Any) -> FieldReading:
    """Run in the reading thread as each batch arrives (OrgCalls.read's ``digest``): the work hides in the
    wait for the next batch instead of adding up after the last one."""
    source = smd.value_source(name, component)
    local = smd.local_values(component) if not source else None
    return FieldReading(component, source, smd.value_states(local) if local is not None else None)


def read_fields(
    org: OrgCalls, fields: Sequence[DesiredField], progress: Progress, describe: Describes | None = None
) -> dict[FieldAddress, FieldState]:
    """``describe``: the read's describes, when the caller shares them further (validation rules)."""
    names = [f.address.dotted for f in fields]
    progress(f"reading {len(names)} Salesforce fields")
    # keep=False: apply reads them again to write
    custom_fields = org.read("CustomField", names, keep=False, digest=read_custom_field)
    sources = {
        name: custom_fields[name].source if name in custom_fields else smd.value_source(name, None)
        for name in names
    }
    standard_sets = org.read(
        "StandardValueSet",
        {s.split(":", 1)[1] for s in sources.values() if s.startswith("StandardValueSet:")},
    )
    global_sets = org.read(
        "GlobalValueSet",
        {s.split(":", 1)[1] for s in sources.values() if s.startswith("GlobalValueSet:")},
    )
    values = {
        name: reading_values(custom_fields[name], standard_sets, global_sets)
        for name in names
        if name in custom_fields
    }
    describe = describe or Describes(org)  # one REST describe per object at most, shared by what follows
    record_types = org.read("RecordType", record_type_names(describe, fields, values))
    processes = org.read("BusinessProcess", process_names(fields, record_types))
    # The Path each record type has, whatever its name (docs/salesforce.md#sf-path-one-per-record-type):
    # listed once per read, and only when some binding manages Path guidance.
    paths = read_paths(org) if any(f.path_record_types for f in fields) else {}
    # As zeep reads them (not the light reader): whether one holds content that cannot be sent back is
    # part of its state (docs/salesforce.md#sf-zeep-raw-elements).
    access_sets = org.read("PermissionSet", {p for f in fields if (p := _permission_set(f))})
    controlling = controllers(describe, fields)  # one describe per object with a depends_on binding
    states = {}
    for wanted in fields:
        name = wanted.address.dotted
        reading = custom_fields.get(name)
        if reading is None:
            missing = smd.missing_state(wanted.address, wanted.create)
            states[wanted.address] = dataclasses.replace(missing, controller=controlling.get(wanted.address))
            continue
        state = field_state(wanted.address, reading, values[name], record_types)
        found = field_paths(paths, wanted.address, _path_record_types(wanted, record_types))
        in_processes, in_use = process_state(name, record_types, processes)
        access, access_read_only = _access(wanted, access_sets)
        states[wanted.address] = dataclasses.replace(
            state,
            path_guidance=found.guidance,
            read_only={**state.read_only, **found.read_only, **access_read_only},
            path_notes=found.notes,
            business_processes=in_processes,
            process_record_types=in_use,
            field_access=access,
            dependency=dependency_state(reading.component) if wanted.depends_on is not None else None,
            controller=controlling.get(wanted.address),
        )
    return states


def _access(wanted: DesiredField, permission_sets: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """What the binding's permission set grants on the field — a state the plan compares
    (docs/salesforce.md#sf-field-access-state) — and, when the permission set holds content this client
    cannot send back, why it cannot be changed (docs/salesforce.md#sf-zeep-raw-elements)."""
    permission_set = _permission_set(wanted)
    if not permission_set:
        return {}, {}
    component = permission_sets.get(permission_set)
    lost = roundtrip.unsendable(component) if component is not None else []
    return (
        {permission_set: smd.field_access(component, wanted.address.dotted)},
        {"access": roundtrip.refusal(component, lost)} if lost else {},
    )


def _permission_set(wanted: DesiredField) -> str | None:
    """The permission set through which a binding keeps its field readable and editable, if any."""
    return wanted.create.permission_set if wanted.create is not None else None


def list_fields(org: OrgCalls, object_name: str, progress: Progress) -> list[str]:
    """From REST describe: custom fields, and standard picklists users can set (not calculated)."""
    progress(f"listing the fields of {object_name}")
    try:
        describe: Any = org.call("describe", partial(org.rest.restful, f"sobjects/{object_name}/describe"))
    except CrmApiError as exc:
        if isinstance(exc.__cause__, SalesforceResourceNotFound):
            raise CrmApiError(
                f"target '{org.target}': Salesforce has no object '{object_name}' — use its API name, "
                "e.g. Opportunity or Invoice__c"
            ) from exc.__cause__
        raise
    return sorted(
        f["name"]
        for f in describe["fields"]
        if not f.get("calculated")
        and (f.get("custom") or (f.get("type") in PICKLIST_TYPES and f.get("updateable")))
    )


def _path_record_types(wanted: DesiredField, record_types: dict[str, Any]) -> list[str]:
    if not wanted.path_record_types:
        return []
    prefix = wanted.address.object + "."
    names = [n[len(prefix) :] for n in record_types if n.startswith(prefix)]
    return path_record_types(wanted, names)


def reading_values(
    reading: FieldReading, standard: dict[str, Any], global_: dict[str, Any]
) -> tuple[ValueState, ...] | None:
    """The values of a field as read: on the field, or in the value set read into ``standard`` /
    ``global_`` (None when it has none, or its value set was not found). Also `crmdefs dictionary`'s."""
    source = reading.source
    if source.startswith("StandardValueSet:"):
        svs = standard.get(source.split(":", 1)[1])
        return smd.value_states(list(svs.standardValue or [])) if svs is not None else None
    if source.startswith("GlobalValueSet:"):
        gvs = global_.get(source.split(":", 1)[1])
        return smd.value_states(list(gvs.customValue or [])) if gvs is not None else None
    return reading.values


def field_state(
    address: FieldAddress,
    reading: FieldReading,
    values: tuple[ValueState, ...] | None,
    record_types: dict[str, Any],
) -> FieldState:
    """The state of a field that exists, its ``values`` found (on the field or in its value set)."""
    component = reading.component
    custom = address.field.endswith("__c")
    read_only = (
        {}
        if custom
        else {
            # Standard field labels are renamed in Setup (Rename Tabs and Labels), not via CustomField.
            "label": f"{address.dotted} is a standard field; rename it in Setup > Rename Tabs and Labels"
        }
    )
    prefix = address.object + "."
    return smd.salesforce_state(
        address,
        exists=True,
        label=normalize_text(component.label),
        help_text=normalize_text(component.inlineHelpText),
        description=normalize_text(component.description),
        values=values,
        value_source=reading.source,
        custom=custom,
        multi_select=getattr(component, "type", None) == MULTI_SELECT,
        read_only=read_only,
        record_types={
            name[len(prefix) :]: smd.record_type_values(rt, address.field)
            for name, rt in sorted(record_types.items())
            if name.startswith(prefix)
        },
    )
