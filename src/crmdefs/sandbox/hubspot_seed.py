"""The seeded demo HubSpot portal: contact and deal properties, their groups and the default deal pipeline.

Copied from REAL responses, not invented (fixtures in tests/fixtures/hubspot/, facts in docs/hubspot.md,
cited by anchor):

* contact properties: verbatim entries of a real ``GET /crm/v3/properties/contacts`` dump
  (``contacts_properties_get_all_subset.json``, Tracardi/tracardi ``.../hubspot/properties.json``).
  Note the mess that comes with real data: ``hs_lead_status`` option descriptions are ``""``, lifecyclestage
  options have no ``description`` at all, ``displayOrder`` is often ``-1``, and ``days_to_close`` sits in a
  contact group called ``deal_information`` while deals use ``dealinformation``.
* deal properties: HubSpot's published definitions (``deals_properties_funnel_subset.json``, the "Deal object
  definition" docs page), plus ``createdAt``/``updatedAt`` which that doc rendering leaves out but real GET
  responses carry (fixture ``.source.txt``; the values here are made up).
* one custom contact property shaped like the real custom ``confirm_ip`` (no ``hubspotDefined`` key; has
  ``archived``, ``showCurrencySymbol``, ``createdUserId``/``updatedUserId``) with an empty description.
* groups and the pipeline: shapes from the SDK models (docs/hubspot.md#hs-property-groups,
  docs/hubspot.md#hs-pipelines-shape); no real sample was found, so labels, display orders and timestamps are
  UNVERIFIED (HubSpot's usual defaults as shown in its UI).
"""

from __future__ import annotations

import copy
from typing import Any

SANDBOX_USER_ID = "52960432"
"""The (made-up) HubSpot user id the sandbox puts in createdUserId/updatedUserId of custom properties."""

