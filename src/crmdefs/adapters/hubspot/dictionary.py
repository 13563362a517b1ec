"""`crmdefs dictionary` on HubSpot: every property of an object type from the one properties list the
adapter reads anyway (docs/hubspot.md#hs-properties-endpoints) — labels, types, descriptions, options with
their descriptions and ``hidden`` (docs/hubspot.md#hs-property-shape, docs/hubspot.md#hs-option-fields).
Pure but for the GET it is handed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from crmdefs.adapters.base import Progress
from crmdefs.definitions.crmfacts import HUBSPOT_DEFINED
from crmdefs.definitions.model import Crm
from crmdefs.dictionary.model import FieldEntry, ObjectFields, ValueEntry
from crmdefs.plan.state import normalize_text

Json = dict[str, Any]


def counted(prop: Json) -> bool:
    """Whether a person can set or define the property: every custom one, and the HubSpot-defined ones
    that are neither hidden nor read-only in value (docs/hubspot.md#hs-read-only-value)."""
    if not prop.get("hubspotDefined"):
        return True
    metadata = prop.get("modificationMetadata") or {}
    return not (prop.get("hidden") or metadata.get("readOnlyValue"))


def read_objects(
    properties: Callable[[str], Mapping[str, Json] | None],
    standard_types: Sequence[str],
    object_names: Sequence[str],
    progress: Progress,
) -> dict[str, ObjectFields | None]:
    """Each object type named → its properties (``properties``: the adapter's one GET per object type,
    None for a type the portal lacks). HubSpot's standard object types are matched in any case and kept
    in HubSpot's spelling."""
    standard = {t.casefold(): t for t in standard_types}
    found: dict[str, ObjectFields | None] = {}
    for name in object_names:
        object_type = standard.get(name.casefold(), name)
        progress(f"reading the properties of {object_type}")
        props = properties(object_type)
        found[name] = None if props is None else object_fields(object_type, props)
    return found


def object_fields(object_type: str, properties: Mapping[str, Json]) -> ObjectFields:
    """The properties of ``object_type`` (as read, by name), sorted by label as HubSpot's settings list
    them."""
    ordered = sorted(
        properties.values(), key=lambda p: (str(p.get("label") or p["name"]).casefold(), p["name"])
    )
    return ObjectFields(Crm.HUBSPOT, object_type, object_type, tuple(_entry(object_type, p) for p in ordered))


def _entry(object_type: str, prop: Json) -> FieldEntry:
    metadata = prop.get("modificationMetadata") or {}
    states = [
        s
        for s, on in (
            ("hidden", prop.get("hidden")),
            ("calculated", prop.get("calculated") or prop.get("fieldType") == "calculation_equation"),
            ("set by HubSpot", prop.get("hubspotDefined") and metadata.get("readOnlyValue")),
        )
        if on
    ]
    note = ""
    if prop.get("externalOptions"):  # docs/hubspot.md#hs-external-options
        known = HUBSPOT_DEFINED.get(f"{object_type}.{prop['name']}")
        note = (
            f"options live in {known.options_live_in}"
            if known and known.options_live_in
            else ("options live outside the property (externalOptions)")
        )
    return FieldEntry(
        name=str(prop["name"]),
        label=str(prop.get("label") or prop["name"]),
        type=" / ".join(str(p) for p in (prop.get("type"), prop.get("fieldType")) if p),
        help_text=None,  # HubSpot has none: its description is what users see
        description=normalize_text(prop.get("description")),
        values=tuple(
            ValueEntry(
                str(o.get("value")),
                str(o.get("label") or o.get("value")),
                normalize_text(
                    o.get("description")
                ),  # "" and absent alike (docs/hubspot.md#hs-option-description-optional)
                not o.get("hidden"),
            )
            for o in prop.get("options") or []
        ),
        counted=counted(prop),
        state=", ".join(states),
        values_note=note,
    )
