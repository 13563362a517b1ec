"""`crmdefs plan`: show what apply would change (reads only); `-o` saves it for `apply FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.apply.workflow import plan_target
from crmdefs.commands.console import TerminalConsole, render_plan
from crmdefs.commands.options import (
    format_option,
    migrate_option,
    project_options,
    quiet_option,
    target_option,
)
from crmdefs.config import Settings
from crmdefs.definitions.load import display_path
from crmdefs.files import write_atomic
from crmdefs.plan import planfile


@click.command(
    epilog="""\b
Examples:
  crmdefs plan                                  against the default target (the sandbox without config)
  crmdefs plan --target production -o prod.plan.json
  crmdefs plan --only salesforce:Lead.Status --format markdown
  crmdefs plan --detailed-exitcode              exit 2 when there are changes (for CI)
"""
)
@project_options
@target_option
@click.option("--only", multiple=True, metavar="ADDRESS", help="Plan only this field (repeatable).")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path, dir_okay=False), help="Save the plan for `apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes (0 none, 1 error).")
@migrate_option
@format_option
@quiet_option
def plan(
    settings: Settings,
    target: str | None,
    only: tuple[str, ...],
    out: Path | None,
    detailed_exitcode: bool,
    migrate_records: bool,
    fmt: str,
    quiet: bool,
) -> int:
    """Show what apply would change in the CRM (reads only)."""
    made = plan_target(
        settings, target, TerminalConsole(settings, quiet=quiet), only=only, migrate=migrate_records
    )
    if out is not None:
        write_atomic(out, planfile.dumps(made))
    click.echo(render_plan(made, fmt, settings), nl=False)
    if out is not None and not quiet:
        click.echo(
            f"Saved the plan to {display_path(out)}; apply it with: crmdefs apply {display_path(out)}",
            err=True,
        )
    return exitcodes.CHANGES if detailed_exitcode and made.changes else exitcodes.OK
