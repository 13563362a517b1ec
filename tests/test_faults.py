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

import dataclasses
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from crmdefs.plan.state import normalize_text
from crmdefs.sandbox.options import FaultPlan, FaultSettingsError
from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, Result, RunCli
from .sandbox_helpers import PinnedSession

Entry = dict[str, Any]  # one line of the sandbox's requests.log
SANDBOX = Path(".crmdefs") / "sandbox"
CREATED = ("deals", "closed_lost_reason_code")  # the property the starter glossary makes crmdefs create
# Settings a developer's shell may carry that would change what these tests see.
INHERITED = ("CRMDEFS_SANDBOX_", "CRMDEFS_MAX_RETRIES", "CRMDEFS_HTTP_TIMEOUT", "CRMDEFS_TARGET")
KILL_SEEDS = range(20)
KILL_LATENCY_MS = "20"  # time between requests, so a kill lands where the request log says


# --- the org before, and a fault-free apply to place faults by -----------------------------------------


@dataclass(frozen=True)
class Baseline:
    project: Path  # definitions/ and the seeded sandbox (state and certificates)
    log: list[Entry]  # the requests of a fault-free `apply --auto-approve` on it, in order

    def number(self, api: str, match: Callable[[Entry], bool], nth: int = 1) -> int:
        """The number (from 1, among ``api``'s requests) of the ``nth`` request that ``match``es. Within one
        API the order is fixed; across the two it is not, as crmdefs calls them at the same time."""
        calls = [entry for entry in self.log if entry["api"] == api]
        return [i for i, entry in enumerate(calls, 1) if match(entry)][nth - 1]


def is_action(action: str) -> Callable[[Entry], bool]:
    return lambda entry: entry.get("action") == action


def is_method(method: str) -> Callable[[Entry], bool]:
    return lambda entry: entry["method"] == method


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CRMDEFS_")}


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


@pytest.fixture(autouse=True)
def no_inherited_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(INHERITED)]:
        monkeypatch.delenv(name)


def schedule(kind: str, api: str, numbers: Sequence[int], length: int = 1) -> str:
    """CRMDEFS_SANDBOX_SCHEDULE: ``length`` faults of ``kind`` in a row on each of ``api``'s requests that a
    fault-free apply makes as ``numbers``. Each injected fault is retried, shifting later requests by one."""
    items: list[str] = []
    for shift, number in enumerate(sorted(numbers)):
        items += [f"{api}:{number + shift * length + i}:{kind}" for i in range(length)]
    return ",".join(items)


# --- what the sandbox holds ------------------------------------------------------------------------------


def log_entries(project: Path) -> list[Entry]:
    path = project / SANDBOX / "requests.log"
    entries: list[Entry] = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        with suppress(ValueError):  # a line cut off by SIGKILL
            entries.append(json.loads(line))
    return entries


@dataclass(frozen=True)
class Snapshot:
    values: frozenset[tuple[str, str]]  # (picklist, value), active or not, on either CRM
    texts: Mapping[tuple[str, ...], str]  # (component, [value,] attribute) → text
    records: str  # every record of both CRMs: a plain apply never touches one
    created: bool  # hubspot deals.closed_lost_reason_code exists


