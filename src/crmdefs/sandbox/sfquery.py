"""SOQL queries of the Salesforce sandbox: ``GET /query?q=`` and ``GET /query/<locator>-<n>`` for the
next page, on the records in ``state["salesforce"]["records"][object][Id]`` (records_seed.py; the users a
record's OwnerId names in ``…["User"]``, sfusers.py). The text is parsed in sfselect.py and sfwhere.py
(tokens: sfsoql.py, dates: sfdates.py).

SOQL: exactly this subset (keywords case-insensitive, any whitespace), anything else is MALFORMED_QUERY:
    SELECT F, COUNT(Id) FROM O [WHERE cond] GROUP BY F [ORDER BY F|COUNT(Id) …] [LIMIT n]
    SELECT COUNT() FROM O [WHERE cond] [LIMIT n]
    SELECT F1[, Owner.Name, ...] FROM O [WHERE cond] [ORDER BY F [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n]
    cond := cond AND cond … | cond OR cond … | NOT cond | ( cond ) | F op value | F [NOT] IN (value, ...)
          | F INCLUDES ('v1', 'v2;v3', ...) | F EXCLUDES ('v1', ...)
    op := = | != | <> | < | <= | > | >=
    value := 'text' | null | 2026-11-29 | 2026-11-29T00:00:00Z (or +hh:mm / -hh:mm) | TODAY | YESTERDAY
           | TOMORROW | LAST_90_DAYS | LAST_N_DAYS:n | NEXT_N_DAYS:n | N_DAYS_AGO:n

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
  the subset (LIKE, OFFSET, other date literals, …) is the sandbox's limitation, not Salesforce's. "Field
  must be grouped or aggregated: F" and "Ordered field must be grouped or aggregated: F": wording from
  memory, UNVERIFIED.
- AND, OR, NOT; parentheses required whenever AND and OR are mixed, the second operator refused as
  "unexpected token: OR" (docs/salesforce.md#sf-soql-logical-operators): CONFIRMED, SOQL guide "Logical
  Operators" and the error quoted in a StackExchange answer (copied on life-improver.com). ``NOT`` before
  a single condition without parentheses (``a AND NOT b``), NOT IN matching empty fields: UNVERIFIED.
- Dates (docs/salesforce.md#sf-soql-dates): date and dateTime formats, written without quotes, a date value
  only on a date field and a dateTime only on a dateTime field; date literals are ranges of whole days from
  midnight, ``=`` inside, ``<`` before, ``>`` after; LAST_N_DAYS:n includes today and starts n days ago:
  CONFIRMED, SOQL guide "Date Formats and Date Literals in WHERE". "value of filter criterion for field 'F'
  must be of type date and should not be enclosed in quotes" (code INVALID_FIELD): CONFIRMED wording
  (django-salesforce#10; the dateTime form and the code quoted in public code). Using it for a date written
  on a dateTime field (and the reverse) and "must be of type string and should be enclosed in quotes" for a
  date on a text field: UNVERIFIED. ``<=`` / ``>=`` with a literal as up to its end / from its start, and
  days counted in UTC (real orgs use the querying user's time zone): the sandbox's choice.
- ORDER BY (docs/salesforce.md#sf-soql-order-by): ascending by default, nulls first by default, several
  keys, case-insensitive: CONFIRMED, SOQL guide "ORDER BY"; nulls first also with DESC: the guide names no
  exception, UNVERIFIED. Multi-select picklists cannot be
  sorted: CONFIRMED (same page); the wording "field 'F' can not be sorted in a query call": UNVERIFIED.
  COUNT() takes LIMIT but not ORDER BY or GROUP BY: CONFIRMED, SOQL guide "COUNT() and COUNT(fieldName)";
  LIMIT capping COUNT()'s size: UNVERIFIED.
- Parent fields (docs/salesforce.md#sf-soql-parent-fields): ``Owner.Name`` comes back as ``"Owner":
  {"attributes": {"type": "User", "url": "/services/data/vNN.N/sobjects/User/005…"}, "Name": "…"}``, or
  ``"Owner": null`` when the lookup is empty; a polymorphic owner (Lead: User or Group) has type ``Name``
  and the url of the real record: CONFIRMED by real answers quoted in public code (find_string ids
  37479518488 and 34822500936) and the Object Reference "Name". "Didn't understand relationship 'R' in
  field path. …" (INVALID_FIELD) for an unknown relationship: CONFIRMED wording quoted in public code. Only
  Owner (a lookup to User) and the user fields in sfusers.USER_FIELDS: the sandbox's subset.
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

from crmdefs.sandbox import sfdates, sfselect, sfwhere
from crmdefs.sandbox.http import Request
from crmdefs.sandbox.records_seed import salesforce_id18
from crmdefs.sandbox.sfselect import OrderKey, Path, Soql
from crmdefs.sandbox.sfsoql import INVALID_FIELD, INVALID_TYPE, Parser, QueryError, Token, frame
from crmdefs.sandbox.sfstore import Json, SalesforceOrg, field_name
from crmdefs.sandbox.sfusers import USER_FIELDS

PAGE_SIZE = 2000  # default and maximum batch size (Query Options Header)
MIN_BATCH_SIZE = 200
MAX_CURSORS = 10
_NO_QUERY_MORE = (
    "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
)
_NOT_GROUPABLE = "field '{}' can not be grouped in a query call"
_NOT_SORTABLE = "field '{}' can not be sorted in a query call"
_NOT_AGGREGATED = "Field must be grouped or aggregated: {}"
_ORDER_NOT_AGGREGATED = "Ordered field must be grouped or aggregated: {}"
_NO_RELATIONSHIP = (
    "Didn't understand relationship '{}' in field path. If you are attempting to use a custom relationship, "
    "be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
_NUMBERS = ("double", "currency", "int", "percent", "long")


@dataclass(frozen=True)
class _Column:
    """A selected field, or a parent's field (``Owner.Name``: ``parent`` Owner, via ``via`` OwnerId, of type
    ``entity`` User, or Name for a polymorphic owner); "" for COUNT(Id)."""

    name: str
    type: str = "string"
    parent: str | None = None
    via: str | None = None
    entity: str | None = None


@dataclass
class _Query:
    obj: str
    columns: list[_Column]  # in select order
    test: sfwhere.Test
    group_by: str | None
    order_by: list[tuple[_Column, OrderKey]]
    limit: int | None
    count_rows: bool = False  # SELECT COUNT()


class _Resolver:
    """Names in one query, as Salesforce spells them, or INVALID_FIELD."""

    def __init__(self, org: SalesforceOrg, obj: str, soql: str) -> None:
        self.org, self.obj, self.soql = org, obj, soql
        self.fields = org.fields(obj)

    def field(self, token: Token) -> sfwhere.Field:
        name = field_name(self.fields, token.text)
        if name is None:
            raise QueryError(
                "INVALID_FIELD", frame(self.soql, token.pos, INVALID_FIELD.format(token.text, self.obj))
            )
        return sfwhere.Field(name, str(self.fields[name].get("type", "string")))

    def column(self, path: Path) -> _Column:
        if not path.parts:
            return _Column("")
        if len(path.parts) == 1:
            found = self.field(path.parts[0])
            return _Column(found.name, found.type)
        return self._parent(path)

    def _parent(self, path: Path) -> _Column:
        """``Rel.F``: the parent record a lookup names, by its relationship name
        (docs/salesforce.md#sf-soql-parent-fields)."""
        relation, child = path.parts[0], path.parts[1]
        describe = self.org.describe(self.obj) or {"fields": []}
        lookup = next(
            (
                f
                for f in describe["fields"]
                if str(f.get("relationshipName") or "").lower() == relation.text.lower()
            ),
            None,
        )
        if lookup is None or len(path.parts) > 2 or "User" not in lookup.get("referenceTo", []):
            token = relation if lookup is None or len(path.parts) > 2 else child
            message = _NO_RELATIONSHIP.format(token.text)
            raise QueryError("INVALID_FIELD", frame(self.soql, token.pos, message))
        # A lookup to several object types (Lead.Owner: User or Group) is polymorphic: its parent is a Name.
        entity = "User" if lookup["referenceTo"] == ["User"] else "Name"
        name = next((f for f in USER_FIELDS if f.lower() == child.text.lower()), None)
        if name is None:
            message = INVALID_FIELD.format(child.text, entity)
            raise QueryError("INVALID_FIELD", frame(self.soql, child.pos, message))
        return _Column(name, "string", lookup["relationshipName"], lookup["name"], entity)


def _compile(org: SalesforceOrg, soql: str) -> _Query:
    parser, parsed = sfselect.parse(soql)
    obj = org.object_name(parsed.obj.text)
    if obj is None:
        message = INVALID_TYPE.format(parsed.obj.text)
        raise QueryError("INVALID_TYPE", frame(soql, parsed.obj.pos, message))
    names = _Resolver(org, obj, soql)
    test: sfwhere.Test = lambda record: True  # noqa: E731
    if parsed.where is not None:
        test = sfwhere.compile_condition(parsed.where, names.field, soql, sfdates.today())
    if parsed.count_rows:
        return _Query(obj, [], test, None, [], parsed.limit, count_rows=True)
    columns = [names.column(item) for item in parsed.items]
    group = names.field(parsed.group_by) if parsed.group_by is not None else None
    order_by = [(names.column(key.path), key) for key in parsed.order_by]
    _check_shape(parsed, columns, group, order_by, parser)
    return _Query(obj, columns, test, group.name if group else None, order_by, parsed.limit)


def _check_shape(
    parsed: Soql,
    columns: list[_Column],
    group: sfwhere.Field | None,
    order_by: list[tuple[_Column, OrderKey]],
    parser: Parser,
) -> None:
    """What SOQL refuses in a well-formed statement: grouping or sorting a multi-select picklist
    (docs/salesforce.md#sf-multiselect-not-groupable), a field that is neither grouped nor aggregated,
    COUNT(Id) without GROUP BY and GROUP BY without COUNT(Id) (valid SOQL, outside the subset)."""
    if parsed.group_by is not None and group is not None and group.type == "multipicklist":
        raise parser.fail(parsed.group_by, _NOT_GROUPABLE.format(parsed.group_by.text))
    for column, key in order_by:
        if column.type == "multipicklist":
            raise parser.fail(key.path.token, _NOT_SORTABLE.format(key.path.text))
    if parsed.count_at is None:
        if parsed.group_by is not None:
            raise parser.fail(parsed.group_by)
        if any(not column.name for column, _ in order_by):
            raise parser.fail(next(key.path.token for column, key in order_by if not column.name))
        return
    plain = [(column, item) for column, item in zip(columns, parsed.items, strict=True) if column.name]
    if group is None:
        if plain:
            raise parser.fail(plain[0][1].token, _NOT_AGGREGATED.format(plain[0][1].text))
        raise parser.fail(parsed.items[0].token)  # COUNT(Id) alone: valid SOQL, outside the sandbox's subset
    stray = next((item for column, item in plain if column.name != group.name or column.parent), None)
    if stray is not None or len(plain) != 1:
        token = stray.token if stray is not None else (parsed.group_by or parsed.items[0].token)
        raise parser.fail(token, _NOT_AGGREGATED.format(stray.text if stray is not None else token.text))
    for column, key in order_by:
        if column.name and (column.name != group.name or column.parent):
            raise parser.fail(key.path.token, _ORDER_NOT_AGGREGATED.format(key.path.text))


# ------------------------------------------------------------------------------------------------ running


def _sort_value(value: Any, kind: str) -> Any:
    if kind == "datetime":
        return sfdates.instant(value) or value
    if kind == "date":
        return sfdates.day(value) or value
    if kind in _NUMBERS or kind == "boolean":
        return value
    return str(value).casefold()  # "Sorting is case insensitive"


def _ordered(rows: list[Json], keys: list[tuple[_Column, OrderKey]], value_of: Any) -> list[Json]:
    """``rows`` sorted by ``keys``, the first key first: one stable sort per key from the last, nulls placed
    by NULLS FIRST (the default) or NULLS LAST (docs/salesforce.md#sf-soql-order-by)."""
    for column, key in reversed(keys):
        nulls = [r for r in rows if value_of(r, column) is None]
        held = [r for r in rows if value_of(r, column) is not None]
        held.sort(key=lambda r: _sort_value(value_of(r, column), column.type), reverse=key.descending)
        rows = held + nulls if key.nulls_last else nulls + held
    return rows


def _parent(org: SalesforceOrg, record: Json, column: _Column, version: str) -> Json | None:
    """The parent record as a query answers ``Owner.Name``: null without an owner
    (docs/salesforce.md#sf-soql-parent-fields)."""
    user = org.records("User").get(record.get(column.via or "") or "")
    if user is None:
        return None
    url = f"/services/data/v{version}/sobjects/User/{user['Id']}"
    return {"attributes": {"type": column.entity, "url": url}}


def _grouped(query: _Query, matching: list[Json]) -> list[Json]:
    groups: dict[str | None, list[Any]] = {}
    assert query.group_by is not None
    for record in matching:
        value = record.get(query.group_by)
        key = None if value is None else str(value).casefold()
        groups.setdefault(key, [value, 0])[1] += 1
    rows = []
    for value, count in groups.values():
        row: Json = {"attributes": {"type": "AggregateResult"}}
        for column in query.columns:
            row[column.name or "expr0"] = count if not column.name else value
        rows.append(row)
    return _ordered(rows, query.order_by, lambda row, column: row[column.name or "expr0"])


def _run(org: SalesforceOrg, query: _Query, version: str) -> list[Json]:
    matching = [r for r in org.records(query.obj).values() if query.test(r)]
    if query.group_by is not None:
        return _grouped(query, matching)[: query.limit]
    users = org.records("User")

    def value_of(record: Json, column: _Column) -> Any:
        if column.parent is None:
            return record.get(column.name)
        return users.get(record.get(column.via or "") or "", {}).get(column.name)

    out = []
    for record in _ordered(matching, query.order_by, value_of)[: query.limit]:
        row: Json = {
            "attributes": {
                "type": query.obj,
                "url": f"/services/data/v{version}/sobjects/{query.obj}/{record['Id']}",
            }
        }
        for column in query.columns:
            if column.parent is None:
                row[column.name] = record.get(column.name)
                continue
            if column.parent not in row:
                row[column.parent] = _parent(org, record, column, version)
            if row[column.parent] is not None:
                row[column.parent][column.name] = value_of(record, column)
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
    if compiled.count_rows:  # the count is the size; no records (SOQL guide, "COUNT()"); LIMIT caps it
        matching = sum(1 for r in org.records(compiled.obj).values() if compiled.test(r))
        total = matching if compiled.limit is None else min(matching, compiled.limit)
        return {"totalSize": total, "done": True, "records": []}
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
