"""`crmdefs suggest-mapping`: group a free-text property's values and propose standard codes for review."""

from __future__ import annotations

from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import project_options, quiet_option, target_option
from crmdefs.config import Settings
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import display_path
from crmdefs.files import write_output
from crmdefs.migration.workflow import suggest_mapping as suggest
from crmdefs.words import plural


@click.command(
    "suggest-mapping",
    epilog="""\b
Examples:
  crmdefs suggest-mapping --from hubspot:deals.closed_lost_reason \\
      --to hubspot:deals.closed_lost_reason_code --out lost-reason-mapping.yaml
  # review the file, then:
  crmdefs apply --migrate-records --mapping lost-reason-mapping.yaml
""",
)
@project_options
@target_option
@click.option("--from", "source", required=True, metavar="ADDRESS", help="The free-text property.")
@click.option("--to", "to", required=True, metavar="ADDRESS", help="The code property (bound to a picklist).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the mapping here.")
@quiet_option
def suggest_mapping(
    settings: Settings,
    target: str | None,
    source: str,
    to: str,
    out: Path | None,
    quiet: bool,
) -> int:
    """Propose standard codes for the texts of a free-text property, for a person to review."""
    console = TerminalConsole(settings, quiet=quiet)  # the CRM's long waits, unless --quiet
    made, text = suggest(settings, target, parse_address(source), parse_address(to), console)
    if out is None:
        click.echo(text, nl=False)
        return exitcodes.OK
    write_output(out, text)
    matched = sum(1 for e in made.entries if e.code)
    click.echo(
        f"Wrote {display_path(out)}: {plural(len(made.entries), 'distinct text')}, "
        f"{matched} with an exact match, "
        f"{len(made.entries) - matched} to decide. Review it before applying."
    )
    return exitcodes.OK
