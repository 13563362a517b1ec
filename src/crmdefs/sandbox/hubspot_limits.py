"""HubSpot's rate limits in the sandbox: a rolling 10-second window and a daily budget, with the real 429
bodies and X-HubSpot-RateLimit-* headers (docs/hubspot.md#hs-rate-limits-by-tier, docs/hubspot.md#hs-429-body,
docs/hubspot.md#hs-rate-limit-headers; fixture error_429_daily_limit.json).
"""

from __future__ import annotations

import math
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from crmdefs.sandbox.http import Response, json_response

# X-HubSpot-RateLimit-Interval-Milliseconds: 10000 (docs/hubspot.md#hs-rate-limit-headers)
WINDOW_SECONDS = 10.0
DAY_SECONDS = 86_400.0


@dataclass
class Verdict:
    policy: str | None  # None = admitted, else "TEN_SECONDLY_ROLLING" or "DAILY"
    retry_after: int
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    """A rolling 10-second window and a daily budget (docs/hubspot.md#hs-rate-limits-by-tier). Refused
    requests do not count. The day starts with the first request and lasts 24 h of ``clock`` (the real one
    resets at the portal's midnight, docs/hubspot.md#hs-daily-reset)."""

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

    def use_up_day(self) -> None:
        """The rest of the day's allowance is spent (by another app of the portal: the limit is shared,
        docs/hubspot.md#hs-rate-limits-by-tier)."""
        with self._lock:
            self._expire(self._clock())
            self._day_used = max(self._day_used, self.daily)

    def used_today(self) -> int:
        return self._day_used

    def headers(self) -> dict[str, str]:
        # The commonly documented header set (docs/hubspot.md#hs-rate-limit-headers; exact current list
        # UNVERIFIED).
        return {
            "X-HubSpot-RateLimit-Max": str(self.rate),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.rate - len(self._hits))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(WINDOW_SECONDS * 1000)),
            "X-HubSpot-RateLimit-Daily": str(self.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily - self._day_used)),
        }


def rate_limited(policy: str, retry_after: int | None) -> Response:
    """The 429 body: fixture error_429_daily_limit.json; the burst variant's message/policyName per
    docs/hubspot.md#hs-429-body (full live body UNVERIFIED). No `category` key, as in the fixture."""
    message = {"DAILY": "daily", "TEN_SECONDLY_ROLLING": "ten_secondly_rolling"}[policy]
    body = {
        "status": "error",
        "message": f"You have reached your {message} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }
    # Retry-After on HubSpot 429s is UNVERIFIED (docs/hubspot.md#hs-retry-after). Beware: urllib3's default
    # Retry (which the SDK uses) honours it for GETs, sleeping that long and retrying up to 3 times on its
    # own.
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    response = json_response(429, body, headers)
    response.action = "ratelimit." + policy.lower()
    return response
