"""Plan → text for terminals and CI logs, Terraform-style. PURE: returns a string, never prints.

Layout (pinned by golden files, so it depends on nothing but the plan — not the terminal's width)::

    crmdefs will make these changes to target "sandbox":

      ~ salesforce:Opportunity.Loss_Reason__c          field: + create, ~ update
          ~ help_text: "Pick a reason." → "Why the deal was lost."
          ~ description:                               long or multi-line text: a word diff below
              The main reason [-this-]{+the+} deal was lost …
          + value "Competitor" (label "Competitor")    its description, if any, wrapped below
          - value "pricing": deactivate (records keep it)
          ! warning: …
          # skipped description: why the CRM refuses it

    Skipped (left as the CRM has them):                fields that only have skips

    Plan: 1 to add, 2 to change, 1 to deactivate, 1 skipped.

Within a field: attributes, value changes (plan order), record types, business processes, path guidance
(as text, once for the record types it is the same on), access, validation rules (render/rules.py),
warnings, skips.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmdefs.definitions.model import CreateSpec, Crm
from crmdefs.plan.changes import (
    AccessChange,
    Action,
    FieldPlan,
    Migration,
    Plan,
    ValueChange,
    ValueChangeKind,
)
from crmdefs.plan.state import ValueState
from crmdefs.render.dependency import matrix_lines
from crmdefs.render.guidance import PathGroup, group_path_changes, guidance_text, wrap_guidance
from crmdefs.render.rules import text_lines as rule_lines
from crmdefs.render.worddiff import same_words, word_diff, wrap, wrap_tokens
from crmdefs.words import plural

GREEN, RED, YELLOW, DIM, MAGENTA, RESET = (f"\x1b[{n}m" for n in (32, 31, 33, 2, 35, 0))
_PAINT = {"+": GREEN, "-": RED, "~": YELLOW, "#": DIM, "!": MAGENTA}
WIDTH = 100  # fixed rather than the terminal's, so a plan reads the same in a terminal, a log and a test
SHORT = 60  # texts up to this long (on one line) are shown inline as "before" → "after"
FIELD, ITEM, BODY = 2, 6, 10  # indents: field line, change line, text below a change line
K = ValueChangeKind


@dataclass(frozen=True)
class _Line:
    style: str  # a key of _PAINT, or "" for lines that carry their own colors (word diffs) or none
    indent: int
    text: str


# Right after `crmdefs init` nothing is bound; "matches the definitions" would then read as a clean bill
# of health for an org nobody has compared yet.
NOTHING_BOUND_HINT = (
    "bind fields in definitions/ (README 'Field bindings'), or start from what the org holds: "
    "crmdefs import --object Opportunity --object hubspot:deals"
)


def render_plan(plan: Plan, *, color: bool) -> str:
    changed = plan.changes
    skipped = [f for f in plan.fields if not f.has_changes and f.skips]
    out: list[str] = []
    if changed:
        out.append(f"crmdefs will make these changes to target {quote(plan.target)}:")
    elif not plan.fields:
        out.append(f"Nothing to compare: no definition binds a field on target {quote(plan.target)}.")
        out.append(NOTHING_BOUND_HINT[:1].upper() + NOTHING_BOUND_HINT[1:])
    else:
        out.append(f"No changes. Target {quote(plan.target)} matches the definitions.")
    for f in changed:
        out += ["", *(_paint(line, color) for line in _changed_field(f, color, plan.migrate_records))]
    if skipped:
        out += ["", "Skipped (left as the CRM has them):"]
    for f in skipped:
        out += ["", _paint(_Line("#", FIELD, f"# {f.address}"), color)]
        out += [_paint(line, color) for line in _skips(f)]
    out += ["", f"Plan: {plan.summary()}."]
    return "\n".join(out) + "\n"


def _paint(line: _Line, color: bool) -> str:
    if not line.text:
        return ""  # a blank line inside a text: no indent, no trailing spaces
    text = " " * line.indent + line.text
    return f"{_PAINT[line.style]}{text}{RESET}" if color and line.style else text


def _changed_field(f: FieldPlan, color: bool, migrate: bool = False) -> list[_Line]:
    """``migrate``: the plan runs its migrations (--migrate-records); otherwise skips explain them."""
    if f.action is Action.CREATE:
        lines = [_Line("+", FIELD, f"+ {f.address} ({describe_create(f.create)})")]
    else:
        stages = f" (stages of pipeline {quote(f.pipeline)})" if f.pipeline else ""
        lines = [_Line("~", FIELD, f"~ {f.address}{stages}")]
    for a in f.attributes:
        symbol = "+" if a.before is None else "-" if a.after is None else "~"
        lines += _text_change(symbol, f"{a.attribute}:", a.before, a.after, color)
    for v in f.value_changes:
        lines += _value_change(f, v, color)
    lines += [_Line("~", ITEM, f"~ {migration_text(m)}") for m in f.migrations if migrate]
    lines += [line for rt in f.record_types for line in _offer(f"record type {rt.record_type}", rt.add)]
    lines += [line for p in f.business_processes for line in _offer(f"business process {p.process}", p.add)]
    lines += [line for g in group_path_changes(f.path_changes) for line in _path_guidance(g, color)]
    if f.access is not None:
        lines.append(_Line("~", ITEM, f"~ {access_text(f.access)}"))
    if f.dependency is not None:  # the matrix (render/dependency.py)
        lines += [_Line(s, ITEM + i, text) for s, i, text in matrix_lines(f.dependency, WIDTH - ITEM)]
    lines += [_Line(*line) for r in f.rules for line in rule_lines(r, ITEM, BODY, WIDTH)]
    lines += [_Line("!", ITEM, f"! warning: {w}") for w in f.warnings]
    return lines + _skips(f)


def records_note(f: FieldPlan, value: str) -> str:
    if any(m.old == value for m in f.migrations) and f.action is not Action.NOOP:
        return "once its records have moved"
    count = f.usage.get(value)
    if count is None:
        return "records keep it"
    return f"{plural(count, 'record')} {'holds it and keeps' if count == 1 else 'hold it and keep'} it"


def migration_text(m: Migration) -> str:
    count = "its records" if m.records is None else plural(m.records, "record")
    return f"migrate {count}: {quote(m.old)} → {quote(m.new)}, then deactivate {quote(m.old)}"


def _path_guidance(g: PathGroup, color: bool) -> list[_Line]:
    """A stage's Path guidance as the rep reads it (its HTML as text), once for the record types it is the
    same on."""
    head = f"path guidance {quote(g.stage)} ({g.where}):"
    after = guidance_text(g.after)
    before = None if g.before is None else guidance_text(g.before)
    if before is None or before == after:  # new, or only the HTML differs: the text as the rep will read it
        symbol, note = ("+", "") if before is None else ("~", " formatting only")
        return [
            _Line(symbol, ITEM, f"{symbol} {head}{note}"),
            *_body(symbol, wrap_guidance(after, WIDTH - BODY)),
        ]
    return _text_change("~", head, before, after, color)


def _skips(f: FieldPlan) -> list[_Line]:
    return [_Line("#", ITEM, f"# skipped {s.attribute}: {s.reason}") for s in f.skips]


def _text_change(symbol: str, head: str, before: str | None, after: str | None, color: bool) -> list[_Line]:
    """Short texts inline; a new text wrapped below; a changed or cleared long text as a word diff."""
    if _short(before) and _short(after):
        # a new attribute text is just its text; elsewhere "(none)" says the old text was empty
        new = before is None and symbol == "+"
        shown = quote(after or "") if new else f"{_quote_or_none(before)} → {_quote_or_none(after)}"
        return [_Line(symbol, ITEM, f"{symbol} {head} {shown}")]
    if before is None:
        return [_Line(symbol, ITEM, f"{symbol} {head}"), *_body("+", wrap(after or "", WIDTH - BODY))]
    if after is not None and same_words(before, after):
        return [_Line(symbol, ITEM, f"{symbol} {head} (spacing only)"), *_body("", wrap(after, WIDTH - BODY))]
    diff = word_diff(before, after or "", color=color, width=WIDTH - BODY)
    return [_Line(symbol, ITEM, f"{symbol} {head}"), *_body("", diff)]


def _body(style: str, lines: Sequence[str]) -> list[_Line]:
    return [_Line(style, BODY, line) for line in lines]


def _short(text: str | None) -> bool:
    return text is None or ("\n" not in text and len(text) <= SHORT)


def _value_change(f: FieldPlan, v: ValueChange, color: bool) -> list[_Line]:
    name = f"value {quote(v.value)}"
    crm = f.address.crm
    if v.kind is K.ADD:
        return _added_value(f, v)
    if v.kind in (K.RELABEL, K.REDESCRIBE):
        what = "label" if v.kind is K.RELABEL else "description"
        return _text_change("~", f"{name}: {what}", _text(v.before), _text(v.after), color)
    if v.kind is K.REORDER:
        return _reorder(_names(v.before), _names(v.after))
    if v.kind is K.DEACTIVATE:
        return [_Line("-", ITEM, f"- {name}: {retire_word(crm)} ({records_note(f, v.value)})")]
    simple = {
        K.REACTIVATE: restore_word(crm),
        K.SET_DEFAULT: "make default",
        K.UNSET_DEFAULT: "no longer default",
        K.UPDATE_ATTRIBUTES: ", ".join(f"{k} {b} → {a}" for k, b, a in attribute_pairs(v.before, v.after)),
    }
    return [_Line("~", ITEM, f"~ {name}: {simple[v.kind]}")]


def _added_value(f: FieldPlan, v: ValueChange) -> list[_Line]:
    state = target_value(f, v.value)
    details = new_value_details(_text(v.after) or v.value, state)
    lines = [_Line("+", ITEM, f"+ value {quote(v.value)} ({', '.join(details)})")]
    if state is not None and state.description:
        lines += _body("+", wrap(state.description, WIDTH - BODY))
    return lines


def _reorder(before: list[str], after: list[str]) -> list[_Line]:
    old, new = ", ".join(before), ", ".join(after)
    if len(old) <= SHORT and len(new) <= SHORT:
        return [_Line("~", ITEM, f"~ order: {old} → {new}")]
    lines = [_Line("~", ITEM, "~ order:")]
    for label, names in (("was: ", before), ("now: ", after)):
        # one token per value ("No Budget," stays whole), continuation lines hang under the first name
        tokens = [f"{n}," for n in names[:-1]] + names[-1:]
        wrapped = wrap_tokens(tokens, WIDTH - BODY - len(label))
        lines += _body("~", [label + wrapped[0], *(" " * len(label) + w for w in wrapped[1:])])
    return lines


def _offer(where: str, add: tuple[str, ...]) -> list[_Line]:
    """A record type or business process that starts offering values."""
    head = f"+ {where}: offer"
    values = ", ".join(quote(v) for v in add)
    if ITEM + len(head) + 1 + len(values) <= WIDTH:
        return [_Line("+", ITEM, f"{head} {values}")]
    tokens = [f"{quote(v)}," for v in add[:-1]] + [quote(add[-1])]
    return [_Line("+", ITEM, head), *_body("+", wrap_tokens(tokens, WIDTH - BODY))]


# Wording shared with the Markdown renderer, so both say the same thing the same way.


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _quote_or_none(text: str | None) -> str:
    return "(none)" if text is None else quote(text)


def describe_create(spec: CreateSpec | None) -> str:
    if spec is None:
        return "create"
    words = f"create {spec.type}" + (f"/{spec.field_type}" if spec.field_type else "")
    words += f" in group {spec.group}" if spec.group else ""
    words += ", restricted" if spec.restricted else ""
    return words + (f", visible to permission set {spec.permission_set}" if spec.permission_set else "")


ACCESS_WORDS = {"none": "no access", "read": "read only", "read_edit": "read and edit"}


def access_text(access: AccessChange) -> str:
    """A grant through a permission set, e.g. 'access through permission set Sales: no access → read and
    edit'."""
    before = ACCESS_WORDS.get(access.before, access.before)
    after = ACCESS_WORDS.get(access.after, access.after)
    return f"access through permission set {access.permission_set}: {before} → {after}"


def retire_word(crm: Crm) -> str:
    # Salesforce deactivates a value (isActive false); HubSpot hides an option. Neither deletes it.
    return "hide" if crm is Crm.HUBSPOT else "deactivate"


def restore_word(crm: Crm) -> str:
    return "unhide" if crm is Crm.HUBSPOT else "reactivate"


def target_value(f: FieldPlan, value: str) -> ValueState | None:
    """The value as the plan will write it (an added value's description, default and attributes)."""
    return next((s for s in f.target_values or () if s.value == value), None)


def new_value_details(label: str, state: ValueState | None) -> list[str]:
    details = [f"label {quote(label)}"]
    if state is not None:
        details += ["default"] if state.default else []
        details += [f"{k} {scalar(v)}" for k, v in state.attributes.items()]
    return details


def attribute_pairs(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """Stage/status attribute changes as (name, before, after), e.g. ``("probability", "10", "0")``."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return [(k, scalar(old.get(k)), scalar(v)) for k, v in new.items()]


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(none)"
    return quote(value) if isinstance(value, str) else str(value)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _names(value: object) -> list[str]:
    return [str(n) for n in value] if isinstance(value, list | tuple) else []