def snapshot(project: Path) -> Snapshot:
    state = json.loads((project / SANDBOX / "state.json").read_text(encoding="utf-8"))
    values: set[tuple[str, str]] = set()
    texts: dict[tuple[str, ...], str] = {}

    def texts_of(key: tuple[str, ...], item: Mapping[str, Any], attributes: Sequence[str]) -> None:
        texts.update({(*key, a): str(item[a]) for a in attributes if item.get(a)})

    def picklist(owner: str, items: Sequence[Mapping[str, Any]], name: str = "fullName") -> None:
        for item in items:
            values.add((owner, str(item[name])))
            texts_of((owner, str(item[name])), item, ("label", "description"))

    metadata = state["salesforce"]["metadata"]
    for name, field in metadata.get("CustomField", {}).items():
        texts_of((f"CustomField {name}",), field, ("label", "inlineHelpText", "description"))
        picklist(
            f"CustomField {name}", field.get("valueSet", {}).get("valueSetDefinition", {}).get("value", [])
        )
    for name, value_set in metadata.get("StandardValueSet", {}).items():
        picklist(f"StandardValueSet {name}", value_set.get("standardValue", []))
    for name, value_set in metadata.get("GlobalValueSet", {}).items():
        picklist(f"GlobalValueSet {name}", value_set.get("customValue", []))
    for name, record_type in metadata.get("RecordType", {}).items():
        for entry in record_type.get("picklistValues", []):
            owner = f"RecordType {name} {entry['picklist']}"
            values.update((owner, unquote(v["fullName"])) for v in entry.get("values", []))
    for name, path in metadata.get("PathAssistant", {}).items():
        for step in path.get("pathAssistantSteps", []):
            texts_of((f"PathAssistant {name}", step["picklistValueName"]), step, ("info",))
    for object_type, properties in state["hubspot"]["properties"].items():
        for name, prop in properties.items():
            texts_of((f"hubspot {object_type}.{name}",), prop, ("label", "description"))
            picklist(f"hubspot {object_type}.{name}", prop.get("options") or [], "value")
    records = json.dumps([state["salesforce"]["records"], state["hubspot"]["objects"]], sort_keys=True)
    return Snapshot(
        frozenset(values), texts, records, CREATED[1] in state["hubspot"]["properties"][CREATED[0]]
    )


def backed_up_texts(project: Path) -> set[str | None]:
    """Every string in every backup apply wrote, normalized as crmdefs compares texts."""

    def strings(data: Any) -> Iterator[str]:
        if isinstance(data, str):
            yield data
        elif isinstance(data, dict):
            for value in data.values():
                yield from strings(value)
        elif isinstance(data, list):
            for value in data:
                yield from strings(value)

    found: set[str | None] = set()
    for path in (project / ".crmdefs" / "backups").rglob("*.json"):
        found.update(normalize_text(s) for s in strings(json.loads(path.read_text(encoding="utf-8"))))
    return found


# --- one scenario: runs with faults, then the checks and the figures -------------------------------------


@dataclass(frozen=True)
class Figures:
    scenario: str
    faults_injected: dict[str, int]  # by kind, as the request log marks them (plus sigkill)
    rate_limited: int  # 429s from the sandbox's own HubSpot limits (10-second window, daily)
    retries: int  # failed attempts that the same request followed
    requests: int  # requests made by the runs with faults
    apply_runs: int  # until the final plan
    converged: bool
    values_lost: int
    texts_unrecoverable: int
    records_changed: bool
    hubspot_creates: int  # 201s for deals.closed_lost_reason_code, over all runs (SIGKILL may eat the line)
    hubspot_create_conflicts: int  # 409s: a create that found the property made by an earlier attempt


def failed(entry: Entry) -> bool:
    status = int(entry["status"])
    return status in (0, 429) or status >= 500 or entry.get("fault") == "slow"


def count_retries(run: list[Entry]) -> int:
    """Failed attempts followed by the same call (same API, method and path) in the same run. The log is
    in completion order, so a request held past the client's timeout is logged after its own retry."""

    def call(entry: Entry) -> tuple[str, str, str]:
        return entry["api"], entry["method"], entry["path"]

    retried = 0
    for i, entry in enumerate(run):
        others = run[i + 1 :] if entry.get("fault") != "slow" else run[:i] + run[i + 1 :]
        retried += failed(entry) and any(call(e) == call(entry) for e in others)
    return retried


