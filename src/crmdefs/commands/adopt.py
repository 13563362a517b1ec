"""`crmdefs adopt`: the CRM's texts and new values written back into the definitions (exit 0 adopted or
nothing to adopt, 1 on error)."""

from __future__ import annotations

import datetime as dt

import click

from crmdefs import exitcodes
from crmdefs.adopt.report import render
from crmdefs.adopt.run import run_adopt
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import project_options, quiet_option, target_option
from crmdefs.config import Settings


@click.command(
    epilog="""\b
Examples:
  crmdefs adopt --dry-run                  the diff adopt would make, nothing written
  crmdefs adopt                            write what the CRM changed since the last apply
  crmdefs adopt --only salesforce:Opportunity.StageName     that field's CRM version, whatever its origin
  crmdefs adopt --target production --dry-run
"""
)
@project_options
@target_option
@click.option(
    "--only", multiple=True, metavar="ADDRESS", help="Adopt this field's CRM version, whatever its origin."
)
@click.option("--dry-run", is_flag=True, help="Print the unified diff; write nothing.")
@quiet_option
def adopt(settings: Settings, target: str | None, only: tuple[str, ...], dry_run: bool, quiet: bool) -> int:
    """Write the CRM's current texts and new values back into the definitions."""
    console = TerminalConsole(settings, quiet=quiet)
    result = run_adopt(
        settings,
        target,
        only,
        dry_run=dry_run,
        today=dt.date.today(),
        progress=console.progress,
        waits=console,
    )
    click.echo(render(result), nl=False)
    return exitcodes.OK
