"""Dependent picklists (``depends_on:``), end to end: the sandbox keeps and refuses a CustomField's
``controllingField`` / ``valueSettings`` as Salesforce does and shows the dependency in REST describe
(docs/salesforce.md#sf-dependent-matrix, docs/salesforce.md#sf-dependent-describe); the real CLI plans the
matrix, applies it, converges, notices a matrix edited in the CRM, keeps the rows of values it does not
list, never switches a field's controller, and names file:line for a typo in the controlling field or
value."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from crmdefs.adapters.salesforce.dependent import controlling_values_of

from .salesforce_sandbox import Org
from .salesforce_sandbox import org_fixture as org_fixture  # pytest fixture
from .salesforce_sandbox import running_org_fixture as running_org_fixture  # pytest fixture

REASONS = "Opportunity.Loss_Reason__c"


def _depend(org: Org, controller: str, settings: dict[str, list[str]]) -> Any:
    """Save Loss_Reason__c as dependent on ``controller`` with ``settings`` (value → controlling values)."""
    md = org.client().mdapi
    field = md.CustomField.read([REASONS])
    field.valueSet.controllingField = controller
    field.valueSet.valueSettings = [
        md.ValueSettings(controllingFieldValue=values, valueName=value) for value, values in settings.items()
    ]
    return org.metadata().call("updateMetadata", [field])[0]


def _describe_field(org: Org, name: str) -> dict[str, Any]:
    described: dict[str, Any] = org.client().restful("sobjects/Opportunity/describe")
    return next(f for f in described["fields"] if f["name"] == name)


# --- the sandbox ------------------------------------------------------------------------------------------


def test_sandbox_keeps_the_matrix_and_describe_shows_it(org: Org) -> None:
    saved = _depend(org, "StageName", {"Price": ["Closed Lost"], "Other": ["Closed Lost", "Closed Won"]})
    assert saved.success, saved.errors
    again = org.client().mdapi.CustomField.read([REASONS])
    assert again.valueSet.controllingField == "StageName"
    assert {s.valueName: list(s.controllingFieldValue) for s in again.valueSet.valueSettings} == {
        "Price": ["Closed Lost"],
        "Other": ["Closed Lost", "Closed Won"],
    }
    field = _describe_field(org, "Loss_Reason__c")
    assert field["dependentPicklist"] is True and field["controllerName"] == "StageName"
    stages = [v["value"] for v in _describe_field(org, "StageName")["picklistValues"]]
    by_value = {v["value"]: v["validFor"] for v in field["picklistValues"]}
    # Decoded as a real client decodes it (docs/salesforce.md#sf-dependent-describe)
    assert controlling_values_of(by_value["Price"], stages) == ("Closed Lost",)
    assert controlling_values_of(by_value["Other"], stages) == ("Closed Won", "Closed Lost")
    assert controlling_values_of(by_value["pricing"], stages) == ()  # no settings: offered for none
    assert _describe_field(org, "StageName")["dependentPicklist"] is False


@pytest.mark.parametrize(
    ("controller", "settings", "error"),
    [
        ("Stage__c", {"Price": ["Closed Lost"]}, "controlling field Stage__c does not exist on Opportunity"),
        (
            "StageName",
            {"Price": ["Closed Lots"]},
            "controlling value Closed Lots is not a value of StageName",
        ),
        ("Amount", {"Price": ["1"]}, "Amount (currency) cannot control a picklist"),
    ],
)
def test_sandbox_refuses_a_controller_or_value_salesforce_would_refuse(
    org: Org, controller: str, settings: dict[str, list[str]], error: str
) -> None:
    saved = _depend(org, controller, settings)
    assert not saved.success
    assert saved.errors[0].statusCode == "FIELD_INTEGRITY_EXCEPTION"
    assert error in saved.errors[0].message


def test_sandbox_refuses_a_multi_select_controller(org: Org) -> None:
    md = org.client().mdapi
    created = org.metadata().call(
        "createMetadata",
        [
            md.CustomField(
                fullName="Opportunity.Regions__c",
                label="Regions",
                type="MultiselectPicklist",
                visibleLines=4,
                valueSet=md.ValueSet(
                    valueSetDefinition=md.ValueSetValuesDefinition(
                        sorted=False, value=[md.CustomValue(fullName="EMEA", default=False)]
                    )
                ),
            )
        ],
    )[0]
    assert created.success, created.errors
    saved = _depend(org, "Regions__c", {"Price": ["EMEA"]})
    assert not saved.success and "Regions__c (multipicklist) cannot control" in saved.errors[0].message


def test_valid_for_decodes_a_real_bitmap() -> None:
    # "AAAI" from a real org's describe: only the 21st controlling value (index 20) is set
    # (docs/salesforce.md#sf-dependent-describe).
    controllers = [f"v{i}" for i in range(24)]
    assert controlling_values_of("AAAI", controllers) == ("v20",)
    assert base64.b64decode("AAAI") == b"\x00\x00\x08"
    assert controlling_values_of("gAAA", controllers) == ("v0",)
    assert controlling_values_of(None, controllers) == ()
