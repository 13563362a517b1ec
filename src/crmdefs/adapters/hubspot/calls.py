"""Every call crmdefs makes to a HubSpot portal goes through :class:`PortalCalls`: paced under the burst
limit, retried as ratelimit.py decides, and, when it fails for good, turned into a :class:`CrmApiError`
whose message names the target and says what to do (citations: entries of docs/hubspot.md)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from urllib3.exceptions import HTTPError

from crmdefs.adapters.hubspot.client import HubSpotApis
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


class PortalCalls:
    """One portal's API classes with the pacing and retry policy every call goes through."""

    def __init__(
        self,
        target: str,
        apis: HubSpotApis,
        *,
        rate_per_10s: int,
        timeout: float | None,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        token_env: str | None = None,
    ) -> None:
        self.target = target
        self.token_env = token_env
        self.apis = apis
        read = DEFAULT_TIMEOUT if timeout is None else timeout
        self.timeout = (min(10.0, read), read)  # (connect, read) on every call: the SDK sets none
        limiter = SlidingWindowLimiter(rate_per_10s, clock=clock, sleep=sleep)
        self.policy = RetryPolicy(limiter, max_retries=max_retries, sleep=sleep)
        # The CRM search API has its own, lower limit (docs/hubspot.md#hs-search-rate-limit: 4 requests per
        # second; the current value
        # is UNVERIFIED), so searches pass a second limiter as well.
        self.search_limiter = SlidingWindowLimiter(4, window=1.1, clock=clock, sleep=sleep)  # 10% margin

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
            if also_limit is not None:  # each attempt, retries included
                also_limit.acquire()
            return self.apis.api_client.call_api(
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

    def search(self, object_type: str, body: Json) -> Json:
        """One CRM search, paced by the search API's own limit as well."""
        path, params = self.apis.paths.search, {"objectType": object_type}
        return self.request(
            f"searching {object_type}", "POST", path, params, body=body, also_limit=self.search_limiter
        )


def cause_status(error: CrmApiError) -> int | None:
    """The HTTP status behind a CrmApiError raised by :meth:`PortalCalls.call`."""
    return http_status(error.__cause__) if error.__cause__ is not None else None
