"""`crmdefs quality`'s report as a reader meets it: text, Markdown, JSON and HTML pinned by golden files
from one fixed report; CRM text shown as written and never run as HTML; the HTML page self-contained and,
in a real headless Chromium, readable on a phone with one bar per value and field (a screenshot is kept in
build/test-artifacts/)."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crmdefs import exitcodes
from crmdefs.quality.model import FORMAT_VERSION, QualityReport
from crmdefs.quality.render import RENDERERS
from crmdefs.quality.views import rows

from .conftest import REPO, RunCli, assert_golden
from .quality_samples import HOSTILE, LONG, hostile_report, sample_report
from .test_docs import browser  # noqa: F401  (the module's headless Chromium fixture)

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

ARTIFACTS = REPO / "build" / "test-artifacts"  # build/ is git-ignored: CI keeps it, the tree stays clean


def render(fmt: str, report: QualityReport | None = None, *, color: bool = False) -> str:
    return RENDERERS[fmt](report or sample_report(), color=color)


# ---- golden files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("text", "quality.txt"), ("markdown", "quality.md"), ("json", "quality.json"), ("html", "quality.html")],
)
def test_each_format_matches_its_golden_file(fmt: str, golden: str) -> None:
    assert_golden(golden, render(fmt))


def test_json_is_the_versioned_model_in_a_fixed_key_order() -> None:
    data = json.loads(render("json"))
    assert data["format_version"] == FORMAT_VERSION
    assert list(data) == [
        "format_version",
        "generated_at",
        "since",
        "window_start",
        "targets",
        "groups",
        "skipped",
        "breaches",
    ]
    assert data["breaches"] == 2
    sf = data["groups"][0]["fields"][0]
    assert sf["breaches"] == [
        {
            "kind": "max_share",
            "subject": "Other",
            "threshold": 10.0,
            "actual": 30.0,
            "source": "definitions/fields/salesforce.yaml:86",
        }
    ]


# ---- what the text says ------------------------------------------------------------------------------


def test_text_puts_both_crms_side_by_side_and_calls_out_odd_values() -> None:
    text = render("text")
    lines = [line.strip() for line in text.splitlines()]
    assert "value                                          SF             HS" in lines
    assert "Other                                   36  30.0%       4   5.0%   catch-all" in lines
    legacy = next(line for line in lines if line.startswith("Legacy - Budget"))
    assert legacy.endswith("4   3.3%       -      -   unlisted on Salesforce (not in the definitions)")
    assert any(line.startswith("No Budget") and "inactive on HubSpot" in line for line in lines)
    assert "120 records, 95.0% filled, catch-all 30.0%" in lines
    assert (
        "requirement Closed Lost → Loss_Reason__c: 120 matching records, 6 missing, 95.0% filled (at least 90%)"
        in lines
    )
    breach = lines.index('! breach: "Other" holds 30.0% of records, over the 10% allowed')
    assert lines[breach + 1] == "(max_share set at definitions/fields/salesforce.yaml:86)"
    assert text.endswith("Quality: 3 fields counted, 2 breaches, 1 field skipped (9 aggregate calls).\n")


def test_values_are_sorted_by_records_then_name_with_no_value_last() -> None:
    titles = [r.title for r in rows(sample_report().groups[1])]
    assert titles == ["Closed Lost", "Closed Won", "Prospecting"]  # 120, 90, 90: a tie goes by name
    reasons = [r.title for r in rows(sample_report().groups[0])]
    assert reasons == ["Price", "Competitor", "Other", "No Budget", "Legacy - Budget", LONG, "(no value)"]


def test_one_breach_and_one_field_are_said_in_the_singular() -> None:
    report = hostile_report()
    assert render("text", report).endswith(
        "Quality: 1 field counted, 1 breach, 1 field skipped (2 aggregate calls).\n"
    )


def test_color_only_when_asked() -> None:
    assert "\x1b[" not in render("text")
    colored = render("text", color=True)
    assert "\x1b[35m      ! breach:" in colored and "\x1b[31mQuality:" in colored


# ---- CRM text is shown as written, never run ----------------------------------------------------------


class _Tags(HTMLParser):
    """The elements and attributes a browser would build from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_crm_text_cannot_become_html_in_the_page() -> None:
    page = render("html", hostile_report())
    parsed = _Tags()
    parsed.feed(page)
    assert not parsed.tags & {"script", "img", "b"}
    assert not {a for a in parsed.attributes if a.startswith("on")}, "no event handler attributes"
    ours = "html head meta title style body header h1 p main section h2 span ul li svg rect strong code figure g text"
    assert parsed.tags <= {*ours.split(" "), "figcaption"}
    assert HOSTILE in "".join(parsed.text)  # shown as written
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_crm_text_cannot_break_the_markdown() -> None:
    markdown = render("markdown", hostile_report())
    # Outside code spans (which show their text literally), every "<" and "*" from the CRM is escaped.
    prose = re.sub(r"(`+).*?\1", "", markdown)
    assert not re.search(r"(?<!\\)<(script|img)\b", prose)
    assert "\\<script\\>" in markdown and "\\*\\*bold\\*\\*" in markdown
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) in (2,), line  # a pipe from the CRM never adds a column


