"""What the glossary says and in which order, whatever the format: the funnel, categories, review dates,
where each term lives, picklist values and their settings. Pure; shared by :mod:`.glossary_md` and
:mod:`.glossary_html`, so both formats say the same things in the same order.

Every anchor but a term's own contains ``_``, which term ids cannot (``format.ID_PATTERN``), so no section
can take a term's anchor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crmdefs.definitions.model import Crm, FieldBinding, Glossary, Picklist, PicklistValue, Status, Term
from crmdefs.definitions.termindex import TermUse, term_uses
from crmdefs.review.findings import next_review
from crmdefs.words import plural

TITLE = "Revenue glossary"
# Forecast categories as Setup shows them; the definitions use the Metadata API's names
# (docs/salesforce.md#sf-forecast-category-names).
FORECAST_LABELS = {"Forecast": "Commit", "BestCase": "Best Case", "MostLikely": "Most Likely"}
GENERATED = "Generated from the definitions by crmdefs docs: edit the definitions, not this file."
CRM_NAMES = {Crm.SALESFORCE: "Salesforce", Crm.HUBSPOT: "HubSpot"}
FUNNEL_ANCHOR = "funnel_overview"
PICKLISTS_ANCHOR = "section_picklists"
STATUS_NOTES = {
    Status.DRAFT: "proposed and not approved yet, so it may still change.",
    Status.DEPRECATED: "no longer in use; do not use it in new fields, reports or conversations.",
}

# ---- what the glossary says, in which order (shared with glossary_html) ---------------------------


def title(term: Term) -> str:
    """``Marketing Qualified Lead (MQL)``; just the name when there is no abbreviation."""
    return f"{term.name} ({term.abbreviation})" if term.abbreviation else term.name


def by_name(terms: Iterable[Term]) -> list[Term]:
    return sorted(terms, key=lambda t: (t.name.casefold(), t.id))


def funnel(glossary: Glossary) -> list[Term]:
    """Terms with a ``funnel_stage``, in stage order."""
    staged = [t for t in glossary.terms.values() if t.funnel_stage is not None]
    return sorted(staged, key=lambda t: (t.funnel_stage or 0, t.name.casefold(), t.id))


def categories(glossary: Glossary) -> list[tuple[str | None, list[Term]]]:
    """(category, its terms by name), categories alphabetical; terms without one come last."""
    names = sorted({t.category for t in glossary.terms.values() if t.category is not None})
    groups: list[tuple[str | None, list[Term]]] = [
        (c, by_name(t for t in glossary.terms.values() if t.category == c)) for c in names
    ]
    rest = by_name(t for t in glossary.terms.values() if t.category is None)
    return [*groups, (None, rest)] if rest else groups


def category_title(category: str | None, glossary: Glossary) -> str:
    """A category named like a term reads as that term's short name (``icp`` → ICP); others are
    capitalised (``handoff`` → Handoff)."""
    if category is None:
        return "Other terms"
    if category in glossary.terms:
        return glossary.terms[category].short_name
    words = category.replace("-", " ")
    return words[:1].upper() + words[1:]


def category_anchor(category: str | None) -> str:
    return f"category_{category or '_none'}"


def picklist_anchor(binding: FieldBinding) -> str | None:
    """The section listing ``binding``'s values: its shared picklist, or the field's own."""
    if binding.picklist is None:
        return None
    if not binding.picklist.inline:
        return f"picklist_{binding.picklist.id}"
    address = binding.address
    return f"field_{address.crm.value}_{address.object}-{address.field}".lower()


def status_note(term: Term) -> tuple[str, str] | None:
    """(``Draft``, why it needs care) for a term that is not approved; None for approved terms."""
    note = STATUS_NOTES.get(term.status)
    return (term.status.value.capitalize(), note) if note else None


def status_suffix(term: Term) -> str:
    return "" if term.status is Status.APPROVED else f" ({term.status.value})"


def counts(glossary: Glossary) -> str:
    """``46 terms in 8 categories, 6 picklists``: what the document holds."""
    terms, groups = len(glossary.terms), len(categories(glossary))
    lists = len(shared_picklists(glossary)) + len(field_picklists(glossary))
    return (
        f"{plural(terms, 'term')} in {plural(groups, 'category', 'categories')}, {plural(lists, 'picklist')}"
    )


def last_reviewed(term: Term) -> str | None:
    return term.last_reviewed.isoformat() if term.last_reviewed else None


def next_review_text(term: Term) -> str:
    due = next_review(term)
    if due is not None:
        return f"{due.isoformat()} (every {term.review_every})"
    if term.review_every is not None:
        return f"due now: never reviewed (every {term.review_every})"
    return "not scheduled"


def _address_order(binding: FieldBinding) -> tuple[bool, str]:
    return (binding.address.crm is not Crm.SALESFORCE, binding.address.dotted)


@dataclass(frozen=True)
class Place:
    """One line of "Where it lives": ``Salesforce`` ``Lead.Status`` — ``value`` ``Marketing Qualified``."""

    crm: str
    field: str
    role: str  # label | help text | description | picklist | value
    value: str | None  # the stored value, for role "value"
    anchor: str | None  # the section listing the field's values, if it has a picklist
    picklist: str | None  # the shared picklist's name, for role "picklist"


def place(use: TermUse) -> Place:
    role, value = use.role, use.value
    shared = use.binding.picklist if use.binding.picklist and not use.binding.picklist.inline else None
    return Place(
        crm=CRM_NAMES[use.address.crm],
        field=use.address.dotted,
        role=role,
        value=value,
        anchor=picklist_anchor(use.binding),
        picklist=shared.name if shared and role == "picklist" else None,
    )


def places(glossary: Glossary) -> dict[str, list[Place]]:
    """Every term id → where it lives (Salesforce first, then by field)."""
    return {term_id: [place(u) for u in uses] for term_id, uses in term_uses(glossary).items()}


def fields_using(glossary: Glossary, picklist: Picklist) -> list[FieldBinding]:
    return sorted(
        (
            b
            for b in glossary.bindings
            if b.picklist and not b.picklist.inline and b.picklist.id == picklist.id
        ),
        key=_address_order,
    )


def shared_picklists(glossary: Glossary) -> list[Picklist]:
    return sorted((p for p in glossary.picklists.values() if not p.inline), key=lambda p: p.name.casefold())


def field_picklists(glossary: Glossary) -> list[FieldBinding]:
    """Bindings whose picklist is written inside the field (``inline``), Salesforce first."""
    return sorted((b for b in glossary.bindings if b.picklist and b.picklist.inline), key=_address_order)


def value_label(value: PicklistValue, crm: Crm | None) -> str:
    """The label people see: in ``crm`` for a field's own list, else the shared one."""
    if crm is not None:
        return value.label_in(crm)
    return (value.label or "").strip() or value.value


