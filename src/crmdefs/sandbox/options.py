"""The sandbox's settings: the HubSpot limits and ports (:class:`SandboxOptions`) and the injected faults
(:class:`FaultPlan`), each with its parser of the CRMDEFS_SANDBOX_* environment variables.

Light on purpose: the standard library and crmdefs.errors only, so that crmdefs' configuration layer can read
the environment once without loading the servers. Nothing else in the sandbox reads the environment.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crmdefs.errors import FaultSettingsError, SandboxStateError

# HubSpot CRM search requests a second per account (docs/hubspot.md#hs-search-rate-limit)
SEARCH_RATE_PER_SECOND = 5
SEARCH_RATE_ENV = "CRMDEFS_SANDBOX_HUBSPOT_SEARCH_RATE"


@dataclass(frozen=True)
class SandboxOptions:
    salesforce_port: int = 0  # 0 = any free port
    hubspot_port: int = 0
    # HubSpot Free/Starter burst limit (docs/hubspot.md#hs-rate-limits-by-tier)
    hubspot_rate_per_10s: int = 100
    hubspot_daily_limit: int = 250_000
    # HubSpot's documented 429 carries no Retry-After (docs/hubspot.md#hs-retry-after), and urllib3 would
    # silently sleep and retry GETs on one; so it is off unless CRMDEFS_SANDBOX_HUBSPOT_RETRY_AFTER=1 (in
    # seconds) or =ms (in milliseconds, as one source says HubSpot sends it). =N (seconds) also makes the
    # injected 429s (FaultPlan) ask for N seconds instead of 1, so a test can make a client wait longer.
    hubspot_retry_after: bool = False
    hubspot_retry_after_ms: bool = False
    hubspot_injected_retry_after: int = 1
    # The HubSpot CRM search API's own limit, 5 a second; CRMDEFS_SANDBOX_HUBSPOT_SEARCH_RATE lifts it, e.g.
    # for test suites that search in bursts.
    hubspot_search_rate: int = SEARCH_RATE_PER_SECOND

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: int) -> SandboxOptions:
        def number(name: str, default: int) -> int:
            text = env.get(name, "").strip()
            if not text:
                return default
            if not text.isdigit():
                raise SandboxStateError(f"{name} must be a whole number, not {text!r}")
            return int(text)

        retry_after = env.get("CRMDEFS_SANDBOX_HUBSPOT_RETRY_AFTER", "").strip()
        values: dict[str, Any] = {
            "hubspot_rate_per_10s": number("CRMDEFS_SANDBOX_HUBSPOT_RATE", 100),
            "hubspot_daily_limit": number("CRMDEFS_SANDBOX_HUBSPOT_DAILY", 250_000),
            "hubspot_retry_after": retry_after == "ms" or (retry_after.isdigit() and int(retry_after) > 0),
            "hubspot_retry_after_ms": retry_after == "ms",
            "hubspot_injected_retry_after": int(retry_after) if retry_after.isdigit() else 1,
            "hubspot_search_rate": _search_rate(env),
        }
        return cls(**{**values, **overrides})


def _search_rate(env: Mapping[str, str]) -> int:
    """CRMDEFS_SANDBOX_HUBSPOT_SEARCH_RATE: a positive whole number; anything else means the default (no
    error, as when the sandbox read it at the first search)."""
    text = env.get(SEARCH_RATE_ENV, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else SEARCH_RATE_PER_SECOND


# What CRMDEFS_SANDBOX_SCHEDULE can name. "concurrent": Salesforce's REQUEST_LIMIT_EXCEEDED for too many
# long-running requests at once (ConcurrentPerOrgLongTxn), which clears by itself; HubSpot answers it as
# a 429. "daily" (HubSpot only): another app of the portal uses up the day's allowance at that request,
# which is refused with the DAILY 429, as is every later one.
FAULT_KINDS = ("429", "5xx", "drop", "slow", "concurrent", "daily")


@dataclass
class FaultPlan:
    """Faults for tests and the benchmark. From the environment (README "Sandbox"):

    CRMDEFS_SANDBOX_LATENCY_MS   added latency per call (default 0)
    CRMDEFS_SANDBOX_FAIL_429     probability 0..1 of an injected 429
    CRMDEFS_SANDBOX_FAIL_5XX     probability 0..1 of an injected 503
    CRMDEFS_SANDBOX_DROP         probability 0..1 of closing the connection without an answer
    CRMDEFS_SANDBOX_SCHEDULE     exact faults by request number, from 1: across both APIs ("3:429,7:5xx,
                                 9:drop,12:slow"), or within one ("hubspot:3:429,salesforce:2:5xx"), which
                                 stays exact when a client calls both APIs at once; "hubspot:N:daily"
                                 spends the portal's daily allowance at its request N
    CRMDEFS_SANDBOX_SLOW_MS      how long a scheduled "slow" request is held before it is carried out
                                 (default 5000): past a client's read timeout, it is still carried out,
                                 as a real server finishes work its client stopped waiting for
    CRMDEFS_SANDBOX_SEED         random seed, for repeatable runs
    CRMDEFS_SANDBOX_FAIL_COMPONENTS  components whose every save fails, e.g.
                                 "Lead.Fit_Score__c,deals.dealtype" (a Salesforce SaveResult error;
                                 a HubSpot 500 on PATCH or create); a HubSpot record as type.id
                                 ("contacts.51101") is left out of every batch update, which answers
                                 207 naming it
    CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER  after this many Salesforce requests, every further one is
                                 refused as with an expired token: REST 401 INVALID_SESSION_ID, SOAP
                                 fault sf:INVALID_SESSION_ID (the answers to a wrong token)

    Each request that gets an injected fault is logged with ``"fault": kind`` (429, 5xx, drop, slow,
    session, daily).
    """

    latency_ms: float = 0.0
    p429: float = 0.0
    p5xx: float = 0.0
    pdrop: float = 0.0
    schedule: dict[int, str] = field(default_factory=dict)  # request number across both APIs → fault
    api_schedule: dict[tuple[str, int], str] = field(default_factory=dict)  # (API, number within it) → fault
    seed: int | None = None
    fail_components: frozenset[str] = frozenset()
    slow_ms: float = 5000.0
    expire_session_after: int | None = None
    _count: int = 0
    _api_counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FaultPlan:
        def number(name: str) -> float:
            text = env.get(name, "").strip()
            try:
                return float(text) if text else 0.0
            except ValueError as exc:
                raise FaultSettingsError(f"{name} must be a number, not {text!r}") from exc

        schedule: dict[int, str] = {}
        api_schedule: dict[tuple[str, int], str] = {}
        for item in filter(None, (p.strip() for p in env.get("CRMDEFS_SANDBOX_SCHEDULE", "").split(","))):
            api, index, kind = _scheduled(item)
            if api:
                api_schedule[(api, index)] = kind
            else:
                schedule[index] = kind
        seed_text = env.get("CRMDEFS_SANDBOX_SEED", "").strip()
        slow_text = env.get("CRMDEFS_SANDBOX_SLOW_MS", "").strip()
        expire_text = env.get("CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER", "").strip()
        if expire_text and not expire_text.isdigit():
            raise FaultSettingsError(
                f"CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER must be a whole number, not {expire_text!r}"
            )
        return cls(
            latency_ms=number("CRMDEFS_SANDBOX_LATENCY_MS"),
            p429=number("CRMDEFS_SANDBOX_FAIL_429"),
            p5xx=number("CRMDEFS_SANDBOX_FAIL_5XX"),
            pdrop=number("CRMDEFS_SANDBOX_DROP"),
            schedule=schedule,
            api_schedule=api_schedule,
            seed=int(seed_text) if seed_text.isdigit() else None,
            fail_components=frozenset(
                p.strip() for p in env.get("CRMDEFS_SANDBOX_FAIL_COMPONENTS", "").split(",") if p.strip()
            ),
            slow_ms=number("CRMDEFS_SANDBOX_SLOW_MS") if slow_text else 5000.0,
            expire_session_after=int(expire_text) if expire_text else None,
        )

    def decide(self, api: str = "") -> str | None:
        """The fault for the next request to ``api``, or None. Requests are numbered from 1, across both
        APIs and within each. An expired Salesforce session outranks every other fault."""
        with self._lock:
            self._count += 1
            self._api_counts[api] += 1
            number = self._api_counts[api]
            if (
                api == "salesforce"
                and self.expire_session_after is not None
                and number > self.expire_session_after
            ):
                return "session"
            scheduled = self.schedule.get(self._count) or self.api_schedule.get((api, number))
            if scheduled:
                return scheduled
            roll = self._random.random()
        for kind, chance in (("drop", self.pdrop), ("429", self.p429), ("5xx", self.p5xx)):
            if roll < chance:
                return kind
            roll -= chance
        return None


def _scheduled(item: str) -> tuple[str, int, str]:
    """One CRMDEFS_SANDBOX_SCHEDULE entry, "N:KIND" or "API:N:KIND", as (API or "", N, KIND)."""
    parts = item.split(":")
    api, number, kind = parts if len(parts) == 3 else ["", *parts] if len(parts) == 2 else ["?", "", ""]
    if api not in ("", "salesforce", "hubspot") or not number.isdigit() or kind not in FAULT_KINDS:
        raise FaultSettingsError(
            f"CRMDEFS_SANDBOX_SCHEDULE: {item!r} is not N:KIND or API:N:KIND (API salesforce or hubspot, "
            f"KIND one of {', '.join(FAULT_KINDS)})"
        )
    if kind == "daily" and api != "hubspot":
        raise FaultSettingsError(
            f"CRMDEFS_SANDBOX_SCHEDULE: {item!r}: 'daily' is HubSpot's; write hubspot:N:daily"
        )
    return api, int(number), kind
