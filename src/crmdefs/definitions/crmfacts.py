"""What crmdefs knows about standard CRM fields before reading an org. Pure data, no SDKs.

Sources: docs/salesforce.md#sf-standard-value-sets (StandardValueSet names),
docs/salesforce.md#sf-standard-value-required-attributes (required value attributes per CumulusCI's
AddValueSetEntries) and docs/hubspot.md#hs-funnel-default-properties (modificationMetadata of HubSpot-defined
properties, read from real property dumps in tests/fixtures/hubspot/).
"""

from __future__ import annotations

from dataclasses import dataclass

# Standard picklist fields keep their values in a StandardValueSet (API 38.0+), not on the field.
# https://developer.salesforce.com/docs/atlas.en-us.226.0.api_meta.meta/api_meta/standardvalueset_names.htm
STANDARD_VALUE_SETS: dict[str, str] = {
    "Lead.Status": "LeadStatus",
    "Opportunity.StageName": "OpportunityStage",
    "Opportunity.Type": "OpportunityType",
    "Opportunity.LeadSource": "LeadSource",
    "Lead.LeadSource": "LeadSource",
    "Contact.LeadSource": "LeadSource",
    "Account.AccountSource": "LeadSource",
    "Lead.Rating": "AccountRating",
    "Account.Rating": "AccountRating",
    "Lead.Industry": "Industry",
    "Account.Industry": "Industry",
    "Account.Type": "AccountType",
    "Case.Status": "CaseStatus",
    "Case.Origin": "CaseOrigin",
    "Case.Reason": "CaseReason",
    "Case.Type": "CaseType",
    "Case.Priority": "CasePriority",
    "Campaign.Status": "CampaignStatus",
    "Campaign.Type": "CampaignType",
    "CampaignMember.Status": "CampaignMemberStatus",
    "OpportunityContactRole.Role": "ContactRole",
}

# Fields whose values per record type come from a business process, not from the record type, and what
# Salesforce calls that process (docs/salesforce.md#sf-business-processes).
PROCESS_FIELDS: dict[str, str] = {
    "Opportunity.StageName": "sales process",
    "Lead.Status": "lead process",
    "Case.Status": "support process",
    "Solution.Status": "solution process",
}


def standard_spelling(dotted: str) -> str:
    """``Object.Field`` as Salesforce spells it when it is a standard field named above, else as given:
    API names match in any case (docs/salesforce.md#sf-api-names-case-insensitive), so the rules above
    must hold for ``opportunity.stagename`` too, before any org is read."""
    return _SPELLINGS.get(dotted.casefold(), dotted)


# Keys a new value of these value sets must carry (CumulusCI value_sets.py; Metadata API StandardValue).
REQUIRED_VALUE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "OpportunityStage": ("closed", "won", "probability", "forecast_category"),
    "LeadStatus": ("converted",),
    "CaseStatus": ("closed",),
}


@dataclass(frozen=True)
class HubSpotDefined:
    """modificationMetadata of a HubSpot-defined property, as seen in real responses."""

    read_only_definition: bool
    read_only_options: bool = False
    external_options: bool = False
    free_text: bool = False  # a string property: options cannot be attached
    options_live_in: str = ""


HUBSPOT_DEFINED: dict[str, HubSpotDefined] = {
    "contacts.lifecyclestage": HubSpotDefined(
        True, external_options=True, options_live_in="HubSpot's lifecycle stage settings"
    ),
    "contacts.hs_lead_status": HubSpotDefined(True),
    "contacts.hs_analytics_source": HubSpotDefined(True, read_only_options=True),
    "deals.dealstage": HubSpotDefined(
        True, external_options=True, options_live_in="the deal pipelines (Pipelines API)"
    ),
    "deals.dealtype": HubSpotDefined(True),
    "deals.dealname": HubSpotDefined(True, free_text=True),
    "deals.closedate": HubSpotDefined(True, free_text=True),
    "deals.closed_lost_reason": HubSpotDefined(False, free_text=True),
}


_SPELLINGS = {name.casefold(): name for name in (*STANDARD_VALUE_SETS, *PROCESS_FIELDS)}
