"""Renamed values and record migration on the sandbox's seeded opportunities: counts shown, nothing
deactivated while records hold it, `--migrate-records` moves them, revert puts every record back."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from .conftest import REPO, Result, RunCli
from .test_plan_apply import sandbox_clients

RENAMES = {
    "pricing": "Price",
    "Lost to Competitor": "Competitor",
    "No Decision / Non-Responsive": "No Decision",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def loss_reasons(project: Path) -> tuple[Counter[str | None], dict[str, bool]]:
    """Records per Loss_Reason__c value, and each value's active flag, through the sandbox's own API."""
    sandbox, sf, _ = sandbox_clients(project)
    try:
        records = sf.query_all("SELECT Id, Loss_Reason__c FROM Opportunity WHERE Loss_Reason__c != null")
        field = sf.mdapi.CustomField.read(["Opportunity.Loss_Reason__c"])
    finally:
        sandbox.stop()
    counts = Counter(r["Loss_Reason__c"] for r in records["records"])
    active = {v.fullName: v.isActive is not False for v in field.valueSet.valueSetDefinition.value}
    return counts, active


def test_renamed_values_keep_their_records_until_migrated_then_revert_restores(
    run_cli: RunCli, project: Path
) -> None:
    before, _ = loss_reasons(project)
    assert before["pricing"] > 0

    plan = run_cli("plan")
    assert plan.code == 0
    assert f"{before['pricing']} records still hold 'pricing'" in plan.out
    assert run_cli("apply", "--auto-approve").code == 0
    kept, active = loss_reasons(project)
    assert kept == before and active["pricing"]  # no flag: not deactivated, no record touched

    migrated = run_cli("apply", "--auto-approve", "--migrate-records")
    assert migrated.code == 0, migrated.out + migrated.err
    after, active = loss_reasons(project)
    expected: Counter[str | None] = Counter()
    for value, count in before.items():
        expected[RENAMES.get(str(value), value)] += count
    assert after == expected  # counts before = counts after, summed over the mapping
    assert not any(active[old] for old in RENAMES) and set(RENAMES) <= set(active)  # inactive, not deleted
    assert run_cli("plan", "--detailed-exitcode").code == 0

    backup = sorted((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))[-1]
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    restored, active = loss_reasons(project)
    assert restored == before and active["pricing"]


def deals(project: Path) -> dict[str, dict[str, str | None]]:
    sandbox, _, hs = sandbox_clients(project)
    try:
        from hubspot.crm.objects import PublicObjectSearchRequest

        found: dict[str, dict[str, str | None]] = {}
        after = None
        while True:
            request = PublicObjectSearchRequest(
                filter_groups=[{"filters": [{"propertyName": "dealname", "operator": "HAS_PROPERTY"}]}],
                properties=["closed_lost_reason", "closed_lost_reason_code"],
                limit=100,
                after=after,
            )
            page = hs.crm.objects.search_api.do_search(
                object_type="deals", public_object_search_request=request
            )
            found.update({r.id: dict(r.properties) for r in page.results})
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                return found
    finally:
        sandbox.stop()


def suggest_reason_codes(run_cli: RunCli) -> Result:
    """`suggest-mapping` from the free-text loss reason to its code property, into mapping.yaml."""
    return run_cli(
        "suggest-mapping",
        "--from",
        "hubspot:deals.closed_lost_reason",
        "--to",
        "hubspot:deals.closed_lost_reason_code",
        "--out",
        "mapping.yaml",
    )


def test_free_text_reasons_become_codes_through_a_reviewed_mapping(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0  # creates the code property
    before = deals(project)
    suggested = suggest_reason_codes(run_cli)
    assert suggested.code == 0 and "Review it before applying" in suggested.out
    text = (project / "mapping.yaml").read_text()
    assert "{text: Pricing!!, records: 1, code: price, match: renamed}" in text  # a renamed_from spelling
    assert "{text: Chose Globex, records: 1, code: null, match: none}" in text  # never guessed

    # The review: a person decides every open entry (here: competitors by name, the rest "other").
    reviewed = text.replace(
        "text: Chose Globex, records: 1, code: null", "text: Chose Globex, records: 1, code: competitor"
    )
    reviewed = reviewed.replace("code: null", "code: other")
    (project / "mapping.yaml").write_text(reviewed)
    applied = run_cli("apply", "--auto-approve", "--migrate-records", "--mapping", "mapping.yaml")
    assert applied.code == 0, applied.out + applied.err

    after = deals(project)
    with_text = {i for i, p in before.items() if (p.get("closed_lost_reason") or "").strip()}
    assert with_text and all(after[i]["closed_lost_reason_code"] for i in with_text)
    assert all(after[i]["closed_lost_reason"] == before[i]["closed_lost_reason"] for i in before)  # untouched
    globex = next(i for i, p in before.items() if p.get("closed_lost_reason") == "Chose Globex")
    assert after[globex]["closed_lost_reason_code"] == "competitor"

    backup = sorted((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))[-1]
    assert run_cli("revert", str(backup), "--auto-approve").code == 0
    assert all(not deals(project)[i].get("closed_lost_reason_code") for i in with_text)


def test_the_summary_is_the_last_line_of_an_apply_with_a_mapping_and_of_its_revert(
    run_cli: RunCli, project: Path
) -> None:
    # One apply creates the code property, migrates renamed values and fills the codes: the records'
    # line comes before "Apply complete", which is the last line; so does revert's "records restored".
    suggested = suggest_reason_codes(run_cli)
    assert suggested.code == 0, suggested.err
    mapping = project / "mapping.yaml"
    mapping.write_text(mapping.read_text().replace("code: null", "code: other"))
    applied = run_cli("apply", "--auto-approve", "--migrate-records", "--mapping", "mapping.yaml")
    assert applied.code == 0, applied.out + applied.err
    lines = applied.out.rstrip().splitlines()
    assert lines[-1].startswith("Apply complete: "), applied.out
    assert any(" given a closed_lost_reason_code from the mapping (0 failed)" in line for line in lines)

    backup = sorted((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))[0]  # the fields' backup
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    lines = reverted.out.rstrip().splitlines()
    assert lines[-1].startswith("Revert complete: ") and " restored, 0 failed." in lines[-2], reverted.out


def test_a_mapping_with_an_unknown_code_is_refused(run_cli: RunCli, project: Path) -> None:
    (project / "mapping.yaml").write_text(
        "kind: mapping\nsource: hubspot:deals.closed_lost_reason\ntarget: hubspot:deals.closed_lost_reason_code\n"
        "entries:\n  - {text: meh, records: 1, code: vibes}\n"
    )
    result = run_cli("apply", "--auto-approve", "--migrate-records", "--mapping", "mapping.yaml")
    assert result.code == 1
    assert "entry 1 ('meh'): code 'vibes' is not one of" in result.err and "Traceback" not in result.err


def test_stage_definitions_land_on_the_path_of_every_record_type(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    sandbox, sf, _ = sandbox_clients(project)
    try:
        paths = sf.mdapi.PathAssistant.read(
            # the master record type's Path is the org's own (seeded), updated in place
            ["Opportunity_Sales_Path", "crmdefs_Opportunity_New_Business", "crmdefs_Opportunity_Renewal"]
        )
    finally:
        sandbox.stop()
    stages = [
        "Prospecting",
        "Qualification",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    ]
    assert [p.recordTypeName for p in paths] == ["__MASTER__", "New_Business", "Renewal"]
    for path in paths:
        steps = {s.picklistValueName: s.info for s in path.pathAssistantSteps}
        assert [s for s in steps if s in stages] == stages
        assert steps["Qualification"].startswith("<p>A lead a rep has spoken with")
        assert "<ul><li>" in steps["Qualification"]  # the exit criteria of the term
    assert run_cli("plan", "--detailed-exitcode").code == 0


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("{text: meh, records: lots, code: price}", "entry 1 ('meh'): records must be a whole number"),
        ("{text: meh, records: 1, code: [price]}", "entry 1 ('meh'): code ['price'] is not one of"),
        ("just text", "entry 1 needs a text"),
    ],
)
def test_a_broken_mapping_entry_is_a_clear_error(
    run_cli: RunCli, project: Path, entry: str, problem: str
) -> None:
    (project / "mapping.yaml").write_text(
        "kind: mapping\nsource: hubspot:deals.closed_lost_reason\ntarget: hubspot:deals.closed_lost_reason_code\n"
        f"entries:\n  - {entry}\n"
    )
    result = run_cli("apply", "--auto-approve", "--migrate-records", "--mapping", "mapping.yaml")
    assert result.code == 1
    assert problem in result.err and "Traceback" not in result.err


# A multi-select picklist holds several values per record, "a;b" (docs/salesforce.md#sf-multiselect-not-groupable):
# Billing is renamed Payments; a record's other selections stay.
PRODUCT_INTEREST = """\
kind: field
salesforce: Lead.Product_Interest__c
help_text: The products the lead asked about.
picklist:
  values:
    - {value: CRM, label: CRM}
    - {value: Analytics, label: Analytics}
    - {value: Payments, label: Payments, renamed_from: [Billing]}
    - {value: Support, label: Support}
