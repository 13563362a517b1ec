"""The sandbox's validation rules, driven with simple-salesforce and zeep as a real client would: the
ValidationRule component saved and read back, formulas refused as Salesforce refuses them, and active rules
enforced on the record API with Salesforce's error shape (docs/salesforce.md#sf-validation-error-shape)."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from crmdefs.adapters.salesforce.client import SalesforceClient, client_with_token
from crmdefs.config import Secret

from .records_sandbox import Env
from .records_sandbox import env_fixture as env_fixture
from .records_sandbox import fresh_fixture as fresh_fixture
from .sandbox_helpers import PinnedSession

RULE = "Opportunity.Reason_At_Closed_Lost"
FORMULA = 'AND(ISPICKVAL(StageName, "Closed Lost"), ISPICKVAL(Loss_Reason__c, ""))'
MESSAGE = "Pick the reason the deal was lost."


class Org:
    """The records sandbox through crmdefs' own clients: simple-salesforce REST and the zeep Metadata API."""

    def __init__(self, env: Env, client: SalesforceClient) -> None:
        self.env, self._client = env, client

    @property
    def records(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.env.state.data["salesforce"]["records"]["Opportunity"]
        return found

    def client(self) -> Any:
        return self._client.rest

    def metadata(self) -> Any:
        return self._client.metadata


@pytest.fixture(scope="module", name="connected")
def connected_fixture(env: Env) -> SalesforceClient:
    session = PinnedSession(env.info.ca_bundle)
    return client_with_token(
        env.info.instance_url, Secret(env.info.access_token), session=session, version="62.0"
    )


@pytest.fixture(name="org")
def org_fixture(env: Env, connected: SalesforceClient) -> Org:
    return Org(env, connected)


def save(
    org: Org,
    formula: str,
    *,
    active: bool = True,
    name: str = RULE,
    shown: str = "Loss_Reason__c",
    message: str = MESSAGE,
    description: str | None = None,
) -> list[str]:
    """Save one rule; the errors of its SaveResult ("statusCode: message")."""
    md = org.metadata()
    rule = md.types.ValidationRule(
        fullName=name,
        active=active,
        description=description,
        errorConditionFormula=formula,
        errorDisplayField=shown,
        errorMessage=message,
    )
    [result] = md.call("createMetadata", [rule])
    return [f"{e.statusCode}: {e.message}" for e in result.errors or []]


def closed_lost_without_reason(org: Org) -> str:
    """A seeded opportunity at Closed Lost with no reason, computed from the sandbox's state."""
    records = org.records
    return next(
        i for i, r in records.items() if r["StageName"] == "Closed Lost" and not r.get("Loss_Reason__c")
    )


def open_opportunity(org: Org) -> tuple[str, dict[str, Any]]:
    records = org.records
    return next((i, r) for i, r in records.items() if r["StageName"] == "Prospecting")


@pytest.mark.parametrize(
    ("formula", "error"),
    [
        (
            "ISBLANK(StageName)",
            "Field StageName is a picklist field. Picklist fields are only supported in certain functions.",
        ),
        ('StageName = "Closed Lost"', "Field StageName is a picklist field."),
        ("ISBLANK(Loss_Reasn__c)", "Field Loss_Reasn__c does not exist. Check spelling."),
        ('AND(ISPICKVAL(StageName, "Closed Lost")', "Syntax error."),
    ],
)
def test_a_formula_salesforce_would_not_compile_is_refused_at_save(
    org: Org, formula: str, error: str
) -> None:
    [problem] = save(org, formula)
    assert problem.startswith("FIELD_INTEGRITY_EXCEPTION: Error: ") and error in problem
    assert RULE not in org.env.state.data["salesforce"]["metadata"].get("ValidationRule", {})


@pytest.mark.parametrize(
    ("texts", "error"),
    [
        ({"message": "x" * 256}, "STRING_TOO_LONG: errorMessage: data value too large (max length=255)"),
        ({"description": "x" * 256}, "STRING_TOO_LONG: description: data value too large (max length=255)"),
        ({"name": "Opportunity." + "R" * 41}, "FIELD_INTEGRITY_EXCEPTION: The Rule Name field can only"),
    ],
)
def test_texts_over_setups_limits_are_refused_at_save(org: Org, texts: dict[str, str], error: str) -> None:
    """docs/salesforce.md#sf-validation-rule: what plan/desired_rules.py and definitions/format_rules.py
    keep rules within (255-character message and description, 40-character name)."""
    [problem] = save(org, FORMULA, **texts)
    assert problem.startswith(error)
    assert save(org, FORMULA, message="x" * 255, description="x" * 255) == []


def test_a_saved_rule_reads_back_whole(org: Org) -> None:
    assert save(org, FORMULA) == []
    read = org.metadata().read("ValidationRule", [RULE])
    assert (read.fullName, read.active, read.errorConditionFormula) == (RULE, True, FORMULA)
    assert (read.errorDisplayField, read.errorMessage) == ("Loss_Reason__c", MESSAGE)
    assert save(org, FORMULA) == [
        f"DUPLICATE_DEVELOPER_NAME: There is already a ValidationRule named {RULE}."
    ]


def test_an_active_rule_refuses_a_record_update_with_salesforces_error_shape(org: Org) -> None:
    sf = org.client()
    record_id, _ = open_opportunity(org)
    assert save(org, FORMULA) == []
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Opportunity.update(record_id, {"StageName": "Closed Lost"})
    assert refused.value.status == 400
    assert refused.value.content == [
        {"message": MESSAGE, "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Loss_Reason__c"]}
    ]
    assert sf.Opportunity.get(record_id)["StageName"] == "Prospecting"  # nothing saved
    assert sf.Opportunity.update(record_id, {"StageName": "Closed Lost", "Loss_Reason__c": "Price"}) == 204
    assert sf.Opportunity.get(record_id)["Loss_Reason__c"] == "Price"


