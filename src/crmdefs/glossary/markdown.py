"""Glossary → Markdown, a document people read on GitHub or in an editor. PURE: returns a string.

Reading order: title, contents, the funnel in stage order, one section per category (terms by name), then
the picklists — shared ones first, then those defined on one field. Every term has an explicit
``<a id="TERM-ID"></a>`` before its heading, so ``#mql`` links keep working when a name changes (GitHub's
own heading anchors follow the text). Every other anchor contains ``_``, which term ids cannot
(``format.ID_PATTERN``), so no section can take a term's anchor.

No tables: long text reads better in lists. User text is escaped (:func:`text`) so a ``|``, a ``<script>``
or a leading ``#`` shows as written. What is said and in which order comes
from :mod:`.glossary_outline`, shared with :mod:`.glossary_html`.
"""

from __future__ import annotations

import re

from crmdefs.definitions.model import Crm, FieldBinding, Glossary, Picklist, Status, Term
from crmdefs.glossary.outline import (
    CRM_NAMES,
    FUNNEL_ANCHOR,
    GENERATED,
    PICKLISTS_ANCHOR,
    TITLE,
    Place,
    categories,
    category_anchor,
    category_title,
    counts,
    field_picklists,
    fields_using,
    funnel,
    last_reviewed,
    next_review_text,
    paragraphs,
    picklist_anchor,
    places,
    shared_picklists,
    status_note,
    status_suffix,
    title,
    value_label,
    value_overrides,
    value_settings,
)
from crmdefs.plan.desired import value_description

