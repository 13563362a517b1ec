"""The HubSpot sandbox's property writes, driven by the real hubspot-api-client over real TLS: create,
update, the rules on HubSpot-defined properties, archive and the batch endpoints, each answered as HubSpot
answers (status, error body).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hubspot.crm.properties import (
    ApiException,
    BatchInputPropertyCreate,
    BatchInputPropertyName,
    BatchReadInputPropertyName,
    PropertyCreate,
    PropertyName,
    PropertyUpdate,
)
from hubspot.crm.properties.exceptions import NotFoundException

from .hubspot_sandbox import ISO_MS, Sandbox, error_body, fixture, option, raw_property
from .hubspot_sandbox import sandbox_fixture as sandbox_fixture  # pytest fixture
from .hubspot_sandbox import shared_fixture as shared_fixture  # pytest fixture
from .hubspot_sandbox import start_sandbox_fixture as start_sandbox_fixture  # pytest fixture

# --------------------------------------------------------------------------------------------- create


def test_create_answers_201_and_the_property_is_listed(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    create = PropertyCreate(
        name="churn_reason",
        label="Churn reason",
        type="enumeration",
        field_type="select",
        group_name="dealinformation",
        description="Why the customer left",
        options=[option("Price", "price", 0), option("Product gap", "product_gap", 1)],
    )
    _, status, _ = api.create_with_http_info("deals", create)
    assert status == 201
    listed = {p.name: p for p in api.get_all("deals", archived=False).results}
    assert listed["churn_reason"].description == "Why the customer left"
    assert [o.value for o in listed["churn_reason"].options] == ["price", "product_gap"]
    assert listed["churn_reason"].archived is False


def test_a_duplicate_name_is_a_409_object_already_exists(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    create = PropertyCreate(
        name="lead_source_detail",
        label="Again",
        type="string",
        field_type="text",
        group_name="contactinformation",
    )
    with pytest.raises(ApiException) as caught:
        api.create("contacts", create)
    assert caught.value.status == 409
    body = error_body(caught.value)
    assert body["category"] == "OBJECT_ALREADY_EXISTS"
    assert body["status"] == "error" and body["errors"][0]["in"] == "name"
    assert set(fixture("error_409_object_already_exists_contacts.json")) >= set(body)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"groupName": "no_such_group"}, "groupName"),
        ({"label": None}, "label"),
        ({"type": "enumeration", "fieldType": "select"}, "options"),  # an enumeration needs options
        ({"fieldType": "select"}, "fieldType"),  # a string is not a select
        (
            {
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "a"}],
            },
            "options[1].value",
        ),
    ],
)
def test_an_invalid_create_is_a_400_validation_error(
    sandbox: Sandbox, change: dict[str, Any], where: str
) -> None:
    body = {
        "name": "x_prop",
        "label": "X",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    body = {k: v for k, v in {**body, **change}.items() if v is not None}
    refused = sandbox.raw("POST", "/crm/v3/properties/contacts", body)
    assert refused.status == 400
    assert refused.body["category"] == "VALIDATION_ERROR"
    assert refused.body["errors"][0]["in"] == where
    assert sandbox.raw("GET", "/crm/v3/properties/contacts/x_prop").status == 404


# --------------------------------------------------------------------------------------------- update


def test_patch_options_replaces_the_whole_list(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    current = api.get_by_name("contacts", "hs_lead_status").options
    options = [option(o.label, o.value, o.display_order, hidden=o.value == "BAD_TIMING") for o in current]
    api.update("contacts", "hs_lead_status", PropertyUpdate(options=options))
    stored = api.get_by_name("contacts", "hs_lead_status").options
    assert len(stored) == 8
    assert [o.value for o in stored if o.hidden] == ["BAD_TIMING"]
    api.update("contacts", "hs_lead_status", PropertyUpdate(options=[option("New", "NEW", 0)]))
    assert [o.value for o in api.get_by_name("contacts", "hs_lead_status").options] == ["NEW"]


def test_patch_description_of_a_custom_property_keeps_everything_else(sandbox: Sandbox) -> None:
    before = raw_property(sandbox, "contacts", "lead_source_detail")
    api = sandbox.client().crm.properties.core_api
    api.update(
        "contacts", "lead_source_detail", PropertyUpdate(description="Where exactly the lead came from")
    )
    after = raw_property(sandbox, "contacts", "lead_source_detail")
    assert after["description"] == "Where exactly the lead came from"
    assert after["updatedAt"] != before["updatedAt"] and ISO_MS.match(after["updatedAt"])
    unchanged = {k: v for k, v in before.items() if k not in ("description", "updatedAt")}
    assert {k: after[k] for k in unchanged} == unchanged


# ------------------------------------------------------------------------------------- read-only rules


def test_read_only_definition_refuses_a_description_change(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    with pytest.raises(ApiException) as caught:
        api.update("contacts", "hs_lead_status", PropertyUpdate(description="Our lead statuses"))
    assert caught.value.status == 400
    body = error_body(caught.value)
    assert body["category"] == "VALIDATION_ERROR" and body["status"] == "error"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["correlationId"])
    assert api.get_by_name("contacts", "hs_lead_status").description == (
        "The contact's sales, prospecting or outreach status"
    )
    # Resending the stored value is not a change, so it is accepted.
    api.update("contacts", "hs_lead_status", PropertyUpdate(label="Lead Status"))


def test_read_only_definition_still_allows_options(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    current = api.get_by_name("contacts", "hs_lead_status").options
    options = [option(o.label, o.value, o.display_order) for o in current] + [option("Nurture", "NURTURE", 8)]
    _, status, _ = api.update_with_http_info("contacts", "hs_lead_status", PropertyUpdate(options=options))
    assert status == 200
    assert api.get_by_name("contacts", "hs_lead_status").options[-1].value == "NURTURE"


@pytest.mark.parametrize(
    "name", ["hs_analytics_source", "lifecyclestage"]
)  # readOnlyOptions / externalOptions
def test_locked_options_are_refused(sandbox: Sandbox, name: str) -> None:
    api = sandbox.client().crm.properties.core_api
    with pytest.raises(ApiException) as caught:
        api.update("contacts", name, PropertyUpdate(options=[option("Partner", "partner", 0)]))
    assert caught.value.status == 400
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"
    assert "partner" not in [o.value for o in api.get_by_name("contacts", name).options]


def test_duplicate_option_values_in_a_patch_are_refused(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    options = [option("New", "NEW", 0), option("New again", "NEW", 1)]
    with pytest.raises(ApiException) as caught:
        api.update("contacts", "hs_lead_status", PropertyUpdate(options=options))
    assert caught.value.status == 400
    assert len(api.get_by_name("contacts", "hs_lead_status").options) == 8


# -------------------------------------------------------------------------------------------- archive


def test_archive_moves_a_property_to_the_archived_list(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    _, status, _ = api.archive_with_http_info("contacts", "lead_source_detail")
    assert status == 204
    assert "lead_source_detail" not in [p.name for p in api.get_all("contacts", archived=False).results]
    archived = {p.name: p for p in api.get_all("contacts", archived=True).results}
    assert archived["lead_source_detail"].archived is True
    assert archived["lead_source_detail"].archived_at is not None
    with pytest.raises(NotFoundException):
        api.get_by_name("contacts", "lead_source_detail")
    assert api.get_by_name("contacts", "lead_source_detail", archived=True).name == "lead_source_detail"


def test_a_non_archivable_property_is_refused(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    with pytest.raises(ApiException) as caught:
        api.archive("deals", "closed_lost_reason")
    assert caught.value.status == 400
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"
    assert api.get_by_name("deals", "closed_lost_reason").archived in (None, False)


# ---------------------------------------------------------------------------------------------- batch


def test_batch_read_is_207_when_a_name_is_missing(sandbox: Sandbox) -> None:
    batch = sandbox.client().crm.properties.batch_api
    names = [PropertyName(name="dealstage"), PropertyName(name="no_such_property")]
    data, status, _ = batch.read_with_http_info(
        "deals", BatchReadInputPropertyName(archived=False, inputs=names)
    )
    assert status == 207
    assert data.status == "COMPLETE" and data.num_errors == 1
    assert [p.name for p in data.results] == ["dealstage"]
    assert data.errors[0].category == "OBJECT_NOT_FOUND"
    complete, status, _ = batch.read_with_http_info(
        "deals", BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="dealtype")])
    )
    assert status == 200 and complete.started_at and complete.completed_at


def test_batch_create_and_batch_archive(sandbox: Sandbox) -> None:
    client = sandbox.client()
    batch, core = client.crm.properties.batch_api, client.crm.properties.core_api
    inputs = [
        PropertyCreate(
            name=f"reason_{n}",
            label=f"Reason {n}",
            type="string",
            field_type="textarea",
            group_name="deal_activity",
        )
        for n in (1, 2)
    ]
    data, status, _ = batch.create_with_http_info("deals", BatchInputPropertyCreate(inputs=inputs))
    assert status == 201
    assert sorted(p.name for p in data.results) == ["reason_1", "reason_2"]
    _, status, _ = batch.archive_with_http_info(
        "deals", BatchInputPropertyName(inputs=[PropertyName(name="reason_1")])
    )
    assert status == 204
    live = [p.name for p in core.get_all("deals", archived=False).results]
    assert "reason_1" not in live and "reason_2" in live


def test_batch_create_reports_a_duplicate_as_207(sandbox: Sandbox) -> None:
    inputs = [
        {"name": n, "label": n, "type": "string", "fieldType": "text", "groupName": "dealinformation"}
        for n in ("dealname", "fresh_one")
    ]
    answer = sandbox.raw("POST", "/crm/v3/properties/deals/batch/create", {"inputs": inputs})
    assert answer.status == 207
    assert [p["name"] for p in answer.body["results"]] == ["fresh_one"]
    assert answer.body["errors"][0]["category"] == "OBJECT_ALREADY_EXISTS"


def test_there_is_no_batch_update(sandbox: Sandbox) -> None:
    answer = sandbox.raw("POST", "/crm/v3/properties/contacts/batch/update", {"inputs": []})
    assert answer.status == 404
    assert answer.body["status"] == "error"
