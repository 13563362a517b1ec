"""Reading the examples: for each term, one query per field on the CRM that holds it (adapters'
``recent_records``), on one read-only connection to the target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crmdefs.adapters.base import NO_WAITS, ExampleRecord, Progress, Waits
from crmdefs.config import Settings
from crmdefs.connect import open_target, target_crms
from crmdefs.definitions.model import FieldAddress, Glossary, Term
from crmdefs.errors import CrmApiError, StopAll
from crmdefs.examples.select import TermField, term_fields

DEFAULT_LAST = 20
# At most one page of one query per field: 200 is the most a HubSpot search page holds
# (docs/hubspot.md#hs-search-result-cap), and more records than that are no longer examples for a meeting.
MAX_LAST = 200


@dataclass(frozen=True)
class FieldExamples:
    """The newest records of one field holding the term's values; ``error``: why they could not be read
    (the CRM's message), or ``skipped``: why they were not asked for."""

    address: FieldAddress
    values: tuple[str, ...]
    records: tuple[ExampleRecord, ...] = ()
    error: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class TermExamples:
    term: Term
    target: str
    last: int
    fields: tuple[FieldExamples, ...]

    @property
    def bound(self) -> bool:
        """Whether any bound picklist value carries the term (else there is nothing to read)."""
        return bool(self.fields)


def read_examples(
    settings: Settings,
    glossary: Glossary,
    terms: Sequence[Term],
    target: str | None,
    last: int,
    progress: Progress,
    waits: Waits = NO_WAITS,
) -> list[TermExamples]:
    """Each term's examples on ``target``; the CRM is signed in to only when some term has fields."""
    wanted = {term.id: term_fields(glossary, term.id) for term in terms}
    name = settings.target(target).name
    available = target_crms(settings.target(target))
    crms = {f.address.crm for fields in wanted.values() for f in fields} & available
    if not crms:
        return [
            TermExamples(term, name, last, tuple(_not_read(f, name) for f in wanted[term.id]))
            for term in terms
        ]
    results: list[TermExamples] = []
    with open_target(settings, target, crms, read_only=True, waits=waits) as connected:
        for term in terms:
            read: list[FieldExamples] = []
            for wanted_field in wanted[term.id]:
                if wanted_field.address.crm not in crms:
                    read.append(_not_read(wanted_field, name))
                    continue
                adapter = connected.adapter(wanted_field.address.crm)
                try:
                    found = adapter.recent_records(wanted_field.address, wanted_field.values, last, progress)
                except StopAll:
                    raise
                except CrmApiError as exc:  # one field refused (not created yet, no scope): the others go on
                    read.append(FieldExamples(wanted_field.address, wanted_field.values, error=str(exc)))
                    continue
                read.append(FieldExamples(wanted_field.address, wanted_field.values, tuple(found)))
            results.append(TermExamples(term, name, last, tuple(read)))
    return results


def _not_read(field: TermField, target: str) -> FieldExamples:
    crm = field.address.crm.value
    return FieldExamples(field.address, field.values, skipped=f"target '{target}' has no {crm} section")