# Verbatim from contacts_properties_get_all_subset.json (same keys, types and values; ruff only reflows).
_CONTACT_PROPERTIES: list[dict[str, Any]] = [
    {
        "updatedAt": "2022-05-27T22:31:32.655Z",
        "createdAt": "2019-08-06T02:41:09.102Z",
        "name": "lifecyclestage",
        "label": "Lifecycle Stage",
        "type": "enumeration",
        "fieldType": "radio",
        "description": "The qualification of contacts to sales readiness. It can be set through imports, "
        "forms, workflows, and manually on a per contact basis.",
        "groupName": "contactinformation",
        "options": [
            {"label": "Subscriber", "value": "subscriber", "displayOrder": 0, "hidden": False},
            {"label": "Lead", "value": "lead", "displayOrder": 1, "hidden": False},
            {
                "label": "Marketing Qualified Lead",
                "value": "marketingqualifiedlead",
                "displayOrder": 2,
                "hidden": False,
            },
            {
                "label": "Sales Qualified Lead",
                "value": "salesqualifiedlead",
                "displayOrder": 3,
                "hidden": False,
            },
            {"label": "Opportunity", "value": "opportunity", "displayOrder": 4, "hidden": False},
            {"label": "Customer", "value": "customer", "displayOrder": 5, "hidden": False},
            {"label": "Evangelist", "value": "evangelist", "displayOrder": 6, "hidden": False},
            {"label": "Other", "value": "other", "displayOrder": 7, "hidden": False},
        ],
        "displayOrder": 15,
        "calculated": False,
        "externalOptions": True,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": True, "readOnlyValue": False},
        "formField": True,
    },
    {
        "updatedAt": "2023-05-01T20:02:33.973Z",
        "createdAt": "2020-06-30T15:57:36.706Z",
        "name": "hs_lead_status",
        "label": "Lead Status",
        "type": "enumeration",
        "fieldType": "radio",
        "description": "The contact's sales, prospecting or outreach status",
        "groupName": "sales_properties",
        "options": [
            {"label": "New", "value": "NEW", "description": "", "displayOrder": 0, "hidden": False},
            {"label": "Open", "value": "OPEN", "description": "", "displayOrder": 1, "hidden": False},
            {
                "label": "In Progress",
                "value": "IN_PROGRESS",
                "description": "",
                "displayOrder": 2,
                "hidden": False,
            },
            {
                "label": "Open Deal",
                "value": "OPEN_DEAL",
                "description": "",
                "displayOrder": 3,
                "hidden": False,
            },
            {
                "label": "Unqualified",
                "value": "UNQUALIFIED",
                "description": "",
                "displayOrder": 4,
                "hidden": False,
            },
            {
                "label": "Attempted to Contact",
                "value": "ATTEMPTED_TO_CONTACT",
                "description": "",
                "displayOrder": 5,
                "hidden": False,
            },
            {
                "label": "Connected",
                "value": "CONNECTED",
                "description": "",
                "displayOrder": 6,
                "hidden": False,
            },
            {
                "label": "Bad Timing",
                "value": "BAD_TIMING",
                "description": "",
                "displayOrder": 7,
                "hidden": False,
            },
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": True,
            "readOnlyOptions": False,
            "readOnlyValue": False,
        },
        "formField": True,
    },
    {
        "updatedAt": "2022-05-27T21:14:33.851Z",
        "createdAt": "2021-06-17T16:58:08.758Z",
        "name": "hs_analytics_source",
        "label": "Original Source",
        "type": "enumeration",
        "fieldType": "select",
        "description": "First known source the contact used to find your website. Set automatically, but may "
        "be updated manually.",
        "groupName": "analyticsinformation",
        "options": [
            {
                "label": "Organic Search",
                "value": "ORGANIC_SEARCH",
                "description": "",
                "displayOrder": 0,
                "hidden": False,
            },
            {
                "label": "Paid Search",
                "value": "PAID_SEARCH",
                "description": "",
                "displayOrder": 1,
                "hidden": False,
            },
            {
                "label": "Email Marketing",
                "value": "EMAIL_MARKETING",
                "description": "",
                "displayOrder": 2,
                "hidden": False,
            },
            {
                "label": "Organic Social",
                "value": "SOCIAL_MEDIA",
                "description": "",
                "displayOrder": 3,
                "hidden": False,
            },
            {
                "label": "Referrals",
                "value": "REFERRALS",
                "description": "",
                "displayOrder": 4,
                "hidden": False,
            },
            {
                "label": "Other Campaigns",
                "value": "OTHER_CAMPAIGNS",
                "description": "",
                "displayOrder": 5,
                "hidden": False,
            },
            {
                "label": "Direct Traffic",
                "value": "DIRECT_TRAFFIC",
                "description": "",
                "displayOrder": 6,
                "hidden": False,
            },
            {
                "label": "Offline Sources",
                "value": "OFFLINE",
                "description": "",
                "displayOrder": 7,
                "hidden": False,
            },
            {
                "label": "Paid Social",
                "value": "PAID_SOCIAL",
                "description": "",
                "displayOrder": 8,
                "hidden": False,
            },
        ],
        "displayOrder": 9,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": True,
            "readOnlyOptions": True,
            "readOnlyValue": False,
        },
        "formField": False,
    },
    {
        "updatedAt": "2023-02-08T15:18:26.769Z",
        "createdAt": "2020-06-30T15:57:36.948Z",
        "name": "hs_buying_role",
        "label": "Buying Role",
        "type": "enumeration",
        "fieldType": "checkbox",
        "description": "Role the contact plays during the sales process. Contacts can have multiple roles, "
        "and can share roles with others.",
        "groupName": "deal_information",
        "options": [
            {"label": "Blocker", "value": "BLOCKER", "description": "", "displayOrder": -1, "hidden": False},
            {
                "label": "Budget Holder",
                "value": "BUDGET_HOLDER",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {
                "label": "Champion",
                "value": "CHAMPION",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {
                "label": "Decision Maker",
                "value": "DECISION_MAKER",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {
                "label": "End User",
                "value": "END_USER",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {
                "label": "Executive Sponsor",
                "value": "EXECUTIVE_SPONSOR",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {
                "label": "Influencer",
                "value": "INFLUENCER",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {
                "label": "Legal & Compliance",
                "value": "LEGAL_AND_COMPLIANCE",
                "description": "",
                "displayOrder": -1,
                "hidden": False,
            },
            {"label": "Other", "value": "OTHER", "description": "", "displayOrder": -1, "hidden": False},
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": True,
            "readOnlyOptions": False,
            "readOnlyValue": False,
        },
        "formField": True,
    },
    {
        "updatedAt": "2022-05-27T22:37:43.361Z",
        "createdAt": "2019-08-06T02:41:09.240Z",
        "name": "numemployees",
        "label": "Number of Employees",
        "type": "enumeration",
        "fieldType": "select",
        "description": "The number of company employees",
        "groupName": "contactinformation",
        "options": [
            {"label": "1-5", "value": "1-5", "displayOrder": 0, "hidden": False},
            {"label": "5-25", "value": "5-25", "displayOrder": 1, "hidden": False},
            {"label": "25-50", "value": "25-50", "displayOrder": 2, "hidden": False},
            {"label": "50-100", "value": "50-100", "displayOrder": 3, "hidden": False},
            {"label": "100-500", "value": "100-500", "displayOrder": 4, "hidden": False},
            {"label": "500-1000", "value": "500-1000", "displayOrder": 5, "hidden": False},
            {"label": "1000+", "value": "1000+", "displayOrder": 6, "hidden": False},
        ],
        "displayOrder": 21,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": False, "readOnlyDefinition": False, "readOnlyValue": False},
        "formField": True,
    },
    {
        "updatedAt": "2022-05-27T20:37:59.352Z",
        "createdAt": "2020-06-30T15:57:35.997Z",
        "name": "company_size",
        "label": "Company size",
        "type": "string",
        "fieldType": "text",
        "description": "Contact's company size. Required for the Facebook Ads Integration. Automatically "
        "synced from the Lead Ads tool.",
        "groupName": "facebook_ads_properties",
        "options": [],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": False, "readOnlyDefinition": False, "readOnlyValue": False},
        "formField": True,
    },
    {
        "updatedAt": "2023-05-01T20:02:33.973Z",
        "createdAt": "2020-06-30T15:57:37.161Z",
        "name": "days_to_close",
        "label": "Days To Close",
        "type": "number",
        "fieldType": "number",
        "description": "Count of days elapsed between creation and being closed as a customer. Set "
        "automatically.",
        "groupName": "deal_information",
        "options": [],
        "displayOrder": -1,
        "calculated": True,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": True, "readOnlyValue": True},
        "formField": False,
        "calculationFormula": "if closedate >= createdate then (1 + round_down(((closedate - createdate) / "
        "86400000), 0)) endif",
    },
]

# A custom property, shaped like the real custom `confirm_ip` in the dump (key set and defaults). Its empty
# description is deliberate: a glossary has something to fill.
_CUSTOM_CONTACT_PROPERTY: dict[str, Any] = {
    "updatedAt": "2024-02-12T09:31:44.518Z",
    "createdAt": "2024-02-12T09:31:44.518Z",
    "name": "lead_source_detail",
    "label": "Lead source detail",
    "type": "string",
    "fieldType": "text",
    "description": "",
    "groupName": "contactinformation",
    "options": [],
    "createdUserId": SANDBOX_USER_ID,
    "updatedUserId": SANDBOX_USER_ID,
    "displayOrder": -1,
    "calculated": False,
    "externalOptions": False,
    "archived": False,
    "hasUniqueValue": False,
    "hidden": False,
    "showCurrencySymbol": False,
    "modificationMetadata": {"archivable": True, "readOnlyDefinition": False, "readOnlyValue": False},
    "formField": True,
}

# Verbatim from deals_properties_funnel_subset.json (HubSpot's published default deal properties). dealstage
# keeps `options: []` as published (externalOptions: the stages live in the pipelines API,
# docs/hubspot.md#hs-external-options), and the dealtype options keep their missing `description` (real data
# has both "" and absent, docs/hubspot.md#hs-option-description-optional).
_DEAL_PROPERTIES: list[dict[str, Any]] = [
    {
        "name": "dealname",
        "label": "Deal Name",
        "type": "string",
        "fieldType": "text",
        "description": "The name given to this deal.",
        "groupName": "dealinformation",
        "options": [],
        "displayOrder": 0,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": True, "readOnlyValue": False},
        "formField": False,
        "dataSensitivity": "non_sensitive",
    },
    {
        "name": "dealstage",
        "label": "Deal Stage",
        "type": "enumeration",
        "fieldType": "radio",
        "description": "The stage of the deal. Deal stages allow you to categorize and track the progress of "
        "the deals that you are working on.",
        "groupName": "deal_activity",
        "options": [],
        "displayOrder": 3,
        "calculated": False,
        "externalOptions": True,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": True,
            "readOnlyOptions": False,
            "readOnlyValue": False,
        },
        "formField": False,
        "dataSensitivity": "non_sensitive",
    },
    {
        "name": "dealtype",
        "label": "Deal Type",
        "type": "enumeration",
        "fieldType": "radio",
        "description": "The type of deal. By default, categorize your deal as either a New Business or "
        "Existing Business.",
        "groupName": "dealinformation",
        "options": [
            {"label": "New Business", "value": "newbusiness", "displayOrder": 0, "hidden": False},
            {"label": "Existing Business", "value": "existingbusiness", "displayOrder": 1, "hidden": False},
        ],
        "displayOrder": 8,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": True,
            "readOnlyOptions": False,
            "readOnlyValue": False,
        },
        "formField": False,
        "dataSensitivity": "non_sensitive",
    },
    {
        "name": "closed_lost_reason",
        "label": "Closed Lost Reason",
        "type": "string",
        "fieldType": "textarea",
        "description": "Reason why this deal was lost",
        "groupName": "deal_activity",
        "options": [],
        "displayOrder": 11,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": False, "readOnlyDefinition": False, "readOnlyValue": False},
        "formField": False,
        "dataSensitivity": "non_sensitive",
    },
    {
        "name": "closedate",
        "label": "Close Date",
        "type": "datetime",
        "fieldType": "date",
        "description": "Date the deal was closed. This property is set automatically by HubSpot.",
        "groupName": "dealinformation",
        "options": [],
        "displayOrder": 5,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": True, "readOnlyValue": False},
        "formField": False,
        "dataSensitivity": "non_sensitive",
    },
    {
        "name": "days_to_close",
        "label": "Days to close",
        "type": "number",
        "fieldType": "calculation_equation",
        "description": "The number of days the deal took to close",
        "groupName": "dealinformation",
        "options": [],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "showCurrencySymbol": False,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": True, "readOnlyValue": True},
        "formField": False,
        "calculationFormula": "max(0, round_down(((closedate - createdate) / 86400000), 0))",
        "dataSensitivity": "non_sensitive",
    },
]

# The published deal definitions carry no timestamps; real GET responses do (see the contacts dump). Made up.
_DEAL_CREATED_AT = "2019-08-06T02:41:09.148Z"
_DEAL_UPDATED_AT = "2023-05-01T20:02:34.021Z"

# Groups the seeded properties reference. Shape: SDK PropertyGroup (docs/hubspot.md#hs-property-groups);
# labels UNVERIFIED.
_GROUPS: dict[str, list[tuple[str, str]]] = {
    "contacts": [
        ("contactinformation", "Contact information"),
        ("sales_properties", "Sales properties"),
        ("analyticsinformation", "Web analytics history"),
        ("facebook_ads_properties", "Facebook Ads properties"),
        ("deal_information", "Deal information"),
    ],
    "deals": [
        ("dealinformation", "Deal information"),
        ("deal_activity", "Deal activity"),
    ],
}

# HubSpot's usual default deal stages: (id, label, probability). Metadata values are strings (SDK types them
# dict[str, str], docs/hubspot.md#hs-stage-metadata); probability 1.0 = closed won, 0.0 = closed lost.
_DEAL_STAGES: list[tuple[str, str, str]] = [
    ("appointmentscheduled", "Appointment Scheduled", "0.2"),
    ("qualifiedtobuy", "Qualified To Buy", "0.4"),
    ("presentationscheduled", "Presentation Scheduled", "0.6"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8"),
    ("contractsent", "Contract Sent", "0.9"),
    ("closedwon", "Closed Won", "1.0"),
    ("closedlost", "Closed Lost", "0.0"),
]
_PIPELINE_CREATED_AT = "2019-08-06T02:41:09.148Z"  # UNVERIFIED: no real pipelines response was found
# Properties a deal must have to enter a stage, as an admin sets them in HubSpot's UI. The API neither shows
# nor sets them (docs/hubspot.md#hs-stage-required-properties), so they are kept under a key the sandbox never
# serves (hubspot_pipelines.py), and a pipeline PUT loses them as HubSpot's would.
_REQUIRED_IN_UI = {"contractsent": ["amount", "closedate"], "closedlost": ["closed_lost_reason"]}


def hubspot_seed() -> dict[str, Any]:
    """The demo portal as stored in ``state.data["hubspot"]`` (JSON-serialisable, a fresh copy each call)."""
    contacts = [*_CONTACT_PROPERTIES, _CUSTOM_CONTACT_PROPERTY]
    deals = [{**p, "createdAt": _DEAL_CREATED_AT, "updatedAt": _DEAL_UPDATED_AT} for p in _DEAL_PROPERTIES]
    seed = {
        "properties": {
            "contacts": {p["name"]: p for p in contacts},
            "deals": {p["name"]: p for p in deals},
        },
        "groups": {kind: _groups(names) for kind, names in _GROUPS.items()},
        "pipelines": {"deals": [_deal_pipeline()]},
    }
    return copy.deepcopy(seed)


def _groups(names: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    return {
        name: {"name": name, "label": label, "displayOrder": order, "archived": False}
        for order, (name, label) in enumerate(names)
    }


def _deal_pipeline() -> dict[str, Any]:
    """The "default" deal pipeline in the SDK ``Pipeline``/``PipelineStage`` model shape
    (docs/hubspot.md#hs-pipelines-shape)."""
    stages = [
        {
            "id": stage_id,
            "label": label,
            "displayOrder": order,
            "metadata": {"isClosed": "true" if stage_id.startswith("closed") else "false", "probability": p},
            "archived": False,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            "createdAt": _PIPELINE_CREATED_AT,
            "updatedAt": _PIPELINE_CREATED_AT,
            **({"_requiredProperties": _REQUIRED_IN_UI[stage_id]} if stage_id in _REQUIRED_IN_UI else {}),
        }
        for order, (stage_id, label, p) in enumerate(_DEAL_STAGES)
    ]
    return {
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "archived": False,
        "createdAt": _PIPELINE_CREATED_AT,
        "updatedAt": _PIPELINE_CREATED_AT,
        "stages": stages,
    }
