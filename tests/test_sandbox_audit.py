"""The sandbox's setup audit trail and getUserInfo, driven through simple-salesforce and zeep as a real
client would: rows in the wording real orgs write (docs/salesforce.md#sf-setup-audit-trail-display), made
by the session's user, read with SOQL and CreatedBy.<field>, paged; refused without View Setup
(docs/salesforce.md#sf-setup-audit-trail-access); getUserInfo names each session's user
(docs/salesforce.md#sf-get-user-info)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from crmdefs.adapters.salesforce.client import SalesforceClient, client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .sandbox_helpers import PinnedSession

ADMIN = "praman@example.com.sandbox"
SALES_USER = "therrera@example.com.sandbox"  # no "View Setup and Configuration"
QUERY = (
    "SELECT Id, Action, Section, Display, CreatedDate, CreatedBy.Name, CreatedBy.Username, DelegateUser "
    "FROM SetupAuditTrail WHERE CreatedDate = LAST_N_DAYS:180 ORDER BY CreatedDate DESC"
)


@pytest.fixture
def org(tmp_path: Path) -> Iterator[SandboxInfo]:
    sandbox = Sandbox(tmp_path / "org", log_to_file=False)
    yield sandbox.start()
    sandbox.stop()


def client(info: SandboxInfo, username: str | None = None) -> SalesforceClient:
    token = info.access_token if username is None else info.user_tokens[username]
    return client_with_token(
        info.instance_url, Secret(token), session=PinnedSession(info.ca_bundle), version="62.0"
    )


def rows(sf: Salesforce) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sf.query_all(QUERY)["records"]
    return found


def test_each_changed_attribute_is_a_row_by_the_sessions_user(org: SandboxInfo) -> None:
    sf = client(org, ADMIN).rest
    loss = sf.mdapi.CustomField.read(["Opportunity.Loss_Reason__c"])
    loss.inlineHelpText = "Why we lost."
    loss.label = "Lost Because"
    values = loss.valueSet.valueSetDefinition.value
    next(v for v in values if v.fullName == "Other").isActive = False
    values.append(sf.mdapi.CustomValue(fullName="Budget", label="Budget", default=False))
    sf.mdapi.CustomField.update([loss])
    found = rows(client(org).rest)
    assert {(r["Section"], r["Display"]) for r in found} == {
        ("Customize Opportunities", "Changed help text of Lost Because custom field"),
        ("Customize Opportunities", "Changed label of custom field from Loss Reason to Lost Because"),
        (
            "Customize Opportunities",
            "Deactivated value Other from Lost Because picklist with color Assigned dynamically",
        ),
        (
            "Customize Opportunities",
            "Added value Budget to Lost Because picklist with color Assigned dynamically",
        ),
    }
    for row in found:
        assert row["Id"].startswith("0Ym") and len(row["Id"]) == 18
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000", row["CreatedDate"])
        assert row["CreatedBy"]["Name"] == "Priya Raman" and row["CreatedBy"]["Username"] == ADMIN
        assert row["CreatedBy"]["attributes"]["type"] == "User" and row["DelegateUser"] is None
    assert {r["Action"] for r in found} == {
        "changedCFFieldHelp",
        "changedCF",
        "deactivatePicklistValueWithColor",
        "createdPicklistWithColor",
    }


def test_a_new_validation_rule_is_a_row_of_validation_rules(org: SandboxInfo) -> None:
    md = client(org).metadata
    rule = md.types.ValidationRule(
        fullName="Opportunity.Needs_Reason",
        active=True,
        errorConditionFormula='ISPICKVAL(StageName, "Closed Lost")',
        errorDisplayField="Loss_Reason__c",
        errorMessage="Pick a reason.",
    )
    [result] = md.call("createMetadata", [rule])
    assert result.success
    [row] = rows(client(org).rest)
    assert (row["Action"], row["Section"], row["Display"]) == (
        "newValidation",
        "Validation Rules",
        'New Opportunities validation rule "Needs_Reason"',
    )
    assert row["CreatedBy"]["Username"] == "crmdefs.integration@example.com.sandbox"


def test_the_trail_pages_like_any_query(org: SandboxInfo) -> None:
    sf = client(org, ADMIN).rest
    loss = sf.mdapi.CustomField.read(["Opportunity.Loss_Reason__c"])
    loss.valueSet.valueSetDefinition.value += [
        sf.mdapi.CustomValue(fullName=f"Reason {n}", label=f"Reason {n}", default=False) for n in range(250)
    ]
    sf.mdapi.CustomField.update([loss])
    sf.headers["Sforce-Query-Options"] = "batchSize=200"
    first = sf.query(QUERY)
    assert first["totalSize"] == 250 and not first["done"] and len(first["records"]) == 200
    assert "nextRecordsUrl" in first
    assert len(sf.query_all(QUERY)["records"]) == 250


def test_without_view_setup_the_object_is_not_supported(org: SandboxInfo) -> None:
    sf = client(org, SALES_USER).rest
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query(QUERY)
    [error] = refused.value.content
    assert error["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'SetupAuditTrail' is not supported." in error["message"]


@pytest.mark.parametrize(
    ("username", "name"),
    [(None, "crmdefs Integration"), (ADMIN, "Priya Raman"), (SALES_USER, "Tomás Herrera")],
)
def test_get_user_info_names_the_sessions_user(org: SandboxInfo, username: str | None, name: str) -> None:
    sf = client(org, username).rest
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
        'soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader>'
        f"<urn:sessionId>{sf.session_id}</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body>"
        "<urn:getUserInfo/></soapenv:Body></soapenv:Envelope>"
    )
    answer = sf.session.post(
        f"{org.instance_url}/services/Soap/u/62.0",
        data=body,
        headers={"Content-Type": "text/xml", "SOAPAction": '""'},
    )
    assert answer.status_code == 200
    text = answer.text
    assert f"<userFullName>{name}</userFullName>" in text
    assert f"<userName>{username or 'crmdefs.integration@example.com.sandbox'}</userName>" in text
    assert re.search(r"<userId>005\w{15}</userId>", text)


def test_get_user_info_with_a_wrong_session_is_invalid_session_id(org: SandboxInfo) -> None:
    sf = client(org).rest
    body = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader><urn:sessionId>nope'
        "</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body><urn:getUserInfo/></soapenv:Body>"
        "</soapenv:Envelope>"
    )
    answer = sf.session.post(
        f"{org.instance_url}/services/Soap/u/62.0", data=body, headers={"Content-Type": "text/xml"}
    )
    assert answer.status_code == 500 and "INVALID_SESSION_ID" in answer.text
