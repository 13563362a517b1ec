"""Dates in the sandbox's SOQL: the values of date and datetime fields, date and datetime literals, and the
relative date literals (TODAY, LAST_N_DAYS:n, …) as ranges of whole days (docs/salesforce.md#sf-soql-dates).

Real orgs start and end each day of a date literal in the time zone of the user who queries; the sandbox has
no users' time zones and counts days in UTC. "Today" is the real clock's UTC date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc
# 2026-11-29T10:00:00.000+0000 (how the REST API writes datetimes), …Z, …+01:00; Python 3.10's
# fromisoformat reads none of the first two.
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6})\d*)?(Z|[+-]\d{2}:?\d{2})?$"
)

# Date literal → (first day, day after the last) as offsets from today. LAST_N_DAYS:n includes today and
# starts n days ago (n + 1 days); NEXT_N_DAYS:n starts tomorrow; N_DAYS_AGO:n is the one day n days ago.
_FIXED = {"TODAY": (0, 1), "YESTERDAY": (-1, 0), "TOMORROW": (1, 2), "LAST_90_DAYS": (-90, 1)}
_WITH_N: dict[str, Callable[[int], tuple[int, int]]] = {
    "LAST_N_DAYS": lambda n: (-n, 1),
    "NEXT_N_DAYS": lambda n: (1, n + 1),
    "N_DAYS_AGO": lambda n: (-n, -n + 1),
}


def fixed_literal(word: str) -> bool:
    return word in _FIXED


def literal_with_n(word: str) -> bool:
    return word in _WITH_N


@dataclass(frozen=True)
class Days:
    """A relative date literal: the days [first, end) counted from today."""

    first: int
    end: int

    @staticmethod
    def of(word: str, n: int | None) -> Days:
        first, end = _FIXED[word] if n is None else _WITH_N[word](n)
        return Days(first, end)


def today() -> date:
    return datetime.now(UTC).date()


def instant(value: Any) -> datetime | None:
    """A datetime field's value (``2026-11-29T10:00:00.000+0000``, ``…Z``, ``…+01:00``) as an aware UTC
    datetime, or None when it is not one."""
    match = _INSTANT.match(str(value))
    if match is None:
        return None
    year, month, dd, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0"))
    zone = match.group(8) or "Z"
    offset = timedelta(0)
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        return datetime(year, month, dd, hour, minute, second, micro, tzinfo=timezone(offset)).astimezone(UTC)
    except ValueError:
        return None


def day(value: Any) -> date | None:
    """A date field's value (``2026-11-29``), or None when it is not one."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def bounds(days: Days, on: date, datetime_field: bool) -> tuple[Any, Any]:
    """The half-open range [low, high) a relative literal covers, as instants for a datetime field or as
    dates for a date field."""
    low, high = on + timedelta(days=days.first), on + timedelta(days=days.end)
    if datetime_field:
        return (
            datetime(low.year, low.month, low.day, tzinfo=UTC),
            datetime(high.year, high.month, high.day, tzinfo=UTC),
        )
    return low, high


def in_range(value: Any, operator: str, low: Any, high: Any) -> bool:
    """A comparison with a range: ``=`` inside it, ``<`` before it, ``>`` after it, ``<=`` up to its end,
    ``>=`` from its start, ``!=`` outside it."""
    inside = bool(low <= value < high)
    if operator in ("=", "!="):
        return inside == (operator == "=")
    return bool({"<": value < low, "<=": value < high, ">": value >= high, ">=": value >= low}[operator])
