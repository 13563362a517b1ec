"""The HubSpot half of the sandbox: CRM Properties v3 (core, batch, groups) and the deal pipelines, at the
paths hubspot-api-client 12 calls, with HubSpot's error bodies, rate limits and headers.

Every rule cites its source: "ref §x" = the shared HubSpot reference (hubspot.md), "fixture x" = a real
recorded response in tests/fixtures/hubspot/. Anything the sources do not pin down is marked UNVERIFIED.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from .http import Request, Response, json_response
from .hubspot_seed import SANDBOX_USER_ID
from .state import SandboxState

Json = dict[str, Any]
Params = dict[str, str]

WINDOW_SECONDS = 10.0  # X-HubSpot-RateLimit-Interval-Milliseconds: 10000 (ref §2.2)
DAY_SECONDS = 86_400.0
VALIDATION = "VALIDATION_ERROR"
NOT_FOUND = "OBJECT_NOT_FOUND"

# Object type aliases: HubSpot accepts type ids beside names (ref §1.2); for this endpoint UNVERIFIED.
_ALIASES = {"0-1": "contacts", "contact": "contacts", "0-3": "deals", "deal": "deals"}

# Valid fieldType per type (HubSpot's properties guide; calculation_score is in real data, ref §1.3).
_FIELD_TYPES: dict[str, set[str]] = {
    "string": {"text", "textarea", "file", "html", "phonenumber"},
    "number": {"number", "calculation_equation", "calculation_score"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
    "bool": {"booleancheckbox", "calculation_equation"},
    "phone_number": {"phonenumber"},
}

# Accepted body fields and their JSON types: SDK PropertyCreate / PropertyUpdate (ref §3.2, §1.4), plus what
# the 2026-03 docs add (ref §1.3, §1.4). Anything else is refused as an unknown field (UNVERIFIED message).
_CREATE_FIELDS: dict[str, type] = {
    "name": str, "label": str, "type": str, "fieldType": str, "groupName": str, "description": str,
    "options": list, "displayOrder": int, "hidden": bool, "formField": bool, "hasUniqueValue": bool,
    "calculationFormula": str, "externalOptions": bool, "referencedObjectType": str,
    "showCurrencySymbol": bool, "currencyPropertyName": str, "numberDisplayHint": str, "dataSensitivity": str,
}  # fmt: skip
_UPDATE_FIELDS: dict[str, type] = {
    "label": str, "description": str, "groupName": str, "options": list, "displayOrder": int, "hidden": bool,
    "type": str, "fieldType": str, "formField": bool, "calculationFormula": str, "showCurrencySymbol": bool,
    "currencyPropertyName": str, "numberDisplayHint": str,
}  # fmt: skip
_OPTION_FIELDS: dict[str, type] = {
    "label": str, "value": str, "description": str, "displayOrder": int, "hidden": bool,
}  # fmt: skip
_REQUIRED_CREATE = ("name", "label", "type", "fieldType", "groupName")  # SDK PropertyCreate (ref §3.2)
# What readOnlyDefinition locks (ref §1.7: "label/description/group ... cannot be changed"); type, fieldType
# and calculationFormula are part of the definition too (our reading, UNVERIFIED).
_DEFINITION_FIELDS = ("label", "description", "groupName", "type", "fieldType", "calculationFormula")


class ApiError(Exception):
    """A request HubSpot would refuse: answered with the standard error body (ref §2.3)."""

    def __init__(self, status: int, category: str, message: str, errors: list[Json] | None = None) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.errors = status, category, message, errors

    def body(self) -> Json:
        # Shape: fixture error_shape_docs_example.json / error_400_validation_error.json.
        body: Json = {"status": "error", "message": self.message, "correlationId": str(uuid.uuid4())}
        if self.errors:
            body["errors"] = self.errors
        body["category"] = self.category
        return body

    def response(self) -> Response:
        return json_response(self.status, self.body())

    def standard_error(self, name: str) -> Json:
        # One entry of a batch's `errors`: SDK StandardError (ref §1.1); the exact content is UNVERIFIED.
        return {**self.body(), "context": {"name": [name]}, "errors": self.errors or [], "links": {}}


def _refuse(message: str, field_name: str | None = None) -> ApiError:
    errors = [{"message": message, "in": field_name}] if field_name else None
    return ApiError(400, VALIDATION, message, errors)


def now_iso() -> str:
    """ISO timestamps with milliseconds and Z, as real responses carry them (ref §1.3)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------------------------------------- rate limits


