"""The Salesforce half of the sandbox: REST describe/limits and the Metadata API (SOAP) CRUD calls.

Facts (with sources) are in docs/salesforce.md; the shapes come from the recorded
responses in tests/fixtures/salesforce/. Behaviour enforced here, each with its source:
- ≤ 10 components per Metadata call, one type per call: SOAP fault EXCEEDED_ID_LIMIT, wording as seen
  in certinia/apex-mdapi#105 ("record limit reached. cannot submit more than 10 records in this operation");
- updateMetadata replaces the whole component; values left out of a value set are deactivated, never
  deleted (docs/salesforce.md#sf-omitted-values-deactivated); strings are trimmed
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
from typing import Any
from xml.etree import ElementTree as ET

from crmdefs.sandbox import mdxml, sfdependent, sfpartner, sfrecords, sfsoap
from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.sfquery import QueryCursors
from crmdefs.sandbox.sfstore import SalesforceOrg
from crmdefs.sandbox.state import SandboxState

DAILY_API_LIMIT = 15_000
VERSIONS = [f"{v}.0" for v in range(31, 64)]
_DATA_PATH = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")
_SOAP_PATH = re.compile(r"^/services/Soap/m/(\d+\.\d)/?$")
_PARTNER_PATH = re.compile(r"^/services/Soap/u/(\d+\.\d)(/\w+)?/?$")  # getUserInfo (sfpartner.py)


# REQUEST_LIMIT_EXCEEDED's two meanings (docs/salesforce.md#sf-request-limit-exceeded): the org's daily
# allowance is used up ('429' in the fault plan), or too many requests of 20 s or more run at once
# ('concurrent'; it clears when they end).
LIMIT_MESSAGES = {
    "429": "TotalRequests Limit exceeded.",
    "concurrent": "ConcurrentPerOrgLongTxn Limit exceeded.",
}


class SalesforceApi:
    name = "salesforce"

    """Answers simple-salesforce's REST and Metadata (SOAP) calls from ``state.data["salesforce"]``, through
    ``org`` (sfstore.py): this class routes and authenticates; SOAP is sfsoap.py's, records sfrecords.py's."""

    def __init__(self, state: SandboxState, failing: frozenset[str] = frozenset()) -> None:
        self.state = state
        self.org = SalesforceOrg(state, failing)  # failing: FaultPlan.fail_components
        self.cursors = QueryCursors()  # open SOQL query cursors (sfquery.py)

    @property
    def metadata(self) -> dict[str, dict[str, Any]]:
        return self.org.metadata

    # --- dispatch ---------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/services/data":
            return self._rest(
                200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]
            )
        soap = _SOAP_PATH.match(request.path)
        if soap and request.method == "POST":
            with self.org.lock:
                return sfsoap.handle(self.org, request.body)
        if _PARTNER_PATH.match(request.path) and request.method == "POST":
            with self.org.lock:
                return sfpartner.handle(self.org, request.body)
        data = _DATA_PATH.match(request.path)
        if not data:
            return self._rest(
                404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            )
        user = self.org.user_for(request.bearer())
        if user is None:
            return self._invalid_session()
        version, rest = data.group(1), (data.group(2) or "/").rstrip("/")
        with self.org.lock:
            self.org.session_user = user  # what this user may see (a setup object) and do
            self.org.count_call()
            records = sfrecords.handle(
                self.org, self.cursors, request, rest, version
            )  # /query, /composite/sobjects
            if records is not None:
                answer = self._rest(*records)
                if rest == "/query":  # the request log names the object queried (tests count them)
                    found = re.search(r"\bFROM\s+(\w+)", request.param("q") or "", re.IGNORECASE)
                    answer.action = f"query {found.group(1)}" if found else "query"
                return answer
            describe = re.fullmatch(r"/sobjects/(\w+)/describe", rest)
            if describe and request.method == "GET":
                return self._describe(describe.group(1), version)
            if rest == "/sobjects" and request.method == "GET":
                return self._describe_global()
            if rest == "/limits" and request.method == "GET":
                used = self.org.api_usage
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
        is_soap = request is not None and bool(
            _SOAP_PATH.match(request.path) or _PARTNER_PATH.match(request.path)
        )
        if kind == "session":
            return sfsoap.invalid_session() if is_soap else self._invalid_session()
        if kind in LIMIT_MESSAGES:  # one error code, two limits: the message tells them apart
            message = LIMIT_MESSAGES[kind]
            if is_soap:
                return sfsoap.fault("sf:REQUEST_LIMIT_EXCEEDED", f"REQUEST_LIMIT_EXCEEDED: {message}")
            return self._rest(403, [{"message": message, "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
        return Response(503, b"<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"})

    def _invalid_session(self) -> Response:
        # REST 401 "The session ID or OAuth token used has expired or is invalid"
        # (docs/salesforce.md#sf-rest-401-invalid-session).
        return self._rest(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])

    def _rest(self, status: int, payload: Any) -> Response:
        used = self.org.api_usage
        # Sent on every REST answer; simple-salesforce parses it into sf.api_usage
        # (docs/salesforce.md#sf-limit-info-header).
        return json_response(status, payload, {"Sforce-Limit-Info": f"api-usage={used}/{DAILY_API_LIMIT}"})

    # --- REST describe ----------------------------------------------------------------------------

    def _describe_global(self) -> Response:
        """Every object of the org, by API name (docs/salesforce.md#sf-api-names-case-insensitive)."""
        names = sorted({*self.org.object_names(), *self.metadata.get("CustomObject", {})})
        sobjects = [{"name": n, "custom": n.endswith("__c"), "queryable": True} for n in names]
        return self._rest(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})

    def _describe(self, asked: str, version: str) -> Response:
        # Object names in the URL are matched in any case; the describe answers with the org's spelling
        # (docs/salesforce.md#sf-api-names-case-insensitive).
        obj = self.org.object_name(asked) or asked
        base = self.org.describe(obj)
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
        sfdependent.show_in_describe(describe["fields"], self.metadata["CustomField"], obj)
        describe["recordTypeInfos"] = self.org.record_type_infos(obj, base["recordTypeInfos"], version)
        text = json.dumps(describe).replace("/services/data/vxx.0/", f"/services/data/v{version}/")
        text = re.sub(r"/services/data/v\d+\.0/", f"/services/data/v{version}/", text)
        return self._rest(200, json.loads(text))

    def _overlay(self, field: dict[str, Any], component: dict[str, Any], full_name: str) -> None:
        """Describe shows help text, label and the value list, never the description
        (docs/salesforce.md#sf-describe-no-description)."""
        field["inlineHelpText"] = component.get("inlineHelpText")
        if "label" in component:
            field["label"] = component["label"]
        values = self.org.values_of(full_name)
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
            # Multi-select picklists are not groupable (docs/salesforce.md#sf-multiselect-not-groupable).
            "groupable": kind != "multipicklist",
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
