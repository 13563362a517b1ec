"""`crmdefs docs`: the glossary as a document people read — Markdown for the repository, or one
self-contained HTML page with a search box, for a phone, a wiki or an intranet."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.options import project_options
from crmdefs.config import Settings
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import Glossary
from crmdefs.files import write_output
from crmdefs.glossary import html as glossary_html
from crmdefs.glossary import markdown as glossary_md
from crmdefs.glossary.outline import TITLE

RENDERERS: dict[str, Callable[[Glossary, str], str]] = {
    "markdown": glossary_md.render_glossary,
    "html": glossary_html.render_glossary,
}
# The name used when --out is a directory. Fixed: nothing from the definitions ever becomes part of a path.
FILE_NAMES = {"markdown": "glossary.md", "html": "glossary.html"}


def output_path(out: str, fmt: str) -> Path:
    """``--out`` is the file to write; an existing directory (or one written with a trailing slash) gets
    glossary.md / glossary.html inside. A string, not a Path: a Path would drop the trailing slash."""
    if Path(out).is_dir() or out.endswith(("/", os.sep)):
        return Path(out) / FILE_NAMES[fmt]
    return Path(out)


def write_document(path: Path, document: str) -> Path:
    """Write ``document`` to ``path`` (creating its directory); OSError → CrmdefsError.

    Paths in messages are shown as the user typed them: ``--out`` is theirs, not a project file."""
    write_output(path, document)
    return path


@click.command(
    epilog="""\b
Examples:
  crmdefs docs > GLOSSARY.md                    Markdown on stdout
  crmdefs docs --out docs/GLOSSARY.md           writes that file
  crmdefs docs --format html --out site/        writes site/glossary.html (one file, with search)
  crmdefs docs --title "Acme revenue glossary"  the heading (or glossary_title: in crmdefs.yaml)
"""
)
@project_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RENDERERS)),
    default="markdown",
    show_default=True,
    help="markdown for the repository, html for one self-contained page with search.",
)
@click.option(
    "--out",
    type=click.Path(),
    help="Write to this file instead of stdout (a directory gets glossary.md or glossary.html inside).",
)
@click.option(
    "--title",
    help="The glossary's heading (default: glossary_title in crmdefs.yaml, else 'Revenue glossary').",
)
def docs(settings: Settings, fmt: str, out: str | None, title: str | None) -> int:
    """Write the glossary as a document people read: every term, the funnel and the picklists."""
    glossary, warnings = load_glossary(settings.definitions_dir)
    for warning in warnings:
        click.echo(warning.render(), err=True)
    document = RENDERERS[fmt](glossary, title or settings.glossary_title or TITLE)
    if out is None:
        click.echo(document, nl=False)
        return exitcodes.OK
    path = write_document(output_path(out, fmt), document)
    click.echo(f"Wrote {path}", err=True)
    return exitcodes.OK
