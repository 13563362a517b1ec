"""`crmdefs quality`'s counts on Salesforce: SOQL aggregates only, no record bodies.

- A picklist: one ``SELECT F, COUNT(Id) FROM O [WHERE window] GROUP BY F`` gives the records per value, the
  null group those without one, and their sum the records in the window.
- A multi-select picklist cannot be grouped (docs/salesforce.md#sf-multiselect-not-groupable): one
  ``SELECT COUNT()`` per value with INCLUDES (a record holding "a;b" counts for both), one for the records
  with none (``F = null``) and one for all records in the window.
- A requirement: one ``SELECT COUNT() FROM O WHERE F IN (when) AND (R1 = null OR R2 = null …) [AND window]``;
  its matching records come from the counts above.
- The window (``--since``): ``LastModifiedDate >= <datetime>``, a system field every object has; a record a
  rep edited in the window counts (docs/salesforce.md#sf-quality-window).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from crmdefs.adapters.base import CountRequest, CountResult, Progress
from crmdefs.adapters.salesforce import soql
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.words import plural

WINDOW_FIELD = "LastModifiedDate"


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _window(request: CountRequest) -> list[str]:
    """A SOQL datetime literal is written unquoted, in UTC with a Z (docs/salesforce.md#sf-quality-window)."""
    if request.since is None:
        return []
    return [f"{WINDOW_FIELD} >= {request.since.strftime('%Y-%m-%dT%H:%M:%SZ')}"]


def count_records(
    org: OrgCalls, request: CountRequest, progress: Progress, *, multi_select: bool
) -> CountResult:
    address = request.address
    field, obj = address.field, address.object
    window = _window(request)
    progress(f"counting records of {address}")
    calls = 0
    if multi_select:
        by_value: dict[str, int] = {}
        for value in request.values:
            including = [soql.holds(field, [value], multi_select=True), *window]
            by_value[value] = soql.count(org, f"SELECT COUNT() FROM {obj}{_where(including)}")
        empty = soql.count(org, f"SELECT COUNT() FROM {obj}{_where([f'{field} = null', *window])}")
        total = soql.count(org, f"SELECT COUNT() FROM {obj}{_where(window)}")
        calls += len(request.values) + 2
    else:
        query = f"SELECT {field}, COUNT(Id) FROM {obj}{_where(window)} GROUP BY {field}"
        result: Any = org.call("query", partial(org.rest.query_all, query))
        calls += 1
        groups = [(r.get(field), int(r.get("expr0", 0))) for r in result["records"]]
        by_value = {str(value): n for value, n in groups if value is not None}
        empty = sum(n for value, n in groups if value is None)
        total = sum(n for _value, n in groups)
    missing: list[int] = []
    for when, require in request.requirements:
        conditions = [soql.holds(field, when, multi_select=multi_select), soql.any_empty(require), *window]
        missing.append(soql.count(org, f"SELECT COUNT() FROM {obj}{_where(conditions)}"))
        calls += 1
    if request.requirements:
        progress(f"counted {plural(len(request.requirements), 'requirement')} of {address}")
    return CountResult(total, empty, by_value, tuple(missing), calls)
