"""`crmdefs adopt`'s report, grouped by field: adopted (file:line), values appended (file:line, marked
``# REVIEW``), composed text not rewritten (the term, the file:line to edit, the CRM's text), and what was
not adopted (the reason, what to do); then the changelog entries, the files and one summary line."""

from __future__ import annotations

import textwrap

from crmdefs.adopt.run import AdoptResult, unified_diff
from crmdefs.words import plural

WIDTH = 100


def render(result: AdoptResult) -> str:
    """The report; with --dry-run the unified diff comes first."""
    lines: list[str] = []
    if result.dry_run and result.files:
        lines.append(result.diff().rstrip("\n"))
        lines.append("")
    outcome = result.outcome
    whole = [s for s in result.selections if [n.item for n in s.not_adopted] == ["field"] and not s.adopt]
    for selection in (s for s in result.selections if s not in whole):
        address = selection.address
        lines.append(f"{address} — {selection.origin}{' (named with --only)' if selection.forced else ''}")
        for adopted in (a for a in outcome.adopted if a.address == address):
            mark = "+" if adopted.appended else "✓"
            review = "  # REVIEW" if adopted.appended else ""
            lines.append(f"  {mark} {adopted.what} → {result.line(adopted.place)}{review}")
            lines += [_indent(note, "      ") for note in adopted.notes]
        for composed in (c for c in outcome.composed if c.address == address):
            terms = ", ".join(f"{term} at {where}" for term, where in composed.terms)
            what = _what(composed.what, address)
            lines.append(
                _indent(f"! {what} is composed from terms, not rewritten: edit {terms}", "  ", "    ")
            )
            lines.append(_indent(f"the CRM has: {composed.crm_text!r}", "      "))
        skipped = [n for a, n in outcome.unplaced if a == address] + list(selection.not_adopted)
        for item in skipped:
            lines.append(_indent(f"✗ {item.item}: not adopted — {item.reason}", "  ", "    "))
    for reason in dict.fromkeys(s.not_adopted[0].reason for s in whole):
        fields = ", ".join(str(s.address) for s in whole if s.not_adopted[0].reason == reason)
        lines.append(_indent(f"✗ not adopted: {fields} — {reason}", "", "    "))
    if outcome.changelog:
        lines.append("")
        entries = ", ".join(f"{term} ({result.line(place)})" for term, place in outcome.changelog)
        lines.append(_indent(f"Changelog entries added: {entries}", ""))
    if lines:
        lines.append("")
    lines += _files(result)
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _files(result: AdoptResult) -> list[str]:
    lines = []
    for written in result.files:
        added = removed = 0
        diff = unified_diff(written.source.display, written.source.text, written.after)
        for line in diff.splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        verb = "would change" if result.dry_run else "wrote"
        lines.append(f"{verb} {written.source.display} (+{added} −{removed})")
    return lines


def _summary(result: AdoptResult) -> str:
    outcome = result.outcome
    skipped = sum(len(s.not_adopted) for s in result.selections) + len(outcome.unplaced)
    adopted = "to adopt" if result.dry_run else "adopted"  # a dry run adopts nothing
    parts = [
        f"{plural(len(outcome.adopted), 'change')} {adopted} into {plural(len(result.files), 'file')}",
        f"{plural(len(outcome.composed), 'composed text')} to edit by hand",
        f"{plural(skipped, 'difference')} not adopted",
    ]
    head = "Dry run, nothing written: " if result.dry_run else "Adopt complete: "
    if not result.selections:
        return f"Nothing to adopt: target {result.target!r} holds nothing the definitions do not."
    return head + ", ".join(parts) + "."


def _what(what: str, address: object) -> str:
    return what.removesuffix(f" of {address}")


def _indent(text: str, first: str, rest: str | None = None) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest if rest is not None else first,
        break_long_words=False,
        break_on_hyphens=False,
    )
