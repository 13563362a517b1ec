"""`crmdefs validate` on the keys that make a definition hold: requirements, depends_on, quality thresholds
and catch-all values. Mistakes a person makes in them are reported at file:line with what to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import RunCli, write_files

BINDING = """\
kind: field
salesforce: Opportunity.Reason__c
picklist:
  values:
    - {value: Price}
    - {value: Other, catch_all: true}
"""


def validate(run_cli: RunCli, tmp_path: Path, extra: str) -> tuple[int, str]:
    write_files(tmp_path / "definitions", {"rules.yaml": BINDING + extra})
    result = run_cli("validate")
    return result.code, result.err


def test_requirements_dependency_and_thresholds_written_right_are_valid(
    run_cli: RunCli, tmp_path: Path
) -> None:
    extra = """\
depends_on: {field: StageName, show_when: [Closed Lost]}
requirements:
  - when: [other]              # values match as Salesforce matches them: in any case
    require: [Description]
    message: Say what "Other" was.
    min_filled: 90%
quality:
  max_share: {Other: 10%}
  min_filled: 95.5%
"""
    assert validate(run_cli, tmp_path, extra) == (0, "")


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "requirements:\n  - {when: [Lost], require: [Description]}\n",
            "rules.yaml:8:13: 'Lost' is not a value of this binding's picklist",
        ),
        (
            "requirements:\n  - {when: [Price], require: [Reason__c]}\n",
            "rules.yaml:8:31: 'Reason__c' is the bound field itself — require other fields",
        ),
        (
            "quality: {min_filled: 95}\n",
            "rules.yaml:7:23: 'quality.min_filled' must be text, not the number 95 — write 95% (with the "
            "percent sign)",
        ),
        ("quality: {min_filled: 101%}\n", "rules.yaml:7:23: '101%' is more than 100%"),
        (
            "quality: {max_share: {Othr: 10%}}\n",
            "rules.yaml:7:23: 'Othr' is not a value of this binding's picklist — did you mean 'Other'?",
        ),
        (
            "requirements:\n  - {when: [Price], require: [Description]}\n"
            "  - {when: [Price], require: [Amount]}\n",
            "requirements 1 and 2 make the same validation rule 'crmdefs_Reason_Price' — give one of them a "
            "'name:'",
        ),
        (
            "requirements:\n  - {when: [Price], require: [Description], name: Bad__Name}\n",
            "'requirements[0].name' has an invalid value 'Bad__Name'",
        ),
        (
            "requirements:\n  - {when: [Other, other], require: [Description]}\n",
            "rules.yaml:8:20: 'other' is listed already (as 'Other') — list it once",
        ),
        (
            "requirements:\n  - {when: [Price], require: [Amount, amount]}\n",
            "rules.yaml:8:39: 'amount' is listed already (as 'Amount') — list it once",
        ),
        (
            "depends_on: {field: StageName}\n",
            "'show_when'",
        ),
    ],
)
def test_mistakes_in_the_new_keys_are_named_at_their_line(
    run_cli: RunCli, tmp_path: Path, extra: str, problem: str
) -> None:
    code, err = validate(run_cli, tmp_path, extra)
    assert code != 0
    assert problem in err


def test_depends_on_is_refused_on_hubspot_with_where_to_do_it_instead(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_files(
        tmp_path / "definitions",
        {
            "rules.yaml": "kind: field\nhubspot: deals.dealtype\npicklist:\n  values: [{value: a}]\n"
            "depends_on: {field: dealstage, show_when: [closedlost]}\n"
        },
    )
    result = run_cli("validate")
    assert result.code != 0
    assert "dependent picklists exist only in Salesforce" in result.err
