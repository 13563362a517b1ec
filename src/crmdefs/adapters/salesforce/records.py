"""Records, through REST: how many hold each value (SOQL aggregate), which hold the values a migration
moves (SOQL), and setting them (sObject Collections). Picklist values match case-insensitively here too.

A multi-select picklist holds several values in one record ("a;b;c"). It cannot be grouped and SOQL
filters it only with =, !=, INCLUDES and EXCLUDES (docs/salesforce.md#sf-multiselect-not-groupable): its
values are counted one ``COUNT()`` with INCLUDES each, and a migration swaps one selection for another
and keeps the record's other selections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from crmdefs.adapters.base import Progress, RecordChange, RecordFailure
from crmdefs.adapters.salesforce import soql
from crmdefs.adapters.salesforce.calls import OrgCalls, chunks
from crmdefs.adapters.salesforce.reads import MULTI_SELECT
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import FieldAddress


def is_multi_select(org: OrgCalls, address: FieldAddress) -> bool:
    """Whether ``address`` is a multi-select picklist, from its CustomField ``type`` (one readMetadata; the
    adapter remembers what its reads already told)."""
    component = org.read("CustomField", [address.dotted], keep=False).get(address.dotted)
    return getattr(component, "type", None) == MULTI_SELECT


def count_values(
    org: OrgCalls, address: FieldAddress, values: Sequence[str], progress: Progress, *, multi_select: bool
) -> dict[str, int]:
    """Records holding each value: one SOQL aggregate per field (GROUP BY the field), or for a multi-select
    picklist one ``COUNT()`` per value, so a record holding "a;b" counts for a and for b."""
    progress(f"counting records of {address}")
    if multi_select:
        return {value: _count_including(org, address, value) for value in values}
    query = f"SELECT {address.field}, COUNT(Id) FROM {address.object} GROUP BY {address.field}"
    result: Any = org.call("query", partial(org.rest.query_all, query))
    by_value = {
        str(r.get(address.field)).casefold(): int(r.get("expr0", 0))
        for r in result["records"]
        if r.get(address.field) is not None
    }
    return {value: by_value.get(value.casefold(), 0) for value in values}


def _count_including(org: OrgCalls, address: FieldAddress, value: str) -> int:
    """Records whose multi-select ``address`` includes ``value``: COUNT() answers with the size alone."""
    where = soql.holds(address.field, [value], multi_select=True)
    return soql.count(org, f"SELECT COUNT() FROM {address.object} WHERE {where}")


def swap_selections(held: str, moves: Mapping[str, str]) -> str:
    """A multi-select value with each selection that ``moves`` names (case-insensitively) replaced, the
    others kept in their order, and a selection that would then appear twice kept once."""
    by_old = {old.casefold(): new for old, new in moves.items()}
    result: list[str] = []
    for selection in held.split(";"):
        swapped = by_old.get(selection.casefold(), selection)
        if swapped.casefold() not in {s.casefold() for s in result}:
            result.append(swapped)
    return ";".join(result)


def find_records(
    org: OrgCalls, address: FieldAddress, moves: Mapping[str, str], progress: Progress, *, multi_select: bool
) -> list[RecordChange]:
    where = soql.holds(address.field, list(moves), multi_select=multi_select)
    query = f"SELECT Id, {address.field} FROM {address.object} WHERE {where}"
    result: Any = org.call("query", partial(org.rest.query_all, query))
    if multi_select:
        changes = (
            RecordChange(
                str(address), str(r["Id"]), r[address.field], swap_selections(r[address.field], moves)
            )
            for r in result["records"]
            if r[address.field]
        )
        return [c for c in changes if c.new != c.old]
    by_old = {old.casefold(): new for old, new in moves.items()}
    return [
        RecordChange(str(address), str(r["Id"]), r[address.field], by_old[str(r[address.field]).casefold()])
        for r in result["records"]
        if str(r[address.field]).casefold() in by_old
    ]


def set_records(org: OrgCalls, changes: Sequence[RecordChange], progress: Progress) -> list[RecordFailure]:
    """sObject Collections, 200 records per PATCH (docs/salesforce.md#sf-sobject-collections); each record
    reports on its own (allOrNone false: a record that failed was not saved)."""
    errors: list[RecordFailure] = []
    for batch in chunks(changes, 200):
        progress(f"updating {len(batch)} Salesforce records")
        body = {
            "allOrNone": False,
            "records": [
                {
                    "attributes": {"type": parse_address(c.address).object},
                    "id": c.record_id,
                    parse_address(c.address).field: c.new,
                }
                for c in batch
            ],
        }
        results: Any = org.call(
            "composite", partial(org.rest.restful, "composite/sobjects", method="PATCH", json=body)
        )
        for change, result in zip(batch, results, strict=False):
            if not result.get("success"):
                messages = "; ".join(
                    f"{e.get('statusCode')}: {e.get('message')}" for e in result.get("errors", [])
                )
                errors.append(RecordFailure(change.address, (change.record_id,), messages, unchanged=True))
    return errors
