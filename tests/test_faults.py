"""Reliability: `crmdefs apply` on the sandbox while it misbehaves — HubSpot 429 storms and its daily limit,
Salesforce's request limit, 5xx bursts, dropped connections, answers slower than the client's timeout, one
component's save failing, a Salesforce session expiring mid-run, and SIGKILL at seeded points. After each
scenario, what a user relies on is checked against the sandbox's own state: a final plan shows zero
changes, no picklist value disappeared from either CRM (active or not), every text that was overwritten
is in a backup, no record was touched, and the HubSpot property crmdefs creates exists and was created
at most once by the log (a create that finds it made already gets a 409, and crmdefs must converge).

Faults are placed by request number (CRMDEFS_SANDBOX_SCHEDULE) on requests found in a fault-free apply of
the same org, so each scenario hits the call it names and repeats exactly. Figures per scenario — faults
injected (the request log marks them), retries, apply runs, converged, values lost — are printed and, when
CRMDEFS_FAULT_REPORT names a file, appended to it as JSON lines.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, RunCli
from .fault_scenarios import (
    SANDBOX,
    Baseline,
    Scenario,
    clean_env,
    is_action,
    is_method,
    log_entries,
    results,
    schedule,
)
from .fault_scenarios import no_inherited_faults_fixture as no_inherited_faults_fixture  # pytest fixture

KILL_SEEDS = range(20)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    seeded = tmp_path_factory.mktemp("seeded")
    shutil.copytree(REPO / "definitions", seeded / "definitions")
    sandbox = Sandbox(seeded / SANDBOX, log_to_file=False)
    sandbox.start()  # seeds state.json and makes the certificates once for every scenario
    sandbox.stop()
    probe = tmp_path_factory.mktemp("probe")
    shutil.copytree(seeded, probe, dirs_exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "crmdefs", "apply", "--auto-approve"],
        cwd=probe,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Baseline(seeded, log_entries(probe))


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest,
    baseline: Baseline,
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> Scenario:
    shutil.copytree(baseline.project, tmp_path, dirs_exist_ok=True)
    return Scenario(request.node.name.removeprefix("test_"), tmp_path, run_cli, monkeypatch)


# --- the scenarios ----------------------------------------------------------------------------------------


def test_a_hubspot_429_storm_and_its_10_second_limit_are_waited_out(
    scenario: Scenario, baseline: Baseline
) -> None:
    patch = baseline.number("hubspot", is_method("PATCH"))
    calls = sum(1 for entry in baseline.log if entry["api"] == "hubspot")
    applied = scenario.run(
        "apply",
        "--auto-approve",
        faults={
            "CRMDEFS_SANDBOX_SCHEDULE": schedule(
                "429", "hubspot", [patch], length=3
            ),  # three in a row on one PATCH
            "CRMDEFS_SANDBOX_HUBSPOT_RATE": str(calls - 2),  # the apply's calls do not fit in one window
            "CRMDEFS_SANDBOX_HUBSPOT_RETRY_AFTER": "1",
        },
    )
    assert applied.code == 0, applied.out + applied.err
    assert all(results(applied.out).values()) and "Apply complete" in applied.out
    figures = scenario.finish()
    # The portal's own limit, learned from its first answer's headers, is waited out before it refuses.
    assert figures.faults_injected == {"429": 3} and figures.rate_limited == 0
    assert figures.retries == 3  # every injected 429 was waited out and retried


def test_the_hubspot_daily_limit_stops_apply_listing_each_field_and_the_next_day_it_converges(
    scenario: Scenario, baseline: Baseline
) -> None:
    # Another app of the portal spends the day's allowance at apply's second HubSpot write (the create goes
    # first), after crmdefs found enough left to start.
    spent = f"hubspot:{baseline.number('hubspot', is_method('PATCH'))}:daily"
    stopped = scenario.run("apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_SCHEDULE": spent})
    assert stopped.code == 1
    assert "HubSpot's daily API limit for this portal is used up" in stopped.err, stopped.out
    listed = results(stopped.out)
    assert listed.get("hubspot:deals.closed_lost_reason_code") is True
    assert listed.get("hubspot:contacts.hs_lead_status") is False
    assert "✗ hubspot:deals.dealtype: not attempted: target 'sandbox'" in stopped.out
    assert "Backup of the previous state:" in stopped.out
    # The sandbox keeps HubSpot's daily usage in memory, from a command's first request: each command is a
    # new day. The next day comes with the usual allowance, so the fault is simply left out.
    resumed = scenario.run("apply", "--auto-approve")
    assert resumed.code == 0, resumed.out + resumed.err
    figures = scenario.finish()
    assert figures.faults_injected == {"daily": 1} and figures.retries == 0  # a DAILY 429 is never retried


def test_an_apply_the_days_hubspot_allowance_cannot_cover_writes_nothing_there_and_loses_nothing(
    scenario: Scenario, baseline: Baseline
) -> None:
    # The day's allowance covers the plan's reads and one call more: checked before any write.
    reads = baseline.number("hubspot", lambda entry: entry.get("action") != "properties.list") - 1
    budget = {"CRMDEFS_SANDBOX_HUBSPOT_DAILY": str(reads + 1)}
    stopped = scenario.run("apply", "--auto-approve", faults=budget)
    assert stopped.code == 1
    assert re.search(
        r"needs up to \d+ API calls \(\d+ writes, .*\) but the portal has 1 left today", stopped.out
    )
    listed = results(stopped.out)
    assert [a for a, ok in listed.items() if a.startswith("hubspot:") and ok] == []
    assert all(ok for a, ok in listed.items() if a.startswith("salesforce:"))  # written at the same time
    hubspot = [e for e in scenario.faulty[-1] if e["api"] == "hubspot"]
    assert [e for e in hubspot if e["method"] != "GET" or e["status"] >= 400] == []
    resumed = scenario.run("apply", "--auto-approve")  # the next day
    assert resumed.code == 0, resumed.out + resumed.err
    scenario.finish()  # nothing lost, nothing half made


def test_salesforce_request_limit_stops_apply_at_once_and_a_rerun_converges(
    scenario: Scenario, baseline: Baseline
) -> None:
    update = baseline.number("salesforce", is_action("updateMetadata"))
    faults = {"CRMDEFS_SANDBOX_SCHEDULE": schedule("429", "salesforce", [update])}
    stopped = scenario.run("apply", "--auto-approve", faults=faults)
    assert stopped.code == 1
    assert (
        "the org's daily API request limit is used up (REQUEST_LIMIT_EXCEEDED)" in stopped.out + stopped.err
    )
    assert scenario.run("apply", "--auto-approve").code == 0
    figures = scenario.finish()
    assert figures.faults_injected == {"429": 1} and figures.retries == 0


def test_5xx_bursts_are_retried_and_apply_completes(scenario: Scenario, baseline: Baseline) -> None:
    reads_and_writes = [
        baseline.number("salesforce", is_action("readMetadata")),
        baseline.number("salesforce", is_action("updateMetadata")),
    ]
    bursts = [
        schedule("5xx", "salesforce", reads_and_writes, length=2),
        schedule("5xx", "hubspot", [baseline.number("hubspot", is_method("PATCH"))], length=2),
    ]
    applied = scenario.run("apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_SCHEDULE": ",".join(bursts)})
    assert applied.code == 0, applied.out + applied.err
    assert all(results(applied.out).values())
    figures = scenario.finish()
    assert figures.faults_injected == {"5xx": 6} and figures.retries == 6 and figures.apply_runs == 1


def longer_than_the_retries(baseline: Baseline) -> dict[str, str]:
    """Two 503s in a row on the first Salesforce write, with one retry allowed."""
    update = baseline.number("salesforce", is_action("updateMetadata"))
    return {
        "CRMDEFS_MAX_RETRIES": "1",
        "CRMDEFS_SANDBOX_SCHEDULE": schedule("5xx", "salesforce", [update], 2),
    }


def test_a_5xx_burst_longer_than_the_retries_fails_and_a_rerun_converges(
    scenario: Scenario, baseline: Baseline
) -> None:
    stopped = scenario.run("apply", "--auto-approve", faults=longer_than_the_retries(baseline))
    assert stopped.code == 1 and not all(results(stopped.out).values())
    assert scenario.run("apply", "--auto-approve").code == 0
    figures = scenario.finish()
    assert figures.faults_injected == {"5xx": 2} and figures.retries == 1


def test_a_salesforce_503_after_the_retries_says_so(scenario: Scenario, baseline: Baseline) -> None:
    stopped = scenario.run("apply", "--auto-approve", faults=longer_than_the_retries(baseline))
    assert stopped.code == 1
    said = stopped.out + stopped.err
    assert "503" in said and "run again" in said and "instance_url" not in said


def test_dropped_connections_are_retried_and_nothing_is_created_twice(
    scenario: Scenario, baseline: Baseline
) -> None:
    salesforce = [
        baseline.number("salesforce", is_action("readMetadata")),
        baseline.number("salesforce", is_action("updateMetadata")),
    ]
    hubspot = [
        baseline.number("hubspot", is_method("GET")),
        baseline.number("hubspot", is_method("PATCH")),
        baseline.number("hubspot", is_action("properties.create")),
    ]
    drops = f"{schedule('drop', 'salesforce', salesforce)},{schedule('drop', 'hubspot', hubspot)}"
    applied = scenario.run("apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_SCHEDULE": drops})
    assert applied.code == 0, applied.out + applied.err
    assert all(results(applied.out).values())
    figures = scenario.finish()
    assert figures.faults_injected == {"drop": 5} and figures.retries == 5


def test_answers_slower_than_the_client_timeout_are_retried_and_the_create_converges(
    scenario: Scenario, baseline: Baseline
) -> None:
    # Held 1.3 s, then carried out: the client gave up after 1 s and retried (HubSpot after a 0.5 s backoff,
    # so its second create normally finds the property the first one made: 409, then converge).
    update = baseline.number("salesforce", is_action("updateMetadata"))
    create = baseline.number("hubspot", is_action("properties.create"))
    faults = {
        "CRMDEFS_HTTP_TIMEOUT": "1",
        "CRMDEFS_SANDBOX_SLOW_MS": "1300",
        "CRMDEFS_SANDBOX_SCHEDULE": f"{schedule('slow', 'salesforce', [update])},{schedule('slow', 'hubspot', [create])}",
    }
    applied = scenario.run("apply", "--auto-approve", faults=faults)
    assert applied.code == 0, applied.out + applied.err
    assert all(results(applied.out).values())
    figures = scenario.finish()
    assert figures.faults_injected == {"slow": 2} and figures.retries == 2


def test_a_component_whose_save_fails_is_listed_the_rest_applied_and_a_rerun_converges(
    scenario: Scenario,
) -> None:
    failing = "salesforce:Lead.Fit_Score__c"
    first = scenario.run(
        "apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_FAIL_COMPONENTS": "Lead.Fit_Score__c"}
    )
    assert first.code == 1
    listed = results(first.out)
    assert listed.pop(failing) is False and listed and all(listed.values())
    assert f"✗ {failing}: UNKNOWN_EXCEPTION" in first.out
    scenario.other_faults["SaveResult"] += 1
    left = scenario.run("plan", "--detailed-exitcode")
    assert left.code == 2 and re.findall(r"^  [~+] (\S+)", left.out, re.MULTILINE) == [failing]
    assert scenario.run("apply", "--auto-approve").code == 0
    scenario.finish()


def test_a_permission_set_whose_save_fails_fails_its_field_and_a_rerun_grants_keeping_every_grant(
    scenario: Scenario,
) -> None:
    # The starter glossary keeps Loss_Reason__c visible through Crmdefs_Field_Access, which the seeded org
    # holds with other grants: apply updates it (read-modify-write), and nothing in it may be lost.
    loss, access = "salesforce:Opportunity.Loss_Reason__c", "Crmdefs_Field_Access"
    first = scenario.run("apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_FAIL_COMPONENTS": access})
    assert first.code == 1
    listed = results(first.out)
    assert listed.pop(loss) is False and listed and all(listed.values())
    assert f"✗ {loss}: permission set {access}: UNKNOWN_EXCEPTION" in first.out
    scenario.other_faults["SaveResult"] += 1
    left = scenario.run("plan", "--detailed-exitcode")  # the grant is a state: not forgotten
    assert left.code == 2 and re.findall(r"^  [~+] (\S+)", left.out, re.MULTILINE) == [loss]
    assert f"~ access through permission set {access}: no access → read and edit" in left.out
    assert scenario.run("apply", "--auto-approve").code == 0
    scenario.finish()  # the seeded grants are still there (Snapshot.values)
    state = json.loads((scenario.project / SANDBOX / "state.json").read_text(encoding="utf-8"))
    grants = state["salesforce"]["metadata"]["PermissionSet"][access]["fieldPermissions"]
    assert {"field": "Opportunity.Loss_Reason__c", "readable": True, "editable": True} in grants


def test_a_session_expiring_mid_apply_fails_clearly_and_a_rerun_converges(
    scenario: Scenario, baseline: Baseline
) -> None:
    # Expires after the first Salesforce write, so the second is refused.
    expire = baseline.number("salesforce", is_action("updateMetadata"), 2) - 1
    stopped = scenario.run(
        "apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER": str(expire)}
    )
    assert stopped.code == 1
    assert "Salesforce rejected the session (INVALID_SESSION_ID)" in stopped.out + stopped.err
    calls = [entry for entry in scenario.faulty[-1] if entry["api"] == "salesforce"]
    assert calls[expire - 1]["action"] == "updateMetadata" and calls[expire]["fault"] == "session"
    resumed = scenario.run("apply", "--auto-approve")
    assert resumed.code == 0, resumed.out + resumed.err
    scenario.finish()


def test_a_session_expiring_before_a_rest_call_names_the_session(
    scenario: Scenario, baseline: Baseline
) -> None:
    expire = baseline.number("salesforce", lambda entry: str(entry["path"]).endswith("/describe")) - 1
    stopped = scenario.run(
        "apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER": str(expire)}
    )
    assert stopped.code == 1
    said = stopped.out + stopped.err
    assert "INVALID_SESSION_ID" in said and "check the instance URL and network" not in said


NEW_STAGE = """    - value: Discovery
      description: The buyer agreed to a first call about the problem.
      closed: false
      won: false
      probability: 15
      forecast_category: Pipeline
