"""HubSpot deal stages as definitions, end to end: the CLI on the built-in sandbox with a glossary that binds
deals.dealstage to a pipeline — plan, apply stage by stage (never a pipeline PUT), plan again, drift, revert,
and the clear errors of a pipeline or stage id that is not there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.pipelines import PipelineInput, PipelineStageInput, PipelineStagePatchInput

from crmdefs.adapters.hubspot.adapter import HubSpotAdapter
from crmdefs.adapters.hubspot.client import hubspot_apis
from crmdefs.config import Secret
from crmdefs.definitions.load import load_glossary
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import DesiredField
from crmdefs.sandbox.service import Sandbox

from .conftest import RunCli, write_files
from .test_plan_apply import requests_logged, sandbox_clients

STAGES = """\
    kind: field
    hubspot: deals.dealstage
    pipeline: Sales Pipeline
    picklist:
      values:
        - value: Discovery
          description: First real conversation held; the buying problem is named.
          probability: 10
        - value: qualifiedtobuy          # a stage id: that stage
          label: Qualified
          probability: 30
        - value: Contract Sent           # no such id: the stage with this label
          probability: 90
        - value: Won
          hubspot: {value: closedwon, label: Closed Won}   # the id given: that stage only
          won: true
        - value: Closed Lost
          closed: true
