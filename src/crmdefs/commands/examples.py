"""`crmdefs examples TERM`: the most recent records holding a term's values on each CRM (reads only).
Exit 0 when they were read (even if no record holds the values), 1 for an unknown term, a term no bound
value carries, or a field a CRM would not read (its message is printed with the others' records)."""

from __future__ import annotations

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import format_option, project_options, quiet_option, target_option
from crmdefs.config import Settings
from crmdefs.errors import CrmdefsError
from crmdefs.examples.report import NOT_BOUND, render
from crmdefs.examples.run import DEFAULT_LAST, MAX_LAST, read_examples
from crmdefs.examples.select import find_term


@click.command(
    epilog="""\b
Examples:
  crmdefs examples closed-won                  the last 20 closed-won deals on each CRM
  crmdefs examples lead-rejection --last 30    the last 30 rejected leads
  crmdefs examples closed-lost --format markdown > review-notes.md
"""
)
@project_options
@target_option
@click.argument("term")
@click.option(
    "--last",
    type=click.IntRange(1, MAX_LAST),
    default=DEFAULT_LAST,
    show_default=True,
    help=f"How many records per field, newest first (at most {MAX_LAST}: one query each).",
)
@format_option
@quiet_option
def examples(settings: Settings, target: str | None, term: str, last: int, fmt: str, quiet: bool) -> int:
    """List the most recent records holding TERM's values (id, name, owner, date, link) on each CRM."""
    glossary, _ = settings.load_glossary()
    found = find_term(glossary, term)
    console = TerminalConsole(settings, quiet=quiet)
    read = read_examples(settings, glossary, [found], target, last, console.progress, console)
    if not read[0].bound:
        raise CrmdefsError(f"term '{found.id}': {NOT_BOUND}")
    click.echo(render(read, fmt), nl=False)
    failed = any(field.error for field in read[0].fields)
    return exitcodes.ERROR if failed else exitcodes.OK
