"""HubSpot CRM object records in the sandbox as the objects API shows them: which properties an object type
knows, which ones an answer carries, and how values read. Shared by the search (hubspot_search.py) and the
batch read/update (hubspot_record_batch.py), at the paths hubspot-api-client 12 calls (``/crm/v3/objects/
{objectType}/search``, ``…/batch/read``, ``…/batch/update``: hubspot/crm/objects/api/search_api.py and
batch_api.py; the deals/contacts APIs call the same paths with the type filled in). Routed from hubspot.py's
``_ROUTES``, so every request has already passed auth and the 10-second/daily limiter. Objects live in
``state["hubspot"]["objects"][type][id]`` (records_seed.py).

Sources ("docs/hubspot.md#…" = an entry of docs/hubspot.md; CONFIRMED = read in the source named):
- Default properties of a contacts search (createdate, email, firstname, hs_object_id, lastmodifieddate,
  lastname): CONFIRMED (HubSpot "Search the CRM" guide, 2026-03). The deals list (dealname, amount,
  closedate, pipeline, dealstage, createdate, hs_lastmodifieddate, hs_object_id) is from memory, and that a
  search also returns hs_object_id/createdate/last-modified when ``properties`` is given: UNVERIFIED.
- A requested property that is defined but empty comes back as null; one that is not defined is left out:
  CONFIRMED (HubSpot deals guide, GET parameters).
"""

from __future__ import annotations

from typing import Any

from crmdefs.sandbox.hubspot_rules import Json, refuse
from crmdefs.sandbox.hubspot_store import HubSpotPortal

_LAST_MODIFIED = {"contacts": "lastmodifieddate"}  # others: hs_lastmodifieddate
DEFAULT_PROPERTIES = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "deals": (
        "dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate",
        "hs_object_id",
    ),
}  # fmt: skip


def last_modified(object_type: str) -> str:
    return _LAST_MODIFIED.get(object_type, "hs_lastmodifieddate")


def always(object_type: str) -> tuple[str, ...]:
    return ("createdate", last_modified(object_type), "hs_object_id")


def known_properties(portal: HubSpotPortal, object_type: str, objects: dict[str, Json]) -> set[str]:
    """Defined properties: the portal's definitions, the object type's default and system properties, and
    whatever the stored records carry (HubSpot-defined ones the seed has no definition for, e.g. pipeline)."""
    definitions = portal.definitions(object_type)
    known = {name for name, prop in definitions.items() if not prop.get("archived")}
    known |= set(DEFAULT_PROPERTIES.get(object_type, ())) | set(always(object_type))
    for obj in objects.values():
        known |= set(obj["properties"])
    return known


def public_view(obj: Json, names: list[str] | tuple[str, ...], known: set[str], object_type: str) -> Json:
    """The object as the API shows it, with the requested properties (defined but empty → null)."""
    wanted = [*names, *(n for n in always(object_type) if n not in names)]
    stored = obj["properties"]
    properties = {name: stored.get(name) for name in wanted if name in known}
    return {
        "id": obj["id"],
        "properties": properties,
        "createdAt": obj["createdAt"],
        "updatedAt": obj["updatedAt"],
        "archived": bool(obj.get("archived", False)),
    }


def string_list(body: Json, key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise refuse(f"{key} must be a list of strings", key)  # message UNVERIFIED
    return value


def has_value(value: Any) -> bool:
    return value is not None and value != ""


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
