"""Records, through the CRM search API (paced by its own, lower limit) and batch update: how many hold each
value, which hold the values a migration moves or a text a mapping turns into a code, and setting them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crmdefs.adapters.base import Progress, RecordChange
from crmdefs.adapters.hubspot.calls import PortalCalls
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError


def count_values(
    portal: PortalCalls, address: FieldAddress, values: Sequence[str], progress: Progress
) -> dict[str, int]:
    """Records holding each value: one search per value (filter EQ, limit 1), reading ``total``."""
    progress(f"counting records of {address} for {len(values)} values")
    counts: dict[str, int] = {}
    for value in values:
        condition = {"propertyName": address.field, "operator": "EQ", "value": value}
        request = {
            "filterGroups": [{"filters": [condition]}],
            "properties": [address.field],
            "limit": 1,
        }
        found = portal.search(address.object, request)
        counts[value] = int(found.get("total") or 0)
    return counts


def find_records(
    portal: PortalCalls, address: FieldAddress, moves: Mapping[str, str], progress: Progress
) -> list[RecordChange]:
    """Search each old value (EQ), 100 per page, following ``paging.next.after``."""
    found: list[RecordChange] = []
    for old, new in moves.items():
        after: str | None = None
        while True:
            request = {
                "filterGroups": [
                    {"filters": [{"propertyName": address.field, "operator": "EQ", "value": old}]}
                ],
                "properties": [address.field],
                "limit": 100,
                **({"after": after} if after else {}),
            }
            page = portal.search(address.object, request)
            found += [
                RecordChange(str(address), str(r["id"]), (r.get("properties") or {}).get(address.field), new)
                for r in page.get("results") or []
            ]
            after = _next_after(page)
            if not after:
                break
    return found


def distinct_values(portal: PortalCalls, address: FieldAddress, progress: Progress) -> dict[str, int]:
    """Every non-empty value of ``address`` with its number of records (search HAS_PROPERTY, paged)."""
    counts: dict[str, int] = {}
    for record in _search_all(
        portal, address.object, address.field, {"operator": "HAS_PROPERTY"}, [address.field]
    ):
        value = (record.get("properties") or {}).get(address.field)
        if value not in (None, ""):
            counts[value] = counts.get(value, 0) + 1
    progress(f"read {sum(counts.values())} records of {address}")
    return counts


def find_by_text(
    portal: PortalCalls,
    source: FieldAddress,
    target: FieldAddress,
    codes: Mapping[str, str],
    progress: Progress,
) -> list[RecordChange]:
    """Records whose ``source`` text is a key of ``codes`` and whose ``target`` is still empty: a code a
    person already set is never overwritten."""
    found: list[RecordChange] = []
    for text, code in codes.items():
        records = _search_all(
            portal,
            source.object,
            source.field,
            {"operator": "EQ", "value": text},
            [source.field, target.field],
        )
        found += [
            RecordChange(str(target), str(r["id"]), None, code)
            for r in records
            if (r.get("properties") or {}).get(target.field) in (None, "")
        ]
    return found


def _search_all(
    portal: PortalCalls, object_type: str, field: str, condition: Mapping[str, str], properties: list[str]
) -> list[Any]:
    results: list[Any] = []
    after: str | None = None
    while True:
        request = {
            "filterGroups": [{"filters": [{"propertyName": field, **condition}]}],
            "properties": properties,
            "limit": 100,
            **({"after": after} if after else {}),
        }
        page = portal.search(object_type, request)
        results += page.get("results") or []
        after = _next_after(page)
        if not after:
            return results


def _next_after(page: Mapping[str, Any]) -> str | None:
    """The cursor of the next page (``paging.next.after``), or None on the last one."""
    after = ((page.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after else None


def set_records(portal: PortalCalls, changes: Sequence[RecordChange], progress: Progress) -> list[str]:
    """Batch update, 100 records per call (HubSpot's batch limit)."""
    errors: list[str] = []
    by_field: dict[str, list[RecordChange]] = {}
    for change in changes:  # one batch carries one property of one object type
        by_field.setdefault(change.address, []).append(change)
    for address, mine in by_field.items():
        target = parse_address(address)
        for start in range(0, len(mine), 100):
            batch = mine[start : start + 100]
            body = {"inputs": [{"id": c.record_id, "properties": {target.field: c.new or ""}} for c in batch]}
            progress(f"updating {len(batch)} HubSpot records")
            try:
                path = portal.apis.paths.batch_update
                portal.request("batch update", "POST", path, {"objectType": target.object}, body=body)
            except CrmApiError as exc:
                errors.append(f"{address}: {len(batch)} records from {batch[0].record_id} not updated: {exc}")
    return errors
