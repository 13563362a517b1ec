"""SOQL text the Salesforce adapter sends, written in one place: quoted values, "the field holds one of
these values", "a required field is empty", and reading a ``SELECT COUNT()``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from crmdefs.adapters.salesforce.calls import OrgCalls


def quoted(values: Sequence[str]) -> str:
    """``'a', 'b'``: each value in single quotes, its backslashes and quotes escaped (SOQL string
    literals)."""
    return ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)


def holds(field: str, values: Sequence[str], *, multi_select: bool) -> str:
    """``field`` holds one of ``values``: IN, or INCLUDES for a multi-select picklist, which takes no IN
    (docs/salesforce.md#sf-multiselect-not-groupable)."""
    return f"{field} {'INCLUDES' if multi_select else 'IN'} ({quoted(values)})"


def any_empty(fields: Sequence[str]) -> str:
    """At least one of ``fields`` has no value, in parentheses to sit beside other conditions."""
    return "(" + " OR ".join(f"{name} = null" for name in fields) + ")"


def count(org: OrgCalls, soql: str) -> int:
    """A ``SELECT COUNT()`` query's count: the answer's size, with no records."""
    result: Any = org.call("query", partial(org.rest.query, soql))
    return int(result["totalSize"])
