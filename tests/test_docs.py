"""`crmdefs docs` as a reader meets it: the shipped glossary as a golden Markdown file, working links and
anchors, draft terms marked, "where it lives", hostile text shown as written, --out, and the HTML page
in a real headless Chromium (search, every term present, no sideways scrolling on a 375px phone)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crmdefs.definitions.load import load_glossary

from .conftest import REPO, RunCli, assert_golden, write_files

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

DEFINITIONS = REPO / "definitions"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

HOSTILE = {
    "terms.yaml": """\
        kind: term
        id: pipe-term
        name: "Pipe | <script>alert(1)</script> Term"
        status: draft
        summary: "# Not a heading | with a pipe & an <b>ampersand</b>"
        definition: |-
          - not a list
          1. not an ordered list
          [not a link](https://example.com) and *not emphasis* and `no code`
        criteria: ["| starts with a pipe", "<img src=x onerror=alert(1)>"]
        synonyms: ["#hashtag", "a|b"]
        related: [plain]
        ---
        kind: term
        id: plain
        name: Plain
        status: deprecated
        summary: A plain term.
        definition: Plain.
        """,
}


def _markdown(run_cli: RunCli, definitions: Path = DEFINITIONS) -> str:
    result = run_cli("docs", "--definitions", str(definitions))
    assert result.code == 0, result.err
    return result.out


def _term_ids() -> list[str]:
    glossary, _ = load_glossary(DEFINITIONS)
    return sorted(glossary.terms)


def _entry(markdown: str, term_id: str) -> str:
    """One term's entry: from its anchor to the next anchor."""
    start = markdown.index(f'<a id="{term_id}"></a>')
    end = markdown.find("<a id=", start + 1)
    return markdown[start : end if end != -1 else None]


def test_shipped_glossary_markdown_matches_golden(run_cli: RunCli) -> None:
    assert_golden("glossary.md", _markdown(run_cli))


def test_every_term_has_an_anchor_and_every_link_lands(run_cli: RunCli) -> None:
    markdown = _markdown(run_cli)
    anchors = re.findall(r'<a id="([^"]+)"></a>', markdown)
    assert len(anchors) == len(set(anchors)), "duplicate anchors"
    assert set(_term_ids()) <= set(anchors)
    targets = set(re.findall(r"\]\(#([^)]+)\)", markdown))
    assert targets, "the glossary links nothing"
    assert targets - set(anchors) == set()


def test_related_terms_link_to_their_entries(run_cli: RunCli) -> None:
    mql = _entry(_markdown(run_cli), "mql")
    assert "**Related:** [IQL](#iql) (draft), [SAL](#sal), [Lead Score](#lead-score)" in mql


def test_funnel_lists_stages_in_order_and_marks_drafts(run_cli: RunCli) -> None:
    markdown = _markdown(run_cli)
    funnel = markdown[markdown.index('<a id="funnel_overview">') : markdown.index('<a id="category_')]
    order = re.findall(r"^\d+\. \[[^\]]+\]\(#([a-z0-9-]+)\)", funnel, re.MULTILINE)
    assert order == [
        "raw-lead",
        "iql",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "pipeline",
        "closed-won",
        "closed-lost",
    ]
    assert "2. [Information Qualified Lead (IQL)](#iql) — **draft** — " in funnel


def test_draft_term_is_marked_draft(run_cli: RunCli) -> None:
    iql = _entry(_markdown(run_cli), "iql")
    assert "### Information Qualified Lead (IQL) — draft" in iql
    assert "> **Draft** — proposed and not approved yet" in iql
    assert "— draft" not in _entry(_markdown(run_cli), "mql").splitlines()[1]


def test_where_mql_lives(run_cli: RunCli) -> None:
    where = _entry(_markdown(run_cli), "mql").split("**Where it lives:**")[1].split("**Changelog**")[0]
    assert "Salesforce [`Lead.Status`](#field_salesforce_lead-status) — value `Marketing Qualified`" in where
    assert (
        "HubSpot [`contacts.lifecyclestage`](#field_hubspot_contacts-lifecyclestage) — value `marketingqualifiedlead`"
        in where
    )


def test_unbound_term_says_none_yet_and_review_dates_show(run_cli: RunCli) -> None:
    closed = _entry(_markdown(run_cli), "closed")
    assert "**Where it lives:**\n\n- none yet\n" in closed
    assert "**Last reviewed:** 2026-05-26\\\n**Next review:** 2026-11-26 (every 6 months)" in closed


def test_changelog_is_newest_first(run_cli: RunCli) -> None:
    mql = _entry(_markdown(run_cli), "mql")
    assert mql.index("- 2026-09-30 — Added the 25-point fit floor") < mql.index("- 2025-11-18 — Adopted")


def test_shared_picklist_values_with_meaning_and_hubspot_value(run_cli: RunCli) -> None:
    markdown = _markdown(run_cli)
    section = markdown[markdown.index('<a id="picklist_closed-lost-reasons">') :]
    assert (
        "- **Used by:** Salesforce `Opportunity.Loss_Reason__c`, HubSpot `deals.closed_lost_reason_code`"
        in section
    )
    assert "- **Lost Contact (Went Dark)** — stored as `Went Dark`\n  - Buyer stopped replying" in section
    assert "  - HubSpot value: `went_dark`" in section


def test_hostile_text_renders_as_written_in_markdown(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path / "defs", HOSTILE)
    markdown = _markdown(run_cli, tmp_path / "defs")
    assert not re.search(r"(?<!\\)<(script|img|b)\b", markdown), "raw HTML from the definitions"
    assert "\\<img src=x onerror=alert(1)\\>" in markdown
    assert "### Pipe \\| \\<script\\>alert(1)\\</script\\> Term — draft" in markdown
    assert "**In short:** \\# Not a heading \\| with a pipe \\& an \\<b\\>ampersand\\</b\\>" in markdown
    assert "- \\| starts with a pipe" in markdown
    assert (
        "**Definition:** \\- not a list 1. not an ordered list \\[not a link\\](https://example.com)"
        in markdown
    )
    assert "**Also called:** \\#hashtag, a\\|b" in markdown
    assert "### Plain — deprecated" in markdown
    assert not re.search(r"^#+ (?!Pipe|Plain|Contents|Revenue|Other)", markdown, re.MULTILINE)


def test_hostile_text_is_escaped_in_html(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path / "defs", HOSTILE)
    result = run_cli("docs", "--definitions", str(tmp_path / "defs"), "--format", "html")
    assert result.code == 0, result.err
    page = result.out
    assert page.count("<script>") == 1  # ours, inline
    assert "<img" not in page and "<b>" not in page
    assert "Pipe | &lt;script&gt;alert(1)&lt;/script&gt; Term" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_html_is_one_self_contained_page(run_cli: RunCli) -> None:
    page = run_cli("docs", "--definitions", str(DEFINITIONS), "--format", "html").out
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<input type="search" id="glossary_search"' in page
    # Without JavaScript: the (useless) search box stays hidden and every term shows.
    assert '<div class="search" id="search_box" hidden>' in page
    assert '<p id="no_matches" hidden>' in page
    assert not re.search(r"<(article|section)[^>]* hidden", page)
    assert not re.search(r"""(src|href)=["']?(https?:|//)|@import|url\(""", page), "no external assets"
    assert not re.search(r"<[^>]*\son[a-z]+=", page), "no inline event handlers"


def test_out_is_the_file_to_write_and_says_where(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "site" / "revenue-glossary.html"
    result = run_cli("docs", "--definitions", str(DEFINITIONS), "--format", "html", "--out", str(out))
    assert result.code == 0
    assert result.out == ""
    assert f"Wrote {out}" in result.err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["revenue-glossary.html"]


def test_out_that_is_a_directory_gets_the_usual_name_inside(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    result = run_cli("docs", "--definitions", str(DEFINITIONS), "--out", str(folder))
    assert result.code == 0
    assert (folder / "glossary.md").read_text(encoding="utf-8") == _markdown(run_cli)
    slash = run_cli(
        "docs", "--definitions", str(DEFINITIONS), "--format", "html", "--out", f"{tmp_path}/site/"
    )
    assert slash.code == 0 and (tmp_path / "site" / "glossary.html").exists()


def test_out_inside_a_file_fails_clearly(run_cli: RunCli, tmp_path: Path) -> None:
    blocker = tmp_path / "docs"
    blocker.write_text("not a directory", encoding="utf-8")
    result = run_cli("docs", "--definitions", str(DEFINITIONS), "--out", str(blocker / "glossary.md"))
    assert result.code == 1
    assert "crmdefs: error: cannot write" in result.err
    assert "glossary.md" in result.err and "--out" in result.err
    assert "Traceback" not in result.err


def test_the_title_comes_from_the_option_or_crmdefs_yaml(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(DEFINITIONS, tmp_path / "definitions")
    (tmp_path / "crmdefs.yaml").write_text('glossary_title: "Acme & Co revenue glossary"\n', encoding="utf-8")
    markdown = run_cli("docs").out
    assert markdown.startswith("# Acme \\& Co revenue glossary\n")  # Markdown escapes the &
    page = run_cli("docs", "--format", "html", "--title", "Globex <Sales> words").out
    assert (
        "<title>Globex &lt;Sales&gt; words</title>" in page and "<h1>Globex &lt;Sales&gt; words</h1>" in page
    )


def test_forecast_categories_read_as_setup_shows_them(run_cli: RunCli) -> None:
    markdown = _markdown(run_cli)
    assert "forecast category Commit" in markdown and "forecast category Best Case" in markdown
    assert "forecast category Forecast" not in markdown and "BestCase" not in markdown


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_out_not_writable_fails_clearly(run_cli: RunCli, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run_cli("docs", "--definitions", str(DEFINITIONS), "--out", str(locked))
    finally:
        locked.chmod(0o700)
    assert result.code == 1
    assert f"cannot write {locked / 'glossary.md'}" in result.err
    assert "Traceback" not in result.err


def test_invalid_definitions_fail_with_located_problems(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path / "defs", {"t.yaml": "kind: term\nid: x\nname: X\nstatus: approved\n"})
    result = run_cli("docs", "--definitions", str(tmp_path / "defs"))
    assert result.code == 1
    assert "t.yaml:" in result.err
    assert result.out == ""


# ---- the HTML page in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """One headless Chromium for the module, driven through the Debian chromedriver, never the network."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        message = (
            f"{' and '.join(missing)} missing — install the Debian packages chromium and chromium-driver"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {message}")
        pytest.skip(message)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never try to download a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="crmdefs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from crmdefs.glossary.html import render_glossary

    glossary, _ = load_glossary(DEFINITIONS)
    path = tmp_path_factory.mktemp("html") / "glossary.html"
    path.write_text(render_glossary(glossary), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def page(browser: WebDriver, page_url: str) -> WebDriver:
    browser.set_window_size(1200, 900)
    browser.get(page_url)
    return browser


def _visible(driver: WebDriver, element_id: str) -> bool:
    return bool(driver.find_element("id", element_id).is_displayed())


def _type(driver: WebDriver, text: str) -> None:
    """Replace the search box's text by typing, as a person would (each key fires ``input``)."""
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element("id", "glossary_search")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE, text)


def test_browser_every_term_is_an_element(page: WebDriver) -> None:
    for term_id in _term_ids():
        assert page.find_element("id", term_id).tag_name == "article"


def test_browser_search_filters_terms(page: WebDriver) -> None:
    ids = _term_ids()
    assert all(_visible(page, t) for t in ids)
    _type(page, "MQL")
    assert _visible(page, "mql")
    assert not _visible(page, "champion")
    assert not _visible(page, "no_matches")
    assert "By name: Marketing Qualified Lead (MQL)" in page.find_element("id", "search_status").text

    _type(page, "HOT lead")  # a synonym, in another case than written
    assert _visible(page, "mql") and not _visible(page, "sal")

    _type(page, "zzqx nothing like this")
    assert _visible(page, "no_matches")
    assert not any(_visible(page, t) for t in ids)

    _type(page, "")
    assert all(_visible(page, t) for t in ids)
    assert not _visible(page, "no_matches")


def test_browser_search_finds_picklist_values_their_synonyms_and_field_api_names(page: WebDriver) -> None:
    _type(page, "bigger discount")  # a synonym of the closed-lost reason value Price
    assert _visible(page, "picklist_closed-lost-reasons")
    assert not _visible(page, "mql") and not _visible(page, "no_matches")
    assert "1 picklist matches." in page.find_element("id", "search_status").text

    _type(page, "Loss_Reason__c")  # a field's API name finds the terms and picklists that live there
    assert _visible(page, "picklist_closed-lost-reasons") and _visible(page, "closed-lost")
    assert not _visible(page, "mql")


def test_browser_phone_width_has_no_sideways_scrolling(page: WebDriver) -> None:
    page.set_window_size(375, 812)
    width = page.execute_script("return window.innerWidth")
    assert width <= 400, f"the window did not narrow to a phone's width ({width}px)"
    scroll = page.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width


def test_the_readme_says_where_hubspot_shows_what_crmdefs_writes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**What reps see in HubSpot.**") :].split("\n\n")[0]
    assert "property's `description`" in section and "when people view and edit records" in section
    assert "option's `description`" in section and "Deal stages have no description" in section
    facts = (REPO / "docs" / "hubspot.md").read_text(encoding="utf-8")
    entry = facts[facts.index("### hs-where-descriptions-show") :].split("\n### ")[0]
    assert "Source: https://developers.hubspot.com/" in entry
