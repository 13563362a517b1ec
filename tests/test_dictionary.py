"""`crmdefs dictionary` end to end on the sandbox, through the real CLI and client libraries: the xlsx
workbook holds every field a describe returns (checked with simple-salesforce and openpyxl), coverage
matches a hand count of the seeded org, --min-coverage decides the exit code, and the reads stay within
their stated number of calls."""

from __future__ import annotations

import io
import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from openpyxl import load_workbook
from simple_salesforce.api import Salesforce

from crmdefs.adapters.salesforce.client import client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, RunCli
from .sandbox_helpers import PinnedSession


@dataclass
class Crms:
    sandbox: Sandbox
    sf: Salesforce
    hs: HubSpot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


@pytest.fixture
def crms(project: Path) -> Iterator[Crms]:
    """The sandbox the CLI will use (it joins a running one), and the real clients, to look and edit."""
    sandbox = Sandbox(project / ".crmdefs" / "sandbox", log_to_file=False)
    info = sandbox.start(
        announce=True
    )  # as `sandbox serve`: the CLI uses it, so its log shows the CLI's calls
    session = PinnedSession(info.ca_bundle)
    sf = client_with_token(info.instance_url, Secret(info.access_token), session=session, version="62.0").rest
    hs = HubSpot(access_token=info.access_token, host=info.base_url, ssl_ca_cert=str(info.ca_bundle))
    yield Crms(sandbox, sf, hs)
    sandbox.stop()


# The seeded Opportunity, counted by hand. Its describe has 42 fields; these 23 are neither createable nor
# updateable standard fields, which Salesforce maintains itself:
MAINTAINED = {
    "Id", "IsDeleted", "ExpectedRevenue", "IsClosed", "IsWon", "ForecastCategory", "HasOpportunityLineItem",
    "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
    "LastActivityDate", "LastStageChangeDate", "FiscalQuarter", "FiscalYear", "Fiscal", "LastViewedDate",
    "LastReferencedDate", "HasOpenActivity", "HasOverdueTask", "LastAmountChangedHistoryId",
    "LastCloseDateChangedHistoryId",
}  # fmt: skip
# Help text: StageName and Loss_Reason__c; a description: Loss_Reason__c (salesforce_seed.py). Active picklist
# values: StageName 10, Type 4, LeadSource 5, ForecastCategoryName 5, Loss_Reason__c 5, Primary_Competitor__c 4.
SEEDED_VALUES = 10 + 4 + 5 + 5 + 5 + 4


