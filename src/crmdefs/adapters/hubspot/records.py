"""Records, through the CRM search API (paced by its own, lower limit) and batch update: how many hold each
value, which hold the values a migration moves or a text a mapping turns into a code, and setting them.

One search query pages through at most 10,000 results, 200 a page (docs/hubspot.md#hs-search-result-cap), so
every read here walks ``hs_object_id`` windows: sorted by ``hs_object_id`` ascending, and when a query has
read as far as it may, the next one asks for ``hs_object_id`` GT the last id read. ``total`` is trusted only
below 10,000 (HubSpot does not document it past the cap).

A multiple-checkbox property holds several option values in one string, "a;b"; how search EQ treats those is
not documented (docs/hubspot.md#hs-multi-checkbox-values), so such a property is read with HAS_PROPERTY and
its choices are split here: counted one by one, and a migration swaps one choice and keeps the others.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from crmdefs.adapters.base import Progress, RecordChange, RecordFailure
from crmdefs.adapters.hubspot.calls import PortalCalls
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.words import plural

Json = dict[str, Any]
SEARCH_PAGE = 200  # results a search page holds at most (docs/hubspot.md#hs-search-result-cap)
SEARCH_CAP = 10_000  # results one search query pages through at most; paging further is a 400
BATCH_SIZE = 100  # records per batch update: HubSpot's batch limit
# ids compare as numbers in GT and sorts (docs/hubspot.md#hs-search-operators)
_BY_ID = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]


def is_multi_checkbox(portal: PortalCalls, address: FieldAddress) -> bool:
    """Whether ``address`` is a multiple-checkbox property (enumeration shown as checkboxes), from one GET."""
    prop = portal.request(
        f"reading {address.dotted}",
        "GET",
        portal.apis.paths.one_property,
        {"objectType": address.object, "propertyName": address.field},
    )
    return prop.get("type") == "enumeration" and prop.get("fieldType") == "checkbox"


def condition(field: str, operator: str, value: str | None = None) -> Json:
    return {"propertyName": field, "operator": operator, **({"value": value} if value is not None else {})}


def walk(
    portal: PortalCalls, object_type: str, conditions: Sequence[Json], properties: list[str]
) -> Iterator[Json]:
    """Every record matching all ``conditions``, in ascending ``hs_object_id``: each query pages until it
    has read as far as HubSpot lets one query read, then the next starts after the last id
    (docs/hubspot.md#hs-search-result-cap)."""
    last: int | None = None
    while True:
        filters = [*conditions, *([condition("hs_object_id", "GT", str(last))] if last is not None else [])]
        after: str | None = None
        read = 0
        while True:
            request = {"filterGroups": [{"filters": filters}], "sorts": _BY_ID, "properties": properties}
            page = portal.search(
                object_type, {**request, "limit": SEARCH_PAGE, **({"after": after} if after else {})}
            )
            for record in page.get("results") or []:
                last = _next_id(portal, object_type, record, last)
                read += 1
                yield record
            after = _next_after(page)
            if after is None:
                return
            if read + SEARCH_PAGE > SEARCH_CAP:  # the next page would reach past what one query may read
                break


def _next_id(portal: PortalCalls, object_type: str, record: Mapping[str, Any], last: int | None) -> int:
    """The record's id, which must come after ``last``: a window starts after the last id read, so results
    out of order would skip records — refused rather than miscounted."""
    text = str(record.get("id", ""))
    if not text.isdigit() or (last is not None and int(text) <= last):
        raise CrmApiError(
            f"target '{portal.target}': searching {object_type}: HubSpot returned record {text or '(no id)'} "
            "out of hs_object_id order, so crmdefs cannot read past 10,000 results safely — run again"
        )
    return int(text)


def _next_after(page: Mapping[str, Any]) -> str | None:
    """The cursor of the next page (``paging.next.after``), or None on the last one."""
    after = ((page.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after else None


def _value(record: Mapping[str, Any], field: str) -> Any:
    return (record.get("properties") or {}).get(field)


def choices(value: str | None) -> list[str]:
    """The options a multiple-checkbox value holds ("a;b" → a, b), each once, in order."""
    return list(dict.fromkeys(c for c in (value or "").split(";") if c))


def swap_choices(held: str, moves: Mapping[str, str]) -> str:
    """A multiple-checkbox value with each choice ``moves`` names replaced (exactly: HubSpot's option values
    are exact), the others kept in their order, and a choice that would then appear twice kept once."""
    return ";".join(dict.fromkeys(moves.get(c, c) for c in choices(held)))


def count_values(
    portal: PortalCalls,
    address: FieldAddress,
    values: Sequence[str],
    progress: Progress,
    *,
    multi_checkbox: bool = False,
    where: Sequence[Json] = (),
) -> dict[str, int]:
    """Records holding each value: one search per value (EQ, limit 1) read for its ``total``, or, from
    10,000 on, the records counted window by window; a multiple-checkbox property's choices counted from
    one walk over the records that have a value. ``where``: more filters every record must match (the
    quality report's window)."""
    progress(f"counting records of {address} for {plural(len(values), 'value')}")
    if multi_checkbox:
        held: Counter[str] = Counter()
        has = [condition(address.field, "HAS_PROPERTY"), *where]
        for record in walk(portal, address.object, has, [address.field]):
            held.update(choices(_value(record, address.field)))
        return {value: held[value] for value in values}
    return {
        value: count_matching(portal, address, [condition(address.field, "EQ", value), *where], progress)
        for value in values
    }


def count_matching(
    portal: PortalCalls, address: FieldAddress, conditions: Sequence[Json], progress: Progress
) -> int:
    """Records matching all ``conditions``: one search (limit 1) read for its ``total``, or, from 10,000 on,
    the records counted window by window (docs/hubspot.md#hs-search-result-cap)."""
    request = {"filterGroups": [{"filters": list(conditions)}], "properties": [address.field], "limit": 1}
    total = int(portal.search(address.object, request).get("total") or 0)
    if total >= SEARCH_CAP:  # not documented past the cap: counted
        progress(f"{address}: {SEARCH_CAP:,} records or more match; counting them")
        total = sum(1 for _ in walk(portal, address.object, conditions, ["hs_object_id"]))
    return total


def find_records(
    portal: PortalCalls,
    address: FieldAddress,
    moves: Mapping[str, str],
    progress: Progress,
    *,
    multi_checkbox: bool = False,
) -> list[RecordChange]:
    """Every record holding an old value (EQ, window by window), with the value it gets; for a
    multiple-checkbox property every record holding an old choice, the others kept."""
    found: list[RecordChange] = []
    if multi_checkbox:
        has = [condition(address.field, "HAS_PROPERTY")]
        for record in walk(portal, address.object, has, [address.field]):
            held = str(_value(record, address.field) or "")
            if set(choices(held)) & set(moves):
                found.append(RecordChange(str(address), str(record["id"]), held, swap_choices(held, moves)))
        return [c for c in found if c.new != c.old]
    for old, new in moves.items():
        records = walk(portal, address.object, [condition(address.field, "EQ", old)], [address.field])
        found += [RecordChange(str(address), str(r["id"]), _value(r, address.field), new) for r in records]
    return found


def distinct_values(portal: PortalCalls, address: FieldAddress, progress: Progress) -> dict[str, int]:
    """Every non-empty value of ``address`` with its number of records (HAS_PROPERTY, window by window)."""
    counts: Counter[str] = Counter()
    for record in walk(portal, address.object, [condition(address.field, "HAS_PROPERTY")], [address.field]):
        value = _value(record, address.field)
        if value not in (None, ""):
            counts[value] += 1
    progress(f"read {plural(sum(counts.values()), 'record')} of {address}")
    return dict(counts)


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
        equal = [condition(source.field, "EQ", text)]
        records = walk(portal, source.object, equal, [source.field, target.field])
        found += [
            RecordChange(str(target), str(r["id"]), None, code)
            for r in records
            if _value(r, target.field) in (None, "")
        ]
    return found


def set_records(
    portal: PortalCalls, changes: Sequence[RecordChange], progress: Progress
) -> list[RecordFailure]:
    """Batch update, 100 records per call; each record the answer does not show updated is a failure,
    with HubSpot's message (a 207 names them, docs/hubspot.md#hs-batch-207-returns). Nothing is sent when
    the day's allowance left cannot cover every batch (limits.py)."""
    failures: list[RecordFailure] = []
    by_field: dict[str, list[RecordChange]] = {}
    for change in changes:  # one batch carries one property of one object type
        by_field.setdefault(change.address, []).append(change)
    batches = sum(math.ceil(len(mine) / BATCH_SIZE) for mine in by_field.values())
    doing, parts = f"updating {plural(len(changes), 'record')}", f"batches of {BATCH_SIZE}"
    refusal = portal.daily_shortfall(doing, batches, parts, "no record was changed")
    if refusal:  # nothing was sent: every record is as it was
        return [
            RecordFailure(a, tuple(c.record_id for c in mine), refusal, unchanged=True)
            for a, mine in by_field.items()
        ]
    for address, mine in by_field.items():
        target = parse_address(address)
        for start in range(0, len(mine), BATCH_SIZE):
            batch = mine[start : start + BATCH_SIZE]
            body = {"inputs": [{"id": c.record_id, "properties": {target.field: c.new or ""}} for c in batch]}
            progress(f"updating {len(batch)} HubSpot records")
            try:
                path = portal.apis.paths.batch_update
                answer = portal.request(
                    "batch update", "POST", path, {"objectType": target.object}, body=body
                )
            except CrmApiError as exc:  # the whole batch: whether HubSpot changed any of it is not known
                failures.append(RecordFailure(address, tuple(c.record_id for c in batch), str(exc)))
                continue
            failures += batch_failures(answer, address, [c.record_id for c in batch])
    return failures


def batch_failures(answer: Mapping[str, Any], address: str, ids: Sequence[str]) -> list[RecordFailure]:
    """The records of a batch update's answer (200 or 207) not among its ``results``: those its ``errors``
    name (``context.ids``) with that error's message, as not updated; any other with the errors that name
    no record, or a note, as not known."""
    updated = {str(r.get("id")) for r in answer.get("results") or [] if isinstance(r, Mapping)}
    errors = [e for e in answer.get("errors") or [] if isinstance(e, Mapping)]
    unnamed = "; ".join(_message(e) for e in errors if not _named(e)) or "HubSpot's answer does not list it"
    failures: list[RecordFailure] = []
    for record_id in ids:
        if record_id in updated:
            continue
        named = [_message(e) for e in errors if record_id in _named(e)]
        failures.append(
            RecordFailure(address, (record_id,), "; ".join(named) or unnamed, unchanged=bool(named))
        )
    return failures


def _named(error: Mapping[str, Any]) -> list[str]:
    """The record ids a batch error names (``context.ids``, as OBJECT_NOT_FOUND does, or ``id``)."""
    context = error.get("context")
    ids = context.get("ids") if isinstance(context, Mapping) else None
    named = [str(i) for i in ids] if isinstance(ids, list) else []
    return named + ([str(error["id"])] if error.get("id") is not None else [])


def _message(error: Mapping[str, Any]) -> str:
    return str(error.get("message") or error.get("category") or "refused without a message")
