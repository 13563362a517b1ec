"""Output people can read (step 11, point 9), as a user meets it: the CLI on the built-in sandbox. Path
guidance as text and once for the record types it is the same on, plan and apply counting the same
changes, plurals, the save-and-apply hint, --json, --no-color, and -o refusing a target's name."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import crmdefs
from crmdefs import exitcodes

from .conftest import REPO, RunCli, write_files
from .test_salesforce_paths import edit_path, steps

PACKAGE = Path(crmdefs.__file__).parent  # the crmdefs under test
CRITERION = "Discovery call held and logged with notes"  # a criterion of the term behind "Qualification"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def guidance_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if "path guidance" in line]


# 1. Path guidance as text, once for the record types it is the same on


def test_path_guidance_reads_as_text_and_the_plan_file_keeps_the_html(run_cli: RunCli, project: Path) -> None:
    text = run_cli("plan", "-o", "p.json")
    assert text.code == 0, text.err
    assert not re.search(r"</?(p|ul|li)>", text.out)
    assert f"• {CRITERION}" in [line.strip() for line in text.out.splitlines()]
    assert "          Move on when:\n          • Order form or contract signed" in text.out

    markdown = run_cli("plan", "--format", "markdown").out
    assert "\\<p\\>" not in markdown and f"<br>• {CRITERION}<br>" in markdown

    saved = json.loads((project / "p.json").read_text(encoding="utf-8"))
    written = [
        p["after"] for f in saved["fields"] for p in f["path_changes"] if p["stage"] == "Qualification"
    ]
    assert written and all(f"<li>{CRITERION}</li>" in html for html in written)


def test_guidance_the_same_on_several_record_types_is_shown_once(run_cli: RunCli, project: Path) -> None:
    lines = guidance_lines(run_cli("plan").out)
    closed_won = [line for line in lines if '"Closed Won"' in line]
    assert closed_won == ['+ path guidance "Closed Won" (record types: master, New_Business, Renewal):']
    # The master Path holds guidance of its own for Prospecting: its change is apart from the others'.
    assert [line for line in lines if '"Prospecting"' in line] == [
        '~ path guidance "Prospecting" (master):',
        '+ path guidance "Prospecting" (record types: New_Business, Renewal):',
    ]


def test_drift_shows_guidance_edited_in_the_org_as_text(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0

    def by_hand(path: Any) -> None:
        steps(path)[
            "Closed Won"
        ].info = "<p>Signed &amp; <b>countersigned</b>.</p><ul><li>PDF attached</li></ul>"

    edit_path(project, "Opportunity_Sales_Path", by_hand)
    text = run_cli("drift")
    assert text.code == exitcodes.CHANGES, text.out + text.err
    assert "path guidance (master) 'Closed Won': CRM \"Signed & countersigned. ⏎ • PDF attached\"" in text.out
    assert "<p>" not in text.out and "<li>" not in run_cli("drift", "--format", "markdown").out
    report = json.loads(run_cli("drift", "--format", "json").out)
    crm = [d["crm"] for t in report["targets"] for f in t["fields"] for d in f["differences"]]
    assert "<p>Signed &amp; <b>countersigned</b>.</p><ul><li>PDF attached</li></ul>" in crm


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\nTwo."),
        ("<ol><li>First</li><li>Second</li></ol>", "1. First\n2. Second"),
        ("<ul><li><p>In a paragraph</p></li></ul>", "• In a paragraph"),
        ("line<br>break<br/><br>after a blank line", "line\nbreak\n\nafter a blank line"),
        ("<p>a &lt;b&gt; and&nbsp;<i>more</i></p>", "a <b> and more"),
        ("Plain   text", "Plain text"),
    ],
)
def test_guidance_html_as_a_rep_reads_it(html: str, text: str) -> None:
    from crmdefs.render.guidance import guidance_text  # here: the rest of the file also runs on older code

    assert guidance_text(html) == text


# 2. plan and apply count the same units


PLAN = re.compile(
    r"^Plan: (\d+) to add, (\d+) to change, (\d+) to deactivate, (\d+) skipped\.$", re.MULTILINE
)
APPLIED = re.compile(
    r"^Apply complete: (\d+) added, (\d+) changed, (\d+) deactivated, (\d+) skipped\.$", re.M
)


def test_apply_reports_the_counts_its_plan_announced(run_cli: RunCli, project: Path) -> None:
    planned = PLAN.search(run_cli("plan").out)
    applied = run_cli("apply", "--auto-approve")
    done = APPLIED.search(applied.out)
    assert planned is not None and done is not None, applied.out
    assert done.groups() == planned.groups() == ("16", "67", "0", "5")


def test_a_saved_plan_with_migrations_counts_them_on_both_sides(run_cli: RunCli, project: Path) -> None:
    saved = run_cli("plan", "--migrate-records", "-o", "p.json")
    applied = run_cli("apply", "p.json")
    assert applied.code == 0, applied.err
    planned, done = PLAN.findall(saved.out), APPLIED.findall(applied.out)
    assert planned and planned == done


# 3. plurals


def test_one_known_difference_is_one_difference(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(path.read_text().replace("Pick the one reason", "Choose the one reason"))
    assert "Drift: 1 difference in 1 field across 1 target." in run_cli("drift").out
    result = run_cli("drift", "--write-baseline", "b.json")
    assert result.code == 0, result.err
    assert "Wrote b.json with 1 known difference." in result.err.splitlines()
    assert "  1 known difference hidden by the baseline" in result.out


def test_counts_are_said_by_the_one_plural_helper() -> None:
    """A count's noun is made plural in crmdefs/words alone, so "1 fields" cannot come back elsewhere."""
    hand_made = re.compile(r"""(['"])s\1 if |else (['"])s\2|(['"])ies\3""")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "words" not in path.parts and "sandbox" not in path.parts  # the sandbox speaks as the CRMs do
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hand_made.search(line)
    ]
    assert offenders == []


