"""Every call crmdefs makes to a HubSpot portal goes through :class:`PortalCalls`: at most
``MAX_IN_FLIGHT`` at once, paced under the burst limit the portal announces (limits.py), retried as
ratelimit.py decides, and, when it fails for good, turned into a :class:`CrmApiError` whose message names
the target and says what to do (citations: entries of docs/hubspot.md)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from urllib3.exceptions import HTTPError

from crmdefs.adapters.base import NO_WAITS, Waits
from crmdefs.adapters.hubspot.client import MAX_IN_FLIGHT, HubSpotApis
from crmdefs.adapters.hubspot.limits import FLOOR_PER_10S, PortalLimits
from crmdefs.adapters.hubspot.ratelimit import (
    RetryPolicy,
    SlidingWindowLimiter,
    error_message,
    http_status,
)
from crmdefs.errors import CrmApiError, DailyLimitError, RetriesExhausted, StopAll

T = TypeVar("T")
Json = dict[str, Any]
DEFAULT_TIMEOUT = 30.0  # read timeout of every call, unless CRMDEFS_HTTP_TIMEOUT says otherwise
# The CRM search API's own limit: 5 requests a second per account (docs/hubspot.md#hs-search-rate-limit)
SEARCH_PER_SECOND = 5


class PortalCalls:
    """One portal's API classes with the pacing and retry policy every call goes through."""

    def __init__(
        self,
        target: str,
        apis: HubSpotApis,
        *,
        rate_per_10s: int = FLOOR_PER_10S,  # until the first answer says the portal's own
        timeout: float | None,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        token_env: str | None = None,
        waits: Waits = NO_WAITS,  # where long waits are told (a rate limit, a retry, a slow answer)
    ) -> None:
        self.target = target
        self.token_env = token_env
        self.apis = apis
        self.waits = waits
        read = DEFAULT_TIMEOUT if timeout is None else timeout
        self.timeout = (min(10.0, read), read)  # (connect, read) on every call: the SDK sets none
        limiter = SlidingWindowLimiter(rate_per_10s, clock=clock, sleep=sleep, waits=waits)
        self.limits = PortalLimits(limiter)  # follows the portal's X-HubSpot-RateLimit-* headers
        self.policy = RetryPolicy(limiter, max_retries=max_retries, sleep=sleep, waits=waits)
        # Searches pass a second limiter as well, counted like the first from each answer (ratelimit.py)
        self.search_limiter = SlidingWindowLimiter(
            SEARCH_PER_SECOND,
            window=1.0,
            clock=clock,
            sleep=sleep,
            waits=waits,
            name="HubSpot search rate limit",
        )
        self._in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)

    def call(self, what: str, request: Callable[[], T]) -> T:
        """One API call, paced and retried; a failure becomes a CrmApiError caused by the SDK's error."""
        try:
            return self.policy.call(request)
        except DailyLimitError as exc:
            raise StopAll(f"target '{self.target}': {exc}") from exc
        except (RetriesExhausted, HTTPError, OSError) as exc:
            raise CrmApiError(error_message(self.target, what, exc, self.token_env)) from exc
        # the SDK's ApiException, one class per API package (docs/hubspot.md#hs-sdk-api-exception): by .status
        except Exception as exc:
            if http_status(exc) is None:
                raise  # not an answer from the API: a bug, let it show
            error = StopAll if http_status(exc) == 401 else CrmApiError
            raise error(error_message(self.target, what, exc, self.token_env)) from exc

    def request(
        self,
        what: str,
        method: str,
        path: str,
        params: Mapping[str, str],
        *,
        body: Any = None,
        query: Mapping[str, str] | None = None,
        also_limit: SlidingWindowLimiter | None = None,
    ) -> Json:
        """One call to ``path`` (a template of :class:`ApiPaths`, filled with ``params``), paced and retried;
        the answer's JSON object. Sent through the SDK's ``call_api``: its auth, TLS, path quoting and, for
        every non-2xx answer, its ``ApiException`` (client.py says why not the typed methods)."""

        def send() -> Any:
            paced: AbstractContextManager[None] = nullcontext()
            if also_limit is not None:  # each attempt, retries included, passes it too
                paced = also_limit.slot()
            with self._in_flight, paced, self.waits.waiting("waiting for HubSpot's answer"):
                try:
                    answer = self.apis.api_client.call_api(
                        path,
                        method,
                        path_params=dict(params),
                        query_params=list(query.items()) if query else None,
                        header_params={"Accept": "application/json", "Content-Type": "application/json"},
                        body=body,
                        auth_settings=["oauth2"],
                        _return_http_data_only=True,
                        _preload_content=False,  # the urllib3 response: we parse the JSON ourselves
                        _request_timeout=self.timeout,
                    )
                except Exception as exc:  # an error answer has the limits' headers too
                    self.limits.observe(getattr(exc, "headers", None))
                    raise
            self.limits.observe(answer.headers)
            return answer

        answer = self.call(what, send)
        if answer.status == 204:
            return {}
        try:
            data = json.loads(answer.data)
        except ValueError:  # not JSON, cut off, empty, or not UTF-8 (an HTML page from a proxy, say)
            data = None
        if not isinstance(data, dict):
            kind = answer.headers.get("Content-Type") or "no content type"
            raise CrmApiError(
                f"target '{self.target}': {what}: HubSpot's answer (HTTP {answer.status}, {kind}) is not a "
                "JSON object — check that base_url is the HubSpot API, then run again"
            )
        return data

    def daily_shortfall(self, doing: str, needed: int, parts: str, untouched: str) -> str | None:
        """Why ``doing`` must not start, when the day's allowance left (as the portal's latest answer told)
        is short of the ``needed`` calls (``parts``: what they are); None when it is enough or unknown."""
        left = self.limits.shortfall(needed)
        if left is None:
            return None
        return (
            f"target '{self.target}': {doing} needs up to {needed} API calls ({parts}) but the portal has "
            f"{left} left today (X-HubSpot-RateLimit-Daily-Remaining; other apps of the portal share them) — "
            f"{untouched}; the allowance resets at midnight in the portal's time zone: run again then"
        )

    def search(self, object_type: str, body: Json) -> Json:
        """One CRM search, paced by the search API's own limit as well."""
        path, params = self.apis.paths.search, {"objectType": object_type}
        return self.request(
            f"searching {object_type}", "POST", path, params, body=body, also_limit=self.search_limiter
        )


def cause_status(error: CrmApiError) -> int | None:
    """The HTTP status behind a CrmApiError raised by :meth:`PortalCalls.call`."""
    return http_status(error.__cause__) if error.__cause__ is not None else None
