"""The thresholds of a binding's ``quality:`` and ``requirements[].min_filled``, checked against the counts
(pure: no CRM, no files). Each breach names the file:line of its threshold, so the report says where to
relax or tighten it.

Shares are of the records in the window, as the report shows them (``ValueCount.share(total)``):
- ``max_share: {Other: 10%}`` — the records holding that value (as the CRM stores the definitions' value)
  may be at most 10% of the field's records;
- ``min_filled: 95%`` — at least 95% of the field's records hold a value;
- a requirement's ``min_filled`` — at least that share of the records holding a ``when`` value have every
  required field filled.
A threshold is broken only strictly: exactly 10% of "Other" under ``max_share: 10%`` passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crmdefs.definitions.model import QualityThresholds, Source
from crmdefs.quality.model import Breach, BreachKind, RequirementCount, ValueCount


def breaches(
    address: str,
    total: int,
    empty: int,
    values: Sequence[ValueCount],
    thresholds: QualityThresholds | None,
    max_share: Mapping[str, float],
    requirements: Sequence[tuple[RequirementCount, Source]],
) -> tuple[Breach, ...]:
    """Every threshold the counts break, in the order: values, the field, its requirements. ``max_share``
    is keyed by the definitions' value (the binding may spell it as its label or its CRM value:
    collect.py resolves that); ``address`` is the field's subject for ``min_filled``."""
    found: list[Breach] = []
    if thresholds is not None:
        where = str(thresholds.source)
        for definition, limit in max_share.items():
            held = [v for v in values if v.definition == definition]
            share = 100.0 * sum(v.records for v in held) / total if total else 0.0
            if share > limit:
                subject = held[0].value if held else definition
                found.append(Breach(BreachKind.MAX_SHARE, subject, limit, share, where))
        filled = 100.0 * (total - empty) / total if total else 100.0
        if thresholds.min_filled is not None and filled < thresholds.min_filled:
            found.append(Breach(BreachKind.MIN_FILLED, address, thresholds.min_filled, filled, where))
    for requirement, source in requirements:
        limit_filled = requirement.min_filled
        if limit_filled is not None and requirement.filled_share < limit_filled:
            subject = ", ".join(requirement.when)
            found.append(
                Breach(BreachKind.REQUIREMENT, subject, limit_filled, requirement.filled_share, str(source))
            )
    return tuple(found)