# 4. the save-and-apply hint


def test_plan_says_how_to_save_and_apply_exactly_it(run_cli: RunCli, project: Path) -> None:
    result = run_cli("plan", "--target", "sandbox", "--only", "salesforce:Lead.Status")
    hint = (
        "To apply exactly this plan: crmdefs plan --target sandbox --only salesforce:Lead.Status -o plan.json"
    )
    assert result.err.splitlines()[-1] == f"{hint} && crmdefs apply plan.json"
    assert "To apply" not in run_cli("plan", "--quiet").err
    assert "To apply" not in run_cli("plan", "--format", "json").err
    assert "To apply" not in run_cli("plan", "-o", "p.json").err  # it was saved: apply names the file


def test_the_hint_runs_as_printed(run_cli: RunCli, project: Path) -> None:
    hint = run_cli("plan", "-d", "definitions").err.splitlines()[-1]
    make, apply = hint.removeprefix("To apply exactly this plan: ").split(" && ")
    assert make == "crmdefs plan --definitions definitions -o plan.json"
    saved = run_cli(*make.split()[1:])
    assert saved.code == 0 and saved.err.endswith(
        "apply it with: crmdefs apply --definitions definitions plan.json\n"
    )
    applied = run_cli(*apply.split()[1:])
    assert applied.code == 0, applied.err
    assert "Apply complete" in applied.out


# 5. --json wherever --format json is


@pytest.mark.parametrize("command", [["plan"], ["drift"], ["review"]])
def test_json_is_format_json(run_cli: RunCli, project: Path, command: list[str]) -> None:
    by_format = run_cli(*command, "--format", "json")
    by_json = run_cli(*command, "--json")
    assert by_json.code == by_format.code != exitcodes.USAGE, by_json.err
    assert json.loads(by_json.out)["format_version"] == json.loads(by_format.out)["format_version"]


def test_show_takes_json_too(run_cli: RunCli, project: Path) -> None:
    assert run_cli("plan", "-o", "p.json").code == 0
    assert run_cli("show", "p.json", "--json").out == run_cli("show", "p.json", "--format", "json").out


def test_json_with_another_format_is_a_usage_error(run_cli: RunCli, project: Path) -> None:
    result = run_cli("plan", "--json", "--format", "markdown")
    assert result.code == exitcodes.USAGE
    assert "--json means --format json, so it cannot go with --format markdown" in result.err


# 6. --no-color besides NO_COLOR


def run_in_a_terminal(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """crmdefs with its stdout on a terminal (a pty), where the text plan is coloured."""
    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CRMDEFS_CONFIG")}
    environ["PYTHONPATH"] = str(PACKAGE.parent)
    with subprocess.Popen(
        [sys.executable, "-m", "crmdefs", *args],
        cwd=project,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**environ, **(env or {})},
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: crmdefs has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        (["plan"], {}, True),
        (["plan", "--no-color"], {}, False),
        (["--no-color", "plan"], {}, False),
        (["plan"], {"NO_COLOR": "1"}, False),
    ],
)
def test_no_color_besides_the_environment_variable(
    project: Path, args: list[str], env: dict[str, str], colored: bool
) -> None:
    out = run_in_a_terminal(project, *args, env=env)
    assert "Plan: " in out, out[-2000:]
    assert ("\x1b[" in out) is colored


# 7. -o is the plan file, not the org


def test_o_naming_a_target_is_refused_with_a_hint(run_cli: RunCli, project: Path) -> None:
    write_files(
        project,
        {
            "crmdefs.yaml": """\
                default_target: sandbox
                targets:
                  production:
                    salesforce:
                      auth: access_token
                      instance_url: https://example.my.salesforce.com
                """
        },
    )
    for args in (["-o", "production"], ["--out", "Production"]):
        result = run_cli("plan", *args)
        assert result.code == exitcodes.USAGE, result.err
        assert "-o saves the plan to a file; did you mean --target production?" in result.err
        assert not (project / args[1]).exists()
    assert run_cli("plan", "--out", "./production").code == 0
    assert json.loads((project / "production").read_text())["target"] == "sandbox"


def test_a_mistyped_only_address_on_plan_names_the_closest_bound_field(
    run_cli: RunCli, project: Path
) -> None:
    result = run_cli("plan", "--only", "salesforce:Lead.Stats")
    assert result.code == 1
    assert result.err.rstrip().endswith(
        "--only names a field no definition binds: salesforce:Lead.Stats — did you mean "
        "'salesforce:Lead.Status'?"
    )
