"""`crmdefs examples TERM` and `review --examples`: the newest records holding a term's values on each CRM,
read through the real CLI from the sandbox, showing nothing but id, name, owner, date and a link."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from crmdefs.sandbox.service import seed

from .conftest import RunCli, write_files

TERMS = """\
    kind: term
    id: lost
    name: Closed Lost
    status: approved
    owner: ops@example.com
    summary: A deal the buyer turned down.
    definition: A deal the buyer turned down.
    last_reviewed: 2026-01-15
    review_every: quarterly
    ---
    kind: term
    id: won
    name: Closed Won
    status: approved
    owner: ops@example.com
    summary: A deal the buyer signed.
    definition: A deal the buyer signed.
    last_reviewed: 2026-05-01
    review_every: 1 year
    ---
    kind: term
    id: raw
    name: Raw Lead
    status: approved
    owner: ops@example.com
    summary: Nobody has looked at it yet.
    definition: Nobody has looked at it yet.
    ---
    kind: term
    id: lonely
    name: Lonely
    status: approved
    owner: ops@example.com
    summary: On no field.
    definition: On no field.
    """
FIELDS = """\
    kind: picklist
    id: first-statuses
    name: First statuses
    term: raw
    values:
      - {value: NEW}
      - {value: OPEN}
    ---
    kind: field
    salesforce: Opportunity.StageName
    picklist:
      values:
        - {value: Closed Lost, term: lost, closed: true, won: false, probability: 0, forecast_category: Omitted}
        - {value: Closed Won, term: won, closed: true, won: true, probability: 100, forecast_category: Closed}
    ---
    kind: field
    salesforce: Lead.Status
    picklist:
      values:
        - {value: Open - Not Contacted, term: raw, converted: false}
    ---
    kind: field
    hubspot: deals.dealtype
    picklist:
      values:
        - {value: newbusiness, term: lost}
    ---
    kind: field
    hubspot: contacts.hs_lead_status
    picklist: first-statuses
    """
RECORD_KEYS = {"id", "name", "owner", "date", "url"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_files(tmp_path, {"definitions/terms.yaml": TERMS, "definitions/fields.yaml": FIELDS})
    return tmp_path


def newest(records: dict[str, Any], holds: Any, date_of: Any, n: int) -> list[str]:
    """The ids of the ``n`` newest seeded records that ``holds`` accepts, as the sandbox seeds them."""
    chosen = [r for r in records.values() if holds(r)]
    return [str(r.get("Id") or r.get("id")) for r in sorted(chosen, key=date_of, reverse=True)[:n]]


def by_field(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    (term,) = report["terms"]
    assert all(f["error"] is None and f["skipped"] is None for f in term["fields"])
    return {f["field"]: f["records"] for f in term["fields"]}


def test_the_newest_records_on_both_crms_with_only_id_name_owner_date_and_link(
    project: Path, run_cli: RunCli
) -> None:
    result = run_cli("examples", "lost", "--last", "4", "--format", "json")
    assert result.code == 0, result.err
    fields = by_field(json.loads(result.out))
    assert list(fields) == ["salesforce:Opportunity.StageName", "hubspot:deals.dealtype"]
    state = seed()
    opportunities = state["salesforce"]["records"]["Opportunity"]
    deals = state["hubspot"]["objects"]["deals"]
    expected_sf = newest(
        opportunities, lambda r: r["StageName"] == "Closed Lost", lambda r: r["LastModifiedDate"], 4
    )
    expected_hs = newest(
        deals,
        lambda r: r["properties"]["dealtype"] == "newbusiness",
        lambda r: r["properties"]["hs_lastmodifieddate"],
        4,
    )
    salesforce, hubspot = fields["salesforce:Opportunity.StageName"], fields["hubspot:deals.dealtype"]
    assert [r["id"] for r in salesforce] == expected_sf
    assert [r["id"] for r in hubspot] == expected_hs
    for records in (salesforce, hubspot):
        assert all(set(r) == RECORD_KEYS and r["name"] and r["owner"] for r in records)
        dates = [r["date"] for r in records]
        assert dates == sorted(dates, reverse=True) and len(set(dates)) == 4  # newest first
    for record in salesforce:
        assert re.fullmatch(
            rf"https://127\.0\.0\.1:\d+/lightning/r/Opportunity/{record['id']}/view", record["url"]
        )
        assert record["name"] == opportunities[record["id"]]["Name"]
    for record in hubspot:
        assert re.fullmatch(
            rf"https://app\.hubspot\.com/contacts/\d+/record/0-3/{record['id']}", record["url"]
        )
        assert record["name"] == deals[record["id"]]["properties"]["dealname"]
    # Owners by name, from the users API / owners API; a deactivated HubSpot owner still named
    assert any(r["owner"].endswith("(deactivated)") for r in hubspot)

    text = run_cli("examples", "lost", "--last", "4")
    assert text.code == 0
    shown = text.out.splitlines()[1:]
    assert "@" not in text.out  # no owner's or contact's email
    for record_id in expected_hs:  # nothing of a deal but its id, name, owner, date and link
        deal = deals[record_id]["properties"]
        line = next(line for line in shown if record_id in line)
        assert deal["dealname"] in line and deal["amount"] not in line.replace(record_id, "")

    markdown = run_cli("examples", "lost", "--last", "4", "--format", "markdown").out
    first = deals[expected_hs[0]]["properties"]["dealname"]
    assert "| Date | Name | Owner | Id |" in markdown
    assert f"[{first}](https://app.hubspot.com/contacts/" in markdown and "@" not in markdown


def test_a_picklist_s_own_term_ties_all_its_values_and_people_are_named(
    project: Path, run_cli: RunCli
) -> None:
    result = run_cli("examples", "raw", "--format", "json")
    assert result.code == 0, result.err
    fields = by_field(json.loads(result.out))
    contacts = fields["hubspot:contacts.hs_lead_status"]
    state = seed()
    held = state["hubspot"]["objects"]["contacts"]
    assert {r["id"] for r in contacts} == {
        i for i, c in held.items() if c["properties"]["hs_lead_status"] in ("NEW", "OPEN")
    }
    assert all(
        r["name"] == f"{held[r['id']]['properties']['firstname']} {held[r['id']]['properties']['lastname']}"
        for r in contacts
    )
    assert all(re.search(r"/record/0-1/\d+$", r["url"]) for r in contacts)
    leads = fields["salesforce:Lead.Status"]
    seeded = state["salesforce"]["records"]["Lead"]
    assert len(leads) == 7  # the compound Name: first and last name
    assert all(
        r["name"] == seeded[r["id"]]["LastName"] and "/lightning/r/Lead/00Q" in r["url"] for r in leads
    )


def test_an_unknown_term_names_the_closest_and_reads_nothing(project: Path, run_cli: RunCli) -> None:
    result = run_cli("examples", "lsot")
    assert result.code == 1
    assert "no term 'lsot' in the definitions — did you mean 'lost'?" in result.err
    assert not (project / ".crmdefs").exists() or "target sandbox" not in result.err


def test_a_term_on_no_bound_value_is_an_error_saying_why(project: Path, run_cli: RunCli) -> None:
    result = run_cli("examples", "lonely")
    assert result.code == 1
    assert "term 'lonely': no bound picklist value carries this term" in result.err


@pytest.mark.parametrize("last", ["0", "201", "-3"])
def test_last_is_bounded_by_one_query_page(project: Path, run_cli: RunCli, last: str) -> None:
    result = run_cli("examples", "lost", "--last", last)
    assert result.code == 64
    assert "--last" in result.err and "1<=x<=200" in result.err


def test_review_examples_attaches_records_to_overdue_terms_only(project: Path, run_cli: RunCli) -> None:
    plain = run_cli("review", "--as-of", "2026-06-01", "--format", "json")
    assert plain.code == 2 and "target" not in plain.err  # review alone asks no CRM
    assert all("examples" not in item for item in json.loads(plain.out)["overdue"])

    result = run_cli("review", "--as-of", "2026-06-01", "--examples", "--last", "2", "--format", "json")
    assert result.code == plain.code
    report = json.loads(result.out)
    assert [o["id"] for o in report["overdue"]] == ["lost"]  # won is not due until 2027
    examples = report["overdue"][0]["examples"]
    assert examples["term"] == "lost" and examples["last"] == 2
    assert [len(f["records"]) for f in examples["fields"]] == [2, 2]
    assert "won" not in json.dumps(report["overdue"])

    text = run_cli("review", "--as-of", "2026-06-01", "--examples", "--last", "2")
    plain_text = run_cli("review", "--as-of", "2026-06-01").out.rstrip("\n")
    assert text.out.startswith(plain_text)  # the report as before, then the examples
    tail = text.out[len(plain_text) :]
    assert tail.startswith("\n\nExamples of lost (target sandbox, last 2):\n")
    assert "hubspot:deals.dealtype in (newbusiness): the 2 newest records, newest first" in tail
