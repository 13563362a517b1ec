"""`crmdefs drift` end to end on the sandbox: classification, baselines, read-only, several targets,
reports and the webhook."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hubspot.crm.properties import OptionInput

from crmdefs.adapters.salesforce.client import client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO, RunCli, assert_golden, write_files
from .sandbox_helpers import PinnedSession
from .test_plan_apply import edit_hubspot_options, requests_logged, sandbox_clients


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def edit_in_the_crm(project: Path) -> None:
    """What an admin does by hand: new help text on Lead.Status, a reason deactivated in Setup — as Priya
    Raman, an admin of the org, with her own session (not the user crmdefs signs in as)."""
    sandbox, _, _ = sandbox_clients(project)
    assert sandbox.info is not None
    token = sandbox.info.user_tokens["praman@example.com.sandbox"]
    session = PinnedSession(sandbox.info.ca_bundle)
    sf = client_with_token(sandbox.info.instance_url, Secret(token), session=session, version="62.0").rest
    try:
        status = sf.mdapi.CustomField.read(["Lead.Status"])
        status.inlineHelpText = "Ask your manager."
        loss = sf.mdapi.CustomField.read(["Opportunity.Loss_Reason__c"])
        for value in loss.valueSet.valueSetDefinition.value:
            if value.fullName == "Timing":
                value.isActive = False
        sf.mdapi.CustomField.update([status, loss])
    finally:
        sandbox.stop()


def edit_hubspot_by_hand(project: Path) -> None:
    edit_hubspot_options(
        project,
        "deals",
        "dealtype",
        lambda options: [
            OptionInput(
                label=o.label,
                value=o.value,
                description="Edited.",
                hidden=o.hidden,
                display_order=o.display_order,
            )
            for o in options
        ],
    )


def origins(report: dict[str, Any]) -> dict[str, str]:
    return {f["address"]: f["origin"] for t in report["targets"] for f in t["fields"]}


def test_drift_classifies_and_a_baseline_hides_known_differences(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("drift").code == 0
    edit_hubspot_by_hand(project)  # known, accepted drift
    assert run_cli("drift", "--write-baseline", "baseline.json").code == 0  # known from now on
    assert run_cli("drift", "--baseline", "baseline.json").code == 0

    edit_in_the_crm(project)
    result = run_cli("drift", "--format", "json")
    assert result.code == 2
    report = json.loads(result.out)
    assert origins(report) == {
        "hubspot:deals.dealtype": "changed_in_crm",
        "salesforce:Lead.Status": "changed_in_crm",
        "salesforce:Opportunity.Loss_Reason__c": "changed_in_crm",
    }
    hubspot = next(f for f in report["targets"][0]["fields"] if f["address"] == "hubspot:deals.dealtype")
    assert hubspot["modified_at"]  # HubSpot says when (updatedAt); Salesforce's Metadata API does not
    only_new = json.loads(run_cli("drift", "--format", "json", "--baseline", "baseline.json").out)
    assert origins(only_new) == {
        "salesforce:Lead.Status": "changed_in_crm",
        "salesforce:Opportunity.Loss_Reason__c": "changed_in_crm",
    }
    assert only_new["summary"]["baselined"] == 2
    items = {d["item"] for f in only_new["targets"][0]["fields"] for d in f["differences"]}
    assert items == {"help_text", "value 'Timing' reactivate"}

    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(
        path.read_text().replace("Pick the one reason that decided it", "Choose the reason that decided it")
    )
    edited = json.loads(run_cli("drift", "--format", "json", "--baseline", "baseline.json").out)
    # Edited in both places: the CRM edit is what a reviewer must see first.
    assert origins(edited)["salesforce:Opportunity.Loss_Reason__c"] == "changed_in_crm"


def test_a_grant_removed_in_the_crm_is_drift(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    sandbox, sf, _ = sandbox_clients(project)
    try:  # an admin takes Loss_Reason__c out of the permission set the binding keeps it visible through
        access = sf.mdapi.PermissionSet.read(["Crmdefs_Field_Access"])
        access.fieldPermissions = [
            g for g in access.fieldPermissions if g.field != "Opportunity.Loss_Reason__c"
        ]
        sf.mdapi.PermissionSet.update([access])
    finally:
        sandbox.stop()
    result = run_cli("drift", "--format", "json")
    assert result.code == 2
    [field] = json.loads(result.out)["targets"][0]["fields"]
    assert (field["address"], field["origin"]) == ("salesforce:Opportunity.Loss_Reason__c", "changed_in_crm")
    assert [(d["item"], d["crm"], d["definitions"]) for d in field["differences"]] == [
        ("access through permission set Crmdefs_Field_Access", "none", "read_edit")
    ]


def test_definitions_changed_but_not_applied(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(
        path.read_text().replace("Pick the one reason that decided it", "Choose the reason that decided it")
    )
    report = json.loads(run_cli("drift", "--format", "json").out)
    assert origins(report) == {"salesforce:Opportunity.Loss_Reason__c": "definitions_not_applied"}


def test_drift_without_a_state_file_says_why_it_cannot_classify(run_cli: RunCli, project: Path) -> None:
    result = run_cli("drift")
    assert result.code == 2
    assert "no state file (.crmdefs/state/sandbox.json)" in result.out
    assert set(origins(json.loads(run_cli("drift", "--format", "json").out)).values()) == {"unclassified"}


def test_drift_sends_only_reads(run_cli: RunCli, project: Path) -> None:
    assert run_cli("drift").code == 2
    logged = requests_logged(project)
    assert logged, "the sandbox logged no request"
    reads = ("readMetadata", "listMetadata", "getUserInfo")  # getUserInfo: who drift is signed in as
    writes = [e for e in logged if e["method"] not in ("GET",) and e.get("action") not in reads]
    assert writes == []


@pytest.fixture
def two_orgs(tmp_path: Path) -> Iterator[tuple[SandboxInfo, SandboxInfo]]:
    first, second = (
        Sandbox(tmp_path / "org-a", log_to_file=False),
        Sandbox(tmp_path / "org-b", log_to_file=False),
    )
    yield first.start(), second.start()
    first.stop()
    second.stop()


def test_all_targets_are_checked_and_a_broken_one_does_not_hide_the_others(
    run_cli: RunCli, project: Path, two_orgs: tuple[SandboxInfo, SandboxInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_orgs

    def target(info: SandboxInfo, env: str) -> str:
        return (
            f"    salesforce: {{instance_url: '{info.instance_url}', access_token_env: {env}_SF}}\n"
            f"    hubspot: {{base_url: '{info.base_url}', access_token_env: {env}_HS}}\n"
            f"    ca_bundle: {info.ca_bundle}\n"
        )

    write_files(
        project,
        {
            "crmdefs.yaml": "targets:\n  acme:\n"
            + target(a, "ACME")
            + "  globex:\n"
            + target(b, "GLOBEX")
            + "  initech:\n"
            + target(b, "INITECH")
        },
    )
    for env, info in (("ACME", a), ("GLOBEX", b)):
        monkeypatch.setenv(f"{env}_SF", info.access_token)
        monkeypatch.setenv(f"{env}_HS", info.access_token)
    monkeypatch.setenv("INITECH_SF", "expired-token")
    monkeypatch.setenv("INITECH_HS", "expired-token")
    result = run_cli("drift", "--all-targets", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    by_target = {t["target"]: t for t in report["targets"]}
    assert set(by_target) == {"acme", "globex", "initech"}
    assert by_target["acme"]["fields"] and by_target["globex"]["fields"]
    assert by_target["initech"]["error"] and "expired-token" not in result.out


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


def drift_to_a_webhook(run_cli: RunCli) -> tuple[int, dict[str, Any]]:
    """`crmdefs drift --webhook` posting to a local chat stand-in: the exit code and what it received."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_cli("drift", "--webhook", f"http://127.0.0.1:{server.server_address[1]}/hook")
    finally:
        server.shutdown()
    return result.code, _Hook.received[-1]


