"""The command line as a user meets it: help with examples, the exit-code contract, the installed entry
points, warnings and --strict, and the pinned outputs (summary line, JSON Schema)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from crmdefs.cli import cli

from .conftest import REPO, RunCli, assert_golden, write_files


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _all_commands(command, (*prefix, name))
    return found


COMMANDS = _all_commands(cli)


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=["crmdefs", *(" ".join(c) for c in COMMANDS)])
def test_every_command_has_help_ending_with_examples(run_cli: RunCli, command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help")
    assert result.code == 0
    assert result.out.startswith("Usage: crmdefs")
    examples = result.out.rsplit("Examples:", 1)
    assert len(examples) == 2, "help must end with an Examples: block"
    assert re.search(r"^\s+crmdefs \w+", examples[1], re.MULTILINE)


def test_every_command_has_a_one_line_summary() -> None:
    for path in COMMANDS:
        command: click.Command = cli
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        assert command.get_short_help_str(), f"{' '.join(path)} has no help text"


def test_usage_errors_do_not_collide_with_changes_exit_code(run_cli: RunCli) -> None:
    result = run_cli("no-such-command")
    assert result.code == 64
    assert "No such command 'no-such-command'" in result.err
    assert run_cli("validate", "--no-such-option").code == 64


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crmdefs", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert re.fullmatch(r"crmdefs, version \d+\.\d+\.\d+\n", done.stdout)


def test_starter_glossary_validates_strictly_with_pinned_summary(run_cli: RunCli) -> None:
    result = run_cli("validate", "--strict", "--definitions", str(REPO / "definitions"))
    assert result.code == 0, result.err
    assert result.err == ""
    summary = result.out.replace(str(REPO / "definitions"), "definitions")
    # The path is shown relative to the working directory; pin the rest.
    assert_golden("validate_summary.txt", re.sub(r"^\S*definitions:", "definitions:", summary))


def test_schema_output_matches_the_shipped_editor_schema(run_cli: RunCli) -> None:
    """crmdefs.schema.json (what the definitions' modelines point at) is the golden file for `schema`."""
    result = run_cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    shipped = REPO / "crmdefs.schema.json"
    if os.environ.get("CRMDEFS_UPDATE_GOLDEN") == "1":
        shipped.write_text(result.out, encoding="utf-8")
    assert result.out == shipped.read_text(encoding="utf-8"), (
        "regenerate: crmdefs schema > crmdefs.schema.json"
    )


HUBSPOT_READ_ONLY = {
    "a.yaml": """\
        kind: field
        hubspot: contacts.hs_lead_status
        description: Where the contact is in outreach.
        picklist:
          values:
            - {value: NEW, label: New, description: Nobody has worked this contact yet.}
    """,
}
WARNING = (
    "definitions/a.yaml:3:14: warning: HubSpot does not let the API change the description of "
    "contacts.hs_lead_status (readOnlyDefinition) — remove it, or set 'document_only: true' to document the "
    "property without writing it\n"
)


def test_warnings_print_but_do_not_fail(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path / "definitions", HUBSPOT_READ_ONLY)
    result = run_cli("validate")
    assert result.code == 0
    assert result.err == WARNING
    assert result.out == "definitions: 0 terms, 0 picklists, 1 field binding — valid (1 warning)\n"


def test_strict_makes_warnings_fail(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path / "definitions", HUBSPOT_READ_ONLY)
    result = run_cli("validate", "--strict")
    assert result.code == 1
    assert result.out == ""
    assert result.err == WARNING + (
        "crmdefs: 0 errors, 1 warning in definitions (warnings fail with --strict) — fix them and run the "
        "command again\n"
    )


def test_document_only_silences_read_only_warnings(run_cli: RunCli, tmp_path: Path) -> None:
    files = {"a.yaml": textwrap.dedent(HUBSPOT_READ_ONLY["a.yaml"]) + "document_only: true\n"}
    write_files(tmp_path / "definitions", files)
    result = run_cli("validate", "--strict")
    assert (result.code, result.err) == (0, "")


def test_external_options_warning(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(
        tmp_path / "definitions",
        {
            "a.yaml": """\
        kind: field
        hubspot: deals.dealstage
        picklist: {values: [{value: appointmentscheduled, label: Appointment Scheduled}]}
    """
        },
    )
    result = run_cli("validate")
    assert result.code == 0
    assert result.err == (
        "definitions/a.yaml:3:11: warning: the options of deals.dealstage cannot be changed through the "
        "properties API (externalOptions: they live in the deal pipelines (Pipelines API)) — add 'pipeline: <id "
        "or label>' to manage that pipeline's stages, or set 'document_only: true'\n"
    )


def test_readme_example_is_valid(run_cli: RunCli, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A complete example", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "example.yaml").write_text(example, encoding="utf-8")
    result = run_cli("validate", "--strict")
    assert (result.code, result.err) == (0, "")
    assert result.out == "definitions: 2 terms, 1 picklist, 4 field bindings — valid\n"
