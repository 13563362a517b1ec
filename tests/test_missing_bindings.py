"""A binding to something the CRM does not have is an error (step 11, point 4): `plan`, `apply` and `drift`
exit 1 naming the binding's file:line and the closest names the CRM has, all at once and before any write.
Addresses match in any case, as the CRMs match API names, and then use the CRM's spelling. Driven through
the real CLI against the built-in sandbox, as a user would meet it."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import RunCli, write_files
from .salesforce_sandbox import Org
from .salesforce_sandbox import org_fixture as org_fixture  # pytest fixture
from .salesforce_sandbox import running_org_fixture as running_org_fixture  # pytest fixture

SANDBOX_LINE = "target sandbox — the built-in demo org, not your CRM"
STAGE = "{value: Prospecting, closed: false, won: false, probability: 10, forecast_category: Pipeline}"
TYPOS = f"""\
kind: field
salesforce: Opportunity.Loss_Reasn__c
help_text: Why we lost.
---
kind: field
hubspot: deals.closed_lost_reasn
description: Why we lost.
---
kind: field
salesforce: Opportunty.Amount
help_text: The deal's value.
---
kind: field
salesforce: Opportunity.Loss_Reason__c
picklist:
  values: [{{value: Price}}]
record_types: [New_Busines]
---
kind: field
salesforce: Opportunity.StageName
picklist:
  values: [{STAGE}]
