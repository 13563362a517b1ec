"""`crmdefs dictionary`'s views as a reader meets them, on the seeded sandbox: the Markdown pinned by a
golden file, every object a definition binds by default, and the HTML page self-contained with CRM text
shown as written, never run."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import RunCli, assert_golden
from .test_dictionary import Crms
from .test_dictionary import crms as crms
from .test_dictionary import project as project


def test_markdown_of_a_salesforce_and_a_hubspot_object_matches_its_golden_file(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    result = run_cli("dictionary", "--object", "Opportunity", "--object", "deals")
    assert result.code == 0, result.err
    assert_golden("dictionary.md", result.out)
    assert result.err.splitlines()[-1] == (
        "2 objects, 48 fields; coverage: Salesforce Opportunity 10.5%, HubSpot deals 100.0%."
    )


def test_every_object_a_definition_binds_is_the_default(run_cli: RunCli, project: Path, crms: Crms) -> None:
    default = run_cli("dictionary")
    assert default.code == 0, default.err
    sections = re.findall(r"^## (.+)$", default.out, re.MULTILINE)
    assert sections == ["Salesforce Lead", "Salesforce Opportunity", "HubSpot contacts", "HubSpot deals"]
    assert run_cli("dictionary", "--all-bound").out == default.out


def test_the_html_page_is_self_contained_and_shows_crm_text_as_written(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    loss = crms.sf.mdapi.CustomField.read("Opportunity.Loss_Reason__c")
    loss.inlineHelpText = "<script>alert(1)</script> & <b>why</b>"
    crms.sf.mdapi.CustomField.update(loss)

    result = run_cli(
        "dictionary", "--object", "Opportunity", "--object", "deals", "--format", "html", "--out", "d.html"
    )

    assert result.code == 0, result.err
    assert result.err.splitlines()[-1].startswith("Wrote d.html: 2 objects, 48 fields; coverage:")
    page = (project / "d.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;why&lt;/b&gt;" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page)
    assert re.findall(r"<section id=\"([^\"]+)\">", page) == [
        "salesforce-Opportunity",
        "hubspot-deals",
    ]
    assert page.count("<tr") == 1 + 42 + 1 + 6  # a header row and a row per field, per object
    assert '<td class="unbound">not bound</td>' in page


def test_workbook_sheets_name_the_crm_when_both_are_listed(
    run_cli: RunCli, project: Path, crms: Crms
) -> None:
    from openpyxl import load_workbook

    asked = ("--object", "Opportunity", "--object", "deals", "--format", "xlsx", "--out", "both.xlsx")
    assert run_cli("dictionary", *asked).code == 0
    book = load_workbook(project / "both.xlsx")
    assert book.sheetnames == ["Coverage", "Salesforce Opportunity", "HubSpot deals"]
    assert [row[2] for row in book["Coverage"].iter_rows(min_row=2, values_only=True)] == book.sheetnames[1:]


def test_sheet_names_keep_excel_s_rules() -> None:
    """At most 31 characters, none of []:*?/\\, no leading or trailing apostrophe, unique in any case."""
    from crmdefs.dictionary.render_xlsx import sheet_names

    long = "Salesforce Opportunity_Line_Item_Schedule__c"
    names = sheet_names([long, long, long.upper(), "a[b]:c*d?e/f\\g", "'quoted'", "coverage", "''"])
    assert names == [
        "Salesforce Opportunity_Line_Ite",
        "Salesforce Opportunity_Line (2)",
        "SALESFORCE OPPORTUNITY_LINE (3)",
        "a_b__c_d_e_f_g",
        "quoted",
        "coverage (2)",  # "Coverage" is the summary sheet's
        "Sheet",
    ]
    assert all(len(n) <= 31 for n in names)
