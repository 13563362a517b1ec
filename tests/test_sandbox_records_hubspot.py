"""HubSpot records in the sandbox, driven by the real hubspot-api-client over real TLS: CRM search (its
filters, paging, counts and own secondly limit) and batch read/update.

Expected values are computed in Python from ``records_seed()``, never read back from the sandbox itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.deals import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
)

from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.options import SEARCH_RATE_ENV, FaultPlan
from crmdefs.sandbox.service import seed
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import ensure_tls

from .records_sandbox import CONTACTS, DEALS, Env, on_disk
from .records_sandbox import env_fixture as env_fixture  # pytest fixture
from .records_sandbox import fresh_fixture as fresh_fixture  # pytest fixture
from .records_sandbox import hs_fixture as hs_fixture  # pytest fixture


def has_value(value: Any) -> bool:
    return value is not None and value != ""


# ---------------------------------------------------------------------------------------- HubSpot search


def closed_lost_with_reason() -> FilterGroup:
    return FilterGroup(
        filters=[
            Filter(property_name="dealstage", operator="EQ", value="closedlost"),
            Filter(property_name="closed_lost_reason", operator="HAS_PROPERTY"),
        ]
    )


def test_search_filters_pages_and_counts_deals(hs: HubSpot) -> None:
    expected = [
        d["id"]
        for d in sorted(DEALS, key=lambda d: int(d["id"]))
        if d["properties"]["dealstage"] == "closedlost" and has_value(d["properties"]["closed_lost_reason"])
    ]
    api = hs.crm.deals.search_api
    request = PublicObjectSearchRequest(
        filter_groups=[closed_lost_with_reason()], properties=["closed_lost_reason"], limit=5
    )
    ids: list[str] = []
    pages = 0
    while True:
        page = api.do_search(public_object_search_request=request)
        assert page.total == len(expected)
        ids += [r.id for r in page.results]
        pages += 1
        if page.paging is None:
            break
        request.after = page.paging.next.after
    assert ids == expected and pages == math.ceil(len(expected) / 5)

    raw = api.do_search(public_object_search_request=PublicObjectSearchRequest(
        filter_groups=[closed_lost_with_reason()], properties=["closed_lost_reason"], limit=2
    ), _preload_content=False)  # fmt: skip
    body = json.loads(raw.data)
    assert set(body) == {"total", "results", "paging"}
    assert body["paging"] == {"next": {"after": "2", "link": "?after=2"}}
    first = body["results"][0]
    assert (
        set(first) == {"id", "properties", "createdAt", "updatedAt", "archived"}
        and first["archived"] is False
    )
    seeded = next(d for d in DEALS if d["id"] == first["id"])
    assert first["properties"] == {
        name: seeded["properties"][name]
        for name in ("closed_lost_reason", "createdate", "hs_lastmodifieddate", "hs_object_id")
    }


def test_search_ors_filter_groups_and_knows_in_and_not_has_property(hs: HubSpot) -> None:
    request = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "closed_lost_reason", "operator": "IN", "values": ["price", "Price"]}
                ]
            },
            {
                "filters": [
                    {"propertyName": "dealstage", "operator": "EQ", "value": "closedlost"},
                    {"propertyName": "closed_lost_reason", "operator": "NOT_HAS_PROPERTY"},
                ]
            },
        ],
        "properties": ["dealstage", "closed_lost_reason"],
        "limit": 100,
    }
    page = hs.crm.objects.search_api.do_search("deals", request)
    expected = {
        d["id"]
        for d in DEALS
        if d["properties"]["closed_lost_reason"] in ("price", "Price")
        or (
            d["properties"]["dealstage"] == "closedlost"
            and not has_value(d["properties"]["closed_lost_reason"])
        )
    }
    assert page.total == len(expected) and {r.id for r in page.results} == expected

    contacts = hs.crm.contacts.search_api.do_search(
        public_object_search_request={
            "filterGroups": [
                {"filters": [{"propertyName": "hs_lead_status", "operator": "IN", "values": ["NEW", "OPEN"]}]}
            ]
        }
    )
    assert contacts.total == sum(c["properties"]["hs_lead_status"] in ("NEW", "OPEN") for c in CONTACTS)
    # No `properties`: the documented default contact properties.
    assert set(contacts.results[0].properties) == {
        "createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname",
    }  # fmt: skip

    with pytest.raises(ApiException) as caught:
        hs.crm.deals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(limit=201))
    assert caught.value.status == 400 and json.loads(caught.value.body)["category"] == "VALIDATION_ERROR"


# ----------------------------------------------------------------------------------------- HubSpot batches


def batch(*inputs: tuple[str, dict[str, str]]) -> BatchInputSimplePublicObjectBatchInput:
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id=i, properties=p) for i, p in inputs]
    )


def test_batch_update_is_saved_bumps_the_timestamps_and_reads_back(env: Env, hs: HubSpot) -> None:
    pricing = [
        d
        for d in DEALS
        if (d["properties"]["closed_lost_reason"] or "").strip(" !").lower() in ("price", "pricing")
    ]
    answer = hs.crm.deals.batch_api.update(
        batch(*((d["id"], {"closed_lost_reason": "Price"}) for d in pricing))
    )
    assert answer.status == "COMPLETE" and {r.id for r in answer.results} == {d["id"] for d in pricing}
    assert all(r.properties["closed_lost_reason"] == "Price" for r in answer.results)

    stored = on_disk(env)["hubspot"]["objects"]["deals"]
    for deal in pricing:
        saved = stored[deal["id"]]
        assert saved["properties"]["closed_lost_reason"] == "Price"
        assert saved["updatedAt"] > deal["updatedAt"]
        assert saved["properties"]["hs_lastmodifieddate"] == saved["updatedAt"]
        assert saved["createdAt"] == deal["createdAt"]

    read = hs.crm.deals.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            properties=["closed_lost_reason"],
            properties_with_history=[],
            inputs=[SimplePublicObjectId(id=pricing[0]["id"])],
        )
    )
    assert read.results[0].properties["closed_lost_reason"] == "Price"


def test_an_unknown_enumeration_option_refuses_the_whole_batch(env: Env, hs: HubSpot) -> None:
    good, bad = DEALS[0], DEALS[1]
    with pytest.raises(ApiException) as caught:
        hs.crm.deals.batch_api.update(
            batch((good["id"], {"closed_lost_reason": "Price"}), (bad["id"], {"dealtype": "enterprise"}))
        )
    assert caught.value.status == 400
    body = json.loads(caught.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    prefix = "Property values were not valid: "
    assert body["message"].startswith(prefix)
    [problem] = json.loads(body["message"][len(prefix) :])
    assert problem == {
        "isValid": False,
        "message": "enterprise was not one of the allowed options: [newbusiness, existingbusiness]",
        "error": "INVALID_OPTION",
        "name": "dealtype",
        "localizedErrorMessage": "enterprise was not one of the allowed options: [newbusiness, existingbusiness]",
    }
    assert on_disk(env)["hubspot"]["objects"]["deals"][good["id"]] == good  # nothing was saved

    # dealstage takes its options from the deal's pipeline.
    with pytest.raises(ApiException) as caught:
        hs.crm.deals.batch_api.update(batch((good["id"], {"dealstage": "closed_lost"})))
    assert caught.value.status == 400 and '"name":"dealstage"' in json.loads(caught.value.body)["message"]
    hs.crm.deals.batch_api.update(batch((good["id"], {"dealstage": "closedwon"})))


def test_unknown_ids_are_reported_per_object_and_big_batches_are_refused(env: Env, hs: HubSpot) -> None:
    known = DEALS[2]
    answer = hs.crm.deals.batch_api.update(
        batch(
            (known["id"], {"closed_lost_reason": "Competitor"}), ("999", {"closed_lost_reason": "Competitor"})
        )
    )
    assert [r.id for r in answer.results] == [known["id"]]
    assert answer.num_errors == 1
    [error] = answer.errors
    assert (error.category, error.context) == ("OBJECT_NOT_FOUND", {"ids": ["999"]})
    assert (
        error.message
        == "Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid."
    )
    assert (
        on_disk(env)["hubspot"]["objects"]["deals"][known["id"]]["properties"]["closed_lost_reason"]
        == "Competitor"
    )

    with pytest.raises(ApiException) as caught:
        hs.crm.deals.batch_api.update(batch(*((str(n), {"closed_lost_reason": "x"}) for n in range(101))))
    assert caught.value.status == 400


def test_the_search_api_has_its_own_secondly_limit(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SEARCH_RATE_ENV, raising=False)

    class Clock:
        now = 1_000.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    state = SandboxState.open(tmp_path / "state", seed)
    tls = ensure_tls(env.info.state_dir / "tls")  # the module's certificates, already made
    server = RunningServer(
        HubSpotApi(state, clock=clock), 0, tls.server_context(), FaultPlan(), RequestLog(None)
    )
    server.start()
    try:
        client = HubSpot(
            access_token=state.token, host=f"https://127.0.0.1:{server.port}", ssl_ca_cert=str(tls.ca)
        )
        search = client.crm.deals.search_api
        request = PublicObjectSearchRequest(limit=1)
        for _ in range(5):  # 5 a second per account (docs/hubspot.md#hs-search-rate-limit)
            assert search.do_search(public_object_search_request=request).total == len(DEALS)
        with pytest.raises(ApiException) as caught:
            search.do_search(public_object_search_request=request)
        assert caught.value.status == 429
        body = json.loads(caught.value.body)
        assert body["policyName"] == "SECONDLY" and body["errorType"] == "RATE_LIMIT"
        assert body["message"] == "You have reached your secondly limit."
        assert set(body) == {"status", "message", "errorType", "correlationId", "policyName", "requestId"}
        # Other endpoints are not held back, and the window rolls.
        client.crm.deals.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                properties=[], properties_with_history=[], inputs=[SimplePublicObjectId(id=DEALS[0]["id"])]
            )
        )
        clock.now += 0.5
        with pytest.raises(ApiException):
            search.do_search(public_object_search_request=request)
        clock.now += 0.5
        assert search.do_search(public_object_search_request=request).total == len(DEALS)
    finally:
        server.stop()
