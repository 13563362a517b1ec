"""`crmdefs quality`: how the records follow the definitions, counted by aggregate calls only, for people
and for a nightly job next to drift. Exit 0 within every threshold, 2 when a threshold is breached, 1 on
an error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import formats_option, no_color_option, project_options, quiet_option
from crmdefs.config import Settings
from crmdefs.files import write_output
from crmdefs.quality.collect import collect_report
from crmdefs.quality.render import FORMATS, RENDERERS
from crmdefs.quality.views import headline


def _out_path(out: str | None) -> Path | None:
    if out is not None and out.endswith(("/", "\\")):  # click would take "reports/" for a file named so
        raise click.BadParameter(f"{out!r} is a directory — name the file to write", param_hint="'--out'")
    return Path(out) if out is not None else None


@click.command(
    epilog="""\b
Examples:
  crmdefs quality                                  every bound picklist on the default target; all records
  crmdefs quality --since 90d                      records modified in the last 90 days (also 12w, 6m)
  crmdefs quality --target production --format markdown --out quality.md
  crmdefs quality --since 30d --format html --out quality.html     one page with a chart per field
"""
)
@project_options
@click.option("--target", "-t", "targets", multiple=True, help="Target to count (repeatable).")
@click.option("--since", metavar="WINDOW", help="Only records modified in this window: 90d, 12w, 6m.")
@formats_option(
    FORMATS, "text for people, markdown for an issue, json for machines (format_version), html for one page."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the report to this file (whole or not at all) instead of stdout.",
)
@quiet_option
@no_color_option
def quality(
    settings: Settings,
    targets: tuple[str, ...],
    since: str | None,
    fmt: str,
    out: str | None,
    quiet: bool,
) -> int:
    """Count each bound picklist's values on each CRM, check the thresholds in the definitions."""
    path = _out_path(out)
    console = TerminalConsole(settings, quiet=quiet)
    report = collect_report(settings, targets, since, (lambda _m: None) if quiet else console.note)
    color = fmt == "text" and path is None and sys.stdout.isatty() and not settings.runtime.no_color
    rendered = RENDERERS[fmt](report, color=color)
    if path is None:
        click.echo(rendered, nl=False)
    else:
        write_output(path, rendered)
        click.echo(f"Wrote {path}. {headline(report)}", err=True)
    return exitcodes.CHANGES if report.breaches else exitcodes.OK
