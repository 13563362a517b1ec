"""Click commands only: parse → call the core → render → return an exit code (see exitcodes.py).

Exceptions are turned into output in exactly one place, ``crmdefs.__main__.main``.
"""

from __future__ import annotations

import json

import click

from crmdefs import __version__, debuglog, exitcodes
from crmdefs.commands.docs import docs
from crmdefs.commands.drift import drift
from crmdefs.commands.import_ import import_
from crmdefs.commands.mapping import suggest_mapping
from crmdefs.commands.options import project_options
from crmdefs.commands.plan import apply, plan, revert
from crmdefs.commands.review import review
from crmdefs.commands.sandbox import sandbox
from crmdefs.config import Settings
from crmdefs.definitions.changelog import changelog_problems, current_terms, terms_at_ref
from crmdefs.definitions.format import json_schema
from crmdefs.definitions.load import display_path
from crmdefs.errors import ProblemsError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(
    context_settings=CONTEXT,
    epilog="""\b
Examples:
  crmdefs validate                 check every file in definitions/
  crmdefs validate --strict        ... and fail on warnings too (for CI)
  crmdefs schema > crmdefs.schema.json
  crmdefs --debug plan             also log each HTTP request to stderr (secrets redacted)

Exit codes: 0 ok, 1 error, 2 changes/drift found, 64 bad command line.
""",
)
@click.version_option(__version__, "--version", prog_name="crmdefs")
@click.option(
    "--debug",
    is_flag=True,
    envvar="CRMDEFS_DEBUG",
    help="Log each HTTP request and the cause of an error to stderr, secrets redacted. Env: CRMDEFS_DEBUG=1.",
)
def cli(debug: bool) -> None:
    """Revenue definitions as code: one glossary in YAML, pushed to the help text, descriptions and
    picklists of Salesforce and HubSpot fields."""
    if debug:
        debuglog.enable()  # __main__.main turns it off when the command ends


@cli.command(
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
    if warnings and strict:
        raise ProblemsError(warnings, strict=True)
    if since is not None:
        root = settings.definitions_dir
        problems = changelog_problems(current_terms(root, display_path), terms_at_ref(root, since), since)
        if problems:
            raise ProblemsError([*problems, *warnings])
    for warning in warnings:
        click.echo(warning.render(), err=True)
    note = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    checked = f"; every changed term has a changelog entry since {since}" if since else ""
    click.echo(f"{display_path(settings.definitions_dir)}: {glossary.summary()} — valid{note}{checked}")
    return exitcodes.OK


@cli.command(
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


cli.add_command(plan)
cli.add_command(apply)
cli.add_command(revert)
cli.add_command(drift)
cli.add_command(suggest_mapping)
cli.add_command(sandbox)
cli.add_command(review)
cli.add_command(import_)
cli.add_command(docs)
