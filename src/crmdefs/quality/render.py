"""Quality report renderers, chosen once by ``--format``: each is pure (a string out, nothing printed) and
has the same signature, so the command never branches on the format."""

from __future__ import annotations

from typing import Protocol

from crmdefs.quality import render_html, render_markdown, render_text
from crmdefs.quality.model import QualityReport
from crmdefs.quality.views import render_json


class Renderer(Protocol):
    def __call__(self, report: QualityReport, *, color: bool = False) -> str: ...


RENDERERS: dict[str, Renderer] = {
    "text": render_text.render_quality,
    "markdown": render_markdown.render_quality,
    "json": render_json,
    "html": render_html.render_quality,
}
FORMATS = tuple(RENDERERS)
