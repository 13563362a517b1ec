"""Which record types and business processes the Salesforce read needs, and their share of a FieldState.

A record type offers a subset of a field's values (docs/salesforce.md#sf-record-type-values); for
Opportunity.StageName, Lead.Status and Case.Status that subset comes from the business process the record
type uses instead (docs/salesforce.md#sf-business-processes). Every record type of an object is read only
when a binding asks for all of them, or when the plan may add a value to the field (to tell where the new
value will not be offered): a steady-state plan costs no describe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from crmdefs.adapters.salesforce.names import Describes
from crmdefs.definitions.crmfacts import PROCESS_FIELDS
from crmdefs.plan.state import DesiredField, ValueState

Processes = dict[str, tuple[str, ...]]


def adds_values(wanted: DesiredField, current: Sequence[ValueState] | None) -> bool:
    """The definitions list a value the field does not have yet (Salesforce matches case-insensitively)."""
    if wanted.values is None or wanted.document_only or current is None:
        return False
    have = {v.value.casefold() for v in current}
    return any(w.value.casefold() not in have for w in wanted.values)


def record_type_names(
    describe: Describes, fields: Sequence[DesiredField], values: Mapping[str, Sequence[ValueState] | None]
) -> set[str]:
    """``Object.DeveloperName`` of the record types to read: the named ones, and every active one of an
    object where a binding says ``all``, names business processes (to know which are in use) or adds a
    value (one describe per object)."""
    names: set[str] = set()
    described: dict[str, set[str]] = {}
    for wanted in fields:
        obj = wanted.address.object
        every = ("*",) in (wanted.record_types, wanted.path_record_types) or bool(wanted.business_processes)
        if every or adds_values(wanted, values.get(wanted.address.dotted)):
            if obj not in described:
                described[obj] = _active_record_types(describe, obj)
            names |= described[obj]
        if wanted.record_types and wanted.record_types != ("*",):
            names |= {f"{obj}.{rt}" for rt in wanted.record_types}
    return names


def _active_record_types(describes: Describes, obj: str) -> set[str]:
    describe: Any = describes(obj)
    if describe is None:  # no such object: the binding is reported as such (plan/resolve.py)
        return set()
    return {
        f"{obj}.{rt['developerName']}"
        for rt in describe["recordTypeInfos"]
        if not rt.get("master") and rt.get("active")
    }


def process_names(fields: Sequence[DesiredField], record_types: Mapping[str, Any]) -> set[str]:
    """The BusinessProcess components to read (``Object.Process Name``): those the active record types
    read use — a record type names its process without the object — and those a binding names."""
    names: set[str] = set()
    for wanted in fields:
        if wanted.address.dotted not in PROCESS_FIELDS:
            continue
        obj = wanted.address.object
        names |= {f"{obj}.{process}" for process in _in_use(obj, record_types)}
        if wanted.business_processes and wanted.business_processes != ("*",):
            names |= {f"{obj}.{process}" for process in wanted.business_processes}
    return names


def _in_use(obj: str, record_types: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Process name → the active record types of ``obj`` (read) that use it."""
    prefix = obj + "."
    used: dict[str, list[str]] = {}
    for name, record_type in sorted(record_types.items()):
        process = getattr(record_type, "businessProcess", None)
        if name.startswith(prefix) and process and record_type.active is not False:
            used.setdefault(process, []).append(name[len(prefix) :])
    return {process: tuple(types) for process, types in used.items()}


def process_state(
    dotted: str, record_types: Mapping[str, Any], processes: Mapping[str, Any]
) -> tuple[Processes | None, Processes]:
    """A field's ``business_processes`` (None: not a stage or status field) and ``process_record_types``.
    Value names are kept decoded, as record types' are (docs/salesforce.md#sf-record-type-url-encoding)."""
    if dotted not in PROCESS_FIELDS:
        return None, {}
    obj = dotted.split(".", 1)[0]
    prefix = obj + "."
    values = {
        name[len(prefix) :]: tuple(unquote(v.fullName) for v in process.values or [])
        for name, process in sorted(processes.items())
        if name.startswith(prefix)
    }
    return values, _in_use(obj, record_types)
