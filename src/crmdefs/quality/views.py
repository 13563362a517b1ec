"""What every view of a quality report says, decided once: the side-by-side rows of a group, percentages,
the sentence for each breach, the headline. PURE; the text, Markdown and HTML renderers only lay it out.

A group's rows are keyed by the definitions' value, so the same value on Salesforce and HubSpot (stored
as "Went Dark" on one and "went_dark" on the other) is one row; a value the definitions do not list is a
row of its own, by its stored value. Rows are sorted by records (all columns together), most first, then
by name; the records holding no value come last.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.quality.model import Breach, BreachKind, FieldQuality, QualityGroup, QualityReport, ValueStatus
from crmdefs.words import plural

_CRM_NAMES = {crm.value: name for crm, name in CRM_NAMES.items()}
CRM_SHORT = {"salesforce": "SF", "hubspot": "HS"}
NO_VALUE = "(no value)"
STATUS_NOTES = {
    ValueStatus.UNLISTED: ("unlisted", "not in the definitions"),
    ValueStatus.INACTIVE: ("inactive", "the CRM no longer offers it"),
    ValueStatus.MISSING: ("not in the CRM yet", "`crmdefs apply` adds it"),
}


def pct(share: float) -> str:
    """A measured share, always one decimal: "40.0%"."""
    return f"{share:.1f}%"


def limit(threshold: float) -> str:
    """A threshold as people write it: "10%", "12.5%"."""
    return f"{threshold:g}%"


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def crm_name(crm: str) -> str:
    """ "Salesforce", "HubSpot" for the CRM as the report keeps it (its plain value)."""
    return _CRM_NAMES.get(crm, crm)


@dataclass(frozen=True)
class Cell:
    records: int
    share: float  # percent of the field's records in the window


@dataclass(frozen=True)
class Note:
    """What stands out about a value: ``mark`` for a chart ("inactive on HubSpot"), ``why`` after it in
    text and tables."""

    mark: str
    why: str | None = None

    def __str__(self) -> str:
        return self.mark + (f" ({self.why})" if self.why else "")


@dataclass(frozen=True)
class Row:
    title: str  # the definitions' value, or the stored value of an unlisted one; NO_VALUE for empty
    cells: tuple[Cell | None, ...]  # one per field of the group; None: the field has no such value
    catch_all: bool = False
    notes: tuple[Note, ...] = ()  # "unlisted on HubSpot (not in the definitions)", "catch-all"
    empty: bool = False  # the row of records holding no value


def columns(group: QualityGroup) -> list[str]:
    """Short column keys for the text table: SF, HS; SF1, SF2 when a CRM has several fields here."""
    crms = [f.crm for f in group.fields]
    seen: dict[str, int] = {}
    keys = []
    for crm in crms:
        seen[crm] = seen.get(crm, 0) + 1
        short = CRM_SHORT.get(crm, crm)
        keys.append(f"{short}{seen[crm]}" if crms.count(crm) > 1 else short)
    return keys


def rows(group: QualityGroup) -> list[Row]:
    keyed: dict[tuple[bool, str], dict[int, Any]] = {}
    for i, f in enumerate(group.fields):
        for v in f.values:
            listed = v.definition is not None
            key = (listed, v.definition if v.definition is not None else v.value)
            keyed.setdefault(key, {})[i] = v
    out = [_row(group, key[1], found) for key, found in keyed.items()]
    out.sort(key=lambda r: (-sum(c.records for c in r.cells if c), r.title.casefold(), r.title))
    empty = tuple(Cell(f.empty, 100.0 * f.empty / f.total if f.total else 0.0) for f in group.fields)
    if any(c.records for c in empty):
        out.append(Row(NO_VALUE, empty, empty=True))
    return out


def _row(group: QualityGroup, title: str, found: dict[int, Any]) -> Row:
    fields = group.fields
    cells = tuple(
        Cell(found[i].records, found[i].share(f.total)) if i in found else None for i, f in enumerate(fields)
    )
    notes = []
    catch_all = any(v.catch_all for v in found.values())
    if catch_all:
        notes.append(Note("catch-all"))
    for status, (word, why) in STATUS_NOTES.items():
        where = [i for i, v in sorted(found.items()) if v.status is status]
        if not where:
            continue
        if len(where) == len(fields):
            notes.append(Note(word, why))
        else:
            notes.append(Note(f"{word} on {', '.join(_where(fields, where))}", why))
    return Row(title, cells, catch_all=catch_all, notes=tuple(notes))


def _where(fields: Sequence[FieldQuality], where: list[int]) -> list[str]:
    names = [crm_name(fields[i].crm) for i in where]
    crms = [f.crm for f in fields]
    return [
        name if crms.count(fields[i].crm) == 1 else f"{name} {fields[i].address}"
        for name, i in zip(names, where, strict=True)
    ]


def field_facts(f: FieldQuality) -> str:
    """ "120 records, 95.0% filled, catch-all 25.0%" """
    parts = [plural(f.total, "record"), f"{pct(f.filled_share)} filled"]
    if any(v.catch_all for v in f.values):
        parts.append(f"catch-all {pct(f.catch_all_share)}")
    return ", ".join(parts)


def requirement_texts(f: FieldQuality) -> list[str]:
    out = []
    for r in f.requirements:
        line = (
            f"{', '.join(r.when)} → {', '.join(r.require)}: {plural(r.matching, 'matching record')}, "
            f"{r.missing} missing, {pct(r.filled_share)} filled"
        )
        out.append(line + (f" (at least {limit(r.min_filled)})" if r.min_filled is not None else ""))
    return out


def breach_said(b: Breach) -> str:
    """What the records do against the threshold: ""Other" holds 30.0% of records, over the 10% allowed"."""
    if b.kind is BreachKind.MAX_SHARE:
        return f"{quote(b.subject)} holds {pct(b.actual)} of records, over the {limit(b.threshold)} allowed"
    if b.kind is BreachKind.MIN_FILLED:
        return (
            f"{b.subject} has a value on {pct(b.actual)} of records, under the {limit(b.threshold)} required"
        )
    return (
        f"{b.subject}: {pct(b.actual)} of matching records have every required field, under the "
        f"{limit(b.threshold)} required"
    )


def breach_where(b: Breach) -> str:
    """Where the threshold is set: "max_share set at definitions/fields/salesforce.yaml:86"."""
    key = {BreachKind.MAX_SHARE: "max_share", BreachKind.MIN_FILLED: "min_filled"}
    return f"{key.get(b.kind, 'requirements min_filled')} set at {b.source}"


def breach_text(b: Breach) -> str:
    """One breach as a sentence that names the threshold and where it is set."""
    return f"{breach_said(b)} ({breach_where(b)})"


def counted_fields(report: QualityReport) -> int:
    return sum(len(g.fields) for g in report.groups)


def headline(report: QualityReport) -> str:
    """ "Quality: 4 fields counted, 2 breaches (9 aggregate calls)." """
    calls = sum(f.calls for g in report.groups for f in g.fields)
    text = (
        f"Quality: {plural(counted_fields(report), 'field')} counted, "
        f"{plural(len(report.breaches), 'breach', 'breaches')}"
    )
    if report.skipped:
        text += f", {plural(len(report.skipped), 'field')} skipped"
    return text + f" ({plural(calls, 'aggregate call')})."


def window(report: QualityReport) -> str:
    """ "records modified since 2026-03-03T05:00:00Z (--since 90d)" or "all records" """
    if report.window_start is None:
        return "all records"
    return f"records modified since {report.window_start}" + (
        f" (--since {report.since})" if report.since else ""
    )


def render_json(report: QualityReport, *, color: bool = False) -> str:
    """The report as its JSON (``format_version``), keys in the model's fixed order."""
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