def test_a_record_already_failing_is_refused_on_any_edit_and_creates_are_checked_too(org: Org) -> None:
    sf = org.client()
    assert save(org, FORMULA) == []
    with pytest.raises(SalesforceMalformedRequest):  # reps hit the rule when they edit the record
        sf.Opportunity.update(closed_lost_without_reason(org), {"Name": "Renamed"})
    with pytest.raises(SalesforceMalformedRequest):
        sf.Opportunity.create({"Name": "New", "StageName": "Closed Lost"})
    created = sf.Opportunity.create({"Name": "New", "StageName": "Closed Lost", "Loss_Reason__c": "Other"})
    assert created["success"] and sf.Opportunity.get(created["id"])["Name"] == "New"


def test_an_inactive_rule_refuses_nothing(org: Org) -> None:
    sf = org.client()
    assert save(org, FORMULA, active=False) == []
    assert sf.Opportunity.update(closed_lost_without_reason(org), {"Name": "Renamed"}) == 204


def test_collections_report_the_rule_per_record_and_save_the_others(org: Org) -> None:
    sf = org.client()
    assert save(org, FORMULA) == []
    failing, (passing, _) = closed_lost_without_reason(org), open_opportunity(org)
    records = [
        {"attributes": {"type": "Opportunity"}, "id": failing, "Name": "A"},
        {"attributes": {"type": "Opportunity"}, "id": passing, "Name": "B"},
    ]
    results = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": False, "records": records})
    assert results[0] == {
        "id": failing,
        "success": False,
        "errors": [
            {
                "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "message": MESSAGE,
                "fields": ["Loss_Reason__c"],
            }
        ],
    }
    assert results[1]["success"] is True


def test_multi_select_picklists_take_includes_and_isblank(org: Org) -> None:
    formula = 'AND(INCLUDES(Product_Interest__c, "CRM"), ISBLANK(Product_Interest__c))'
    assert save(org, formula, name="Lead.Interest_Rule", shown="Product_Interest__c") == []
    [problem] = save(org, 'ISPICKVAL(Product_Interest__c, "CRM")', name="Lead.Other_Rule", shown="")
    assert "Incorrect parameter type for function 'ISPICKVAL()'" in problem
