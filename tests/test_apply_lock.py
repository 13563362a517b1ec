"""One apply at a time per target (apply/lock.py): a second apply is refused naming the holder and writes
nothing; a lock left by a process that is gone is taken over with a note; the lock is gone afterwards."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, RunCli

LOCK = Path(".crmdefs/locks/sandbox.lock")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def hold(project: Path, pid: int, host: str | None = None) -> None:
    path = project / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = {"pid": pid, "host": host or socket.gethostname(), "started": "2026-11-29T09:00:00+00:00"}
    path.write_text(json.dumps(holder), encoding="utf-8")


def test_a_second_apply_is_refused_naming_who_holds_the_target(run_cli: RunCli, project: Path) -> None:
    hold(project, os.getpid())  # this very process: certainly running
    result = run_cli("apply", "--auto-approve")
    assert result.code == 1
    assert f"target 'sandbox' is being applied by process {os.getpid()}" in result.err
    assert "started 2026-11-29T09:00:00+00:00" in result.err and "Traceback" not in result.err
    assert (project / LOCK).exists(), "the other apply's lock stays"
    assert run_cli("plan", "--detailed-exitcode").code == 2, "nothing was written: the changes are still due"


def test_a_lock_from_another_host_is_never_taken_over(run_cli: RunCli, project: Path) -> None:
    hold(project, 1, host="ci-runner-7")
    result = run_cli("apply", "--auto-approve")
    assert result.code == 1 and "on ci-runner-7" in result.err


def test_a_stale_lock_is_taken_over_with_a_note_and_released(run_cli: RunCli, project: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    hold(project, int(gone.stdout))
    result = run_cli("apply", "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert f"took over the apply lock of target 'sandbox' from process {gone.stdout.strip()}" in result.err
    assert not (project / LOCK).exists()
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_the_lock_is_released_when_the_apply_is_not_confirmed(run_cli: RunCli, project: Path) -> None:
    result = run_cli("apply")  # no terminal to ask: not confirmed
    assert result.code != 0
    assert not (project / LOCK).exists()
    assert run_cli("apply", "--auto-approve").code == 0


def test_a_lock_that_cannot_be_written_is_one_clear_error(run_cli: RunCli, project: Path) -> None:
    (project / ".crmdefs").mkdir()
    (project / LOCK.parent).write_text("a file where the locks folder goes", encoding="utf-8")
    result = run_cli("apply", "--auto-approve")
    assert result.code == 1
    assert "cannot take the apply lock" in result.err and "internal error" not in result.err
    assert run_cli("plan", "--detailed-exitcode").code == 2, "nothing was written"
