"""Review reports: text for a terminal or CI log, Markdown for an issue (a checklist per finding), JSON
(``format_version``) for machines. Pure functions of a :class:`~crmdefs.review.ReviewReport`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crmdefs.definitions.model import Term
from crmdefs.examples.report import examples_json, markdown_lines, text_lines
from crmdefs.examples.run import TermExamples
from crmdefs.review.findings import ReviewReport
from crmdefs.words import plural

FORMAT_VERSION = "1.0"
Examples = Mapping[str, TermExamples]  # `review --examples`: each overdue term's examples, by term id


def headline(report: ReviewReport) -> str:
    parts = []
    if report.overdue:
        parts.append(f"{plural(len(report.overdue), 'term')} overdue for review")
    if report.stale_drafts:
        parts.append(
            f"{plural(len(report.stale_drafts), 'draft')} older than {plural(report.draft_days, 'day')}"
        )
    if not parts:
        return f"Nothing overdue as of {report.as_of}."
    return f"{' and '.join(parts)} as of {report.as_of}."


def _name(term: Term) -> str:
    return f"{term.name} ({term.abbreviation})" if term.abbreviation else term.name


def _due(o_due: Any, days: int) -> str:
    return "never reviewed" if o_due is None else f"due {o_due}, {plural(days, 'day')} ago"


def _sections(report: ReviewReport) -> list[tuple[str, list[tuple[Term, str]]]]:
    """(title, [(term, detail)]) for every kind of finding, in the order a reviewer works through them."""
    return [
        (
            "Overdue for review",
            [
                (
                    o.term,
                    f"{_due(o.due, o.days)} (every {o.term.review_every}); owner {o.term.owner or 'none'}",
                )
                for o in report.overdue
            ],
        ),
        (
            f"Drafts older than {plural(report.draft_days, 'day')}",
            [
                (d.term, f"draft since {d.since} ({plural(d.days, 'day')}); owner {d.term.owner or 'none'}")
                for d in report.stale_drafts
            ],
        ),
        (
            "Deprecated but still carried by a field",
            [
                (u.term, f"{u.use} — move the field to its replacement or unbind it")
                for u in report.deprecated_uses
            ],
        ),
        ("No owner", [(t, "add 'owner:' (a person or team who answers for it)") for t in report.no_owner]),
        ("No review cadence", [(t, "add 'review_every:' (e.g. quarterly)") for t in report.no_cadence]),
    ]


def _unbound(report: ReviewReport) -> str:
    """Terms on no field, as one line: often deliberate (glossary-only concepts), so not a checklist."""
    ids = ", ".join(t.id for t in report.unbound)
    count = len(report.unbound)
    return f"Not on any CRM field ({count}; glossary only, bind them where people enter data): {ids}"


def render_text(report: ReviewReport, examples: Examples | None = None) -> str:
    lines = [headline(report)]
    for title, rows in _sections(report):
        if not rows:
            continue
        lines += ["", f"{title} ({len(rows)}):"]
        lines += [f"  {term.id}: {_name(term)} — {detail}  [{term.source}]" for term, detail in rows]
    if report.unbound:
        lines += ["", _unbound(report)]
    for term_id, found in (examples or {}).items():
        lines += ["", f"Examples of {term_id} (target {found.target}, last {found.last}):"]
        lines += text_lines(found, "  ")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """User text inside Markdown: no accidental emphasis, code, links or HTML."""
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def render_markdown(report: ReviewReport, examples: Examples | None = None) -> str:
    lines = [f"## Glossary review — {report.as_of}", "", headline(report)]
    for title, rows in _sections(report):
        if not rows:
            continue
        lines += ["", f"### {title} ({len(rows)})", ""]
        lines += [
            f"- [ ] **{_md(_name(term))}** (`{term.id}`) — {_md(detail)} · `{term.source}`"
            for term, detail in rows
        ]
    if report.unbound:
        lines += ["", _md(_unbound(report))]
    for term_id, found in (examples or {}).items():
        lines += ["", f"### Examples of `{term_id}` (target {_md(found.target)}, last {found.last})", ""]
        lines += markdown_lines(found)
    return "\n".join(lines).rstrip("\n") + "\n"


def report_json(report: ReviewReport, examples: Examples | None = None) -> dict[str, Any]:
    def term(t: Term) -> dict[str, Any]:
        return {
            "id": t.id,
            "name": t.name,
            "status": t.status.value,
            "owner": t.owner,
            "source": str(t.source),
        }

    return {
        "format_version": FORMAT_VERSION,
        "as_of": report.as_of.isoformat(),
        "needs_action": report.needs_action,
        "overdue": [
            {
                **term(o.term),
                "due": o.due.isoformat() if o.due else None,
                "days_overdue": o.days,
                **({"examples": examples_json(examples[o.term.id])} if examples else {}),
            }
            for o in report.overdue
        ],
        "stale_drafts": [
            {**term(d.term), "since": d.since.isoformat(), "days": d.days} for d in report.stale_drafts
        ],
        "deprecated_in_use": [
            {**term(u.term), "field": str(u.use.address), "role": u.use.role, "value": u.use.value}
            for u in report.deprecated_uses
        ],
        "no_owner": [term(t) for t in report.no_owner],
        "no_cadence": [term(t) for t in report.no_cadence],
        "unbound": [term(t) for t in report.unbound],
    }


def render(report: ReviewReport, fmt: str, examples: Examples | None = None) -> str:
    """``examples``: `review --examples`; without them the report is exactly as before."""
    if fmt == "json":
        return json.dumps(report_json(report, examples), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report, examples)
    return render_text(report, examples)