def _sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_the_workbook_holds_every_field_the_describe_returns(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    result = run_cli("dictionary", "--object", "opportunity", "--format", "xlsx", "--out", "d.xlsx")

    assert result.code == 0, result.err
    assert result.out == ""
    book = load_workbook(project / "d.xlsx")
    assert book.sheetnames == ["Coverage", "Opportunity"]  # the CRM's spelling, though asked in lower case
    sheet = book["Opportunity"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and sheet["D2"].alignment.wrap_text
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:6] == ("Label", "API name", "Type", "Help text", "Description", "Picklist values")
    describe = crms.sf.Opportunity.describe()
    assert [r[1] for r in rows] == [f["name"] for f in describe["fields"]]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    assert [r["Label"] for r in by_name.values()] == [f["label"] for f in describe["fields"]]
    loss = by_name["Loss_Reason__c"]
    assert loss["Description"] == "Reason for loss (legacy field from the 2021 CRM migration)."
    assert loss["Help text"] == "Pick a reason."
    assert loss["Picklist values"].splitlines() == [
        "Price", "pricing", "Lost to Competitor", "Other", "No Decision / Non-Responsive",
    ]  # fmt: skip
    assert loss["Governed by"].startswith("definitions/fields/salesforce.yaml:75; terms: closed-lost")
    stage = by_name["StageName"]
    assert "Closed Won" in stage["Picklist values"].splitlines()
    assert "closed-won (value Closed Won)" in stage["Governed by"]
    assert by_name["Amount"]["Governed by"] == "not bound"
    assert by_name["CreatedDate"]["State"] == "set by Salesforce"
    summary = book["Coverage"]
    assert summary["A1"].font.b and summary.freeze_panes == "A2"
    assert [c.value for c in summary[2]][:5] == ["Salesforce", "Opportunity", "Opportunity", 10.5, 19]


def test_coverage_matches_a_hand_count_of_the_seeded_org_and_follows_edits(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    describe = crms.sf.Opportunity.describe()
    counted = [f for f in describe["fields"] if f["name"] not in MAINTAINED]
    assert len(describe["fields"]) == 42 and len(counted) == 19

    result = run_cli("dictionary", "--object", "Opportunity", "--format", "xlsx", "--out", "d.xlsx")
    figures = _sheet_rows(project / "d.xlsx", "Coverage")[1][3:10]
    # coverage %, counted, help text, description, values, described values, left out
    assert figures == (round(100 * 2 / 19, 1), 19, 2, 1, SEEDED_VALUES, 0, 23)
    assert "Salesforce Opportunity 10.5%" in result.err

    # An admin documents a field and two values in Setup (the Metadata API, through simple-salesforce).
    amount = crms.sf.mdapi.CustomField.read("Opportunity.Amount")
    amount.inlineHelpText = "Total value of the deal in the opportunity's currency."
    crms.sf.mdapi.CustomField.update(amount)
    loss = crms.sf.mdapi.CustomField.read("Opportunity.Loss_Reason__c")
    for value in loss.valueSet.valueSetDefinition.value[:2]:
        value.description = f"Lost on {value.fullName}."
    crms.sf.mdapi.CustomField.update(loss)

    run_cli("dictionary", "--object", "Opportunity", "--format", "xlsx", "--out", "d.xlsx")
    figures = _sheet_rows(project / "d.xlsx", "Coverage")[1][3:10]
    assert figures == (round(100 * 3 / 19, 1), 19, 3, 1, SEEDED_VALUES, 2, 23)
    rows = {r[1]: r for r in _sheet_rows(project / "d.xlsx", "Opportunity")}
    assert rows["Loss_Reason__c"][5].splitlines()[:2] == [
        "Price: Lost on Price.",
        "pricing: Lost on pricing.",
    ]


def test_min_coverage_exits_2_below_it_naming_the_objects_and_0_at_or_above(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    below = run_cli("dictionary", "--object", "Opportunity", "--object", "deals", "--min-coverage", "80%")
    assert below.code == 2
    assert "Under the minimum of 80%: Salesforce Opportunity (10.5%)." in below.err
    assert "HubSpot deals (100.0%)" not in below.err.split("Under the minimum")[1]

    assert run_cli("dictionary", "--object", "Opportunity", "--min-coverage", "10.5%").code == 0
    assert run_cli("dictionary", "--object", "deals", "--min-coverage", "100%").code == 0


@pytest.mark.parametrize("value", ["80", "120%", "-5%", "eighty%", ""])
def test_a_bad_min_coverage_is_a_usage_error(run_cli: RunCli, project: Path, value: str) -> None:
    result = run_cli("dictionary", "--min-coverage", value)
    assert result.code == 64
    assert f"{value!r} is not a percentage from 0% to 100% — write it like 80%" in result.err


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Opportunty", "Salesforce has no object 'Opportunty' — did you mean 'Opportunity'?"),
        ("hubspot:deels", "HubSpot has no object type 'deels' — did you mean 'deals'?"),
    ],
)
def test_an_unknown_object_is_an_error_with_the_closest_names(
    run_cli: RunCli, project: Path, crms: Crms, name: str, message: str
) -> None:
    result = run_cli("dictionary", "--object", name)
    assert result.code == 1
    assert result.err.splitlines()[-1] == f"crmdefs: error: target 'sandbox': {message}"
    assert "Traceback" not in result.err


def test_command_line_mistakes_are_refused_before_any_call(run_cli: RunCli, project: Path) -> None:
    binary = run_cli("dictionary", "--format", "xlsx")
    assert binary.code == 64
    assert "--format xlsx is a binary workbook, not for a terminal — name the file with --out" in binary.err
    both = run_cli("dictionary", "--object", "Lead", "--all-bound")
    assert both.code == 64 and "give one of them" in both.err
    no_file = run_cli("dictionary", "--out", "")
    assert no_file.code == 64 and "'' names no file — name the file to write" in no_file.err
    assert "internal error" not in no_file.err
    blank = run_cli("dictionary", "--object", "  ")
    assert blank.code == 1
    assert "'  ' is not an object — write Opportunity, hubspot:deals or salesforce:Lead" in blank.err
    assert not (project / ".crmdefs" / "sandbox").exists()


def test_reads_take_one_describe_per_object_and_batched_metadata_reads(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    counted = sum(
        1
        for obj in ("Opportunity", "Lead")
        for f in getattr(crms.sf, obj).describe()["fields"]
        if f["custom"] or f["createable"] or f["updateable"]
    )
    start = len(crms.sandbox.log.entries)

    result = run_cli("dictionary", "--object", "Opportunity", "--object", "Lead", "--object", "hubspot:deals")

    assert result.code == 0, result.err
    log = crms.sandbox.log.entries[start:]
    salesforce = [e for e in log if e["api"] == "salesforce"]
    describes = [e for e in salesforce if str(e["path"]).endswith("/describe")]
    reads = [e for e in salesforce if e.get("action") == "readMetadata"]
    # Stated bound: 1 describe per object; ceil(fields counted / 10) CustomField reads; the standard value
    # sets (OpportunityStage, OpportunityType, LeadSource, LeadStatus, Industry, AccountRating: 6) in one
    # read, the global value set Competitors in one.
    assert len(describes) == 2
    assert len(reads) == math.ceil(counted / 10) + 1 + 1
    assert len(salesforce) == len(describes) + len(reads)
    hubspot = [e for e in log if e["api"] == "hubspot"]
    assert [(e["method"], str(e["path"]).split("?")[0].rsplit("/", 1)[-1]) for e in hubspot] == [
        ("GET", "deals")
    ]


def test_csv_has_a_row_per_field_and_one_cell_for_the_values(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    import csv

    result = run_cli("dictionary", "--object", "Opportunity", "--object", "deals", "--format", "csv")

    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out, newline="")))
    assert rows[0][:4] == ["CRM", "Object", "Label", "API name"]
    assert len(rows) == 1 + 42 + 6
    deal_type = next(r for r in rows if r[3] == "dealtype")
    assert deal_type[:2] == ["HubSpot", "deals"]
    assert deal_type[7] == "newbusiness (New Business)\nexistingbusiness (Existing Business)"
    assert deal_type[9].startswith(
        "definitions/fields/hubspot.yaml:50; terms: new-business (value newbusiness)"
    )
    stage = next(r for r in rows if r[3] == "dealstage")
    assert stage[7] == "options live in the deal pipelines (Pipelines API)"


