"""Path guidance on an org that has Paths of its own, end to end: the CLI on the sandbox, whose seeded org
has the Path an admin made for Opportunity's master record type (Opportunity_Sales_Path). Salesforce allows
one Path per record type (docs/salesforce.md#sf-path-one-per-record-type), so crmdefs must update that one,
never add a second."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, RunCli
from .test_plan_apply import sandbox_clients

BOUND = [
    "Prospecting",
    "Qualification",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def org_paths(project: Path) -> dict[str, Any]:
    """Every Path of the sandbox org, as simple-salesforce reads it: listMetadata, then readMetadata."""
    sandbox, sf, _ = sandbox_clients(project)
    try:
        names = [
            p.fullName for p in sf.mdapi.list_metadata([sf.mdapi.ListMetadataQuery(type="PathAssistant")])
        ]
        read = sf.mdapi.PathAssistant.read(names)
        return {p.fullName: p for p in (read if isinstance(read, list) else [read])}
    finally:
        sandbox.stop()


def steps(path: Any) -> dict[str, Any]:
    return {s.picklistValueName: s for s in path.pathAssistantSteps}


def edit_path(project: Path, name: str, edit: Any, create: bool = False) -> None:
    sandbox, sf, _ = sandbox_clients(project)
    try:
        if create:
            sf.mdapi.PathAssistant.create([edit(sf.mdapi)])
        else:
            path = sf.mdapi.PathAssistant.read([name])
            edit(path)
            sf.mdapi.PathAssistant.update([path])
    finally:
        sandbox.stop()


def deactivate(path: Any) -> None:
    path.active = False


def test_the_orgs_own_master_path_is_updated_and_no_second_one_is_made(
    run_cli: RunCli, project: Path
) -> None:
    edit_path(project, "Opportunity_Sales_Path", deactivate)
    planned = run_cli("plan")
    assert '~ path guidance "Prospecting" (master):' in planned.out
    assert "! warning: the Path Opportunity_Sales_Path (the master record type) is inactive" in planned.out
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "✓ salesforce:Opportunity.StageName" in applied.out

    paths = org_paths(project)
    assert sorted(paths) == [
        "Opportunity_Sales_Path",
        "crmdefs_Opportunity_New_Business",
        "crmdefs_Opportunity_Renewal",
    ]
    master = paths["Opportunity_Sales_Path"]
    assert (master.masterLabel, master.active, master.recordTypeName) == ("Sales Path", False, "__MASTER__")
    by_stage = steps(master)
    assert [name for name in by_stage if name in BOUND] == BOUND  # the admin's order first, then new steps
    assert by_stage["Qualification"].info.startswith("<p>A lead a rep has spoken with")
    assert by_stage["Qualification"].fieldNames == ["Amount", "CloseDate"]  # key fields kept
    # Stages no definition binds keep the admin's guidance.
    assert by_stage["Needs Analysis"].info == "<p>Book a discovery call with the champion.</p>"
    assert by_stage["Value Proposition"].info == "<p>Use the ROI calculator on the intranet.</p>"
    backups = "".join(p.read_text() for p in (project / ".crmdefs" / "backups").rglob("*.json"))
    assert "<p>Ask about budget.</p>" in backups  # the overwritten guidance can be recovered

    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0, again.out


def loss_reason_path(md: Any) -> Any:
    """A Path for another field on New_Business (Setup allows a Path on any picklist of a custom object;
    the sandbox does not hard-code Opportunity's field)."""
    return md.PathAssistant(
        fullName="Loss_Reasons",
        active=True,
        entityName="Opportunity",
        fieldName="Loss_Reason__c",
        masterLabel="Loss reasons",
        recordTypeName="New_Business",
        pathAssistantSteps=[
            md.PathAssistantStep(picklistValueName="Price", info="<p>Ask for the budget.</p>")
        ],
    )


def test_a_path_for_another_field_on_the_record_type_is_named_and_never_touched(
    run_cli: RunCli, project: Path
) -> None:
    saved = run_cli("plan", "-o", "p.json")  # made while New_Business has no Path
    assert saved.code == 0
    edit_path(project, "Loss_Reasons", loss_reason_path, create=True)
    planned = run_cli("plan")
    said = (
        "# skipped path_guidance: record type New_Business of Opportunity already has the Path Loss_Reasons, "
        "for Opportunity.Loss_Reason__c: Salesforce allows one Path per record type"
    )
    assert said in planned.out
    guidance = [line.strip() for line in planned.out.splitlines() if "path guidance" in line]
    assert '+ path guidance "Prospecting" (record type Renewal):' in guidance
    assert not [line for line in guidance if "New_Business" in line]

    stale = run_cli("apply", "p.json")  # the saved plan still means to create New_Business's Path
    assert stale.code == 1
    assert (
        "✗ salesforce:Opportunity.StageName: record type New_Business of Opportunity already has the Path"
        in (stale.out)
    )
    paths = org_paths(project)
    assert "crmdefs_Opportunity_New_Business" not in paths
    assert paths["Loss_Reasons"].fieldName == "Loss_Reason__c"
    assert [(s.picklistValueName, s.info) for s in paths["Loss_Reasons"].pathAssistantSteps] == [
        ("Price", "<p>Ask for the budget.</p>")
    ]
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("plan", "--detailed-exitcode").code == 0  # the skip stays a skip: nothing left to do


def test_drift_sees_a_hand_edit_in_the_orgs_own_path(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0

    def by_hand(path: Any) -> None:
        steps(path)["Closed Won"].info = "<p>Signed.</p>"
        steps(path)["Needs Analysis"].info = "<p>Not bound: not drift.</p>"

    edit_path(project, "Opportunity_Sales_Path", by_hand)
    result = run_cli("drift", "--format", "json")
    assert result.code == 2, result.out + result.err
    fields = {f["address"]: f for t in json.loads(result.out)["targets"] for f in t["fields"]}
    stage = fields.pop("salesforce:Opportunity.StageName")
    assert not fields and stage["origin"] == "changed_in_crm"
    assert [(d["item"], d["crm"]) for d in stage["differences"]] == [
        ("path guidance (master) 'Closed Won'", "<p>Signed.</p>")
    ]


def test_a_new_path_never_takes_the_name_of_another_record_types_path(run_cli: RunCli, project: Path) -> None:
    def renewal_named_path_on_new_business(md: Any) -> Any:
        return md.PathAssistant(
            fullName="crmdefs_Opportunity_Renewal",  # what crmdefs would call Renewal's Path
            active=True,
            entityName="Opportunity",
            fieldName="StageName",
            masterLabel="New business",
            recordTypeName="New_Business",
            pathAssistantSteps=[],
        )

    edit_path(project, "", renewal_named_path_on_new_business, create=True)
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    paths = org_paths(project)
    assert {name: p.recordTypeName for name, p in paths.items()} == {
        "Opportunity_Sales_Path": "__MASTER__",
        "crmdefs_Opportunity_Renewal": "New_Business",
        "crmdefs_Opportunity_Renewal_2": "Renewal",
    }
    assert run_cli("plan", "--detailed-exitcode").code == 0
