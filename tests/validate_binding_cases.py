"""Broken definitions, part 2: picklists (duplicate, default and renamed values) and field bindings
(addresses, texts and their Salesforce limits, stage and status attributes, record types, create specs).
Run by tests/test_validate_errors.py.
"""

from __future__ import annotations

from .validate_document_cases import LONG, TERM

BINDING_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "duplicate picklist value, case-insensitive",
        {
            "a.yaml": "kind: picklist\nid: reasons\nname: Reasons\nvalues:\n  - value: Price\n  - value: price\n"
        },
        [
            "definitions/a.yaml:6:12: duplicate picklist value 'price' in Salesforce (also at line 5) — give each "
            "value a unique value"
        ],
    ),
    (
        "duplicate value only after a HubSpot override",
        {
            "a.yaml": "kind: picklist\nid: reasons\nname: Reasons\nvalues:\n  - {value: Price, hubspot: {value: p}}\n"
            "  - {value: Pricing, hubspot: {value: p}}\n"
        },
        [
            "definitions/a.yaml:6:39: duplicate picklist value 'p' in HubSpot (also at line 5) — give each value a "
            "unique value"
        ],
    ),
    (
        "more than one default",
        {
            "a.yaml": "kind: picklist\nid: reasons\nname: Reasons\nvalues:\n  - {value: A, default: true}\n"
            "  - {value: B, default: true}\n"
        },
        [
            "definitions/a.yaml:6:25: more than one default value (lines 5, 6) — keep 'default: true' on one value "
            "only"
        ],
    ),
    (
        "a renamed value that is still listed",
        {
            "a.yaml": "kind: picklist\nid: r\nname: R\nvalues:\n  - {value: Price, renamed_from: [pricing]}\n"
            "  - {value: pricing}\n"
        },
        [
            "definitions/a.yaml:5:35: 'pricing' is renamed to 'Price' but is also listed as a value — remove it "
            "from the values or from renamed_from"
        ],
    ),
    (
        "path guidance on a field without a Path",
        {"a.yaml": "kind: field\nsalesforce: Lead.Status\npath_guidance: all\n"},
        [
            "definitions/a.yaml:3:16: path_guidance applies to Opportunity.StageName only — remove it from this "
            "binding"
        ],
    ),
    (
        "unknown picklist in a binding",
        {"a.yaml": "kind: field\nsalesforce: Opportunity.Loss_Reason__c\npicklist: loss-reason\n"},
        [
            "definitions/a.yaml:3:11: unknown picklist 'loss-reason' — define a picklist with id 'loss-reason' or fix "
            "the reference"
        ],
    ),
    (
        "malformed Salesforce address",
        {"a.yaml": "kind: field\nsalesforce: Opportunity\nhelp_text: Why.\n"},
        [
            "definitions/a.yaml:2:13: 'salesforce' has an invalid value 'Opportunity' — write Object.Field with API "
            "names, e.g. Opportunity.StageName or Opportunity.Loss_Reason__c"
        ],
    ),
    (
        "malformed HubSpot address",
        {"a.yaml": "kind: field\nhubspot: Deals.DealType\ndescription: Why.\n"},
        [
            "definitions/a.yaml:2:10: 'hubspot' has an invalid value 'Deals.DealType' — write objectType.property "
            "with the internal names, e.g. deals.dealtype or contacts.hs_lead_status"
        ],
    ),
    (
        "binding naming both CRMs",
        {"a.yaml": "kind: field\nsalesforce: Lead.Status\nhubspot: contacts.hs_lead_status\n"},
        [
            "definitions/a.yaml:3:1: unknown key 'hubspot' in a Salesforce field binding — bind the HubSpot property "
            "in its own document (separate it with ---)"
        ],
    ),
    (
        "help text on HubSpot",
        {"a.yaml": "kind: field\nhubspot: deals.dealtype\nhelp_text: Why.\n"},
        [
            "definitions/a.yaml:3:1: unknown key 'help_text' in a HubSpot field binding — HubSpot properties have no "
            "help text; put the text in 'description'"
        ],
    ),
    (
        "help text longer than Salesforce allows",
        {"a.yaml": f"kind: field\nsalesforce: Lead.Lead_Score__c\nhelp_text: {LONG}\n"},
        [
            "definitions/a.yaml:3:12: help_text of salesforce:Lead.Lead_Score__c is 600 characters; Salesforce "
            "allows 510 — shorten it"
        ],
    ),
    (
        "description longer than Salesforce allows after composition",
        {
            "a.yaml": TERM.replace("definition: A lead", "definition: " + "z" * 990 + " A lead"),
            "b.yaml": "kind: field\nsalesforce: Lead.Lead_Score__c\ndescription:\n  intro: Read this.\n"
            "  term: mql\n  use: definition\n",
        },
        [
            "definitions/b.yaml:4:3: description of salesforce:Lead.Lead_Score__c is 1057 characters after "
            "composition; Salesforce allows 1000 — shorten the terms' text, compose fewer terms, or use 'use: "
            "summary'"
        ],
    ),
    (
        "composed from an unknown term",
        {"a.yaml": TERM, "b.yaml": "kind: field\nsalesforce: Lead.Status\nhelp_text: {terms: [mql, sal]}\n"},
        ["definitions/b.yaml:3:26: unknown term 'sal' — define a term with id 'sal' or fix the reference"],
    ),
    (
        "picklist value description longer than Salesforce allows",
        {
            "a.yaml": f"kind: field\nsalesforce: Account.Tier__c\npicklist:\n  values:\n"
            f"    - {{value: Gold, description: {'d' * 300}}}\n"
        },
        [
            "definitions/a.yaml:5:34: description of value 'Gold' is 300 characters; Salesforce allows 255 (bound "
            "to salesforce:Account.Tier__c) — shorten it"
        ],
    ),
    (
        "OpportunityStage value without its stage attributes",
        {
            "a.yaml": "kind: field\nsalesforce: Opportunity.StageName\npicklist:\n  values:\n"
            "    - {value: Discovery, closed: false}\n"
        },
        [
            "definitions/a.yaml:5:7: value 'Discovery' is missing won, probability, forecast_category, which "
            "Salesforce requires for OpportunityStage values (Opportunity.StageName) — add closed, won, probability, "
            "forecast_category to every value"
        ],
    ),
    (
        "LeadStatus value without converted, in a shared picklist file",
        {
            "p.yaml": "kind: picklist\nid: statuses\nname: Statuses\nvalues:\n  - value: Working\n",
            "f.yaml": "kind: field\nsalesforce: Lead.Status\npicklist: statuses\n",
        },
        [
            "definitions/p.yaml:5:5: value 'Working' is missing converted, which Salesforce requires for LeadStatus "
            "values (Lead.Status) — add converted to every value"
        ],
    ),
    (
        "forecast category written as shown in Setup",
        {
            "a.yaml": "kind: field\nsalesforce: Opportunity.StageName\npicklist:\n  values:\n    - value: Commit\n"
            "      closed: false\n      won: false\n      probability: 90\n      forecast_category: Commit\n"
        },
        [
            "definitions/a.yaml:9:26: 'picklist.values[0].forecast_category' must be one of Omitted, Pipeline, "
            "BestCase, MostLikely, Forecast, Closed, not 'Commit' — the Metadata API calls the 'Commit' category "
            "'Forecast'"
        ],
    ),
    (
        "won stage that is not closed",
        {
            "a.yaml": "kind: field\nsalesforce: Opportunity.StageName\npicklist:\n  values:\n"
            "    - {value: Won, closed: false, won: true, probability: 100, forecast_category: Closed}\n"
        },
        ["definitions/a.yaml:5:40: stage 'Won' is won but not closed — set closed: true"],
    ),
    (
        "one record type written without the list brackets",
        {"a.yaml": "kind: field\nsalesforce: Opportunity.Tier__c\nrecord_types: Renewal\n"},
        [
            "definitions/a.yaml:3:15: 'record_types' must be a list or all, not 'Renewal' — write a list: [Renewal]"
        ],
    ),
    (
        "record types without a picklist",
        {"a.yaml": "kind: field\nsalesforce: Opportunity.Tier__c\nrecord_types: [Renewal]\n"},
        ["definitions/a.yaml:3:15: 'record_types' needs a picklist — add 'picklist:' or remove this key"],
    ),
    (
        "record types on the stage field, whose values per record type live in sales processes",
        {
            "a.yaml": "kind: field\nsalesforce: Opportunity.StageName\nrecord_types: [Renewal]\npicklist:\n"
            "  values:\n    - {value: Won, closed: true, won: true, probability: 100, forecast_category: Closed}\n"
        },
        [
            "definitions/a.yaml:3:15: the values each record type offers for Opportunity.StageName come from its "
            "sales process, not from the record type — use 'business_processes: [Name, …]' or "
            "'business_processes: all' instead"
        ],
    ),
    (
        "record types on Lead.Status",
        {
            "a.yaml": "kind: field\nsalesforce: Lead.Status\nrecord_types: all\npicklist:\n"
            "  values:\n    - {value: Working, converted: false}\n"
        },
        [
            "definitions/a.yaml:3:15: the values each record type offers for Lead.Status come from its lead "
            "process, not from the record type — use 'business_processes: [Name, …]' or "
            "'business_processes: all' instead"
        ],
    ),
    (
        "business processes on a field that has none",
        {
            "a.yaml": "kind: field\nsalesforce: Opportunity.Tier__c\nbusiness_processes: all\npicklist:\n"
            "  values: [{value: Gold}]\n"
        },
        [
            "definitions/a.yaml:3:21: business_processes applies to Opportunity.StageName, Lead.Status, "
            "Case.Status only — use 'record_types:' to make record types offer the values of other fields"
        ],
    ),
    (
        "business processes without a picklist",
        {"a.yaml": "kind: field\nsalesforce: Case.Status\nbusiness_processes: [Support]\n"},
        [
            "definitions/a.yaml:3:21: 'business_processes' needs a picklist — add 'picklist:' or remove this key"
        ],
    ),
    (
        "a blank business process name",
        {
            "a.yaml": "kind: field\nsalesforce: Case.Status\nbusiness_processes: [' ']\npicklist:\n"
            "  values: [{value: New, closed: false}]\n"
        },
        ["definitions/a.yaml:3:22: 'business_processes[0]' is empty — write the text or remove the key"],
    ),
    (
        "the same field bound twice",
        {
            "a.yaml": "kind: field\nsalesforce: Lead.Status\nhelp_text: A.\n---\nkind: field\nsalesforce: Lead.Status\n"
            "description: B.\n"
        },
        [
            "definitions/a.yaml:6:13: salesforce:Lead.Status is bound twice (first at definitions/a.yaml:2) — merge "
            "the two bindings into one"
        ],
    ),
    (
        "create on a standard Salesforce field",
        {
            "a.yaml": "kind: field\nsalesforce: Lead.Status\npicklist: {values: [{value: New, converted: false}]}\n"
            "create: {label: Status, type: Picklist}\n"
        },
        [
            "definitions/a.yaml:4:9: Lead.Status is a standard field; only custom fields (ending in __c) can be "
            "created — remove 'create'"
        ],
    ),
    (
        "create on a HubSpot-defined property",
        {
            "a.yaml": "kind: field\nhubspot: deals.dealtype\npicklist: {values: [{value: newbusiness}]}\n"
            "create: {label: Type, type: enumeration, field_type: select, group: dealinformation}\n"
        },
        [
            "definitions/a.yaml:4:9: deals.dealtype is HubSpot-defined and exists in every portal — remove 'create'"
        ],
    ),
    (
        "HubSpot field type that does not fit the property type",
        {
            "a.yaml": "kind: field\nhubspot: deals.reason_code\npicklist: {values: [{value: a}]}\n"
            "create: {label: Reason, type: enumeration, field_type: textarea, group: dealinformation}\n"
        },
        [
            "definitions/a.yaml:4:56: field_type 'textarea' does not fit type 'enumeration' — use one of: checkbox, "
            "radio, select"
        ],
    ),
    (
        "options on HubSpot's free-text closed_lost_reason",
        {"a.yaml": "kind: field\nhubspot: deals.closed_lost_reason\npicklist: {values: [{value: price}]}\n"},
        [
            "definitions/a.yaml:3:11: deals.closed_lost_reason is a free-text HubSpot property and cannot hold "
            "options — bind a custom enumeration property instead (with 'create:')"
        ],
    ),
]
