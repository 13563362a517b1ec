"""Client-side pacing, the retry policy and the error messages of HubSpot calls (facts: docs/hubspot.md).

HubSpot private apps get 100 (Free/Starter) or 190 (Professional/Enterprise) requests per rolling 10 s and a
daily allowance that resets at midnight in the portal's time zone (docs/hubspot.md#hs-rate-limits-by-tier,
docs/hubspot.md#hs-daily-reset). crmdefs paces itself under the burst limit the portal announces in its
answers' headers (limits.py), so a 429 is the exception; when one comes anyway the body's ``policyName`` says
which limit was hit (docs/hubspot.md#hs-429-body): ``DAILY`` will not come back for hours, so we stop at
once; ``TEN_SECONDLY_ROLLING`` (or a 429 without a policy) is waited out and retried, after ``Retry-After``
if the answer has one (seconds or milliseconds, never past the window: docs/hubspot.md#hs-retry-after). 5xx
answers and dropped connections are retried with exponential backoff. Every write
crmdefs makes is idempotent (a PATCH of whole values; a create that finds the property converges), so a retry
after a lost answer is safe.

urllib3's own retries are off (the adapter builds the SDK with ``Retry(total=0)``): they cannot see
``policyName``, do not retry PATCH/POST by default and would sleep on any ``Retry-After``
(docs/hubspot.md#hs-sdk-urllib3-retries). This module knows nothing of the SDK's classes: it reads
``.status``/``.body``/``.headers`` off whatever the call raised, as every per-package ``ApiException`` of
hubspot-api-client carries them (docs/hubspot.md#hs-sdk-api-exception), and turns a failure that is final into
a sentence that names the target and says what to do.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from crmdefs.adapters.base import NO_WAITS, Waits
from crmdefs.errors import DailyLimitError, RetriesExhausted

# HubSpot's burst window: a rolling 10 s (X-HubSpot-RateLimit-Interval, docs/hubspot.md#hs-rate-limit-headers)
WINDOW_SECONDS = 10.0
BACKOFF_START = 0.5
BACKOFF_CAP = 10.0
DAILY_MESSAGE = (
    "HubSpot's daily API limit for this portal is used up; it resets at midnight in the portal's time "
    "zone — run again then"
)

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], None]


class SlidingWindowLimiter:
    """At most ``rate`` requests in any ``window`` seconds. ``clock`` and ``sleep`` must agree (a fake
    sleep in tests must advance the fake clock). Thread-safe: requests claim their place under the lock
    and wait outside it; counting an answer and adopting a new limit take no lock (a plain assignment is
    atomic, and a waiter reads the cell it claimed again when it wakes)."""

    def __init__(
        self,
        rate: int,
        window: float = WINDOW_SECONDS,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        waits: Waits = NO_WAITS,
        name: str = "HubSpot rate limit",  # what a long wait is shown as (Waits)
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1 request per window")
        self.rate, self.window = rate, window
        self._clock, self._sleep = clock, sleep
        self._waits, self.name = waits, name
        self._sent: list[list[float]] = []  # one cell per request: when it counts from
        self._lock = threading.Lock()

    def adopt(self, rate: int, window: float) -> None:
        """Follow the limit the portal announces (limits.py); a waiter sees it when it wakes."""
        if rate >= 1 and window > 0:
            self.rate, self.window = rate, window

    def acquire(self) -> float:
        """Wait until one more request fits in the window, count it, and return the seconds waited."""
        return self._take()[1]

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Pace one request and count it from when its answer came back, not from when it was sent: HubSpot
        counts a request when it arrives, up to one network latency after we send it, so counting from
        the send let the 101st request of a burst arrive inside the server's window (bench/: one 429 in
        300 PATCHes at 50 ms latency). The answer's time is never earlier than the arrival."""
        cell, _ = self._take()
        try:
            yield
        finally:
            cell[0] = max(cell[0], self._clock())  # without the lock: see the class doc

    def _take(self) -> tuple[list[float], float]:
        """Count one more request and wait until it fits. When the window is full, the request claims the
        cell that frees the window next and takes its place, then sleeps outside the lock: the requests
        waiting for one window each sleep to their own cell at once, instead of one after another (each
        wake-up's delay would add up over a window's worth of requests)."""
        with self._lock:
            now = self._clock()
            # Answers come back in any order, so any cell may expire next, not just the oldest sent.
            self._sent = [c for c in self._sent if now - c[0] < self.window]
            if len(self._sent) < self.rate:
                cell = [now]
                self._sent.append(cell)
                return cell, 0.0
            # After the limit went down there can be more cells than the rate: the request fits once all
            # but rate - 1 of them have expired.
            claimed = sorted(self._sent, key=lambda c: c[0])[len(self._sent) - self.rate]
            self._sent.remove(claimed)
            cell = [claimed[0] + self.window]
            self._sent.append(cell)
        waited = 0.0
        reason = f"{self.name} ({self.rate} requests per {self.window:g} s)"
        with self._waits.waiting(reason, max(0.0, claimed[0] + self.window - self._clock())):
            while (delay := claimed[0] + self.window - self._clock()) > 0:  # its answer may come later
                self._sleep(delay)
                waited += delay
        cell[0] = max(cell[0], self._clock())
        return cell, waited


