"""`crmdefs docs`: the glossary as a document people read — Markdown for the repository, or one
self-contained HTML page with a search box, for a phone, a wiki or an intranet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.commands.options import project_options
from crmdefs.config import Settings
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import Glossary
from crmdefs.errors import CrmdefsError
from crmdefs.files import write_atomic
from crmdefs.glossary import html as glossary_html
from crmdefs.glossary import markdown as glossary_md

RENDERERS: dict[str, Callable[[Glossary], str]] = {
    "markdown": glossary_md.render_glossary,
    "html": glossary_html.render_glossary,
}
# Fixed names: nothing from the definitions ever becomes part of the path, so output stays inside --out.
FILE_NAMES = {"markdown": "glossary.md", "html": "glossary.html"}


def write_document(directory: Path, name: str, document: str) -> Path:
    """Write ``document`` as ``directory/name`` (creating the directory); OSError → CrmdefsError.

    Paths in messages are shown as the user typed them: ``--out`` is theirs, not a project file."""
    path = directory / name
    try:
        if directory.exists() and not directory.is_dir():
            raise NotADirectoryError(f"{directory} is a file, not a directory")
        write_atomic(path, document)
    except OSError as exc:
        raise CrmdefsError(
            f"cannot write {path} ({exc.strerror or exc}) — point --out at a directory you can write to"
        ) from exc
    return path


@click.command(
    epilog="""\b
Examples:
  crmdefs docs > GLOSSARY.md                    Markdown on stdout
  crmdefs docs --out docs                       writes docs/glossary.md
  crmdefs docs --format html --out site         writes site/glossary.html (one file, with search)
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
    type=click.Path(path_type=Path),
    help="Write glossary.md or glossary.html into this directory (created if needed) instead of stdout.",
)
def docs(settings: Settings, fmt: str, out: Path | None) -> int:
    """Write the glossary as a document people read: every term, the funnel and the picklists."""
    glossary, warnings = load_glossary(settings.definitions_dir)
    for warning in warnings:
        click.echo(warning.render(), err=True)
    document = RENDERERS[fmt](glossary)
    if out is None:
        click.echo(document, nl=False)
        return exitcodes.OK
    path = write_document(out, FILE_NAMES[fmt], document)
    click.echo(f"Wrote {path}", err=True)
    return exitcodes.OK
