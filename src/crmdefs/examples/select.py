"""Which fields and values show a term's examples. Pure.

A record is an example of a term when a bound picklist field holds a value tied to the term: a value whose
``term:`` is the term, or any value of a picklist whose own ``term:`` is the term (the closed-lost reasons
picklist: every reason is given only on a lost deal). Values are the ones stored in the CRM
(``PicklistValue.value_in``); a field with no such value is not asked.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from crmdefs.definitions.model import FieldAddress, Glossary, Term
from crmdefs.errors import CrmdefsError


@dataclass(frozen=True)
class TermField:
    """One field to read: its address and the stored values tied to the term, in definition order."""

    address: FieldAddress
    values: tuple[str, ...]


def find_term(glossary: Glossary, wanted: str) -> Term:
    """The term with id ``wanted`` (or that name, in any case); an unknown one is an error naming the
    closest ids."""
    if wanted in glossary.terms:
        return glossary.terms[wanted]
    by_name = {t.name.casefold(): t for t in glossary.terms.values()}
    by_id = {t.id.casefold(): t for t in glossary.terms.values()}
    found = by_id.get(wanted.casefold()) or by_name.get(wanted.casefold())
    if found is not None:
        return found
    close = difflib.get_close_matches(wanted.casefold(), sorted(by_id), n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"'{by_id[c].id}'" for c in close) + "?"
        if close
        else "`crmdefs docs` lists the terms"
    )
    raise CrmdefsError(f"no term '{wanted}' in the definitions — {hint}")


def term_fields(glossary: Glossary, term_id: str) -> list[TermField]:
    """The bound picklist fields holding values tied to ``term_id``: Salesforce first, then HubSpot, each by
    object and field."""
    fields: list[TermField] = []
    ordered = sorted(glossary.bindings, key=lambda b: (b.address.crm.value != "salesforce", b.address.dotted))
    for binding in ordered:
        picklist = binding.picklist
        if picklist is None:
            continue
        crm = binding.address.crm
        whole = picklist.term == term_id
        values = tuple(dict.fromkeys(v.value_in(crm) for v in picklist.values if whole or v.term == term_id))
        if values:
            fields.append(TermField(binding.address, values))
    return fields
