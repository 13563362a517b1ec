"""The HubSpot half of the sandbox: CRM Properties (core, batch, groups), the deal pipelines and the CRM
object records, at both path families — the numbered ``/crm/v3/…`` and the dated ``/crm/…/2026-03/…``
(docs/hubspot.md#hs-dated-apis) — with HubSpot's error bodies, rate limits and headers.

This module authenticates, applies the rate limits and routes; the handlers live in hubspot_properties.py
(properties and groups), hubspot_pipelines.py (pipelines and stages), hubspot_search.py and
hubspot_record_batch.py (records), all working on the portal's data through hubspot_store.HubSpotPortal.

Every rule cites its source: "docs/hubspot.md#…" = an entry of docs/hubspot.md, "fixture x" = a real
recorded response in tests/fixtures/hubspot/. Anything the sources do not pin down is marked UNVERIFIED.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import unquote

from crmdefs.sandbox import hubspot_owners as owners
from crmdefs.sandbox import hubspot_pipelines as pipelines
from crmdefs.sandbox import hubspot_properties as properties
from crmdefs.sandbox import hubspot_record_batch as record_batch
from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_limits import RateLimiter, rate_limited
from crmdefs.sandbox.hubspot_rules import NOT_FOUND, ApiError, Params, unauthorized
from crmdefs.sandbox.hubspot_search import SearchLimiter, search
from crmdefs.sandbox.hubspot_store import HubSpotPortal
from crmdefs.sandbox.options import SEARCH_RATE_PER_SECOND
from crmdefs.sandbox.state import SandboxState


class HubSpotApi:
    """Answers hubspot-api-client 12's properties, pipelines and records calls from
    ``state.data["hubspot"]``."""

    name = "hubspot"

    def __init__(
        self,
        state: SandboxState,
        *,
        # Free/Starter private apps: 100 per 10 s, 250,000 a day (docs/hubspot.md#hs-rate-limits-by-tier)
        rate_per_10s: int = 100,
        daily_limit: int = 250_000,
        clock: Callable[[], float] = time.monotonic,
        retry_after: bool = True,
        retry_after_ms: bool = False,
        injected_retry_after: int = 1,  # the seconds an injected 429 asks for (FaultPlan)
        failing: frozenset[str] = frozenset(),
        search_rate: int = SEARCH_RATE_PER_SECOND,  # CRM search requests a second (hubspot_search.py)
    ) -> None:
        self.state = state
        self.portal = HubSpotPortal(state, failing)  # failing: FaultPlan.fail_components
        self.limiter = RateLimiter(rate_per_10s, daily_limit, clock)
        self.search_limiter = SearchLimiter(search_rate, clock)  # the search API's own limit, same clock
        self.retry_after = retry_after  # send Retry-After on TEN_SECONDLY_ROLLING 429s (UNVERIFIED header)
        self.retry_after_ms = (
            retry_after_ms  # … in milliseconds, as one source says (docs/hubspot.md#hs-retry-after)
        )
        self.injected_retry_after = injected_retry_after

    def _retry_after(self, policy: str, seconds: int) -> int | None:
        # Only for the 10-second window: a DAILY Retry-After (up to a day) would make urllib3 sleep that long.
        if not self.retry_after or policy != "TEN_SECONDLY_ROLLING":
            return None
        return seconds * 1000 if self.retry_after_ms else seconds

    # -- Api protocol

    def handle(self, request: Request) -> Response:
        verdict = self.limiter.admit()  # every request counts, whatever its outcome (refused ones excepted)
        if verdict.policy is not None:
            response = rate_limited(verdict.policy, self._retry_after(verdict.policy, verdict.retry_after))
        elif not self._authorized(request):
            response = unauthorized()
        else:
            response = self._dispatch(request)
        response.headers.update(verdict.headers)  # on every response (docs/hubspot.md#hs-rate-limit-headers)
        return response

    def injected(self, kind: str, request: Request | None = None) -> Response:
        if kind == "daily":  # another app of the portal used up the day's allowance: refused from now on
            self.limiter.use_up_day()
            response = rate_limited("DAILY", None)
            response.headers.update(self.limiter.headers())
            response.action = "injected.daily"
            return response
        if kind in ("429", "concurrent"):  # HubSpot has one rate-limit answer
            response = rate_limited(
                "TEN_SECONDLY_ROLLING", self._retry_after("TEN_SECONDLY_ROLLING", self.injected_retry_after)
            )
            response.headers.update({**self.limiter.headers(), "X-HubSpot-RateLimit-Remaining": "0"})
            response.action = "injected.429"
            return response
        # A plausible HubSpot 5xx body (standard error keys, docs/hubspot.md#hs-error-body); no real sample,
        # UNVERIFIED.
        body = {"status": "error", "message": "internal error", "correlationId": str(uuid.uuid4())}
        response = json_response(503, body, self.limiter.headers())
        response.action = "injected.5xx"
        return response

    # -- plumbing

    def _authorized(self, request: Request) -> bool:
        # `Authorization: Bearer <token>` is how the SDK authenticates (docs/hubspot.md#hs-sdk-bearer-auth).
        token = request.bearer()
        return token is not None and hmac.compare_digest(token.encode(), self.portal.token.encode())

    def _dispatch(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        for method, pattern, action, handler in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None or method != request.method:
                continue
            params = {key: unquote(value) for key, value in match.groupdict().items()}
            try:
                with self.portal.lock:
                    response = handler(self, request, params)
            except ApiError as error:
                response = error.response()
            response.action = action
            return response
        # Unknown route (including POST .../batch/update, which does not exist:
        # docs/hubspot.md#hs-no-batch-update). Body UNVERIFIED.
        unknown = ApiError(404, NOT_FOUND, f"No route for {request.method} {request.path}")
        response = unknown.response()
        response.action = "route.unknown"
        return response

    # -- records: search has its own limiter (hubspot_search.py)

    def _search(self, request: Request, params: Params) -> Response:
        return search(self.portal, self.search_limiter, request, params)

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
PortalHandler = Callable[[HubSpotPortal, Request, Params], Response]


def _on_portal(handler: PortalHandler) -> Handler:
    """A route handler for one that needs only the portal's data."""

    def call(api: HubSpotApi, request: Request, params: Params) -> Response:
        return handler(api.portal, request, params)

    return call


