"""The dictionary as one self-contained HTML page (inline CSS, no script, nothing fetched), in the style of
the quality report: a section per object with its coverage line and a table of every field that scrolls
sideways on a phone rather than squeezing. Every text from the CRM or the definitions goes through
``html.escape``. PURE."""

from __future__ import annotations

from html import escape

from crmdefs.dictionary.model import Dictionary, ObjectFields, coverage, percent_text
from crmdefs.dictionary.views import (
    COLUMNS,
    NOT_BOUND,
    coverage_sentence,
    governed,
    headline,
    title,
    values_lines,
)
from crmdefs.glossary.page import page
from crmdefs.quality.html_style import STYLE

TITLE = "Field dictionary"
TABLE_STYLE = """
body { max-width: 90rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9rem; min-width: 60rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top; text-align: left; }
th { position: sticky; top: 0; background: var(--bg); }
td ul { margin: 0; padding-left: 1rem; }
tr.not-counted td { color: var(--muted); }
td.unbound { color: var(--muted); font-style: italic; }
"""


def render_html(dictionary: Dictionary) -> str:
    body = [
        f"<header><h1>{TITLE}</h1>",
        f'<p class="muted">Target {escape(dictionary.target)}.</p>',
        f'<p class="summary{" breached" if dictionary.below() else ""}">{escape(headline(dictionary))}</p>',
        "</header>",
        "<main>",
        *(_object(o) for o in dictionary.objects),
        "</main>",
    ]
    return page(f"{TITLE} — {escape(dictionary.target)}", STYLE + TABLE_STYLE, body)


def _object(obj: ObjectFields) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    rows = []
    for entry in obj.fields:
        values = "".join(f"<li>{escape(v)}</li>" for v in values_lines(entry))
        rule = governed(entry)
        cells = [
            escape(entry.label),
            f"<code>{escape(entry.name)}</code>",
            escape(entry.type),
            escape(entry.help_text or ""),
            escape(entry.description or ""),
            f"<ul>{values}</ul>" if values else "",
            escape(entry.state),
        ]
        tds = "".join(f"<td>{c}</td>" for c in cells)
        tds += f'<td class="unbound">{rule}</td>' if rule == NOT_BOUND else f"<td>{escape(rule)}</td>"
        attribute = "" if entry.counted else ' class="not-counted"'
        rows.append(f"<tr{attribute}>{tds}</tr>")
    percent = percent_text(coverage(obj).percent)
    return "\n".join(
        [
            f'<section id="{escape(obj.crm.value)}-{escape(obj.object)}">',
            f'<h2>{escape(title(obj))} <span class="muted">{percent}</span></h2>',
            f"<p>{escape(coverage_sentence(obj))}</p>",
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>',
            *rows,
            "</tbody></table></div>",
            "</section>",
        ]
    )
