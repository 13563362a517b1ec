"""The quality report as data: what `crmdefs quality` found per bound picklist on each CRM, side by side.

Counted from aggregate calls only (no record bodies): records per value, records without a value, and per
requirement the matching records missing a required field. The JSON output is this model (``to_json``),
versioned by :data:`FORMAT_VERSION`; the text, Markdown and HTML views are drawn from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

FORMAT_VERSION = "1.0"


class ValueStatus(str, Enum):
    """How a value held by records stands against the definitions and the CRM."""

    LISTED = "listed"  # the definitions list it and the CRM offers it
    UNLISTED = "unlisted"  # records hold it, the definitions do not list it (a legacy or stray value)
    INACTIVE = "inactive"  # the definitions list it, but the CRM no longer offers it (inactive / hidden)
    MISSING = "missing"  # the definitions list it, the CRM does not have it yet (`crmdefs apply` adds it)


@dataclass(frozen=True)
class ValueCount:
    """Records in the window holding one value. ``value``: the CRM's stored value; ``label``: what people
    see (None: unknown to the CRM's field); ``definition``: the definitions' value it is (None: unlisted)."""

    value: str
    label: str | None
    records: int
    status: ValueStatus
    definition: str | None = None
    catch_all: bool = False

    def share(self, total: int) -> float:
        """Percent of ``total`` (0.0 when there are no records)."""
        return 100.0 * self.records / total if total else 0.0


@dataclass(frozen=True)
class RequirementCount:
    """One requirement (``when`` values → ``require`` fields): the records in the window holding a ``when``
    value, and how many of them miss at least one required field."""

    when: tuple[str, ...]  # the definitions' values
    require: tuple[str, ...]  # field names as the CRM spells them
    matching: int
    missing: int
    min_filled: float | None = None  # the threshold, percent, if any

    @property
    def filled_share(self) -> float:
        """Percent of matching records with every required field filled (100.0 when none match)."""
        return 100.0 * (self.matching - self.missing) / self.matching if self.matching else 100.0


class BreachKind(str, Enum):
    MAX_SHARE = "max_share"  # a value is chosen more often than its threshold allows
    MIN_FILLED = "min_filled"  # too few records hold a value
    REQUIREMENT = "requirement"  # too few matching records have the required fields


@dataclass(frozen=True)
class Breach:
    """A threshold the records break. ``subject``: the value (max_share), the field (min_filled) or the
    requirement's ``when`` values joined with ", " (requirement). Percentages from 0 to 100."""

    kind: BreachKind
    subject: str
    threshold: float
    actual: float
    source: str  # file:line of the threshold


@dataclass(frozen=True)
class FieldQuality:
    """One bound field on one target. ``total``: records in the window; ``empty``: those with no value."""

    target: str
    crm: str  # "salesforce" | "hubspot"
    address: str  # Object.Field / objectType.property, the CRM's spelling
    label: str | None
    binding: str  # file:line of the binding
    total: int
    empty: int
    values: tuple[ValueCount, ...]
    requirements: tuple[RequirementCount, ...] = ()
    breaches: tuple[Breach, ...] = ()
    calls: int = 0  # aggregate calls made to count this field

    @property
    def filled_share(self) -> float:
        return 100.0 * (self.total - self.empty) / self.total if self.total else 100.0

    @property
    def catch_all_share(self) -> float:
        return 100.0 * sum(v.records for v in self.values if v.catch_all) / self.total if self.total else 0.0


@dataclass(frozen=True)
class QualityGroup:
    """The fields that carry one list, side by side: ``key`` is the shared picklist's id, or the field's
    address for an inline list; ``title`` what a person reads (the picklist's or term's name)."""

    key: str
    title: str
    fields: tuple[FieldQuality, ...]


@dataclass(frozen=True)
class QualityReport:
    generated_at: str  # ISO 8601 UTC
    since: str | None  # the window as given ("90d"), None = all records
    window_start: str | None  # ISO 8601 UTC start of the window
    targets: tuple[str, ...]
    groups: tuple[QualityGroup, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)  # address → why it was not counted
    format_version: str = FORMAT_VERSION

    @property
    def breaches(self) -> tuple[Breach, ...]:
        return tuple(b for g in self.groups for f in g.fields for b in f.breaches)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data, keys in a fixed order, for ``--format json``."""

        def value(v: ValueCount) -> dict[str, Any]:
            return {
                "value": v.value,
                "label": v.label,
                "definition": v.definition,
                "records": v.records,
                "status": v.status.value,
                "catch_all": v.catch_all,
            }

        def field_json(f: FieldQuality) -> dict[str, Any]:
            return {
                "target": f.target,
                "crm": f.crm,
                "address": f.address,
                "label": f.label,
                "binding": f.binding,
                "total": f.total,
                "empty": f.empty,
                "values": [value(v) for v in f.values],
                "requirements": [
                    {
                        "when": list(r.when),
                        "require": list(r.require),
                        "matching": r.matching,
                        "missing": r.missing,
                        "min_filled": r.min_filled,
                    }
                    for r in f.requirements
                ],
                "breaches": [
                    {
                        "kind": b.kind.value,
                        "subject": b.subject,
                        "threshold": b.threshold,
                        "actual": round(b.actual, 2),
                        "source": b.source,
                    }
                    for b in f.breaches
                ],
                "calls": f.calls,
            }

        return {
            "format_version": self.format_version,
            "generated_at": self.generated_at,
            "since": self.since,
            "window_start": self.window_start,
            "targets": list(self.targets),
            "groups": [
                {"key": g.key, "title": g.title, "fields": [field_json(f) for f in g.fields]}
                for g in self.groups
            ],
            "skipped": dict(self.skipped),
            "breaches": len(self.breaches),
        }
