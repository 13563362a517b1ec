"""Click commands only: parse → call the core → render → return an exit code (see exitcodes.py).

Exceptions are turned into output in exactly one place, ``crmdefs.__main__.main``.
"""

from __future__ import annotations

import click

from crmdefs import __version__, debuglog
from crmdefs.commands.adopt import adopt
from crmdefs.commands.apply import apply, revert
from crmdefs.commands.dictionary import dictionary
from crmdefs.commands.docs import docs
from crmdefs.commands.drift import drift
from crmdefs.commands.examples import examples
from crmdefs.commands.import_ import import_
from crmdefs.commands.init import init
from crmdefs.commands.mapping import suggest_mapping
from crmdefs.commands.options import no_color_option
from crmdefs.commands.plan import plan
from crmdefs.commands.quality import quality
from crmdefs.commands.review import review
from crmdefs.commands.sandbox import sandbox
from crmdefs.commands.show import show
from crmdefs.commands.validate import schema, validate

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(
    context_settings=CONTEXT,
    epilog="""\b
Examples:
  crmdefs init                     start a project for your own org / portal (asks, or takes options)
  crmdefs validate                 check every file in definitions/
  crmdefs validate --strict        ... and fail on warnings too (for CI)
  crmdefs schema > crmdefs.schema.json
  crmdefs --debug plan             also log each HTTP request to stderr (secrets redacted)
  crmdefs --no-color plan          no colours (also `crmdefs plan --no-color`, or NO_COLOR=1)

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
@no_color_option
def cli(debug: bool) -> None:
    """Revenue definitions as code: one glossary in YAML, pushed to the help text, descriptions and
    picklists of Salesforce and HubSpot fields."""
    if debug:
        debuglog.enable()  # __main__.main turns it off when the command ends


cli.add_command(init)
cli.add_command(validate)
cli.add_command(schema)
cli.add_command(plan)
cli.add_command(apply)
cli.add_command(show)
cli.add_command(revert)
cli.add_command(drift)
cli.add_command(quality)
cli.add_command(suggest_mapping)
cli.add_command(sandbox)
cli.add_command(review)
cli.add_command(import_)
cli.add_command(docs)
cli.add_command(examples)
cli.add_command(adopt)
cli.add_command(dictionary)
