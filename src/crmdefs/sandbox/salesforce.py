"""The Salesforce half of the sandbox: REST describe/limits and the Metadata API (SOAP) CRUD calls.

Facts (with sources) are in docs/salesforce.md; the shapes come from the recorded
responses in tests/fixtures/salesforce/. Behaviour enforced here, each with its source:
- ≤ 10 components per Metadata call, one type per call (docs/salesforce.md#sf-metadata-batch-limit): SOAP
  fault EXCEEDED_ID_LIMIT, wording as seen in certinia/apex-mdapi#105 ("record limit reached. cannot submit
  more than 10 records in this operation");
- updateMetadata replaces the whole component; values left out of a value set are deactivated, never deleted
  (docs/salesforce.md#sf-omitted-values-deactivated); strings are trimmed
  (docs/salesforce.md#sf-strings-trimmed);
- standard fields carry no valueSet: their values live in a StandardValueSet
  (docs/salesforce.md#sf-standard-value-sets);
- OpportunityStage / LeadStatus values need their extra attributes
  (docs/salesforce.md#sf-standard-value-required-attributes);
- record-type picklist value names come back partly URL-encoded
  (docs/salesforce.md#sf-record-type-url-encoding);
- each component gets its own SaveResult; the others are saved
  (docs/salesforce.md#sf-metadata-partial-success);
- a wrong session id is the INVALID_SESSION_ID fault (fixture soap_fault_INVALID_SESSION_ID.xml) or the
  REST 401 body ``[{"message","errorCode"}]`` (docs/salesforce.md#sf-rest-401-invalid-session).
"""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any
from xml.etree import ElementTree as ET

from crmdefs.sandbox import mdxml, sfrecords, sfsoap
from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.state import SandboxState

DAILY_API_LIMIT = 15_000
VERSIONS = [f"{v}.0" for v in range(31, 64)]
_DATA_PATH = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")
_SOAP_PATH = re.compile(r"^/services/Soap/m/(\d+\.\d)/?$")
# Standard picklist fields → StandardValueSet (docs/salesforce.md#sf-standard-value-sets). The sandbox keeps
# its own table: it must not share crmdefs' understanding of the API.
STANDARD_VALUE_SETS = {
    "Lead.Status": "LeadStatus",
    "Opportunity.StageName": "OpportunityStage",
    "Lead.LeadSource": "LeadSource",
    "Opportunity.LeadSource": "LeadSource",
    "Lead.Industry": "Industry",
    "Lead.Rating": "AccountRating",
    "Opportunity.Type": "OpportunityType",
}
REQUIRED_STANDARD_VALUE_KEYS = {
    "OpportunityStage": ("closed", "won", "forecastCategory", "probability"),
    "LeadStatus": ("converted",),
}


