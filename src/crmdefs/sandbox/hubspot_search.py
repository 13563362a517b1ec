"""The HubSpot CRM search (``POST /crm/v3/objects/{objectType}/search``) in the sandbox, with its own
per-second rate limit. Records as hubspot_objects.py shows them.

Sources ("docs/hubspot.md#…" = an entry of docs/hubspot.md; CONFIRMED = read in the source named):
- Search request (filterGroups ORed, filters ANDed, ``propertyName``/``operator``/``value``/``values``,
  ``properties``, ``limit``, ``after``) and response (``total``, ``results[{id, properties, createdAt,
  updatedAt, archived}]``, ``paging.next.{after, link}``): CONFIRMED, HubSpot API reference "search"
  examples (…/crm-contracts-v3/search, …/0-421/search) and the SDK models (Filter operators, Public-
  ObjectSearchRequest, CollectionResponseWithTotalSimplePublicObjectForwardPaging). Supported operators
  here: EQ, NEQ, IN, NOT_IN, GT, GTE, LT, LTE, HAS_PROPERTY, NOT_HAS_PROPERTY; the others (BETWEEN,
  CONTAINS_TOKEN, NOT_CONTAINS_TOKEN) are refused as not emulated.
- Archived records do not appear in search results: CONFIRMED as documented behaviour (Okta Workflows'
  HubSpot connector notes). 10,000 results at most per query, paging beyond is a 400, and at most 200 a page
  (docs/hubspot.md#hs-search-result-cap, the CRM search guide); a page that would reach past the 10,000th
  result is refused here, while ``paging.next`` still offers ``after`` 10000 at the last allowed page, as
  a public client expects (tap-hubspot-beta switches to a filter when the next cursor is "10000";
  UNVERIFIED). Default ``limit`` 10:
  UNVERIFIED. Limits of 5 filterGroups, 6 filters a group, 18 in all: UNVERIFIED.
- ``total`` past 10,000 is not documented: the sandbox reports at most 10,000 (the pessimistic reading: a
  search engine's usual cap on counted hits; UNVERIFIED), so a count must not trust a ``total`` of 10,000.
- EQ/IN compare the whole stored value exactly (case-sensitive), also for a multiple-checkbox property
  ("a;b" is not EQ "a": how HubSpot matches those is not documented,
  docs/hubspot.md#hs-multi-checkbox-values; UNVERIFIED), and NEQ/NOT_IN match records without a value:
  UNVERIFIED. GT/GTE/LT/LTE compare numbers as numbers (``hs_object_id`` is a number property), date-times
  as their Unix time in milliseconds (docs/hubspot.md#hs-quality-window) and other values as text
  (UNVERIFIED). An empty string counts as no value for HAS_PROPERTY: UNVERIFIED (HubSpot
  clears a property set to ""). Without ``sorts`` results come in ascending id order (UNVERIFIED); a sort
  on a number property sorts numerically.
- The search API has its own rate limit, 5 requests a second per account
  (docs/hubspot.md#hs-search-rate-limit, the CRM search guide of March 2026). The 429 body
  has the shape of the documented rate-limit body (docs/hubspot.md#hs-429-body) with ``policyName:
  "SECONDLY"`` and message
  "You have reached your secondly limit." — both UNVERIFIED (the docs only say the policyName tells "daily
  or secondly"). CRMDEFS_SANDBOX_HUBSPOT_SEARCH_RATE overrides the 5 (SandboxOptions.hubspot_search_rate,
  options.py), e.g. for test suites that search in bursts.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import uuid
from collections import deque
from collections.abc import Callable

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_objects import (
    DEFAULT_PROPERTIES,
    as_text,
    has_value,
    known_properties,
    public_view,
    string_list,
)
from crmdefs.sandbox.hubspot_rules import Json, Params, json_body, refuse
from crmdefs.sandbox.hubspot_store import HubSpotPortal

SEARCH_MAX_LIMIT = 200
SEARCH_DEFAULT_LIMIT = 10
SEARCH_MAX_RESULTS = 10_000
MAX_FILTER_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18
OPERATORS = ("EQ", "NEQ", "IN", "NOT_IN", "GT", "GTE", "LT", "LTE", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
_COMPARE = {
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
}


# ------------------------------------------------------------------------------------------ rate limit


class SearchLimiter:
    """A rolling one-second window (5 search requests a second, docs/hubspot.md#hs-search-rate-limit).
    Refused requests do not count."""

    def __init__(self, rate: int, clock: Callable[[], float]) -> None:
        self.rate, self._clock = rate, clock
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> int | None:
        """None when admitted, else the whole seconds until a request would be."""
        with self._lock:
            now = self._clock()
            while self._hits and now - self._hits[0] >= 1.0:
                self._hits.popleft()
            if len(self._hits) >= self.rate:
                return max(1, math.ceil(self._hits[0] + 1.0 - now))
            self._hits.append(now)
            return None


def _secondly_limited() -> Response:
    body = {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": "SECONDLY",
        "requestId": str(uuid.uuid4()),
    }
    return json_response(429, body)


# ------------------------------------------------------------------------------------------------ search


def _filter_matches(obj: Json, flt: Json) -> bool:
    value = obj["properties"].get(flt["propertyName"])
    operator = flt["operator"]
    if operator == "HAS_PROPERTY":
        return has_value(value)
    if operator == "NOT_HAS_PROPERTY":
        return not has_value(value)
    if operator in ("EQ", "NEQ"):
        equal = has_value(value) and value == as_text(flt["value"])
        return equal if operator == "EQ" else not equal
    if operator in _COMPARE:
        return has_value(value) and bool(_COMPARE[operator](_ordered(value), _ordered(flt["value"])))
    within = has_value(value) and value in {as_text(v) for v in flt["values"]}
    return within if operator == "IN" else not within


def _ordered(value: object) -> tuple[int, float, str]:
    """A sort and comparison key: numbers (``hs_object_id``, amounts) by value, before any text. A stored
    date-time (ISO 8601, as records carry ``createdate`` / ``hs_lastmodifieddate``) is its Unix time in
    milliseconds, the form HubSpot's APIs take times in (docs/hubspot.md#hs-quality-window), so ``GTE``
    a timestamp in milliseconds compares times."""
    text = as_text(value)
    try:
        return 0, float(text), ""
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return 1, 0.0, text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return 0, moment.timestamp() * 1000, ""


def _check_filters(body: Json, known: set[str]) -> list[list[Json]]:
    groups = body.get("filterGroups", [])
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise refuse("filterGroups must be a list of objects", "filterGroups")
    if len(groups) > MAX_FILTER_GROUPS:
        raise refuse(f"Too many filter groups: {len(groups)} (at most {MAX_FILTER_GROUPS})", "filterGroups")
    checked: list[list[Json]] = []
    for group in groups:
        filters = group.get("filters", [])
        if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
            raise refuse("filters must be a list of objects", "filterGroups.filters")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise refuse(f"Too many filters in a group: {len(filters)} (at most {MAX_FILTERS_PER_GROUP})")
        for flt in filters:
            name, operator = flt.get("propertyName"), flt.get("operator")
            if not isinstance(name, str) or name not in known:
                raise refuse(f"Property {name!r} does not exist", "propertyName")  # message UNVERIFIED
            if operator not in OPERATORS:
                raise refuse(f"Operator {operator!r} is not supported by the crmdefs sandbox", "operator")
            if operator in ("EQ", "NEQ", *_COMPARE) and flt.get("value") is None:
                raise refuse(f"{operator} needs a value", "value")
            values = flt.get("values")
            if operator in ("IN", "NOT_IN") and (not isinstance(values, list) or not values):
                raise refuse(f"{operator} needs values", "values")
        checked.append(filters)
    if sum(len(filters) for filters in checked) > MAX_FILTERS:
        raise refuse(f"Too many filters: at most {MAX_FILTERS} in all", "filterGroups")
    return checked


def _sort_key(body: Json) -> tuple[str | None, bool]:
    sorts = body.get("sorts", [])
    if not isinstance(sorts, list) or len(sorts) > 1:
        raise refuse("sorts takes at most one sort", "sorts")  # one sort only: UNVERIFIED
    if not sorts:
        return None, False
    sort = sorts[0]
    if isinstance(sort, str):  # the SDK types sorts as list[str]: "name" or "-name"
        return sort.lstrip("-"), sort.startswith("-")
    if isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
        return sort["propertyName"], sort.get("direction") == "DESCENDING"
    raise refuse("sorts must name a property", "sorts")


def _page(body: Json) -> tuple[int, int]:
    """(limit, after) of a request: at most 200 a page, and nothing past the 10,000th result."""
    limit = body.get("limit", SEARCH_DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise refuse(f"limit must be between 1 and {SEARCH_MAX_LIMIT}, not {limit}", "limit")  # UNVERIFIED
    after_text = str(body.get("after", "0") or "0")
    if not after_text.isdigit():
        raise refuse(f"after must be a paging cursor from a previous answer, not {after_text!r}", "after")
    after = int(after_text)
    if after + limit > SEARCH_MAX_RESULTS:  # message UNVERIFIED
        raise refuse(f"Search results are limited to {SEARCH_MAX_RESULTS}: narrow the filters", "after")
    return limit, after


def _sort(matching: list[Json], body: Json) -> None:
    sort_by, descending = _sort_key(body)
    if sort_by is None:
        matching.sort(key=lambda o: (len(o["id"]), o["id"]))
        return
    matching.sort(
        key=lambda o: (not has_value(o["properties"].get(sort_by)), _ordered(o["properties"].get(sort_by)))
    )
    if descending:
        matching.reverse()


def search(portal: HubSpotPortal, limiter: SearchLimiter, request: Request, params: Params) -> Response:
    """``limiter``: the search limiter of the API answering (HubSpotApi.search_limiter)."""
    if limiter.admit() is not None:
        return _secondly_limited()
    object_type, objects = portal.objects(params["type"])
    body = json_body(request)
    if body.get("query"):
        raise refuse("Full-text `query` is not supported by the crmdefs sandbox; use filterGroups", "query")
    known = known_properties(portal, object_type, objects)
    groups = _check_filters(body, known)
    names = string_list(body, "properties") or list(DEFAULT_PROPERTIES.get(object_type, ()))
    limit, after = _page(body)
    matching = [
        obj
        for obj in objects.values()
        if not obj.get("archived")
        and (not groups or any(all(_filter_matches(obj, f) for f in g) for g in groups))
    ]
    _sort(matching, body)
    page = matching[after : after + limit]
    payload: Json = {
        "total": min(len(matching), SEARCH_MAX_RESULTS),  # past the cap: undocumented, see above
        "results": [public_view(o, names, known, object_type) for o in page],
    }
    if after + limit < len(matching):
        payload["paging"] = {"next": {"after": str(after + limit), "link": f"?after={after + limit}"}}
    return json_response(200, payload)
