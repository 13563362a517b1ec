"""`crmdefs dictionary` on Salesforce: every field of whole objects, read with the fewest calls.

Per object one REST describe (labels, types, help text, the values offered, and who may set each field:
docs/salesforce.md#sf-describe-field-access) — it carries no descriptions
(docs/salesforce.md#sf-describe-no-description), so the fields counted for coverage are then read as
``CustomField`` through ``readMetadata``, 10 per call (docs/salesforce.md#sf-metadata-batch-limit), all
objects' fields in the same batches; then the value sets those fields name, once each, 10 per call:
``StandardValueSet`` for standard picklists (docs/salesforce.md#sf-standard-value-sets) and
``GlobalValueSet`` (docs/salesforce.md#sf-global-value-set). So a run costs one describe per object, plus
ceil(fields counted / 10) + ceil(value sets / 10) reads. The work of reading a component is the plan's
(reads.py, metadata.py); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmdefs.adapters.base import Progress
from crmdefs.adapters.salesforce import metadata as smd
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.adapters.salesforce.names import describe_or_none
from crmdefs.adapters.salesforce.reads import FieldReading, read_custom_field, reading_values
from crmdefs.definitions.model import Crm
from crmdefs.dictionary.model import FieldEntry, ObjectFields, ValueEntry
from crmdefs.plan.state import ValueState, normalize_text


def counted(field: dict[str, Any]) -> bool:
    """Whether a person can set or define the field: custom, or createable / updateable. The rest Salesforce
    maintains itself (docs/salesforce.md#sf-describe-field-access)."""
    return bool(field.get("custom") or field.get("createable") or field.get("updateable"))


def read_objects(org: OrgCalls, names: Sequence[str], progress: Progress) -> dict[str, ObjectFields | None]:
    """Each of ``names`` (any case) → its fields, or None when the org has no such object."""
    describes: dict[str, Any] = {}
    for name in names:
        progress(f"describing {name}")
        describes[name] = describe_or_none(org, name)
    found = {name: d for name, d in describes.items() if d is not None}
    full_names = [f"{d['name']}.{f['name']}" for d in found.values() for f in d["fields"] if counted(f)]
    progress(f"reading the metadata of {len(full_names)} Salesforce fields")
    readings: dict[str, FieldReading] = org.read(
        "CustomField", full_names, keep=False, digest=read_custom_field
    )
    sources = {
        name: readings[name].source if name in readings else smd.value_source(name, None)
        for name in full_names
    }
    standard = org.read("StandardValueSet", _sets(sources, "StandardValueSet"), keep=False)
    global_ = org.read("GlobalValueSet", _sets(sources, "GlobalValueSet"), keep=False)
    result: dict[str, ObjectFields | None] = {}
    for name, describe in describes.items():
        if describe is None:
            result[name] = None
            continue
        obj = str(describe["name"])
        entries = []
        for field in describe["fields"]:
            reading = readings.get(f"{obj}.{field['name']}")
            values = reading_values(reading, standard, global_) if reading is not None else None
            entries.append(_entry(field, reading, values))
        result[name] = ObjectFields(Crm.SALESFORCE, obj, str(describe.get("label") or obj), tuple(entries))
    return result


def _sets(sources: dict[str, str], type_name: str) -> set[str]:
    prefix = type_name + ":"
    return {s[len(prefix) :] for s in sources.values() if s.startswith(prefix)}


def _entry(
    field: dict[str, Any], reading: FieldReading | None, values: tuple[ValueState, ...] | None
) -> FieldEntry:
    component = reading.component if reading is not None else None
    help_text = normalize_text(field.get("inlineHelpText")) or normalize_text(
        getattr(component, "inlineHelpText", None)
    )
    if values is not None:
        entries = tuple(ValueEntry(v.value, v.label, v.description, v.active) for v in values)
    else:  # no value set read: what describe offers (no descriptions there)
        entries = tuple(
            ValueEntry(str(v["value"]), str(v.get("label") or v["value"]), None, v.get("active") is not False)
            for v in field.get("picklistValues") or []
        )
    is_counted = counted(field)
    state = "formula" if field.get("calculated") else ""
    if not is_counted:
        state = "set by Salesforce" if not state else "formula, set by Salesforce"
    return FieldEntry(
        name=str(field["name"]),
        label=str(field.get("label") or field["name"]),
        type=str(field.get("type") or ""),
        help_text=help_text,
        description=normalize_text(getattr(component, "description", None)),
        values=entries,
        counted=is_counted,
        state=state,
    )
