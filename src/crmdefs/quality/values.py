"""One field's counts set against the definitions and the CRM: each value's status, the requirements'
matching records, the thresholds' breaches (pure: the CRM was asked before).

A value's status (quality/model.py ``ValueStatus``): *listed* — the definitions list it and the CRM offers
it; *inactive* — the definitions list it but the CRM no longer offers it (inactive on Salesforce, hidden on
HubSpot); *missing* — the definitions list it and the CRM does not have it yet (`crmdefs apply` adds it);
*unlisted* — records hold it and the definitions do not list it (a legacy
value such as a ``renamed_from`` one not migrated yet, or a stray one). Every listed value is shown, with
0 records if none hold it; an unlisted one only when records hold it. Values match as the CRM matches them
(Salesforce in any case, HubSpot exactly; a HubSpot deal stage by its label too: ``FieldState.value_key``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crmdefs.adapters.base import CountResult
from crmdefs.definitions.model import FieldBinding, PicklistValue, Requirement, Source
from crmdefs.plan.state import FieldState, ValueState
from crmdefs.quality.model import FieldQuality, RequirementCount, ValueCount, ValueStatus
from crmdefs.quality.thresholds import breaches


def field_quality(
    binding: FieldBinding,
    state: FieldState,
    result: CountResult,
    requirements: Sequence[Requirement],
    target: str,
) -> FieldQuality:
    values = value_counts(binding, state, result.by_value)
    by_definition = {v.definition.casefold(): v for v in values if v.definition is not None}
    counted: list[tuple[RequirementCount, Source]] = []
    for req, missing in zip(requirements, result.missing, strict=True):
        when = tuple(_definition(binding, w) for w in req.when)
        held = [by_definition[w.casefold()] for w in when if w.casefold() in by_definition]
        matching = sum(v.records for v in held)
        counted.append((RequirementCount(when, req.require, matching, missing, req.min_filled), req.source))
    thresholds = binding.quality
    max_share = {
        _definition(binding, k): share for k, share in (thresholds.max_share if thresholds else {}).items()
    }
    found = breaches(
        binding.address.dotted, result.total, result.empty, values, thresholds, max_share, counted
    )
    return FieldQuality(
        target=target,
        crm=binding.address.crm.value,
        address=state.address.dotted,
        label=state.label,
        binding=str(binding.source),
        total=result.total,
        empty=result.empty,
        values=values,
        requirements=tuple(r for r, _source in counted),
        breaches=found,
        calls=result.calls,
    )


def value_counts(
    binding: FieldBinding, state: FieldState, by_value: Mapping[str, int]
) -> tuple[ValueCount, ...]:
    """The listed values in the definitions' order, then the unlisted ones records hold, most held first."""
    crm = binding.address.crm
    offered = {state.value_match.key(v.value): v for v in state.values or ()}
    held: dict[str, tuple[str, int]] = {}  # key → (the value as records hold it, records)
    for value, records in by_value.items():
        key = state.value_match.key(value)
        spelled, before = held.get(key, (value, 0))
        held[key] = (spelled, before + records)
    listed: list[ValueCount] = []
    for pv in binding.picklist.values if binding.picklist else ():
        key = state.value_key(pv.value_in(crm))
        crm_value: ValueState | None = offered.get(key)
        stored, records = held.pop(key, (crm_value.value if crm_value else pv.value_in(crm), 0))
        status = (
            ValueStatus.MISSING
            if crm_value is None
            else ValueStatus.LISTED
            if crm_value.active
            else ValueStatus.INACTIVE
        )
        label = crm_value.label if crm_value else None
        listed.append(ValueCount(stored, label, records, status, pv.value, pv.catch_all))
    unlisted = [
        ValueCount(value, offered[key].label if key in offered else None, records, ValueStatus.UNLISTED)
        for key, (value, records) in held.items()
        if records > 0
    ]
    unlisted.sort(key=lambda v: (-v.records, v.value.casefold()))
    return (*listed, *unlisted)


def _definition(binding: FieldBinding, name: str) -> str:
    """The definitions' value ``name`` names (its value, CRM value or label, any case: validate accepts
    them all, definitions/rules.py), or ``name`` itself."""
    value = listed_value(binding, name)
    return value.value if value is not None else name


def listed_value(binding: FieldBinding, name: str) -> PicklistValue | None:
    crm = binding.address.crm
    for value in binding.picklist.values if binding.picklist else ():
        if name.casefold() in {s.casefold() for s in (value.value, value.value_in(crm), value.label_in(crm))}:
            return value
    return None
