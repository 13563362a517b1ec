"""The Salesforce sandbox against the recordings, driven by the real simple-salesforce (REST) and zeep
(Metadata API SOAP) over real TLS: describe, readMetadata and SOAP faults have the recorded shapes in
tests/fixtures/salesforce/, and the REST extras (versions, limits, the usage header) are served.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import zeep.exceptions
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceResourceNotFound

from .salesforce_sandbox import FIXTURES, MD, Org
from .salesforce_sandbox import org_fixture as org_fixture  # pytest fixture
from .salesforce_sandbox import running_org_fixture as running_org_fixture  # pytest fixture


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
