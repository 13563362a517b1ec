"""Both HubSpot API families (docs/hubspot.md#hs-dated-apis) run the whole cycle, plan → apply → plan (no
changes) → drift, against the sandbox, and the request log shows only the chosen family's paths."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO, RunCli, write_files

FAMILIES = {
    "2026-03": re.compile(r"/crm/(properties|objects|pipelines)/2026-03/"),
    "v3": re.compile(r"/crm/v3/(properties|objects|pipelines)/"),
}


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Sandbox, SandboxInfo]]:
    sandbox = Sandbox(tmp_path / "portal", log_to_file=False)
    info = sandbox.start()
    yield sandbox, info
    sandbox.stop()


def hubspot_paths(sandbox: Sandbox) -> list[str]:
    return [str(e["path"]) for e in sandbox.log.entries if e["api"] == "hubspot"]


@pytest.mark.parametrize("version", ["2026-03", "v3"])
def test_each_api_family_runs_the_whole_cycle_on_its_own_paths(
    run_cli: RunCli,
    tmp_path: Path,
    portal: tuple[Sandbox, SandboxInfo],
    monkeypatch: pytest.MonkeyPatch,
    version: str,
) -> None:
    sandbox, info = portal
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": "targets:\n  portal:\n"
            f"    salesforce: {{instance_url: '{info.instance_url}', access_token_env: PORTAL_KEY}}\n"
            f"    hubspot: {{base_url: '{info.base_url}', access_token_env: PORTAL_KEY, "
            f"api_version: '{version}'}}\n"
            f"    ca_bundle: {info.ca_bundle}\n"
        },
    )
    monkeypatch.setenv("PORTAL_KEY", info.access_token)

    first = run_cli("plan", "--detailed-exitcode")
    assert first.code == 2, first.out + first.err
    assert "+ hubspot:deals.closed_lost_reason_code" in first.out
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert again.out.startswith('No changes. Target "portal" matches the definitions.')
    drift = run_cli("drift")
    assert drift.code == 0, drift.out + drift.err

    paths = hubspot_paths(sandbox)
    assert any("/properties/" in p for p in paths) and any(p.endswith("/deals") for p in paths)
    assert [p for p in paths if not FAMILIES[version].match(p)] == []


def test_an_unknown_api_version_is_refused_at_load_with_its_line(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": "targets:\n  portal:\n"
            "    hubspot: {base_url: 'https://api.hubapi.com', api_version: 'v4'}\n"
        },
    )
    result = run_cli("plan")
    assert result.code != 0
    assert "crmdefs.yaml:3" in result.err + result.out
    assert "2026-03" in result.err + result.out and "Traceback" not in result.err
