"""Shared test helpers: run the real CLI entry point in-process and capture what a user would see."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from crmdefs.__main__ import main

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass
class Result:
    code: int
    out: str
    err: str


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run ``crmdefs ARGS`` through ``crmdefs.__main__.main`` with the working directory at tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRMDEFS_CONFIG", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; CRMDEFS_UPDATE_GOLDEN=1 rewrites it (review the diff)."""
    import os

    path = GOLDEN / name
    if os.environ.get("CRMDEFS_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"golden file {path} is missing; run with CRMDEFS_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8")