# --- reading an error (pure) ------------------------------------------------------------------------------


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of an SDK ``ApiException`` (0 = the SDK's own TLS failure), else None."""
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def error_body(exc: BaseException) -> dict[str, Any]:
    """The JSON error body (docs/hubspot.md#hs-error-body); the SDK keeps it raw (bytes or str,
    docs/hubspot.md#hs-sdk-api-exception). {} when absent or not JSON."""
    raw = getattr(exc, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str) or not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def policy_name(exc: BaseException) -> str | None:
    name = error_body(exc).get("policyName")
    return name if isinstance(name, str) else None


def retry_after(exc: BaseException, window: float = WINDOW_SECONDS) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, which HubSpot may not send, in seconds or, as one source
    says, in milliseconds (docs/hubspot.md#hs-retry-after). A burst 429 never needs more than the window, so
    a number larger than the window's seconds is milliseconds; the wait never passes the window."""
    headers = getattr(exc, "headers", None)
    if not isinstance(headers, Mapping):
        return None
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None  # an HTTP date; not worth parsing for a 10-second window
    if not number >= 0:  # negative, or not a number
        return None
    return min(number if number <= window else number / 1000.0, window)


def is_transport_error(exc: BaseException) -> bool:
    """A connection that failed, dropped or timed out — worth another try. A TLS failure is not: a wrong
    certificate does not fix itself. With Retry(total=0), urllib3 wraps GET failures in MaxRetryError and
    re-raises PATCH/POST read errors bare (methods it may not retry)."""
    if isinstance(exc, MaxRetryError):
        return not isinstance(exc.reason, SSLError)
    return isinstance(exc, (ProtocolError, NewConnectionError, Urllib3Timeout, ConnectionError))


def retry_reason(exc: BaseException, number: int, retries: int) -> str:
    """Why a retry waits, for the person watching: "retry 2 of 5 after a 503 from HubSpot"."""
    status = http_status(exc)
    if status == 429:
        return f"HubSpot rate limit (429), retry {number} of {retries}"
    cause = f"a {status}" if status else "a dropped connection or no answer"
    return f"retry {number} of {retries} after {cause} from HubSpot"


def backoff(attempt: int) -> float:
    """0.5, 1, 2, 4, 8, 10, 10, … seconds for attempt 0, 1, 2, …"""
    return min(BACKOFF_CAP, BACKOFF_START * 2.0**attempt)


class RetryPolicy:
    """Runs one API call: paced by ``limiter`` before every attempt, retried as the module doc says."""

    def __init__(
        self,
        limiter: SlidingWindowLimiter,
        *,
        max_retries: int = 5,
        sleep: Sleep = time.sleep,
        waits: Waits = NO_WAITS,
    ) -> None:
        self.limiter = limiter
        self.max_retries = max_retries
        self._sleep = sleep
        self._waits = waits
        self._lock = threading.Lock()
        self.retries = 0  # retries made so far (all calls), for the benchmark

    def delay(self, exc: BaseException, attempt: int) -> float | None:
        """Seconds to wait before retrying after ``exc``; None = do not retry. Raises on a DAILY 429."""
        status = http_status(exc)
        if status == 429:
            if policy_name(exc) == "DAILY":
                raise DailyLimitError(DAILY_MESSAGE) from exc
            wait = retry_after(exc, self.limiter.window)
            return wait if wait is not None else backoff(attempt)
        if (status is not None and 500 <= status <= 599) or is_transport_error(exc):
            return backoff(attempt)
        return None

    def call(self, request: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                with self.limiter.slot():
                    return request()
            except Exception as exc:
                wait = self.delay(exc, attempt)
                if wait is None:
                    raise
                if attempt >= self.max_retries:
                    raise RetriesExhausted(exc, attempt + 1) from exc
                reason = retry_reason(exc, attempt + 1, self.max_retries)
            with self._waits.waiting(reason, wait):
                self._sleep(wait)
            attempt += 1
            with self._lock:
                self.retries += 1


# --- pure: errors → messages that say what to do (docs/hubspot.md#hs-error-body) ----------------------------


def api_message(body: Mapping[str, Any]) -> str:
    parts = [str(body["message"])] if body.get("message") else []
    for detail in body.get("errors") or []:
        text = str(detail.get("message", "")) if isinstance(detail, Mapping) else ""
        if text and text not in parts:
            parts.append(text + (f" (in {detail['in']})" if detail.get("in") else ""))
    return "; ".join(parts)


def error_message(target: str, what: str, error: BaseException, token_env: str | None = None) -> str:
    """``error`` as a sentence naming the target and the call, and what to do. Never includes the token:
    only the status, the error body's message and exception type names are used. ``token_env``: the
    variable the token came from (None: unknown, or the sandbox)."""
    where, attempts, exc = f"target '{target}': {what}", "", error
    if isinstance(error, RetriesExhausted):
        exc, attempts = error.last, f" {error.attempts} times"
    status, body = http_status(exc), error_body(exc)
    if status == 429:
        return (
            f"{where}: HubSpot answered 429 ({policy_name(exc) or 'rate limit'}){attempts} — another app may "
            "be using the portal's allowance; wait a minute and run again (applying again is safe)"
        )
    if status is not None and status >= 500:
        return (
            f"{where}: HubSpot answered {status}{attempts} — HubSpot may be having trouble; run again later"
        )
    # New integrations use service keys; existing private app tokens keep working
    # (docs/hubspot.md#hs-service-keys). Both are bearer tokens.
    token = f"${token_env}" if token_env else "the target's access_token_env"
    if status == 401:
        return (
            f"{where}: HubSpot rejected the access token (401) — set {token} to a valid service key (or an "
            "existing private app's access token); keys are made in HubSpot under Development > Keys > "
            "Service keys"
        )
    # Missing scopes are listed in `context` (context.missingScopes, docs/hubspot.md#hs-error-missing-scopes).
    if status == 403:
        context = body.get("context") or {}
        scopes = sorted({str(s) for k, v in context.items() if "scope" in str(k).lower() for s in v or ()})
        need = ", ".join(scopes) or "crm.schemas.<object>.read and .write for the object's properties"
        return (
            f"{where}: the service key (or private app) in {token} lacks scopes ({need}) — add them to the "
            "key in HubSpot (Development > Keys > Service keys) and run again"
        )
    if status == 404:
        return f"{where}: HubSpot does not know it (404: {api_message(body)}) — run `crmdefs plan` again"
    if status:
        category = f" {body['category']}" if body.get("category") else ""
        return f"{where}: HubSpot refused it ({status}{category}): {api_message(body) or 'no details'}"
    if status == 0 or (isinstance(exc, MaxRetryError) and isinstance(exc.reason, SSLError)):
        return f"{where}: the TLS connection failed — check the target's base_url and ca_bundle"
    reason = type(exc.reason if isinstance(exc, MaxRetryError) else exc).__name__
    return f"{where}: HubSpot could not be reached{attempts} ({reason}) — check base_url and the network"