business_processes: [Standard Sales Proces]
"""
GOOD = "kind: field\nsalesforce: Lead.Rating\nhelp_text: How warm the lead is.\n"


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line and line != SANDBOX_LINE]


def test_a_mistyped_field_address_fails_plan_detailed_exitcode_naming_the_closest_field(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_files(tmp_path, {"definitions/fields.yaml": TYPOS.split("---\n")[0]})
    result = run_cli("plan", "--detailed-exitcode")
    assert result.code == 1 and result.out == ""
    assert errors(result.err) == [
        "definitions/fields.yaml:2:1: salesforce:Opportunity.Loss_Reasn__c: Opportunity has no field "
        "'Loss_Reasn__c' — did you mean 'Loss_Reason__c'? (or add 'create:' to the binding to create the field)",
        "crmdefs: 1 error, 0 warnings in the bindings for target 'sandbox' — fix them and run the command again",
    ]


def test_every_missing_binding_is_reported_in_one_run(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path, {"definitions/fields.yaml": TYPOS})
    result = run_cli("plan")
    assert result.code == 1 and result.out == ""
    assert errors(result.err) == [
        "definitions/fields.yaml:2:1: salesforce:Opportunity.Loss_Reasn__c: Opportunity has no field "
        "'Loss_Reasn__c' — did you mean 'Loss_Reason__c'? (or add 'create:' to the binding to create the field)",
        "definitions/fields.yaml:6:1: hubspot:deals.closed_lost_reasn: deals has no property 'closed_lost_reasn' "
        "— did you mean 'closed_lost_reason'? (or add 'create:' to the binding to create the field)",
        "definitions/fields.yaml:10:1: salesforce:Opportunty.Amount: Salesforce has no object 'Opportunty' — "
        "did you mean 'Opportunity'?",
        "definitions/fields.yaml:14:1: salesforce:Opportunity.Loss_Reason__c: Opportunity has no record type "
        "'New_Busines' — did you mean 'New_Business'?",
        "definitions/fields.yaml:20:1: salesforce:Opportunity.StageName: Opportunity has no business process "
        "'Standard Sales Proces' — did you mean 'Standard Sales Process'?",
        "crmdefs: 5 errors, 0 warnings in the bindings for target 'sandbox' — fix them and run the command again",
    ]


def test_apply_writes_nothing_and_drift_fails_when_a_binding_names_nothing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_files(tmp_path, {"definitions/good.yaml": GOOD, "definitions/typo.yaml": TYPOS.split("---\n")[1]})
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 1 and "Apply complete" not in applied.out
    assert "definitions/typo.yaml:2:1: hubspot:deals.closed_lost_reasn" in applied.err
    assert not (tmp_path / ".crmdefs" / "backups").exists()
    drift = run_cli("drift")
    assert drift.code == 1
    assert "definitions/typo.yaml:2:1: hubspot:deals.closed_lost_reasn: deals has no property" in drift.out
    (tmp_path / "definitions" / "typo.yaml").unlink()
    still = run_cli("plan")  # the good binding's change was not written either
    assert still.code == 0 and '+ help_text: "How warm the lead is."' in still.out


def test_with_create_a_missing_field_is_still_planned_as_a_create(run_cli: RunCli, tmp_path: Path) -> None:
    create = "create:\n  label: Loss Reason 2\n  type: Picklist\npicklist:\n  values: [{value: Price}]\n"
    write_files(
        tmp_path, {"definitions/f.yaml": f"kind: field\nsalesforce: Opportunity.Loss_Reasn__c\n{create}"}
    )
    result = run_cli("plan")
    assert result.code == 0, result.err
    assert "+ salesforce:Opportunity.Loss_Reasn__c (create Picklist)" in result.out
    write_files(
        tmp_path, {"definitions/f.yaml": f"kind: field\nsalesforce: Opportunty.Loss_Reasn__c\n{create}"}
    )
    unknown_object = run_cli("plan")
    assert unknown_object.code == 1
    assert "Salesforce has no object 'Opportunty' — did you mean 'Opportunity'?" in unknown_object.err


def test_addresses_match_in_any_case_and_use_the_crms_spelling(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "definitions/f.yaml": (
                "kind: field\nsalesforce: opportunity.loss_reason__c\nhelp_text: Why we lost.\n"
                "picklist:\n  values: [{value: Budget}]\nrecord_types: [new_business]\n"
            )
        },
    )
    plan = run_cli("plan")
    assert plan.code == 0, plan.err
    assert "~ salesforce:Opportunity.Loss_Reason__c" in plan.out and "loss_reason__c" not in plan.out
    assert '+ record type New_Business: offer "Budget"' in plan.out
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.err
    state = json.loads((tmp_path / ".crmdefs" / "sandbox" / "state.json").read_text(encoding="utf-8"))
    fields = state["salesforce"]["metadata"]["CustomField"]
    assert fields["Opportunity.Loss_Reason__c"]["inlineHelpText"] == "Why we lost."
    assert not [name for name in fields if name.startswith("opportunity.")]  # written under the real name
    record = json.loads((tmp_path / ".crmdefs" / "state" / "sandbox.json").read_text(encoding="utf-8"))
    assert list(record["fields"]) == ["salesforce:Opportunity.Loss_Reason__c"]
    assert "No changes." in run_cli("plan").out
    assert run_cli("drift").code == 0


def test_a_standard_field_in_another_case_gets_its_standard_rules(run_cli: RunCli, tmp_path: Path) -> None:
    """What crmdefs knows of standard fields before reading an org (value sets, business processes, Path)
    holds for `opportunity.stagename` as for `Opportunity.StageName`: a user's casing must not turn a valid
    binding into a validate error, nor skip the rules of its value set."""
    write_files(
        tmp_path,
        {
            "definitions/f.yaml": (
                "kind: field\nsalesforce: opportunity.stagename\nhelp_text: Where the deal stands.\n"
                f"picklist:\n  values: [{STAGE}]\nbusiness_processes: all\npath_guidance: all\n"
            )
        },
    )
    validated = run_cli("validate")
    assert validated.code == 0, validated.err
    plan = run_cli("plan")
    assert plan.code == 0, plan.err
    assert "~ salesforce:Opportunity.StageName" in plan.out and "stagename" not in plan.out


def test_path_guidance_for_a_record_type_the_org_lacks_is_an_error(run_cli: RunCli, tmp_path: Path) -> None:
    """A Path for a record type that does not exist cannot be saved: the plan must not promise it."""
    write_files(
        tmp_path,
        {
            "definitions/f.yaml": (
                "kind: field\nsalesforce: Opportunity.StageName\nhelp_text: Where the deal stands.\n"
                f"picklist:\n  values: [{STAGE}]\npath_guidance: [New_Busines, renewal]\n"
            )
        },
    )
    plan = run_cli("plan", "--detailed-exitcode")
    assert plan.code == 1, plan.out
    assert errors(plan.err)[0] == (
        "definitions/f.yaml:2:1: salesforce:Opportunity.StageName: Opportunity has no record type "
        "'New_Busines' — did you mean 'New_Business'?"
    )
    assert "renewal" not in plan.err  # another case is the same record type


def test_two_bindings_that_differ_only_in_case_are_a_validate_error(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "definitions/a.yaml": "kind: field\nsalesforce: Opportunity.Loss_Reason__c\nhelp_text: A.\n",
            "definitions/b.yaml": "# the same field\nkind: field\nsalesforce: opportunity.LOSS_REASON__C\n"
            "help_text: B.\n",
        },
    )
    result = run_cli("validate")
    assert result.code == 1
    assert errors(result.err) == [
        "definitions/b.yaml:3:13: salesforce:opportunity.LOSS_REASON__C and salesforce:Opportunity.Loss_Reason__c "
        "(at definitions/a.yaml:2) differ only in case: Salesforce reads them as the same field — merge the two "
        "bindings into one",
        "crmdefs: 1 error, 0 warnings in definitions — fix them and run the command again",
    ]


def test_the_sandbox_describes_objects_named_in_any_case_and_lists_them(org: Org) -> None:
    """Taught first (docs/salesforce.md#sf-api-names-case-insensitive): describe answers for an object
    written in any case with the org's spelling; describeGlobal lists the objects to suggest from."""
    described = org.client().restful("sobjects/opportunity/describe")
    assert described["name"] == "Opportunity"
    assert "Loss_Reason__c" in {f["name"] for f in described["fields"]}
    assert "New_Business" in {rt["developerName"] for rt in described["recordTypeInfos"]}
    listed = org.client().restful("sobjects/")
    assert {"Account", "Lead", "Opportunity"} <= {o["name"] for o in listed["sobjects"]}


def test_a_hubspot_property_spelled_in_another_case_is_bound_with_the_portals_spelling(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """HubSpot does not document how it compares internal names; crmdefs always sends the portal's own
    spelling (docs/hubspot.md#hs-property-name-case)."""
    write_files(tmp_path, {"definitions/f.yaml": GOOD})
    assert run_cli("plan").code == 0  # the sandbox's state now exists
    path = tmp_path / ".crmdefs" / "sandbox" / "state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    deals = state["hubspot"]["properties"]["deals"]
    deals["Region_Code"] = {**deals["closed_lost_reason"], "name": "Region_Code", "label": "Region code"}
    path.write_text(json.dumps(state), encoding="utf-8")
    write_files(
        tmp_path, {"definitions/f.yaml": "kind: field\nhubspot: deals.region_code\ndescription: Where.\n"}
    )
    plan = run_cli("plan")
    assert plan.code == 0, plan.err
    assert "~ hubspot:deals.Region_Code" in plan.out
    assert run_cli("apply", "--auto-approve").code == 0
    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["hubspot"]["properties"]["deals"]["Region_Code"]["description"] == "Where."
    assert "region_code" not in state["hubspot"]["properties"]["deals"]
