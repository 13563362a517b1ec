"""Fixed quality reports for the renderer tests: the renderers are pure functions of the report, so a
constructed report with a fixed ``generated_at`` pins every format (golden files) without a CRM."""

from __future__ import annotations

from crmdefs.quality.model import (
    Breach,
    BreachKind,
    FieldQuality,
    QualityGroup,
    QualityReport,
    RequirementCount,
    ValueCount,
    ValueStatus,
)

L, U, OFF = ValueStatus.LISTED, ValueStatus.UNLISTED, ValueStatus.INACTIVE
LONG = "Lost to an incumbent vendor during the procurement review"
SF_FIELDS = "definitions/fields/salesforce.yaml"
HS_FIELDS = "definitions/fields/hubspot.yaml"


def _reasons() -> QualityGroup:
    salesforce = FieldQuality(
        target="sandbox",
        crm="salesforce",
        address="Opportunity.Loss_Reason__c",
        label="Loss Reason",
        binding=f"{SF_FIELDS}:70",
        total=120,
        empty=6,
        values=(
            ValueCount("Price", "Price", 30, L, "Price"),
            ValueCount("Other", "Other", 36, L, "Other", catch_all=True),
            ValueCount("Competitor", "Competitor", 30, L, "Competitor"),
            ValueCount("No Budget", "No Budget", 14, L, "No Budget"),
            ValueCount("Legacy - Budget", "Legacy - Budget", 4, U),
        ),
        breaches=(Breach(BreachKind.MAX_SHARE, "Other", 10.0, 30.0, f"{SF_FIELDS}:86"),),
        calls=1,
    )
    hubspot = FieldQuality(
        target="sandbox",
        crm="hubspot",
        address="deals.closed_lost_reason_code",
        label="Closed lost reason (code)",
        binding=f"{HS_FIELDS}:55",
        total=80,
        empty=12,
        values=(
            ValueCount("price", "Price", 34, L, "Price"),
            ValueCount(LONG, LONG, 2, U),  # longer than a phone's chart is wide: cut, whole in its tooltip
            ValueCount("competitor", "Competitor", 20, L, "Competitor"),
            ValueCount("other", "Other", 4, L, "Other", catch_all=True),
            ValueCount("no_budget", "No Budget", 8, OFF, "No Budget"),
        ),
        breaches=(
            Breach(BreachKind.MIN_FILLED, "deals.closed_lost_reason_code", 95.0, 85.0, f"{HS_FIELDS}:63"),
        ),
        calls=6,  # HubSpot: one search total per option, one for the records without a value
    )
    return QualityGroup("closed-lost-reasons", "Closed-lost reasons", (salesforce, hubspot))


def _stages() -> QualityGroup:
    stage = FieldQuality(
        target="sandbox",
        crm="salesforce",
        address="Opportunity.StageName",
        label="Stage",
        binding=f"{SF_FIELDS}:20",
        total=300,
        empty=0,
        values=(
            ValueCount("Prospecting", "Prospecting", 90, L, "Prospecting"),
            ValueCount("Closed Won", "Closed Won", 90, L, "Closed Won"),
            ValueCount("Closed Lost", "Closed Lost", 120, L, "Closed Lost"),
        ),
        requirements=(RequirementCount(("Closed Lost",), ("Loss_Reason__c",), 120, 6, 90.0),),
        calls=2,
    )
    return QualityGroup("salesforce:Opportunity.StageName", "Opportunity.StageName", (stage,))


def sample_report() -> QualityReport:
    return QualityReport(
        generated_at="2026-06-01T05:17:00Z",
        since="90d",
        window_start="2026-03-03T05:17:00Z",
        targets=("sandbox",),
        groups=(_reasons(), _stages()),
        skipped={
            "hubspot:contacts.hs_lead_status": "target 'sandbox' has no HubSpot property contacts.hs_lead_status "
            f"— fix the binding ({HS_FIELDS}:3) or create the property"
        },
    )


HOSTILE = '<script>alert("x")</script> | **bold** & <img src=x onerror=alert(1)>'


def hostile_report() -> QualityReport:
    """CRM text everywhere a CRM can put it: a stored value, its label, the target's and picklist's names."""
    f = FieldQuality(
        target="sandbox",
        crm="hubspot",
        address="deals.reason",
        label=HOSTILE,
        binding=f"{HS_FIELDS}:1",
        total=3,
        empty=0,
        values=(ValueCount(HOSTILE, HOSTILE, 2, U), ValueCount("ok", "OK", 1, L, "ok")),
        breaches=(Breach(BreachKind.MAX_SHARE, HOSTILE, 10.0, 66.7, f"{HS_FIELDS}:2"),),
        calls=2,
    )
    return QualityReport(
        generated_at="2026-06-01T05:17:00Z",
        since=None,
        window_start=None,
        targets=("sandbox",),
        groups=(QualityGroup("deals.reason", HOSTILE, (f,)),),
        skipped={HOSTILE: HOSTILE},
    )