"""


def product_interest(project: Path) -> dict[str, str | None]:
    sandbox, sf, _ = sandbox_clients(project)
    try:
        records = sf.query_all("SELECT Id, LastName, Product_Interest__c FROM Lead")
    finally:
        sandbox.stop()
    return {r["LastName"]: r["Product_Interest__c"] for r in records["records"]}


def test_a_multi_select_rename_swaps_one_selection_and_keeps_the_others(
    run_cli: RunCli, project: Path
) -> None:
    (project / "definitions" / "fields" / "interest.yaml").write_text(PRODUCT_INTEREST, encoding="utf-8")
    before = product_interest(project)
    holding = [name for name, value in before.items() if value and "Billing" in value.split(";")]
    assert len(holding) > 1 and any(";" in str(before[name]) for name in holding)

    plan = run_cli("plan", "--only", "salesforce:Lead.Product_Interest__c")
    assert plan.code == 0, plan.out + plan.err
    # Counted per selection: a lead with "Analytics;Billing" holds Billing too.
    assert f"{len(holding)} records still hold 'Billing'" in plan.out, plan.out + plan.err

    migrated = run_cli("apply", "--auto-approve", "--migrate-records")
    assert migrated.code == 0, migrated.out + migrated.err
    after = product_interest(project)
    assert after == {
        name: value.replace("Billing", "Payments") if value else value for name, value in before.items()
    }  # "Analytics;Billing" → "Analytics;Payments": the other selections and their order are kept
    assert run_cli("plan", "--detailed-exitcode").code == 0

    backup = sorted((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))[-1]
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    assert product_interest(project) == before


# A multiple-checkbox property holds several choices per record, "a;b" (docs/hubspot.md#hs-multi-checkbox-values):
# Budget Holder is merged into Decision Maker; a record's other choices stay, and none is chosen twice.
BUYING_ROLE = """\
kind: field
hubspot: contacts.hs_buying_role
picklist:
  values:
    - {value: DECISION_MAKER, label: Decision Maker, renamed_from: [BUDGET_HOLDER]}
    - {value: CHAMPION, label: Champion}
    - {value: END_USER, label: End User}
    - {value: INFLUENCER, label: Influencer}
