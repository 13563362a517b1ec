"""`crmdefs review`: which definitions are due for review. Exit 0 nothing overdue, 2 reviews overdue or
drafts too old (for a scheduled CI job), 1 on an error. ``--examples`` also reads each overdue term's most
recent records from a target (examples/); without it no CRM is asked."""

from __future__ import annotations

import datetime as dt

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import announce_target, format_option, project_options, quiet_option
from crmdefs.config import Settings
from crmdefs.examples.run import DEFAULT_LAST, MAX_LAST, read_examples
from crmdefs.review.findings import review as review_glossary
from crmdefs.review.report import render


@click.command(
    epilog="""\b
Examples:
  crmdefs review                                what is due today
  crmdefs review --as-of 2027-01-01             what will be due on New Year's day
  crmdefs review --format markdown > issue.md   a checklist for an issue
  crmdefs review --examples --last 10           with each overdue term's 10 newest records per field
""",
)
@project_options
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Review as of this date (YYYY-MM-DD; default today).",
)
@click.option(
    "--draft-days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="A draft older than this many days (since its first changelog entry) needs a decision.",
)
@click.option(
    "--strict", is_flag=True, help="Exit 2 on any finding (no owner, unbound, deprecated in use too)."
)
@click.option(
    "--examples", "with_examples", is_flag=True, help="Attach each overdue term's most recent records."
)
@click.option(
    "--target",
    "-t",
    "examples_target",  # not `target`: review alone names no target (options.project_options)
    default=None,
    envvar="CRMDEFS_TARGET",
    help="Where --examples reads (default: default_target, else the sandbox). Env: CRMDEFS_TARGET.",
)
@click.option(
    "--last",
    type=click.IntRange(1, MAX_LAST),
    default=DEFAULT_LAST,
    show_default=True,
    help="With --examples: records per field, newest first.",
)
@format_option
@quiet_option
def review(
    settings: Settings,
    as_of: dt.datetime | None,
    draft_days: int,
    strict: bool,
    with_examples: bool,
    examples_target: str | None,
    last: int,
    fmt: str,
    quiet: bool,
) -> int:
    """List terms overdue for review, drafts waiting too long, terms with no owner or cadence, terms on no
    CRM field, and deprecated terms a field still carries."""
    glossary, _ = settings.load_glossary()
    report = review_glossary(glossary, as_of.date() if as_of else dt.date.today(), draft_days)
    examples = None
    if with_examples and report.overdue:
        announce_target(settings, [examples_target])
        console = TerminalConsole(settings, quiet=quiet)
        terms = [o.term for o in report.overdue]
        found = read_examples(settings, glossary, terms, examples_target, last, console.progress, console)
        examples = {e.term.id: e for e in found}
    click.echo(render(report, fmt, examples), nl=False)
    failing = report.has_findings if strict else report.needs_action
    return exitcodes.CHANGES if failing else exitcodes.OK