"""


def test_a_business_process_whose_save_fails_loses_no_stage_and_a_rerun_converges(
    scenario: Scenario,
) -> None:
    # A new stage for the Renewal sales process only (docs/salesforce.md#sf-business-processes): apply adds
    # it to OpportunityStage, then reads the process and saves it whole, which fails here.
    stages = scenario.project / "definitions" / "fields" / "salesforce.yaml"
    text = stages.read_text(encoding="utf-8")
    text = text.replace("path_guidance: all", "path_guidance: all\nbusiness_processes: [Renewal Process]", 1)
    stages.write_text(
        text.replace("    - value: Qualification\n", NEW_STAGE + "    - value: Qualification\n", 1)
    )
    process = "Opportunity.Renewal Process"
    first = scenario.run("apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_FAIL_COMPONENTS": process})
    assert first.code == 1
    listed = results(first.out)
    assert listed.pop("salesforce:Opportunity.StageName") is False and listed and all(listed.values())
    assert f"business process {process}: UNKNOWN_EXCEPTION" in first.out
    scenario.other_faults["SaveResult"] += 1
    left = scenario.run("plan")
    assert '+ business process Renewal Process: offer "Prospecting", "Discovery"' in left.out
    assert scenario.run("apply", "--auto-approve").code == 0
    scenario.finish()
    state = json.loads((scenario.project / SANDBOX / "state.json").read_text(encoding="utf-8"))
    renewal = [v["fullName"] for v in state["salesforce"]["metadata"]["BusinessProcess"][process]["values"]]
    assert renewal[:4] == ["Qualification", "Negotiation/Review", "Closed Won", "Closed Lost"]
    assert "Discovery" in renewal


def test_the_path_writes_ride_out_faults_and_never_make_a_second_path(
    scenario: Scenario, baseline: Baseline
) -> None:
    # The org has its own master Path (updated in place) and none for the two record types (created):
    # the listing of Paths is dropped, the create's answer comes too late (the client retries a create the
    # sandbox carries out anyway), the update of the org's Path meets a 503. Each fault shifts later requests.
    listing = baseline.number("salesforce", is_action("listMetadata"))
    create = baseline.number("salesforce", is_action("createMetadata"))  # the new record types' Paths
    updates = [e for e in baseline.log if e["api"] == "salesforce" and e.get("action") == "updateMetadata"]
    update = baseline.number("salesforce", is_action("updateMetadata"), len(updates))  # Paths go last
    faults = {
        "CRMDEFS_HTTP_TIMEOUT": "1",
        "CRMDEFS_SANDBOX_SLOW_MS": "1300",
        "CRMDEFS_SANDBOX_SCHEDULE": (
            f"salesforce:{listing}:drop,salesforce:{create + 1}:slow,salesforce:{update + 2}:5xx"
        ),
    }
    applied = scenario.run("apply", "--auto-approve", faults=faults)
    assert applied.code == 0, applied.out + applied.err
    assert all(results(applied.out).values())
    calls = [entry for entry in scenario.faulty[-1] if entry["api"] == "salesforce"]
    faulted = {str(e["fault"]): i for i, e in enumerate(calls) if e.get("fault")}  # logged when answered
    assert calls[faulted["drop"] + 1]["action"] == "listMetadata"  # each fault hit the call it names
    assert calls[faulted["slow"]]["action"] == "createMetadata"
    assert calls[faulted["5xx"] + 1]["action"] == "updateMetadata"
    state = json.loads((scenario.project / SANDBOX / "state.json").read_text(encoding="utf-8"))
    paths = state["salesforce"]["metadata"]["PathAssistant"]
    assert sorted((p["recordTypeName"], name) for name, p in paths.items()) == [
        ("New_Business", "crmdefs_Opportunity_New_Business"),
        ("Renewal", "crmdefs_Opportunity_Renewal"),
        ("__MASTER__", "Opportunity_Sales_Path"),
    ]
    figures = scenario.finish()  # converged, no value lost, the admin's overwritten guidance in a backup
    assert figures.faults_injected == {"5xx": 1, "drop": 1, "slow": 1} and figures.retries == 3


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_apply_killed_at_a_seeded_point_converges_on_the_next_run(
    scenario: Scenario, baseline: Baseline, seed: int
) -> None:
    after = random.Random(seed).randint(1, len(baseline.log) - 1)
    scenario.name = f"sigkill_seed{seed}_after{after}"
    scenario.kill_apply(after)
    resumed = scenario.run("apply", "--auto-approve")
    assert resumed.code == 0, resumed.out + resumed.err
    scenario.finish()
