"""`crmdefs dictionary` against a live target: which objects (named, or every object a definition binds),
their fields read through the adapters (reads only), and what governs each field from the definitions
(its binding's file:line and the terms it carries, definitions/termindex.py)."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence

from crmdefs.adapters.base import NO_WAITS, Progress, Waits
from crmdefs.config import Settings
from crmdefs.connect import open_target, target_crms
from crmdefs.definitions.model import Crm, FieldAddress, FieldBinding, Glossary
from crmdefs.definitions.termindex import binding_uses
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.definitions.yamlsource import iter_paths
from crmdefs.dictionary.model import Dictionary, ObjectFields
from crmdefs.errors import OptionsError

# HubSpot's standard object types are lower-case plurals; a bare name that is one of them means HubSpot on
# a target with both CRMs (docs/hubspot.md#hs-object-type-ids). Anything else is a Salesforce API name.
HUBSPOT_TYPES = frozenset(
    ("calls", "communications", "companies", "contacts", "deals", "emails", "feedback_submissions",
     "invoices", "leads", "line_items", "marketing_events", "meetings", "notes", "orders", "payments",
     "postal_mail", "products", "projects", "quotes", "subscriptions", "tasks", "tickets", "users")
)  # fmt: skip
PREFIXES = {"salesforce": Crm.SALESFORCE, "hubspot": Crm.HUBSPOT}
_NOT_AN_OBJECT = "'{}' is not an object — write Opportunity, hubspot:deals or salesforce:Lead"


def parse_object(text: str, crms: set[Crm], target: str) -> tuple[Crm, str]:
    """``salesforce:Opportunity``, ``hubspot:deals`` (the prefix in any case), or a bare name: the target's
    only CRM, else HubSpot for its standard object types and Salesforce for the rest."""
    prefix, sep, name = text.strip().partition(":")
    if sep:
        crm = PREFIXES.get(prefix.strip().casefold())
        if crm is None or not name.strip():
            raise OptionsError(_NOT_AN_OBJECT.format(text))
        name = name.strip()
    elif not text.strip():
        raise OptionsError(_NOT_AN_OBJECT.format(text))
    elif len(crms) == 1:
        crm, name = next(iter(crms)), text.strip()
    else:
        name = text.strip()
        crm = Crm.HUBSPOT if name.casefold() in HUBSPOT_TYPES else Crm.SALESFORCE
    if crm not in crms:
        raise OptionsError(f"target '{target}' has no {crm.value} section, so it cannot read '{text}'")
    return crm, name


def bound_objects(glossary: Glossary, crms: set[Crm]) -> list[tuple[Crm, str]]:
    """Every object a definition binds on the target's CRMs, Salesforce first, in file order."""
    seen: dict[tuple[Crm, str], tuple[Crm, str]] = {}
    for b in sorted(glossary.bindings, key=lambda b: b.address.crm is not Crm.SALESFORCE):
        if b.address.crm in crms:
            seen.setdefault((b.address.crm, b.address.object.casefold()), (b.address.crm, b.address.object))
    return list(seen.values())


def _glossary(settings: Settings) -> Glossary:
    """The project's definitions; none yet (a project without definitions) binds nothing."""
    root = settings.definitions_dir
    if not root.is_dir() or next(iter_paths(root), None) is None:
        return Glossary({}, {}, ())
    return settings.load_glossary()[0]


def governed(obj: ObjectFields, bindings: dict[FieldAddress, FieldBinding]) -> ObjectFields:
    """``obj`` with each field's binding (file:line) and the terms its texts and values carry."""
    fields = []
    for entry in obj.fields:
        binding = bindings.get(FieldAddress(obj.crm, obj.object, entry.name))
        if binding is None:
            fields.append(entry)
            continue
        terms = tuple(
            dict.fromkeys(
                f"{term} ({'value ' + str(value) if value is not None else role})"
                for term, role, value in binding_uses(binding)
            )
        )
        source = binding.address_source or binding.source  # the line naming the field, as plan says
        fields.append(dataclasses.replace(entry, binding=str(source), terms=terms))
    return dataclasses.replace(obj, fields=tuple(fields))


def collect_dictionary(
    settings: Settings,
    target: str | None,
    objects: Sequence[str],
    *,
    min_coverage: float | None = None,
    progress: Progress,
    waits: Waits = NO_WAITS,
) -> Dictionary:
    """The dictionary of ``objects`` on ``target`` (none named: every object a definition binds)."""
    chosen = settings.target(target)
    crms = target_crms(chosen)
    glossary = _glossary(settings)
    wanted = [parse_object(o, crms, chosen.name) for o in objects] or bound_objects(glossary, crms)
    if not wanted:
        raise OptionsError(
            f"no definition binds a field on target '{chosen.name}' — name objects with --object "
            "(Opportunity, hubspot:deals)"
        )
    wanted = list({(crm, name.casefold()): (crm, name) for crm, name in wanted}.values())
    needed = {crm for crm, _ in wanted}
    read: dict[tuple[Crm, str], ObjectFields | None] = {}
    with open_target(settings, chosen.name, needed, read_only=True, waits=waits) as connected:
        for crm in sorted(needed, key=lambda c: c is not Crm.SALESFORCE):
            adapter = connected.adapter(crm)
            names = [name for c, name in wanted if c is crm]
            found = adapter.read_dictionary(names, progress)
            read.update({(crm, name): found.get(name) for name in names})
            unknown = [name for name in names if read[(crm, name)] is None]
            if unknown:
                raise OptionsError(_unknown(crm, unknown, adapter.object_types(progress), chosen.name))
    bindings = {b.address: b for b in glossary.bindings}
    done = tuple(governed(obj, bindings) for key in wanted if (obj := read[key]) is not None)
    return Dictionary(chosen.name, done, min_coverage)


def _unknown(crm: Crm, names: Sequence[str], known: Sequence[str], target: str) -> str:
    """``target 'sandbox': Salesforce has no object 'Opportunty' — did you mean 'Opportunity'?``"""
    folded = {k.casefold(): k for k in known}
    what = "object" if crm is Crm.SALESFORCE else "object type"
    parts = []
    for name in names:
        close = [folded[c] for c in difflib.get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.6)]
        hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else "use its API name"
        parts.append(f"{CRM_NAMES[crm]} has no {what} '{name}' — {hint}")
    return f"target '{target}': " + "; ".join(parts)