class Scenario:
    def __init__(self, name: str, project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
        self.name, self.project, self.run_cli, self.monkeypatch = name, project, run_cli, monkeypatch
        self.before = snapshot(project)
        self.faulty: list[list[Entry]] = []  # the log of each run made with faults
        self.other_faults: Counter[str] = Counter()  # faults the request log cannot show (SaveResults)
        self.apply_runs = 0

    def run(self, *args: str, faults: Mapping[str, str] | None = None) -> Result:
        """``crmdefs ARGS`` in-process, with the environment variables in ``faults`` set."""
        start = len(log_entries(self.project))
        with self.monkeypatch.context() as patch:
            for name, value in (faults or {}).items():
                patch.setenv(name, value)
            result = self.run_cli(*args)
        if faults:
            self.faulty.append(log_entries(self.project)[start:])
        self.apply_runs += args[0] == "apply"
        assert "Traceback" not in result.out + result.err and "internal error" not in result.err
        return result

    def kill_apply(self, after_lines: int) -> int:
        """`crmdefs apply --auto-approve` in a subprocess, SIGKILLed once the request log has ``after_lines``
        more lines; returns the lines it had when the process was gone."""
        start = len(log_entries(self.project))
        log = self.project / SANDBOX / "requests.log"
        env = {**clean_env(), "CRMDEFS_SANDBOX_LATENCY_MS": KILL_LATENCY_MS}
        process = subprocess.Popen(
            [sys.executable, "-m", "crmdefs", "apply", "--auto-approve"],
            cwd=self.project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if log.exists() and log.read_bytes().count(b"\n") >= start + after_lines:
                break
            time.sleep(0.001)
        process.kill()  # SIGKILL: no cleanup, no atexit, mid-request
        process.wait(timeout=30)
        run = log_entries(self.project)[start:]
        self.faulty.append(run)
        self.other_faults["sigkill"] += process.returncode == -signal.SIGKILL
        self.apply_runs += 1
        return len(run)

    def finish(self) -> Figures:
        """The final plan and every check, after writing the figures (so a failure is reported too)."""
        final = self.run_cli("plan", "--detailed-exitcode")
        after = snapshot(self.project)
        saved = backed_up_texts(self.project)
        lost = sorted(self.before.values - after.values)
        unrecoverable = [
            f"{' / '.join(key)}: {text!r}"
            for key, text in self.before.texts.items()
            if normalize_text(after.texts.get(key)) != normalize_text(text)
            and normalize_text(text) not in saved
        ]
        everything = log_entries(self.project)
        creates = Counter(e["status"] for e in everything if e.get("action") == "properties.create")
        runs = [entry for run in self.faulty for entry in run]
        injected = Counter(str(e["fault"]) for e in runs if e.get("fault")) + self.other_faults
        figures = Figures(
            scenario=self.name,
            faults_injected=dict(sorted(injected.items())),
            rate_limited=sum(1 for e in runs if str(e.get("action", "")).startswith("ratelimit.")),
            retries=sum(count_retries(run) for run in self.faulty),
            requests=len(runs),
            apply_runs=self.apply_runs,
            converged=final.code == 0,
            values_lost=len(lost),
            texts_unrecoverable=len(unrecoverable),
            records_changed=after.records != self.before.records,
            hubspot_creates=creates[201],
            hubspot_create_conflicts=creates[409],
        )
        report(figures)
        assert final.code == 0 and final.out.startswith("No changes."), final.out + final.err
        assert not lost, f"picklist values gone: {lost}"
        assert not unrecoverable, "overwritten texts in no backup:\n" + "\n".join(unrecoverable)
        assert not figures.records_changed, "a plain apply changed records"
        # One create was answered 201; a SIGKILL between saving the state and logging can eat its line.
        address = ".".join(CREATED)
        assert after.created, f"{address} does not exist"
        made = creates[201] == 1 or (creates[201] == 0 and self.other_faults["sigkill"] > 0)
        assert made, f"{address} created {creates[201]} times"
        return figures


def report(figures: Figures) -> None:
    faults = ", ".join(f"{n} {kind}" for kind, n in figures.faults_injected.items()) or "none"
    print(
        f"[faults] {figures.scenario}: injected {faults}; {figures.rate_limited} rate-limited; "
        f"{figures.retries} retries; {figures.apply_runs} apply runs; converged "
        f"{'yes' if figures.converged else 'NO'}; {figures.values_lost} values lost"
    )
    target = os.environ.get("CRMDEFS_FAULT_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(dataclasses.asdict(figures), sort_keys=True) + "\n")


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


def results(out: str) -> dict[str, bool]:
    """The ✓ / ✗ lines of an apply: field address → applied."""
    lines = [line for line in out.splitlines() if line[:2] in ("✓ ", "✗ ")]
    return {line[2:].split(": ", 1)[0]: line.startswith("✓") for line in lines}


# --- the sandbox's fault knobs this suite relies on --------------------------------------------------------


def test_faults_can_be_scheduled_per_api_and_a_session_expires_after_n_salesforce_requests() -> None:
    plan = FaultPlan.from_env(
        {
            "CRMDEFS_SANDBOX_SCHEDULE": "5:slow,hubspot:1:429,salesforce:2:drop",
            "CRMDEFS_SANDBOX_SLOW_MS": "250",
            "CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER": "3",
        }
    )
    calls = ["salesforce", "hubspot", "salesforce", "salesforce", "salesforce", "hubspot"]
    # The 5th request is both scheduled slow and the 4th Salesforce one: the expired session wins.
    assert [plan.decide(api) for api in calls] == [None, "429", "drop", None, "session", None]
    assert plan.slow_ms == 250
    for name, value, message in [
        ("CRMDEFS_SANDBOX_SCHEDULE", "pipedrive:1:429", "is not N:KIND or API:N:KIND"),
        ("CRMDEFS_SANDBOX_SCHEDULE", "hubspot:1:slowly", "KIND one of 429, 5xx, drop, slow"),
        ("CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER", "soon", "must be a whole number, not 'soon'"),
        ("CRMDEFS_SANDBOX_SLOW_MS", "long", "must be a number, not 'long'"),
    ]:
        with pytest.raises(FaultSettingsError, match=re.escape(message)):
            FaultPlan.from_env({name: value})


def test_an_expired_session_gets_the_real_answers_to_a_bad_token(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, faults=FaultPlan(expire_session_after=1), log_to_file=False)
    info = sandbox.start()
    try:
        session = PinnedSession(info.ca_bundle)
        auth = {"Authorization": f"Bearer {info.access_token}"}
        limits = f"{info.instance_url}/services/data/v62.0/limits"
        assert session.get(limits, headers=auth).status_code == 200
        refused = session.get(limits, headers=auth)
        assert refused.status_code == 401
        assert refused.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]
        soap = session.post(
            f"{info.instance_url}/services/Soap/m/62.0", data=b"<x/>", headers={"SOAPAction": '""'}
        )
        assert soap.status_code == 500
        assert "<faultcode>sf:INVALID_SESSION_ID</faultcode>" in soap.text
        assert (
            "<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session<"
            in soap.text
        )
        assert session.get(f"{info.base_url}/crm/v3/properties/deals", headers=auth).status_code == 200
    finally:
        sandbox.stop()


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
    assert figures.faults_injected == {"429": 3} and figures.rate_limited >= 1
    assert figures.retries == 3 + figures.rate_limited  # every 429 was waited out and retried


def daily_budget(baseline: Baseline) -> str:
    """A HubSpot daily limit that runs out at the apply's second HubSpot write."""
    return str(baseline.number("hubspot", is_method("PATCH")))


def test_the_hubspot_daily_limit_stops_apply_and_the_next_day_it_converges(
    scenario: Scenario, baseline: Baseline
) -> None:
    stopped = scenario.run(
        "apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_HUBSPOT_DAILY": daily_budget(baseline)}
    )
    assert stopped.code == 1
    assert "HubSpot's daily API limit for this portal is used up" in stopped.err
    # The sandbox keeps HubSpot's daily usage in memory, from a command's first request: each command is a
    # new day. The next day comes with the usual allowance, so the knob is simply left out.
    resumed = scenario.run("apply", "--auto-approve")
    assert resumed.code == 0, resumed.out + resumed.err
    figures = scenario.finish()
    assert figures.rate_limited >= 1 and figures.retries == 0  # a DAILY 429 is never retried


def test_when_the_daily_limit_stops_apply_each_field_is_still_listed(
    scenario: Scenario, baseline: Baseline
) -> None:
    stopped = scenario.run(
        "apply", "--auto-approve", faults={"CRMDEFS_SANDBOX_HUBSPOT_DAILY": daily_budget(baseline)}
    )
    assert stopped.code == 1 and "daily API limit" in stopped.err
    listed = results(stopped.out)
    assert listed.get("hubspot:contacts.hs_lead_status") is True
    assert listed.get("hubspot:deals.closed_lost_reason_code") is False
    assert "Backup of the previous state:" in stopped.out


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


@pytest.mark.parametrize("value", ["soon", "0", "-5", "inf"])
def test_a_bad_http_timeout_is_refused_with_a_clear_message(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    monkeypatch.setenv("CRMDEFS_HTTP_TIMEOUT", value)
    result = run_cli("plan")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: CRMDEFS_HTTP_TIMEOUT must be a number of seconds above 0 and at most 3600, "
        f"not '{value}'\n"
    )


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
