"""Glossary → the text each CRM field should carry. Pure: no I/O, no SDKs.

One definition, many places: a term's text is written once and composed into every field that
carries it. Composition rules (documented in README "Definitions"):

- ``{term: mql, use: summary}`` → the term's summary (or ``definition`` / ``name``);
- ``{terms: [mql, sal], use: summary}`` → one line per term, ``MQL: <summary>``;
- ``intro`` is placed on its own line before the composed text.

The approval gate: only ``approved`` terms reach a CRM. A text written as ``term: x`` with ``x`` in draft
or deprecated is left as the CRM has it; a ``terms: [...]`` list leaves such terms out; a picklist value
tied to such a term is withheld (not added, changed or deactivated). Each is reported as a plan skip.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
from collections.abc import Mapping, Sequence
from typing import Any

from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.dealstages import deal_stage_attributes
from crmdefs.definitions.model import (
    Crm,
    FieldAddress,
    FieldBinding,
    Glossary,
    PicklistValue,
    Status,
    Term,
    TextSpec,
)
from crmdefs.errors import OptionsError
from crmdefs.plan.dependency import desired_dependency
from crmdefs.plan.desired_rules import desired_rules
from crmdefs.plan.state import STAGE_ATTRIBUTES, DesiredField, DesiredValue, normalize_text


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


def desired_fields(glossary: Glossary) -> list[DesiredField]:
    """Every binding of ``glossary`` as the field it should become, texts composed, values per CRM."""
    fields = []
    for binding in glossary.bindings:
        field = desired_field(binding, glossary.terms)
        if binding.depends_on is not None:  # its controlling field's values come from that field's binding
            field = dataclasses.replace(field, depends_on=desired_dependency(binding, glossary))
        fields.append(field)
    return fields


def not_approved(term_id: str, terms: Mapping[str, Term]) -> str | None:
    """Why ``term_id`` may not be pushed to a CRM, or None when it is approved."""
    term = terms[term_id]
    if term.status is Status.APPROVED:
        return None
    return f"term '{term_id}' is {term.status.value} ({term.source}); only approved terms are pushed"


def _gate_text(spec: TextSpec | None, terms: Mapping[str, Term]) -> tuple[TextSpec | None, list[str]]:
    """``spec`` without its unapproved terms (None when nothing is left), and the reasons."""
    if spec is None or spec.literal is not None:
        return spec, []
    verdicts = {t: not_approved(t, terms) for t in spec.terms}
    reasons = [r for r in verdicts.values() if r]
    if not reasons:
        return spec, []
    kept = tuple(t for t, r in verdicts.items() if r is None)
    if not kept or not spec.composed_list:
        return None, reasons
    return dataclasses.replace(spec, terms=kept), [f"left out of the text: {r}" for r in reasons]


def desired_field(binding: FieldBinding, terms: Mapping[str, Term]) -> DesiredField:
    crm = binding.address.crm
    held: list[tuple[str, str]] = []

    def text(attribute: str, given: TextSpec | None = None) -> str | None:
        spec, reasons = _gate_text(given if given is not None else getattr(binding, attribute), terms)
        held.extend((attribute, reason) for reason in reasons)
        return normalize_text(compose(spec, terms)) if spec is not None else None

    values = None
    held_values: list[str] = []
    if binding.picklist is not None:
        gated = []
        for value in binding.picklist.values:
            reason = not_approved(value.term, terms) if value.term is not None else None
            if reason is None:
                gated.append(value)
            else:
                held_values.append(value.value_in(crm))
                held.append(("values", f"value {value.value_in(crm)!r} withheld: {reason}"))
        values = tuple(_desired_value(v, binding, terms) for v in gated)
    guidance: dict[str, str] = {}
    if binding.path_guidance is not None and binding.picklist is not None:
        guidance = {
            v.value_in(crm): path_info(v, terms)
            for v in binding.picklist.values
            if v.value_in(crm) not in held_values
        }
    rules = desired_rules(binding, terms, lambda spec: text("requirements", spec))  # before ``held`` is read
    return DesiredField(
        address=binding.address,
        path_record_types=binding.path_guidance or (),
        path_guidance=guidance,
        label=text("label"),
        help_text=text("help_text"),
        description=text("description"),
        held=tuple(held),
        held_values=tuple(held_values),
        values=values,
        unlisted_values=binding.unlisted_values,
        record_types=binding.record_types,
        business_processes=binding.business_processes,
        create=binding.create,
        document_only=binding.document_only,
        sorted=binding.picklist.sorted if binding.picklist else False,
        pipeline=binding.pipeline,
        source=binding.address_source or binding.source,
        rules=rules,
    )


def _desired_value(v: PicklistValue, binding: FieldBinding, terms: Mapping[str, Term]) -> DesiredValue:
    crm = binding.address.crm
    return DesiredValue(
        value=v.value_in(crm),
        label=v.explicit_label_in(crm),
        new_label=v.label_in(crm) if v.label_in(crm) != v.value_in(crm) else None,
        description=normalize_text(value_description(v, terms)),
        # HubSpot options have no default: leave it to the CRM there
        # (docs/hubspot.md#hs-option-fields).
        default=v.default if crm is Crm.SALESFORCE else None,
        renamed_from=v.renamed_from,
        attributes=_value_attributes(v, binding),
        # only for deal stages (matched by a given id alone): no other field's desired state changes
        value_given=binding.pipeline is not None and "value" in v.overrides.get(crm, {}),
    )


def _value_attributes(value: PicklistValue, binding: FieldBinding) -> dict[str, Any]:
    """Salesforce stage/status attributes as written; a HubSpot deal stage's closed state and probability
    (definitions/dealstages.py); nothing for other HubSpot options."""
    if binding.address.crm is Crm.SALESFORCE:
        return {a: getattr(value, a) for a in STAGE_ATTRIBUTES if getattr(value, a) is not None}
    return deal_stage_attributes(value) if binding.pipeline is not None else {}


def path_info(value: PicklistValue, terms: Mapping[str, Term]) -> str:
    """Path "Guidance for Success" for one stage: the definition, then the exit criteria, as the small
    HTML subset Path shows (``info`` is rich text: docs/salesforce.md#sf-path-assistant)."""
    term = terms.get(value.term) if value.term else None
    text = value_description(value, terms) or ""
    parts = [f"<p>{html.escape(text)}</p>"] if text else []
    if term is not None and term.criteria:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in term.criteria)
        parts.append(f"<p>Move on when:</p><ul>{items}</ul>")
    return "".join(parts)


def only_addresses(only: Sequence[str], bound: Sequence[FieldAddress]) -> set[FieldAddress]:
    """The fields ``--only`` names (plan, apply, adopt); an address no definition binds is refused, with
    the closest bound ones."""
    wanted = {parse_address(a) for a in only}
    unknown = sorted(str(a) for a in wanted - set(bound))
    if unknown:
        close = difflib.get_close_matches(unknown[0], [str(a) for a in bound], n=3, cutoff=0.8)
        hint = (
            "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
            if close
            else "use an address the definitions bind, e.g. salesforce:Opportunity.StageName"
        )
        raise OptionsError(f"--only names a field no definition binds: {', '.join(unknown)} — {hint}")
    return wanted
