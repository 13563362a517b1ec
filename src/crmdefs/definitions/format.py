"""The definitions format and the crmdefs.yaml format, described once (see :mod:`crmdefs.definitions.schema`).

README "Definitions" documents these keys for people; ``crmdefs schema`` exports them for editors.
"""

from __future__ import annotations

from typing import Any

from crmdefs.definitions.format_hubspot import HS_CREATE, PIPELINE
from crmdefs.definitions.format_rules import CATCH_ALL, DEPENDS_ON, QUALITY, requirements
from crmdefs.definitions.schema import Bool, Date, Duration, Int, Str
from crmdefs.definitions.shapes import Either, Key, ListOf, MapOf, Obj

ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_HINT = "use lowercase letters, digits and single hyphens, e.g. 'closed-lost'"
# Salesforce API names: a letter, then letters, digits and underscores (custom ones end in __c).
SF_ADDRESS = r"[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*"
SF_ADDRESS_HINT = (
    "write Object.Field with API names, e.g. Opportunity.StageName or Opportunity.Loss_Reason__c"
)
# HubSpot: object type name or id (0-3 standard, 2-123 custom, p_name custom) + internal property name.
HS_ADDRESS = (
    r"(?:contacts|companies|deals|tickets|leads|products|line_items|quotes|calls|emails|meetings"
    r"|notes|tasks|[02]-\d+|p_[a-z0-9_]+)\.[a-z][a-z0-9_]*"
)
HS_ADDRESS_HINT = (
    "write objectType.property with the internal names, e.g. deals.dealtype or contacts.hs_lead_status"
)
SF_NAME = r"[A-Za-z][A-Za-z0-9_]*"
FORECAST_CATEGORIES = ("Omitted", "Pipeline", "BestCase", "MostLikely", "Forecast", "Closed")  # WSDL enum

TERM_ID = Str("The id of a term (kind: term).", pattern=ID_PATTERN, pattern_hint=ID_HINT)
TEXT_LIST = ListOf(item=Str())

COMPOSED_TEXT = Obj(
    "Text composed from glossary terms.",
    what="composed text",
    keys={
        "term": Key(TERM_ID),
        "terms": Key(ListOf("Several terms, one line each ('MQL: summary').", item=TERM_ID, min_items=1)),
        "use": Key(
            Str(
                "Which part of the term to use (default: summary).", choices=("summary", "definition", "name")
            )
        ),
        "intro": Key(Str("A sentence placed before the composed text.")),
    },
    one_of_required=(("term", "terms"),),
)
TEXT = Either("Literal text, or {term: id, use: summary|definition|name}.", options=(Str(), COMPOSED_TEXT))

CHANGE = Obj(
    "One dated change to a term.",
    what="a changelog entry",
    keys={
        "date": Key(Date(), required=True),
        "change": Key(Str("What changed."), required=True),
        "reason": Key(Str("Why it changed."), required=True),
    },
)

TERM = Obj(
    "A glossary term.",
    what="a term",
    keys={
        "kind": Key(Str(choices=("term",)), required=True),
        "id": Key(
            Str(
                "Unique id, referenced by bindings and other terms.", pattern=ID_PATTERN, pattern_hint=ID_HINT
            ),
            required=True,
        ),
        "name": Key(Str("Full name, e.g. Marketing Qualified Lead."), required=True),
        "abbreviation": Key(Str("e.g. MQL")),
        "category": Key(
            Str("Group in the glossary, e.g. funnel, scoring.", pattern=ID_PATTERN, pattern_hint=ID_HINT)
        ),
        "funnel_stage": Key(Int("Position in the funnel overview (1 = top).", minimum=1, maximum=99)),
        "status": Key(
            Str("Only approved terms are pushed to a CRM.", choices=("draft", "approved", "deprecated")),
            required=True,
        ),
        "owner": Key(Str("Who answers for this definition (an email or team).")),
        "reviewers": Key(ListOf("Who must review changes.", item=Str())),
        "last_reviewed": Key(Date("When the definition was last reviewed.")),
        "review_every": Key(Duration("Review cadence, e.g. '6 months' or 'quarterly'.")),
        "summary": Key(
            Str("One sentence; fits a picklist value description (255 characters).", max_len=255),
            required=True,
        ),
        "definition": Key(Str("The full definition."), required=True),
        "criteria": Key(ListOf("Conditions that must all hold.", item=Str())),
        "disqualifiers": Key(ListOf("What rules a record out.", item=Str())),
        "example": Key(Str("A concrete example.")),
        "related": Key(ListOf("Ids of related terms.", item=TERM_ID)),
        "synonyms": Key(ListOf("Other words people use for it.", item=Str())),
        "changelog": Key(ListOf("Dated changes, newest last.", item=CHANGE)),
    },
)

