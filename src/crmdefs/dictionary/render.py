"""The dictionary's formats: text ones (markdown, csv, html) and the binary xlsx."""

from __future__ import annotations

from collections.abc import Callable

from crmdefs.dictionary.model import Dictionary
from crmdefs.dictionary.render_csv import render_csv
from crmdefs.dictionary.render_html import render_html
from crmdefs.dictionary.render_markdown import render_markdown

FORMATS = ("markdown", "csv", "xlsx", "html")
BINARY = frozenset({"xlsx"})
TEXT_RENDERERS: dict[str, Callable[[Dictionary], str]] = {
    "markdown": render_markdown,
    "csv": render_csv,
    "html": render_html,
}


def render(dictionary: Dictionary, fmt: str) -> str | bytes:
    if fmt == "xlsx":  # openpyxl is imported only when a workbook is asked for
        from crmdefs.dictionary.render_xlsx import render_xlsx

        return render_xlsx(dictionary)
    return TEXT_RENDERERS[fmt](dictionary)
