"""Drift tells the truth (step 11, point 11): after a record migration, after a revert, and in the
message a chat shows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, RunCli
from .test_drift import drift_to_a_webhook, edit_in_the_crm, origins


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def skip_reasons(report: dict[str, Any]) -> list[str]:
    return [s["reason"] for t in report["targets"] for s in t["skips"]]


def test_drift_after_a_record_migration_reads_the_records_as_they_are(run_cli: RunCli, project: Path) -> None:
    before = json.loads(run_cli("drift", "--format", "json").out)
    planned = json.loads(run_cli("plan", "--format", "json").out)
    # Counted, as plan counts them: the skip says how many records hold the old value today.
    reasons = [s["reason"] for f in planned["fields"] for s in f["skips"]]
    assert any(re.match(r"[1-9]\d* records still hold 'pricing'", r) for r in reasons), reasons
    assert skip_reasons(before) == reasons

    migrated = run_cli("apply", "--auto-approve", "--migrate-records")
    assert migrated.code == 0, migrated.out + migrated.err
    after = run_cli("drift", "--format", "json")
    assert after.code == 0, after.out
    assert not [r for r in skip_reasons(json.loads(after.out)) if "still hold" in r]
    assert "still hold" not in run_cli("drift").out


def test_drift_after_a_revert_names_the_revert_not_the_crm(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    backup = next((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err

    result = run_cli("drift", "--format", "json")
    assert result.code == 2  # the CRM is back where it was; the definitions still ask for more
    found = origins(json.loads(result.out))
    assert "salesforce:Opportunity.Loss_Reason__c" in found and "salesforce:Lead.Status" in found
    assert set(found.values()) == {"reverted"}, found
    text = run_cli("drift").out
    assert f"reverted by `crmdefs revert` to the backup {backup.name}" in text
    assert "changed in the CRM" not in text

    edit_in_the_crm(project)  # an edit by hand after the revert is the CRM's again
    edited = origins(json.loads(run_cli("drift", "--format", "json").out))
    assert edited["salesforce:Lead.Status"] == "changed_in_crm"  # new help text
    # 'Timing' was deactivated by the revert already: that edit changed nothing.
    assert edited["salesforce:Opportunity.Loss_Reason__c"] == "reverted"

    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("drift").code == 0


def test_the_webhook_message_names_the_target_and_the_fields(run_cli: RunCli, project: Path) -> None:
    code, payload = drift_to_a_webhook(run_cli)
    assert code == 2
    text = payload["text"]
    fields = [f["address"] for f in payload["report"]["targets"][0]["fields"]]
    assert len(fields) > 5
    head, target = text.splitlines()
    assert head.startswith("Drift: ")
    assert target == (f"sandbox: {len(fields)} fields — {', '.join(fields[:5])} and {len(fields) - 5} more")
