"""Salesforce record APIs in the sandbox: a SOQL subset on ``/query`` (sfquery.py, parsed in sfsoql.py) and
the sObject Collections update (sfcollections.py).

Routed from ``SalesforceApi.handle`` (salesforce.py) inside its state lock, after the call was counted, so
every answer carries ``Sforce-Limit-Info`` like the other REST answers. Records live in
``state["salesforce"]["records"][object][Id]`` (records_seed.py).
"""

from __future__ import annotations

import re
from typing import Any

from crmdefs.sandbox import sfrecord
from crmdefs.sandbox.http import Request
from crmdefs.sandbox.sfcollections import update_collection
from crmdefs.sandbox.sfquery import QueryCursors, query, query_more
from crmdefs.sandbox.sfsoql import QueryError
from crmdefs.sandbox.sfstore import SalesforceOrg

_MORE = re.compile(r"^/query/(01g[A-Za-z0-9]{15})-(\d+)$")


Answer = tuple[int, Any]  # (HTTP status, JSON payload): SalesforceApi sends it as a REST answer


def handle(
    org: SalesforceOrg, cursors: QueryCursors, request: Request, rest: str, version: str
) -> Answer | None:
    """The answer for a record path, or None when ``rest`` is not one (the caller answers 404). ``cursors``:
    the open query cursors of the API answering."""
    try:
        if rest == "/query" and request.method == "GET":
            return 200, query(org, cursors, request, version)
        more = _MORE.match(rest)
        if more and request.method == "GET":
            return 200, query_more(org, cursors, more.group(1), int(more.group(2)), version)
        if rest == "/composite/sobjects" and request.method == "PATCH":
            return 200, update_collection(org, request)
        single = sfrecord.handle(org, request, rest)  # /sobjects/O[/id]: a rep's or integration's write
        if single is not None:
            return single
    except QueryError as error:
        return error.status, [{"message": error.message, "errorCode": error.code}]
    return None
