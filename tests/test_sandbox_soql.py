"""The sandbox's SOQL beyond one condition, driven by simple-salesforce over real TLS: AND / OR / NOT with
parentheses, dates and date literals, ORDER BY, LIMIT and a parent's field (Owner.Name).

Expected values are computed in Python from ``records_seed()`` and from the dates each test writes onto
the records, never read back from the sandbox itself. Date literals count days in UTC from the real clock
(docs/salesforce.md#sf-soql-dates), so the dates are written relative to today.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from crmdefs.sandbox.sfusers import USER_IDS, seeded_users

from .records_sandbox import LEADS, OPPORTUNITIES, Env
from .records_sandbox import env_fixture as env_fixture  # pytest fixture
from .records_sandbox import fresh_fixture as fresh_fixture  # pytest fixture
from .records_sandbox import sf_fixture as sf_fixture  # pytest fixture

UTC = timezone.utc


def count(sf: Salesforce, where: str, obj: str = "Opportunity") -> int:
    result = sf.query(f"SELECT COUNT() FROM {obj} WHERE {where}")
    assert result["records"] == [] and result["done"] is True
    return int(result["totalSize"])


def query_error(sf: Salesforce, soql: str) -> dict[str, Any]:
    """The one error Salesforce answers ``soql`` with (a REST 400)."""
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    [error] = caught.value.content
    return dict(error)


def stamp(env: Env, obj: str, values: dict[str, dict[str, Any]]) -> None:
    """Writes fields onto seeded records, as the org would hold them."""
    with env.state.lock:
        records = env.state.data["salesforce"]["records"][obj]
        for record_id, fields in values.items():
            records[record_id].update(fields)


def clear(env: Env, obj: str, *fields: str) -> None:
    """Empties ``fields`` on every record, so that a test counts only the values it writes itself."""
    with env.state.lock:
        for record in env.state.data["salesforce"]["records"][obj].values():
            record.update(dict.fromkeys(fields))


def rest_datetime(moment: datetime) -> str:
    """A datetime as the REST API writes it: 2026-11-29T10:00:00.000+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# ------------------------------------------------------------------------------- AND / OR / NOT, ( )
# docs/salesforce.md#sf-soql-logical-operators


def test_and_or_not_and_parentheses_combine_conditions(sf: Salesforce) -> None:
    lost = [r for r in OPPORTUNITIES if r["StageName"] == "Closed Lost"]
    assert count(sf, "StageName = 'Closed Lost' AND Loss_Reason__c = null") == sum(
        1 for r in lost if r["Loss_Reason__c"] is None
    )
    assert count(
        sf, "StageName = 'Closed Won' OR StageName = 'Closed Lost' OR StageName = 'Prospecting'"
    ) == sum(1 for r in OPPORTUNITIES if r["StageName"] in ("Closed Won", "Closed Lost", "Prospecting"))
    reasons = ("Other", None)
    assert count(
        sf, "StageName = 'Closed Lost' AND (Loss_Reason__c = null OR Loss_Reason__c IN ('other'))"
    ) == sum(1 for r in lost if r["Loss_Reason__c"] in reasons)
    assert count(sf, "NOT (StageName = 'Closed Won' OR StageName = 'Closed Lost')") == sum(
        1 for r in OPPORTUNITIES if r["StageName"] not in ("Closed Won", "Closed Lost")
    )
    assert count(sf, "StageName IN ('Closed Lost') AND Loss_Reason__c NOT IN ('Price', 'pricing')") == sum(
        1 for r in lost if r["Loss_Reason__c"] not in ("Price", "pricing")
    )  # NOT IN keeps the records that hold nothing
    nested = "(StageName = 'Closed Lost' AND Loss_Reason__c = 'Price') OR (NOT StageName != 'Qualification')"
    assert count(sf, nested) == sum(
        1
        for r in OPPORTUNITIES
        if (r["StageName"], r["Loss_Reason__c"]) == ("Closed Lost", "Price")
        or r["StageName"] == "Qualification"
    )
    # Multi-select picklists take the same logic.
    assert count(
        sf, "Product_Interest__c INCLUDES ('CRM') AND Status = 'Open - Not Contacted'", "Lead"
    ) == sum(
        1
        for r in LEADS
        if "CRM" in (r["Product_Interest__c"] or "").split(";") and r["Status"] == "Open - Not Contacted"
    )


