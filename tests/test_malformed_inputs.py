"""Malformed inputs of every kind crmdefs reads — crmdefs.yaml, definitions, saved plans, backups, drift
baselines, mapping files, the environment, and CRM answers that are not JSON or SOAP — each get one clear
error that says where and what to do: exit 1, no traceback, and nothing written.

CRM answers come from a tiny HTTPS server (the sandbox's TLS helper for its certificate) that answers
every request with the same bytes; the real clients read them. The cases live beside this module, by kind
of input: malformed_settings_cases.py, malformed_file_cases.py and malformed_answer_cases.py.
tests/test_validate_errors.py, tests/test_config.py and tests/test_hostile_files.py hold more definitions
and crmdefs.yaml cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crmdefs.sandbox.tls import ensure_tls

from .conftest import RunCli
from .malformed_answer_cases import ANSWER_CASES
from .malformed_cases import Answer, Case, answering
from .malformed_file_cases import FILE_CASES
from .malformed_settings_cases import SETTINGS_CASES

DEFINITIONS = """\
kind: picklist
id: reasons
name: Reasons
values:
  - {value: price, label: Price}
  - {value: timing, label: Timing}
---
kind: field
hubspot: deals.closed_lost_reason_code
picklist: reasons
create: {label: Reason code, type: enumeration, field_type: select, group: dealinformation}
---
kind: term
id: a
name: A
status: approved
summary: S.
definition: d
---
kind: field
hubspot: deals.reason_notes
description: {term: a}
---
kind: field
salesforce: Lead.Status
help_text: {term: a}
"""


CASES = [*SETTINGS_CASES, *FILE_CASES, *ANSWER_CASES]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_malformed_input_gets_one_clear_error_and_nothing_is_written(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    project = tmp_path / "project"
    (project / "definitions").mkdir(parents=True)
    (project / "definitions" / "a.yaml").write_text(DEFINITIONS, encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "0")
    for name in ("SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "REQUESTS_CA_BUNDLE", "CRMDEFS_TARGET"):
        monkeypatch.delenv(name, raising=False)
    # The tokens a configured target reads; without crmdefs.yaml they would (rightly) keep crmdefs off the
    # built-in demo org (tests/test_no_silent_demo.py).
    tokens = {"SALESFORCE_ACCESS_TOKEN": "t0ken-value", "HUBSPOT_ACCESS_TOKEN": "t0ken-value"}
    for name, value in tokens.items() if "crmdefs.yaml" in case.files else ():
        monkeypatch.setenv(name, value)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    tls = ensure_tls(tmp_path / "tls")
    with answering(case.answer or Answer(599, "text/plain", b"not called"), tls) as url:
        for name, content in case.files.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content.replace("<url>", url).replace("<ca>", str(tls.ca)), encoding="utf-8")
        before = snapshot(project)
        result = run_cli(*case.args)
        after = snapshot(project)

    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    errors = [
        line
        for line in result.err.splitlines()
        if ": warning: " not in line
        and not line.startswith("crmdefs: 1 error, ")
        and line != "target sandbox — the built-in demo org, not your CRM"  # the demo's first line
    ]
    assert errors == [case.error]
    assert after == before  # nothing written, not even the sandbox's state


def test_there_are_at_least_30_kinds_of_malformed_input() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