CRM_VALUE_OVERRIDE = Obj(
    "Where this CRM must differ.",
    what="a per-CRM override",
    keys={
        "value": Key(Str("The stored value in this CRM (Salesforce API name / HubSpot internal value).")),
        "label": Key(Str("The label shown in this CRM.")),
    },
)

PICKLIST_VALUE = Obj(
    "One picklist value.",
    what="a picklist value",
    keys={
        "value": Key(
            Str("The stored value: Salesforce API name and HubSpot internal value unless overridden."),
            required=True,
        ),
        "label": Key(Str("Display label (default: the value).")),
        "description": Key(Str("What the value means (default: the summary of 'term').")),
        "term": Key(TERM_ID),
        "default": Key(Bool("The default value (at most one per list).")),
        "synonyms": Key(ListOf("Free-text phrasings that mean this value.", item=Str())),
        "renamed_from": Key(
            ListOf(
                "Old stored values this value replaces; `apply --migrate-records` moves their records here.",
                item=Str(),
            )
        ),
        "salesforce": Key(CRM_VALUE_OVERRIDE),
        "hubspot": Key(CRM_VALUE_OVERRIDE),
        "closed": Key(Bool("Salesforce OpportunityStage, HubSpot deal stage: the stage closes the deal.")),
        "won": Key(Bool("Salesforce OpportunityStage, HubSpot deal stage: the stage means the deal is won.")),
        "probability": Key(
            Int("A stage's default probability in percent (as for 'won').", minimum=0, maximum=100)
        ),
        "forecast_category": Key(
            Str(
                "Salesforce OpportunityStage forecast category (Metadata API names).",
                choices=FORECAST_CATEGORIES,
                choice_hints=(
                    ("Commit", "the Metadata API calls the 'Commit' category 'Forecast'"),
                    ("Best Case", "write 'BestCase' (the Metadata API name)"),
                    ("Most Likely", "write 'MostLikely' (the Metadata API name)"),
                ),
            )
        ),
        "converted": Key(Bool("Salesforce LeadStatus: the status marks a converted lead.")),
        "catch_all": Key(CATCH_ALL),
    },
)
VALUES = ListOf("The values, in the order they should appear.", item=PICKLIST_VALUE, min_items=1)

PICKLIST = Obj(
    "A shared list of values, bound to fields on either CRM.",
    what="a picklist",
    keys={
        "kind": Key(Str(choices=("picklist",)), required=True),
        "id": Key(
            Str("Unique id, referenced by field bindings.", pattern=ID_PATTERN, pattern_hint=ID_HINT),
            required=True,
        ),
        "name": Key(Str(), required=True),
        "description": Key(Str()),
        "term": Key(TERM_ID),
        "sorted": Key(Bool("Show values alphabetically instead of in the listed order.")),
        "values": Key(VALUES, required=True),
    },
)
INLINE_PICKLIST = Obj(
    "Values for this field only.",
    what="an inline picklist",
    keys={
        "values": Key(VALUES, required=True),
        "sorted": Key(Bool()),
    },
)
PICKLIST_REF = Either(
    "A picklist id, or {values: [...]}.",
    options=(Str(pattern=ID_PATTERN, pattern_hint=ID_HINT), INLINE_PICKLIST),
)

