"""Records in the sandbox, driven by the real clients over real TLS: the seed beside the metadata, then
simple-salesforce's ``query``/``query_more`` and sObject Collections through ``restful``.

Expected values are computed in Python from ``records_seed()``, never read back from the sandbox itself.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from crmdefs.sandbox.records_seed import RECORD_TYPE_IDS, salesforce_id18
from crmdefs.sandbox.salesforce_seed import salesforce_seed

from .records_sandbox import CONTACTS, DEALS, LEADS, OPPORTUNITIES, Env, on_disk
from .records_sandbox import env_fixture as env_fixture  # pytest fixture
from .records_sandbox import fresh_fixture as fresh_fixture  # pytest fixture
from .records_sandbox import sf_fixture as sf_fixture  # pytest fixture

ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using AllOrNone header"
)


def record(record_id: str, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Opportunity"}, "id": record_id, **fields}


def counts(result: dict[str, Any], name: str) -> dict[Any, int]:
    assert all(set(r) == {"attributes", name, "expr0"} for r in result["records"])
    assert all(r["attributes"] == {"type": "AggregateResult"} for r in result["records"])
    return {r[name]: r["expr0"] for r in result["records"]}


# ------------------------------------------------------------------------------------------------- seed


def test_the_seed_is_merged_beside_the_metadata_and_is_realistically_messy(env: Env) -> None:
    assert {"metadata", "api_usage", "records"} <= set(env.state.data["salesforce"])
    assert {"properties", "groups", "pipelines", "objects"} <= set(env.state.data["hubspot"])
    # records_seed.py: 40 opportunities, and 7 more for the quality demo
    assert len(OPPORTUNITIES) == 47 and len(LEADS) == 20 and len(DEALS) == 30 and len(CONTACTS) == 11
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


def query_error(sf: Salesforce, soql: str) -> dict[str, Any]:
    """The one error Salesforce answers ``soql`` with (a REST 400)."""
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    [error] = caught.value.content
    return dict(error)


@pytest.mark.parametrize(
    ("soql", "code", "text"),
    [
        ("SELECT Id FROM Opportunity WHERE Name LIKE 'A%'", "MALFORMED_QUERY", "unexpected token: 'LIKE'"),
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
    error = query_error(sf, soql)
    assert error["errorCode"] == code
    assert error["message"].startswith(f"\n{soql}\n") and "\nERROR at Row:1:Column:" in error["message"]
    assert text in error["message"]


# ------------------------------------------------------------------------------- multi-select picklists
# docs/salesforce.md#sf-multiselect-not-groupable: "a;b" holds a and b; only =, !=, INCLUDES, EXCLUDES
# filter it, and it cannot be grouped.


def selections(record: dict[str, Any]) -> set[str]:
    value = record["Product_Interest__c"]
    return set(value.split(";")) if value else set()


def test_a_multi_select_picklist_is_counted_per_selection_with_includes(sf: Salesforce) -> None:
    assert any(len(selections(r)) > 1 for r in LEADS)
    for product in ("CRM", "Analytics", "Billing", "Support"):
        result = sf.query(f"SELECT COUNT() FROM Lead WHERE Product_Interest__c INCLUDES ('{product}')")
        # COUNT(): the count is the size and there are no records; "a;b" counts for a and for b.
        assert result == {
            "totalSize": sum(1 for r in LEADS if product in selections(r)),
            "done": True,
            "records": [],
        }
    both = sf.query("SELECT Id FROM Lead WHERE Product_Interest__c INCLUDES ('crm;billing', 'Support')")
    assert {r["Id"] for r in both["records"]} == {
        r["Id"] for r in LEADS if {"CRM", "Billing"} <= selections(r) or "Support" in selections(r)
    }
    none = sf.query("SELECT COUNT() FROM Lead WHERE Product_Interest__c EXCLUDES ('CRM')")
    assert none["totalSize"] == sum(1 for r in LEADS if "CRM" not in selections(r))
    exact = sf.query("SELECT Id FROM Lead WHERE Product_Interest__c = 'Analytics;CRM'")  # any order
    assert {r["Id"] for r in exact["records"]} == {
        r["Id"] for r in LEADS if selections(r) == {"CRM", "Analytics"}
    }


@pytest.mark.parametrize(
    ("soql", "code", "text"),
    [
        (
            "SELECT Product_Interest__c, COUNT(Id) FROM Lead GROUP BY Product_Interest__c",
            "MALFORMED_QUERY",
            "field 'Product_Interest__c' can not be grouped in a query call",
        ),
        (
            "SELECT Id FROM Lead WHERE Product_Interest__c IN ('CRM')",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid operator on multipicklist field",
        ),
        (
            "SELECT Id FROM Lead WHERE Status INCLUDES ('Open - Not Contacted')",
            "INVALID_QUERY_FILTER_OPERATOR",
            "includes or excludes operator only valid on multipicklist field",
        ),
    ],
)
def test_a_multi_select_picklist_cannot_be_grouped_or_filtered_with_in(
    sf: Salesforce, soql: str, code: str, text: str
) -> None:
    error = query_error(sf, soql)
    assert error["errorCode"] == code and text in error["message"]
    assert "\nERROR at Row:1:Column:" in error["message"]


def test_a_multi_select_update_checks_each_selection_of_a_restricted_picklist(sf: Salesforce) -> None:
    lead = next(r for r in LEADS if r["Product_Interest__c"] == "CRM;Analytics")
    body = {
        "records": [{"attributes": {"type": "Lead"}, "id": lead["Id"], "Product_Interest__c": "CRM;Support"}]
    }
    assert sf.restful("composite/sobjects", method="PATCH", json=body)[0]["success"] is True
    body["records"][0]["Product_Interest__c"] = "CRM;Payments"
    [refused] = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert refused["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert refused["errors"][0]["message"].endswith("bad value for restricted picklist field: Payments")
    kept = sf.query(f"SELECT Product_Interest__c FROM Lead WHERE Id = '{lead['Id']}'")
    assert kept["records"][0]["Product_Interest__c"] == "CRM;Support"


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


def restrict_loss_reason_and_deactivate_other(env: Env) -> None:
    """Opportunity.Loss_Reason__c becomes a restricted picklist whose value Other is inactive."""
    with env.state.lock:
        field = env.state.data["salesforce"]["metadata"]["CustomField"]["Opportunity.Loss_Reason__c"]
        field["valueSet"]["restricted"] = True
        for value in field["valueSet"]["valueSetDefinition"]["value"]:
            if value["fullName"] == "Other":
                value["isActive"] = False


def opportunities_of(record_type: str) -> list[str]:
    return [r["Id"] for r in OPPORTUNITIES if r["RecordTypeId"] == RECORD_TYPE_IDS[record_type]]


def refused(value: str) -> dict[str, Any]:
    return {
        "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "message": f"Loss Reason: bad value for restricted picklist field: {value}",
        "fields": ["Loss_Reason__c"],
    }


def mixed_update(new_business: list[str], renewal: list[str]) -> dict[str, Any]:
    """One good record and one of each way a record can be refused, with allOrNone off."""
    return {
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


def mixed_update_results(new_business: list[str], renewal: list[str]) -> list[dict[str, Any]]:
    """What Salesforce answers to ``mixed_update``, record by record."""
    return [
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


def test_restricted_picklists_take_only_active_values_of_the_record_type(env: Env, sf: Salesforce) -> None:
    restrict_loss_reason_and_deactivate_other(env)
    new_business, renewal = opportunities_of("New_Business"), opportunities_of("Renewal")
    body = mixed_update(new_business, renewal)
    result = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert result == mixed_update_results(new_business, renewal)
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