def test_the_text_shows_crm_text_as_written() -> None:
    assert HOSTILE[:30] in render("text", hostile_report())


# ---- the HTML page -----------------------------------------------------------------------------------


def test_html_is_one_self_contained_page() -> None:
    page = render("html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert not re.search(r"https?:|//[a-z]|@import|url\(|@font-face", page), "no external assets"
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert page.count('<svg class="chart"') == 2


def _bars(driver: WebDriver) -> list[tuple[str, str, str]]:
    script = """
      return Array.from(document.querySelectorAll('svg.chart g.row rect.bar')).map(function (r) {
        var box = r.getBoundingClientRect();
        return [r.closest('g.row').dataset.value, r.dataset.records, box.width > 0 ? 'drawn' : 'empty'];
      });
    """
    return [tuple(bar) for bar in driver.execute_script(script)]


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("quality") / "quality.html"
    path.write_text(render("html"), encoding="utf-8")
    return path.as_uri()


@pytest.mark.parametrize(("width", "height", "name"), [(375, 812, "phone"), (1280, 900, "desktop")])
def test_browser_the_report_fits_the_screen_with_a_bar_per_value_and_field(
    browser: WebDriver,  # noqa: F811
    report_url: str,
    width: int,
    height: int,
    name: str,
) -> None:
    browser.set_window_size(width, height)
    browser.get(report_url)
    inner = browser.execute_script("return window.innerWidth")
    assert inner <= width, f"the window did not take the {name} size ({inner}px)"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
    # Every chart fits its page too (an SVG wider than its box would be cut, not scrolled).
    widths = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.chart')).map(s => s.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= inner
    cut = browser.execute_script(
        """return Array.from(document.querySelectorAll('svg.chart text')).filter(function (t) {
             return t.getBoundingClientRect().right > t.ownerSVGElement.getBoundingClientRect().right + 0.5;
           }).map(function (t) { return t.textContent; });"""
    )
    assert cut == [], "chart text cut off at the chart's edge"

    expected = [
        (row.title, str(cell.records), "drawn" if cell.records else "empty")
        for group in sample_report().groups
        for row in rows(group)
        for cell in row.cells
        if cell is not None
    ]
    assert _bars(browser) == expected
    assert browser.find_element("id", "summary").text.startswith("Quality: 3 fields counted, 2 breaches")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"quality-report-{name}.png"
    # The whole page in one picture: the window as tall as the page (its width, so its layout, unchanged).
    browser.set_window_size(width, browser.execute_script("return document.documentElement.scrollHeight"))
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 0


def test_the_screenshots_do_not_dirty_the_tree() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "build/" in ignored
    assert Path(ARTIFACTS).is_relative_to(REPO / "build")


# ---- the command on the built-in sandbox -------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def thresholds(
    project: Path, other: str, lead_status_filled: str, closed_lost_filled: str | None = None
) -> None:
    """The shipped thresholds changed: the cap on "Other" (both CRMs), HubSpot's lead status fill rate,
    and optionally a requirement that Closed Lost deals have a loss reason, with its own threshold."""
    changes = {
        "salesforce.yaml": [("{Other: 10%}", f"{{Other: {other}}}")],
        "hubspot.yaml": [
            ("{Other: 10%}", f"{{Other: {other}}}"),
            ("{min_filled: 75%}", f"{{min_filled: {lead_status_filled}}}"),
        ],
    }
    for name, replacements in changes.items():
        text = (REPO / "definitions" / "fields" / name).read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"the shipped {name} no longer sets {old}"
            text = text.replace(old, new)
        (project / "definitions" / "fields" / name).write_text(text, encoding="utf-8")
    if closed_lost_filled is not None:
        path = project / "definitions" / "fields" / "salesforce.yaml"
        shipped = '    message: {intro: "Choose a Loss Reason before you set the stage to Closed Lost.", term: closed-lost}\n'  # the shipped Closed Lost requirement
        threshold = f"    min_filled: {closed_lost_filled}\n"
        path.write_text(
            path.read_text(encoding="utf-8").replace(shipped, shipped + threshold), encoding="utf-8"
        )