_COMMON_BINDING: dict[str, Key] = {
    "kind": Key(Str(choices=("field",)), required=True),
    "label": Key(TEXT),
    "description": Key(TEXT),
    "picklist": Key(PICKLIST_REF),
    "unlisted_values": Key(
        Str(
            "What to do with values the CRM has and the YAML does not list "
            "(deactivate = Salesforce inactive / HubSpot hidden; never deleted).",
            choices=("keep", "deactivate"),
        )
    ),
    "document_only": Key(Bool("Document and compare this field, never write it.")),
    "requirements": Key(requirements(TEXT)),
    "quality": Key(QUALITY),
}


def _names_or_all(description: str, name: Str) -> Either:
    return Either(description, options=(ListOf(item=name), Str(choices=("all",))))


SF_CREATE = Obj(
    "How to create the field if it does not exist.",
    what="a Salesforce 'create'",
    keys={
        "label": Key(Str(max_len=40), required=True),
        "type": Key(Str(choices=("Picklist", "MultiselectPicklist")), required=True),
        "restricted": Key(Bool("Only listed values may be saved.")),
        "permission_set": Key(
            Str(
                "API name of the permission set that keeps the field readable and editable (created if "
                "missing; plan shows a missing grant).",
                pattern=SF_NAME,
                pattern_hint="use a Salesforce API name, e.g. Crmdefs_Fields",
            )
        ),
    },
)
SF_BINDING = Obj(
    "A Salesforce field carrying definitions.",
    what="a Salesforce field binding",
    keys={
        "salesforce": Key(
            Str("Object.Field", pattern=SF_ADDRESS, pattern_hint=SF_ADDRESS_HINT), required=True
        ),
        "help_text": Key(TEXT),
        "record_types": Key(
            _names_or_all(
                "Record types that must offer the values, or 'all'.",
                Str(pattern=SF_NAME, pattern_hint="use the record type's API (developer) name"),
            )
        ),
        "business_processes": Key(
            _names_or_all(
                "Opportunity.StageName, Lead.Status, Case.Status: the sales, lead or support processes that "
                "must offer the values, or 'all' (every one an active record type uses).",
                Str(pattern=r"\S(?:.*\S)?", pattern_hint="use the process name, e.g. Standard Sales Process"),
            )
        ),
        "create": Key(SF_CREATE),
        "depends_on": Key(DEPENDS_ON),
        "path_guidance": Key(
            Either(
                "Opportunity.StageName only: push each stage's definition as Path 'Guidance for Success', on "
                "the master record type or the ones listed (or 'all').",
                options=(
                    ListOf(item=Str(pattern=SF_NAME, pattern_hint="use record type API names")),
                    Str(choices=("master", "all")),
                ),
            )
        ),
        **_COMMON_BINDING,
    },
    unknown_hints={"hubspot": "bind the HubSpot property in its own document (separate it with ---)"},
)

HS_BINDING = Obj(
    "A HubSpot property carrying definitions.",
    what="a HubSpot field binding",
    keys={
        "hubspot": Key(
            Str("objectType.property", pattern=HS_ADDRESS, pattern_hint=HS_ADDRESS_HINT), required=True
        ),
        "create": Key(HS_CREATE),
        "pipeline": Key(PIPELINE),
        **_COMMON_BINDING,
    },
    unknown_hints={
        "help_text": "HubSpot properties have no help text; put the text in 'description'",
        "record_types": "record types exist only in Salesforce",
        "business_processes": "business processes exist only in Salesforce; HubSpot has pipelines",
        "depends_on": "dependent picklists exist only in Salesforce; in HubSpot, show options conditionally "
        "in forms (form field logic)",
        "salesforce": "bind the Salesforce field in its own document (separate it with ---)",
    },
)

