"""Running the sandbox as a user does: `crmdefs sandbox serve / info / reset`, the state directory, the
fault knobs and the request log."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hubspot import HubSpot
from simple_salesforce import Salesforce

from crmdefs.adapters.salesforce.client import salesforce_client
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO, RunCli
from .sandbox_helpers import PinnedSession


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """`crmdefs sandbox serve` in a child process, from an empty project directory."""
    process = subprocess.Popen(
        [sys.executable, "-m", "crmdefs", "sandbox", "serve"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    assert lines and lines[-1].startswith("Press Ctrl-C"), "".join(lines) + process.stderr.read()  # type: ignore[union-attr]
    yield process, tmp_path
    if process.poll() is None:
        process.kill()
        process.wait()


def test_serve_then_info_then_connect_with_both_client_libraries(
    served: tuple[subprocess.Popen[str], Path],
) -> None:
    process, project = served
    done = subprocess.run(
        [sys.executable, "-m", "crmdefs", "sandbox", "info", "--json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert set(info) == {"salesforce", "hubspot", "access_token", "ca_bundle", "state_dir", "server"}
    assert info["server"]["pid"] == process.pid
    assert set(info["salesforce"]) == {"instance_url", "users"} and set(info["hubspot"]) == {"base_url"}
    assert Path(info["state_dir"]).resolve() == (project / ".crmdefs" / "sandbox").resolve()

    session = PinnedSession(Path(info["ca_bundle"]))
    sf = Salesforce(
        instance_url=info["salesforce"]["instance_url"],
        session_id=info["access_token"],
        session=session,
        version="62.0",
    )
    assert any(f["name"] == "Loss_Reason__c" for f in sf.Opportunity.describe()["fields"])
    # Another admin's own session, as `sandbox info` gives it: the org knows who it is.
    priya = Salesforce(
        instance_url=info["salesforce"]["instance_url"],
        session_id=info["salesforce"]["users"]["praman@example.com.sandbox"],
        session=session,
        version="62.0",
    )
    assert priya.query("SELECT Id FROM Opportunity LIMIT 1")["totalSize"] == 1
    hubspot = HubSpot(
        access_token=info["access_token"], host=info["hubspot"]["base_url"], ssl_ca_cert=info["ca_bundle"]
    )
    names = {p.name for p in hubspot.crm.properties.core_api.get_all(object_type="deals").results}
    assert {"dealstage", "dealtype", "closed_lost_reason"} <= names

    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Sandbox stopped." in out
    # Serving writes nothing outside its state directory.
    outside = [p for p in project.rglob("*") if ".crmdefs" not in p.parts]
    assert outside == []


def crmdefs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crmdefs", *args], cwd=project, capture_output=True, text=True, check=False
    )


def deal_properties(info: dict[str, object]) -> set[str]:
    hubspot = HubSpot(
        access_token=str(info["access_token"]),
        host=str(info["hubspot"]["base_url"]),  # type: ignore[index]
        ssl_ca_cert=str(info["ca_bundle"]),
    )
    return {p.name for p in hubspot.crm.properties.core_api.get_all("deals").results}


def test_info_says_whether_serve_runs_and_never_lists_closed_ports(
    served: tuple[subprocess.Popen[str], Path],
) -> None:
    process, project = served
    running = crmdefs(project, "sandbox", "info")
    assert (
        running.returncode == 0
        and f"Running:    yes, `crmdefs sandbox serve` process {process.pid}" in running.stdout
    )
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)
    stopped = crmdefs(project, "sandbox", "info", "--json")
    assert stopped.returncode == 1 and stopped.stdout == ""
    assert "no sandbox is running on .crmdefs/sandbox — run `crmdefs sandbox serve`" in stopped.stderr


def test_info_after_serve_was_killed_says_it_stopped(served: tuple[subprocess.Popen[str], Path]) -> None:
    process, project = served
    process.kill()  # no chance to clean up: sandbox.json still names its ports
    process.wait()
    stopped = crmdefs(project, "sandbox", "info")
    assert stopped.returncode == 1 and "https://" not in stopped.stdout + stopped.stderr
    assert f"the `sandbox serve` of process {process.pid} has stopped" in stopped.stderr


def test_reset_while_serve_runs_resets_what_serve_serves(served: tuple[subprocess.Popen[str], Path]) -> None:
    _, project = served
    shutil.copytree(REPO / "definitions", project / "definitions")
    info = json.loads(crmdefs(project, "sandbox", "info", "--json").stdout)
    assert "closed_lost_reason_code" not in deal_properties(info)
    applied = crmdefs(project, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "closed_lost_reason_code" in deal_properties(info), "the apply went to the running serve"
    assert crmdefs(project, "sandbox", "reset").returncode == 0
    assert "closed_lost_reason_code" not in deal_properties(info)
    again = json.loads(crmdefs(project, "sandbox", "info", "--json").stdout)
    assert again == info, "a command run while serve runs leaves serve's details alone"


def test_info_before_any_start_says_what_to_do(run_cli: RunCli) -> None:
    result = run_cli("sandbox", "info", "--json")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: no sandbox is running on .crmdefs/sandbox — run `crmdefs sandbox serve`\n"
    )


def test_corrupted_state_gets_a_clear_error_and_reset_fixes_it(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / ".crmdefs" / "sandbox"
    folder.mkdir(parents=True)
    (folder / "state.json").write_text("{not json", encoding="utf-8")
    result = run_cli("sandbox", "serve")
    assert result.code == 1
    assert result.err.startswith("crmdefs: error: sandbox state ")
    assert result.err.rstrip().endswith("run `crmdefs sandbox reset` to restore the seeded demo org")
    assert "Traceback" not in result.err
    reset = run_cli("sandbox", "reset")
    assert reset.code == 0
    assert reset.out == "Sandbox in .crmdefs/sandbox restored to the seeded demo org.\n"
    assert json.loads((folder / "state.json").read_text(encoding="utf-8"))["format"] == 1


def test_reset_restores_the_seeded_org_and_keeps_the_token(tmp_path: Path) -> None:
    with Sandbox(tmp_path) as info:
        session = PinnedSession(info.ca_bundle)
        md = salesforce_client(_salesforce(info, session), session).metadata.types
        field = md.CustomField.read(["Lead.Fit_Score__c"])
        field.inlineHelpText = "Changed."
        md.CustomField.update([field])
    from crmdefs.sandbox.service import reset

    reset(tmp_path)
    with Sandbox(tmp_path) as again:
        assert again.access_token == info.access_token
        lead = _salesforce(again, PinnedSession(again.ca_bundle)).Lead.describe()
        fit = next(f for f in lead["fields"] if f["name"] == "Fit_Score__c")
        assert fit["inlineHelpText"] is None


def _salesforce(info: SandboxInfo, session: requests.Session) -> Salesforce:
    return Salesforce(
        instance_url=info.instance_url, session_id=info.access_token, session=session, version="62.0"
    )


def test_scheduled_faults_and_the_request_log(tmp_path: Path) -> None:
    faults = FaultPlan(schedule={2: "5xx", 3: "drop", 4: "429"})
    sandbox = Sandbox(tmp_path, faults=faults)
    with sandbox as info:
        session = PinnedSession(info.ca_bundle)
        auth = {"Authorization": f"Bearer {info.access_token}"}
        sf_url = f"{info.instance_url}/services/data/v62.0/limits"
        hs_url = f"{info.base_url}/crm/v3/properties/deals"
        assert session.get(sf_url, headers=auth).status_code == 200
        assert session.get(sf_url, headers=auth).status_code == 503
        with pytest.raises(requests.exceptions.ConnectionError):
            session.get(hs_url, headers=auth)
        limited = session.get(hs_url, headers=auth)
        assert limited.status_code == 429
        assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert session.get(hs_url, headers=auth).status_code == 200
    logged = [json.loads(line) for line in (tmp_path / "requests.log").read_text().splitlines()]
    assert [(e["api"], e["status"]) for e in logged] == [
        ("salesforce", 200),
        ("salesforce", 503),
        ("hubspot", 0),
        ("hubspot", 429),
        ("hubspot", 200),
    ]
    assert sandbox.log.count(api="hubspot") == 3


def test_random_faults_repeat_with_the_same_seed() -> None:
    def decisions(seed: int) -> list[str | None]:
        plan = FaultPlan.from_env(
            {
                "CRMDEFS_SANDBOX_FAIL_429": "0.3",
                "CRMDEFS_SANDBOX_DROP": "0.1",
                "CRMDEFS_SANDBOX_SEED": str(seed),
            }
        )
        return [plan.decide() for _ in range(200)]

    first = decisions(7)
    assert first == decisions(7)
    assert first != decisions(8)
    assert 30 < first.count("429") < 90 and first.count("drop") > 5


def test_bad_fault_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="CRMDEFS_SANDBOX_SCHEDULE"):
        FaultPlan.from_env({"CRMDEFS_SANDBOX_SCHEDULE": "3:boom"})
    with pytest.raises(ValueError, match="CRMDEFS_SANDBOX_FAIL_429 must be a number"):
        FaultPlan.from_env({"CRMDEFS_SANDBOX_FAIL_429": "often"})