def test_mixing_and_with_or_without_parentheses_is_refused_at_the_second_operator(sf: Salesforce) -> None:
    soql = "SELECT COUNT() FROM Opportunity WHERE StageName = 'Closed Lost' AND Loss_Reason__c = null OR Name = 'x'"
    error = query_error(sf, soql)
    column = soql.index(" OR ") + 2
    assert error == {
        "errorCode": "MALFORMED_QUERY",
        "message": f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\nunexpected token: 'OR'",
    }


# ------------------------------------------------------------------------------------ dates and literals
# docs/salesforce.md#sf-soql-dates


def test_last_n_days_starts_at_midnight_n_days_ago_and_includes_today(env: Env, sf: Salesforce) -> None:
    today = datetime.now(UTC).date()
    lost = [r["Id"] for r in OPPORTUNITIES if r["StageName"] == "Closed Lost" and r["Loss_Reason__c"] is None]
    assert len(lost) >= 3
    clear(env, "Opportunity", "LastModifiedDate")
    stamp(
        env,
        "Opportunity",
        {
            lost[0]: {
                "LastModifiedDate": rest_datetime(midnight(today - timedelta(days=90)))
            },  # first moment in
            lost[1]: {
                "LastModifiedDate": rest_datetime(midnight(today - timedelta(days=90)) - timedelta(seconds=1))
            },
            lost[2]: {"LastModifiedDate": rest_datetime(midnight(today) + timedelta(hours=1))},
        },
    )
    soql_where = (
        "StageName IN ('Closed Lost') AND Loss_Reason__c = null AND LastModifiedDate = LAST_N_DAYS:90"
    )
    assert count(sf, soql_where) == 2
    assert count(sf, "LastModifiedDate = LAST_N_DAYS:0") == 1  # today only
    assert count(sf, "LastModifiedDate = TODAY") == 1
    assert count(sf, "LastModifiedDate < LAST_N_DAYS:90") == 1  # before the range starts
    assert count(sf, "LastModifiedDate = N_DAYS_AGO:91") == 1
    assert count(sf, "LastModifiedDate = YESTERDAY") == 0
    assert count(sf, "LastModifiedDate != TODAY") == len(OPPORTUNITIES) - 1  # records without a date too


def test_datetimes_compare_as_instants_and_dates_as_days(env: Env, sf: Salesforce) -> None:
    ids = [r["Id"] for r in OPPORTUNITIES[:4]]
    clear(env, "Opportunity", "CreatedDate", "CloseDate")
    stamp(
        env,
        "Opportunity",
        {
            ids[0]: {"CreatedDate": "2026-08-31T23:59:59.000+0000", "CloseDate": "2026-11-28"},
            ids[1]: {"CreatedDate": "2026-09-01T00:00:00.000+0000", "CloseDate": "2026-11-29"},
            ids[2]: {"CreatedDate": "2026-10-15T12:30:00.000+0000", "CloseDate": "2026-11-30"},
        },
    )
    assert count(sf, "CreatedDate >= 2026-09-01T00:00:00Z") == 2
    assert count(sf, "CreatedDate > 2026-09-01T00:00:00Z") == 1
    assert count(sf, "CreatedDate < 2026-09-01T02:00:00+02:00") == 1  # the same instant, in another zone
    assert count(sf, "CreatedDate = 2026-10-15T12:30:00.000Z") == 1
    assert count(sf, "CloseDate = 2026-11-29") == 1
    assert count(sf, "CloseDate <= 2026-11-29 AND CloseDate != null") == 2
    assert count(sf, "CloseDate > 2026-11-28 AND CreatedDate >= 2026-09-01T00:00:00Z") == 2


