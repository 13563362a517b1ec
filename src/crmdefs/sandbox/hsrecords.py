"""HubSpot CRM object records in the sandbox: search, batch read and batch update, at the paths
hubspot-api-client 12 calls (``/crm/v3/objects/{objectType}/search``, ``…/batch/read``, ``…/batch/update``:
hubspot/crm/objects/api/search_api.py and batch_api.py; the deals/contacts APIs call the same paths with the
type filled in). Routed from hubspot.py's ``_ROUTES``, so every request has already passed auth and the
10-second/daily limiter. Objects live in ``state["hubspot"]["objects"][type][id]`` (records_seed.py).

Sources ("ref §x" = the shared HubSpot reference hubspot.md; CONFIRMED = read in the source named):
- Search request (filterGroups ORed, filters ANDed, ``propertyName``/``operator``/``value``/``values``,
  ``properties``, ``limit``, ``after``) and response (``total``, ``results[{id, properties, createdAt,
  updatedAt, archived}]``, ``paging.next.{after, link}``): CONFIRMED, HubSpot API reference "search"
  examples (…/crm-contracts-v3/search, …/0-421/search) and the SDK models (Filter operators, Public-
  ObjectSearchRequest, CollectionResponseWithTotalSimplePublicObjectForwardPaging). Supported operators
  here: EQ, NEQ, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY; the others are refused as not emulated.
- Default properties of a contacts search (createdate, email, firstname, hs_object_id, lastmodifieddate,
  lastname): CONFIRMED (HubSpot "Search the CRM" guide, 2026-03). The deals list (dealname, amount,
  closedate, pipeline, dealstage, createdate, hs_lastmodifieddate, hs_object_id) is from memory, and that a
  search also returns hs_object_id/createdate/last-modified when ``properties`` is given: UNVERIFIED.
- A requested property that is defined but empty comes back as null; one that is not defined is left out:
  CONFIRMED (HubSpot deals guide, GET parameters).
- Archived records do not appear in search results: CONFIRMED as documented behaviour (Okta Workflows'
  HubSpot connector notes). 10,000 results at most per query, beyond that a 400: CONFIRMED (AWS Glue HubSpot
  connector limitations). ``limit`` at most 200 (UNVERIFIED: brief + third-party notes; a larger one is a
  400 here), default 10 (UNVERIFIED). Limits of 5 filterGroups, 6 filters a group, 18 in all: UNVERIFIED.
  EQ/IN compare exactly (case-sensitive) and NEQ/NOT_IN match records without a value: UNVERIFIED. An
  empty string counts as no value for HAS_PROPERTY: UNVERIFIED (HubSpot clears a property set to "").
  Results come in ascending id order: UNVERIFIED.
- The search API has its own rate limit, 4 requests a second per token (ref §2.1; changelog "CRM Search
  API Rate Limit Increase", CONFIRMED as of that changelog; the current value is UNVERIFIED). The 429 body
  has the shape of the documented rate-limit body (ref §2.2) with ``policyName: "SECONDLY"`` and message
  "You have reached your secondly limit." — both UNVERIFIED (the docs only say the policyName tells "daily
  or secondly"). CRMDEFS_SANDBOX_HUBSPOT_SEARCH_RATE overrides the 4 (SandboxOptions.hubspot_search_rate,
  options.py), e.g. for test suites that search in bursts.
- Batch read: 207 with an OBJECT_NOT_FOUND error "Could not get some DEAL objects, they may be deleted or
  not exist. Check that ids are valid." and ``context.ids`` for missing ids: the wording and shape are the
  same in several independent public mocks of real responses (find_string "they may be deleted or not
  exist"), treated as CONFIRMED; batch/update answering missing ids the same way (207, the others updated):
  UNVERIFIED (one public integration's tests model it so).
- Batch inputs: at most 100 (UNVERIFIED here; a larger batch is a 400); duplicate ids are refused with
  "Duplicate IDs found in batch input: [...]" (from memory, UNVERIFIED).
- An enumeration value that is not an option: 400 VALIDATION_ERROR "Property values were not valid:
  [{"isValid": false, "message": "<v> was not one of the allowed options: [a, b]", "error": "INVALID_OPTION",
  "name": <p>, "localizedErrorMessage": …}]": CONFIRMED for a single create (gregorspan/csc-frodx#21, a
  real v3 answer); that batch/update refuses the WHOLE batch for it is UNVERIFIED. Unknown properties as
  PROPERTY_DOESNT_EXIST 'Property "p" does not exist' and read-only ones as READ_ONLY_VALUE: UNVERIFIED.
  dealstage has its options in the pipeline (externalOptions, ref §1.7): its value must be a stage id of the
  deal's pipeline.
- Updates set ``updatedAt`` and the last-modified property; update results carry the properties sent plus
  hs_object_id, createdate and the last-modified one (UNVERIFIED).
"""

