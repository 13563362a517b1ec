"""The HubSpot half of the sandbox: CRM Properties v3 (core, batch, groups) and the deal pipelines, at the
paths hubspot-api-client 12 calls, with HubSpot's error bodies, rate limits and headers.

Every rule cites its source: "ref §x" = the shared HubSpot reference (hubspot.md), "fixture x" = a real
recorded response in tests/fixtures/hubspot/. Anything the sources do not pin down is marked UNVERIFIED.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from crmdefs.sandbox import hsrecords
from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_limits import RateLimiter, rate_limited
from crmdefs.sandbox.hubspot_rules import (
    CREATE_FIELDS,
    NOT_FOUND,
    REQUIRED_CREATE,
    UPDATE_FIELDS,
    VALIDATION,
    ApiError,
    Json,
    Params,
    archived_flag,
    batch_body,
    batch_inputs,
    check_definition,
    check_fields,
    check_modifiable,
    is_archived,
    json_body,
    new_property,
    normalize_options,
    now_iso,
    refuse,
    unauthorized,
)
from crmdefs.sandbox.hubspot_seed import SANDBOX_USER_ID
from crmdefs.sandbox.options import SEARCH_RATE_PER_SECOND
from crmdefs.sandbox.state import SandboxState

# Object type aliases: HubSpot accepts type ids beside names (ref §1.2); for this endpoint UNVERIFIED.
_ALIASES = {"0-1": "contacts", "contact": "contacts", "0-3": "deals", "deal": "deals"}


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
        failing: frozenset[str] = frozenset(),
        search_rate: int = SEARCH_RATE_PER_SECOND,  # CRM search requests a second (hsrecords.py)
    ) -> None:
        self.state = state
        self.search_rate = search_rate
        self.failing = failing  # properties whose PATCH/create fails (FaultPlan.fail_components)
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

    def _maybe_fail(self, object_type: str, name: str) -> None:
        if f"{_ALIASES.get(object_type, object_type)}.{name}" in self.failing:  # FaultPlan.fail_components
            raise ApiError(500, "INTERNAL_ERROR", "internal error (injected by the sandbox)")

    def _hub(self) -> Json:
        hub: Json = self.state.data["hubspot"]  # read each time: `reset` replaces state.data
        return hub

    def _object_type(self, raw: str, section: str = "properties") -> str:
        """The stored object type for a path segment. Unknown → 400 "Unable to infer object type from: x", the
        real objects-API answer (HubSpot/hubspot-api-php#128); for the properties API UNVERIFIED."""
        name = _ALIASES.get(raw, raw)
        if name not in self._hub()["properties"]:
            raise refuse(f"Unable to infer object type from: {raw}")
        if name not in self._hub()[section]:
            raise refuse(f"Object type {raw} has no {section}")  # e.g. contacts pipelines; UNVERIFIED
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
            raise refuse(f"Property group {group_name} does not exist", "groupName")  # message UNVERIFIED

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
        self._maybe_fail(raw_type, str(body.get("name", "")))
        check_fields(body, CREATE_FIELDS)
        for key in REQUIRED_CREATE:
            if not body.get(key):
                raise refuse(f"{key} is required", key)
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
        self._maybe_fail(params["type"], params["name"])
        changes = json_body(request)
        check_fields(changes, UPDATE_FIELDS)
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
            raise refuse(f"Property {prop['name']} is not archivable", "name")

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
                raise refuse(f"{key} is required", key)
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
            raise refuse(f"Property group {group['name']} still has properties", "groupName")  # UNVERIFIED
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
# Records (hsrecords.py), as crm/objects/api/search_api.py and batch_api.py call them.
_OBJ = r"/crm/v3/objects/(?P<type>[^/]+)"
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
        ("POST", _OBJ + "/search", "objects.search", hsrecords.search),
        ("POST", _OBJ + "/batch/read", "objects.batch.read", hsrecords.batch_read),
        ("POST", _OBJ + "/batch/update", "objects.batch.update", hsrecords.batch_update),
        ("GET", "/account-info/v3/api-usage/daily/private-apps", "account.usage", HubSpotApi._daily_usage),
    )
]
