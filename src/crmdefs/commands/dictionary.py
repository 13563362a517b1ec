"""`crmdefs dictionary`: every field of whole objects — bound and unbound — with its texts, values, what
governs it and how well each object is documented. Reads the CRM only. Exit 0, or 2 when an object's
coverage is under --min-coverage; 1 on an error; 64 for a wrong command line."""

from __future__ import annotations

import re
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import project_options, quiet_option, target_option
from crmdefs.config import Settings
from crmdefs.dictionary.collect import collect_dictionary
from crmdefs.dictionary.render import BINARY, FORMATS, render
from crmdefs.dictionary.views import headline
from crmdefs.files import write_output

_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")


def _percent(_context: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    found = _PERCENT.fullmatch(value)
    if found is None or float(found.group(1)) > 100:
        raise click.BadParameter(f"{value!r} is not a percentage from 0% to 100% — write it like 80%")
    return float(found.group(1))


@click.command(
    epilog="""\b
Examples:
  crmdefs dictionary                                   every object a definition binds, as Markdown
  crmdefs dictionary --object Opportunity --object hubspot:deals --format html --out dictionary.html
  crmdefs dictionary --object Lead --format xlsx --out lead-fields.xlsx
  crmdefs dictionary --all-bound --format csv --out fields.csv --min-coverage 80%     for CI: exit 2 below
"""
)
@project_options
@target_option
@click.option(
    "--object",
    "objects",
    multiple=True,
    metavar="OBJECT",
    help="An object to list (repeatable): Opportunity, deals; salesforce:NAME / hubspot:NAME where a name "
    "could be either. Default: every object a definition binds (as --all-bound).",
)
@click.option("--all-bound", is_flag=True, help="Every object a definition binds (the default).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="markdown",
    show_default=True,
    help="markdown: a section per object; csv: a row per field; xlsx: a sheet per object (needs --out); "
    "html: one page.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option(
    "--min-coverage",
    metavar="PERCENT",
    callback=_percent,
    help="Exit 2 when an object's coverage (documented fields / fields counted) is under it, e.g. 80%.",
)
@quiet_option
def dictionary(
    settings: Settings,
    target: str | None,
    objects: tuple[str, ...],
    all_bound: bool,
    fmt: str,
    out: str | None,
    min_coverage: float | None,
    quiet: bool,
) -> int:
    """List every field of whole objects — label, API name, type, help text, description, picklist
    values with their descriptions, and the binding and terms that govern it — with each object's
    documentation coverage. Reads the CRM only."""
    if objects and all_bound:
        raise click.UsageError("--object and --all-bound name the objects two ways — give one of them")
    if out is not None and out.endswith(("/", "\\")):
        raise click.BadParameter(f"{out!r} is a directory — name the file to write", param_hint="'--out'")
    if out is not None and not Path(out).name:
        raise click.BadParameter(f"{out!r} names no file — name the file to write", param_hint="'--out'")
    if fmt in BINARY and out is None:
        raise click.UsageError(
            f"--format {fmt} is a binary workbook, not for a terminal — name the file with --out, e.g. "
            f"--out dictionary.{fmt}"
        )
    console = TerminalConsole(settings, quiet=quiet)
    found = collect_dictionary(
        settings, target, objects, min_coverage=min_coverage, progress=console.progress, waits=console
    )
    rendered = render(found, fmt)
    if out is None:
        click.echo(rendered, nl=False)
        click.echo(headline(found), err=True)
    else:
        write_output(Path(out), rendered)
        click.echo(f"Wrote {out}: {headline(found)}", err=True)
    return exitcodes.CHANGES if found.below() else exitcodes.OK
