"""`crmdefs import`: start the definitions from what a CRM holds today. Read-only against the CRM; writes
one new file (never overwrites without --force)."""

from __future__ import annotations

from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import project_options, quiet_option, target_option
from crmdefs.config import Settings
from crmdefs.definitions.load import display_path
from crmdefs.importing.workflow import import_fields
from crmdefs.words import plural


@click.command(
    "import",
    epilog="""\b
Examples:
  crmdefs import salesforce:Opportunity.StageName hubspot:deals.dealtype
  crmdefs import --object Opportunity --object hubspot:deals --target production
  crmdefs import --object Lead --out definitions/fields/lead.yaml
""",
)
@project_options
@target_option
@click.argument("addresses", nargs=-1, metavar="[ADDRESS]...")
@click.option(
    "--object",
    "objects",
    multiple=True,
    metavar="OBJECT",
    help="Import the custom fields and picklists of this object (repeatable): Opportunity, hubspot:deals.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=None,
    help="File to write ('-' for stdout). Default: <definitions>/imported-<target>.yaml.",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@quiet_option
def import_(
    settings: Settings,
    target: str | None,
    addresses: tuple[str, ...],
    objects: tuple[str, ...],
    out: Path | None,
    force: bool,
    quiet: bool,
) -> int:
    """Write field bindings for what the CRM holds today (labels, help text, descriptions, picklist
    values with descriptions), with comments marking what to review. Planning with the new file shows
    no changes until you edit it. Reads the CRM only."""
    if not addresses and not objects:
        raise click.UsageError(
            "name fields (salesforce:Object.Field, hubspot:objectType.property) or --object"
        )
    console = TerminalConsole(settings, quiet=quiet)
    done = import_fields(
        settings,
        target,
        addresses,
        objects,
        out,
        force=force,
        progress=console.progress,
        note=console.note,
        waits=console,
    )
    if done.path is None:
        click.echo(done.text, nl=False)
        return exitcodes.OK
    click.echo(
        f"wrote {display_path(done.path)}: {plural(done.fields, 'field')}, "
        f"{plural(done.reviews, 'note')} marked '# REVIEW'. Next: review it, then "
        "`crmdefs validate` and `crmdefs plan`.",
        err=True,
    )
    return exitcodes.OK
