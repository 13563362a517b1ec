"""`crmdefs review`: which definitions are due for review. Exit 0 nothing overdue, 2 reviews overdue or
drafts too old (for a scheduled CI job), 1 on an error."""

from __future__ import annotations

import datetime as dt

import click

from crmdefs import exitcodes
from crmdefs.commands.options import format_option, project_options
from crmdefs.config import Settings
from crmdefs.review.findings import review as review_glossary
from crmdefs.review.report import render


@click.command(
    epilog="""\b
Examples:
  crmdefs review                                what is due today
  crmdefs review --as-of 2027-01-01             what will be due on New Year's day
  crmdefs review --format markdown > issue.md   a checklist for an issue
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
@format_option
def review(
    settings: Settings,
    as_of: dt.datetime | None,
    draft_days: int,
    strict: bool,
    fmt: str,
) -> int:
    """List terms overdue for review, drafts waiting too long, terms with no owner or cadence, terms on no
    CRM field, and deprecated terms a field still carries."""
    glossary, _ = settings.load_glossary()
    report = review_glossary(glossary, as_of.date() if as_of else dt.date.today(), draft_days)
    click.echo(render(report, fmt), nl=False)
    failing = report.has_findings if strict else report.needs_action
    return exitcodes.CHANGES if failing else exitcodes.OK
