"""plan / apply / revert end to end, as a user runs them: the CLI on the built-in sandbox (started
in-process per command, on the persisted state), real client libraries, real TLS."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.properties import OptionInput, PropertyUpdate
from simple_salesforce.api import Salesforce

from crmdefs.adapters.salesforce.client import client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, RunCli, assert_golden
from .sandbox_helpers import PinnedSession


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def sandbox_clients(project: Path) -> tuple[Sandbox, Salesforce, HubSpot]:
    """The sandbox's own API, to see what crmdefs wrote (or to edit behind its back)."""
    sandbox = Sandbox(project / ".crmdefs" / "sandbox", log_to_file=False)
    info = sandbox.start()
    session = PinnedSession(info.ca_bundle)
    sf = client_with_token(info.instance_url, Secret(info.access_token), session=session, version="62.0").rest
    hs = HubSpot(access_token=info.access_token, host=info.base_url, ssl_ca_cert=str(info.ca_bundle))
    return sandbox, sf, hs


def edit_hubspot_options(
    project: Path, object_type: str, name: str, edit: Callable[[list[Any]], list[OptionInput]]
) -> None:
    """What an admin does in HubSpot's property settings: the options ``edit`` makes of the current ones."""
    sandbox, _, hs = sandbox_clients(project)
    try:
        api = hs.crm.properties.core_api
        options = api.get_by_name(object_type=object_type, property_name=name).options
        api.update(
            object_type=object_type, property_name=name, property_update=PropertyUpdate(options=edit(options))
        )
    finally:
        sandbox.stop()


def requests_logged(project: Path) -> list[dict[str, object]]:
    log = project / ".crmdefs" / "sandbox" / "requests.log"
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_plan_apply_plan_converges_and_the_crm_shows_the_definitions(run_cli: RunCli, project: Path) -> None:
    first = run_cli("plan", "--detailed-exitcode")
    assert first.code == 2, first.err
    assert "~ salesforce:Opportunity.Loss_Reason__c" in first.out
    assert "+ hubspot:deals.closed_lost_reason_code" in first.out
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert applied.out.rstrip().endswith("Apply complete: 16 added, 67 changed, 0 deactivated, 5 skipped.")
    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0, again.out
    assert again.out.startswith('No changes. Target "sandbox" matches the definitions.')

    sandbox, sf, hs = sandbox_clients(project)
    try:
        status = next(f for f in sf.Lead.describe()["fields"] if f["name"] == "Status")
        assert status["inlineHelpText"].startswith(
            "Move a lead forward only when the next stage's criteria hold:\nMQL: "
        )
        assert [v["value"] for v in status["picklistValues"] if v["active"]][:3] == [
            "New",
            "Marketing Qualified",
            "Sales Accepted",
        ]
        reasons = hs.crm.properties.core_api.get_by_name(
            object_type="deals", property_name="closed_lost_reason_code"
        )
        assert [o.value for o in reasons.options][:3] == ["price", "competitor", "no_decision"]
        assert reasons.options[0].description.startswith("Buyer wanted us but would not pay")
    finally:
        sandbox.stop()


def test_hubspot_read_only_properties_are_skipped_and_never_patched(run_cli: RunCli, project: Path) -> None:
    result = run_cli("apply", "--auto-approve")
    assert result.code == 0
    assert "# hubspot:contacts.lifecyclestage" in result.out
    assert "externalOptions" in result.out
    patched = {str(e["path"]) for e in requests_logged(project) if e["method"] == "PATCH"}
    assert patched == {
        "/crm/properties/2026-03/contacts/hs_lead_status",
        "/crm/properties/2026-03/deals/dealtype",
    }


def edit_help_text_by_hand(project: Path) -> None:
    """What an admin does in Setup: new help text on Lead.Status, so a plan made before is stale."""
    sandbox, sf, _ = sandbox_clients(project)
    try:
        field = sf.mdapi.CustomField.read(["Lead.Status"])
        field.inlineHelpText = "Edited by hand in Setup."
        sf.mdapi.CustomField.update([field])
    finally:
        sandbox.stop()


def test_a_saved_plan_is_applied_exactly_and_a_stale_one_is_refused(run_cli: RunCli, project: Path) -> None:
    saved = run_cli("plan", "-o", "p.json")
    assert saved.code == 0 and (project / "p.json").exists()
    edit_help_text_by_hand(project)
    stale = run_cli("apply", "p.json")
    assert stale.code == 1
    assert "the saved plan is stale" in stale.err
    assert "salesforce:Lead.Status: help_text changed: (none) → 'Edited by hand in Setup.'" in stale.err
    assert not (project / ".crmdefs" / "backups").exists()  # nothing written, not even a backup

    fresh = run_cli("plan", "-o", "p2.json")
    applied = run_cli("apply", "p2.json")
    assert applied.code == 0, applied.err
    assert applied.out.startswith(fresh.out)  # it shows exactly the saved plan, then the results
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_a_plan_from_other_definitions_is_refused(run_cli: RunCli, project: Path) -> None:
    assert run_cli("plan", "-o", "p.json").code == 0
    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(path.read_text().replace("Pick the one reason", "Choose the one reason"))
    refused = run_cli("apply", "p.json")
    assert refused.code == 1
    assert "was made from different definitions" in refused.err


