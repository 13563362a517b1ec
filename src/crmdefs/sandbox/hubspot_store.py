"""The HubSpot portal's data in the sandbox state, behind the public methods the property, pipeline and record
handlers use: object types (with their aliases), property definitions and groups, pipelines, records, the
injected save failures, and saving. Sources as in hubspot.py (entries of docs/hubspot.md).
"""

from __future__ import annotations

from crmdefs.sandbox.hubspot_rules import ApiError, Json, refuse
from crmdefs.sandbox.state import StateView

# Object type aliases: HubSpot accepts type ids beside names (docs/hubspot.md#hs-object-type-ids); for this
# endpoint UNVERIFIED.
ALIASES = {"0-1": "contacts", "contact": "contacts", "0-3": "deals", "deal": "deals"}


class HubSpotPortal(StateView):
    """``state.data["hubspot"]``, read through each time (`reset` replaces ``state.data``). Hold ``lock``
    while using what the methods return."""

    def hub(self) -> Json:
        hub: Json = self.state.data["hubspot"]
        return hub

    def object_type(self, raw: str, section: str = "properties") -> str:
        """The stored object type for a path segment. Unknown → 400 "Unable to infer object type from: x", the
        real objects-API answer (HubSpot/hubspot-api-php#128); for the properties API UNVERIFIED."""
        name = ALIASES.get(raw, raw)
        if name not in self.hub()["properties"]:
            raise refuse(f"Unable to infer object type from: {raw}")
        if name not in self.hub()[section]:
            raise refuse(f"Object type {raw} has no {section}")  # e.g. contacts pipelines; UNVERIFIED
        return name

    def properties(self, raw_type: str) -> dict[str, Json]:
        """The property definitions of the object type a path segment names (checked as object_type)."""
        props: dict[str, Json] = self.hub()["properties"][self.object_type(raw_type)]
        return props

    def definitions(self, object_type: str) -> dict[str, Json]:
        """The property definitions of a stored object type, archived ones included ({} for none)."""
        definitions: dict[str, Json] = self.hub()["properties"].get(object_type, {})
        return definitions

    def groups(self, raw_type: str) -> dict[str, Json]:
        groups: dict[str, Json] = self.hub()["groups"].setdefault(self.object_type(raw_type), {})
        return groups

    def pipelines(self, raw_type: str) -> list[Json]:
        """The pipelines of the object type a path segment names, archived ones included."""
        pipelines: list[Json] = self.hub()["pipelines"][self.object_type(raw_type, "pipelines")]
        return pipelines

    def stored_pipelines(self, object_type: str) -> list[Json]:
        """The pipelines of a stored object type ([] for none), archived ones included."""
        pipelines: list[Json] = self.hub().get("pipelines", {}).get(object_type, [])
        return pipelines

    def objects(self, raw_type: str) -> tuple[str, dict[str, Json]]:
        """(stored object type, its records by id) for a path segment (checked as object_type)."""
        object_type = self.object_type(raw_type)
        objects: dict[str, Json] = self.hub().setdefault("objects", {}).setdefault(object_type, {})
        return object_type, objects

    def maybe_fail(self, object_type: str, name: str) -> None:
        """A 500 when FaultPlan.fail_components names this property (``type.name``, aliases resolved)."""
        if f"{ALIASES.get(object_type, object_type)}.{name}" in self.failing:
            raise ApiError(500, "INTERNAL_ERROR", "internal error (injected by the sandbox)")

    def fails_record(self, object_type: str, record_id: str) -> bool:
        """Whether FaultPlan.fail_components names this record (``type.id``): its update fails in a 207."""
        return f"{object_type}.{record_id}" in self.failing
