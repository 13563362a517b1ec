"""Quality report → one self-contained HTML page. PURE: returns a string.

The page needs nothing but itself (inline CSS, inline SVG, no script, system fonts, no network), so it can
be mailed, kept as a CI artifact or opened from disk. Per group: the fields' facts and breaches, and one
bar chart (inline SVG) with a row per value and a bar per field — Salesforce and HubSpot side by side —
whose length is the value's share of the field's records. The chart is drawn in percentages of its own
width, so it fits a 375px phone without scaling its text down. Every text from the CRM or the definitions
goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape

from crmdefs.glossary.page import page
from crmdefs.quality.html_style import STYLE
from crmdefs.quality.model import FieldQuality, QualityGroup, QualityReport
from crmdefs.quality.views import (
    Cell,
    Row,
    breach_text,
    crm_name,
    field_facts,
    headline,
    pct,
    requirement_texts,
    rows,
    window,
)
from crmdefs.words import noun, plural

TITLE = "crmdefs quality report"
LABEL_CHARS = 40  # a value's name in the chart ends with "…" past this (the whole name is its tooltip)
LABEL_HEIGHT, BAR_HEIGHT, BAR_GAP, ROW_GAP = 18, 16, 4, 10  # px
INSIDE_FROM = 55.0  # percent: from this share on, the bar's number sits inside the bar


def render_quality(report: QualityReport, *, color: bool = False) -> str:
    summary = headline(report)
    targets = ", ".join(escape(t) for t in report.targets)
    body = [
        f"<header><h1>{TITLE}</h1>",
        f'<p class="muted">Generated {escape(report.generated_at)}; {escape(window(report))}; '
        f"{noun(len(report.targets), 'target')} {targets}.</p>",
        f'<p class="summary{" breached" if report.breaches else ""}" id="summary">{escape(summary)}</p>'
        "</header>",
        "<main>",
        *(_group(g, i, report) for i, g in enumerate(report.groups, 1)),
        _skipped(report),
        "</main>",
    ]
    return page(TITLE, STYLE, body)


def _swatch(index: int, f: FieldQuality) -> str:
    rect = f'<rect class="{_bar_class(index, f)}" width="12" height="12"/>'
    return f'<svg class="swatch" width="12" height="12" aria-hidden="true">{rect}</svg>'


def _bar_class(index: int, f: FieldQuality) -> str:
    return f"bar crm-{escape(f.crm)} field-{index}"


def _field(index: int, f: FieldQuality) -> str:
    head = (
        f"{_swatch(index, f)} <strong>{escape(crm_name(f.crm))}</strong> <code>{escape(f.address)}</code> "
        f'on <code>{escape(f.target)}</code> <span class="muted">bound at {escape(f.binding)}</span>'
    )
    items = [f"<li>{escape(field_facts(f))}</li>"]
    items += [f"<li>Requirement {escape(r)}</li>" for r in requirement_texts(f)]
    items += [
        f'<li class="breach"><strong>Breach:</strong> {escape(breach_text(b))}</li>' for b in f.breaches
    ]
    return f'<li class="field">{head}<ul>{"".join(items)}</ul></li>'


def _group(group: QualityGroup, number: int, report: QualityReport) -> str:
    anchor = f"group-{number}"
    breaches = sum(len(f.breaches) for f in group.fields)
    badge = (
        f' <span class="badge">{escape(plural(breaches, "breach", "breaches"))}</span>' if breaches else ""
    )
    fields = "".join(_field(i, f) for i, f in enumerate(group.fields))
    return (
        f'<section class="group" id="{anchor}" data-key="{escape(group.key)}">'
        f"<h2>{escape(group.title)}{badge}</h2>"
        f'<ul class="fields">{fields}</ul>'
        f"{_chart(group, anchor)}</section>"
    )


def _chart(group: QualityGroup, anchor: str) -> str:
    drawn: list[str] = []
    y = 0
    for row in rows(group):
        part, y = _row(row, group.fields, y)
        drawn.append(part)
    title = f"{group.title}: share of each field's records per value"
    return (
        f'<figure><svg class="chart" role="img" aria-labelledby="{anchor}-title" width="100%" '
        f'height="{max(y, 1)}"><title id="{anchor}-title">{escape(title)}</title>{"".join(drawn)}</svg>'
        f"<figcaption>Share of each field's records in the window; the number after the share is "
        f"records.</figcaption></figure>"
    )


def _label(row: Row) -> tuple[str, str]:
    """The value's name with its marks, short enough for a phone; and the whole of it, for its tooltip."""
    short = row.title + (" — " + "; ".join(n.mark for n in row.notes) if row.notes else "")
    whole = row.title + (" — " + "; ".join(map(str, row.notes)) if row.notes else "")
    return short if len(short) <= LABEL_CHARS else short[: LABEL_CHARS - 1] + "…", whole


def _row(row: Row, fields: tuple[FieldQuality, ...], top: int) -> tuple[str, int]:
    """One value: its name, then one bar per field; returns the SVG and the next row's top."""
    short, whole = _label(row)
    kind = " empty" if row.empty else (" noted" if row.notes else "")
    parts = [
        f'<g class="row{kind}" data-value="{escape(row.title)}">',
        f'<text class="label" x="0" y="{top + LABEL_HEIGHT - 5}">{escape(short)}'
        f"<title>{escape(whole)}</title></text>",
    ]
    y = top + LABEL_HEIGHT
    for i, (f, cell) in enumerate(zip(fields, row.cells, strict=True)):
        parts.append(_bar(i, f, cell, y))
        y += BAR_HEIGHT + BAR_GAP
    parts.append("</g>")
    return "".join(parts), y + ROW_GAP


def _bar(index: int, f: FieldQuality, cell: Cell | None, y: int) -> str:
    middle = y + BAR_HEIGHT - 4
    name = f"{crm_name(f.crm)} {f.address}"
    if cell is None:
        return f'<text class="none" x="0" y="{middle}">— none on {escape(crm_name(f.crm))}</text>'
    said = f"{pct(cell.share)} · {cell.records}"
    width = f"{min(cell.share, 100.0):.2f}%"
    tip = f"{name}: {plural(cell.records, 'record')}, {pct(cell.share)} of {f.total}"
    number = (
        f'<text class="in" x="{width}" dx="-4" y="{middle}" text-anchor="end">{said}</text>'
        if cell.share >= INSIDE_FROM
        else f'<text class="out" x="{width}" dx="4" y="{middle}">{said}</text>'
    )
    return (
        f'<rect class="{_bar_class(index, f)}" x="0" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
        f'data-records="{cell.records}" data-share="{cell.share:.1f}"><title>{escape(tip)}</title></rect>'
        f"{number}"
    )


def _skipped(report: QualityReport) -> str:
    if not report.skipped:
        return ""
    items = "".join(
        f"<li><code>{escape(address)}</code>: {escape(why)}</li>" for address, why in report.skipped.items()
    )
    return f'<section id="skipped"><h2>Skipped (not counted)</h2><ul>{items}</ul></section>'
