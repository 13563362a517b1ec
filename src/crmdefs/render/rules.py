"""A plan's validation rules as people read them (text and Markdown): each new or changed rule's formula and
message in full, the records that fail it today, and a hint when those are many. PURE."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmdefs.plan.changes import RuleChange
from crmdefs.render.worddiff import wrap
from crmdefs.words import plural

Line = tuple[str, int, str]  # (style: + ~ - ! or "", indent, text): render/text.py paints them
SHOWN = (("formula", "formula"), ("message", "message"), ("display_field", "shown next to"),
         ("description", "description"))  # fmt: skip
HINT = (
    "reps meet the rule the next time they edit each one. To clean them first, apply it with "
    "'active: false' on the requirement, fix the records, then drop 'active: false'"
)


def _shown(value: Any) -> str:
    """Formulas and names as written; texts as they are, "(none)" for nothing."""
    return "(none)" if value is None else str(value)


def head(rule: RuleChange) -> tuple[str, str]:
    """(symbol, words) of a rule's change: '+ validation rule X (active)'."""
    if rule.kind == "create":
        state = "active" if rule.after.get("active") else "inactive: it refuses nothing until activated"
        return "+", f"validation rule {rule.name} ({state})"
    if rule.kind == "deactivate":
        return "-", f"validation rule {rule.name}: deactivate (never deleted)"
    return "~", f"validation rule {rule.name}"


def changed(rule: RuleChange) -> list[tuple[str, Any, Any]]:
    """(what, before, after) of each attribute the change sets; every one for a new rule."""
    before: Mapping[str, Any] = rule.before or {}
    items = [(label, before.get(key), rule.after.get(key)) for key, label in SHOWN]
    if rule.kind == "update" and before.get("active") != rule.after.get("active"):
        items.insert(0, ("active", before.get("active"), rule.after.get("active")))
    if rule.before is None:
        return [(label, None, after) for label, _, after in items if after is not None]
    return [(label, b, a) for label, b, a in items if b != a]


def violations(rule: RuleChange) -> str | None:
    """The records that fail the rule today, and what to do about many; None when not counted."""
    if rule.violations is None:
        return None
    if rule.violations == 0:
        return "no record fails it today"
    verb = "fails" if rule.violations == 1 else "fail"
    return f"{plural(rule.violations, 'record')} {verb} it today — {HINT}"


def text_lines(rule: RuleChange, item: int, body: int, width: int) -> list[Line]:
    """The change's line, then each attribute it sets, wrapped to ``width`` (a changed one as was/now)."""
    symbol, words = head(rule)
    lines: list[Line] = [(symbol, item, f"{symbol} {words}")]
    if rule.kind == "deactivate":
        return lines
    for label, before, after in changed(rule):
        if rule.before is None:
            lines += _wrapped(symbol, body, f"{label}: ", _shown(after), width)
            continue
        lines.append((symbol, body, f"{label}:"))
        lines += _wrapped("-", body + 2, "was: ", _shown(before), width)
        lines += _wrapped("+", body + 2, "now: ", _shown(after), width)
    count = violations(rule)
    if count is not None:
        lines += _wrapped("!" if rule.violations else "", body, "! " if rule.violations else "", count, width)
    return lines


def _wrapped(style: str, indent: int, label: str, text: str, width: int) -> list[Line]:
    """``label`` then ``text``, continuation lines hanging under the text."""
    parts = wrap(text, width - indent - len(label)) or [""]
    return [(style, indent, (label if i == 0 else " " * len(label)) + part) for i, part in enumerate(parts)]
