"""`crmdefs quality`'s counts on HubSpot. HubSpot has no aggregate (GROUP BY) API: the CRM search is the only
API that counts records, through its ``total`` (docs/hubspot.md#hs-search-counts-only). So each count is one
search with ``limit: 1``, paced by the search limiter (5 a second, docs/hubspot.md#hs-search-rate-limit):

- one per option value (``EQ``), the records.py count that walks id windows from 10,000 matches on;
- one for the records without a value (``NOT_HAS_PROPERTY``);
- one per requirement: a filter group per required property (groups are ORed, filters in a group ANDed):
  ``IN`` the ``when`` values, that property ``NOT_HAS_PROPERTY``, and the window.

The records in the window are those without a value plus those holding an option: an enumeration property
only takes its options' values. A multiple-checkbox property's choices are counted as records.py counts
them (one walk over the records holding any, docs/hubspot.md#hs-multi-checkbox-values), plus one
``HAS_PROPERTY`` search for the records holding any.

The window (``--since``): the last-modified date, ``lastmodifieddate`` on contacts and
``hs_lastmodifieddate`` on the other objects, ``GTE`` a Unix time in milliseconds
(docs/hubspot.md#hs-quality-window).
"""

from __future__ import annotations

from crmdefs.adapters.base import CountRequest, CountResult, Progress
from crmdefs.adapters.hubspot import records
from crmdefs.adapters.hubspot.calls import PortalCalls
from crmdefs.adapters.hubspot.examples import modified_property
from crmdefs.adapters.hubspot.records import Json, condition, count_matching
from crmdefs.errors import CrmApiError

MAX_FILTER_GROUPS = 5  # filter groups one search takes (the CRM search guide)


def _window(request: CountRequest) -> list[Json]:
    if request.since is None:
        return []
    millis = int(request.since.timestamp() * 1000)
    return [condition(modified_property(request.address.object), "GTE", str(millis))]


def count_records(
    portal: PortalCalls, request: CountRequest, progress: Progress, *, multi_checkbox: bool
) -> CountResult:
    address = request.address
    window = _window(request)
    counted = records.count_values(
        portal, address, request.values, progress, multi_checkbox=multi_checkbox, where=window
    )
    calls = 1 if multi_checkbox else len(request.values)
    empty = count_matching(portal, address, [condition(address.field, "NOT_HAS_PROPERTY"), *window], progress)
    calls += 1
    if multi_checkbox:
        holding = [condition(address.field, "HAS_PROPERTY"), *window]
        total = empty + count_matching(portal, address, holding, progress)
        calls += 1
    else:
        total = empty + sum(counted.values())
    missing = tuple(
        _missing(portal, request, when, require, window) for when, require in request.requirements
    )
    return CountResult(total, empty, counted, missing, calls + len(missing))


def _missing(
    portal: PortalCalls,
    request: CountRequest,
    when: tuple[str, ...],
    require: tuple[str, ...],
    window: list[Json],
) -> int:
    """Records holding a ``when`` value and missing at least one ``require`` property: one search."""
    address = request.address
    if len(require) > MAX_FILTER_GROUPS:
        raise CrmApiError(
            f"{address}: a requirement names {len(require)} properties, but one HubSpot search takes at most "
            f"{MAX_FILTER_GROUPS} filter groups — split it into requirements of {MAX_FILTER_GROUPS} or fewer"
        )
    matching = {"propertyName": address.field, "operator": "IN", "values": list(when)}
    groups = [{"filters": [matching, condition(name, "NOT_HAS_PROPERTY"), *window]} for name in require]
    body = {"filterGroups": groups, "properties": [address.field], "limit": 1}
    total = int(portal.search(address.object, body).get("total") or 0)
    if total >= records.SEARCH_CAP:  # past what `total` is trusted for: count the matching ones' gaps
        total = sum(
            1
            for record in records.walk(portal, address.object, [matching, *window], list(require))
            if any((record.get("properties") or {}).get(name) in (None, "") for name in require)
        )
    return total
