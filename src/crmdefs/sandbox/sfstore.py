"""The Salesforce org's data in the sandbox state, behind the public methods the SOAP calls, the save rules
and the record APIs use: the Metadata components, the recorded describes of the standard objects, the
records, the API usage count, the injected save failures, and saving.

Facts (with sources) are in docs/salesforce.md; the describes are recorded responses
(data/describe_*.json).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from crmdefs.sandbox.sfusers import API_USER_ID, seeded_users, user_for_token
from crmdefs.sandbox.state import SandboxState, StateView

Json = dict[str, Any]

# Standard picklist fields → StandardValueSet (docs/salesforce.md#sf-standard-value-sets). The sandbox keeps
# its own table: it must
# not share crmdefs' understanding of the API.
STANDARD_VALUE_SETS = {
    "Lead.Status": "LeadStatus",
    "Opportunity.StageName": "OpportunityStage",
    "Lead.LeadSource": "LeadSource",
    "Opportunity.LeadSource": "LeadSource",
    "Lead.Industry": "Industry",
    "Lead.Rating": "AccountRating",
    "Opportunity.Type": "OpportunityType",
}
RECORDED_OBJECTS = ("Account", "Lead", "Opportunity")
# Setup objects: queryable, not in describeGlobal's list of the sandbox (crmdefs never lists them), and
# only for a user with "View Setup and Configuration" (docs/salesforce.md#sf-setup-audit-trail-access).
SETUP_OBJECTS = ("SetupAuditTrail",)
# Metadata API field type → the describe's type, for the types the sandbox's custom fields use.
DESCRIBE_TYPES = {
    "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist",
    "Number": "double",
    "Text": "string",
    "Checkbox": "boolean",
}


class SalesforceOrg(StateView):
    """``state.data["salesforce"]``, read through each time (`reset` replaces ``state.data``), and the
    recorded describes. Hold ``lock`` while using what the methods return."""

    def __init__(self, state: SandboxState, failing: frozenset[str] = frozenset()) -> None:
        super().__init__(state, failing)
        self._describes: dict[str, Json] = {}
        self._setup: dict[str, Json] = {}
        for obj in (*RECORDED_OBJECTS, *SETUP_OBJECTS):
            text = resources.files("crmdefs.sandbox").joinpath(f"data/describe_{obj}.json").read_text("utf-8")
            (self._setup if obj in SETUP_OBJECTS else self._describes)[obj] = json.loads(text)
        self.session_user = API_USER_ID  # who the request being answered is signed in as (hold ``lock``)

    # --- who is signed in ------------------------------------------------------------------------------

    def user_for(self, token: str | None) -> str | None:
        """The user whose session ``token`` is (sfusers.py), or None: a wrong or expired session."""
        return user_for_token(self.users(), self.token, token)

    def users(self) -> dict[str, Json]:
        """The org's users by Id; a state written before the API user existed gets the seeded ones."""
        seeded = seeded_users()
        return {**seeded, **{uid: {**seeded.get(uid, {}), **u} for uid, u in self.records("User").items()}}

    def may_view_setup(self) -> bool:
        """Whether the signed-in user has "View Setup and Configuration"."""
        return bool(self.users().get(self.session_user, {}).get("PermissionsViewSetup", False))

    # --- the state ---------------------------------------------------------------------------------

    @property
    def metadata(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.state.data["salesforce"]["metadata"]
        return result

    @property
    def api_usage(self) -> int:
        used: int = self.state.data["salesforce"]["api_usage"]
        return used

    def count_call(self) -> None:
        self.state.data["salesforce"]["api_usage"] += 1

    def records(self, obj: str) -> dict[str, Json]:
        """The records of ``obj`` by 18-character Id (records_seed.py). A setup object's rows (the audit
        trail, sfaudit.py) live apart, under ``"setup"``: they are the org's history, not its data."""
        # Older state files have no "records" (nor "setup") yet.
        home = "setup" if obj in SETUP_OBJECTS else "records"
        records: dict[str, Json] = self.state.data["salesforce"].setdefault(home, {}).setdefault(obj, {})
        return records

    # --- objects and fields ------------------------------------------------------------------------

    def describe(self, obj: str) -> Json | None:
        """The recorded describe of a standard object (shared: copy before changing it), or None. A setup
        object (SetupAuditTrail) only for a user who may view Setup."""
        if obj in self._setup:
            return self._setup[obj] if self.may_view_setup() else None
        return self._describes.get(obj)

    def object_names(self) -> list[str]:
        """The objects with a recorded describe."""
        return sorted(self._describes)

    def object_name(self, name: str) -> str | None:
        """The recorded object named ``name`` in any case, as Salesforce spells it. Without "View Setup and
        Configuration" a setup object is unknown: "sObject type … is not supported"
        (docs/salesforce.md#sf-setup-audit-trail-access)."""
        found = next((obj for obj in self._describes if obj.lower() == name.lower()), None)
        setup = next((obj for obj in self._setup if obj.lower() == name.lower()), None)
        return found or (setup if setup is not None and self.may_view_setup() else None)

    def known_object(self, obj: str) -> bool:
        """Objects with a recorded describe, and custom objects the state holds (the benchmark's orgs)."""
        return obj in self._describes or obj in self.metadata.get("CustomObject", {})

    def standard_field_exists(self, full_name: str) -> bool:
        obj, _, field = full_name.partition(".")
        return obj in self._describes and any(f["name"] == field for f in self._describes[obj]["fields"])

    def standard_field_component(self, full_name: str) -> dict[str, Any] | None:
        """readMetadata of a field of the recorded describe that was never saved: what Salesforce derives
        from the field. A standard one has no label and no valueSet
        (docs/salesforce.md#sf-standard-field-no-valueset); a custom one that came with an installed package
        (npsp__…__c) reads as any custom field does, with its label, help text and values
        (docs/salesforce.md#sf-customfield-elements)."""
        obj, _, name = full_name.partition(".")
        for field in self._describes.get(obj, {}).get("fields", []):
            if field["name"] == name:
                kind = {"picklist": "Picklist", "multipicklist": "MultiselectPicklist"}.get(
                    field["type"], "Text"
                )
                component: dict[str, Any] = {"fullName": full_name, "type": kind}
                if field.get("inlineHelpText"):
                    component["inlineHelpText"] = field["inlineHelpText"]
                if field["custom"]:
                    component.update(_packaged(field))
                return component
        return None

    def fields(self, obj: str) -> dict[str, Json]:
        """Field name → {"updateable", "label", "type"} of a recorded object: the describe's fields, custom
        fields saved through the Metadata API, and RecordTypeId once the object has record types (as a real
        describe would show). ``type`` is the describe's (picklist, multipicklist, string, …)."""
        fields = {
            f["name"]: {
                "updateable": bool(f.get("updateable")),
                "label": f.get("label") or f["name"],
                "type": f.get("type", "string"),
            }
            for f in (self.describe(obj) or {"fields": []})["fields"]
        }
        for full_name, component in self.metadata["CustomField"].items():
            field_obj, _, name = full_name.partition(".")
            if field_obj == obj and name not in fields:
                kind = DESCRIBE_TYPES.get(component.get("type", "Text"), "string")
                fields[name] = {"updateable": True, "label": component.get("label") or name, "type": kind}
        if any(name.startswith(obj + ".") for name in self.metadata.get("RecordType", {})):
            fields.setdefault(
                "RecordTypeId", {"updateable": True, "label": "Record Type ID", "type": "reference"}
            )
        return fields

    # --- picklists and record types ----------------------------------------------------------------

    def values_of(self, full_name: str) -> list[dict[str, Any]] | None:
        """The values a picklist field shows, wherever they live (field, standard or global value set)."""
        if full_name in STANDARD_VALUE_SETS:
            svs = self.metadata["StandardValueSet"].get(STANDARD_VALUE_SETS[full_name])
            return list(svs.get("standardValue", [])) if svs else None
        value_set = self.metadata["CustomField"].get(full_name, {}).get("valueSet")
        if not value_set:
            return None
        if "valueSetName" in value_set:
            gvs = self.metadata["GlobalValueSet"].get(value_set["valueSetName"], {})
            return list(gvs.get("customValue", []))
        return list(value_set.get("valueSetDefinition", {}).get("value", []))

    def record_type_infos(self, obj: str, base: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
        """The describe's recordTypeInfos: ``base`` (the recorded ones) and one per RecordType component."""
        infos = [dict(info) for info in base]
        for i, (full_name, rt) in enumerate(sorted(self.metadata["RecordType"].items())):
            if not full_name.startswith(obj + "."):
                continue
            record_type_id = f"0125g00000{i:05d}AAA"
            layout = f"/services/data/v{version}/sobjects/{obj}/describe/layouts/{record_type_id}"
            infos.append(
                {
                    "active": rt.get("active", True),
                    "available": True,
                    "defaultRecordTypeMapping": False,
                    "developerName": full_name.split(".", 1)[1],
                    "master": False,
                    "name": rt.get("label"),
                    "recordTypeId": record_type_id,
                    "urls": {"layout": layout},
                }
            )
        return infos


def _packaged(field: Json) -> Json:
    """A packaged custom field's label and, for a picklist, its values, as readMetadata shows them."""
    extra: Json = {"label": field.get("label") or field["name"]}
    if field["type"] in ("picklist", "multipicklist"):
        values = [
            {
                "fullName": v["value"],
                "label": v.get("label") or v["value"],
                "default": bool(v.get("defaultValue")),
                "isActive": v.get("active", True) is not False,
            }
            for v in field.get("picklistValues") or []
        ]
        restricted = bool(field.get("restrictedPicklist"))
        extra["valueSet"] = {
            "restricted": restricted,
            "valueSetDefinition": {"sorted": False, "value": values},
        }
    return extra


def field_name(fields: dict[str, Json], name: str) -> str | None:
    """The field of ``fields`` (SalesforceOrg.fields) named ``name`` in any case, as Salesforce spells it."""
    return next((f for f in fields if f.lower() == name.lower()), None)