def value_settings(value: PicklistValue) -> list[str]:
    """Salesforce stage and status settings a reader cares about, in words."""
    words: list[str] = []
    if value.default:
        words.append("the default")
    if value.closed is not None:
        words.append(("closed" + (", won" if value.won else ", lost")) if value.closed else "open")
    if value.probability is not None:
        words.append(f"probability {value.probability}%")
    if value.forecast_category:
        shown = FORECAST_LABELS.get(value.forecast_category, value.forecast_category)
        words.append(f"forecast category {shown}")
    if value.converted:
        words.append("converts the lead")
    return words


def value_overrides(value: PicklistValue) -> list[tuple[str, str, str]]:
    """(CRM, ``value`` | ``label``, text) where one CRM differs, Salesforce first."""
    return [
        (CRM_NAMES[crm], key, value.overrides[crm][key])
        for crm in (Crm.SALESFORCE, Crm.HUBSPOT)
        if crm in value.overrides
        for key in ("value", "label")
        if key in value.overrides[crm]
    ]


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line (YAML folds lines; readers reflow them)."""
    found = (" ".join(part.split()) for part in re.split(r"\n\s*\n", text))
    return [p for p in found if p]


# ---- Markdown ---------------------------------------------------------------------------------------

# Backslash-escaping ASCII punctuation is always allowed in CommonMark; these would format (emphasis,
# code, links, strikethrough, raw HTML, entities) or end a table cell.
