"""The Salesforce sandbox, driven by the real simple-salesforce (REST) and zeep (Metadata API SOAP) over
real TLS. Each rule the sandbox claims to enforce has a test here; contract tests compare its answers
with the recorded responses in tests/fixtures/salesforce/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import requests
import zeep.exceptions
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceResourceNotFound

from crmdefs.adapters.salesforce.client import MetadataClient, SalesforceClient, client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.salesforce import SalesforceApi
from crmdefs.sandbox.salesforce_seed import salesforce_seed
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import ensure_tls

from .sandbox_helpers import PinnedSession

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
MD = "{http://soap.sforce.com/2006/04/metadata}"


class Org:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.state = SandboxState.open(folder / "state", lambda: {**salesforce_seed(), "hubspot": {}})
        tls = ensure_tls(folder / "tls")
        self.ca = tls.ca
        self.log = RequestLog(None)
        self.server = RunningServer(SalesforceApi(self.state), 0, tls.server_context(), FaultPlan(), self.log)
        self.url = f"https://127.0.0.1:{self.server.port}"
        self.session = PinnedSession(tls.ca)
        self._client: SalesforceClient | None = None

    def client(self, token: str | None = None) -> Salesforce:
        return self.connect(token).rest

    def metadata(self) -> MetadataClient:
        return self.connect().metadata

    def connect(self, token: str | None = None) -> SalesforceClient:
        if token is None and self._client is not None:
            return self._client  # zeep parses the Metadata WSDL per client: reuse one
        client = client_with_token(
            self.url, Secret(token or self.state.token), session=self.session, version="62.0"
        )
        if token is None:
            self._client = client
        return client

    def soap(self, body: str, token: str | None = None) -> ET.Element:
        envelope = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:met="http://soap.sforce.com/2006/04/metadata" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header><met:SessionHeader>'
            f"<met:sessionId>{token or self.state.token}</met:sessionId></met:SessionHeader></soapenv:Header>"
            f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        )
        answer = self.session.post(
            f"{self.url}/services/Soap/m/62.0",
            data=envelope.encode(),
            headers={"Content-Type": "text/xml", "SOAPAction": '""'},
        )
        return ET.fromstring(answer.content)


@pytest.fixture(scope="module")
def running_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    running = Org(tmp_path_factory.mktemp("sf"))
    running.server.start()
    yield running
    running.server.stop()


@pytest.fixture
def org(running_org: Org) -> Org:
    """The module's org, restored to the seeded demo org before each test."""
    running_org.state.reset(lambda: {**salesforce_seed(), "hubspot": {}})
    running_org.log.entries.clear()
    return running_org


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value[:1]]
    return type(value).__name__


# --- contract: the same shapes as the recordings -------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "recording"),
    [
        ("Lead", "rest_describe_Lead.json"),
        ("Opportunity", "rest_describe_Opportunity.json"),
        ("Account", "rest_describe_Account_trimmed_with_helptext_recordtypes.json"),
    ],
)
def test_describe_has_the_recorded_keys_and_types(org: Org, obj: str, recording: str) -> None:
    recorded = json.loads((FIXTURES / recording).read_text())
    answer = org.client().restful(f"sobjects/{obj}/describe")
    assert set(answer) == set(recorded)
    fields = {f["name"]: f for f in answer["fields"]}
    for field in recorded["fields"]:
        ours = fields[field["name"]]
        assert set(ours) == set(field), field["name"]
        for key, value in field.items():
            if value is not None and ours[key] is not None:
                assert type(ours[key]) is type(value), (field["name"], key)
        # REST describe never carries the description (docs/salesforce.md#sf-describe-no-description).
        assert "description" not in ours
    assert all("description" not in f for f in answer["fields"])
    # Untouched fields keep their recorded values (help text and record types included).
    for field in recorded["fields"]:
        if f"{obj}.{field['name']}" not in org.state.data["salesforce"]["metadata"]["CustomField"]:
            assert fields[field["name"]] == field
    assert answer["recordTypeInfos"][: len(recorded["recordTypeInfos"])] == [
        json.loads(json.dumps(rt).replace("/vxx.0/", "/v62.0/").replace("/v59.0/", "/v62.0/"))
        for rt in recorded["recordTypeInfos"]
    ]


