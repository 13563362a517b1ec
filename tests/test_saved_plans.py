"""Saved plans as a user handles them (step 11, point 8): a stale plan is refused before it is shown, the
same plan is not applied twice, and `crmdefs show` prints a saved plan without touching a CRM."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, RunCli
from .test_plan_apply import edit_help_text_by_hand, requests_logged


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def test_a_stale_plan_is_refused_before_it_is_printed(run_cli: RunCli, project: Path) -> None:
    assert run_cli("plan", "-o", "p.json").code == 0
    edit_help_text_by_hand(project)
    stale = run_cli("apply", "p.json")
    assert stale.code == 1
    # Nothing of the plan is shown: a person would read it as what is about to happen.
    assert stale.out == ""
    assert "salesforce:Lead.Status: help_text changed" in stale.err
    assert "run `crmdefs plan` again" in stale.err


def test_the_same_plan_applied_twice_is_refused_without_a_write(run_cli: RunCli, project: Path) -> None:
    assert run_cli("plan", "-o", "p.json").code == 0
    first = run_cli("apply", "p.json")
    assert first.code == 0, first.err
    writes = [e for e in requests_logged(project) if e["method"] != "GET"]
    state = json.loads((project / ".crmdefs" / "state" / "sandbox.json").read_text())
    backups = sorted((project / ".crmdefs" / "backups" / "sandbox").iterdir())

    again = run_cli("apply", "p.json")
    assert again.code == 1
    assert "p.json: this plan was already applied at " in again.err
    assert "(target 'sandbox')" in again.err and "crmdefs plan -o" in again.err
    assert again.out == ""
    assert "stale" not in again.err  # the truth, not a consequence of it
    assert [e for e in requests_logged(project) if e["method"] != "GET"] == writes
    assert sorted((project / ".crmdefs" / "backups" / "sandbox").iterdir()) == backups
    assert json.loads((project / ".crmdefs" / "state" / "sandbox.json").read_text()) == state


def test_a_copy_of_a_plan_is_the_same_plan(run_cli: RunCli, project: Path) -> None:
    assert run_cli("plan", "-o", "p.json").code == 0
    shutil.copy(project / "p.json", project / "copy.json")
    assert run_cli("apply", "p.json").code == 0
    assert "this plan was already applied at" in run_cli("apply", "copy.json").err


def test_a_plan_with_nothing_to_change_can_be_applied_again(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("plan", "-o", "none.json").code == 0
    assert run_cli("apply", "none.json").code == 0
    assert run_cli("apply", "none.json").code == 0  # nothing was written, so nothing was applied


def test_show_prints_a_saved_plan_without_a_crm(
    run_cli: RunCli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = run_cli("plan", "-o", "p.json")
    as_json = run_cli("plan", "--format", "json")
    markdown = run_cli("plan", "--format", "markdown")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(project / "p.json", elsewhere / "p.json")
    log = project / ".crmdefs" / "sandbox" / "requests.log"
    logged = log.read_text()
    monkeypatch.chdir(elsewhere)  # no definitions, no crmdefs.yaml, no sandbox here
    # Credentials set without a config would refuse any command that reads a CRM (no silent demo).
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", "not-used")

    shown = run_cli("show", "p.json")
    assert shown.code == 0, shown.err
    assert shown.out == planned.out
    assert "sandbox" not in shown.err  # no "target sandbox — the built-in demo org" line: nothing is read
    shown_json = json.loads(run_cli("show", "p.json", "--format", "json").out)
    expected = json.loads(as_json.out)
    for data in (shown_json, expected):
        data.pop("created_at")
    assert shown_json == expected
    assert run_cli("show", "p.json", "--format", "markdown").out == markdown.out
    assert log.read_text() == logged  # no request reached the CRM
    assert not (elsewhere / ".crmdefs").exists()


def test_show_refuses_what_is_not_a_plan(run_cli: RunCli, project: Path) -> None:
    (project / "notes.json").write_text('{"hello": "world"}\n')
    not_plan = run_cli("show", "notes.json")
    assert not_plan.code == 1
    assert not_plan.err.startswith("crmdefs: error: notes.json: not a usable crmdefs plan")
    assert "Traceback" not in not_plan.err

    (project / "yaml.json").write_text("target: x\n")
    assert "not a usable crmdefs plan (not valid JSON" in run_cli("show", "yaml.json").err

    assert run_cli("plan", "-o", "p.json").code == 0
    data = json.loads((project / "p.json").read_text())
    data["format_version"] = "7.0"
    (project / "future.json").write_text(json.dumps(data))
    future = run_cli("show", "future.json")
    assert future.code == 1 and "plan format 7.0 is not supported" in future.err

    missing = run_cli("show", "missing.json")
    assert missing.code == 1 and "cannot read plan file missing.json" in missing.err