"""
PIPELINES = "/crm/pipelines/2026-03/deals"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_files(tmp_path, {"definitions/stages.yaml": STAGES})
    return tmp_path


def stored_stages(sandbox: Sandbox, pipeline: str = "default") -> list[dict[str, Any]]:
    """The stages as the sandbox keeps them (UI-only settings included), in display order."""
    pipelines = sandbox.state.data["hubspot"]["pipelines"]["deals"]
    stages = next(p for p in pipelines if p["id"] == pipeline)["stages"]
    return sorted(stages, key=lambda s: s["displayOrder"])


def pipeline_writes(project: Path) -> list[tuple[str, str]]:
    return [
        (str(e["method"]), str(e["path"]))
        for e in requests_logged(project)
        if str(e["path"]).startswith(PIPELINES) and e["method"] != "GET"
    ]


def test_apply_creates_the_missing_stage_and_updates_the_others_one_request_each(
    run_cli: RunCli, project: Path
) -> None:
    plan = run_cli("plan", "-o", "p.json")
    assert plan.code == 0, plan.err
    assert '~ hubspot:deals.dealstage (stages of pipeline "default")' in plan.out
    assert '+ value "Discovery" (label "Discovery", closed false, probability 10)' in plan.out
    assert '~ value "qualifiedtobuy": label "Qualified To Buy" → "Qualified"' in plan.out
    assert '~ value "qualifiedtobuy": probability 40 → 30' in plan.out
    assert plan.out.count("have no description") == 1  # said once, not per stage
    assert "# skipped required_properties: properties required per stage have no public API" in plan.out
    assert "Settings > Objects > Deals > Pipelines" in plan.out
    assert plan.out.rstrip().endswith("Plan: 1 to add, 2 to change, 0 to deactivate, 2 skipped.")

    applied = run_cli("apply", "p.json")  # the saved plan carries the pipeline
    assert applied.code == 0, applied.out + applied.err
    assert "✓ hubspot:deals.dealstage: 6 stages updated, 1 stage created" in applied.out
    writes = pipeline_writes(project)
    assert all(method in ("PATCH", "POST") for method, _ in writes)  # never a PUT of the pipeline
    assert writes.count(("POST", f"{PIPELINES}/default/stages")) == 1
    patched = [path for method, path in writes if method == "PATCH"]
    assert len(patched) == len(set(patched)) == 6  # one request per stage that changes
    assert f"{PIPELINES}/default/stages/qualifiedtobuy" in patched

    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0, again.out
    assert again.out.startswith('No changes. Target "sandbox" matches the definitions.')
    sandbox, _, _ = sandbox_clients(project)
    try:
        stages = stored_stages(sandbox)
    finally:
        sandbox.stop()
    # The stage not listed keep their place in the flow; the new one goes where the definitions put it.
    assert [s["label"] for s in stages] == [
        "Appointment Scheduled",
        "Discovery",
        "Qualified",
        "Presentation Scheduled",
        "Decision Maker Bought-In",
        "Contract Sent",
        "Closed Won",
        "Closed Lost",
    ]
    assert stages[1]["metadata"] == {"probability": "0.1", "isClosed": "false"}
    assert stages[2]["metadata"] == {"isClosed": "false", "probability": "0.3"}
    # What HubSpot's UI set on the stages is still there: no write replaced a stage.
    assert stages[5]["_requiredProperties"] == ["amount", "closedate"]
    assert stages[7]["_requiredProperties"] == ["closed_lost_reason"]


def test_drift_catches_a_stage_relabelled_in_the_crm(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("drift").code == 0
    sandbox, _, hs = sandbox_clients(project)
    try:
        hs.crm.pipelines.pipeline_stages_api.update(
            object_type="deals",
            pipeline_id="default",
            stage_id="qualifiedtobuy",
            pipeline_stage_patch_input=PipelineStagePatchInput(
                label="Qualified (BANT)", metadata={"isClosed": "false", "probability": "0.3"}
            ),
        )
    finally:
        sandbox.stop()
    result = run_cli("drift", "--format", "json")
    assert result.code == 2, result.err
    fields = json.loads(result.out)["targets"][0]["fields"]
    assert [(f["address"], f["origin"]) for f in fields] == [("hubspot:deals.dealstage", "changed_in_crm")]
    assert [(d["item"], d["crm"], d["definitions"]) for d in fields[0]["differences"]] == [
        ("value 'qualifiedtobuy' relabel", "Qualified (BANT)", "Qualified")
    ]


def test_revert_puts_labels_order_and_probability_back(run_cli: RunCli, project: Path) -> None:
    moved = "        - value: Contract Sent           # no such id: the stage with this label\n"
    moved += "          probability: 90\n"
    first = "        - value: qualifiedtobuy"
    write_files(project, {"definitions/stages.yaml": STAGES.replace(moved, "").replace(first, moved + first)})
    assert "~ order:" in run_cli("plan").out  # Contract Sent now comes before Qualified
    assert run_cli("apply", "--auto-approve").code == 0
    sandbox, _, _ = sandbox_clients(project)
    try:
        applied = [s["id"] for s in stored_stages(sandbox)]
    finally:
        sandbox.stop()
    assert applied.index("contractsent") < applied.index("qualifiedtobuy")
    backup = next((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))
    before = json.loads(backup.read_text())["fields"][0]
    assert before["pipeline"] == "default"  # what was overwritten, stage by stage
    assert before["values"][1] == {
        "value": "qualifiedtobuy",
        "label": "Qualified To Buy",
        "description": None,
        "active": True,
        "default": False,
        "attributes": {"closed": False, "probability": 40},
    }
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    assert "cannot be hidden" in reverted.out  # the stage the apply created stays
    sandbox, _, _ = sandbox_clients(project)
    try:
        stages = stored_stages(sandbox)
    finally:
        sandbox.stop()
    kept = [(s["id"], s["label"], s["metadata"]["probability"]) for s in stages if s["label"] != "Discovery"]
    assert kept == [
        ("appointmentscheduled", "Appointment Scheduled", "0.2"),
        ("qualifiedtobuy", "Qualified To Buy", "0.4"),
        ("presentationscheduled", "Presentation Scheduled", "0.6"),
        ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8"),
        ("contractsent", "Contract Sent", "0.9"),
        ("closedwon", "Closed Won", "1.0"),
        ("closedlost", "Closed Lost", "0.0"),
    ]
    assert "PUT" not in {method for method, _ in pipeline_writes(project)}


def add_pipeline(project: Path, label: str) -> None:
    sandbox, _, hs = sandbox_clients(project)
    try:
        stage = PipelineStageInput(label="Open", display_order=0, metadata={"probability": "0.5"})
        hs.crm.pipelines.pipelines_api.create(
            object_type="deals", pipeline_input=PipelineInput(label=label, display_order=1, stages=[stage])
        )
    finally:
        sandbox.stop()


def test_a_pipeline_that_matches_none_or_two_is_a_clear_error(run_cli: RunCli, project: Path) -> None:
    path = project / "definitions" / "stages.yaml"
    path.write_text(path.read_text().replace("pipeline: Sales Pipeline", "pipeline: Renewals"))
    add_pipeline(project, "Expansion")
    missing = run_cli("plan")
    assert missing.code == 1
    assert missing.err.strip().splitlines()[-1] == (
        "crmdefs: error: target 'sandbox': deals.dealstage: pipeline 'Renewals' matches no deals pipeline (HubSpot "
        "has 'Sales Pipeline' (id default), 'Expansion' (id 1)) — write one of these labels or ids in "
        "'pipeline:'"
    )
    # Two labels that differ only in case: the API refuses to make them (the sandbox compares labels
    # case-insensitively, an assumption), so the portal gets them by hand.
    sandbox, _, _ = sandbox_clients(project)
    try:
        pipelines = sandbox.state.data["hubspot"]["pipelines"]["deals"]
        pipelines[1]["label"] = "renewals"
        pipelines.append({**pipelines[1], "id": "2", "label": "Renewals", "stages": []})
        sandbox.state.save()
    finally:
        sandbox.stop()
    twice = run_cli("plan")
    assert twice.code == 1
    assert (
        "pipeline 'Renewals' is the label of 2 deals pipelines (ids 1, 2) — write the pipeline's id"
        in twice.err
    )
    path.write_text(path.read_text().replace("pipeline: Renewals", "pipeline: '2'"))
    assert run_cli("plan").code == 0  # by id


def test_a_stage_id_the_pipeline_does_not_have_is_skipped_never_created(
    run_cli: RunCli, project: Path
) -> None:
    path = project / "definitions" / "stages.yaml"
    path.write_text(path.read_text().replace("value: closedwon", "value: closed_won_2024"))
    plan = run_cli("plan")
    assert plan.code == 0
    assert "stage id 'closed_won_2024' is not in pipeline 'Sales Pipeline'" in plan.out
    assert '+ value "closed_won_2024"' not in plan.out
    assert run_cli("apply", "--auto-approve").code == 0
    assert ("POST", f"{PIPELINES}/default/stages") in pipeline_writes(project)  # Discovery only
    assert len([w for w in pipeline_writes(project) if w[0] == "POST"]) == 1


def test_the_v3_family_reads_and_writes_the_stages_at_its_own_paths(project: Path) -> None:
    glossary, _ = load_glossary(project / "definitions")
    fields = desired_fields(glossary)
    sandbox = Sandbox(project / "sandbox", log_to_file=False)
    info = sandbox.start()
    try:
        apis = hubspot_apis(info.base_url, Secret(info.access_token), info.ca_bundle, "v3")
        adapter = HubSpotAdapter(target="demo", apis=apis)

        def plan(wanted: list[DesiredField]) -> Any:
            states = adapter.read(wanted, lambda _message: None)
            return compute_plan(wanted, states, target="demo", definitions_digest="x", created_at="now")

        results = adapter.write(plan(fields).changes, lambda _message: None)
        assert [(r.ok, r.message) for r in results] == [(True, "6 stages updated, 1 stage created")]
        assert plan(fields).changes == ()
        paths = [str(e["path"]) for e in sandbox.log.entries]
    finally:
        sandbox.stop()
    assert all(p.startswith("/crm/v3/") for p in paths)
    assert "/crm/v3/pipelines/deals/default/stages/qualifiedtobuy" in paths