def _family(api: str) -> str:
    """Both path families of ``api`` (docs/hubspot.md#hs-dated-apis): the numbered ``/crm/v3/{api}/…`` and the
    dated ``/crm/{api}/2026-03/…``, which take and return the same payloads."""
    return rf"/crm/(?:v3/{api}|{api}/2026-03)/(?P<type>[^/]+)"


_P = _family("properties")
_PIPE = _family("pipelines")
# Records (hubspot_search.py, hubspot_record_batch.py)
_OBJ = _family("objects")
# Owners and account details (hubspot_owners.py): no object type in their paths
_OWNERS = r"/crm/(?:v3/owners|owners/2026-03)"
_DETAILS = r"/account-info/(?:v3|2026-03)/details"
# Paths as hubspot-api-client 12 calls them (crm/properties/api/*.py, crm/pipelines/api/pipelines_api.py).
# Order matters: `groups` and `batch/...` before `{name}`.
_ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (method, re.compile(path), action, handler)
    for method, path, action, handler in (
        ("GET", _P + "/groups", "groups.list", _on_portal(properties.list_groups)),
        ("POST", _P + "/groups", "groups.create", _on_portal(properties.create_group)),
        ("GET", _P + "/groups/(?P<name>[^/]+)", "groups.read", _on_portal(properties.get_group)),
        ("PATCH", _P + "/groups/(?P<name>[^/]+)", "groups.update", _on_portal(properties.update_group)),
        ("DELETE", _P + "/groups/(?P<name>[^/]+)", "groups.archive", _on_portal(properties.archive_group)),
        ("POST", _P + "/batch/read", "properties.batch.read", _on_portal(properties.batch_read)),
        ("POST", _P + "/batch/create", "properties.batch.create", _on_portal(properties.batch_create)),
        ("POST", _P + "/batch/archive", "properties.batch.archive", _on_portal(properties.batch_archive)),
        ("GET", _P, "properties.list", _on_portal(properties.list_properties)),
        ("POST", _P, "properties.create", _on_portal(properties.create_property)),
        ("GET", _P + "/(?P<name>[^/]+)", "properties.read", _on_portal(properties.get_property)),
        ("PATCH", _P + "/(?P<name>[^/]+)", "properties.update", _on_portal(properties.update_property)),
        ("DELETE", _P + "/(?P<name>[^/]+)", "properties.archive", _on_portal(properties.archive_property)),
        ("GET", _PIPE, "pipelines.list", _on_portal(pipelines.list_pipelines)),
        ("POST", _PIPE, "pipelines.create", _on_portal(pipelines.create_pipeline)),
        ("GET", _PIPE + "/(?P<id>[^/]+)", "pipelines.read", _on_portal(pipelines.get_pipeline)),
        ("PUT", _PIPE + "/(?P<id>[^/]+)", "pipelines.replace", _on_portal(pipelines.replace_pipeline)),
        ("GET", _PIPE + "/(?P<id>[^/]+)/stages", "stages.list", _on_portal(pipelines.list_stages)),
        ("POST", _PIPE + "/(?P<id>[^/]+)/stages", "stages.create", _on_portal(pipelines.create_stage)),
        (
            "PATCH",
            _PIPE + "/(?P<id>[^/]+)/stages/(?P<stage>[^/]+)",
            "stages.update",
            _on_portal(pipelines.update_stage),
        ),
        ("POST", _OBJ + "/search", "objects.search", HubSpotApi._search),
        ("POST", _OBJ + "/batch/read", "objects.batch.read", _on_portal(record_batch.batch_read)),
        ("POST", _OBJ + "/batch/update", "objects.batch.update", _on_portal(record_batch.batch_update)),
        ("GET", "/account-info/v3/api-usage/daily/private-apps", "account.usage", HubSpotApi._daily_usage),
        ("GET", _OWNERS, "owners.list", _on_portal(owners.list_owners)),
        ("GET", _OWNERS + "/(?P<owner>[^/]+)", "owners.read", _on_portal(owners.get_owner)),
        ("GET", _DETAILS, "account.details", _on_portal(owners.account_details)),
    )
]
