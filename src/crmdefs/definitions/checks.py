"""Rules that span documents or need CRM knowledge: references, duplicates, composed-text limits,
Salesforce value-set attributes, HubSpot read-only properties. Each rule reports through a
:class:`~crmdefs.spec.Checker`, so every problem carries its file:line:column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmdefs.definitions.crmfacts import (
    HUBSPOT_DEFINED,
    PROCESS_FIELDS,
    REQUIRED_VALUE_ATTRIBUTES,
    STANDARD_VALUE_SETS,
)
from crmdefs.definitions.dealstages import DEAL_STAGE_FIELD, check_pipeline_binding
from crmdefs.definitions.model import Crm, FieldBinding, Picklist, Term, TextSpec
from crmdefs.definitions.schema import Checker, suggest
from crmdefs.definitions.text_limits import CRM_NAMES, limit_for
from crmdefs.definitions.yamlsource import PathKey
from crmdefs.errors import Severity
from crmdefs.plan.desired import compose, value_description
from crmdefs.plan.desired_rules import default_message

TEXT_KEYS = ("label", "help_text", "description")
# HubSpot: which field types go with which property type (docs/hubspot.md#hs-field-types).
HS_FIELD_TYPES = {
    "enumeration": {"select", "radio", "checkbox"},
    "bool": {"booleancheckbox"},
    "string": {"text", "textarea"},
    "number": {"number"},
    "date": {"date"},
    "datetime": {"date"},
}


def reference(c: Checker, at: PathKey, ref: str, known: set[str], kind: str) -> bool:
    """Report ``ref`` when it names no known ``kind``; True when it is fine."""
    if ref in known:
        return True
    close = suggest(ref, sorted(known))
    c.report(
        at,
        f"unknown {kind} '{ref}'",
        f"did you mean '{close}'?" if close else f"define a {kind} with id '{ref}' or fix the reference",
    )
    return False


def independent_reviewer(c: Checker, data: Mapping[str, Any]) -> None:
    """An approved term needs a reviewer who is not its owner (``require_reviewer_not_owner``)."""
    if data.get("status") != "approved":
        return
    owner = str(data.get("owner") or "").strip().casefold()
    if any(str(r).strip().casefold() != owner for r in data.get("reviewers", [])):
        return
    c.report(
        ("status",),
        f"term '{data['id']}' is approved without a reviewer other than its owner "
        "(require_reviewer_not_owner in crmdefs.yaml)",
        "add a reviewer who is not the owner to 'reviewers', or set status: draft until one has reviewed it",
    )


def picklist(c: Checker, at: PathKey, data: Mapping[str, Any], pl: Picklist, known_terms: set[str]) -> None:
    """Duplicate values and labels (per CRM, case-insensitive), several defaults, unknown terms."""
    if pl.term is not None:
        reference(c, (*at, "term"), pl.term, known_terms, "term")
    _duplicates(c, at, data, pl)
    defaults = [i for i, value in enumerate(pl.values) if value.default]
    if len(defaults) > 1:
        lines = ", ".join(str(c.doc.where((*at, "values", i)).line) for i in defaults)
        c.report(
            (*at, "values", defaults[1], "default"),
            f"more than one default value (lines {lines})",
            "keep 'default: true' on one value only",
        )
    current = {v.value.casefold(): v.value for v in pl.values}
    for i, value in enumerate(pl.values):
        if value.term is not None:
            reference(c, (*at, "values", i, "term"), value.term, known_terms, "term")
        for j, old in enumerate(value.renamed_from):
            if old.casefold() in current:
                c.report(
                    (*at, "values", i, "renamed_from", j),
                    f"'{old}' is renamed to '{value.value}' but is also listed as a value",
                    "remove it from the values or from renamed_from",
                )


def _duplicates(c: Checker, at: PathKey, data: Mapping[str, Any], pl: Picklist) -> None:
    """Salesforce treats picklist values and labels case-insensitively; check each CRM's effective text."""
    reported: set[tuple[int, str]] = set()
    for crm in Crm:
        for what in ("value", "label"):
            first: dict[str, int] = {}
            for i, value in enumerate(pl.values):
                text = value.value_in(crm) if what == "value" else value.label_in(crm)
                if text.casefold() not in first:
                    first[text.casefold()] = i
                    continue
                written = data["values"][i]
                label_derived = "label" not in written and "label" not in written.get(crm.value, {})
                if (i, what) in reported or (what == "label" and label_derived and (i, "value") in reported):
                    continue  # one problem per value: a label that is just the value repeats its duplicate
                reported.add((i, what))
                where = (
                    (*at, "values", i, crm.value, what)
                    if what in written.get(crm.value, {})
                    else (*at, "values", i, what if what in written else "value")
                )
                first_line = c.doc.where((*at, "values", first[text.casefold()])).line
                c.report(
                    where,
                    f"duplicate picklist {what} '{text}' in {CRM_NAMES[crm]} (also at line {first_line})",
                    f"give each value a unique {what}",
                )