_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# At the start of a line (or of a list item) these begin a heading, quote, list or setext underline.
_BLOCK = re.compile(r"^([#>+=-])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def text(value: str) -> str:
    """User text as one line of Markdown that shows exactly as written."""
    line = _INLINE.sub(r"\\\1", " ".join(value.split()))
    return _ORDERED.sub(r"\1\\\2", _BLOCK.sub(r"\\\1", line))


def code(value: str) -> str:
    """A code span holding any text: the fence is longer than any run of backticks inside."""
    value = " ".join(value.split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def link(label: str, anchor: str) -> str:
    return f"[{text(label)}](#{anchor})"


def term_link(term_id: str, glossary: Glossary) -> str:
    """A link to a term by its short name, marked ``(draft)`` or ``(deprecated)`` when not approved."""
    term = glossary.terms.get(term_id)
    if term is None:  # validation rejects unknown references; show the id rather than a dead link
        return text(term_id)
    return link(term.short_name, term_id) + status_suffix(term)


def render_glossary(glossary: Glossary, heading: str = TITLE) -> str:
    where = places(glossary)
    out = [f"# {text(heading)}", "", f"_{text(GENERATED)}_ {text(counts(glossary))}.", ""]
    out += _contents(glossary)
    out += _funnel(glossary)
    for category, terms in categories(glossary):
        heading = text(category_title(category, glossary))
        out += [f'<a id="{category_anchor(category)}"></a>', f"## {heading}", ""]
        for term in terms:
            out += _term(term, glossary, where[term.id])
    out += _picklists(glossary)
    return "\n".join(out).rstrip("\n") + "\n"


def _contents(glossary: Glossary) -> list[str]:
    out = ["## Contents", ""]
    if funnel(glossary):
        out.append(f"- {link('The funnel, stage by stage', FUNNEL_ANCHOR)}")
    for category, terms in categories(glossary):
        entries = ", ".join(term_link(t.id, glossary) for t in terms)
        out.append(f"- {link(category_title(category, glossary), category_anchor(category))}: {entries}")
    lists = [link(p.name, f"picklist_{p.id}") for p in shared_picklists(glossary)]
    lists += [_field_link(b) for b in field_picklists(glossary)]
    if lists:
        out.append(f"- {link('Picklists', PICKLISTS_ANCHOR)}: {', '.join(lists)}")
    return [*out, ""]


def _field_link(binding: FieldBinding) -> str:
    anchor = picklist_anchor(binding)
    name = f"{CRM_NAMES[binding.address.crm]} {binding.address.dotted}"
    return link(name, anchor) if anchor else text(name)


def _funnel(glossary: Glossary) -> list[str]:
    staged = funnel(glossary)
    if not staged:
        return []
    out = [f'<a id="{FUNNEL_ANCHOR}"></a>', "## The funnel, stage by stage", ""]
    out += ["From a new record to a closed deal, in the order people and deals move through it.", ""]
    for number, term in enumerate(staged, 1):
        status = "" if term.status is Status.APPROVED else f" — **{term.status.value}**"
        out.append(f"{number}. {link(title(term), term.id)}{status} — {text(term.summary)}")
    return [*out, ""]


def _term(term: Term, glossary: Glossary, where: list[Place]) -> list[str]:
    status = "" if term.status is Status.APPROVED else f" — {term.status.value}"
    out = [f'<a id="{term.id}"></a>', f"### {text(title(term))}{status}", ""]
    note = status_note(term)
    if note:
        out += [f"> **{note[0]}** — {text(note[1])}", ""]
    out += [f"**In short:** {text(term.summary)}", ""]
    out += _prose("Definition", term.definition)
    out += _list("Criteria — all of these hold", term.criteria)
    out += _list("Disqualifiers — any of these rules it out", term.disqualifiers)
    if term.example:
        out += _prose("Example", term.example)
    out += _facts(term, glossary)
    out += ["**Where it lives:**", ""]
    out += [f"- {_place(p)}" for p in where] or ["- none yet"]
    out += [""]
    if term.changelog:
        out += ["**Changelog** (newest first):", ""]
        for entry in sorted(term.changelog, key=lambda e: e.date, reverse=True):
            out.append(f"- {entry.date.isoformat()} — {text(entry.change)} _Why:_ {text(entry.reason)}")
        out.append("")
    return out


def _prose(label: str, value: str) -> list[str]:
    parts = paragraphs(value)
    if not parts:
        return []
    out = [f"**{label}:** {text(parts[0])}", ""]
    for part in parts[1:]:
        out += [text(part), ""]
    return out


def _list(label: str, items: tuple[str, ...]) -> list[str]:
    return [f"**{label}:**", "", *(f"- {text(i)}" for i in items), ""] if items else []


def _place(p: Place) -> str:
    field = f"[{code(p.field)}](#{p.anchor})" if p.anchor else code(p.field)
    role = p.role
    if p.value is not None:
        role = f"value {code(p.value)}"
    elif p.picklist is not None:
        role = f"picklist {text(p.picklist)}"
    return f"{p.crm} {field} — {role}"


def _facts(term: Term, glossary: Glossary) -> list[str]:
    """One paragraph, a fact a line (a trailing backslash is a hard line break in CommonMark)."""
    facts = []
    if term.synonyms:
        facts.append(f"**Also called:** {', '.join(text(s) for s in term.synonyms)}")
    if term.related:
        facts.append(f"**Related:** {', '.join(term_link(r, glossary) for r in term.related)}")
    if term.owner:
        facts.append(f"**Owner:** {text(term.owner)}")
    if term.reviewers:
        facts.append(f"**Reviewers:** {', '.join(text(r) for r in term.reviewers)}")
    reviewed = last_reviewed(term)
    if reviewed:
        facts.append(f"**Last reviewed:** {reviewed}")
    facts.append(f"**Next review:** {text(next_review_text(term))}")
    return ["\\\n".join(facts), ""]


def _picklists(glossary: Glossary) -> list[str]:
    shared, own = shared_picklists(glossary), field_picklists(glossary)
    if not shared and not own:
        return []
    out = [f'<a id="{PICKLISTS_ANCHOR}"></a>', "## Picklists", ""]
    out += ["The values people choose from in the CRMs, and what each one means.", ""]
    for picklist in shared:
        out += [f'<a id="picklist_{picklist.id}"></a>', f"### {text(picklist.name)}", ""]
        if picklist.description:
            out += [*(text(p) for p in paragraphs(picklist.description)), ""]
        users = [_field_code(b) for b in fields_using(glossary, picklist)]
        out += _picklist_facts(picklist, glossary, users)
        out += _values(picklist, glossary, None)
    for binding in own:
        assert binding.picklist is not None  # field_picklists keeps only bindings with one
        out += [f'<a id="{picklist_anchor(binding)}"></a>', f"### {_field_code(binding)}", ""]
        out += _picklist_facts(binding.picklist, glossary, [])
        out += _values(binding.picklist, glossary, binding.address.crm)
    return out


def _field_code(binding: FieldBinding) -> str:
    return f"{CRM_NAMES[binding.address.crm]} {code(binding.address.dotted)}"


def _picklist_facts(picklist: Picklist, glossary: Glossary, users: list[str]) -> list[str]:
    facts = []
    if picklist.term:
        facts.append(f"- **Classifies:** {term_link(picklist.term, glossary)}")
    if users:
        facts.append(f"- **Used by:** {', '.join(users)}")
    return [*facts, ""] if facts else []


def _values(picklist: Picklist, glossary: Glossary, crm: Crm | None) -> list[str]:
    out = ["**Values:**", ""]
    for value in picklist.values:
        stored = value.value_in(crm) if crm else value.value
        label = value_label(value, crm)
        head = f"- **{text(label)}**" + (f" — stored as {code(stored)}" if stored != label else "")
        out.append(head)
        meaning = value_description(value, glossary.terms)
        details = [text(meaning)] if meaning else []
        if value.term:
            details.append(f"Term: {term_link(value.term, glossary)}")
        settings = value_settings(value) if crm is not Crm.HUBSPOT else []
        if settings:
            details.append(f"Salesforce: {', '.join(settings)}")
        if crm is None:
            details += [f"{name} {key}: {code(v)}" for name, key, v in value_overrides(value)]
        if value.synonyms:
            details.append(f"Also called: {', '.join(text(s) for s in value.synonyms)}")
        if value.renamed_from:
            details.append(f"Replaces old values: {', '.join(code(v) for v in value.renamed_from)}")
        out += [f"  - {d}" for d in details]
    return [*out, ""]