DOCUMENT_KINDS = {"term": TERM, "picklist": PICKLIST}


def binding_spec(data: dict[str, Any]) -> Obj:
    """The binding spec for a ``kind: field`` document: chosen by which CRM it names."""
    return HS_BINDING if "hubspot" in data and "salesforce" not in data else SF_BINDING


# --- crmdefs.yaml ---------------------------------------------------------------------------------

ENV_NAME = Str(
    "Name of an environment variable.",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    pattern_hint="use an environment variable name, e.g. SALESFORCE_ACCESS_TOKEN",
)
SF_TARGET = Obj(
    "A Salesforce org.",
    what="a Salesforce target",
    keys={
        "instance_url": Key(
            Str(
                "e.g. https://acme.my.salesforce.com",
                pattern=r"https?://[^\s/]+/?",
                pattern_hint="write the org's base URL, e.g. https://acme.my.salesforce.com",
            )
        ),
        "api_version": Key(
            Str("e.g. '62.0'", pattern=r"\d{2}\.0", pattern_hint="write it in quotes, e.g. '62.0'")
        ),
        "auth": Key(
            Str(
                "How to sign in (default access_token).",
                choices=("access_token", "password", "jwt", "sf_cli"),
            )
        ),
        "access_token_env": Key(ENV_NAME),
        "username": Key(Str()),
        "password_env": Key(ENV_NAME),
        "security_token_env": Key(ENV_NAME),
        "domain": Key(
            Str(
                "login, test, or your My Domain such as acme.my",
                pattern=r"[A-Za-z0-9.-]+",
                pattern_hint="write login, test or e.g. acme.my",
            )
        ),
        "client_id_env": Key(ENV_NAME),
        "key_file": Key(Str("Path to the JWT private key.")),
        "sf_alias": Key(Str("The alias of an `sf org login` session.")),
    },
)
HS_TARGET = Obj(
    "A HubSpot portal.",
    what="a HubSpot target",
    keys={
        "base_url": Key(
            Str(
                "Default https://api.hubapi.com",
                pattern=r"https?://[^\s/]+/?",
                pattern_hint="write the API base URL, e.g. https://api.hubapi.com",
            )
        ),
        "access_token_env": Key(ENV_NAME),
        "api_version": Key(
            Str("'2026-03' (default, dated APIs) or 'v3' (ends Sep 2027)", choices=("2026-03", "v3"))
        ),
    },
)
TARGET = Obj(
    "One CRM environment (a Salesforce org and/or a HubSpot portal).",
    what="a target",
    keys={
        "description": Key(Str()),
        "salesforce": Key(SF_TARGET),
        "hubspot": Key(HS_TARGET),
        "ca_bundle": Key(Str("A PEM file of certificate authorities to trust for this target.")),
    },
)
CONFIG = Obj(
    "crmdefs.yaml",
    what="crmdefs.yaml",
    keys={
        "definitions": Key(Str("The definitions directory, relative to crmdefs.yaml (default definitions).")),
        "default_target": Key(Str("The target used when --target is not given.")),
        "require_reviewer_not_owner": Key(
            Bool(
                "Approved terms need a reviewer other than their owner (validate and plan refuse otherwise)."
            )
        ),
        "targets": Key(
            MapOf("Named targets.", what="targets", value=TARGET, key_hint="use letters, digits, '-' and '_'")
        ),
        "glossary_title": Key(Str("The glossary's title in `crmdefs docs`, e.g. 'Acme revenue glossary'.")),
    },
)


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one definitions document, for yaml-language-server."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://crmdefs.dev/schema/definitions.json",
        "title": "crmdefs definitions document",
        "description": "One YAML document: a term, a shared picklist, or a field binding.",
        "oneOf": [TERM.json(), PICKLIST.json(), SF_BINDING.json(), HS_BINDING.json()],
    }
