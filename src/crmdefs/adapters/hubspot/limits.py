"""What a HubSpot portal says about its own limits, read from every answer's headers
(docs/hubspot.md#hs-rate-limit-headers), and the daily budget check made before a run starts writing.

The burst limit differs by tier (100, 190 or 250 requests per 10 s: docs/hubspot.md#hs-rate-limits-by-tier)
and HubSpot asks integrations to follow ``X-HubSpot-RateLimit-Max`` / ``-Interval-Milliseconds`` rather than
assume one, so the limiter starts at the Free/Starter floor and adopts what each answer announces. The day's
allowance is shared by every app of the portal: ``X-HubSpot-RateLimit-Daily-Remaining`` (absent for OAuth
apps) says how much is left, and a run that needs more stops before its first write, so it never leaves a
change half made for lack of calls.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from crmdefs.adapters.hubspot.ratelimit import SlidingWindowLimiter

FLOOR_PER_10S = 100  # Free/Starter, the lowest tier (docs/hubspot.md#hs-rate-limits-by-tier)
MAX = "x-hubspot-ratelimit-max"
INTERVAL_MS = "x-hubspot-ratelimit-interval-milliseconds"
DAILY_REMAINING = "x-hubspot-ratelimit-daily-remaining"


def _whole(value: Any) -> int | None:
    """A header's whole number, or None when absent or not one."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


class PortalLimits:
    """The burst limit and the daily allowance left, as the portal's latest answer told them."""

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self._limiter = limiter
        self._lock = threading.Lock()
        self.daily_remaining: int | None = None  # None: no answer carried it (yet)

    def observe(self, headers: Any) -> None:
        """Read one answer's headers (a urllib3 ``HTTPHeaderDict``, or any mapping; None for none)."""
        if not isinstance(headers, Mapping):
            return
        values = {str(name).lower(): value for name, value in headers.items()}
        rate, interval = _whole(values.get(MAX)), _whole(values.get(INTERVAL_MS))
        if rate:
            self._limiter.adopt(rate, interval / 1000 if interval else self._limiter.window)
        remaining = _whole(values.get(DAILY_REMAINING))
        if remaining is not None:
            with self._lock:
                # The lowest count seen: answers to calls made at once arrive in any order, so the one
                # handled last may be older. Only the midnight reset raises it, and then a lower figure
                # only makes the budget check careful, never lets a run overspend.
                if self.daily_remaining is None or remaining < self.daily_remaining:
                    self.daily_remaining = remaining

    def shortfall(self, needed: int) -> int | None:
        """The calls left today when fewer than ``needed``; None when enough, or when no answer said."""
        with self._lock:
            left = self.daily_remaining
        return left if left is not None and left < needed else None
