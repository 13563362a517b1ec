"""The skeleton every self-contained HTML page of crmdefs shares (the glossary, the quality report): doctype,
language, charset, a viewport for phones, the title, the inline style, the body's parts and an optional
inline script. PURE: returns a string; the caller escapes what goes inside."""

from __future__ import annotations

from collections.abc import Iterable


def page(title: str, style: str, body: Iterable[str], script: str | None = None) -> str:
    """One page, a line per part; empty parts of ``body`` are left out. ``title`` is escaped already."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            *(part for part in body if part),
            *([f"<script>{script}</script>"] if script is not None else []),
            "</body>",
            "</html>",
            "",
        ]
    )