def _text_length(
    c: Checker,
    key: str,
    text: TextSpec,
    binding: FieldBinding,
    terms: Mapping[str, Term],
    known_terms: set[str],
) -> None:
    refs_ok = [
        reference(c, (key, "terms", i) if text.composed_list else (key, "term"), t, known_terms, "term")
        for i, t in enumerate(text.terms)
    ]
    if not all(refs_ok) or not all(t in terms for t in text.terms):
        return  # an unknown or invalid term is reported on its own; no length to measure
    limit = limit_for(binding.address.crm, key)
    final = compose(text, terms)
    if limit is not None and len(final) > limit:
        crm = CRM_NAMES[binding.address.crm]
        if text.literal is not None:
            c.report(
                (key,),
                f"{key} of {binding.address} is {len(final)} characters; {crm} allows {limit}",
                "shorten it",
            )
        else:
            c.report(
                (key,),
                f"{key} of {binding.address} is {len(final)} characters after composition; "
                f"{crm} allows {limit}",
                "shorten the terms' text, compose fewer terms, or use 'use: summary'",
            )


def _requirement_messages(c: Checker, b: FieldBinding, terms: Mapping[str, Term], known: set[str]) -> None:
    """Each requirement's error message: its terms exist and, composed (or as crmdefs words it), it fits
    the CRM's limit (docs/salesforce.md#sf-validation-rule)."""
    limit = limit_for(b.address.crm, "validation_message")
    for i, req in enumerate(b.requirements):
        at: PathKey = ("requirements", i, "message")
        spec = req.message
        if spec is not None:
            keys = [
                (*at, "terms", j) if spec.composed_list else (*at, "term") for j in range(len(spec.terms))
            ]
            found = [reference(c, k, t, known, "term") for k, t in zip(keys, spec.terms, strict=True)]
            if not all(found) or not all(t in terms for t in spec.terms):
                continue  # an unknown (or broken) term is reported on its own; no length to measure
        final = compose(spec, terms) if spec is not None else default_message(b, req, req.when)
        if limit is not None and len(final) > limit:
            composed = " after composition" if spec is not None and spec.literal is None else ""
            c.report(
                at if spec is not None else ("requirements", i),
                f"the message of requirement {i + 1} is {len(final)} characters{composed}; "
                f"{CRM_NAMES[b.address.crm]} allows {limit}",
                "shorten it, or write a shorter 'message:'",
            )


def binding(
    c: Checker,
    data: Mapping[str, Any],
    b: FieldBinding,
    terms: Mapping[str, Term],
    known_terms: set[str],
    pc: Checker,
    pat: PathKey,
) -> None:
    """All rules for one field binding. ``pc``/``pat`` locate its picklist's values (maybe another file)."""
    for key in TEXT_KEYS:
        text = getattr(b, key)
        if text is not None:
            _text_length(c, key, text, b, terms, known_terms)
    _requirement_messages(c, b, terms, known_terms)
    if "picklist" not in data:
        for key in ("unlisted_values", "record_types", "business_processes"):
            if key in data:
                c.report((key,), f"'{key}' needs a picklist", "add 'picklist:' or remove this key")
    if b.document_only and b.create is not None:
        c.report(
            ("create",),
            "a document_only binding is never written, so it cannot create the field",
            "remove 'create' or 'document_only'",
        )
    if b.address.crm is Crm.SALESFORCE:
        _salesforce(c, data, b, terms, pc, pat)
    else:
        _hubspot(c, data, b)
        check_pipeline_binding(c, data, b, pc, pat)


