"""Broken definitions: each case pins the exact message, its file:line:column, exit 1, and no traceback.

The cases live beside this module: validate_document_cases.py (YAML, keys, values, terms) and
validate_binding_cases.py (picklists and field bindings).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import RunCli, write_files
from .validate_binding_cases import BINDING_CASES
from .validate_document_cases import DOCUMENT_CASES

CASES: list[tuple[str, dict[str, str], list[str]]] = [*DOCUMENT_CASES, *BINDING_CASES]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_definitions_report_located_messages(
    run_cli: RunCli, tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    write_files(tmp_path / "definitions", files)
    result = run_cli("validate")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[:-1] == expected
    errors = sum(1 for line in expected if ": warning: " not in line)
    assert lines[-1].startswith(f"crmdefs: {errors} error")
    assert "Traceback" not in result.err


def test_there_are_at_least_25_cases() -> None:
    assert len(CASES) >= 25
