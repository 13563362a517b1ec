"""Glossary → one self-contained HTML page. PURE: returns a string.

Same content and order as :mod:`.glossary_md` (whose helpers decide both). The page needs nothing but
itself: inline CSS and script, system fonts, no network — it can be mailed, put on an intranet or opened
from disk. It reads on a 375px phone (text wraps, nothing scrolls sideways). Every user text goes through
``html.escape``.

Search: a small script reveals the search box (without JavaScript the box stays hidden and every term is
shown) and, on each keystroke, hides the entries — terms and picklists — whose searchable text (the
elements marked ``data-find``: a term's name, abbreviation, synonyms, summary, definition and the API names
of its fields; a picklist's name, fields, values, stored values, their synonyms and meanings) does not
contain every word typed, case-insensitively. While a query is active the overview sections step aside,
sections left empty hide, a status line counts the matches and ``#no_matches`` appears when nothing
matches.
"""

from __future__ import annotations

from html import escape

from crmdefs.definitions.model import Crm, FieldBinding, Glossary, Picklist, PicklistValue, Status, Term
from crmdefs.glossary.assets import SCRIPT, STYLE
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
from crmdefs.glossary.page import page
from crmdefs.plan.desired import value_description


def render_glossary(glossary: Glossary, heading: str = TITLE) -> str:
    where = places(glossary)
    body = [
        f"<header><h1>{escape(heading)}</h1>",
        f'<p class="muted">{escape(GENERATED)} {escape(counts(glossary))}.</p></header>',
        _search(),
        _contents(glossary),
        "<main>",
        _funnel(glossary),
        *(_category(c, terms, glossary, where) for c, terms in categories(glossary)),
        _picklists(glossary),
        "</main>",
    ]
    return page(escape(heading), STYLE, body, SCRIPT)


def _search() -> str:
    return (
        '<div class="search" id="search_box" hidden>'
        '<label for="glossary_search">Search the glossary</label>'
        '<input type="search" id="glossary_search" placeholder="A name, abbreviation, synonym or any word" '
        'autocomplete="off" spellcheck="false">'
        '<p id="search_status" role="status"></p>'
        '<p id="no_matches" hidden>No term or picklist matches your search.</p></div>'
    )


def _a(label: str, anchor: str) -> str:
    return f'<a href="#{escape(anchor)}">{escape(label)}</a>'


def _term_link(term_id: str, glossary: Glossary) -> str:
    term = glossary.terms.get(term_id)
    return _a(term.short_name, term_id) + escape(status_suffix(term)) if term else escape(term_id)


def _contents(glossary: Glossary) -> str:
    items = [f"<li>{_a('The funnel, stage by stage', FUNNEL_ANCHOR)}</li>"] if funnel(glossary) else []
    for category, terms in categories(glossary):
        links = ", ".join(_term_link(t.id, glossary) for t in terms)
        items.append(
            f"<li>{_strong_link(category_title(category, glossary), category_anchor(category))}: {links}</li>"
        )
    lists = [_a(p.name, f"picklist_{p.id}") for p in shared_picklists(glossary)]
    lists += [_a(_field_name(b), picklist_anchor(b) or "") for b in field_picklists(glossary)]
    if lists:
        items.append(f"<li>{_strong_link('Picklists', PICKLISTS_ANCHOR)}: {', '.join(lists)}</li>")
    heading = '<nav id="glossary_contents" aria-label="Contents" data-overview><h2>Contents</h2>'
    return f"{heading}<ul>{''.join(items)}</ul></nav>"


def _strong_link(label: str, anchor: str) -> str:
    return f"<strong>{_a(label, anchor)}</strong>"


def _field_name(binding: FieldBinding) -> str:
    return f"{CRM_NAMES[binding.address.crm]} {binding.address.dotted}"


def _badge(term: Term) -> str:
    if term.status is Status.APPROVED:
        return ""
    return f' <span class="badge status-{term.status.value}">{escape(term.status.value)}</span>'


