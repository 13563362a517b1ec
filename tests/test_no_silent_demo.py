"""No silent demo (step 11, point 1): the built-in demo org is used by default only when there is no
crmdefs.yaml and no CRM credential is set, and every command on it says so first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import REPO, RunCli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


@pytest.mark.parametrize("command", [["plan"], ["import", "--object", "Lead"], ["drift"]])
def test_credentials_without_a_config_are_not_answered_by_the_demo(
    run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", "00Dxx0000001gPL!AQ0AQ")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-0000")
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run_cli(*command)
    assert result.code == 1
    assert "SALESFORCE_ACCESS_TOKEN and HUBSPOT_ACCESS_TOKEN are set" in result.err
    assert "--target sandbox" in result.err and "crmdefs.yaml" in result.err
    assert "run `crmdefs init`" in result.err
    assert "No changes" not in result.out and "Traceback" not in result.err
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before, "nothing was written"
    assert "00Dxx" not in result.err + result.out


def test_asking_for_the_demo_by_name_still_works(
    run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-0000")
    result = run_cli("plan", "--target", "sandbox")
    assert result.code == 0, result.err
    assert result.err.splitlines()[0] == "target sandbox — the built-in demo org, not your CRM"


def test_every_command_on_the_demo_says_so_first(run_cli: RunCli, project: Path) -> None:
    for command in (["plan"], ["apply", "--auto-approve"], ["drift"]):
        result = run_cli(*command)
        assert result.err.splitlines()[0] == "target sandbox — the built-in demo org, not your CRM", command
    assert "demo org" not in run_cli("validate").err


def test_revert_on_the_demo_says_so_first(run_cli: RunCli, project: Path) -> None:
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.err
    backup = next((project / ".crmdefs" / "backups" / "sandbox").glob("*.json"))
    result = run_cli("revert", str(backup), "--auto-approve")
    assert result.code == 0, result.err
    assert result.err.splitlines()[0] == "target sandbox — the built-in demo org, not your CRM"