@dataclass
class Verdict:
    policy: str | None  # None = admitted, else "TEN_SECONDLY_ROLLING" or "DAILY"
    retry_after: int
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    """A rolling 10-second window and a daily budget (ref §2.1, §2.2). Refused requests do not count. The
    day starts with the first request and lasts 24 h of ``clock`` (the real one resets at the portal's
    midnight, ref §2.1)."""

    def __init__(self, rate_per_10s: int, daily_limit: int, clock: Callable[[], float]) -> None:
        self.rate, self.daily, self._clock = rate_per_10s, daily_limit, clock
        self._hits: deque[float] = deque()
        self._day_start: float | None = None
        self._day_used = 0
        self._lock = threading.Lock()

    def admit(self) -> Verdict:
        with self._lock:
            now = self._clock()
            self._expire(now)
            policy, retry_after = self._refusal(now)
            if policy is None:
                self._hits.append(now)
                self._day_used += 1
            return Verdict(policy, retry_after, self.headers())

    def _expire(self, now: float) -> None:
        while self._hits and now - self._hits[0] >= WINDOW_SECONDS:
            self._hits.popleft()
        if self._day_start is None or now - self._day_start >= DAY_SECONDS:
            self._day_start, self._day_used = now, 0

    def _refusal(self, now: float) -> tuple[str | None, int]:
        start = self._day_start if self._day_start is not None else now
        if self._day_used >= self.daily:
            return "DAILY", max(1, math.ceil(start + DAY_SECONDS - now))
        if len(self._hits) >= self.rate:
            return "TEN_SECONDLY_ROLLING", max(1, math.ceil(self._hits[0] + WINDOW_SECONDS - now))
        return None, 0

    def used_today(self) -> int:
        return self._day_used

    def headers(self) -> dict[str, str]:
        # The commonly documented header set (ref §2.2; exact current list UNVERIFIED).
        return {
            "X-HubSpot-RateLimit-Max": str(self.rate),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.rate - len(self._hits))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(WINDOW_SECONDS * 1000)),
            "X-HubSpot-RateLimit-Daily": str(self.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily - self._day_used)),
        }


