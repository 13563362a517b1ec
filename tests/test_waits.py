"""Long waits are visible: a wait over 2 s (a rate limit's Retry-After, the pause before a retry, a slow
answer) is a line on stderr with its reason — one line without a terminal, one line redrawn in place with
the elapsed time on a terminal — and --quiet hides it. After "Apply complete" nothing but that summary.

The sandbox injects the faults (CRMDEFS_SANDBOX_SCHEDULE, tests/test_faults.py); an injected HubSpot 429
asks for CRMDEFS_SANDBOX_HUBSPOT_RETRY_AFTER seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import REPO, RunCli
from .fault_scenarios import clean_env
from .fault_scenarios import no_inherited_faults_fixture as no_inherited_faults_fixture  # pytest fixture

# HubSpot's first request (a read) answered 429 with Retry-After: 3
RETRY_AFTER_3 = {"CRMDEFS_SANDBOX_SCHEDULE": "hubspot:1:429", "CRMDEFS_SANDBOX_HUBSPOT_RETRY_AFTER": "3"}
WAIT_LINE = "… HubSpot rate limit (429), retry 1 of 5, waiting 3 s"
SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def test_a_retry_after_of_3_s_is_one_line_naming_the_wait_and_its_reason(
    run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in RETRY_AFTER_3.items():
        monkeypatch.setenv(name, value)
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert applied.err.splitlines().count(WAIT_LINE) == 1, applied.err  # without a terminal: no flood
    assert "waiting" not in applied.out  # stdout holds the result only


def test_quiet_hides_the_wait(run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RETRY_AFTER_3.items():
        monkeypatch.setenv(name, value)
    applied = run_cli("apply", "--auto-approve", "--quiet")
    assert applied.code == 0, applied.out + applied.err
    assert "waiting" not in applied.err and "rate limit" not in applied.err, applied.err


def test_a_salesforce_retry_after_a_503_says_which_retry_it_is(
    run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four 503s in a row: urllib3 waits 0, 1, 2 then 4 s before the retries; only the last is over 2 s.
    monkeypatch.setenv("CRMDEFS_SANDBOX_SCHEDULE", ",".join(f"salesforce:{n}:5xx" for n in range(1, 5)))
    planned = run_cli("plan")
    assert planned.code == 0, planned.out + planned.err
    waits = [line for line in planned.err.splitlines() if "waiting" in line]
    assert len(waits) == 1 and re.fullmatch(
        r"… retry 4 of \d+ after a 503 from Salesforce, waiting 4 s", waits[0]
    ), planned.err


def test_on_a_terminal_the_wait_is_one_line_updated_in_place_with_the_time_waited(project: Path) -> None:
    reader, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "crmdefs", "plan"],
        cwd=project,
        env={**clean_env(), "PYTHONPATH": SRC, **RETRY_AFTER_3},
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(reader, 4096)
            except OSError:  # the terminal closed with the process
                return
            if not data:
                return
            shown.append(data)

    reading = threading.Thread(target=read)
    reading.start()
    try:
        process.communicate(timeout=120)
    finally:
        reading.join(timeout=30)
        os.close(reader)
    assert process.returncode == 0
    screen = b"".join(shown).decode()
    drawn = [part for part in screen.split("\r") if WAIT_LINE in part]
    # Redrawn in place ("\r", no new line) as the seconds pass (a loaded machine may skip a second).
    assert not any("\n" in d for d in drawn), screen
    waited = [re.fullmatch(re.escape(WAIT_LINE) + r" \((\d) s so far\)", d.strip()) for d in drawn]
    seconds = [int(m.group(1)) for m in waited if m]
    assert len(seconds) == len(drawn) and seconds[0] == 0 and seconds[-1] > 0, screen
    assert seconds == sorted(seconds), screen  # drawn again after a progress line: the same second


def test_nothing_but_the_summary_comes_after_apply_complete(run_cli: RunCli, project: Path) -> None:
    # The sandbox does not keep a description on Opportunity.Type (tests/test_verified_writes.py): apply
    # shows it as not kept, before the summary.
    (project / "definitions" / "fields" / "type.yaml").write_text(
        "kind: field\nsalesforce: Opportunity.Type\ndescription: New business or more business.\n",
        encoding="utf-8",
    )
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 1, applied.out + applied.err
    lines = applied.out.rstrip().splitlines()
    assert re.fullmatch(r"Apply complete: .*; 1 text not kept \(listed above\)\.", lines[-1]), applied.out
    assert any(line.startswith("✗ salesforce:Opportunity.Type: description not kept") for line in lines)


@pytest.mark.parametrize(
    "command",
    [
        ("drift",),
        ("import", "--object", "hubspot:deals", "--out", "-"),
        (
            "suggest-mapping",
            "--from",
            "hubspot:deals.closed_lost_reason",
            "--to",
            "hubspot:deals.closed_lost_reason_code",
        ),
    ],
    ids=lambda command: command[0],
)
def test_every_command_that_calls_a_crm_shows_the_wait_and_quiet_hides_it(
    run_cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    # A nightly drift in CI that waits on HubSpot's Retry-After says so, in one line (no terminal here).
    for name, value in RETRY_AFTER_3.items():
        monkeypatch.setenv(name, value)
    ran = run_cli(*command)
    assert ran.code in (0, 2), ran.out + ran.err  # drift finds the starter definitions not applied yet
    assert ran.err.splitlines().count(WAIT_LINE) == 1, ran.err
    quiet = run_cli(*command, "--quiet")
    assert quiet.code == ran.code, quiet.out + quiet.err
    assert "waiting" not in quiet.err and "rate limit" not in quiet.err, quiet.err