def test_describe_values_are_the_recorded_ones_where_the_data_is_the_same(org: Org) -> None:
    recorded = json.loads((FIXTURES / "rest_describe_Lead.json").read_text())
    answer = org.client().Lead.describe()
    for name in ("Status", "LeadSource", "Industry"):
        ours = next(f for f in answer["fields"] if f["name"] == name)
        theirs = next(f for f in recorded["fields"] if f["name"] == name)
        assert ours["picklistValues"] == theirs["picklistValues"], name


def test_custom_fields_and_record_types_appear_in_describe(org: Org) -> None:
    answer = org.client().Opportunity.describe()
    loss = next(f for f in answer["fields"] if f["name"] == "Loss_Reason__c")
    assert (
        loss["custom"] is True and loss["type"] == "picklist" and loss["inlineHelpText"] == "Pick a reason."
    )
    assert [v["value"] for v in loss["picklistValues"]] == [
        "Price",
        "pricing",
        "Lost to Competitor",
        "Other",
        "No Decision / Non-Responsive",
    ]
    names = {rt["developerName"] for rt in answer["recordTypeInfos"]}
    assert names == {"Master", "New_Business", "Renewal"}


def _element_names(element: ET.Element) -> list[str]:
    return [child.tag.rsplit("}", 1)[-1] for child in element]


def test_read_custom_field_has_the_recorded_element_layout(org: Org) -> None:
    recorded = ET.parse(FIXTURES / "mdapi_source_CustomField_Property__c.Status__c_picklist.xml").getroot()
    answer = org.soap(
        "<met:readMetadata><met:type>CustomField</met:type>"
        "<met:fullNames>Opportunity.Loss_Reason__c</met:fullNames></met:readMetadata>"
    )
    record = next(answer.iter(f"{MD}records"))
    ours = [n for n in _element_names(record) if n not in ("description", "inlineHelpText")]
    assert ours == _element_names(recorded)
    ours_value = next(record.iter(f"{MD}value"))
    assert _element_names(ours_value) == _element_names(next(recorded.iter(f"{MD}value")))


@pytest.mark.parametrize("name", ["OpportunityStage", "LeadStatus"])
def test_read_standard_value_set_has_the_recorded_element_layout(org: Org, name: str) -> None:
    recorded = ET.parse(FIXTURES / f"mdapi_source_StandardValueSet_{name}.xml").getroot()
    answer = org.soap(
        f"<met:readMetadata><met:type>StandardValueSet</met:type>"
        f"<met:fullNames>{name}</met:fullNames></met:readMetadata>"
    )
    record = next(answer.iter(f"{MD}records"))
    assert record.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "StandardValueSet"
    recorded_value = _element_names(next(recorded.iter(f"{MD}standardValue")))
    ours_value = _element_names(next(record.iter(f"{MD}standardValue")))
    assert sorted(ours_value) == sorted(recorded_value)


def test_standard_field_reads_without_value_set_like_the_recording(org: Org) -> None:
    recorded = ET.parse(FIXTURES / "mdapi_source_CustomField_Lead.Status_standard.xml").getroot()
    field = org.client().mdapi.CustomField.read(["Lead.Status"])
    assert field.fullName == "Lead.Status" and field.valueSet is None
    assert field.type == recorded.find(f"{MD}type").text  # type: ignore[union-attr]


def test_wrong_session_is_the_recorded_soap_fault_and_rest_401(org: Org) -> None:
    recorded = ET.parse(FIXTURES / "soap_fault_INVALID_SESSION_ID.xml").getroot()
    answer = org.soap("<met:readMetadata><met:type>CustomField</met:type></met:readMetadata>", token="wrong")
    ours_fault = next(e for e in answer.iter() if e.tag.endswith("Fault"))
    theirs_fault = next(e for e in recorded.iter() if e.tag.endswith("Fault"))
    assert _element_names(ours_fault) == _element_names(theirs_fault)
    assert ours_fault.findtext("faultcode") == theirs_fault.findtext("faultcode") == "sf:INVALID_SESSION_ID"
    assert ours_fault.findtext("faultstring") == theirs_fault.findtext("faultstring")
    with pytest.raises(zeep.exceptions.Fault) as caught:
        org.client(token="wrong").mdapi.CustomField.read(["Lead.Status"])
    assert caught.value.code == "sf:INVALID_SESSION_ID"
    with pytest.raises(SalesforceExpiredSession) as rest:
        org.client(token="wrong").Lead.describe()
    assert rest.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


