"""Where each term lives in the CRMs: the fields whose text or values carry it. Pure.

Used by ``crmdefs docs`` ("where it lives"), ``crmdefs review`` (terms with no binding, bindings to
deprecated terms) and the approval gate's messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdefs.definitions.model import FieldAddress, FieldBinding, Glossary, TextSpec


@dataclass(frozen=True)
class TermUse:
    """One place a term is carried: ``role`` is ``help text``, ``description``, ``label``, ``picklist``
    or ``value`` (then ``value`` is the CRM's stored value)."""

    address: FieldAddress
    role: str
    binding: FieldBinding
    value: str | None = None

    def __str__(self) -> str:
        role = f"value {self.value}" if self.value is not None else self.role
        return f"{self.address} ({role})"


_TEXTS = (("label", "label"), ("help_text", "help text"), ("description", "description"))


def binding_uses(binding: FieldBinding) -> list[tuple[str, str, str | None]]:
    """(term id, role, stored value or None) for every term ``binding`` carries, in file order."""
    uses: list[tuple[str, str, str | None]] = []
    for attribute, role in _TEXTS:
        spec: TextSpec | None = getattr(binding, attribute)
        if spec is not None:
            uses += [(term, role, None) for term in spec.terms]
    picklist = binding.picklist
    if picklist is not None:
        if picklist.term is not None:
            uses.append((picklist.term, "picklist", None))
        crm = binding.address.crm
        uses += [(v.term, "value", v.value_in(crm)) for v in picklist.values if v.term is not None]
    return uses


def term_uses(glossary: Glossary) -> dict[str, list[TermUse]]:
    """Every term id of ``glossary`` → the places it is carried (empty list: bound nowhere).

    Addresses are sorted (Salesforce before HubSpot, then by object and field) so output is stable."""
    index: dict[str, list[TermUse]] = {term_id: [] for term_id in glossary.terms}
    ordered = sorted(glossary.bindings, key=lambda b: (b.address.crm.value != "salesforce", b.address.dotted))
    for binding in ordered:
        for term, role, value in binding_uses(binding):
            if term in index:
                index[term].append(TermUse(binding.address, role, binding, value))
    return index
