"""Ctrl-C during `crmdefs apply`, as a person presses it: SIGINT to a real `crmdefs apply --auto-approve`
process whose sandbox holds one HubSpot PATCH and one Salesforce save ("slow" faults, tests/test_faults.py),
sent once the first write is in the sandbox's request log.

The first Ctrl-C lets the writes in flight finish and starts no other: the output lists what was written,
what was not and the backup, the sandbox holds only what was written, drift's record has it, and the next
plan shows only the rest. A second Ctrl-C ends the process at once. Ctrl-C at the confirmation prompt
writes nothing. The waits poll for a marker (the request log, a line on stderr) under generous deadlines,
so a loaded machine makes them slower, not flaky.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox
from crmdefs.words import plural

from .conftest import REPO
from .fault_scenarios import SANDBOX, Baseline, clean_env, is_action, is_method, log_entries, results
from .fault_scenarios import no_inherited_faults_fixture as no_inherited_faults_fixture  # pytest fixture

HELD_MS = 6000  # how long the sandbox holds the write in flight: far longer than a SIGINT takes to land
DEADLINE = 120.0  # seconds; generous for a loaded 2-core machine
HUBSPOT_CREATE = "properties.create"
WRITE_ACTIONS = (HUBSPOT_CREATE, "updateMetadata", "createMetadata")
SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """A seeded project and the requests of a fault-free apply on it (to place the held writes by)."""
    seeded = tmp_path_factory.mktemp("seeded")
    shutil.copytree(REPO / "definitions", seeded / "definitions")
    sandbox = Sandbox(seeded / SANDBOX, log_to_file=False)
    sandbox.start()
    sandbox.stop()
    probe = tmp_path_factory.mktemp("probe")
    shutil.copytree(seeded, probe, dirs_exist_ok=True)
    done = crmdefs(probe, "apply", "--auto-approve")
    assert done.returncode == 0, done.stdout + done.stderr
    return Baseline(seeded, log_entries(probe))


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**clean_env(), "PYTHONPATH": SRC, **(extra or {})}


def crmdefs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crmdefs", *args],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )


class Apply:
    """`crmdefs apply --auto-approve` running in ``project``, its output going to files we can poll."""

    def __init__(self, project: Path, baseline: Baseline, *args: str, stdin: int | None = None) -> None:
        self.project = project
        held = [
            f"hubspot:{baseline.number('hubspot', is_method('PATCH'))}:slow",
            f"salesforce:{baseline.number('salesforce', is_action('updateMetadata'))}:slow",
        ]
        faults = {"CRMDEFS_SANDBOX_SCHEDULE": ",".join(held), "CRMDEFS_SANDBOX_SLOW_MS": str(HELD_MS)}
        self.out_path, self.err_path = project / "out.txt", project / "err.txt"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crmdefs", "apply", *args],
                cwd=project,
                env=env(faults),
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8")

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8")

    def wait_for(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + DEADLINE
        while not ready():
            assert self.process.poll() is None, f"apply ended before {what}:\n{self.out}\n{self.err}"
            assert time.monotonic() < deadline, f"no {what} after {DEADLINE} s:\n{self.out}\n{self.err}"
            time.sleep(0.02)

    def wait_for_first_write(self) -> None:
        """The HubSpot create goes first, alone; the PATCH after it is held by the sandbox."""
        self.wait_for("first write", lambda: any(e.get("action") == HUBSPOT_CREATE for e in self.log()))

    def log(self) -> list[dict[str, object]]:
        return log_entries(self.project)

    def ctrl_c(self) -> None:
        self.process.send_signal(signal.SIGINT)

    def exit_code(self) -> int:
        return self.process.wait(timeout=DEADLINE)


@pytest.fixture
def project(baseline: Baseline, tmp_path: Path) -> Path:
    shutil.copytree(baseline.project, tmp_path, dirs_exist_ok=True)
    return tmp_path


def planned(project: Path) -> set[str]:
    """The fields a plan would change now."""
    done = crmdefs(project, "plan", "--format", "json")
    assert done.returncode == 0, done.stderr
    return {f["address"] for f in json.loads(done.stdout)["fields"] if f["action"] != "none"}


def backup_named(out: str) -> Path:
    line = next(line for line in out.splitlines() if line.startswith("Backup of the previous state: "))
    return Path(line.removeprefix("Backup of the previous state: ").split(" (undo", 1)[0])


def test_the_first_ctrl_c_finishes_the_writes_in_flight_lists_both_sides_and_records_what_was_written(
    project: Path, baseline: Baseline
) -> None:
    before = planned(project)
    apply = Apply(project, baseline, "--auto-approve")
    apply.wait_for_first_write()
    apply.ctrl_c()
    assert apply.exit_code() == 130, apply.out + apply.err
    out, err = apply.out, apply.err
    assert "Ctrl-C: no new write starts" in err and "Traceback" not in err, err
    listed = results(out)
    written = {address for address, ok in listed.items() if ok}
    not_written = {address for address, ok in listed.items() if not ok}
    assert set(listed) == before
    # The create was answered before Ctrl-C; the second PATCH could only start after the held first one.
    assert "hubspot:deals.closed_lost_reason_code" in written
    assert "✗ hubspot:deals.dealtype: not written: apply was stopped (Ctrl-C)" in out, out
    summary = out.rstrip().splitlines()[-1]
    assert (
        summary.startswith("Apply stopped (Ctrl-C): ")
        and f"; {plural(len(not_written), 'field')} not written" in summary
    )
    assert (project / backup_named(out)).is_file()
    # The sandbox holds only what was written: nothing was sent for a field listed as not written.
    assert not any(str(e["path"]).endswith("/deals/dealtype") for e in apply.log())
    # A new plan shows exactly the rest; drift's record holds exactly what was written.
    assert planned(project) == not_written
    state = json.loads((project / ".crmdefs" / "state" / "sandbox.json").read_text(encoding="utf-8"))
    assert set(state["fields"]) == written
    assert not list((project / ".crmdefs" / "locks").glob("*.lock"))  # the apply lock was released


def test_a_second_ctrl_c_stops_at_once_without_waiting_for_the_writes_in_flight(
    project: Path, baseline: Baseline
) -> None:
    apply = Apply(project, baseline, "--auto-approve")
    apply.wait_for_first_write()
    apply.ctrl_c()
    apply.wait_for("the first Ctrl-C's note", lambda: "Ctrl-C: no new write starts" in apply.err)
    pressed = time.monotonic()
    apply.ctrl_c()
    assert apply.exit_code() == 130, apply.out + apply.err
    # At once: the held write still had seconds to go (HELD_MS), and nobody waited for it.
    assert time.monotonic() - pressed < HELD_MS / 1000 - 1, apply.err
    err = apply.err
    assert "stopped at once by a second Ctrl-C, without waiting for the writes in flight" in err, err
    backup = err.split("The backup of the previous state is ", 1)[1].split(" (undo", 1)[0]
    assert (project / backup).is_file()
    assert "Traceback" not in err
    assert not list((project / ".crmdefs" / "locks").glob("*.lock"))


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal for the prompt")
def test_ctrl_c_at_the_confirmation_prompt_writes_nothing(project: Path, baseline: Baseline) -> None:
    reader, terminal = os.openpty()  # the prompt is asked only on a terminal
    try:
        apply = Apply(project, baseline, stdin=terminal)
        apply.wait_for("the prompt", lambda: "Only 'yes' will be accepted" in apply.out)
        apply.ctrl_c()
        assert apply.exit_code() == 130, apply.out + apply.err
    finally:
        os.close(reader)
        os.close(terminal)
    assert "aborted at the confirmation prompt — nothing was written" in apply.err, apply.err
    assert not [e for e in apply.log() if e["method"] == "PATCH" or e.get("action") in WRITE_ACTIONS]
    assert not (project / ".crmdefs" / "backups").exists()


READ_HELD_MS = 10000  # the first HubSpot read's answer is held this long


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (("plan",), "crmdefs: interrupted (Ctrl-C) while reading target 'sandbox'"),
        (("drift",), "crmdefs: interrupted (Ctrl-C) while reading target 'sandbox'"),
        (
            ("apply", "--auto-approve"),
            "crmdefs: interrupted (Ctrl-C) while reading target 'sandbox' — nothing was written",
        ),
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else "",
)
def test_ctrl_c_while_the_target_is_read_says_what_it_stopped_and_does_not_wait_for_the_read(
    tmp_path: Path, command: tuple[str, ...], said: str
) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    faults = {"CRMDEFS_SANDBOX_SCHEDULE": "hubspot:1:slow", "CRMDEFS_SANDBOX_SLOW_MS": str(READ_HELD_MS)}
    err_path = tmp_path / "err.txt"
    with err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "crmdefs", *command],
            cwd=tmp_path,
            env=env(faults),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + DEADLINE
    # The wait line shows once the read has been in flight for 2 s: Ctrl-C lands while it is.
    while "waiting for HubSpot's answer" not in err_path.read_text(encoding="utf-8"):
        assert process.poll() is None, err_path.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, err_path.read_text(encoding="utf-8")
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    pressed = time.monotonic()
    assert process.wait(timeout=DEADLINE) == 130
    # At once: the held read still had seconds to go, and a read changes nothing worth waiting for.
    assert time.monotonic() - pressed < READ_HELD_MS / 1000 - 2 - 3
    shown = err_path.read_text(encoding="utf-8")
    assert shown.rstrip().splitlines()[-1] == said, shown
    assert "Aborted." not in shown and "Traceback" not in shown, shown
    assert not [
        e for e in log_entries(tmp_path) if e["method"] == "PATCH" or e.get("action") in WRITE_ACTIONS
    ]
    assert not (tmp_path / ".crmdefs" / "backups").exists()
    assert not list((tmp_path / ".crmdefs").glob("locks/*.lock"))
