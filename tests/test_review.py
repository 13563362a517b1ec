"""`crmdefs review`: the review cadence a scheduled job checks, and the report a reviewer works through."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from crmdefs.definitions.model import ReviewPeriod
from crmdefs.review.findings import add_period

from .conftest import REPO, RunCli, write_files


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        ("2026-01-31", ReviewPeriod(1, "month"), "2026-02-28"),  # clamped to the month's last day
        ("2028-01-31", ReviewPeriod(1, "month"), "2028-02-29"),  # leap year
        ("2026-11-30", ReviewPeriod(3, "month"), "2027-02-28"),  # quarterly across a year end
        ("2026-06-10", ReviewPeriod(6, "month"), "2026-12-10"),
        ("2028-02-29", ReviewPeriod(1, "year"), "2029-02-28"),
        ("2026-12-25", ReviewPeriod(2, "week"), "2027-01-08"),
        ("2026-12-25", ReviewPeriod(90, "day"), "2027-03-25"),
    ],
)
def test_review_dates_follow_the_calendar(day: str, period: ReviewPeriod, expected: str) -> None:
    assert add_period(dt.date.fromisoformat(day), period) == dt.date.fromisoformat(expected)


def term(ident: str, **keys: str | None) -> str:
    fields = {
        "status": "approved",
        "owner": "ops@example.com",
        "summary": f"{ident} summary.",
        "definition": f"{ident} definition.",
        **keys,
    }
    body = "\n".join(f"{k}: {v}" for k, v in fields.items() if v is not None)
    return f"kind: term\nid: {ident}\nname: {ident.title()}\n{body}\n---\n"


def glossary(tmp_path: Path, *terms: str, fields: str = "") -> None:
    files = {"definitions/terms.yaml": "".join(terms)}
    if fields:
        files["definitions/fields.yaml"] = textwrap.dedent(fields)
    write_files(tmp_path, files)


def test_review_as_of_lists_exactly_the_terms_past_their_date_and_exits_2(
    tmp_path: Path, run_cli: RunCli
) -> None:
    glossary(
        tmp_path,
        term("late", last_reviewed="2026-01-15", review_every="quarterly"),  # due 2026-04-15
        term("due-today", last_reviewed="2025-06-01", review_every="1 year"),  # due 2026-06-01
        term("fresh", last_reviewed="2026-05-01", review_every="6 months"),  # due 2026-11-01
        term("no-cadence", last_reviewed="2020-01-01"),
        term("retired", status="deprecated", last_reviewed="2020-01-01", review_every="monthly"),
    )
    result = run_cli("review", "--as-of", "2026-06-01")
    assert result.code == 2
    overdue = result.out.split("Overdue for review (1):\n")[1].split("\n\n")[0]
    assert overdue.splitlines() == [
        "  late: Late — due 2026-04-15, 47 days ago (every 3 months); owner ops@example.com  "
        "[definitions/terms.yaml:1]"
    ]
    assert result.out.startswith("1 term overdue for review as of 2026-06-01.")
    assert "No review cadence (1):\n  no-cadence:" in result.out
    assert "retired" not in result.out  # deprecated terms are not reviewed

    before = run_cli("review", "--as-of", "2026-04-15")  # the due day itself is not overdue
    assert before.code == 0 and before.out.startswith("Nothing overdue as of 2026-04-15.")


def test_the_starter_glossary_on_a_chosen_day(run_cli: RunCli) -> None:
    defs = str(REPO / "definitions")
    result = run_cli("review", "--definitions", defs, "--as-of", "2026-10-14", "--format", "json")
    assert result.code == 2
    report = json.loads(result.out)
    assert [t["id"] for t in report["overdue"]] == ["lead-recycling", "score-decay"]
    assert report["stale_drafts"] == [] and report["deprecated_in_use"] == []
    # iql was proposed as a draft on 2026-10-20; 31 days later it is waiting too long.
    later = json.loads(
        run_cli("review", "--definitions", defs, "--as-of", "2026-11-21", "--format", "json").out
    )
    assert [(d["id"], d["days"]) for d in later["stale_drafts"]] == [("iql", 32)]


def test_drafts_waiting_too_long_count_from_their_first_changelog_entry(
    tmp_path: Path, run_cli: RunCli
) -> None:
    changelog = "\n  - {date: 2026-03-01, change: Proposed., reason: Asked by sales.}"
    glossary(tmp_path, term("idea", status="draft", changelog=changelog))
    assert run_cli("review", "--as-of", "2026-03-31").code == 0  # 30 days: still within the limit
    result = run_cli("review", "--as-of", "2026-04-01")
    assert result.code == 2
    assert "Drafts older than 30 days (1):\n  idea: Idea — draft since 2026-03-01 (31 days)" in result.out
    assert run_cli("review", "--as-of", "2026-04-01", "--draft-days", "60").code == 0


def test_markdown_is_a_checklist_for_an_issue(tmp_path: Path, run_cli: RunCli) -> None:
    glossary(
        tmp_path,
        term("late", last_reviewed="2026-01-15", review_every="quarterly"),
        term("old", status="deprecated"),
        term("nobody", owner=None),
        fields="""\
            kind: field
            hubspot: deals.dealtype
            picklist:
              values:
                - {value: a, term: old}
                - {value: b, term: late}
            """,
    )
    result = run_cli("review", "--as-of", "2026-05-01", "--format", "markdown")
    assert result.code == 2
    lines = result.out.splitlines()
    assert lines[0] == "## Glossary review — 2026-05-01"
    assert (
        "- [ ] **Late** (`late`) — due 2026-04-15, 16 days ago (every 3 months); owner ops@example.com "
        "· `definitions/terms.yaml:1`" in lines
    )
    assert "### Deprecated but still carried by a field (1)" in lines
    assert any(line.startswith("- [ ] **Old** (`old`) — hubspot:deals.dealtype (value a)") for line in lines)
    assert "### No owner (1)" in lines
    assert lines[-1].startswith("Not on any CRM field (1; ") and lines[-1].endswith(": nobody")


def test_strict_fails_on_any_finding_not_only_overdue(tmp_path: Path, run_cli: RunCli) -> None:
    glossary(tmp_path, term("lonely", last_reviewed="2026-05-01", review_every="1 year"))
    assert run_cli("review", "--as-of", "2026-06-01").code == 0
    assert run_cli("review", "--as-of", "2026-06-01", "--strict").code == 2


def test_a_bad_date_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    glossary(tmp_path, term("a"))
    result = run_cli("review", "--as-of", "1 June")
    assert result.code == 64 and "'1 June' does not match the format '%Y-%m-%d'" in result.err
