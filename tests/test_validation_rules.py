"""`requirements:` → Salesforce validation rules, end to end through the real CLI on the sandbox: the plan
counts the records that fail the rule today, apply creates it (read back from the sandbox's metadata), a
record update that breaks it is refused with Salesforce's error shape, the next plan is empty, drift
notices a rule edited in the CRM, a removed requirement deactivates (never deletes) its rule, `active:
false` creates it inactive, and a migration the rule blocks names the records it could not move."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from crmdefs.sandbox.records_seed import records_seed

from .conftest import REPO, RunCli, write_files
from .test_plan_apply import sandbox_clients

RULE = "Opportunity.crmdefs_StageName_Closed_Lost"
FIELDS = Path("definitions") / "fields" / "salesforce.yaml"
SHIPPED_MESSAGE = '    message: {intro: "Choose a Loss Reason before you set the stage to Closed Lost.", term: closed-lost}\n'
REQUIREMENT = (
    "requirements:   # a Salesforce validation rule: no Closed Lost without a reason\n"
    "  - when: [Closed Lost]\n"
    "    require: [Loss_Reason__c]\n"
    "    # What a rep sees when saving Closed Lost without a reason (at most 255 characters).\n"
    + SHIPPED_MESSAGE
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def edit_definitions(project: Path, old: str, new: str) -> None:
    path = project / FIELDS
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def opportunities() -> dict[str, dict[str, Any]]:
    """The seeded opportunities, straight from the seed (not counted by crmdefs)."""
    found: dict[str, dict[str, Any]] = records_seed()["salesforce"]["records"]["Opportunity"]
    return found


def rule_in_sandbox(project: Path, name: str = RULE) -> Any:
    sandbox, sf, _ = sandbox_clients(project)
    try:
        return sf.mdapi.ValidationRule.read([name])
    finally:
        sandbox.stop()


def test_apply_creates_the_rule_the_plan_counted_and_the_record_api_enforces_it(
    run_cli: RunCli, project: Path
) -> None:
    failing = [
        r for r in opportunities().values() if r["StageName"] == "Closed Lost" and not r["Loss_Reason__c"]
    ]
    assert failing  # the seeded org has closed-lost deals without a reason
    plan = run_cli("plan")
    assert plan.code == 0, plan.err
    assert "+ validation rule crmdefs_StageName_Closed_Lost (active)" in plan.out
    assert 'formula: AND(ISPICKVAL(StageName, "Closed Lost"), ISPICKVAL(Loss_Reason__c, ""))' in plan.out
    assert f"! {len(failing)} records fail it today" in plan.out

    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    rule = rule_in_sandbox(project)
    assert (rule.fullName, rule.active, rule.errorDisplayField) == (RULE, True, "Loss_Reason__c")
    assert rule.errorMessage.startswith(
        "Choose a Loss Reason before you set the stage to Closed Lost.\nAn opportunity"
    )
    assert "Managed by crmdefs for Opportunity.StageName" in rule.description
    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0, again.out

    open_deal = next(i for i, r in opportunities().items() if r["StageName"] == "Prospecting")
    sandbox, sf, _ = sandbox_clients(project)
    try:
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.Opportunity.update(open_deal, {"StageName": "Closed Lost"})
        assert (
            sf.Opportunity.update(open_deal, {"StageName": "Closed Lost", "Loss_Reason__c": "Price"}) == 204
        )
    finally:
        sandbox.stop()
    assert refused.value.status == 400
    assert refused.value.content == [
        {
            "message": rule.errorMessage,
            "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "fields": ["Loss_Reason__c"],
        }
    ]


def test_drift_notices_a_rule_edited_in_the_crm(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("drift").code == 0
    sandbox, sf, _ = sandbox_clients(project)
    try:  # an admin loosens the rule in Setup
        rule = sf.mdapi.ValidationRule.read([RULE])
        rule.errorConditionFormula = 'AND(ISPICKVAL(StageName, "Closed Lost"), ISBLANK(NextStep))'
        sf.mdapi.ValidationRule.update([rule])
    finally:
        sandbox.stop()
    result = run_cli("drift", "--format", "json")
    assert result.code == 2, result.out + result.err
    [field] = json.loads(result.out)["targets"][0]["fields"]
    assert (field["address"], field["origin"]) == ("salesforce:Opportunity.StageName", "changed_in_crm")
    [difference] = field["differences"]
    assert difference["item"] == "validation rule crmdefs_StageName_Closed_Lost"
    assert difference["crm"]["formula"] == 'AND(ISPICKVAL(StageName, "Closed Lost"), ISBLANK(NextStep))'
    assert "validation rule crmdefs_StageName_Closed_Lost" in run_cli("drift").out


def test_removing_the_requirement_deactivates_the_rule_and_never_deletes_it(
    run_cli: RunCli, project: Path
) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_definitions(project, REQUIREMENT, "")
    plan = run_cli("plan")
    assert "- validation rule crmdefs_StageName_Closed_Lost: deactivate (never deleted)" in plan.out
    assert plan.out.rstrip().endswith("0 to add, 0 to change, 1 to deactivate, 5 skipped.")
    assert run_cli("apply", "--auto-approve").code == 0
    rule = rule_in_sandbox(project)
    assert rule.fullName == RULE and rule.active is False  # still there, inactive
    assert rule.errorConditionFormula.startswith("AND(ISPICKVAL(StageName")  # the rest as it was
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_active_false_creates_the_rule_inactive(run_cli: RunCli, project: Path) -> None:
    edit_definitions(
        project,
        SHIPPED_MESSAGE,
        SHIPPED_MESSAGE + "    active: false\n",
    )
    plan = run_cli("plan")
    assert (
        "+ validation rule crmdefs_StageName_Closed_Lost (inactive: it refuses nothing until activated)"
        in plan.out
    )
    assert run_cli("apply", "--auto-approve").code == 0
    assert rule_in_sandbox(project).active is False
    failing = next(
        i for i, r in opportunities().items() if r["StageName"] == "Closed Lost" and not r["Loss_Reason__c"]
    )
    sandbox, sf, _ = sandbox_clients(project)
    try:
        assert sf.Opportunity.update(failing, {"Name": "Edited"}) == 204  # an inactive rule refuses nothing
    finally:
        sandbox.stop()
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_a_migration_the_rule_blocks_names_the_records(run_cli: RunCli, project: Path) -> None:
    # Competitor deals must name the next step; the seeded ones moving there from "Lost to Competitor" do not.
    edit_definitions(
        project,
        "record_types: [New_Business, Renewal]\n",
        "record_types: [New_Business, Renewal]\nrequirements:\n  - when: [Competitor]\n    require: [NextStep]\n",
    )
    blocked = sorted(i for i, r in opportunities().items() if r["Loss_Reason__c"] == "Lost to Competitor")
    result = run_cli("apply", "--auto-approve", "--migrate-records")
    assert result.code != 0
    assert f"{len(blocked)} of " in result.out
    assert (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION: Next Step is required when Loss Reason is Competitor."
        in result.out
    )
    assert all(record_id in result.out for record_id in blocked)


def test_a_required_field_the_object_lacks_or_a_checkbox_is_an_error_naming_the_line(
    run_cli: RunCli, project: Path
) -> None:
    edit_definitions(project, "require: [Loss_Reason__c]", "require: [Loss_Reasn__c, IsPrivate]")
    line = next(
        n
        for n, text in enumerate((project / FIELDS).read_text().splitlines(), 1)
        if text.startswith("  - when: [Closed Lost]")
    )
    result = run_cli("plan")
    assert result.code != 0 and "Traceback" not in result.err
    assert f"{FIELDS}:{line}" in result.err
    assert (
        "Opportunity has no field 'Loss_Reasn__c'" in result.err
        and "did you mean 'Loss_Reason__c'?" in result.err
    )
    assert "'IsPrivate' is a checkbox" in result.err


def test_a_message_over_255_characters_fails_validate(run_cli: RunCli, project: Path) -> None:
    edit_definitions(project, "term: closed-lost}", "term: closed-lost, use: definition}")
    result = run_cli("validate")
    assert result.code != 0
    assert "the message of requirement 1 is" in result.err and "Salesforce allows 255" in result.err


def test_a_hubspot_requirement_is_one_skip_saying_where_to_set_it_and_replaces_the_stage_note(
    run_cli: RunCli, tmp_path: Path
) -> None:
    from .test_deal_stages import STAGES

    required = "    requirements:\n      - when: [Closed Lost]\n        require: [closed_lost_reason]\n"
    write_files(
        tmp_path,
        {
            "definitions/stages.yaml": STAGES + required,
            "definitions/types.yaml": """\
                kind: field
                hubspot: deals.dealtype
                picklist:
                  values: [{value: newbusiness}, {value: existingbusiness}]
                requirements:
                  - when: [existingbusiness]
                    require: [closed_lost_reason, description]
            """,
        },
    )
    plan = run_cli("plan")
    assert plan.code == 0, plan.err
    stage = (
        '# skipped requirements: closed_lost_reason required at "Closed Lost": HubSpot has no API for it — set '
        "it in HubSpot: Settings > Objects > Deals > Pipelines > Sales Pipeline, edit the stage and add them to "
        "its conditional stage properties"
    )
    assert stage in plan.out
    assert "skipped required_properties" not in plan.out  # the stage note is said once, by the requirement
    types = (
        '# skipped requirements: closed_lost_reason and description required at "existingbusiness": HubSpot has '
        "no API for it — set it in HubSpot: Settings > Properties > Deal properties > Conditional logic"
    )
    assert types in plan.out
    assert plan.out.count("# skipped requirements") == 2


def test_revert_deactivates_the_rule_the_apply_created(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    backup = next((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))
    assert "crmdefs_StageName_Closed_Lost" not in backup.read_text()  # the org had no rule before
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    assert "- validation rule crmdefs_StageName_Closed_Lost: deactivate (never deleted)" in reverted.out
    assert rule_in_sandbox(project).active is False
