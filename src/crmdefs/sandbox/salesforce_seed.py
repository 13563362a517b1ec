"""The seeded Salesforce demo org: realistically messy, so that a first `crmdefs plan` has work to show.

- Lead.Status / Opportunity.StageName on their standard value sets with Salesforce's default values
  (the values of the recorded describes in data/; stage probabilities and forecast categories are the
  defaults of a new org);
- help text missing on some fields and stale on others;
- a custom Opportunity.Loss_Reason__c with inconsistent values, two Opportunity record types;
- two sales processes (BusinessProcess): "Standard Sales Process" with every stage, used by New_Business,
  and "Renewal Process" with four of them, used by Renewal. Record types hold no StageName values: those
  live in the sales process (docs/salesforce.md#sf-business-processes);
- one global value set shared by two fields;
- a custom multi-select picklist, Lead.Product_Interest__c, whose records hold several values each;
- the Path an admin made for the master record type, with guidance of its own on some stages (Salesforce
  allows one Path per record type: crmdefs has to update this one);
- a permission set, Crmdefs_Field_Access, that grants other fields but not Loss_Reason__c (the starter
  glossary keeps that field readable and editable through it, so the first apply updates it and must keep
  the rest).
"""

from __future__ import annotations

from typing import Any


def _boolean_value(name: str, *, default: bool = False, **extra: Any) -> dict[str, Any]:
    return {"fullName": name, "default": default, "label": name, **extra}


_STAGES = [  # (name, probability, forecastCategory, closed, won)
    ("Prospecting", 10, "Pipeline", False, False),
    ("Qualification", 10, "Pipeline", False, False),
    ("Needs Analysis", 20, "Pipeline", False, False),
    ("Value Proposition", 50, "Pipeline", False, False),
    ("Id. Decision Makers", 60, "Pipeline", False, False),
    ("Perception Analysis", 70, "Pipeline", False, False),
    ("Proposal/Price Quote", 75, "Pipeline", False, False),
    ("Negotiation/Review", 90, "Pipeline", False, False),
    ("Closed Won", 100, "Closed", True, True),
    ("Closed Lost", 0, "Omitted", True, False),
]
_LOSS_REASONS = ["Price", "pricing", "Lost to Competitor", "Other", "No Decision / Non-Responsive"]
_PRODUCTS = ["CRM", "Analytics", "Billing", "Support"]


def _picklist_field(full_name: str, label: str, values: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "fullName": full_name,
        "externalId": False,
        "label": label,
        "required": False,
        "trackFeedHistory": False,
        "trackHistory": False,
        "trackTrending": False,
        "type": "Picklist",
        "valueSet": {
            "restricted": False,
            "valueSetDefinition": {"sorted": False, "value": [_boolean_value(v) for v in values]},
        },
        **extra,
    }


_RENEWAL_STAGES = ["Qualification", "Negotiation/Review", "Closed Won", "Closed Lost"]


def _record_type(name: str, label: str, process: str, reasons: list[str]) -> dict[str, Any]:
    return {
        "fullName": f"Opportunity.{name}",
        "active": True,
        "businessProcess": process,
        "label": label,
        "description": f"{label} opportunities.",
        "picklistValues": [
            {"picklist": "Loss_Reason__c", "values": [{"fullName": r, "default": False} for r in reasons]},
        ],
    }


def _business_process(name: str, description: str, stages: list[str]) -> dict[str, Any]:
    return {
        "fullName": f"Opportunity.{name}",
        "description": description,
        "isActive": True,
        # No default: Opportunity processes take none (docs/salesforce.md#sf-business-process-defaults)
        "values": [{"fullName": s, "default": False} for s in stages],
    }


def salesforce_seed() -> dict[str, Any]:
    """The ``salesforce`` part of a fresh sandbox state."""
    return {
        "salesforce": {
            "api_usage": 0,
            "metadata": {
                "CustomField": _custom_fields(),
                "StandardValueSet": _standard_value_sets(),
                "GlobalValueSet": _global_value_sets(),
                "RecordType": _record_types(),
                "BusinessProcess": _business_processes(),
                "PathAssistant": _paths(),
                "PermissionSet": _permission_sets(),
            },
        }
    }