from __future__ import annotations

import json
import math
import threading
import uuid
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_rules import (
    NOT_FOUND,
    VALIDATION,
    ApiError,
    Json,
    Params,
    json_body,
    now_iso,
    refuse,
)

if TYPE_CHECKING:
    from crmdefs.sandbox.hubspot import HubSpotApi

SEARCH_MAX_LIMIT = 200
SEARCH_DEFAULT_LIMIT = 10
SEARCH_MAX_RESULTS = 10_000
BATCH_LIMIT = 100
MAX_FILTER_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18
OPERATORS = ("EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")

_LAST_MODIFIED = {"contacts": "lastmodifieddate"}  # others: hs_lastmodifieddate
_DEFAULT_PROPERTIES = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "deals": (
        "dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate",
        "hs_object_id",
    ),
}  # fmt: skip
_SINGULAR = {"contacts": "CONTACT", "deals": "DEAL"}


def _last_modified(object_type: str) -> str:
    return _LAST_MODIFIED.get(object_type, "hs_lastmodifieddate")


def _always(object_type: str) -> tuple[str, ...]:
    return ("createdate", _last_modified(object_type), "hs_object_id")


# ------------------------------------------------------------------------------------------ rate limit


class SearchLimiter:
    """A rolling one-second window (ref §2.1: 4 search requests a second). Refused requests do not count."""

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


_LIMITERS: weakref.WeakKeyDictionary[HubSpotApi, SearchLimiter] = weakref.WeakKeyDictionary()
_LIMITERS_LOCK = threading.Lock()