def _funnel(glossary: Glossary) -> str:
    staged = funnel(glossary)
    if not staged:
        return ""
    items = "".join(f"<li>{_a(title(t), t.id)}{_badge(t)} — {escape(t.summary.strip())}</li>" for t in staged)
    return (
        f'<section id="{FUNNEL_ANCHOR}" data-overview><h2>The funnel, stage by stage</h2>'
        "<p>From a new record to a closed deal, in the order people and deals move through it.</p>"
        f"<ol>{items}</ol></section>"
    )


def _category(
    category: str | None, terms: list[Term], glossary: Glossary, where: dict[str, list[Place]]
) -> str:
    entries = "\n".join(_term(t, glossary, where[t.id]) for t in terms)
    heading = escape(category_title(category, glossary))
    anchor = category_anchor(category)
    return f'<section class="category" id="{anchor}"><h2>{heading}</h2>\n{entries}\n</section>'


def _paragraphs(value: str, attributes: str = "") -> str:
    return "".join(f"<p{attributes}>{escape(p)}</p>" for p in paragraphs(value))


def _items(values: tuple[str, ...] | list[str]) -> str:
    return "<ul>" + "".join(f"<li>{v}</li>" for v in values) + "</ul>"


def _texts(values: tuple[str, ...]) -> str:
    return _items([escape(" ".join(v.split())) for v in values])


def _term(term: Term, glossary: Glossary, where: list[Place]) -> str:
    out = [f'<article class="term" id="{escape(term.id)}">']
    out.append(f'<h3><span data-find="name">{escape(title(term))}</span>{_badge(term)}</h3>')
    note = status_note(term)
    if note:
        out.append(
            f'<p class="status-note status-{term.status.value}">{escape(note[0])} — {escape(note[1])}</p>'
        )
    out.append(_paragraphs(term.summary, ' class="summary" data-find="text"'))
    out.append(f'<h4>Definition</h4><div data-find="text">{_paragraphs(term.definition)}</div>')
    if term.criteria:
        out.append(f"<h4>Criteria — all of these hold</h4>{_texts(term.criteria)}")
    if term.disqualifiers:
        out.append(f"<h4>Disqualifiers — any of these rules it out</h4>{_texts(term.disqualifiers)}")
    if term.example:
        out.append(f"<h4>Example</h4>{_paragraphs(term.example)}")
    out.append(f"<h4>Where it lives</h4>{_items([_place(p) for p in where] or ['none yet'])}")
    out.append(_facts(term, glossary))
    if term.changelog:
        entries = [
            f"<time>{e.date.isoformat()}</time> — {escape(e.change)} <em>Why:</em> {escape(e.reason)}"
            for e in sorted(term.changelog, key=lambda e: e.date, reverse=True)
        ]
        out.append(f"<h4>Changelog <span class='muted'>(newest first)</span></h4>{_items(entries)}")
    out.append("</article>")
    return "\n".join(out)


def _place(p: Place) -> str:
    field = f'<code data-find="name">{escape(p.field)}</code>'
    if p.anchor:
        field = f'<a href="#{escape(p.anchor)}">{field}</a>'
    role = escape(p.role)
    if p.value is not None:
        role = f"value <code>{escape(p.value)}</code>"
    elif p.picklist is not None:
        role = f"picklist {escape(p.picklist)}"
    return f"{escape(p.crm)} {field} — {role}"


def _facts(term: Term, glossary: Glossary) -> str:
    facts: list[tuple[str, str, bool]] = []
    if term.synonyms:
        facts.append(("Also called", escape(", ".join(term.synonyms)), True))
    if term.related:
        facts.append(("Related", ", ".join(_term_link(r, glossary) for r in term.related), False))
    if term.owner:
        facts.append(("Owner", escape(term.owner), False))
    if term.reviewers:
        facts.append(("Reviewers", escape(", ".join(term.reviewers)), False))
    reviewed = last_reviewed(term)
    if reviewed:
        facts.append(("Last reviewed", reviewed, False))
    facts.append(("Next review", escape(next_review_text(term)), False))
    rows = "".join(f"<dt>{k}</dt><dd{' data-find=name' if find else ''}>{v}</dd>" for k, v, find in facts)
    return f'<dl class="facts">{rows}</dl>'


