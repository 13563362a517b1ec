"""`crmdefs show PLANFILE`: print a saved plan as `plan` would, without a CRM, credentials or network."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.options import build_runtime, format_option, no_color_option
from crmdefs.definitions.load import display_path
from crmdefs.plan import planfile
from crmdefs.render import render


@click.command(
    epilog="""\b
Examples:
  crmdefs show prod.plan.json                   the saved plan, as `plan` printed it
  crmdefs show prod.plan.json --format markdown for the pull request that asks to apply it
"""
)
@click.argument("planfile_path", metavar="PLANFILE", type=click.Path(path_type=Path, dir_okay=False))
@format_option
@no_color_option
def show(planfile_path: Path, fmt: str) -> int:
    """Print a saved plan (from `plan -o`) without touching a CRM."""
    saved, _ = planfile.read_plan(planfile_path, display_path(planfile_path))
    color = fmt == "text" and sys.stdout.isatty() and not build_runtime().no_color
    click.echo(render(saved, fmt, color=color), nl=False)
    return exitcodes.OK
