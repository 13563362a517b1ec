"""Plan → Markdown for a pull-request comment. PURE: returns a string, never prints.

A heading with the target and the counts; per changed field a ``change | what | before | after`` table
with every text in full (the reviewer approves exactly what will be written) and warnings as quotes; one
"Skipped" table for everything the CRM cannot take; a footer saying how to apply. Cell text is escaped so
that a ``|``, a line break or Markdown punctuation in a description shows as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import (
    Action,
    AttributeChange,
    DependencyRow,
    FieldPlan,
    Plan,
    RuleChange,
    Skip,
    ValueChange,
    ValueChangeKind,
)
from crmdefs.render.guidance import group_path_changes, guidance_text
from crmdefs.render.rules import changed as rule_changed
from crmdefs.render.rules import head as rule_head
from crmdefs.render.rules import violations as rule_violations
from crmdefs.render.text import (
    ACCESS_WORDS,
    attribute_pairs,
    describe_create,
    migration_text,
    new_value_details,
    records_note,
    restore_word,
    retire_word,
    target_value,
)

K = ValueChangeKind
Row = tuple[str, str, str, str]  # change | what | before | after, each already Markdown
# Backslash-escaping any ASCII punctuation is allowed by CommonMark; these are the ones that would
# otherwise format (emphasis, code, links, strikethrough, HTML, entities) or end a table cell.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_STATES = {Crm.SALESFORCE: ("active", "inactive"), Crm.HUBSPOT: ("visible", "hidden")}


def render_plan(plan: Plan, *, color: bool = False) -> str:
    """``color`` is accepted for the common renderer signature; Markdown has no colors."""
    out = [f"### crmdefs plan for {code(plan.target)}: {plan.summary()}", ""]
    if not plan.fields:
        out += [f"Nothing to compare: no definition binds a field on {code(plan.target)}.", ""]
    elif not plan.changes:
        out += [f"No changes: {code(plan.target)} matches the definitions.", ""]
    for f in plan.changes:
        out += _field_section(f, plan.migrate_records)
    skips = [(f.address, s) for f in plan.fields for s in f.skips]
    if skips:
        out += _skipped_section(skips)
    if plan.changes:
        out.append("Apply with `crmdefs apply`.")
    return "\n".join(out).rstrip("\n") + "\n"


def cell(text: str | None) -> str:
    """Plain text as one table cell: Markdown punctuation escaped, line breaks as ``<br>``."""
    return "" if text is None else _SPECIAL.sub(r"\\\1", text).replace("\n", "<br>")


def code(text: str, *, in_table: bool = False) -> str:
    """A code span that holds any text: the fence is longer than any run of backticks inside."""
    text = text.replace("\n", " ")
    if in_table:
        text = text.replace("|", "\\|")  # GitHub splits cells on | even inside code spans
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _field_section(f: FieldPlan, migrate: bool = False) -> list[str]:
    if f.action is Action.CREATE:
        out = [f"#### + {code(str(f.address))} ({cell(describe_create(f.create))})", ""]
    else:
        stages = f" (stages of pipeline {code(f.pipeline)})" if f.pipeline else ""
        out = [f"#### ~ {code(str(f.address))}{stages}", ""]
    rows = [_attribute_row(a) for a in f.attributes]
    rows += [_value_row(f, v) for v in f.value_changes]
    rows += [
        ("+ offer", f"record type {code(rt.record_type, in_table=True)}", "", cell(", ".join(rt.add)))
        for rt in f.record_types
    ]
    rows += [
        ("+ offer", f"business process {code(p.process, in_table=True)}", "", cell(", ".join(p.add)))
        for p in f.business_processes
    ]
    rows += [
        (
            "~ path guidance",
            f"{cell(g.where)} · {code(g.stage, in_table=True)}",
            cell(guidance_text(g.before or "")),
            cell(guidance_text(g.after)),
        )
        for g in group_path_changes(f.path_changes)
    ]
    if f.access is not None:
        words = ACCESS_WORDS
        rows.append(
            (
                "~ grant",
                f"access · permission set {code(f.access.permission_set, in_table=True)}",
                cell(words.get(f.access.before, f.access.before)),
                cell(words.get(f.access.after, f.access.after)),
            )
        )
    if f.dependency is not None:  # one row per value of the matrix (render/dependency.py)
        field = f.dependency.controlling_field
        rows += [
            (
                f"~ depends on {code(field, in_table=True)}",
                f"value {code(r.value, in_table=True)}",
                *_offers(r),
            )
            for r in f.dependency.rows
        ]
    if migrate:
        rows += [("~ migrate", "records", "", cell(migration_text(m))) for m in f.migrations]
    rows += [row for rule in f.rules for row in _rule_rows(rule)]
    out += [*_table(("change", "what", "before", "after"), rows), ""]
    notes = [f"validation rule {r.name}: {n}" for r in f.rules if (n := rule_violations(r)) and r.violations]
    return out + [line for w in [*f.warnings, *notes] for line in (f"> **Warning:** {cell(w)}", "")]


def _rule_rows(rule: RuleChange) -> list[Row]:
    """A validation rule: its change, then each attribute it sets (formula and message in full)."""
    symbol, head = rule_head(rule)
    name = f"validation rule {code(rule.name, in_table=True)}"
    rows: list[Row] = [
        (f"{symbol} rule", name, "", cell(head.removeprefix(f"validation rule {rule.name}").strip(" :()")))
    ]
    if rule.kind != "deactivate":
        rows += [
            ("", f"{name} · {what}", cell(_text(b)), cell(_text(a))) for what, b, a in rule_changed(rule)
        ]
    return rows


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _attribute_row(a: AttributeChange) -> Row:
    change = "+ set" if a.before is None else "- clear" if a.after is None else "~ change"
    return (change, code(a.attribute, in_table=True), cell(a.before), cell(a.after))


def _value_row(f: FieldPlan, v: ValueChange) -> Row:
    what = f"value {code(v.value, in_table=True)}"
    crm = f.address.crm
    on, off = _STATES[crm]
    if v.kind is K.ADD:
        state = target_value(f, v.value)
        details = ", ".join(new_value_details(str(v.after or v.value), state))
        description = f"\n{state.description}" if state is not None and state.description else ""
        return ("+ add", what, "", cell(details + description))
    if v.kind is K.REORDER:
        return ("~ reorder", "value order", cell(_listing(v.before)), cell(_listing(v.after)))
    if v.kind is K.UPDATE_ATTRIBUTES:
        pairs = attribute_pairs(v.before, v.after)
        before = "\n".join(f"{k}: {b}" for k, b, _ in pairs)
        return ("~ attributes", what, cell(before), cell("\n".join(f"{k}: {a}" for k, _, a in pairs)))
    if v.kind in (K.RELABEL, K.REDESCRIBE):
        return (f"~ {v.kind.value}", what, cell(_text(v.before)), cell(_text(v.after)))
    change, before, after = {
        K.DEACTIVATE: (f"- {retire_word(crm)}", on, f"{off} ({records_note(f, v.value)})"),
        K.REACTIVATE: (f"~ {restore_word(crm)}", off, on),
        K.SET_DEFAULT: ("~ set default", "not default", "default"),
        K.UNSET_DEFAULT: ("~ unset default", "default", "not default"),
    }[v.kind]
    return (change, what, before, after)


def _skipped_section(skips: Sequence[tuple[FieldAddress, Skip]]) -> list[str]:
    rows = [(code(str(a), in_table=True), code(s.attribute, in_table=True), cell(s.reason)) for a, s in skips]
    return ["#### Skipped (left as the CRM has them)", "", *_table(("field", "what", "reason"), rows), ""]


def _listing(value: object) -> str:
    return ", ".join(str(n) for n in value) if isinstance(value, list | tuple) else ""


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _offers(row: DependencyRow) -> tuple[str, str]:
    """Before and after: the controlling values that offer the value."""
    return cell(", ".join(row.before) or "(none)"), cell(", ".join(row.after) or "(none)")