def _picklists(glossary: Glossary) -> str:
    shared, own = shared_picklists(glossary), field_picklists(glossary)
    if not shared and not own:
        return ""
    parts = [_shared_picklist(p, glossary) for p in shared] + [_field_picklist(b, glossary) for b in own]
    return "\n".join(
        [
            f'<section id="{PICKLISTS_ANCHOR}" class="picklists"><h2>Picklists</h2>',
            "<p>The values people choose from in the CRMs, and what each one means.</p>",
            *parts,
            "</section>",
        ]
    )


def _shared_picklist(picklist: Picklist, glossary: Glossary) -> str:
    users = ", ".join(_field_code(b) for b in fields_using(glossary, picklist))
    body = _paragraphs(picklist.description or "") + _picklist_facts(picklist, glossary, users)
    body += _values(picklist, glossary, None)
    return _picklist_section(f"picklist_{picklist.id}", escape(picklist.name), body)


def _field_picklist(binding: FieldBinding, glossary: Glossary) -> str:
    assert binding.picklist is not None  # field_picklists keeps only bindings with one
    address = binding.address
    heading = _field_code(binding)
    body = _picklist_facts(binding.picklist, glossary, "") + _values(binding.picklist, glossary, address.crm)
    return _picklist_section(picklist_anchor(binding) or "", heading, body)


def _field_code(binding: FieldBinding) -> str:
    return f'{CRM_NAMES[binding.address.crm]} <code data-find="name">{escape(binding.address.dotted)}</code>'


def _picklist_section(anchor: str, heading: str, body: str) -> str:
    # The search treats a picklist like a term: by its name, fields, values, their synonyms and meanings.
    return (
        f'<section class="picklist" id="{escape(anchor)}"><h3><span data-find="name">{heading}</span></h3>'
        f"{body}</section>"
    )


def _picklist_facts(picklist: Picklist, glossary: Glossary, users: str) -> str:
    facts = []
    if picklist.term:
        facts.append(f"<dt>Classifies</dt><dd>{_term_link(picklist.term, glossary)}</dd>")
    if users:
        facts.append(f"<dt>Used by</dt><dd>{users}</dd>")
    return f'<dl class="facts">{"".join(facts)}</dl>' if facts else ""


def _values(picklist: Picklist, glossary: Glossary, crm: Crm | None) -> str:
    return "<h4>Values</h4>" + _items([_value(v, glossary, crm) for v in picklist.values])


def _value(value: PicklistValue, glossary: Glossary, crm: Crm | None) -> str:
    stored = value.value_in(crm) if crm else value.value
    label = value_label(value, crm)
    head = f'<strong data-find="name">{escape(label)}</strong>' + (
        f' — stored as <code data-find="name">{escape(stored)}</code>' if stored != label else ""
    )
    meaning = value_description(value, glossary.terms)
    details = [f'<span data-find="text">{escape(meaning)}</span>'] if meaning else []
    if value.term:
        details.append(f"Term: {_term_link(value.term, glossary)}")
    settings = value_settings(value) if crm is not Crm.HUBSPOT else []
    if settings:
        details.append(f"Salesforce: {escape(', '.join(settings))}")
    if crm is None:
        details += [f"{name} {key}: <code>{escape(v)}</code>" for name, key, v in value_overrides(value)]
    if value.synonyms:
        details.append(f'Also called: <span data-find="name">{escape(", ".join(value.synonyms))}</span>')
    if value.renamed_from:
        details.append(
            f"Replaces old values: {', '.join(f'<code>{escape(v)}</code>' for v in value.renamed_from)}"
        )
    return head + (_items(details) if details else "")
