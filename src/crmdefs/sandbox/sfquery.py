"""SOQL queries of the Salesforce sandbox: ``GET /query?q=`` and ``GET /query/<locator>-<n>`` for the
next page, on the records in ``state["salesforce"]["records"][object][Id]`` (records_seed.py). The text of
a query is parsed in sfsoql.py, whose docstring gives the SOQL subset the sandbox answers.

Sources (CONFIRMED = read in the source named; UNVERIFIED = our choice, no source found):
- Response envelope ``{"totalSize", "done", "records", "nextRecordsUrl"}``, record ``attributes``
  ``{"type", "url": "/services/data/vNN.N/sobjects/O/<Id>"}``, ``nextRecordsUrl``
  ``/services/data/vNN.N/query/01g…-2000`` and GET on it for the next page: CONFIRMED, REST API guide
  "Execute a SOQL Query" (developer.salesforce.com …/api_rest/dome_query.htm).
- 2,000 records per page; ``Sforce-Query-Options: batchSize=N`` with default 2,000, minimum 200, maximum
  2,000: CONFIRMED, REST API guide "Query Options Header" (…/api_rest/headers_queryoptions.htm).
- An unaliased aggregate is named ``expr0``: CONFIRMED, SOQL guide "Using Aliases with GROUP BY" ("implied
  alias with a format expri … starts at 0"). AggregateResult records carry ``attributes: {"type":
  "AggregateResult"}`` and no url: CONFIRMED by real responses quoted in public code (e.g. the Apex
  "JSON serialization" note, ``[{"attributes":{"type":"AggregateResult"},"expr0":2,"Name":"acct1"}]``).
- Aggregate queries cannot be continued with queryMore: 400 EXCEEDED_ID_LIMIT "Aggregate query does not
  support queryMore(), use LIMIT to restrict the results to a single batch": CONFIRMED wording
  (restforce/restforce#726); used when there are more groups than one batch.
- String comparisons are case-insensitive (except unique case-sensitive fields): CONFIRMED, SOQL guide
  "Comparison Operators". Grouping text case-insensitively too, and ``F != 'v'`` matching nulls: UNVERIFIED.
- Error texts: the message frames the query row with a caret and "ERROR at Row:r:Column:c";
  INVALID_FIELD "No such column 'F' on entity 'O'. If you are attempting to use a custom field, …" and
  INVALID_TYPE "sObject type 'O' is not supported. If you are attempting to use a custom object, …":
  CONFIRMED, verbatim API errors pinned in a public parser's tests (parseSalesforceError, find_string id
  71314402401). MALFORMED_QUERY "unexpected token: 'X'" is real wording; giving it for valid SOQL outside
  the subset (ORDER BY, LIMIT, …) is the sandbox's limitation, not Salesforce's. "Field must be grouped or
  aggregated: F": wording from memory, UNVERIFIED.
- ``SELECT COUNT()``: the count is the response's size (``totalSize``) and no records come back; COUNT() must
  be alone in the select list: CONFIRMED, SOQL guide "COUNT() and COUNT(fieldName)".
- Multi-select picklists (docs/salesforce.md#sf-multiselect-not-groupable): a value is ``a;b;c``; only ``=``,
  ``!=``, INCLUDES and EXCLUDES filter them, ``'a;b'`` inside them means a AND b, INCLUDES ('x', 'y') means
  x OR y, ``=`` is an exact match of the whole selection (in any order): CONFIRMED, SOQL guide "Querying
  Multi-Select Picklists"; they are not groupable (describe ``groupable: false``): CONFIRMED by a recorded
  describe. "field 'F' can not be grouped in a query call" is Salesforce's wording (quoted on
  salesforce.stackexchange.com/a/235529); its MALFORMED_QUERY code is UNVERIFIED. "invalid operator on
  multipicklist field" is the wording quoted for LIKE (third-party); giving it for IN follows the documented
  operator list. UNVERIFIED: the code INVALID_QUERY_FILTER_OPERATOR, the refusal of INCLUDES on other
  fields and its wording, and EXCLUDES matching records that hold nothing.
- Query cursors: at most 10 open, the oldest released first (SOAP API guide, from memory, UNVERIFIED); an
  unknown locator is 404 INVALID_QUERY_LOCATOR "Invalid query locator" (third-party error list, UNVERIFIED).

"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crmdefs.sandbox.http import Request
from crmdefs.sandbox.records_seed import salesforce_id18
from crmdefs.sandbox.sfsoql import INVALID_FIELD, INVALID_TYPE, Parser, QueryError, Token, frame
from crmdefs.sandbox.sfstore import Json, SalesforceOrg, field_name

PAGE_SIZE = 2000  # default and maximum batch size (Query Options Header)
MIN_BATCH_SIZE = 200
MAX_CURSORS = 10
_NO_QUERY_MORE = (
    "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
)


_NOT_GROUPABLE = "field '{}' can not be grouped in a query call"
_MULTI_OPERATOR = "invalid operator on multipicklist field"
_NOT_MULTI = "includes or excludes operator only valid on multipicklist field"


@dataclass
class _Where:
    field: str  # canonical name
    operator: str  # "=", "!=", "IN", "INCLUDES", "EXCLUDES"
    values: list[str | None]  # None = null
    multi: bool  # a multi-select picklist: its value is a ";"-separated selection


@dataclass
class _Query:
    obj: str
    fields: list[str]  # canonical names, in select order ("" marks COUNT(Id))
    where: _Where | None
    group_by: str | None
    count_rows: bool = False  # SELECT COUNT()


def _compile(org: SalesforceOrg, soql: str) -> _Query:
    parser = Parser(soql)
    parsed = parser.parse()
    obj = org.object_name(parsed.obj.text)
    if obj is None:
        message = INVALID_TYPE.format(parsed.obj.text)
        raise QueryError("INVALID_TYPE", frame(soql, parsed.obj.pos, message))
    fields = org.fields(obj)

    def resolve(token: Token) -> str:
        name = field_name(fields, token.text)
        if name is None:
            message = INVALID_FIELD.format(token.text, obj)
            raise QueryError("INVALID_FIELD", frame(soql, token.pos, message))
        return name

    def multi(name: str) -> bool:
        return bool(fields[name].get("type") == "multipicklist")

    selected = ["" if i == parsed.count_at else resolve(token) for i, token in enumerate(parsed.fields)]
    where = None
    if parsed.where is not None:
        name = resolve(parsed.where.field)
        where = _Where(name, parsed.where.operator, parsed.where.values, multi(name))
        allowed = ("=", "!=", "INCLUDES", "EXCLUDES") if where.multi else ("=", "!=", "IN")
        if where.operator not in allowed:
            message = _MULTI_OPERATOR if where.multi else _NOT_MULTI
            raise QueryError("INVALID_QUERY_FILTER_OPERATOR", frame(soql, parsed.where.field.pos, message))
    if parsed.count_rows:
        return _Query(obj, [], where, None, count_rows=True)
    group_by = resolve(parsed.group_by) if parsed.group_by is not None else None
    if group_by is not None and multi(group_by):
        assert parsed.group_by is not None
        message = _NOT_GROUPABLE.format(parsed.group_by.text)
        raise QueryError("MALFORMED_QUERY", frame(soql, parsed.group_by.pos, message))
    if parsed.count_at is not None:
        plain = [(name, token) for name, token in zip(selected, parsed.fields, strict=True) if name]
        if group_by is None:
            if plain:
                name, token = plain[0]
                raise QueryError(
                    "MALFORMED_QUERY", frame(soql, token.pos, f"Field must be grouped or aggregated: {name}")
                )
            raise parser.fail(parsed.fields[0])  # COUNT(Id) alone: valid SOQL, outside the sandbox's subset
        if len(plain) != 1 or plain[0][0] != group_by:
            token = next((t for n, t in plain if n != group_by), parsed.group_by or parsed.fields[0])
            raise QueryError(
                "MALFORMED_QUERY",
                frame(soql, token.pos, f"Field must be grouped or aggregated: {token.text}"),
            )
    elif group_by is not None:
        assert parsed.group_by is not None
        raise parser.fail(parsed.group_by)  # GROUP BY without COUNT(Id): outside the subset
    return _Query(obj, selected, where, group_by)


def _fold(value: Any) -> str:
    return str(value).casefold()


def _selection(value: Any) -> frozenset[str]:
    """The values selected in a multi-select picklist value ``a;b;c``."""
    return frozenset(_fold(v).strip() for v in str(value).split(";") if v.strip())


def _matches(record: Json, where: _Where | None) -> bool:
    if where is None:
        return True
    value = record.get(where.field)
    if where.operator == "IN":
        return value is not None and _fold(value) in {_fold(v) for v in where.values}
    if where.operator in ("INCLUDES", "EXCLUDES"):
        held = _selection(value) if value is not None else frozenset()
        # Each listed string is one alternative; 'a;b' in it means a and b both selected.
        included = any(_selection(v) <= held for v in where.values if v is not None and _selection(v))
        return included if where.operator == "INCLUDES" else not included
    target = where.values[0]
    if target is None or value is None:
        equal = value is None and target is None
    elif where.multi:  # the whole selection, in any order
        equal = _selection(value) == _selection(target)
    else:
        equal = _fold(value) == _fold(target)
    return equal if where.operator == "=" else not equal


def _run(org: SalesforceOrg, query: _Query, version: str) -> list[Json]:
    matching = [r for r in org.records(query.obj).values() if _matches(r, query.where)]
    if query.group_by is not None:
        groups: dict[str | None, list[Any]] = {}
        for record in matching:
            value = record.get(query.group_by)
            key = None if value is None else _fold(value)
            groups.setdefault(key, [value, 0])[1] += 1
        rows = []
        for value, count in groups.values():
            row: Json = {"attributes": {"type": "AggregateResult"}}
            for name in query.fields:
                row[name or "expr0"] = count if not name else value
            rows.append(row)
        return rows
    out = []
    for record in matching:
        row = {
            "attributes": {
                "type": query.obj,
                "url": f"/services/data/v{version}/sobjects/{query.obj}/{record['Id']}",
            }
        }
        row.update({name: record.get(name) for name in query.fields})
        out.append(row)
    return out


# ------------------------------------------------------------------------------------------------ cursors


@dataclass
class _Cursor:
    rows: list[Json]
    batch: int


@dataclass
class QueryCursors:
    """The open query cursors of one SalesforceApi (its ``cursors``), by locator, oldest first."""

    open: OrderedDict[str, _Cursor] = field(default_factory=OrderedDict)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))


def _batch_size(request: Request) -> int:
    options = request.headers.get("Sforce-Query-Options") or ""
    match = re.search(r"batchSize\s*=\s*(\d+)", options)
    # "No guarantee that the requested batch size is the actual batch size": clamp to [200, 2000].
    return min(PAGE_SIZE, max(MIN_BATCH_SIZE, int(match.group(1)))) if match else PAGE_SIZE


def _page(
    cursors: QueryCursors, rows: list[Json], start: int, batch: int, version: str, locator: str | None
) -> Json:
    end = start + batch
    if end < len(rows) and locator is None:
        locator = salesforce_id18(f"01g5g{next(cursors.numbers):010d}")
        cursors.open[locator] = _Cursor(rows, batch)
        while len(cursors.open) > MAX_CURSORS:
            cursors.open.popitem(last=False)  # the oldest cursor is released
    payload: Json = {"totalSize": len(rows), "done": end >= len(rows), "records": rows[start:end]}
    if end < len(rows):
        payload["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
    return payload


def query(org: SalesforceOrg, cursors: QueryCursors, request: Request, version: str) -> Json:
    """The first page of ``GET /query?q=``, or QueryError."""
    soql = request.param("q")
    if not soql:
        raise QueryError("MALFORMED_QUERY", "A query string has to be specified")  # wording UNVERIFIED
    compiled = _compile(org, soql)
    if compiled.count_rows:  # the count is the size; no records (SOQL guide, "COUNT()")
        matching = sum(1 for r in org.records(compiled.obj).values() if _matches(r, compiled.where))
        return {"totalSize": matching, "done": True, "records": []}
    rows = _run(org, compiled, version)
    batch = _batch_size(request)
    if compiled.group_by is not None and len(rows) > batch:
        raise QueryError("EXCEEDED_ID_LIMIT", _NO_QUERY_MORE)
    return _page(cursors, rows, 0, batch, version, None)


def query_more(org: SalesforceOrg, cursors: QueryCursors, locator: str, start: int, version: str) -> Json:
    """The page of an open cursor from record ``start`` (``GET /query/<locator>-<start>``), or QueryError."""
    cursor = cursors.open.get(locator)
    if cursor is None or start >= len(cursor.rows):
        raise QueryError("INVALID_QUERY_LOCATOR", "Invalid query locator", 404)
    payload = _page(cursors, cursor.rows, start, cursor.batch, version, locator)
    if payload["done"]:
        cursors.open.pop(locator, None)
    return payload