def test_the_seeded_org_breaches_the_shipped_thresholds_and_passes_relaxed_ones(
    run_cli: RunCli, project: Path
) -> None:
    breached = run_cli("quality", "--since", "90d")
    assert breached.code == exitcodes.CHANGES, breached.err
    lines = [line.strip() for line in breached.out.splitlines()]
    assert any(
        line.startswith('! breach: "Other" holds ') and "over the 10% allowed" in line for line in lines
    )
    shipped = (project / "definitions" / "fields" / "salesforce.yaml").read_text().splitlines()
    at = next(n for n, line in enumerate(shipped, 1) if line.startswith("quality: {max_share: {Other:"))
    assert f"(max_share set at definitions/fields/salesforce.yaml:{at})" in lines
    assert re.search(r"^Quality: \d+ fields counted, [1-9]\d* breach", breached.out, re.MULTILINE)

    thresholds(project, "90%", "10%")
    relaxed = run_cli("quality", "--since", "90d")
    assert relaxed.code == exitcodes.OK, relaxed.out + relaxed.err
    assert "! breach" not in relaxed.out and ", 0 breaches" in relaxed.out


def test_a_requirement_below_its_threshold_is_a_breach(run_cli: RunCli, project: Path) -> None:
    thresholds(project, "90%", "10%", closed_lost_filled="99%")
    result = run_cli("quality")
    assert result.code == exitcodes.CHANGES, result.err
    lines = [line.strip() for line in result.out.splitlines()]
    assert any(line.startswith("requirement Closed Lost → Loss_Reason__c: ") for line in lines)
    assert any(
        line.startswith("! breach: Closed Lost: ") and "under the 99% required" in line for line in lines
    )


def test_out_writes_the_whole_report_and_says_so(run_cli: RunCli, project: Path) -> None:
    result = run_cli("quality", "--format", "html", "--out", "reports/quality.html")
    assert result.code == exitcodes.CHANGES, result.err
    assert result.out == ""
    assert re.search(
        r"^Wrote reports/quality\.html\. Quality: \d+ fields counted, [1-9]\d* breach", result.err, re.M
    )
    page = (project / "reports" / "quality.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'data-value="Other"' in page
    assert sorted(p.name for p in (project / "reports").iterdir()) == ["quality.html"]  # no .tmp left

    data = json.loads(run_cli("quality", "--json").out)
    assert data["format_version"] == FORMAT_VERSION and data["breaches"] >= 1


def test_browser_the_seeded_orgs_report_fits_a_phone(
    browser: WebDriver,  # noqa: F811
    run_cli: RunCli,
    project: Path,
) -> None:
    assert run_cli("quality", "--since", "90d", "--format", "html", "--out", "quality.html").code == 2
    browser.set_window_size(375, 812)
    browser.get((project / "quality.html").as_uri())
    inner = browser.execute_script("return window.innerWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner <= 375
    bars = _bars(browser)
    assert ("Other", "drawn") in {(value, drawn) for value, _, drawn in bars}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(375, browser.execute_script("return document.documentElement.scrollHeight"))
    assert browser.save_screenshot(str(ARTIFACTS / "quality-report-seeded-phone.png"))


@pytest.mark.parametrize("out", ["reports", "reports/"])
def test_out_refuses_a_directory_before_reading_any_crm(run_cli: RunCli, project: Path, out: str) -> None:
    (project / "reports").mkdir()
    result = run_cli("quality", "--out", out)
    assert result.code == exitcodes.USAGE
    assert "--out" in result.err and "directory" in result.err
    assert "Traceback" not in result.err and "counting" not in result.err


def test_a_window_that_is_not_one_fails_clearly(run_cli: RunCli, project: Path) -> None:
    result = run_cli("quality", "--since", "3 fortnights")
    assert result.code == exitcodes.ERROR
    assert "--since '3 fortnights' is not a window" in result.err and "Traceback" not in result.err


def test_the_readme_shows_the_text_report_as_crmdefs_prints_it() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Quality\n") : readme.index("## Approval, review and changes")]
    assert f"```\n{render('text')}```\n" in section
    assert "| `crmdefs quality [--since 90d]" in readme