def test_text_that_looks_like_a_formula_is_never_run_by_a_spreadsheet(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    attack = '=HYPERLINK("http://evil.example","Click")'
    loss = crms.sf.mdapi.CustomField.read("Opportunity.Loss_Reason__c")
    loss.inlineHelpText = attack
    loss.valueSet.valueSetDefinition.value[0].description = "+1 for price"
    crms.sf.mdapi.CustomField.update(loss)

    rows = run_cli("dictionary", "--object", "Opportunity", "--format", "csv").out.splitlines()
    line = next(r for r in rows if ",Loss_Reason__c," in r)
    assert "'=HYPERLINK(" in line and ",=HYPERLINK" not in line

    assert run_cli("dictionary", "--object", "Opportunity", "--format", "xlsx", "--out", "d.xlsx").code == 0
    sheet = load_workbook(project / "d.xlsx")["Opportunity"]
    cell = next(row[3] for row in sheet.iter_rows(min_row=2) if row[1].value == "Loss_Reason__c")
    assert cell.value == attack and cell.data_type == "s"  # text, shown as written, not a formula


def test_an_object_under_the_minimum_reads_as_under_it(run_cli: RunCli, project: Path, crms: Crms) -> None:
    """Lead's 1 of 39 fields is 2.56%: shown as 2.6%, yet under a minimum of 2.6% — said with the digits
    that show why, not "under 2.6%: Lead (2.6%)"."""
    result = run_cli("dictionary", "--object", "Lead", "--min-coverage", "2.6%")
    assert result.code == 2
    assert "coverage: Salesforce Lead 2.6%." in result.err
    assert "Under the minimum of 2.6%: Salesforce Lead (2.56%)." in result.err
