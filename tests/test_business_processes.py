"""Stages and statuses per record type, end to end on the sandbox: a new stage bound with
``business_processes:`` lands in those sales processes only (docs/salesforce.md#sf-business-processes), a
second plan shows no change, and the plan warns where a new value would reach no rep — only there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import RunCli, write_files

DISCOVERY = "{value: Discovery, closed: false, won: false, probability: 15, forecast_category: Pipeline}"


def stage_binding(extra: str = "") -> dict[str, str]:
    return {
        "definitions/stages.yaml": (
            f"kind: field\nsalesforce: Opportunity.StageName\n{extra}picklist:\n  values:\n    - {DISCOVERY}\n"
        )
    }


def processes(project: Path) -> dict[str, list[str]]:
    """Each sales process's stages, as the sandbox holds them."""
    state: dict[str, Any] = json.loads((project / ".crmdefs" / "sandbox" / "state.json").read_text())
    found = state["salesforce"]["metadata"]["BusinessProcess"]
    return {name: [v["fullName"] for v in process["values"]] for name, process in found.items()}


def test_a_new_stage_lands_in_the_named_process_only_and_the_plan_converges(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_files(tmp_path, stage_binding("business_processes: [Renewal Process]\n"))
    first = run_cli("plan")
    assert first.code == 0, first.err
    assert '+ business process Renewal Process: offer "Discovery"' in first.out
    assert "warning" not in first.out and "record type" not in first.out
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0 and again.out.startswith("No changes."), again.out
    held = processes(tmp_path)
    assert held["Opportunity.Renewal Process"] == [
        "Qualification",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
        "Discovery",
    ]
    assert "Discovery" not in held["Opportunity.Standard Sales Process"]
    assert len(held["Opportunity.Standard Sales Process"]) == 10  # nothing dropped


def test_all_adds_the_stage_to_every_process_a_record_type_uses(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path, stage_binding("business_processes: all\n"))
    plan = run_cli("plan")
    assert '+ business process Renewal Process: offer "Discovery"' in plan.out
    assert '+ business process Standard Sales Process: offer "Discovery"' in plan.out
    assert run_cli("apply", "--auto-approve").code == 0
    assert all(stages[-1] == "Discovery" for stages in processes(tmp_path).values())
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_a_new_stage_in_no_process_is_a_warning(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path, stage_binding())
    plan = run_cli("plan")
    assert plan.code == 0, plan.err
    assert (
        '! warning: "Discovery" will be in no business process a record type uses: reps cannot pick it on any '
        "record type — add business_processes: [Renewal Process, Standard Sales Process] (or all) to the binding"
    ) in " ".join(plan.out.split())  # the line may wrap


def test_record_types_on_the_stage_field_are_refused_before_any_call(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path, stage_binding("record_types: all\n"))
    refused = run_cli("plan")
    assert refused.code == 1 and "use 'business_processes: [Name, …]'" in refused.err
    assert not (tmp_path / ".crmdefs" / "sandbox" / "state.json").exists()


def test_no_warning_where_no_record_type_or_process_applies(run_cli: RunCli, tmp_path: Path) -> None:
    # The seeded Lead has no record types, so no lead process: every active status is offered.
    write_files(
        tmp_path,
        {
            "definitions/lead.yaml": "kind: field\nsalesforce: Lead.Status\npicklist:\n  values:\n"
            "    - {value: Nurturing, converted: false}\n"
        },
    )
    plan = run_cli("plan")
    assert plan.code == 0 and '+ value "Nurturing"' in plan.out.replace("'", '"'), plan.out
    assert "warning" not in plan.out


def test_a_new_value_not_offered_on_some_record_types_gets_a_hint(run_cli: RunCli, tmp_path: Path) -> None:
    reasons = (
        "kind: field\nsalesforce: Opportunity.Loss_Reason__c\n{extra}picklist:\n  values:\n"
        "    - {{value: Price}}\n    - {{value: Budget}}\n"
    )
    write_files(
        tmp_path, {"definitions/reasons.yaml": reasons.format(extra="record_types: [New_Business]\n")}
    )
    hinted = run_cli("plan")
    assert '+ record type New_Business: offer "Budget"' in hinted.out
    assert (
        '! warning: record type Renewal will not offer new value "Budget": reps on it cannot pick it — add '
        "Renewal to the binding's record_types (or use all)"
    ) in " ".join(hinted.out.split())
    write_files(tmp_path, {"definitions/reasons.yaml": reasons.format(extra="record_types: all\n")})
    offered = run_cli("plan")
    assert "Renewal: offer" in offered.out and "warning" not in offered.out


def test_an_unknown_process_is_an_error_naming_the_closest_one(run_cli: RunCli, tmp_path: Path) -> None:
    """Step 11: a process the org lacks was a skip, and CI stayed green; now the plan fails, naming it."""
    write_files(tmp_path, stage_binding("business_processes: [Renewals]\n"))
    plan = run_cli("plan", "--detailed-exitcode")
    assert plan.code == 1 and plan.out == ""
    assert (
        "definitions/stages.yaml:2:1: salesforce:Opportunity.StageName: Opportunity has no business process "
        "'Renewals' — did you mean 'Renewal Process'?"
    ) in plan.err
