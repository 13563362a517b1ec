"""Who changed it, on Salesforce, end to end: drift reads the sandbox's setup audit trail (one query per
target and run) and names the admin who edited a field in Setup; crmdefs' own apply and revert are never
someone else's edit; without a state file, without the permission, the report says what it could."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.api import Salesforce

from crmdefs.adapters.salesforce.client import client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, RunCli
from .sandbox_helpers import PinnedSession
from .test_drift import drift_to_a_webhook
from .test_plan_apply import requests_logged

ADMIN = "praman@example.com.sandbox"  # Priya Raman, an admin of the seeded org
API_USER = "crmdefs.integration@example.com.sandbox"  # the sandbox's API user: crmdefs signs in as it


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def edit_in_setup_as(project: Path, username: str, help_text: str = "Ask your manager.") -> None:
    """What an admin does in Setup, through the real client with that admin's own session."""
    sandbox = Sandbox(project / ".crmdefs" / "sandbox", log_to_file=False)
    info = sandbox.start()
    try:
        sf = _client(info.instance_url, info.user_tokens[username], info.ca_bundle)
        status = sf.mdapi.CustomField.read(["Lead.Status"])
        status.inlineHelpText = help_text
        sf.mdapi.CustomField.update([status])
    finally:
        sandbox.stop()


def _client(instance_url: str, token: str, ca_bundle: Path) -> Salesforce:
    return client_with_token(
        instance_url, Secret(token), session=PinnedSession(ca_bundle), version="62.0"
    ).rest


def drift_json(run_cli: RunCli) -> dict[str, Any]:
    result = run_cli("drift", "--format", "json")
    assert result.code == 2, result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def field(report: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for t in report["targets"] for f in t["fields"] if f["address"] == address)
    return found


def audit_queries(project: Path) -> int:
    return sum(str(r.get("action", "")).lower() == "query setupaudittrail" for r in requests_logged(project))


def test_drift_after_a_setup_edit_by_another_admin_names_that_admin_and_when(
    run_cli: RunCli, project: Path
) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_in_setup_as(project, ADMIN)
    text = run_cli("drift")
    assert text.code == 2, text.err
    line = next(x for x in text.out.splitlines() if x.startswith("  ~ salesforce:Lead.Status"))
    assert (
        "changed in the CRM since the last apply; changed by Priya Raman (praman@example.com.sandbox) at 20"
        in line
    )
    assert "last modified by unknown" not in text.out
    status = field(drift_json(run_cli), "salesforce:Lead.Status")
    assert status["attribution"] == "someone_else"
    change = status["setup_change"]
    assert change["by"]["name"] == "Priya Raman" and change["by"]["username"] == ADMIN
    assert change["section"] == "Customize Leads" and change["display"] == "Changed help text of Status field"
    assert (
        change["at"].endswith("Z") and change["crmdefs_own"] is False and change["since_last_apply"] is True
    )


