"""Glossary → the text each CRM field should carry. Pure: no I/O, no SDKs.

One definition, many places: a term's text is written once and composed into every field that
carries it. Composition rules (documented in README "Definitions"):

- ``{term: mql, use: summary}`` → the term's summary (or ``definition`` / ``name``);
- ``{terms: [mql, sal], use: summary}`` → one line per term, ``MQL: <summary>``;
- ``intro`` is placed on its own line before the composed text.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import PicklistValue, Term, TextSpec


def _part(term: Term, use: str) -> str:
    if use == "definition":
        return term.definition.strip()
    if use == "name":
        return term.name.strip()
    return term.summary.strip()


def compose(text: TextSpec, terms: Mapping[str, Term]) -> str:
    """The final text of ``text``; every referenced term must exist in ``terms``."""
    if text.literal is not None:
        return text.literal.strip()
    if text.composed_list:
        body = "\n".join(f"{terms[t].short_name}: {_part(terms[t], text.use)}" for t in text.terms)
    else:
        body = " ".join(_part(terms[t], text.use) for t in text.terms)
    return f"{text.intro.strip()}\n{body}" if text.intro else body


def value_description(value: PicklistValue, terms: Mapping[str, Term]) -> str | None:
    """A value's description: its own, else the summary of its term, else none."""
    if value.description is not None:
        return value.description.strip()
    if value.term is not None and value.term in terms:
        return terms[value.term].summary.strip()
    return None
