"""The CI examples in examples/ stay true: valid YAML, and every crmdefs command line in them parses with
the options crmdefs has today (a renamed option would otherwise break users' pipelines silently)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from crmdefs.cli import cli

from .conftest import REPO

EXAMPLES = sorted((REPO / "examples").rglob("*.yml"))


def crmdefs_commands(path: Path) -> list[list[str]]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                line = re.sub(r"\$\{\{[^}]*\}\}", "X", line.strip())
                if line.startswith("crmdefs "):
                    words = shlex.split(re.split(r"\s(?:>>?|\|\||&&)\s", line)[0])
                    commands.append(words[1:])
    return commands


def test_there_are_examples_for_drift_pull_requests_and_review() -> None:
    assert {p.name for p in EXAMPLES} >= {"crmdefs-drift.yml", "crmdefs-pr.yml", "crmdefs-review.yml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_crmdefs_command_in_an_example_parses(path: Path) -> None:
    commands = crmdefs_commands(path)
    assert commands, f"{path.name} runs no crmdefs command"
    for args in commands:
        with click.Context(cli) as ctx:
            command = cli.get_command(ctx, args[0])
            assert command is not None, f"{path.name}: unknown command {args[0]!r}"
            command.make_context(args[0], args[1:], parent=ctx)  # raises UsageError on a bad option