def test_at_most_one_audit_trail_query_per_target_and_run(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_in_setup_as(project, ADMIN)
    before = audit_queries(project)
    assert run_cli("drift").code == 2
    assert audit_queries(project) - before == 1


def test_no_salesforce_drift_no_audit_query(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    before = audit_queries(project)
    assert run_cli("drift").code == 0
    assert audit_queries(project) == before


def test_apply_records_who_it_signed_in_as(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    state = json.loads((project / ".crmdefs" / "state" / "sandbox.json").read_text())
    assert state["format_version"] == "1.2"
    recorded = state["fields"]["salesforce:Lead.Status"]["applied_by"]
    assert recorded["username"] == API_USER and recorded["id"].startswith("005")
    assert "applied_by" not in state["fields"]["hubspot:deals.dealtype"]  # HubSpot does not say


def test_after_crmdefs_own_apply_and_revert_nothing_is_anyone_elses(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    backups = sorted((project / ".crmdefs" / "backups" / "sandbox").iterdir())
    assert run_cli("revert", str(backups[0]), "--auto-approve").code == 0
    report = drift_json(run_cli)
    statuses = {
        f["attribution"]
        for t in report["targets"]
        for f in t["fields"]
        if f["address"].startswith("salesforce:")
    }
    assert "someone_else" not in statuses and statuses <= {"crmdefs", "not_found"}
    own = [
        f
        for t in report["targets"]
        for f in t["fields"]
        if f["attribution"] == "crmdefs" and f["setup_change"]["by"]["username"] == API_USER
    ]
    assert own, "the revert's own setup changes are recognised as crmdefs' own"
    text = run_cli("drift").out
    assert "changed by" not in text and "by crmdefs' own apply/revert as crmdefs Integration" in text


def test_a_setup_edit_made_later_as_crmdefs_own_user_is_not_called_crmdefs_apply(
    run_cli: RunCli, project: Path
) -> None:
    """An admin who runs crmdefs signed in as themselves edits in Setup as that same user: once the apply
    has recorded its writes, a later change by that user is an edit, not the apply's."""
    assert run_cli("apply", "--auto-approve").code == 0
    time.sleep(1.1)  # the trail and the state file keep times to the second: the edit comes a second later
    edit_in_setup_as(project, API_USER)
    text = run_cli("drift")
    line = next(x for x in text.out.splitlines() if x.startswith("  ~ salesforce:Lead.Status"))
    assert "crmdefs' own apply/revert" not in line
    assert "changed by crmdefs Integration (crmdefs.integration@example.com.sandbox) at 20" in line
    assert "the user crmdefs signs in as, but after its last apply here had finished" in line
    status = field(drift_json(run_cli), "salesforce:Lead.Status")
    assert status["attribution"] == "someone_else"
    assert status["setup_change"]["crmdefs_own"] is False and status["setup_change"]["crmdefs_user"] is True


def test_without_a_state_file_the_newest_matching_change_is_named_and_the_report_says_so(
    run_cli: RunCli, project: Path
) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_in_setup_as(project, ADMIN)
    (project / ".crmdefs" / "state" / "sandbox.json").unlink()
    status = field(drift_json(run_cli), "salesforce:Lead.Status")
    assert status["attribution"] == "someone_else" and status["setup_change"]["since_last_apply"] is False
    line = next(x for x in run_cli("drift").out.splitlines() if x.startswith("  ~ salesforce:Lead.Status"))
    assert "changed by Priya Raman (praman@example.com.sandbox) at " in line
    assert "(the newest matching setup change of the last 180 days: no apply of it recorded to tell)" in line


def test_a_user_without_view_setup_gets_drift_with_one_line_saying_why_attribution_is_missing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    sandbox = Sandbox(tmp_path / "org", log_to_file=False)
    info = sandbox.start()
    try:
        config = (
            f"targets:\n  prod:\n    salesforce: {{instance_url: '{info.instance_url}'}}\n"
            f"    ca_bundle: {info.ca_bundle}\n"
        )
        (tmp_path / "crmdefs.yaml").write_text(config)
        monkey = pytest.MonkeyPatch()
        # A sales user, not an admin: no "View Setup and Configuration" (sfusers.py).
        monkey.setenv("SALESFORCE_ACCESS_TOKEN", info.user_tokens["therrera@example.com.sandbox"])
        try:
            result = run_cli("drift", "--target", "prod")
            as_json = run_cli("drift", "--target", "prod", "--format", "json")
        finally:
            monkey.undo()
    finally:
        sandbox.stop()
    assert result.code == 2, result.err
    reason = (
        "who changed it is unavailable: the signed-in user may not read the setup audit trail (Salesforce: "
        "SetupAuditTrail is not supported) — give it the 'View Setup and Configuration' permission"
    )
    assert result.out.count(reason) == 1
    target = json.loads(as_json.out)["targets"][0]
    assert target["attribution_unavailable"].startswith(
        "the signed-in user may not read the setup audit trail"
    )
    assert {f["attribution"] for f in target["fields"] if f["address"].startswith("salesforce:")} == {
        "not_checked"
    }


def test_the_chat_message_and_markdown_name_who_changed_it(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_in_setup_as(project, ADMIN)
    code, payload = drift_to_a_webhook(run_cli)
    assert code == 2
    assert (
        "salesforce:Lead.Status (changed by Priya Raman (praman@example.com.sandbox) at 20" in payload["text"]
    )
    markdown = run_cli("drift", "--format", "markdown").out
    assert (
        "#### `salesforce:Lead.Status` — changed in the CRM since the last apply; changed by Priya Raman"
        in markdown
    )


def test_a_state_file_of_format_1_1_is_still_read(run_cli: RunCli, project: Path) -> None:
    """Written before apply recorded its user: drift still classifies, and still tells crmdefs' own setup
    changes apart by the user it is signed in as now."""
    assert run_cli("apply", "--auto-approve").code == 0
    path = project / ".crmdefs" / "state" / "sandbox.json"
    state = json.loads(path.read_text())
    state["format_version"] = "1.1"
    for recorded in state["fields"].values():
        recorded.pop("applied_by", None)
    path.write_text(json.dumps(state))
    edit_in_setup_as(project, ADMIN)
    status = field(drift_json(run_cli), "salesforce:Lead.Status")
    assert status["origin"] == "changed_in_crm" and status["setup_change"]["by"]["username"] == ADMIN


def test_definitions_not_applied_ask_nothing_of_the_audit_trail(run_cli: RunCli, project: Path) -> None:
    """The CRM still holds what was applied: no setup change made the difference, so none is looked up."""
    assert run_cli("apply", "--auto-approve").code == 0
    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(path.read_text().replace("Pick the one reason that decided it", "Choose the reason"))
    before = audit_queries(project)
    loss = field(drift_json(run_cli), "salesforce:Opportunity.Loss_Reason__c")
    assert loss["origin"] == "definitions_not_applied"
    assert loss["attribution"] == "not_checked" and loss["setup_change"] is None
    assert audit_queries(project) == before