def test_group_by_counts_with_a_datetime_condition(env: Env, sf: Salesforce) -> None:
    recent = {r["Id"] for r in OPPORTUNITIES[::3]}
    stamp(
        env,
        "Opportunity",
        {
            r["Id"]: {
                "LastModifiedDate": "2026-10-01T08:00:00.000+0000"
                if r["Id"] in recent
                else "2026-01-01T08:00:00.000+0000"
            }
            for r in OPPORTUNITIES
        },
    )
    result = sf.query(
        "SELECT Loss_Reason__c, COUNT(Id) FROM Opportunity WHERE LastModifiedDate >= 2026-09-01T00:00:00Z "
        "GROUP BY Loss_Reason__c"
    )
    got = {r["Loss_Reason__c"]: r["expr0"] for r in result["records"]}
    assert got == dict(Counter(r["Loss_Reason__c"] for r in OPPORTUNITIES if r["Id"] in recent))


@pytest.mark.parametrize(
    ("where", "code", "text"),
    [
        (
            "LastModifiedDate >= '2026-09-01T00:00:00Z'",
            "INVALID_FIELD",
            "value of filter criterion for field 'LastModifiedDate' must be of type dateTime and should not be "
            "enclosed in quotes",
        ),
        (
            "LastModifiedDate >= 2026-09-01",
            "INVALID_FIELD",
            "value of filter criterion for field 'LastModifiedDate' must be of type dateTime",
        ),
        (
            "CloseDate = 2026-09-01T00:00:00Z",
            "INVALID_FIELD",
            "value of filter criterion for field 'CloseDate' must be of type date and should not be enclosed",
        ),
        ("LastModifiedDate = LAST_N_DAYS", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
        ("LastModifiedDate = LAST_MONTHS:2", "MALFORMED_QUERY", "unexpected token: 'LAST_MONTHS'"),
        ("Created_Date = TODAY", "INVALID_FIELD", "No such column 'Created_Date' on entity 'Opportunity'."),
    ],
)
def test_malformed_date_conditions_are_refused_as_salesforce_does(
    sf: Salesforce, where: str, code: str, text: str
) -> None:
    soql = f"SELECT Id FROM Opportunity WHERE {where}"
    error = query_error(sf, soql)
    assert error["errorCode"] == code
    assert error["message"].startswith(f"\n{soql}\n") and "\nERROR at Row:1:Column:" in error["message"]
    assert text in error["message"]


# ------------------------------------------------------------------------------------- ORDER BY, LIMIT
# docs/salesforce.md#sf-soql-order-by


def test_order_by_sorts_several_keys_with_nulls_first_by_default_and_limit_cuts(
    env: Env, sf: Salesforce
) -> None:
    ids = [r["Id"] for r in OPPORTUNITIES]
    closes = {ids[0]: "2026-11-03", ids[1]: "2026-11-01", ids[2]: "2026-11-03", ids[3]: "2026-10-07"}
    stamp(env, "Opportunity", {i: {"CloseDate": closes.get(i)} for i in ids})
    dated = sorted(closes, key=lambda i: (closes[i], i))  # ascending dates, ties by Id
    undated = sorted(i for i in ids if i not in closes)

    result = sf.query("SELECT Id, CloseDate FROM Opportunity ORDER BY CloseDate, Id")
    assert [r["Id"] for r in result["records"]] == undated + dated  # nulls first, by default
    result = sf.query("SELECT Id FROM Opportunity ORDER BY CloseDate DESC NULLS LAST, Id DESC LIMIT 3")
    newest = sorted(closes, key=lambda i: (closes[i], i), reverse=True)
    assert result["totalSize"] == 3 and [r["Id"] for r in result["records"]] == newest[:3]
    # Text sorts case-insensitively.
    names = sf.query(
        "SELECT LastName FROM Lead WHERE LastName IN ('kim', 'Ahmed', 'becker') ORDER BY LastName"
    )
    assert [r["LastName"] for r in names["records"]] == ["Ahmed", "Becker", "Kim"]


def test_group_by_orders_by_the_count_and_limit_keeps_the_top_groups(sf: Salesforce) -> None:
    result = sf.query(
        "SELECT Loss_Reason__c, COUNT(Id) FROM Opportunity WHERE Loss_Reason__c != null "
        "GROUP BY Loss_Reason__c ORDER BY COUNT(Id) DESC, Loss_Reason__c LIMIT 2"
    )
    expected = Counter(r["Loss_Reason__c"] for r in OPPORTUNITIES if r["Loss_Reason__c"])
    top = sorted(expected.items(), key=lambda item: (-item[1], item[0].casefold()))[:2]
    assert [(r["Loss_Reason__c"], r["expr0"]) for r in result["records"]] == top
    assert sf.query("SELECT COUNT() FROM Opportunity LIMIT 5")["totalSize"] == 5


@pytest.mark.parametrize(
    ("soql", "text"),
    [
        ("SELECT COUNT() FROM Opportunity ORDER BY Name", "unexpected token: 'ORDER'"),
        ("SELECT Id FROM Lead ORDER BY Product_Interest__c", "field 'Product_Interest__c' can not be sorted"),
        (
            "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName ORDER BY Name",
            "Ordered field must be grouped or aggregated: Name",
        ),
        ("SELECT Id FROM Opportunity ORDER BY Name NULLS LATER", "unexpected token: 'LATER'"),
        ("SELECT Id FROM Opportunity LIMIT ten", "unexpected token: 'ten'"),
    ],
)
def test_orders_salesforce_refuses_are_refused(sf: Salesforce, soql: str, text: str) -> None:
    error = query_error(sf, soql)
    assert error["errorCode"] == "MALFORMED_QUERY" and text in error["message"]
    assert error["message"].startswith(f"\n{soql}\n") and "\nERROR at Row:1:Column:" in error["message"]


# ------------------------------------------------------------------------------------------ Owner.Name
# docs/salesforce.md#sf-soql-parent-fields


def test_owner_name_comes_back_nested_under_owner_or_as_null(env: Env, sf: Salesforce) -> None:
    owned, unowned = OPPORTUNITIES[0]["Id"], OPPORTUNITIES[1]["Id"]
    clear(env, "Opportunity", "OwnerId")
    stamp(env, "Opportunity", {owned: {"OwnerId": USER_IDS[1]}})
    user = seeded_users()[USER_IDS[1]]
    result = sf.query(
        f"SELECT Id, Name, Owner.Name FROM Opportunity WHERE Id IN ('{owned}', '{unowned}') ORDER BY Id"
    )
    first, second = result["records"]
    assert list(first) == ["attributes", "Id", "Name", "Owner"]
    assert first["Owner"] == {
        "attributes": {"type": "User", "url": f"/services/data/v62.0/sobjects/User/{USER_IDS[1]}"},
        "Name": user["Name"],
    }
    assert second["Owner"] is None  # no OwnerId: the parent is null
    # Lead.Owner can be a user or a queue: the parent's type is Name, its url the user's.
    lead = LEADS[0]["Id"]
    stamp(env, "Lead", {lead: {"OwnerId": USER_IDS[0]}})
    [row] = sf.query(f"SELECT owner.name, owner.email FROM Lead WHERE Id = '{lead}'")["records"]
    assert row["Owner"] == {
        "attributes": {"type": "Name", "url": f"/services/data/v62.0/sobjects/User/{USER_IDS[0]}"},
        "Name": seeded_users()[USER_IDS[0]]["Name"],
        "Email": seeded_users()[USER_IDS[0]]["Email"],
    }
    # Sorted by the owner's name, owners first in name order, the unowned (null) first by default.
    stamp(env, "Opportunity", {OPPORTUNITIES[2]["Id"]: {"OwnerId": USER_IDS[0]}})
    rows = sf.query("SELECT Owner.Name FROM Opportunity ORDER BY Owner.Name DESC NULLS LAST LIMIT 2")[
        "records"
    ]
    names = sorted((seeded_users()[u]["Name"] for u in (USER_IDS[0], USER_IDS[1])), reverse=True)
    assert [r["Owner"]["Name"] for r in rows] == names


@pytest.mark.parametrize(
    ("soql", "text"),
    [
        ("SELECT Manager.Name FROM Opportunity", "Didn't understand relationship 'Manager' in field path."),
        ("SELECT Owner.Nickname FROM Opportunity", "No such column 'Nickname' on entity 'User'."),
    ],
)
def test_unknown_parents_and_their_fields_are_invalid_fields(sf: Salesforce, soql: str, text: str) -> None:
    error = query_error(sf, soql)
    assert error["errorCode"] == "INVALID_FIELD" and text in error["message"]
