"""`crmdefs validate` and `crmdefs schema`: check the definitions; print their JSON Schema."""

from __future__ import annotations

import json

import click

from crmdefs import exitcodes
from crmdefs.apply.applied_state import not_kept_warnings
from crmdefs.commands.options import project_options
from crmdefs.config import Settings
from crmdefs.definitions.changelog import changelog_problems, current_terms, terms_at_ref
from crmdefs.definitions.format import json_schema
from crmdefs.definitions.load import display_path
from crmdefs.errors import ProblemsError
from crmdefs.words import plural


@click.command(
    epilog="""\b
Examples:
  crmdefs validate
  crmdefs validate --strict
  crmdefs validate --definitions path/to/definitions
  crmdefs validate --since origin/main   in a pull request: changed terms need a changelog entry
""",
)
@project_options
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option(
    "--since",
    "since",
    metavar="GIT_REF",
    default=None,
    help="Also fail when a term's definition, summary or criteria changed since GIT_REF without a new "
    "changelog entry (for pull requests).",
)
def validate(settings: Settings, strict: bool, since: str | None) -> int:
    """Check every definitions file and report all problems at once (path:line:column)."""
    glossary, warnings = settings.load_glossary()
    warnings += not_kept_warnings(settings.project_root, glossary)  # known from earlier applies
    if warnings and strict:
        raise ProblemsError(warnings, strict=True)
    if since is not None:
        root = settings.definitions_dir
        problems = changelog_problems(current_terms(root, display_path), terms_at_ref(root, since), since)
        if problems:
            raise ProblemsError([*problems, *warnings])
    for warning in warnings:
        click.echo(warning.render(), err=True)
    note = f" ({plural(len(warnings), 'warning')})" if warnings else ""
    checked = f"; every changed term has a changelog entry since {since}" if since else ""
    click.echo(f"{display_path(settings.definitions_dir)}: {glossary.summary()} — valid{note}{checked}")
    return exitcodes.OK


@click.command(
    epilog="""\b
Examples:
  crmdefs schema > crmdefs.schema.json
  # then start each definitions file with:
  # yaml-language-server: $schema=../crmdefs.schema.json
""",
)
def schema() -> int:
    """Print the JSON Schema of the definitions format, for editor completion and checks."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return exitcodes.OK