def _salesforce(
    c: Checker, data: Mapping[str, Any], b: FieldBinding, terms: Mapping[str, Term], pc: Checker, pat: PathKey
) -> None:
    value_set = STANDARD_VALUE_SETS.get(b.address.dotted)
    _process_keys(c, data, b)
    if b.path_guidance is not None and b.address.dotted != "Opportunity.StageName":
        c.report(
            ("path_guidance",),
            "path_guidance applies to Opportunity.StageName only",
            "remove it from this binding",
        )
    if b.create is not None:
        if not b.address.field.endswith("__c"):
            c.report(
                ("create",),
                f"{b.address.dotted} is a standard field; only custom fields (ending in __c) can be created",
                "remove 'create'",
            )
        elif "picklist" not in data:
            c.report(("create",), f"a {b.create.type} field needs values", "add 'picklist:'")
    if b.picklist is None:
        return
    required = REQUIRED_VALUE_ATTRIBUTES.get(value_set or "", ())
    for i, value in enumerate(b.picklist.values):
        at = (*pat, "values", i)
        for attribute, limit_key in (("value", "value"), ("label", "value_label")):
            text = value.value_in(Crm.SALESFORCE) if attribute == "value" else value.label_in(Crm.SALESFORCE)
            limit = limit_for(Crm.SALESFORCE, limit_key) or 0
            if len(text) > limit:
                pc.report(
                    (*at, attribute),
                    f"picklist {attribute} is {len(text)} characters; Salesforce allows "
                    f"{limit} (bound to {b.address})",
                    "shorten it, or set a shorter salesforce: override",
                )
        description = value_description(value, terms)
        limit = limit_for(Crm.SALESFORCE, "value_description") or 0
        if description is not None and len(description) > limit:
            where = (*at, "description") if value.description is not None else (*at, "term")
            pc.report(
                where,
                f"description of value '{value.value}' is {len(description)} characters; "
                f"Salesforce allows {limit} (bound to {b.address})",
                "shorten it",
            )
        missing = [a for a in required if getattr(value, a) is None]
        if missing:
            pc.report(
                at,
                f"value '{value.value}' is missing {', '.join(missing)}, which Salesforce requires for "
                f"{value_set} values ({b.address.dotted})",
                f"add {', '.join(required)} to every value",
            )
        if value.won and value.closed is False:
            pc.report((*at, "won"), f"stage '{value.value}' is won but not closed", "set closed: true")


def _process_keys(c: Checker, data: Mapping[str, Any], b: FieldBinding) -> None:
    """Stages and statuses per record type live in business processes, never on the record type
    (docs/salesforce.md#sf-business-processes); other fields have no process."""
    process = PROCESS_FIELDS.get(b.address.dotted)
    if process is not None and "record_types" in data:
        c.report(
            ("record_types",),
            f"the values each record type offers for {b.address.dotted} come from its {process}, "
            "not from the record type",
            "use 'business_processes: [Name, …]' or 'business_processes: all' instead",
        )
    elif process is None and "business_processes" in data:
        fields = ", ".join(f for f in PROCESS_FIELDS if not f.startswith("Solution."))
        c.report(
            ("business_processes",),
            f"business_processes applies to {fields} only",
            "use 'record_types:' to make record types offer the values of other fields",
        )


def _hubspot_create(c: Checker, data: Mapping[str, Any], b: FieldBinding, defined: bool) -> None:
    if b.create is not None:
        if defined:
            c.report(
                ("create",),
                f"{b.address.dotted} is HubSpot-defined and exists in every portal",
                "remove 'create'",
            )
        elif b.create.field_type not in HS_FIELD_TYPES[b.create.type]:
            allowed = ", ".join(sorted(HS_FIELD_TYPES[b.create.type]))
            c.report(
                ("create", "field_type"),
                f"field_type '{b.create.field_type}' does not fit type '{b.create.type}'",
                f"use one of: {allowed}",
            )
        elif (b.create.type == "enumeration") != ("picklist" in data):
            c.report(
                ("create", "type"),
                "only an enumeration property can hold a picklist"
                if "picklist" in data
                else "an enumeration property needs values",
                "use type: enumeration with a picklist",
            )


def _hubspot(c: Checker, data: Mapping[str, Any], b: FieldBinding) -> None:
    fact = HUBSPOT_DEFINED.get(b.address.dotted)
    _hubspot_create(c, data, b, fact is not None)
    if fact is None:
        return
    if fact.free_text and b.picklist is not None:
        c.report(
            ("picklist",),
            f"{b.address.dotted} is a free-text HubSpot property and cannot hold options",
            "bind a custom enumeration property instead (with 'create:')",
        )
        return
    if b.document_only:
        return
    tip = "remove it, or set 'document_only: true' to document the property without writing it"
    if fact.read_only_definition:
        for key in ("label", "description"):
            if key in data:
                c.report(
                    (key,),
                    f"HubSpot does not let the API change the {key} of {b.address.dotted} "
                    "(readOnlyDefinition)",
                    tip,
                    severity=Severity.WARNING,
                )
    if b.picklist is not None and b.pipeline is None and (fact.read_only_options or fact.external_options):
        why = (
            f"externalOptions: they live in {fact.options_live_in}"
            if fact.external_options
            else "readOnlyOptions"
        )
        if b.address.dotted == DEAL_STAGE_FIELD:  # the stages of one pipeline can be managed
            tip = (
                "add 'pipeline: <id or label>' to manage that pipeline's stages, or set 'document_only: true'"
            )
        c.report(
            ("picklist",),
            f"the options of {b.address.dotted} cannot be changed through the properties API ({why})",
            tip,
            severity=Severity.WARNING,
        )