def rate_limited(policy: str, retry_after: int | None) -> Response:
    """The 429 body: fixture error_429_daily_limit.json; the burst variant's message/policyName per ref §2.2
    (full live body UNVERIFIED). No `category` key, as in the fixture."""
    message = {"DAILY": "daily", "TEN_SECONDLY_ROLLING": "ten_secondly_rolling"}[policy]
    body = {
        "status": "error",
        "message": f"You have reached your {message} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }
    # Retry-After on HubSpot 429s is UNVERIFIED (ref §2.2). Beware: urllib3's default Retry (which the SDK
    # uses) honours it for GETs, sleeping that long and retrying up to 3 times on its own.
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    response = json_response(429, body, headers)
    response.action = "ratelimit." + policy.lower()
    return response


def unauthorized() -> Response:
    """401 for a missing or wrong token. Shape/message from a third-party guide, so UNVERIFIED (ref §2.3); we
    answer the same for a missing and a wrong token."""
    body = {
        "status": "error",
        "message": "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
        "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        "correlationId": str(uuid.uuid4()),
        "category": "INVALID_AUTHENTICATION",
    }
    response = json_response(401, body)
    response.action = "auth.rejected"
    return response


# ------------------------------------------------------------------------------------------- body helpers


def json_body(request: Request) -> Json:
    """The request's JSON object, with nulls dropped (the SDK never sends them; we treat null as absent)."""
    try:
        body = request.json()
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse(f"Invalid input JSON: {exc}") from exc  # message UNVERIFIED
    if not isinstance(body, dict):
        raise _refuse("Invalid input JSON: expected an object")
    return {key: value for key, value in body.items() if value is not None}


def check_fields(body: Json, allowed: dict[str, type], where: str = "") -> None:
    """Refuse unknown fields and wrong JSON types (HubSpot parses into typed models; messages UNVERIFIED)."""
    for key, value in body.items():
        expected = allowed.get(key)
        if expected is None:
            raise _refuse(f'Invalid input JSON: Unrecognized field "{key}"', where + key)
        wrong_int = expected is int and isinstance(value, bool)
        if wrong_int or not isinstance(value, expected):
            raise _refuse(f"{where}{key} must be of type {expected.__name__}", where + key)


def archived_flag(request: Request) -> bool:
    """`?archived=`: the SDK sends Python's str(bool), `False`/`True` (ref §1.1); `false`/`true` too."""
    text = (request.param("archived") or "false").lower()
    if text not in ("true", "false"):
        raise _refuse(f"archived must be true or false, not {text!r}", "archived")
    return text == "true"


def is_archived(item: Json) -> bool:
    # HubSpot-defined properties carry no `archived` key at all in the real dump (ref §1.3).
    return bool(item.get("archived", False))


def normalize_options(raw: list[Any]) -> list[Json]:
    """Options as stored: label, value, [description], displayOrder, hidden (SDK OptionInput, ref §3.2).
    Values must be unique within the list. A missing displayOrder becomes -1 as in the real dump
    (UNVERIFIED)."""
    options: list[Json] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"options[{index}]."
        if not isinstance(item, dict):
            raise _refuse(f"options[{index}] must be an object", f"options[{index}]")
        item = {key: value for key, value in item.items() if value is not None}
        check_fields(item, _OPTION_FIELDS, where)
        for key in ("label", "value"):
            if not item.get(key):
                raise _refuse(f"{where}{key} is required", where + key)
        if item["value"] in seen:
            raise _refuse(f"Duplicate option value '{item['value']}'", where + "value")  # message UNVERIFIED
        seen.add(item["value"])
        option: Json = {"label": item["label"], "value": item["value"]}
        if "description" in item:
            option["description"] = item["description"]
        option.update(displayOrder=item.get("displayOrder", -1), hidden=item.get("hidden", False))
        options.append(option)
    return options


def _option_key(option: Json) -> tuple[Any, ...]:
    return (
        option["label"],
        option["value"],
        option.get("description", ""),
        option.get("displayOrder", -1),
        option.get("hidden", False),
    )


def check_definition(prop: Json) -> None:
    """type/fieldType must be known and match; an enumeration needs options unless they are external."""
    kind, field_type = prop["type"], prop["fieldType"]
    if kind not in _FIELD_TYPES:
        raise _refuse(f"'{kind}' is not a valid property type", "type")
    if field_type not in _FIELD_TYPES[kind]:
        raise _refuse(f"fieldType '{field_type}' is not valid for type '{kind}'", "fieldType")
    if kind == "enumeration" and not prop.get("options") and not prop.get("externalOptions"):
        raise _refuse("Enumeration properties must have at least one option", "options")


def check_modifiable(prop: Json, changes: Json) -> None:
    """readOnlyDefinition locks the definition; readOnlyOptions/externalOptions lock the options (ref §1.7,
    §5.2). Only a real *change* is refused: resending the stored value is accepted (our choice, UNVERIFIED).
    The error wording is UNVERIFIED (no real sample, ref §2.3)."""
    meta = prop.get("modificationMetadata", {})
    name = prop["name"]
    if meta.get("readOnlyDefinition"):
        for key in _DEFINITION_FIELDS:
            if key in changes and changes[key] != prop.get(key):
                raise _refuse(f"Property {name} has a read-only definition: {key} can not be changed", key)
    if "options" in changes and (meta.get("readOnlyOptions") or prop.get("externalOptions")):
        stored = [_option_key(o) for o in prop.get("options", [])]
        if [_option_key(o) for o in changes["options"]] != stored:
            why = "are managed outside this property" if prop.get("externalOptions") else "are read-only"
            raise _refuse(f"The options of property {name} {why} and can not be changed", "options")


def new_property(body: Json, now: str) -> Json:
    """A created custom property, with the server-filled keys of the real custom `confirm_ip` (fixture
    contacts_properties_get_all_subset.json): no hubspotDefined; archived, showCurrencySymbol, user ids."""
    prop: Json = {
        "updatedAt": now, "createdAt": now, "name": body["name"], "label": body["label"],
        "type": body["type"], "fieldType": body["fieldType"], "description": body.get("description", ""),
        "groupName": body["groupName"], "options": normalize_options(body.get("options", [])),
        "createdUserId": SANDBOX_USER_ID, "updatedUserId": SANDBOX_USER_ID,
        "displayOrder": body.get("displayOrder", -1), "calculated": "calculationFormula" in body,
        "externalOptions": body.get("externalOptions", False), "archived": False,
        "hasUniqueValue": body.get("hasUniqueValue", False), "hidden": body.get("hidden", False),
        "showCurrencySymbol": body.get("showCurrencySymbol", False),
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": False, "readOnlyValue": False},
        "formField": body.get("formField", False),  # default when not sent: UNVERIFIED
    }  # fmt: skip
    for key in (
        "calculationFormula",
        "referencedObjectType",
        "currencyPropertyName",
        "numberDisplayHint",
        "dataSensitivity",
    ):
        if key in body:
            prop[key] = body[key]
    return prop


def batch_body(results: list[Json], errors: list[Json], started: str) -> tuple[bool, Json]:
    """BatchResponseProperty, or ...WithErrors when something failed (ref §1.1)."""
    body: Json = {"status": "COMPLETE", "results": results}
    if errors:
        body.update(numErrors=len(errors), errors=errors)
    body.update(startedAt=started, completedAt=now_iso())
    return bool(errors), body


def batch_inputs(body: Json, key: str = "name") -> list[Json]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
        raise _refuse("inputs must be a list of objects", "inputs")
    if key and not all(isinstance(item.get(key), str) for item in inputs):
        raise _refuse(f"every input needs a {key}", "inputs")
    return inputs


# --------------------------------------------------------------------------------------------------- the API


class HubSpotApi:
    """Answers hubspot-api-client 12's properties and pipelines calls from ``state.data["hubspot"]``."""

    name = "hubspot"

    def __init__(
        self,
        state: SandboxState,
        *,
        rate_per_10s: int = 100,  # Free/Starter private apps: 100 per 10 s, 250,000 a day (ref §2.1)
        daily_limit: int = 250_000,
        clock: Callable[[], float] = time.monotonic,
        retry_after: bool = True,
    ) -> None:
        self.state = state
        self.limiter = RateLimiter(rate_per_10s, daily_limit, clock)
        self.retry_after = retry_after  # send Retry-After on TEN_SECONDLY_ROLLING 429s (UNVERIFIED header)

    def _retry_after(self, policy: str, seconds: int) -> int | None:
        # Only for the 10-second window: a DAILY Retry-After (up to a day) would make urllib3 sleep that long.
        return seconds if self.retry_after and policy == "TEN_SECONDLY_ROLLING" else None

    # -- Api protocol

    def handle(self, request: Request) -> Response:
        verdict = self.limiter.admit()  # every request counts, whatever its outcome (refused ones excepted)
        if verdict.policy is not None:
            response = rate_limited(verdict.policy, self._retry_after(verdict.policy, verdict.retry_after))
        elif not self._authorized(request):
            response = unauthorized()
        else:
            response = self._dispatch(request)
        response.headers.update(verdict.headers)  # on every response (ref §2.2)
        return response

    def injected(self, kind: str, request: Request | None = None) -> Response:
        if kind == "429":
            response = rate_limited("TEN_SECONDLY_ROLLING", self._retry_after("TEN_SECONDLY_ROLLING", 1))
            response.headers.update({**self.limiter.headers(), "X-HubSpot-RateLimit-Remaining": "0"})
            response.action = "injected.429"
            return response
        # A plausible HubSpot 5xx body (standard error keys, ref §2.3); no real sample, UNVERIFIED.
        body = {"status": "error", "message": "internal error", "correlationId": str(uuid.uuid4())}
        response = json_response(503, body, self.limiter.headers())
        response.action = "injected.5xx"
        return response

    # -- plumbing

    def _authorized(self, request: Request) -> bool:
        # `Authorization: Bearer <token>` is how the SDK authenticates (ref §3.1).
        token = request.bearer()
        return token is not None and hmac.compare_digest(token.encode(), self.state.token.encode())

    def _dispatch(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        for method, pattern, action, handler in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None or method != request.method:
                continue
            params = {key: unquote(value) for key, value in match.groupdict().items()}
            try:
                with self.state.lock:
                    response = handler(self, request, params)
            except ApiError as error:
                response = error.response()
            response.action = action
            return response
        # Unknown route (including POST .../batch/update, which does not exist: ref §1.1). Body UNVERIFIED.
        unknown = ApiError(404, NOT_FOUND, f"No route for {request.method} {request.path}")
        response = unknown.response()
        response.action = "route.unknown"
        return response

    def _hub(self) -> Json:
        hub: Json = self.state.data["hubspot"]  # read each time: `reset` replaces state.data
        return hub

    def _object_type(self, raw: str, section: str = "properties") -> str:
        """The stored object type for a path segment. Unknown → 400 "Unable to infer object type from: x", the
        real objects-API answer (HubSpot/hubspot-api-php#128); for the properties API UNVERIFIED."""
        name = _ALIASES.get(raw, raw)
        if name not in self._hub()["properties"]:
            raise _refuse(f"Unable to infer object type from: {raw}")
        if name not in self._hub()[section]:
            raise _refuse(f"Object type {raw} has no {section}")  # e.g. contacts pipelines; UNVERIFIED
        return name

    def _properties(self, raw_type: str) -> dict[str, Json]:
        props: dict[str, Json] = self._hub()["properties"][self._object_type(raw_type)]
        return props

    def _groups(self, raw_type: str) -> dict[str, Json]:
        groups: dict[str, Json] = self._hub()["groups"].setdefault(self._object_type(raw_type), {})
        return groups

    def _find(self, props: dict[str, Json], name: str, archived: bool = False) -> Json:
        prop = props.get(name)
        if prop is None or is_archived(prop) != archived:
            # 404 body/message UNVERIFIED (standard error shape, ref §2.3).
            raise ApiError(404, NOT_FOUND, f"Property {name} does not exist")
        return prop

    def _require_group(self, raw_type: str, group_name: str) -> None:
        group = self._groups(raw_type).get(group_name)
        if group is None or is_archived(group):
            raise _refuse(f"Property group {group_name} does not exist", "groupName")  # message UNVERIFIED

    def _saved(self, status: int, payload: Any) -> Response:
        self.state.save()  # after every successful change (state.py)
        return json_response(status, payload) if status != 204 else Response(204)

    # -- properties: core API (ref §1.1)

    def _list_properties(self, request: Request, params: Params) -> Response:
        props = self._properties(params["type"])
        archived = archived_flag(request)  # archived=true lists archived ones only (SDK docstring)
        return json_response(200, {"results": [p for p in props.values() if is_archived(p) == archived]})

    def _get_property(self, request: Request, params: Params) -> Response:
        props = self._properties(params["type"])
        return json_response(200, self._find(props, params["name"], archived_flag(request)))

    def _create_property(self, request: Request, params: Params) -> Response:
        return self._saved(201, self._create_one(params["type"], json_body(request)))

    def _create_one(self, raw_type: str, body: Json) -> Json:
        props = self._properties(raw_type)
        check_fields(body, _CREATE_FIELDS)
        for key in _REQUIRED_CREATE:
            if not body.get(key):
                raise _refuse(f"{key} is required", key)
        self._require_group(raw_type, body["groupName"])
        name = body["name"]
        if name in props:
            # 409 per legacy docs; body shaped like fixture error_409_object_already_exists_contacts.json
            # (category OBJECT_ALREADY_EXISTS, errors[].in). v3 body/message UNVERIFIED (ref §2.3). A name
            # held by an archived property is refused too (UNVERIFIED).
            message = f"A property named '{name}' already exists."
            raise ApiError(409, "OBJECT_ALREADY_EXISTS", message, [{"message": message, "in": "name"}])
        prop = new_property(body, now_iso())
        check_definition(prop)
        props[name] = prop
        return prop

    def _update_property(self, request: Request, params: Params) -> Response:
        """PATCH: provided fields overwrite, `options` replaces the whole list (ref §1.4)."""
        props = self._properties(params["type"])
        prop = self._find(props, params["name"])
        changes = json_body(request)
        check_fields(changes, _UPDATE_FIELDS)
        if "options" in changes:
            changes["options"] = normalize_options(changes["options"])
        check_modifiable(prop, changes)
        if "groupName" in changes:
            self._require_group(params["type"], changes["groupName"])
        merged = {**prop, **changes}
        check_definition(merged)
        if merged == prop:
            return json_response(200, prop)  # nothing changed: nothing to bump or save
        merged["updatedAt"] = now_iso()
        if "updatedUserId" in prop:
            merged["updatedUserId"] = SANDBOX_USER_ID
        props[prop["name"]] = merged
        return self._saved(200, merged)

    def _archive_property(self, request: Request, params: Params) -> Response:
        prop = self._find(self._properties(params["type"]), params["name"])
        self._archive(prop, now_iso())
        return self._saved(204, None)  # no body: SDK response_types_map={} (ref §1.1)

    @staticmethod
    def _check_archivable(prop: Json) -> None:
        if not prop.get("modificationMetadata", {}).get("archivable", True):
            # modificationMetadata.archivable false (e.g. deals.closed_lost_reason, ref §1.7); message
            # UNVERIFIED.
            raise _refuse(f"Property {prop['name']} is not archivable", "name")

    def _archive(self, prop: Json, now: str) -> None:
        self._check_archivable(prop)
        prop["archived"], prop["archivedAt"] = True, now  # "to the recycling bin" (ref §1.1)

    # -- properties: batch API (ref §1.1)

    def _batch_read(self, request: Request, params: Params) -> Response:
        body = json_body(request)
        props, archived = self._properties(params["type"]), bool(body.get("archived", False))
        results: list[Json] = []
        errors: list[Json] = []
        started = now_iso()
        for item in batch_inputs(body):
            try:
                results.append(self._find(props, item["name"], archived))
            except ApiError as error:
                errors.append(error.standard_error(item["name"]))
        partial, payload = batch_body(results, errors, started)
        return json_response(207 if partial else 200, payload)

    def _batch_create(self, request: Request, params: Params) -> Response:
        """Creates what it can and reports the rest (207); whether HubSpot is all-or-nothing is UNVERIFIED."""
        results: list[Json] = []
        errors: list[Json] = []
        started = now_iso()
        for item in batch_inputs(json_body(request), key=""):
            try:
                clean = {key: value for key, value in item.items() if value is not None}
                results.append(self._create_one(params["type"], clean))
            except ApiError as error:
                errors.append(error.standard_error(str(item.get("name"))))
        partial, payload = batch_body(results, errors, started)
        if results:
            self.state.save()
        return json_response(207 if partial else 201, payload)

    def _batch_archive(self, request: Request, params: Params) -> Response:
        """All or nothing: any missing or unarchivable name → 400 listing them (UNVERIFIED choice)."""
        props = self._properties(params["type"])
        names = [item["name"] for item in batch_inputs(json_body(request))]
        problems = []
        for name in names:
            try:
                self._check_archivable(self._find(props, name))
            except ApiError as error:
                problems.append({"message": error.message, "in": name})
        if problems:
            raise ApiError(
                400, VALIDATION, f"{len(problems)} of {len(names)} properties can not be archived", problems
            )
        now = now_iso()
        for name in names:
            self._archive(props[name], now)
        return self._saved(204, None)

    # -- property groups (ref §1.8)

    def _find_group(self, params: Params) -> Json:
        group = self._groups(params["type"]).get(params["name"])
        if group is None or is_archived(group):
            raise ApiError(404, NOT_FOUND, f"Property group {params['name']} does not exist")  # UNVERIFIED
        return group

    def _list_groups(self, request: Request, params: Params) -> Response:
        groups = self._groups(params["type"]).values()
        return json_response(200, {"results": [g for g in groups if not is_archived(g)]})

    def _get_group(self, request: Request, params: Params) -> Response:
        return json_response(200, self._find_group(params))

    def _create_group(self, request: Request, params: Params) -> Response:
        body = json_body(request)
        check_fields(body, {"name": str, "label": str, "displayOrder": int})  # SDK PropertyGroupCreate
        for key in ("name", "label"):
            if not body.get(key):
                raise _refuse(f"{key} is required", key)
        groups = self._groups(params["type"])
        if body["name"] in groups:  # duplicate → 409 like properties (UNVERIFIED)
            message = f"A property group named '{body['name']}' already exists."
            raise ApiError(409, "OBJECT_ALREADY_EXISTS", message, [{"message": message, "in": "name"}])
        group = {
            "name": body["name"],
            "label": body["label"],
            "displayOrder": body.get("displayOrder", -1),
            "archived": False,
        }
        groups[body["name"]] = group
        return self._saved(201, group)

    def _update_group(self, request: Request, params: Params) -> Response:
        group = self._find_group(params)
        changes = json_body(request)
        check_fields(changes, {"label": str, "displayOrder": int})  # SDK PropertyGroupUpdate
        group.update(changes)
        return self._saved(200, group)

    def _archive_group(self, request: Request, params: Params) -> Response:
        group = self._find_group(params)
        props = self._properties(params["type"]).values()
        if any(p["groupName"] == group["name"] and not is_archived(p) for p in props):
            raise _refuse(f"Property group {group['name']} still has properties", "groupName")  # UNVERIFIED
        group["archived"] = True
        return self._saved(204, None)

    # -- pipelines (ref §1.9); read-only here

    def _pipelines(self, params: Params) -> list[Json]:
        pipelines: list[Json] = self._hub()["pipelines"][self._object_type(params["type"], "pipelines")]
        return [p for p in pipelines if not is_archived(p)]

    def _list_pipelines(self, request: Request, params: Params) -> Response:
        return json_response(200, {"results": self._pipelines(params)})

    def _get_pipeline(self, request: Request, params: Params) -> Response:
        for pipeline in self._pipelines(params):
            if pipeline["id"] == params["id"]:
                return json_response(200, pipeline)
        raise ApiError(404, NOT_FOUND, f"Unable to find pipeline {params['id']}")  # message UNVERIFIED

    # -- account info (fixture account_info_api_usage_daily_private_apps.json)

    def _daily_usage(self, request: Request, params: Params) -> Response:
        now = dt.datetime.now(dt.timezone.utc)
        tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        usage = {
            "collectedAt": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "currentUsage": self.limiter.used_today(),
            "fetchStatus": "SUCCESS",
            "name": "private-apps-api-calls-daily",
            "resetsAt": tomorrow.isoformat().replace("+00:00", "Z"),
            "usageLimit": self.limiter.daily,
        }
        return json_response(200, {"results": [usage]})


Handler = Callable[[HubSpotApi, Request, Params], Response]
_P = r"/crm/v3/properties/(?P<type>[^/]+)"
_PIPE = r"/crm/v3/pipelines/(?P<type>[^/]+)"
# Paths as hubspot-api-client 12 calls them (crm/properties/api/*.py, crm/pipelines/api/pipelines_api.py).
# Order matters: `groups` and `batch/...` before `{name}`.
_ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (method, re.compile(path), action, handler)
    for method, path, action, handler in (
        ("GET", _P + "/groups", "groups.list", HubSpotApi._list_groups),
        ("POST", _P + "/groups", "groups.create", HubSpotApi._create_group),
        ("GET", _P + "/groups/(?P<name>[^/]+)", "groups.read", HubSpotApi._get_group),
        ("PATCH", _P + "/groups/(?P<name>[^/]+)", "groups.update", HubSpotApi._update_group),
        ("DELETE", _P + "/groups/(?P<name>[^/]+)", "groups.archive", HubSpotApi._archive_group),
        ("POST", _P + "/batch/read", "properties.batch.read", HubSpotApi._batch_read),
        ("POST", _P + "/batch/create", "properties.batch.create", HubSpotApi._batch_create),
        ("POST", _P + "/batch/archive", "properties.batch.archive", HubSpotApi._batch_archive),
        ("GET", _P, "properties.list", HubSpotApi._list_properties),
        ("POST", _P, "properties.create", HubSpotApi._create_property),
        ("GET", _P + "/(?P<name>[^/]+)", "properties.read", HubSpotApi._get_property),
        ("PATCH", _P + "/(?P<name>[^/]+)", "properties.update", HubSpotApi._update_property),
        ("DELETE", _P + "/(?P<name>[^/]+)", "properties.archive", HubSpotApi._archive_property),
        ("GET", _PIPE, "pipelines.list", HubSpotApi._list_pipelines),
        ("GET", _PIPE + "/(?P<id>[^/]+)", "pipelines.read", HubSpotApi._get_pipeline),
        ("GET", "/account-info/v3/api-usage/daily/private-apps", "account.usage", HubSpotApi._daily_usage),
    )
]
