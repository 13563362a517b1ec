"""Renamed values and record migration on the sandbox's seeded opportunities: counts shown, nothing
deactivated while records hold it, `--migrate-records` moves them, revert puts every record back."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from .conftest import REPO, RunCli
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
