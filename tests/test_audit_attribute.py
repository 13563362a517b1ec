"""Matching setup audit trail rows to a drifted Salesforce field (drift/attribute.py), on rows as real orgs
write them (docs/salesforce.md#sf-setup-audit-trail-display): pure functions, no CRM."""

from __future__ import annotations

from crmdefs.adapters.setup_audit import SetupChange, SetupTrail, SignedInUser
from crmdefs.drift.attribute import attribute_field, names_field
from crmdefs.drift.classify import FieldDrift, Origin

API_USER = SignedInUser(
    "0055g0000000000AAA", "crmdefs.integration@example.com.sandbox", "crmdefs Integration"
)


def row(display: str, section: str = "Customize Opportunities", **who: str | None) -> SetupChange:
    user = {"user_id": "0055g0000000001AAA", "user_name": "Priya Raman", "username": "praman@example.com"}
    return SetupChange("2026-03-02T10:00:00Z", "changed", section, display, **{**user, **who})  # type: ignore[arg-type]


def test_a_row_naming_the_field_by_its_label_or_api_name_matches() -> None:
    assert names_field(row("Changed Type picklist value from New to Renewal"), "Opportunity", "Type", "Type")
    assert names_field(
        row("Added value Renewal to Type picklist with color Assigned dynamically"),
        "Opportunity",
        "Type",
        "Type",
    )
    assert names_field(row("Changed help text of Type field"), "Opportunity", "Type", "Type")
    assert names_field(
        row("Created custom field: Deal Type (Picklist)"), "Opportunity", "Deal_Type__c", "Deal Type"
    )


def test_a_common_word_label_inside_another_name_is_not_that_field() -> None:
    """'Type' in another field's label ('Deal Type') or in a value ('New Type') is not Opportunity.Type."""
    assert not names_field(row("Changed help text of Deal Type custom field"), "Opportunity", "Type", "Type")
    assert not names_field(
        row("Added value New Type to Stage picklist with color Assigned dynamically"),
        "Opportunity",
        "Type",
        "Type",
    )
    assert not names_field(
        row("Reordered Status Reason picklist", "Customize Leads"), "Lead", "Status", "Status"
    )


def drifted() -> FieldDrift:
    return FieldDrift(
        "salesforce:Opportunity.Type", Origin.CHANGED_IN_CRM, (), last_applied_at="2026-03-01T09:00:00+00:00"
    )


def test_an_admin_logged_in_as_the_integration_user_is_not_crmdefs_own_write() -> None:
    """DelegateUser: someone made the change while logged in as crmdefs' user (Login-As)."""
    login_as = row(
        "Changed Type picklist value from New to Renewal",
        user_id=API_USER.id,
        user_name=API_USER.name,
        username=API_USER.username,
    )
    login_as = SetupChange(**{**login_as.__dict__, "delegate": "praman@example.com"})
    found = attribute_field(drifted(), SetupTrail((login_as,)), None, {API_USER}, since_apply=True)
    assert found.attribution is not None and found.attribution.change == login_as
    assert found.attribution.own is False


def test_times_in_other_offsets_compare_as_instants() -> None:
    """A row at 10:30+01:00 is 09:30 UTC: after an apply at 09:00 UTC; 09:30+01:00 is before it."""
    after = SetupChange(
        "2026-03-01T10:30:00+01:00",
        "c",
        "Customize Opportunities",
        "Reordered Type picklist",
        "005x",
        "P",
        "p",
    )
    before = SetupChange(
        "2026-03-01T09:30:00.000+0100",
        "c",
        "Customize Opportunities",
        "Reordered Type picklist",
        "005x",
        "P",
        "p",
    )
    found = attribute_field(drifted(), SetupTrail((after,)), None, (), since_apply=True)
    assert found.attribution is not None and found.attribution.change == after
    found = attribute_field(drifted(), SetupTrail((before,)), None, (), since_apply=True)
    assert found.attribution is not None and found.attribution.change is None
