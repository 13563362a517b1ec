"""Reliability of record migrations: `crmdefs apply --migrate-records` on the sandbox while HubSpot's batch
update fails for some records (a 207, docs/hubspot.md#hs-batch-207-returns). Checked against the sandbox's
own state as in tests/test_faults.py: the refused record keeps its value, the report names it with HubSpot's
message, the backup lists only the records that changed so revert restores them, a re-run converges and
no picklist value is lost.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, RunCli
from .fault_scenarios import SANDBOX, Scenario
from .fault_scenarios import no_inherited_faults_fixture as no_inherited_faults_fixture  # pytest fixture


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter definitions and a seeded sandbox (state and certificates), made once."""
    project = tmp_path_factory.mktemp("seeded")
    shutil.copytree(REPO / "definitions", project / "definitions")
    sandbox = Sandbox(project / SANDBOX, log_to_file=False)
    sandbox.start()
    sandbox.stop()
    return project


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest,
    seeded: Path,
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> Scenario:
    shutil.copytree(seeded, tmp_path, dirs_exist_ok=True)
    return Scenario(request.node.name.removeprefix("test_"), tmp_path, run_cli, monkeypatch)


def contacts_in(project: Path) -> dict[str, dict[str, Any]]:
    state = json.loads((project / SANDBOX / "state.json").read_text(encoding="utf-8"))
    contacts: dict[str, dict[str, Any]] = state["hubspot"]["objects"]["contacts"]
    return contacts


def option_hidden(project: Path, value: str) -> bool:
    state = json.loads((project / SANDBOX / "state.json").read_text(encoding="utf-8"))
    options = state["hubspot"]["properties"]["contacts"]["hs_lead_status"]["options"]
    return bool(next(o for o in options if o["value"] == value)["hidden"])


def test_a_207_for_one_record_keeps_its_old_value_reports_it_and_revert_restores_the_rest(
    scenario: Scenario,
) -> None:
    # NEW is renamed NEW_LEAD; two seeded contacts hold NEW, and the batch update that moves them answers
    # 207 for one (docs/hubspot.md#hs-batch-207-returns): it keeps NEW, which stays active.
    fields = scenario.project / "definitions" / "fields" / "hubspot.yaml"
    renamed = "    - {value: NEW_LEAD, label: New, term: raw-lead, renamed_from: [NEW]}\n"
    fields.write_text(
        fields.read_text(encoding="utf-8").replace(
            "    - {value: NEW, label: New, term: raw-lead}\n", renamed
        )
    )
    before = contacts_in(scenario.project)
    moved, failing = sorted(i for i, c in before.items() if c["properties"]["hs_lead_status"] == "NEW")
    first = scenario.run(
        "apply",
        "--auto-approve",
        "--migrate-records",
        faults={"CRMDEFS_SANDBOX_FAIL_COMPONENTS": f"contacts.{failing}"},
    )
    assert first.code == 1
    assert (
        "✗ hubspot:contacts.hs_lead_status: 1 of 2 records not migrated (the old values stay active):"
        in first.out
    )
    assert (
        f"  record {failing}: Could not get some CONTACT objects, they may be deleted or not exist."
        in first.out
    )
    scenario.other_faults["207"] += sum(e["status"] == 207 for e in scenario.faulty[-1])
    status = {i: c["properties"]["hs_lead_status"] for i, c in contacts_in(scenario.project).items()}
    assert (status[moved], status[failing]) == ("NEW_LEAD", "NEW")
    assert option_hidden(scenario.project, "NEW") is False  # still held, so not retired
    backup = sorted((scenario.project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))[-1]
    records = json.loads(backup.read_text(encoding="utf-8"))["records"]
    assert [r for r in records if r["address"].startswith("hubspot:")] == [
        {"address": "hubspot:contacts.hs_lead_status", "id": moved, "old": "NEW", "new": "NEW_LEAD"}
    ]  # the record HubSpot refused never changed: revert leaves it alone

    reverted = scenario.run("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    assert "0 failed" in reverted.out
    assert contacts_in(scenario.project)[moved]["properties"]["hs_lead_status"] == "NEW"

    resumed = scenario.run("apply", "--auto-approve", "--migrate-records")
    assert resumed.code == 0, resumed.out + resumed.err
    after = contacts_in(scenario.project)
    assert {i: c["properties"]["hs_lead_status"] for i, c in after.items()} == {
        i: "NEW_LEAD" if c["properties"]["hs_lead_status"] == "NEW" else c["properties"]["hs_lead_status"]
        for i, c in before.items()
    }
    assert option_hidden(scenario.project, "NEW") is True  # retired once no record holds it
    figures = scenario.finish(migrated=True)  # converged; NEW is hidden, not deleted
    assert figures.faults_injected == {"207": 1}
