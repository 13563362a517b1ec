"""Records, through REST: how many hold each value (SOQL aggregate), which hold the values a migration
moves (SOQL), and setting them (sObject Collections). Picklist values match case-insensitively here too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from crmdefs.adapters.base import Progress, RecordChange
from crmdefs.adapters.salesforce.calls import OrgCalls, chunks
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import FieldAddress


def count_values(
    org: OrgCalls, address: FieldAddress, values: Sequence[str], progress: Progress
) -> dict[str, int]:
    """Records holding each value, from one SOQL aggregate per field (GROUP BY the field)."""
    progress(f"counting records of {address}")
    soql = f"SELECT {address.field}, COUNT(Id) FROM {address.object} GROUP BY {address.field}"
    result: Any = org.call("query", partial(org.rest.query_all, soql))
    by_value = {
        str(r.get(address.field)).casefold(): int(r.get("expr0", 0))
        for r in result["records"]
        if r.get(address.field) is not None
    }
    return {value: by_value.get(value.casefold(), 0) for value in values}


def find_records(
    org: OrgCalls, address: FieldAddress, moves: Mapping[str, str], progress: Progress
) -> list[RecordChange]:
    quoted = ", ".join("'" + old.replace("\\", "\\\\").replace("'", "\\'") + "'" for old in moves)
    soql = f"SELECT Id, {address.field} FROM {address.object} WHERE {address.field} IN ({quoted})"
    result: Any = org.call("query", partial(org.rest.query_all, soql))
    by_old = {old.casefold(): new for old, new in moves.items()}
    return [
        RecordChange(str(address), str(r["Id"]), r[address.field], by_old[str(r[address.field]).casefold()])
        for r in result["records"]
        if str(r[address.field]).casefold() in by_old
    ]


def set_records(org: OrgCalls, changes: Sequence[RecordChange], progress: Progress) -> list[str]:
    """sObject Collections, 200 records per PATCH (docs/salesforce.md#sf-sobject-collections); each record
    reports on its own."""
    errors: list[str] = []
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
                errors.append(f"{change.address} record {change.record_id}: {messages}")
    return errors