class SalesforceApi:
    name = "salesforce"

    def __init__(self, state: SandboxState, failing: frozenset[str] = frozenset()) -> None:
        self.state = state
        self.failing = failing  # components whose saves fail (FaultPlan.fail_components)
        self._describes: dict[str, dict[str, Any]] = {}
        for obj in ("Account", "Lead", "Opportunity"):
            text = resources.files("crmdefs.sandbox").joinpath(f"data/describe_{obj}.json").read_text("utf-8")
            self._describes[obj] = json.loads(text)

    @property
    def metadata(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.state.data["salesforce"]["metadata"]
        return result

    # --- dispatch ---------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/services/data":
            return self._rest(
                200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]
            )
        soap = _SOAP_PATH.match(request.path)
        if soap and request.method == "POST":
            with self.state.lock:
                return sfsoap.handle(self, request.body)
        data = _DATA_PATH.match(request.path)
        if not data:
            return self._rest(
                404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            )
        if request.bearer() != self.state.token:
            return self._invalid_session()
        version, rest = data.group(1), (data.group(2) or "/").rstrip("/")
        with self.state.lock:
            self._count_call()
            records = sfrecords.handle(self, request, rest, version)  # /query, /composite/sobjects
            if records is not None:
                return records
            describe = re.fullmatch(r"/sobjects/(\w+)/describe", rest)
            if describe and request.method == "GET":
                return self._describe(describe.group(1), version)
            if rest == "/limits" and request.method == "GET":
                used = self.state.data["salesforce"]["api_usage"]
                return self._rest(
                    200, {"DailyApiRequests": {"Max": DAILY_API_LIMIT, "Remaining": DAILY_API_LIMIT - used}}
                )
        return self._rest(
            404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
        )

    def injected(self, kind: str, request: Request | None = None) -> Response:
        """Salesforce answers an exhausted API allowance with 403 REQUEST_LIMIT_EXCEEDED
        (docs/salesforce.md#sf-request-limit-exceeded);
        there is no 429. A 5xx is the maintenance page, 503. An expired session ('session') gets the
        answers to a wrong token: Salesforce does not tell the two apart
        (docs/salesforce.md#sf-rest-401-invalid-session)."""
        is_soap = request is not None and bool(_SOAP_PATH.match(request.path))
        if kind == "session":
            return sfsoap.invalid_session() if is_soap else self._invalid_session()
        if kind == "429":
            if is_soap:
                return sfsoap.fault(
                    "sf:REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."
                )
            return self._rest(
                403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
            )
        return Response(503, b"<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"})

    def _invalid_session(self) -> Response:
        # REST 401 "The session ID or OAuth token used has expired or is invalid"
        # (docs/salesforce.md#sf-rest-401-invalid-session).
        return self._rest(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])

    def _count_call(self) -> None:
        self.state.data["salesforce"]["api_usage"] += 1

    def _rest(self, status: int, payload: Any) -> Response:
        used = self.state.data["salesforce"]["api_usage"]
        # Sent on every REST answer; simple-salesforce parses it into sf.api_usage
        # (docs/salesforce.md#sf-limit-info-header).
        return json_response(status, payload, {"Sforce-Limit-Info": f"api-usage={used}/{DAILY_API_LIMIT}"})

    # --- REST describe ----------------------------------------------------------------------------

    def _describe(self, obj: str, version: str) -> Response:
        base = self._describes.get(obj)
        if base is None:
            return self._rest(
                404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            )
        describe = copy.deepcopy(base)
        names = {f["name"] for f in describe["fields"]}
        # New custom fields take the shape of a real picklist field of the recording (same keys and types).
        template = next(f for f in base["fields"] if f["type"] == "picklist")
        for full_name, component in self.metadata["CustomField"].items():
            field_obj, _, field_name = full_name.partition(".")
            if field_obj == obj and field_name not in names:
                describe["fields"].append(_new_field(template, field_name, component))
        for field in describe["fields"]:
            component = self.metadata["CustomField"].get(f"{obj}.{field['name']}")
            if component is not None:
                self._overlay(field, component, f"{obj}.{field['name']}")
        describe["recordTypeInfos"] = self._record_type_infos(obj, base["recordTypeInfos"], version)
        text = json.dumps(describe).replace("/services/data/vxx.0/", f"/services/data/v{version}/")
        text = re.sub(r"/services/data/v\d+\.0/", f"/services/data/v{version}/", text)
        return self._rest(200, json.loads(text))

    def _overlay(self, field: dict[str, Any], component: dict[str, Any], full_name: str) -> None:
        """Describe shows help text, label and the value list, never the description
        (docs/salesforce.md#sf-describe-no-description)."""
        field["inlineHelpText"] = component.get("inlineHelpText")
        if "label" in component:
            field["label"] = component["label"]
        values = self.values_of(full_name)
        if values is not None:
            field["picklistValues"] = [
                {
                    "active": v.get("isActive", True) is not False,
                    "defaultValue": bool(v.get("default")),
                    "label": v.get("label") or v["fullName"],
                    "validFor": None,
                    "value": v["fullName"],
                }
                for v in values
            ]
            field["restrictedPicklist"] = bool(component.get("valueSet", {}).get("restricted", False))

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

    def _record_type_infos(self, obj: str, base: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
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

    def known_object(self, obj: str) -> bool:
        """Objects with a recorded describe, and custom objects the state holds (the benchmark's orgs)."""
        return obj in self._describes or obj in self.metadata.get("CustomObject", {})

    def standard_field_exists(self, full_name: str) -> bool:
        obj, _, field = full_name.partition(".")
        return obj in self._describes and any(f["name"] == field for f in self._describes[obj]["fields"])

    def standard_field_component(self, full_name: str) -> dict[str, Any] | None:
        """readMetadata of a standard field that was never saved: what Salesforce derives from the field."""
        obj, _, name = full_name.partition(".")
        for field in self._describes.get(obj, {}).get("fields", []):
            if field["name"] == name and not field["custom"]:
                kind = {"picklist": "Picklist", "multipicklist": "MultiselectPicklist"}.get(
                    field["type"], "Text"
                )
                component: dict[str, Any] = {"fullName": full_name, "type": kind}
                if field.get("inlineHelpText"):
                    component["inlineHelpText"] = field["inlineHelpText"]
                return component
        return None


_FIELD_TYPES = {
    "Picklist": ("picklist", "xsd:string"),
    "MultiselectPicklist": ("multipicklist", "xsd:string"),
    "Number": ("double", "xsd:double"),
    "Text": ("string", "xsd:string"),
    "Checkbox": ("boolean", "xsd:boolean"),
}


def _new_field(template: dict[str, Any], name: str, component: dict[str, Any]) -> dict[str, Any]:
    """A describe entry for a custom field, in the shape of a real one (same keys, same value types)."""
    field = copy.deepcopy(template)
    kind, soap_type = _FIELD_TYPES.get(component.get("type", "Text"), ("string", "xsd:string"))
    field.update(
        {
            "name": name,
            "label": component.get("label", name),
            "custom": True,
            "type": kind,
            "soapType": soap_type,
            "nillable": True,
            "picklistValues": [],
            "inlineHelpText": None,
            "restrictedPicklist": False,
            "defaultedOnCreate": False,
            "permissionable": True,
        }
    )
    if kind == "double":
        field.update(
            {
                "precision": component.get("precision", 18),
                "scale": component.get("scale", 0),
                "length": 0,
                "byteLength": 0,
            }
        )
    return field


def parse_component(element: ET.Element, type_name: str) -> dict[str, Any]:
    return mdxml.from_xml(element, type_name)
