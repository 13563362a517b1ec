"""Examples as text (a terminal), Markdown (the review's issue or notes) and JSON (``format_version``).
Pure. Each record shows its date, name, owner, id and link — nothing else is read, so nothing else can
be printed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from crmdefs.adapters.base import ExampleRecord
from crmdefs.examples.run import FieldExamples, TermExamples
from crmdefs.words import plural

FORMAT_VERSION = "1.0"
NOT_BOUND = "no bound picklist value carries this term, so no records show it (add 'term:' to a value)"


def _day(date: str) -> str:
    """``2025-03-04T09:15:00.000+0000`` → ``2025-03-04 09:15``: enough to tell records apart in a meeting."""
    return date[:16].replace("T", " ") if len(date) >= 16 else date


def _heading(field: FieldExamples) -> str:
    values = ", ".join(field.values)
    return f"{field.address} in ({values})"


def _count(field: FieldExamples, last: int) -> str:
    n = len(field.records)
    return f"the {plural(n, 'newest record')}" if n == last else plural(n, "record")


def title(examples: TermExamples) -> str:
    term = examples.term
    return f"{term.id}: {term.name} — the last {examples.last} records on target {examples.target}"


def text_lines(examples: TermExamples, indent: str = "") -> list[str]:
    """The lines of one term's examples (also used by `review --examples`)."""
    if not examples.bound:
        return [f"{indent}{NOT_BOUND}"]
    lines: list[str] = []
    for field in examples.fields:
        if field.error or field.skipped:
            lines.append(f"{indent}{_heading(field)}: not read — {field.error or field.skipped}")
            continue
        if not field.records:
            lines.append(f"{indent}{_heading(field)}: no records hold these values")
            continue
        lines.append(f"{indent}{_heading(field)}: {_count(field, examples.last)}, newest first")
        lines += [f"{indent}  {row}" for row in _aligned(field.records)]
    return lines


def _aligned(records: Sequence[ExampleRecord]) -> list[str]:
    rows = [(_day(r.date), r.name, r.owner or "(no owner)", r.id, r.url) for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)) for row in rows]


def render_text(all_examples: Sequence[TermExamples]) -> str:
    lines: list[str] = []
    for examples in all_examples:
        lines += [*([""] if lines else []), title(examples), *text_lines(examples, "  ")]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def markdown_lines(examples: TermExamples) -> list[str]:
    """One term's examples as Markdown tables, one per field (also used by `review --examples`)."""
    if not examples.bound:
        return [_md(NOT_BOUND)]
    lines: list[str] = []
    for field in examples.fields:
        heading = f"`{field.address}` in ({_md(', '.join(field.values))})"
        if field.error or field.skipped:
            lines += [f"{heading}: not read — {_md(field.error or field.skipped or '')}", ""]
            continue
        if not field.records:
            lines += [f"{heading}: no records hold these values", ""]
            continue
        lines += [f"{heading}: {_count(field, examples.last)}, newest first", ""]
        lines += ["| Date | Name | Owner | Id |", "|---|---|---|---|"]
        lines += [
            f"| {_day(r.date)} | [{_md(r.name)}]({r.url}) | {_md(r.owner or '(no owner)')} | `{r.id}` |"
            for r in field.records
        ]
        lines.append("")
    return lines


def render_markdown(all_examples: Sequence[TermExamples]) -> str:
    lines: list[str] = []
    for examples in all_examples:
        lines += [f"## {_md(title(examples))}", "", *markdown_lines(examples)]
    return "\n".join(lines).rstrip("\n") + "\n"


def examples_json(examples: TermExamples) -> dict[str, Any]:
    """One term's examples as JSON (also inside `review --examples --format json`)."""
    return {
        "term": examples.term.id,
        "target": examples.target,
        "last": examples.last,
        "fields": [
            {
                "field": str(f.address),
                "values": list(f.values),
                "records": [
                    {"id": r.id, "name": r.name, "owner": r.owner, "date": r.date, "url": r.url}
                    for r in f.records
                ],
                "error": f.error,
                "skipped": f.skipped,
            }
            for f in examples.fields
        ],
    }


def render(all_examples: Sequence[TermExamples], fmt: str) -> str:
    if fmt == "json":
        payload = {"format_version": FORMAT_VERSION, "terms": [examples_json(e) for e in all_examples]}
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return render_markdown(all_examples) if fmt == "markdown" else render_text(all_examples)
