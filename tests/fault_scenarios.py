"""The machinery of the fault suite (tests/test_faults.py): faults placed by request number on the requests
of a fault-free apply, the sandbox's state before and after (picklist values, texts, records), the texts
kept in backups, and one scenario's runs, checks and figures (printed, and appended as JSON lines to the
file CRMDEFS_FAULT_REPORT names).

Test modules import this module's fixtures as ``x_fixture as x_fixture``: pytest looks a fixture up by its name
(``name=``) in the test module, and the redundant alias marks the import as a deliberate re-export.
"""

from __future__ import annotations

import dataclasses
import json
import os
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

from .conftest import Result, RunCli

Entry = dict[str, Any]  # one line of the sandbox's requests.log
SANDBOX = Path(".crmdefs") / "sandbox"
CREATED = ("deals", "closed_lost_reason_code")  # the property the starter glossary makes crmdefs create
# Settings a developer's shell may carry that would change what these tests see.
INHERITED = ("CRMDEFS_SANDBOX_", "CRMDEFS_MAX_RETRIES", "CRMDEFS_HTTP_TIMEOUT", "CRMDEFS_TARGET")


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


@pytest.fixture(autouse=True, name="no_inherited_faults")
def no_inherited_faults_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
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
    values: frozenset[tuple[str, str]]  # (picklist, value), active or not, on either CRM; permission grants
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
    for name, process in metadata.get("BusinessProcess", {}).items():
        values.update((f"BusinessProcess {name}", str(v["fullName"])) for v in process.get("values", []))
    for name, path in metadata.get("PathAssistant", {}).items():
        for step in path.get("pathAssistantSteps", []):
            texts_of((f"PathAssistant {name}", step["picklistValueName"]), step, ("info",))
    for name, permission_set in metadata.get("PermissionSet", {}).items():  # a save replaces all of it
        owner = f"PermissionSet {name}"
        values.update((owner, f"field {g['field']}") for g in permission_set.get("fieldPermissions", []))
        values.update((owner, f"agent {a['agentName']}") for a in permission_set.get("agentAccesses", []))
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


def _wait_for_held_answers(faults: Mapping[str, str]) -> None:
    """A "slow" request is held CRMDEFS_SANDBOX_SLOW_MS (default 5 s), then carried out and logged; the
    client may have given up on it, retried and finished the whole command meanwhile. Wait it out so that
    the run's log holds it: otherwise the log read depends on how fast crmdefs is."""
    if ":slow" in faults.get("CRMDEFS_SANDBOX_SCHEDULE", ""):
        time.sleep(float(faults.get("CRMDEFS_SANDBOX_SLOW_MS", "5000")) / 1000 + 0.5)


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
            _wait_for_held_answers(faults)
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

    def finish(self, *, migrated: bool = False) -> Figures:
        """The final plan and every check, after writing the figures (so a failure is reported too).
        ``migrated``: the runs moved records on purpose (``--migrate-records``), so records may differ."""
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
        assert migrated or not figures.records_changed, "a plain apply changed records"
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


def results(out: str) -> dict[str, bool]:
    """The ✓ / ✗ lines of an apply: field address → applied."""
    lines = [line for line in out.splitlines() if line[:2] in ("✓ ", "✗ ")]
    return {line[2:].split(": ", 1)[0]: line.startswith("✓") for line in lines}
