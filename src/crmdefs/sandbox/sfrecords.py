"""Salesforce record APIs in the sandbox: a SOQL subset on ``/query`` and the sObject Collections update.

Routed from ``SalesforceApi.handle`` (salesforce.py) inside its state lock, after the call was counted, so
every answer carries ``Sforce-Limit-Info`` like the other REST answers. Records live in
``state["salesforce"]["records"][object][Id]`` (records_seed.py).

SOQL: exactly this subset (keywords case-insensitive, any whitespace), anything else is MALFORMED_QUERY:
    SELECT F, COUNT(Id) FROM O [WHERE cond] GROUP BY F
    SELECT F1[, F2 ...] FROM O [WHERE cond]
    cond := F = 'v' | F != 'v' | F <> 'v' | F = null | F != null | F IN ('v1', 'v2', ...)

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
- Query cursors: at most 10 open, the oldest released first (SOAP API guide, from memory, UNVERIFIED); an
  unknown locator is 404 INVALID_QUERY_LOCATOR "Invalid query locator" (third-party error list, UNVERIFIED).

sObject Collections (PATCH /composite/sobjects):
- Up to 200 records, ``allOrNone`` (default false) rolls back everything on any failure, results in request
  order as ``{"id", "success", "errors": [{"statusCode", "message", "fields"}]}``: CONFIRMED, REST API guide
  "Update Records Using sObject Collections" (…/resources_composite_sobjects_collections_update.htm) and the
  SaveResult reference; docs/salesforce.md#sf-sobject-collections.
- More than 200 records: 400 EXCEEDED_ID_LIMIT "record limit reached. cannot submit more than 200 records
  into this call": CONFIRMED wording (sorenkrabbe/Chrome-Salesforce-inspector#134,
  django-salesforce/django-salesforce#328); the HTTP status 400 is UNVERIFIED.
- Rolled-back records: ALL_OR_NONE_OPERATION_ROLLED_BACK "Record rolled back because not all records were
  valid and the request was using AllOrNone header": CONFIRMED (docs example quoted in public code,
  find_string id 1590168673).
- A malformed id, or one of another object's key prefix: MALFORMED_ID "<Object> ID: id value of incorrect
  type: <id>", fields ["Id"], and no ``id`` in that result: CONFIRMED (same docs example; Talend test).
- Restricted picklist: INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST "<Label>: bad value for restricted picklist
  field: <value>", fields [<Field>]: CONFIRMED (SalesforceFoundation/NPSP#5456). A value missing from the
  record's record type is refused the same way for restricted picklists: CONFIRMED as behaviour
  (salesforce.stackexchange quote in MinnPost/object-sync-for-salesforce#128).
- A well-formed id that matches no record: INVALID_CROSS_REFERENCE_KEY "invalid cross reference id"
  (wording seen in real DmlExceptions). Salesforce also has ENTITY_IS_DELETED "entity is deleted" for
  records in the recycle bin; the sandbox never deletes, so which one a never-existing id gets is
  UNVERIFIED. Failed results keep their ``id`` when it was a valid one: UNVERIFIED.
- Whole-request 400s for a bad body (JSON_PARSER_ERROR), an unknown object (INVALID_TYPE) or field
  (INVALID_FIELD "No such column 'F' on sobject of type O"), per-record MISSING_ARGUMENT "Id not specified
  in an update call", INVALID_FIELD_FOR_INSERT_UPDATE for read-only fields: wordings from third-party error
  lists or memory, UNVERIFIED.
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from crmdefs.sandbox.http import Request, Response
from crmdefs.sandbox.records_seed import salesforce_id18

if TYPE_CHECKING:
    from crmdefs.sandbox.salesforce import SalesforceApi

Json = dict[str, Any]

PAGE_SIZE = 2000  # default and maximum batch size (Query Options Header)
MIN_BATCH_SIZE = 200
COLLECTION_LIMIT = 200
MAX_CURSORS = 10
_WSDL = " Please reference your WSDL or the describe call for the appropriate names."
_INVALID_TYPE = (
    "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the "
    "'__c' after the entity name." + _WSDL
)
_INVALID_FIELD = (
    "No such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to append the "
    "'__c' after the custom field name." + _WSDL
)
_NO_QUERY_MORE = (
    "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
)
_TOO_MANY = "record limit reached. cannot submit more than 200 records into this call"
_ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using AllOrNone header"
)
_NOT_UPDATEABLE = (
    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it "
    "is read/write for your profile or permission set."
)
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_MORE = re.compile(r"^/query/(01g[A-Za-z0-9]{15})-(\d+)$")


class QueryError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# ----------------------------------------------------------------------------------------------- dispatch


def handle(api: SalesforceApi, request: Request, rest: str, version: str) -> Response | None:
    """The answer for a record path, or None when ``rest`` is not one (the caller answers 404)."""
    try:
        if rest == "/query" and request.method == "GET":
            return _query(api, request, version)
        more = _MORE.match(rest)
        if more and request.method == "GET":
            return _query_more(api, more.group(1), int(more.group(2)), version)
        if rest == "/composite/sobjects" and request.method == "PATCH":
            return _update_collection(api, request)
    except QueryError as error:
        return api._rest(error.status, [{"message": error.message, "errorCode": error.code}])
    return None


def _records(api: SalesforceApi, obj: str) -> dict[str, Json]:
    # Read through state.data each time: `reset` replaces it. Older state files have no "records" yet.
    records: dict[str, Json] = api.state.data["salesforce"].setdefault("records", {}).setdefault(obj, {})
    return records


# ----------------------------------------------------------------------------------------------- objects


def _object_name(api: SalesforceApi, name: str) -> str | None:
    return next((obj for obj in api._describes if obj.lower() == name.lower()), None)


def _fields(api: SalesforceApi, obj: str) -> dict[str, Json]:
    """Field name → {"updateable", "label"}: the describe's fields, custom fields saved through the
    Metadata API, and RecordTypeId once the object has record types (as a real describe would show)."""
    fields = {
        f["name"]: {"updateable": bool(f.get("updateable")), "label": f.get("label") or f["name"]}
        for f in api._describes[obj]["fields"]
    }
    for full_name, component in api.metadata["CustomField"].items():
        field_obj, _, name = full_name.partition(".")
        if field_obj == obj and name not in fields:
            fields[name] = {"updateable": True, "label": component.get("label") or name}
    if any(name.startswith(obj + ".") for name in api.metadata.get("RecordType", {})):
        fields.setdefault("RecordTypeId", {"updateable": True, "label": "Record Type ID"})
    return fields


def _field_name(fields: dict[str, Json], name: str) -> str | None:
    return next((f for f in fields if f.lower() == name.lower()), None)


# --------------------------------------------------------------------------------------------------- SOQL


@dataclass
class _Token:
    kind: str  # "word", "string", "op", "end"
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op>!=|<>|=|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>\S))",
    re.DOTALL,
)
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def _tokens(soql: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(soql):
        match = _TOKEN.match(soql, position)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "other"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "<EOF>", len(soql)))
    return tokens


@dataclass
class _Condition:
    field: _Token
    operator: str  # "=", "!=", "IN"
    values: list[str | None]  # None = null


@dataclass
class _Soql:
    fields: list[_Token]
    count_at: int | None  # index of COUNT(Id) in the select list
    obj: _Token
    where: _Condition | None
    group_by: _Token | None


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = _tokens(soql)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def fail(self, token: _Token, text: str | None = None) -> QueryError:
        return QueryError(
            "MALFORMED_QUERY", frame(self.soql, token.pos, text or f"unexpected token: '{token.text}'")
        )

    def keyword(self, word: str) -> _Token:
        token = self.take()
        if token.upper != word:
            raise self.fail(token)
        return token

    def op(self, text: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != text:
            raise self.fail(token)

    def word(self) -> _Token:
        token = self.take()
        if token.kind != "word" or token.upper in ("SELECT", "FROM", "WHERE", "GROUP", "BY", "IN", "NULL"):
            raise self.fail(token)
        return token

    def string(self) -> str:
        token = self.take()
        if token.kind != "string":
            raise self.fail(token)
        return _unescape(token, self)

    def parse(self) -> _Soql:
        self.keyword("SELECT")
        fields: list[_Token] = []
        count_at: int | None = None
        while True:
            token = self.word()
            if token.upper == "COUNT" and self.peek().text == "(":
                self.op("(")
                inner = self.word()
                if inner.upper != "ID" or count_at is not None:
                    raise self.fail(inner)
                self.op(")")
                count_at = len(fields)
            fields.append(token)
            if self.peek().text != ",":
                break
            self.take()
        self.keyword("FROM")
        obj = self.word()
        where = self.condition() if self.peek().upper == "WHERE" else None
        group_by = None
        if self.peek().upper == "GROUP":
            self.take()
            self.keyword("BY")
            group_by = self.word()
        end = self.take()
        if end.kind != "end":
            raise self.fail(end)
        return _Soql(fields, count_at, obj, where, group_by)

    def condition(self) -> _Condition:
        self.keyword("WHERE")
        name = self.word()
        token = self.take()
        if token.upper == "IN":
            self.op("(")
            values: list[str | None] = [self.string()]
            while self.peek().text == ",":
                self.take()
                values.append(self.string())
            self.op(")")
            return _Condition(name, "IN", values)
        if token.kind != "op" or token.text not in ("=", "!=", "<>"):
            raise self.fail(token)
        operator = "=" if token.text == "=" else "!="
        if self.peek().upper == "NULL":
            self.take()
            return _Condition(name, operator, [None])
        return _Condition(name, operator, [self.string()])


def _unescape(token: _Token, parser: _Parser) -> str:
    text, out, i = token.text[1:-1], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            escaped = text[i + 1] if i + 1 < len(text) else ""
            if escaped not in _ESCAPES:
                message = f"Invalid string literal {token.text}. Illegal character sequence '\\{escaped}'"
                raise parser.fail(token, message + " in string literal.")
            out.append(_ESCAPES[escaped])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def frame(soql: str, pos: int, text: str) -> str:
    """A SOQL error message as Salesforce frames it: the query row, a caret, "ERROR at Row:r:Column:c"."""
    row = soql.count("\n", 0, pos) + 1
    line_start = soql.rfind("\n", 0, pos) + 1
    line_end = soql.find("\n", pos)
    line = soql[line_start : line_end if line_end >= 0 else len(soql)]
    column = pos - line_start
    return f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{text}"


@dataclass
class _Query:
    obj: str
    fields: list[str]  # canonical names, in select order ("" marks COUNT(Id))
    where: tuple[str, str, list[str | None]] | None
    group_by: str | None


def _compile(api: SalesforceApi, soql: str) -> _Query:
    parser = _Parser(soql)
    parsed = parser.parse()
    obj = _object_name(api, parsed.obj.text)
    if obj is None:
        message = _INVALID_TYPE.format(parsed.obj.text)
        raise QueryError("INVALID_TYPE", frame(soql, parsed.obj.pos, message))
    fields = _fields(api, obj)

    def resolve(token: _Token) -> str:
        name = _field_name(fields, token.text)
        if name is None:
            message = _INVALID_FIELD.format(token.text, obj)
            raise QueryError("INVALID_FIELD", frame(soql, token.pos, message))
        return name

    selected = ["" if i == parsed.count_at else resolve(token) for i, token in enumerate(parsed.fields)]
    where = None
    if parsed.where is not None:
        where = (resolve(parsed.where.field), parsed.where.operator, parsed.where.values)
    group_by = resolve(parsed.group_by) if parsed.group_by is not None else None
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


def _matches(record: Json, where: tuple[str, str, list[str | None]] | None) -> bool:
    if where is None:
        return True
    name, operator, values = where
    value = record.get(name)
    if operator == "IN":
        return value is not None and _fold(value) in {_fold(v) for v in values}
    target = values[0]
    equal = value is None if target is None else value is not None and _fold(value) == _fold(target)
    return equal if operator == "=" else not equal


def _run(api: SalesforceApi, query: _Query, version: str) -> list[Json]:
    matching = [r for r in _records(api, query.obj).values() if _matches(r, query.where)]
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
class _Cursors:
    open: OrderedDict[str, _Cursor] = field(default_factory=OrderedDict)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))


_CURSORS: weakref.WeakKeyDictionary[SalesforceApi, _Cursors] = weakref.WeakKeyDictionary()
_CURSORS_LOCK = threading.Lock()


def _cursors(api: SalesforceApi) -> _Cursors:
    with _CURSORS_LOCK:
        if api not in _CURSORS:
            _CURSORS[api] = _Cursors()
        return _CURSORS[api]


def _batch_size(request: Request) -> int:
    options = request.headers.get("Sforce-Query-Options") or ""
    match = re.search(r"batchSize\s*=\s*(\d+)", options)
    # "No guarantee that the requested batch size is the actual batch size": clamp to [200, 2000].
    return min(PAGE_SIZE, max(MIN_BATCH_SIZE, int(match.group(1)))) if match else PAGE_SIZE


def _page(
    api: SalesforceApi, rows: list[Json], start: int, batch: int, version: str, locator: str | None
) -> Json:
    end = start + batch
    if end < len(rows) and locator is None:
        cursors = _cursors(api)
        locator = salesforce_id18(f"01g5g{next(cursors.numbers):010d}")
        cursors.open[locator] = _Cursor(rows, batch)
        while len(cursors.open) > MAX_CURSORS:
            cursors.open.popitem(last=False)  # the oldest cursor is released
    payload: Json = {"totalSize": len(rows), "done": end >= len(rows), "records": rows[start:end]}
    if end < len(rows):
        payload["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
    return payload


def _query(api: SalesforceApi, request: Request, version: str) -> Response:
    soql = request.param("q")
    if not soql:
        raise QueryError("MALFORMED_QUERY", "A query string has to be specified")  # wording UNVERIFIED
    query = _compile(api, soql)
    rows = _run(api, query, version)
    batch = _batch_size(request)
    if query.group_by is not None and len(rows) > batch:
        raise QueryError("EXCEEDED_ID_LIMIT", _NO_QUERY_MORE)
    return api._rest(200, _page(api, rows, 0, batch, version, None))


def _query_more(api: SalesforceApi, locator: str, start: int, version: str) -> Response:
    cursor = _cursors(api).open.get(locator)
    if cursor is None or start >= len(cursor.rows):
        raise QueryError("INVALID_QUERY_LOCATOR", "Invalid query locator", 404)
    payload = _page(api, cursor.rows, start, cursor.batch, version, locator)
    if payload["done"]:
        _cursors(api).open.pop(locator, None)
    return api._rest(200, payload)


# ------------------------------------------------------------------------------------ sObject Collections


def _error(code: str, message: str, fields: list[str] | None = None) -> Json:
    return {"statusCode": code, "message": message, "fields": fields or []}


def _restricted_values(api: SalesforceApi, obj: str, name: str, record: Json) -> set[str] | None:
    """The values a restricted picklist accepts on this record (active values of the field, narrowed to
    its record type's values), or None when the field is not a restricted picklist."""
    component = api.metadata["CustomField"].get(f"{obj}.{name}", {})
    if not component.get("valueSet", {}).get("restricted"):
        return None
    values = api.values_of(f"{obj}.{name}") or []
    allowed = {v["fullName"] for v in values if v.get("isActive", True) is not False}
    record_types = {
        info["recordTypeId"]: info["developerName"] for info in api._record_type_infos(obj, [], "0.0")
    }
    developer_name = record_types.get(str(record.get("RecordTypeId")))
    record_type = (
        api.metadata.get("RecordType", {}).get(f"{obj}.{developer_name}") if developer_name else None
    )
    for picklist in (record_type or {}).get("picklistValues", []):
        if picklist.get("picklist") == name:
            # Record-type value names may come back partly URL-encoded
            # (docs/salesforce.md#sf-record-type-url-encoding).
            allowed &= {unquote(v["fullName"]) for v in picklist.get("values", [])}
    return allowed


def _check_record(
    api: SalesforceApi, obj: str, fields: dict[str, Json], item: Json
) -> tuple[str | None, Json | None]:
    """(18-character id or None, error or None) for one record of the collection."""
    label = api._describes[obj].get("label", obj)
    raw_id = item.get("id", item.get("Id"))
    if raw_id is None:
        return None, _error("MISSING_ARGUMENT", "Id not specified in an update call")
    prefix = api._describes[obj].get("keyPrefix") or ""
    if not isinstance(raw_id, str) or not _ID.match(raw_id) or not raw_id.startswith(prefix):
        return None, _error("MALFORMED_ID", f"{label} ID: id value of incorrect type: {raw_id}", ["Id"])
    record_id = salesforce_id18(raw_id) if len(raw_id) == 15 else raw_id
    record = _records(api, obj).get(record_id)
    if record is None:
        return record_id, _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    for key, value in item.items():
        if key in ("attributes", "id", "Id"):
            continue
        name = _field_name(fields, key) or key
        if not fields[name]["updateable"]:
            return record_id, _error("INVALID_FIELD_FOR_INSERT_UPDATE", _NOT_UPDATEABLE.format(name), [name])
        allowed = _restricted_values(api, obj, name, {**record, **_changes(fields, item)})
        if allowed is not None and value is not None and value not in allowed:
            return record_id, _error(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{fields[name]['label']}: bad value for restricted picklist field: {value}",
                [name],
            )
    return record_id, None


def _changes(fields: dict[str, Json], item: Json) -> Json:
    return {
        _field_name(fields, key) or key: value
        for key, value in item.items()
        if key not in ("attributes", "id", "Id")
    }


def _update_collection(api: SalesforceApi, request: Request) -> Response:
    try:
        body = request.json()
    except (UnicodeDecodeError, ValueError) as exc:
        raise QueryError("JSON_PARSER_ERROR", f"Unexpected character in the request body: {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise QueryError("JSON_PARSER_ERROR", "The request body needs a records list")
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise QueryError("JSON_PARSER_ERROR", "allOrNone must be true or false")
    items: list[Any] = body["records"]
    if len(items) > COLLECTION_LIMIT:
        raise QueryError("EXCEEDED_ID_LIMIT", _TOO_MANY)
    checked: list[tuple[str, dict[str, Json], Json]] = []
    for item in items:
        kind = item.get("attributes", {}).get("type") if isinstance(item, dict) else None
        if not isinstance(kind, str) or not kind:
            raise QueryError("INVALID_TYPE", "Must send a concrete entity type.")
        obj = _object_name(api, kind)
        if obj is None:
            raise QueryError("INVALID_TYPE", _INVALID_TYPE.format(kind))
        fields = _fields(api, obj)
        for key in item:
            if key not in ("attributes", "id", "Id") and _field_name(fields, key) is None:
                raise QueryError("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj}")
        checked.append((obj, fields, item))
    outcomes = [(obj, fields, item, *_check_record(api, obj, fields, item)) for obj, fields, item in checked]
    failed = any(error is not None for *_, error in outcomes)
    results: list[Json] = []
    saved = False
    for obj, fields, item, record_id, error in outcomes:
        result: Json = {"id": record_id} if record_id is not None else {}
        if error is not None:
            results.append({**result, "success": False, "errors": [error]})
        elif all_or_none and failed:
            rolled_back = _error("ALL_OR_NONE_OPERATION_ROLLED_BACK", _ROLLED_BACK)
            results.append({**result, "success": False, "errors": [rolled_back]})
        else:
            assert record_id is not None
            _records(api, obj)[record_id].update(_changes(fields, item))
            results.append({**result, "success": True, "errors": []})
            saved = True
    if saved:
        api.state.save()
    return api._rest(200, results)