def test_partial_failure_reports_each_item_and_a_rerun_converges(
    run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRMDEFS_SANDBOX_FAIL_COMPONENTS", "Lead.Fit_Score__c,deals.dealtype")
    monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "1")
    failed = run_cli("apply", "--auto-approve")
    assert failed.code == 1
    lines = failed.out.splitlines()
    assert any(line.startswith("✗ salesforce:Lead.Fit_Score__c: UNKNOWN_EXCEPTION") for line in lines)
    assert any(line.startswith("✗ hubspot:deals.dealtype") for line in lines)
    assert (
        "✓ salesforce:Lead.Lead_Score__c" in lines and "✓ hubspot:contacts.hs_lead_status: updated" in lines
    )
    assert (
        "Apply partly failed: 16 added, 63 changed, 0 deactivated, 5 skipped; 4 changes in 2 fields failed."
        in (failed.out)
    )
    monkeypatch.delenv("CRMDEFS_SANDBOX_FAIL_COMPONENTS")
    remaining = run_cli("plan")
    assert re.findall(r"^  [~+] (\S+)", remaining.out, re.MULTILINE) == [
        "hubspot:deals.dealtype",
        "salesforce:Lead.Fit_Score__c",
    ]
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_revert_restores_the_previous_texts(run_cli: RunCli, project: Path) -> None:
    before = json.loads(run_cli("plan", "--format", "json").out)
    assert run_cli("apply", "--auto-approve").code == 0
    backup = next((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.err
    assert "crmdefs never deletes fields" in reverted.err  # the created HubSpot property stays
    sandbox, sf, _ = sandbox_clients(project)
    try:
        loss = sf.mdapi.CustomField.read(["Opportunity.Loss_Reason__c"])
        assert loss.inlineHelpText == "Pick a reason."
        assert loss.description == "Reason for loss (legacy field from the 2021 CRM migration)."
        active = [v.fullName for v in loss.valueSet.valueSetDefinition.value if v.isActive is not False]
        assert active == ["Price", "pricing", "Lost to Competitor", "Other", "No Decision / Non-Responsive"]
    finally:
        sandbox.stop()
    after = json.loads(run_cli("plan", "--format", "json").out)

    # Every text change is planned exactly as before the apply. Values the apply added are inactive now,
    # so they plan as "reactivate" instead of "add", and the created property is no longer a create:
    # crmdefs never deletes.
    def texts(plan: dict[str, Any]) -> dict[str, Any]:
        return {f["address"]: f["attributes"] for f in plan["fields"] if f["action"] == "update"}

    assert texts(after) == texts(before)
    assert after["summary"]["add"] == 0 and before["summary"]["add"] > 0


def test_no_confirmation_without_a_terminal(run_cli: RunCli, project: Path) -> None:
    result = run_cli("apply")
    assert result.code == 1
    assert "apply needs confirmation but there is no terminal to ask" in result.err
    assert not (project / ".crmdefs" / "backups").exists()


def test_no_secret_in_any_output_plan_file_or_backup(run_cli: RunCli, project: Path) -> None:
    outputs = [
        run_cli("plan", "-o", "p.json", "--format", "json"),
        run_cli("apply", "--auto-approve"),
        run_cli("plan", "--format", "markdown"),
    ]
    token = json.loads((project / ".crmdefs" / "sandbox" / "state.json").read_text())["token"]
    written = [p.read_text() for p in project.rglob("*.json") if "sandbox" not in p.parts]
    for text in [o.out + o.err for o in outputs] + written:
        assert token not in text


def _normalized(text: str) -> str:
    text = re.sub(r'"created_at": "[^"]+"', '"created_at": "<time>"', text)
    return re.sub(r'"definitions_digest": "[^"]+"', '"definitions_digest": "<digest>"', text)


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("text", "plan_seeded.txt"), ("json", "plan_seeded.json"), ("markdown", "plan_seeded.md")],
)
def test_the_seeded_org_plan_is_pinned(run_cli: RunCli, project: Path, fmt: str, golden: str) -> None:
    result = run_cli("plan", "--format", fmt)
    assert result.code == 0
    assert_golden(golden, _normalized(result.out))


def test_an_apply_with_nothing_to_change_still_records_the_state_for_drift(
    run_cli: RunCli, project: Path
) -> None:
    # A state file lost (a killed apply, a fresh clone) is written again by the next apply, even when the CRM
    # already matches, so drift can tell later CRM edits from definitions never applied.
    assert run_cli("apply", "--auto-approve").code == 0
    state = project / ".crmdefs" / "state" / "sandbox.json"
    written = json.loads(state.read_text())["fields"]
    state.unlink()
    again = run_cli("apply", "--auto-approve")
    assert again.code == 0 and "No changes." in again.out
    recorded = json.loads(state.read_text())["fields"]
    assert set(written) < set(recorded)  # what the apply wrote, and the bound fields that already matched
    assert "hubspot:contacts.lifecyclestage" in recorded


def test_a_hubspot_option_with_its_own_internal_value_is_labelled_with_the_definitions_value(
    run_cli: RunCli, project: Path
) -> None:
    # `hubspot: {value: no_decision}` and no label: reps must see "No Decision", not the internal name.
    reasons = project / "definitions" / "picklists" / "closed-lost-reasons.yaml"
    text = reasons.read_text(encoding="utf-8")
    assert "    label: No Decision\n" in text
    reasons.write_text(text.replace("    label: No Decision\n", "", 1), encoding="utf-8")
    plan = run_cli("plan")
    assert '+ value "no_decision" (label "No Decision")' in plan.out, plan.out
    assert run_cli("apply", "--auto-approve").code == 0
    sandbox, _, hs = sandbox_clients(project)
    try:
        options = hs.crm.properties.core_api.get_by_name(
            object_type="deals", property_name="closed_lost_reason_code"
        ).options
    finally:
        sandbox.stop()
    assert {o.value: o.label for o in options}["no_decision"] == "No Decision"