"""


def buying_roles(project: Path) -> dict[str, str | None]:
    sandbox, _, hs = sandbox_clients(project)
    try:
        request = {"properties": ["hs_buying_role"], "limit": 100}
        page = hs.crm.contacts.search_api.do_search(public_object_search_request=request)
    finally:
        sandbox.stop()
    return {r.id: r.properties.get("hs_buying_role") for r in page.results}


def test_a_multiple_checkbox_merge_swaps_one_choice_and_keeps_the_others(
    run_cli: RunCli, project: Path
) -> None:
    (project / "definitions" / "fields" / "roles.yaml").write_text(BUYING_ROLE, encoding="utf-8")
    before = buying_roles(project)
    holding = [i for i, value in before.items() if "BUDGET_HOLDER" in (value or "").split(";")]
    assert len(holding) > 1 and any(";" in str(before[i]) for i in holding)

    plan = run_cli("plan", "--only", "hubspot:contacts.hs_buying_role")
    assert plan.code == 0, plan.out + plan.err
    assert f"{len(holding)} records still hold 'BUDGET_HOLDER'" in plan.out  # counted per choice

    migrated = run_cli("apply", "--auto-approve", "--migrate-records")
    assert migrated.code == 0, migrated.out + migrated.err
    merged = {
        "BUDGET_HOLDER": "DECISION_MAKER",
        "BUDGET_HOLDER;CHAMPION": "DECISION_MAKER;CHAMPION",  # the other choice and the order kept
        "DECISION_MAKER;BUDGET_HOLDER": "DECISION_MAKER",  # already chosen: not twice
        "END_USER;BUDGET_HOLDER;INFLUENCER": "END_USER;DECISION_MAKER;INFLUENCER",
    }
    assert buying_roles(project) == {i: merged.get(str(v), v) for i, v in before.items()}
    assert run_cli("plan", "--detailed-exitcode").code == 0

    backup = sorted((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))[-1]
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    assert buying_roles(project) == before
