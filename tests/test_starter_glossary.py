"""The glossary we ship is what a team starts from: complete, bound to realistic fields, and accepted
by the editor schema as well as by the validator."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from crmdefs.definitions.format import json_schema
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import Crm, Glossary, Status

from .conftest import REPO

DEFINITIONS = REPO / "definitions"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    loaded, warnings = load_glossary(DEFINITIONS)
    assert warnings == []
    return loaded


def test_the_vocabulary_of_the_issue_is_all_there(glossary: Glossary) -> None:
    expected = {
        # funnel
        "raw-lead",
        "iql",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "pipeline",
        "closed-won",
        "closed-lost",
        # scoring
        "lead-score",
        "fit-score",
        "intent-score",
        "score-decay",
        "score-threshold",
        # handoff
        "lead-routing",
        "lead-rejection",
        "lead-recycling",
        "sla",
        "handoff-documentation",
        # ICP and personas
        "icp",
        "buyer-persona",
        "deal-persona",
        "champion",
        "economic-buyer",
        # attribution and reporting
        "first-touch-attribution",
        "last-touch-attribution",
        "multi-touch-attribution",
        "marketing-sourced-pipeline",
        "marketing-influenced-pipeline",
        "closed-loop-reporting",
        "stage-conversion-rate",
        "win-loss-analysis",
        # operations
        "revops",
        "map",
        "abm",
        "abs",
        "sales-enablement",
        # the ambiguous words
        "qualified",
        "lead",
        "closed",
        "attribution",
    }
    assert expected <= set(glossary.terms)
    assert len(glossary.terms) >= 35


def test_funnel_stages_are_ordered_without_gaps(glossary: Glossary) -> None:
    stages = sorted((t.funnel_stage, t.id) for t in glossary.terms.values() if t.funnel_stage)
    assert [s for s, _ in stages] == list(range(1, len(stages) + 1))
    assert stages[0][1] == "raw-lead" and stages[-1][1] == "closed-lost"


def test_every_term_is_reviewable(glossary: Glossary) -> None:
    for term in glossary.terms.values():
        assert term.owner and term.reviewers and term.owner not in term.reviewers, term.id
        assert term.last_reviewed and term.review_every and term.changelog, term.id
        assert all(entry.date <= term.last_reviewed for entry in term.changelog), term.id
        assert "\n" not in term.summary and "\n" not in term.definition, term.id  # no hard-wrapped CRM text


def test_closed_lost_reasons_are_one_shared_list_on_both_crms(glossary: Glossary) -> None:
    reasons = glossary.picklists["closed-lost-reasons"]
    values = [v.value for v in reasons.values]
    for reason in (
        "Price",
        "Competitor",
        "No Decision",
        "Timing",
        "No Budget",
        "Missing Capability",
        "Poor Fit",
        "Champion Left",
    ):
        assert reason in values
    assert all(v.description and len(v.description) <= 255 for v in reasons.values)
    assert all(v.value_in(Crm.HUBSPOT).islower() for v in reasons.values)
    bound = {str(b.address) for b in glossary.bindings if b.picklist is reasons}
    assert bound == {"salesforce:Opportunity.Loss_Reason__c", "hubspot:deals.closed_lost_reason_code"}


def test_bindings_cover_the_funnel_fields(glossary: Glossary) -> None:
    addresses = {str(b.address) for b in glossary.bindings}
    assert {
        "salesforce:Lead.Status",
        "salesforce:Opportunity.StageName",
        "salesforce:Opportunity.Loss_Reason__c",
        "hubspot:contacts.hs_lead_status",
        "hubspot:contacts.lifecyclestage",
        "hubspot:deals.dealtype",
    } <= addresses
    for binding in glossary.bindings:  # only approved terms are written to CRMs
        if binding.document_only or binding.picklist is None:
            continue
        for value in binding.picklist.values:
            if value.term:
                assert glossary.terms[value.term].status is Status.APPROVED, (binding.address, value.term)


def test_the_editor_schema_accepts_every_shipped_document_and_rejects_typos() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    count = 0
    for path in sorted(DEFINITIONS.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            # JSON has no dates: editors see YAML dates as strings, so compare as JSON would.
            as_json = json.loads(json.dumps(document, default=str))
            errors = list(validator.iter_errors(as_json))
            assert errors == [], f"{path}: {errors[0].message}"
            count += 1
    assert count > 50
    typo = {"kind": "term", "id": "x", "name": "X", "status": "approved", "summary": "s", "definitoin": "d"}
    assert not validator.is_valid(typo)
    hubspot_help = {"kind": "field", "hubspot": "deals.dealtype", "help_text": "no such thing in HubSpot"}
    assert not validator.is_valid(hubspot_help)
