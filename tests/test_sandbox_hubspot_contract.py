"""The HubSpot sandbox's reads, driven by the real hubspot-api-client over real TLS: property JSON as HubSpot
serves it, single and listed reads, property groups and deal pipelines.

Expected shapes come from the real recorded responses in tests/fixtures/hubspot/, never from the sandbox itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.pipelines.exceptions import NotFoundException as PipelineNotFound
from hubspot.crm.properties import ApiException, PropertyGroupCreate
from hubspot.crm.properties.exceptions import NotFoundException

from crmdefs.sandbox.hubspot_seed import hubspot_seed

from .hubspot_sandbox import ISO_MS, Sandbox, error_body, fixture, raw_property, shape
from .hubspot_sandbox import sandbox_fixture as sandbox_fixture  # pytest fixture
from .hubspot_sandbox import shared_fixture as shared_fixture  # pytest fixture
from .hubspot_sandbox import start_sandbox_fixture as start_sandbox_fixture  # pytest fixture

# ------------------------------------------------------------------------------------------ contract


def _real_properties() -> list[tuple[str, str, dict[str, Any]]]:
    seeded = hubspot_seed()["properties"]
    cases = [
        ("contacts", f"contact_property_{n}.json", fixture(f"contact_property_{n}.json"))
        for n in ("lifecyclestage", "hs_lead_status", "hs_analytics_source")
    ]
    for object_type, name in (
        ("contacts", "contacts_properties_get_all_subset.json"),
        ("deals", "deals_properties_funnel_subset.json"),
    ):
        cases += [
            (object_type, name, p) for p in fixture(name)["results"] if p["name"] in seeded[object_type]
        ]
    return cases


REAL_PROPERTIES = _real_properties()


@pytest.mark.parametrize(
    ("object_type", "source", "real"),
    REAL_PROPERTIES,
    ids=[f"{c[0]}.{c[2]['name']}" for c in REAL_PROPERTIES],
)
def test_seeded_property_json_matches_the_real_response(
    sandbox: Sandbox, object_type: str, source: str, real: dict[str, Any]
) -> None:
    served = raw_property(sandbox, object_type, real["name"])
    if source.startswith("deals_"):
        # The deals fixture is HubSpot's published definition, which omits the timestamps real GETs carry.
        assert ISO_MS.match(served.pop("createdAt")) and ISO_MS.match(served.pop("updatedAt"))
    assert shape(served) == shape(real)
    assert served == real
    listed = sandbox.client().crm.properties.core_api.get_all(
        object_type, archived=False, _preload_content=False
    )
    assert real["name"] in {p["name"] for p in json.loads(listed.data)["results"]}


def test_the_contract_covers_the_funnel_properties() -> None:
    names = {(t, p["name"]) for t, _, p in REAL_PROPERTIES}
    for expected in [
        ("contacts", "lifecyclestage"),
        ("contacts", "hs_lead_status"),
        ("deals", "dealstage"),
        ("deals", "dealtype"),
        ("deals", "closed_lost_reason"),
        ("deals", "closedate"),
    ]:
        assert expected in names


def test_created_custom_property_has_the_keys_and_types_of_a_real_custom_one(sandbox: Sandbox) -> None:
    real = next(
        p for p in fixture("contacts_properties_get_all_subset.json")["results"] if p["name"] == "confirm_ip"
    )
    body = {
        "name": "confirm_ip2",
        "label": "CONFIRM_IP",
        "type": "string",
        "fieldType": "text",
        "groupName": "analyticsinformation",
        "formField": True,
    }
    created = sandbox.raw("POST", "/crm/v3/properties/contacts", body)
    assert created.status == 201
    assert shape(created.body) == shape(real)
    assert "hubspotDefined" not in created.body
    assert ISO_MS.match(created.body["createdAt"])
    assert created.body["modificationMetadata"] == real["modificationMetadata"]


# --------------------------------------------------------------------------------------------- reads


def test_get_all_with_the_sdks_capital_false_and_get_by_name(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    names = [p.name for p in api.get_all("contacts", archived=False).results]  # the SDK sends ?archived=False
    assert {"lifecyclestage", "hs_lead_status", "hs_analytics_source", "lead_source_detail"} <= set(names)
    assert sandbox.raw("GET", "/crm/v3/properties/contacts?archived=false").body["results"]
    dealtype = api.get_by_name("deals", "dealtype")
    assert [o.value for o in dealtype.options] == ["newbusiness", "existingbusiness"]
    assert dealtype.modification_metadata.read_only_definition is True


def test_a_missing_property_is_the_sdks_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(NotFoundException) as caught:
        sandbox.client().crm.properties.core_api.get_by_name("contacts", "no_such_property")
    assert error_body(caught.value)["category"] == "OBJECT_NOT_FOUND"


def test_an_unknown_object_type_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ApiException) as caught:
        sandbox.client().crm.properties.core_api.get_all("widgets")
    assert caught.value.status == 400
    assert error_body(caught.value)["message"] == "Unable to infer object type from: widgets"


# ---------------------------------------------------------------------------------- groups, pipelines


def test_groups_list_create_and_duplicate(sandbox: Sandbox) -> None:
    groups = sandbox.client().crm.properties.groups_api
    assert {"dealinformation", "deal_activity"} <= {g.name for g in groups.get_all("deals").results}
    created, status, _ = groups.create_with_http_info(
        "deals", PropertyGroupCreate(name="revenue_definitions", label="Revenue definitions", display_order=3)
    )
    assert status == 201 and created.archived is False
    assert groups.get_by_name("deals", "revenue_definitions").label == "Revenue definitions"
    with pytest.raises(ApiException) as caught:
        groups.create("deals", PropertyGroupCreate(name="revenue_definitions", label="Again"))
    assert caught.value.status == 409
    assert error_body(caught.value)["category"] == "OBJECT_ALREADY_EXISTS"


def test_deal_pipelines_have_the_default_stages(sandbox: Sandbox) -> None:
    pipelines = sandbox.client().crm.pipelines.pipelines_api
    [default] = pipelines.get_all("deals").results
    assert default.id == "default" and default.label == "Sales Pipeline"
    stages = {s.id: s for s in default.stages}
    assert list(stages) == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    assert stages["closedwon"].metadata == {"isClosed": "true", "probability": "1.0"}
    assert stages["qualifiedtobuy"].write_permissions == "CRM_PERMISSIONS_ENFORCEMENT"
    assert pipelines.get_by_id("deals", "default").stages[0].label == "Appointment Scheduled"
    with pytest.raises(PipelineNotFound):
        pipelines.get_by_id("deals", "nope")