def _custom_fields() -> dict[str, Any]:
    return {
        # As a real standard field reads: no label, no valueSet (fixture ..._CustomField_Lead.Status).
        "Lead.Status": {"fullName": "Lead.Status", "trackFeedHistory": False, "type": "Picklist"},
        "Opportunity.StageName": {
            "fullName": "Opportunity.StageName",
            "type": "Picklist",
            "inlineHelpText": "Stage of the deal. See the 2019 sales playbook on the intranet.",
        },
        "Opportunity.Loss_Reason__c": _picklist_field(
            "Opportunity.Loss_Reason__c",
            "Loss Reason",
            _LOSS_REASONS,
            description="Reason for loss (legacy field from the 2021 CRM migration).",
            inlineHelpText="Pick a reason.",
        ),
        "Opportunity.Primary_Competitor__c": {
            "fullName": "Opportunity.Primary_Competitor__c",
            "label": "Primary Competitor",
            "required": False,
            "type": "Picklist",
            "valueSet": {"restricted": True, "valueSetName": "Competitors"},
        },
        "Lead.Current_Vendor__c": {
            "fullName": "Lead.Current_Vendor__c",
            "label": "Current Vendor",
            "required": False,
            "type": "Picklist",
            "valueSet": {"restricted": True, "valueSetName": "Competitors"},
        },
        # A multi-select picklist: records hold several values as "a;b" (records_seed.py).
        "Lead.Product_Interest__c": {
            **_picklist_field("Lead.Product_Interest__c", "Product Interest", _PRODUCTS),
            "type": "MultiselectPicklist",
            "visibleLines": 4,
            "valueSet": {
                "restricted": True,
                "valueSetDefinition": {"sorted": False, "value": [_boolean_value(v) for v in _PRODUCTS]},
            },
        },
        "Lead.Lead_Score__c": {
            "fullName": "Lead.Lead_Score__c",
            "label": "Lead Score",
            "precision": 3,
            "scale": 0,
            "required": False,
            "type": "Number",
            "inlineHelpText": "Score from the MAP.",
        },
        "Lead.Fit_Score__c": {
            "fullName": "Lead.Fit_Score__c",
            "label": "Fit Score",
            "precision": 2,
            "scale": 0,
            "required": False,
            "type": "Number",
        },
    }


def _standard_value_sets() -> dict[str, Any]:
    return {
        "LeadStatus": {
            "fullName": "LeadStatus",
            "sorted": False,
            "standardValue": [
                _boolean_value("Open - Not Contacted", default=True, converted=False),
                _boolean_value("Working - Contacted", converted=False),
                _boolean_value("Closed - Converted", converted=True),
                _boolean_value("Closed - Not Converted", converted=False),
            ],
        },
        "OpportunityStage": {
            "fullName": "OpportunityStage",
            "sorted": False,
            "standardValue": [
                _boolean_value(
                    name,
                    closed=closed,
                    forecastCategory=category,
                    probability=probability,
                    won=won,
                )
                for name, probability, category, closed, won in _STAGES
            ],
        },
    }


def _global_value_sets() -> dict[str, Any]:
    return {
        "Competitors": {
            "fullName": "Competitors",
            "masterLabel": "Competitors",
            "sorted": False,
            "description": "Vendors we compete with.",
            "customValue": [_boolean_value(v) for v in ("Acme CRM", "Globex", "Initech", "Other")],
        },
    }


def _record_types() -> dict[str, Any]:
    return {
        "Opportunity.New_Business": _record_type(
            "New_Business", "New Business", "Standard Sales Process", ["Price", "Lost to Competitor", "Other"]
        ),
        "Opportunity.Renewal": _record_type(
            "Renewal", "Renewal", "Renewal Process", ["pricing", "No Decision / Non-Responsive"]
        ),
    }


def _business_processes() -> dict[str, Any]:
    return {
        "Opportunity.Standard Sales Process": _business_process(
            "Standard Sales Process", "Every stage, for new business.", [s[0] for s in _STAGES]
        ),
        "Opportunity.Renewal Process": _business_process(
            "Renewal Process", "The short cycle of a renewal.", _RENEWAL_STAGES
        ),
    }


def _step(stage: str, info: str, *fields: str) -> dict[str, Any]:
    step: dict[str, Any] = {"info": info, "picklistValueName": stage}
    return {"fieldNames": list(fields), **step} if fields else step


def _paths() -> dict[str, Any]:
    return {
        "Opportunity_Sales_Path": {
            "fullName": "Opportunity_Sales_Path",
            "active": True,
            "entityName": "Opportunity",
            "fieldName": "StageName",
            "masterLabel": "Sales Path",
            "pathAssistantSteps": [
                _step("Prospecting", "<p>Research the account before the first call.</p>"),
                _step("Qualification", "<p>Ask about budget.</p>", "Amount", "CloseDate"),
                _step("Needs Analysis", "<p>Book a discovery call with the champion.</p>", "NextStep"),
                _step("Value Proposition", "<p>Use the ROI calculator on the intranet.</p>"),
            ],
            "recordTypeName": "__MASTER__",
        },
    }


def _permission_sets() -> dict[str, Any]:
    return {
        "Crmdefs_Field_Access": {
            "fullName": "Crmdefs_Field_Access",
            "description": "Field access for fields created by crmdefs.",
            "fieldPermissions": [
                {"editable": False, "field": "Opportunity.Primary_Competitor__c", "readable": True},
                {"editable": True, "field": "Lead.Current_Vendor__c", "readable": True},
            ],
            "hasActivationRequired": False,
            "label": "Crmdefs Field Access",
        }
    }