def test_webhook_gets_the_report_as_json(run_cli: RunCli, project: Path) -> None:
    code, payload = drift_to_a_webhook(run_cli)
    assert code == 2
    assert payload["text"].startswith("Drift: ")
    assert payload["report"]["format_version"] == "1.2" and payload["report"]["summary"]["differences"] > 0
    refused = run_cli("drift", "--webhook", "http://hooks.example.com/T000")
    assert refused.code == 1 and "plain http:// is allowed only for localhost" in refused.err


def _normalized(text: str) -> str:
    text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)", "<time>", text)
    return text


@pytest.mark.parametrize(
    ("fmt", "golden"), [("text", "drift.txt"), ("markdown", "drift.md"), ("json", "drift.json")]
)
def test_drift_reports_are_pinned(run_cli: RunCli, project: Path, fmt: str, golden: str) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_in_the_crm(project)
    result = run_cli("drift", "--format", fmt, "--out", f"report.{fmt}")
    assert result.code == 2
    assert (project / f"report.{fmt}").read_text() == result.out
    assert_golden(golden, _normalized(result.out))


def test_path_guidance_the_same_on_several_record_types_is_shown_once(run_cli: RunCli, project: Path) -> None:
    """Before the first apply, every record type's Path lacks the same guidance: one line per stage, naming
    the record types, not one per stage and record type. The JSON keeps every difference."""
    result = run_cli("drift")
    assert result.code == 2, result.err
    closed_won = [
        line for line in result.out.splitlines() if "path guidance" in line and "'Closed Won'" in line
    ]
    assert len(closed_won) == 1, closed_won
    assert "path guidance (master, New_Business, Renewal) 'Closed Won': CRM (none)" in closed_won[0]
    markdown = run_cli("drift", "--format", "markdown").out
    rows = [
        line
        for line in markdown.splitlines()
        if line.startswith("| path guidance") and "'Closed Won'" in line
    ]
    assert len(rows) == 1 and rows[0].startswith(
        "| path guidance (master, New_Business, Renewal) 'Closed Won' |"
    )
    report = json.loads(run_cli("drift", "--json").out)
    items = [d["item"] for f in report["targets"][0]["fields"] for d in f["differences"]]
    assert (
        "path guidance (New_Business) 'Closed Won'" in items
        and "path guidance (Renewal) 'Closed Won'" in items
    )


@pytest.mark.parametrize("command", [("drift", "--out"), ("plan", "-o"), ("quality", "--out")])
def test_an_output_path_that_cannot_be_written_is_one_clear_error(
    run_cli: RunCli, project: Path, command: tuple[str, str]
) -> None:
    """A report or plan file under a path that is a file, not a folder: named with the option to fix."""
    (project / "taken").write_text("a file, not a folder\n")
    name, option = command
    result = run_cli(name, option, "taken/report.out")
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert f"cannot write taken/report.out (File exists) — point {option} at a file you can write to" in (
        result.err
    )


@pytest.mark.parametrize("command", [("drift", "--out"), ("plan", "-o"), ("quality", "--out")])
def test_an_empty_output_path_is_one_clear_error(
    run_cli: RunCli, project: Path, command: tuple[str, str]
) -> None:
    """``--out ""`` (an unset shell variable in CI) names no file: said so, not an internal error."""
    name, option = command
    result = run_cli(name, option, "")
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert f"crmdefs: error: {option} names no file — point {option} at a file you can write to" in result.err