# --- REST extras -----------------------------------------------------------------------------------------


def test_versions_limits_and_the_usage_header(org: Org) -> None:
    versions = org.session.get(f"{org.url}/services/data/").json()
    assert {"label", "url", "version"} == set(versions[0]) and any(v["version"] == "62.0" for v in versions)
    sf = org.client()
    sf.restful("sobjects/Lead/describe")
    usage = sf.api_usage["api-usage"]
    assert usage.total == 15000 and usage.used >= 1
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.restful("sobjects/Nope__c/describe")
    assert caught.value.content[0]["errorCode"] == "NOT_FOUND"


# --- Metadata API rules ----------------------------------------------------------------------------------


def test_more_than_ten_components_is_a_fault(org: Org) -> None:
    md = org.client().mdapi
    with pytest.raises(zeep.exceptions.Fault) as caught:
        md.CustomField.read([f"Lead.F{i}__c" for i in range(11)])
    assert caught.value.code == "sf:EXCEEDED_ID_LIMIT"
    fields = [md.CustomField(fullName=f"Lead.F{i}__c", label="x", type="Text", length=5) for i in range(11)]
    with pytest.raises(zeep.exceptions.Fault, match="cannot submit more than 10"):
        org.metadata().call("createMetadata", fields)


def test_one_type_per_call(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    stages = md.StandardValueSet.read(["OpportunityStage"])
    with pytest.raises(zeep.exceptions.Fault) as caught:
        org.metadata().call("updateMetadata", [field, stages])
    assert caught.value.code == "sf:INVALID_TYPE"


def test_missing_component_reads_back_empty_not_as_a_fault(org: Org) -> None:
    missing = org.client().mdapi.CustomField.read(["Opportunity.Nope__c"])
    # zeep turns the nil record into an empty object (docs/salesforce.md#sf-ss-missing-component-empty).
    assert missing.fullName is None


def test_update_replaces_the_whole_component_and_trims_strings(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    field.description = None  # left out of the update → gone
    field.inlineHelpText = "   Why the deal was lost.  \n"
    md.CustomField.update([field])
    again = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    assert again.description is None
    assert again.inlineHelpText == "Why the deal was lost."


def test_values_left_out_are_deactivated_not_deleted(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    field.valueSet.valueSetDefinition.value = field.valueSet.valueSetDefinition.value[:2]
    md.CustomField.update([field])
    values = md.CustomField.read(["Opportunity.Loss_Reason__c"]).valueSet.valueSetDefinition.value
    assert [(v.fullName, v.isActive is not False) for v in values] == [
        ("Price", True),
        ("pricing", True),
        ("Lost to Competitor", False),
        ("Other", False),
        ("No Decision / Non-Responsive", False),
    ]
    describe = org.client().Opportunity.describe()
    loss = next(f for f in describe["fields"] if f["name"] == "Loss_Reason__c")
    assert [v["active"] for v in loss["picklistValues"]] == [True, True, False, False, False]


def test_missing_required_fields_fail_that_component_only(org: Org) -> None:
    md = org.client().mdapi
    good = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    good.inlineHelpText = "Saved."
    bad = md.CustomField.read(["Lead.Lead_Score__c"])
    bad.label = None
    results = org.metadata().call("updateMetadata", [bad, good])
    assert [(r.fullName, r.success) for r in results] == [
        ("Lead.Lead_Score__c", False),
        ("Opportunity.Loss_Reason__c", True),
    ]
    assert results[0].errors[0].statusCode == "REQUIRED_FIELD_MISSING"
    assert md.CustomField.read(["Opportunity.Loss_Reason__c"]).inlineHelpText == "Saved."


def test_standard_fields_carry_no_value_set(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Lead.Status"])
    field.inlineHelpText = "Where the lead stands."
    md.CustomField.update([field])  # help text on a standard field is fine
    field.valueSet = md.ValueSet(
        valueSetDefinition=md.ValueSetValuesDefinition(
            sorted=False, value=[md.CustomValue(fullName="New", default=False, label="New")]
        )
    )
    with pytest.raises(Exception, match="StandardValueSet"):
        md.CustomField.update([field])
    status = next(f for f in org.client().Lead.describe()["fields"] if f["name"] == "Status")
    assert status["inlineHelpText"] == "Where the lead stands."


def test_stage_and_status_values_need_their_attributes(org: Org) -> None:
    md = org.client().mdapi
    stages = md.StandardValueSet.read(["OpportunityStage"])
    stages.standardValue.append(md.StandardValue(fullName="Discovery", default=False, label="Discovery"))
    with pytest.raises(Exception, match="closed, won, forecastCategory, probability"):
        md.StandardValueSet.update([stages])
    statuses = md.StandardValueSet.read(["LeadStatus"])
    statuses.standardValue.append(md.StandardValue(fullName="Nurture", default=False, label="Nurture"))
    with pytest.raises(Exception, match="converted"):
        md.StandardValueSet.update([statuses])
    statuses.standardValue[-1].converted = False
    md.StandardValueSet.update([statuses])
    lead_status = next(f for f in org.client().Lead.describe()["fields"] if f["name"] == "Status")
    assert lead_status["picklistValues"][-1]["value"] == "Nurture"


def test_record_type_values_come_back_partly_url_encoded(org: Org) -> None:
    md = org.client().mdapi
    record_type = md.RecordType.read(["Opportunity.New_Business"])
    stage_values = [v.fullName for v in record_type.picklistValues[0].values]
    assert "Proposal%2FPrice Quote" in stage_values and "Id. Decision Makers" in stage_values
    md.RecordType.update([record_type])  # deploying the encoded names back is accepted
    record_type.picklistValues[1].values.append(md.PicklistValue(fullName="No Such Reason", default=False))
    with pytest.raises(Exception, match="No Such Reason"):
        md.RecordType.update([record_type])


def test_create_custom_field_then_duplicate(org: Org) -> None:
    md = org.client().mdapi
    value = md.CustomValue(fullName="Gold", default=False, label="Gold")
    field = md.CustomField(
        fullName="Opportunity.Tier__c",
        label="Tier",
        type="Picklist",
        valueSet=md.ValueSet(valueSetDefinition=md.ValueSetValuesDefinition(sorted=False, value=[value])),
    )
    md.CustomField.create([field])
    tier = next(f for f in org.client().Opportunity.describe()["fields"] if f["name"] == "Tier__c")
    assert [v["value"] for v in tier["picklistValues"]] == ["Gold"]
    with pytest.raises(Exception, match="DUPLICATE_DEVELOPER_NAME"):
        md.CustomField.create([field])


def test_global_value_set_changes_show_on_every_field_using_it(org: Org) -> None:
    md = org.client().mdapi
    competitors = md.GlobalValueSet.read(["Competitors"])
    competitors.customValue.append(md.CustomValue(fullName="Hooli", default=False, label="Hooli"))
    md.GlobalValueSet.update([competitors])
    opportunity = org.client().Opportunity.describe()["fields"]
    lead = org.client().Lead.describe()["fields"]
    for fields, name in ((opportunity, "Primary_Competitor__c"), (lead, "Current_Vendor__c")):
        field = next(f for f in fields if f["name"] == name)
        assert field["picklistValues"][-1]["value"] == "Hooli"


def test_changes_persist_in_the_state_file(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Lead.Fit_Score__c"])
    field.inlineHelpText = "Persisted."
    md.CustomField.update([field])
    reopened = SandboxState.open(org.folder / "state", lambda: {})
    assert reopened.data["salesforce"]["metadata"]["CustomField"]["Lead.Fit_Score__c"]["inlineHelpText"] == (
        "Persisted."
    )
    assert org.log.count(api="salesforce", action="updateMetadata") == 1


def test_plain_http_is_not_served(org: Org) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(org.url.replace("https", "http") + "/services/data/", timeout=5)


def test_path_assistant_create_and_read(org: Org) -> None:
    md = org.client().mdapi
    step = md.PathAssistantStep(picklistValueName="Qualification", info="<p>Confirm the pain.</p>")
    path = md.PathAssistant(
        fullName="Opportunity_Stages",
        active=True,
        entityName="Opportunity",
        fieldName="StageName",
        masterLabel="Opportunity stages",
        recordTypeName="__MASTER__",
        pathAssistantSteps=[step],
    )
    md.PathAssistant.create([path])
    read = md.PathAssistant.read(["Opportunity_Stages"])
    assert read.pathAssistantSteps[0].info == "<p>Confirm the pain.</p>"
    read.masterLabel = None
    with pytest.raises(Exception, match="masterLabel"):
        md.PathAssistant.update([read])