def search_limiter(api: HubSpotApi) -> SearchLimiter:
    """The search limiter of ``api``: created on first use, on the same clock as its 10-second limiter."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(api)
        if limiter is None:
            limiter = _LIMITERS[api] = SearchLimiter(api.search_rate, api.limiter._clock)
        return limiter


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


# ----------------------------------------------------------------------------------------------- helpers


def _objects(api: HubSpotApi, raw_type: str) -> tuple[str, dict[str, Json]]:
    object_type = api._object_type(raw_type)  # aliases; unknown → 400 "Unable to infer object type from: x"
    objects: dict[str, Json] = api._hub().setdefault("objects", {}).setdefault(object_type, {})
    return object_type, objects


def _known_properties(api: HubSpotApi, object_type: str, objects: dict[str, Json]) -> set[str]:
    """Defined properties: the portal's definitions, the object type's default and system properties, and
    whatever the stored records carry (HubSpot-defined ones the seed has no definition for, e.g. pipeline)."""
    definitions = api._hub()["properties"].get(object_type, {})
    known = {name for name, prop in definitions.items() if not prop.get("archived")}
    known |= set(_DEFAULT_PROPERTIES.get(object_type, ())) | set(_always(object_type))
    for obj in objects.values():
        known |= set(obj["properties"])
    return known


def _public(obj: Json, names: list[str] | tuple[str, ...], known: set[str], object_type: str) -> Json:
    """The object as the API shows it, with the requested properties (defined but empty → null)."""
    wanted = [*names, *(n for n in _always(object_type) if n not in names)]
    stored = obj["properties"]
    properties = {name: stored.get(name) for name in wanted if name in known}
    return {
        "id": obj["id"],
        "properties": properties,
        "createdAt": obj["createdAt"],
        "updatedAt": obj["updatedAt"],
        "archived": bool(obj.get("archived", False)),
    }


def _string_list(body: Json, key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise refuse(f"{key} must be a list of strings", key)  # message UNVERIFIED
    return value


def _has_value(value: Any) -> bool:
    return value is not None and value != ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ------------------------------------------------------------------------------------------------ search


def _filter_matches(obj: Json, flt: Json) -> bool:
    value = obj["properties"].get(flt["propertyName"])
    operator = flt["operator"]
    if operator == "HAS_PROPERTY":
        return _has_value(value)
    if operator == "NOT_HAS_PROPERTY":
        return not _has_value(value)
    if operator in ("EQ", "NEQ"):
        equal = _has_value(value) and value == _text(flt["value"])
        return equal if operator == "EQ" else not equal
    within = _has_value(value) and value in {_text(v) for v in flt["values"]}
    return within if operator == "IN" else not within


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
            if operator in ("EQ", "NEQ") and flt.get("value") is None:
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


def search(api: HubSpotApi, request: Request, params: Params) -> Response:
    if search_limiter(api).admit() is not None:
        return _secondly_limited()
    object_type, objects = _objects(api, params["type"])
    body = json_body(request)
    if body.get("query"):
        raise refuse("Full-text `query` is not supported by the crmdefs sandbox; use filterGroups", "query")
    known = _known_properties(api, object_type, objects)
    groups = _check_filters(body, known)
    names = _string_list(body, "properties") or list(_DEFAULT_PROPERTIES.get(object_type, ()))
    limit = body.get("limit", SEARCH_DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise refuse(f"limit must be between 1 and {SEARCH_MAX_LIMIT}, not {limit}", "limit")  # UNVERIFIED
    after_text = str(body.get("after", "0") or "0")
    if not after_text.isdigit():
        raise refuse(f"after must be a paging cursor from a previous answer, not {after_text!r}", "after")
    after = int(after_text)
    if after + limit > SEARCH_MAX_RESULTS:
        raise refuse(f"Search results are limited to {SEARCH_MAX_RESULTS}: narrow the filters", "after")
    matching = [
        obj
        for obj in objects.values()
        if not obj.get("archived")
        and (not groups or any(all(_filter_matches(obj, f) for f in g) for g in groups))
    ]
    sort_by, descending = _sort_key(body)
    if sort_by is None:
        matching.sort(key=lambda o: (len(o["id"]), o["id"]))
    else:
        matching.sort(key=lambda o: (o["properties"].get(sort_by) is None, str(o["properties"].get(sort_by))))
        if descending:
            matching.reverse()
    page = matching[after : after + limit]
    payload: Json = {"total": len(matching), "results": [_public(o, names, known, object_type) for o in page]}
    if after + limit < len(matching):
        payload["paging"] = {"next": {"after": str(after + limit), "link": f"?after={after + limit}"}}
    return json_response(200, payload)


# ------------------------------------------------------------------------------------------------ batches


def _inputs(body: Json) -> list[Json]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in inputs
    ):
        raise refuse("inputs must be a list of objects with an id", "inputs")
    if len(inputs) > BATCH_LIMIT:
        raise refuse(f"Too many inputs: {len(inputs)} (a batch takes at most {BATCH_LIMIT})", "inputs")
    if "idProperty" in body or any("idProperty" in i for i in inputs):
        raise refuse("idProperty is not supported by the crmdefs sandbox; use record ids", "idProperty")
    ids = [i["id"] for i in inputs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise refuse(f"Duplicate IDs found in batch input: [{', '.join(duplicates)}]", "inputs")
    return inputs


def _not_found(object_type: str, ids: list[str]) -> Json:
    kind = _SINGULAR.get(object_type, object_type.upper())
    return {
        "status": "error",
        "category": NOT_FOUND,
        "message": f"Could not get some {kind} objects, they may be deleted or not exist. "
        "Check that ids are valid.",
        "context": {"ids": ids},
        "errors": [],
        "links": {},
    }


def _batch_answer(results: list[Json], missing: list[str], object_type: str, started: str) -> Response:
    body: Json = {"status": "COMPLETE", "results": results}
    if missing:
        body.update(numErrors=1, errors=[_not_found(object_type, missing)])
    body.update(startedAt=started, completedAt=now_iso())
    return json_response(207 if missing else 200, body)


def batch_read(api: HubSpotApi, request: Request, params: Params) -> Response:
    object_type, objects = _objects(api, params["type"])
    body = json_body(request)
    if body.get("propertiesWithHistory"):
        raise refuse("propertiesWithHistory is not supported by the crmdefs sandbox", "propertiesWithHistory")
    names = _string_list(body, "properties")
    inputs = _inputs(body)
    known = _known_properties(api, object_type, objects)
    started = now_iso()
    results, missing = [], []
    for item in inputs:
        obj = objects.get(item["id"])
        if obj is None or obj.get("archived"):
            missing.append(item["id"])
        else:
            results.append(_public(obj, names, known, object_type))
    return _batch_answer(results, missing, object_type, started)


def _allowed_options(
    api: HubSpotApi, object_type: str, prop: Json, obj: Json, changes: Json
) -> list[str] | None:
    """The values an enumeration property accepts on this object, or None when anything goes."""
    if prop.get("type") != "enumeration":
        return None
    if prop.get("options"):
        return [o["value"] for o in prop["options"]]
    if object_type == "deals" and prop["name"] == "dealstage":  # options live in the pipeline (ref §1.7)
        pipeline_id = changes.get("pipeline") or obj["properties"].get("pipeline") or "default"
        for pipeline in api._hub().get("pipelines", {}).get("deals", []):
            if pipeline["id"] == pipeline_id:
                return [stage["id"] for stage in pipeline.get("stages", [])]
    return None


def _invalid(name: str, error: str, message: str) -> Json:
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def _validate(api: HubSpotApi, object_type: str, objects: dict[str, Json], inputs: list[Json]) -> None:
    definitions = api._hub()["properties"].get(object_type, {})
    known = _known_properties(api, object_type, objects)
    problems: list[Json] = []
    for item in inputs:
        changes = item.get("properties")
        if not isinstance(changes, dict):
            raise refuse("every input needs a properties object", "inputs")
        obj = objects.get(item["id"], {"properties": {}})
        for name, value in changes.items():
            prop = definitions.get(name)
            if name not in known or (prop is not None and prop.get("archived")):
                problems.append(_invalid(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
                continue
            if name in _always(object_type) or (prop or {}).get("modificationMetadata", {}).get(
                "readOnlyValue"
            ):
                problems.append(
                    _invalid(name, "READ_ONLY_VALUE", f'Property "{name}" is a read only property')
                )
                continue
            allowed = _allowed_options(api, object_type, prop or {}, obj, changes)
            if allowed is None or not _has_value(value):
                continue
            picked = (
                _text(value).split(";") if (prop or {}).get("fieldType") == "checkbox" else [_text(value)]
            )
            bad = next((v for v in picked if v not in allowed), None)
            if bad is not None:
                message = f"{bad} was not one of the allowed options: [{', '.join(allowed)}]"
                problems.append(_invalid(name, "INVALID_OPTION", message))
    if problems:
        text = json.dumps(problems, separators=(",", ":"))
        raise ApiError(400, VALIDATION, f"Property values were not valid: {text}")


def batch_update(api: HubSpotApi, request: Request, params: Params) -> Response:
    object_type, objects = _objects(api, params["type"])
    inputs = _inputs(json_body(request))
    _validate(api, object_type, objects, inputs)  # any invalid value refuses the whole batch
    started, now = now_iso(), now_iso()
    results, missing = [], []
    known = _known_properties(api, object_type, objects)
    for item in inputs:
        obj = objects.get(item["id"])
        if obj is None or obj.get("archived"):
            missing.append(item["id"])
            continue
        changes = {
            name: ("" if value is None else _text(value)) for name, value in item["properties"].items()
        }
        obj["properties"].update(changes)
        obj["properties"][_last_modified(object_type)] = now
        obj["updatedAt"] = now
        results.append(_public(obj, list(changes), known, object_type))
    if results:
        api.state.save()
    return _batch_answer(results, missing, object_type, started)


__all__ = ["SearchLimiter", "batch_read", "batch_update", "search", "search_limiter"]
