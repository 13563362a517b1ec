"""Records in the sandbox, driven by the real clients over real TLS: simple-salesforce's ``query``/``query_more``
and sObject Collections through ``restful``; hubspot-api-client's CRM search and batch read/update.

Expected values are computed in Python from ``records_seed()``, never read back from the sandbox itself.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
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
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.options import SEARCH_RATE_ENV, FaultPlan, SandboxOptions
from crmdefs.sandbox.records_seed import RECORD_TYPE_IDS, records_seed, salesforce_id18
from crmdefs.sandbox.salesforce_seed import salesforce_seed
from crmdefs.sandbox.service import Sandbox, SandboxInfo, seed
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import ensure_tls

from .sandbox_helpers import PinnedSession

SEEDED = records_seed()
OPPORTUNITIES: list[dict[str, Any]] = list(SEEDED["salesforce"]["records"]["Opportunity"].values())
LEADS: list[dict[str, Any]] = list(SEEDED["salesforce"]["records"]["Lead"].values())
DEALS: list[dict[str, Any]] = list(SEEDED["hubspot"]["objects"]["deals"].values())
CONTACTS: list[dict[str, Any]] = list(SEEDED["hubspot"]["objects"]["contacts"].values())
ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using AllOrNone header"
)


@dataclass
class Env:
    sandbox: Sandbox
    info: SandboxInfo

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    # One server pair for the module; the search limit (4/s) is lifted so back-to-back tests never trip it.
    # test_the_search_api_has_its_own_secondly_limit checks the limit itself on a fake clock.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SEARCH_RATE_ENV, "1000")
        sandbox = Sandbox(
            tmp_path_factory.mktemp("records"), SandboxOptions.from_env(os.environ), log_to_file=False
        )
        info = sandbox.start()
        yield Env(sandbox, info)
        sandbox.stop()


@pytest.fixture(autouse=True)
def fresh(env: Env) -> None:
    """Every test starts from the seeded org (the token is kept)."""
    env.state.reset(seed)


@pytest.fixture(scope="module")
def sf(env: Env) -> Salesforce:
    return Salesforce(
        instance_url=env.info.instance_url,
        session_id=env.info.access_token,
        session=PinnedSession(env.info.ca_bundle),
        version="62.0",
    )


@pytest.fixture(scope="module")
def hs(env: Env) -> HubSpot:
    return HubSpot(
        access_token=env.info.access_token, host=env.info.base_url, ssl_ca_cert=str(env.info.ca_bundle)
    )


def on_disk(env: Env) -> dict[str, Any]:
    """The state as a separate crmdefs invocation would load it."""
    data: dict[str, Any] = SandboxState.open(env.info.state_dir, seed).data
    return data


def record(record_id: str, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Opportunity"}, "id": record_id, **fields}


def counts(result: dict[str, Any], name: str) -> dict[Any, int]:
    assert all(set(r) == {"attributes", name, "expr0"} for r in result["records"])
    assert all(r["attributes"] == {"type": "AggregateResult"} for r in result["records"])
    return {r[name]: r["expr0"] for r in result["records"]}


def has_value(value: Any) -> bool:
    return value is not None and value != ""


# ------------------------------------------------------------------------------------------------- seed


def test_the_seed_is_merged_beside_the_metadata_and_is_realistically_messy(env: Env) -> None:
    assert {"metadata", "api_usage", "records"} <= set(env.state.data["salesforce"])
    assert {"properties", "groups", "pipelines", "objects"} <= set(env.state.data["hubspot"])
    assert len(OPPORTUNITIES) == 40 and len(LEADS) == 20 and len(DEALS) == 30 and len(CONTACTS) == 11
    assert all(len(r["Id"]) == 18 for r in OPPORTUNITIES + LEADS)
    assert {r["Loss_Reason__c"] for r in OPPORTUNITIES} == {
        None, "Price", "pricing", "Lost to Competitor", "Other", "No Decision / Non-Responsive",
    }  # fmt: skip
    assert all(r["StageName"] == "Closed Lost" for r in OPPORTUNITIES if r["Loss_Reason__c"])
    # Each record type only holds the reasons it offers (salesforce_seed's RecordType picklistValues).
    record_types = salesforce_seed()["salesforce"]["metadata"]["RecordType"]
    for name, record_type_id in RECORD_TYPE_IDS.items():
        offered = {
            v["fullName"] for p in record_types[f"Opportunity.{name}"]["picklistValues"] for v in p["values"]
        }
        used = {r["Loss_Reason__c"] for r in OPPORTUNITIES if r["RecordTypeId"] == record_type_id}
        assert used - {None} <= offered
    statuses = {
        v["fullName"]
        for v in salesforce_seed()["salesforce"]["metadata"]["StandardValueSet"]["LeadStatus"][
            "standardValue"
        ]
    }
    assert {r["Status"] for r in LEADS} == statuses
    reasons = [d["properties"]["closed_lost_reason"] for d in DEALS]
    assert None in reasons and "" in reasons and "  competitor " in reasons and "Pricing!!" in reasons
    options = {
        o["value"] for o in env.state.data["hubspot"]["properties"]["contacts"]["hs_lead_status"]["options"]
    }
    assert {c["properties"]["hs_lead_status"] for c in CONTACTS} - {None} <= options


# ---------------------------------------------------------------------------------------- Salesforce SOQL


def test_group_by_counts_equal_a_count_over_the_seeded_records(env: Env, sf: Salesforce) -> None:
    expected = Counter(r["Loss_Reason__c"] for r in OPPORTUNITIES)
    result = sf.query("SELECT Loss_Reason__c, COUNT(Id) FROM Opportunity GROUP BY Loss_Reason__c")
    assert result["done"] is True and result["totalSize"] == len(expected)
    assert counts(result, "Loss_Reason__c") == dict(expected)

    result = sf.query(
        "SELECT Loss_Reason__c, COUNT(Id) FROM Opportunity WHERE Loss_Reason__c != null GROUP BY Loss_Reason__c"
    )
    assert counts(result, "Loss_Reason__c") == {k: v for k, v in expected.items() if k is not None}
    # Counted and reported like every other REST call (Sforce-Limit-Info → sf.api_usage).
    assert sf.api_usage["api-usage"].used == env.state.data["salesforce"]["api_usage"] == 2


def test_keywords_are_case_insensitive_and_names_come_back_as_defined(sf: Salesforce) -> None:
    result = sf.query("select   status ,count( id )\n  from LEAD\n group   by STATUS")
    assert counts(result, "Status") == dict(Counter(r["Status"] for r in LEADS))


def test_in_and_equals_queries_return_records_with_their_urls(sf: Salesforce) -> None:
    result = sf.query("SELECT Id, LastName FROM Lead WHERE LastName IN ('O\\'Brien', 'kim', 'Nobody')")
    expected = {r["Id"]: r["LastName"] for r in LEADS if r["LastName"] in ("O'Brien", "Kim")}
    assert result["totalSize"] == 2 and result["done"] is True
    assert {r["Id"]: r["LastName"] for r in result["records"]} == expected  # SOQL compares case-insensitively
    first = result["records"][0]
    assert list(first) == ["attributes", "Id", "LastName"]
    assert first["attributes"] == {"type": "Lead", "url": f"/services/data/v62.0/sobjects/Lead/{first['Id']}"}

    result = sf.query("SELECT Id, Loss_Reason__c FROM Opportunity WHERE Loss_Reason__c = 'Price'")
    assert sorted(r["Id"] for r in result["records"]) == sorted(
        r["Id"] for r in OPPORTUNITIES if r["Loss_Reason__c"] == "Price"
    )


def test_large_results_come_in_pages_of_2000_behind_a_next_records_url(env: Env, sf: Salesforce) -> None:
    with env.state.lock:
        opportunities = env.state.data["salesforce"]["records"]["Opportunity"]
        for n in range(1000, 3100):
            record_id = salesforce_id18(f"0065g{n:010d}")
            opportunities[record_id] = {
                "Id": record_id,
                "Name": f"Bulk renewal {n}",
                "StageName": "Closed Lost",
                "Loss_Reason__c": "pricing",
                "RecordTypeId": RECORD_TYPE_IDS["Renewal"],
            }
        expected = {r["Id"] for r in opportunities.values() if r["Loss_Reason__c"] in ("Price", "pricing")}
    soql = "SELECT Id, Loss_Reason__c FROM Opportunity WHERE Loss_Reason__c IN ('Price', 'pricing')"

    first = sf.query(soql)
    assert (first["totalSize"], first["done"], len(first["records"])) == (len(expected), False, 2000)
    assert re.fullmatch(r"/services/data/v62\.0/query/01g[A-Za-z0-9]{15}-2000", first["nextRecordsUrl"])
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert (second["done"], len(second["records"])) == (True, len(expected) - 2000)
    assert "nextRecordsUrl" not in second
    ids = [r["Id"] for r in first["records"] + second["records"]]
    assert len(ids) == len(set(ids)) and set(ids) == expected

    # Sforce-Query-Options: batchSize (200..2000); query_all follows the pages to the end.
    small = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=500"})
    assert len(small["records"]) == 500 and small["nextRecordsUrl"].endswith("-500")
    assert len(sf.query_all(soql)["records"]) == len(expected)

    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.query_more("01g5g0000099999AAA-2000")
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


@pytest.mark.parametrize(
    ("soql", "code", "text"),
    [
        ("SELECT Id FROM Opportunity ORDER BY Name", "MALFORMED_QUERY", "unexpected token: 'ORDER'"),
        ("SELECT Id, FROM Opportunity", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
        (
            "SELECT Name, COUNT(Id) FROM Opportunity",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        ("SELECT Id FROM Deal__c", "INVALID_TYPE", "sObject type 'Deal__c' is not supported."),
        (
            "SELECT Id, Reason__c FROM Opportunity",
            "INVALID_FIELD",
            "No such column 'Reason__c' on entity 'Opportunity'.",
        ),
    ],
)
def test_queries_outside_the_subset_or_naming_unknowns_are_refused(
    sf: Salesforce, soql: str, code: str, text: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    [error] = caught.value.content
    assert error["errorCode"] == code
    assert error["message"].startswith(f"\n{soql}\n") and "\nERROR at Row:1:Column:" in error["message"]
    assert text in error["message"]


# ---------------------------------------------------------------------------------- sObject Collections


def test_a_collection_update_is_saved_and_survives_reopening_the_state(env: Env, sf: Salesforce) -> None:
    ids = [r["Id"] for r in OPPORTUNITIES if r["Loss_Reason__c"] == "pricing"]
    body = {"allOrNone": False, "records": [record(i, Loss_Reason__c="Price") for i in ids]}
    result = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert result == [{"id": i, "success": True, "errors": []} for i in ids]

    after = sf.query("SELECT Loss_Reason__c, COUNT(Id) FROM Opportunity GROUP BY Loss_Reason__c")
    expected = Counter(
        "Price" if r["Loss_Reason__c"] == "pricing" else r["Loss_Reason__c"] for r in OPPORTUNITIES
    )
    assert counts(after, "Loss_Reason__c") == dict(expected)
    stored = on_disk(env)["salesforce"]["records"]["Opportunity"]
    assert all(stored[i]["Loss_Reason__c"] == "Price" for i in ids)


def test_more_than_200_records_are_refused_whole(env: Env, sf: Salesforce) -> None:
    target = OPPORTUNITIES[0]["Id"]
    body = {"records": [record(target, Loss_Reason__c="Other")] * 201}
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="PATCH", json=body)
    assert caught.value.content == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
        }
    ]
    assert on_disk(env)["salesforce"]["records"]["Opportunity"][target]["Loss_Reason__c"] == "Price"


def test_restricted_picklists_take_only_active_values_of_the_record_type(env: Env, sf: Salesforce) -> None:
    with env.state.lock:
        field = env.state.data["salesforce"]["metadata"]["CustomField"]["Opportunity.Loss_Reason__c"]
        field["valueSet"]["restricted"] = True
        for value in field["valueSet"]["valueSetDefinition"]["value"]:
            if value["fullName"] == "Other":
                value["isActive"] = False
    new_business = [r["Id"] for r in OPPORTUNITIES if r["RecordTypeId"] == RECORD_TYPE_IDS["New_Business"]]
    renewal = [r["Id"] for r in OPPORTUNITIES if r["RecordTypeId"] == RECORD_TYPE_IDS["Renewal"]]
    body = {
        "allOrNone": False,
        "records": [
            record(new_business[0], Loss_Reason__c="Lost to Competitor"),
            record(new_business[1], Loss_Reason__c="Other"),  # inactive
            record(new_business[2], Loss_Reason__c="Too pricey"),  # not a value at all
            record(renewal[0], Loss_Reason__c="Price"),  # active, but not offered on the Renewal record type
            record("0065g0000000999AAA", Loss_Reason__c="Price"),  # no such record
            record(LEADS[0]["Id"], Loss_Reason__c="Price"),  # a Lead id sent as an Opportunity
        ],
    }
    result = sf.restful("composite/sobjects", method="PATCH", json=body)

    def refused(value: str) -> dict[str, Any]:
        return {
            "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "message": f"Loss Reason: bad value for restricted picklist field: {value}",
            "fields": ["Loss_Reason__c"],
        }

    assert result == [
        {"id": new_business[0], "success": True, "errors": []},
        {"id": new_business[1], "success": False, "errors": [refused("Other")]},
        {"id": new_business[2], "success": False, "errors": [refused("Too pricey")]},
        {"id": renewal[0], "success": False, "errors": [refused("Price")]},
        {
            "id": "0065g0000000999AAA",
            "success": False,
            "errors": [
                {
                    "statusCode": "INVALID_CROSS_REFERENCE_KEY",
                    "message": "invalid cross reference id",
                    "fields": [],
                }
            ],
        },
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "MALFORMED_ID",
                    "message": f"Opportunity ID: id value of incorrect type: {LEADS[0]['Id']}",
                    "fields": ["Id"],
                }
            ],
        },
    ]
    stored = on_disk(env)["salesforce"]["records"]["Opportunity"]
    assert stored[new_business[0]]["Loss_Reason__c"] == "Lost to Competitor"
    assert stored[new_business[1]]["Loss_Reason__c"] == "Price"

    # allOrNone: one bad record rolls back the good ones.
    body = {
        "allOrNone": True,
        "records": [
            record(new_business[3], Loss_Reason__c="Lost to Competitor"),
            record(new_business[4], Loss_Reason__c="Other"),
        ],
    }
    result = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert result == [
        {
            "id": new_business[3],
            "success": False,
            "errors": [
                {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": ROLLED_BACK, "fields": []}
            ],
        },
        {"id": new_business[4], "success": False, "errors": [refused("Other")]},
    ]
    assert on_disk(env)["salesforce"]["records"]["Opportunity"][new_business[3]]["Loss_Reason__c"] == "Price"


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
        for _ in range(4):
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
