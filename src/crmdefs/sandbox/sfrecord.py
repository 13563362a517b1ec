"""Single-record REST of the Salesforce sandbox: ``GET``/``PATCH /sobjects/O/id`` and ``POST /sobjects/O``,
on the records of ``state["salesforce"]["records"]`` (records_seed.py) — what a rep's edit or an
integration's write is, so that the active validation rules can refuse it as Salesforce does.

Sources: REST API Developer Guide, "Working with Records" (…/api_rest/dome_update_fields.htm: PATCH answers
204 No Content; POST answers 201 ``{"id", "success": true, "errors": []}``); errors are HTTP 400 with
``[{"message", "errorCode", "fields"}]`` (docs/salesforce.md#sf-validation-error-shape, and "Status Codes and
Error Responses"); an id that matches no record is 404 NOT_FOUND "The requested resource does not exist"
(UNVERIFIED for this call). The per-record checks are sObject Collections' (sfcollections.py), so both
paths refuse the same things in the same words.
"""

from __future__ import annotations

import re
from typing import Any

from crmdefs.sandbox.http import Request
from crmdefs.sandbox.records_seed import salesforce_id18
from crmdefs.sandbox.sfcollections import check_record, record_changes
from crmdefs.sandbox.sfsoql import INVALID_TYPE, QueryError
from crmdefs.sandbox.sfstore import Json, SalesforceOrg, field_name
from crmdefs.sandbox.sfvalidation import violations

_ONE = re.compile(r"^/sobjects/(\w+)(?:/([A-Za-z0-9]{15}|[A-Za-z0-9]{18}))?$")
_NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def _rest_errors(errors: list[Json]) -> list[Json]:
    """A single-record answer names the code ``errorCode`` (collections: ``statusCode``)."""
    return [
        {"message": e["message"], "errorCode": e["statusCode"], "fields": e.get("fields", [])} for e in errors
    ]


def handle(org: SalesforceOrg, request: Request, rest: str) -> tuple[int, Any] | None:
    """The answer to a single-record call, or None when ``rest`` is not one."""
    match = _ONE.match(rest)
    if match is None or (request.method, bool(match.group(2))) not in (
        ("GET", True),
        ("PATCH", True),
        ("POST", False),
    ):
        return None
    obj = org.object_name(match.group(1))
    if obj is None:
        return 404, [{"errorCode": "NOT_FOUND", "message": INVALID_TYPE.format(match.group(1))}]
    if request.method == "GET":
        raw = str(match.group(2))
        record = org.records(obj).get(salesforce_id18(raw) if len(raw) == 15 else raw)
        return (200, {"attributes": {"type": obj}, **record}) if record is not None else (404, _NOT_FOUND)
    try:
        body = request.json()
    except (UnicodeDecodeError, ValueError):
        return 400, [{"errorCode": "JSON_PARSER_ERROR", "message": "The request body is not JSON"}]
    if not isinstance(body, dict):
        return 400, [{"errorCode": "JSON_PARSER_ERROR", "message": "The request body must be an object"}]
    fields = org.fields(obj)
    for key in body:
        if key != "attributes" and field_name(fields, key) is None:
            raise QueryError("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj}")
    if request.method == "POST":
        return _create(org, obj, fields, body)
    return _update(org, obj, fields, str(match.group(2)), body)


def _update(
    org: SalesforceOrg, obj: str, fields: dict[str, Json], raw_id: str, body: Json
) -> tuple[int, Any]:
    record_id, error = check_record(org, obj, fields, {**body, "Id": raw_id})
    if error is not None and error["statusCode"] == "INVALID_CROSS_REFERENCE_KEY":
        return 404, _NOT_FOUND
    if error is not None:
        return 400, _rest_errors([error])
    assert record_id is not None
    changes = record_changes(fields, body)
    failing = violations(org, obj, {**org.records(obj)[record_id], **changes})
    if failing:
        return 400, _rest_errors(failing)
    org.records(obj)[record_id].update(changes)
    org.save()
    return 204, None


def _create(org: SalesforceOrg, obj: str, fields: dict[str, Json], body: Json) -> tuple[int, Any]:
    changes = record_changes(fields, body)
    failing = violations(org, obj, changes)
    if failing:
        return 400, _rest_errors(failing)
    prefix = (org.describe(obj) or {}).get("keyPrefix") or "a00"
    records = org.records(obj)
    number = len(records) + 1
    record_id = salesforce_id18(f"{prefix}5g{number:010d}")
    while record_id in records:
        number += 1
        record_id = salesforce_id18(f"{prefix}5g{number:010d}")
    records[record_id] = {"Id": record_id, **changes}
    org.save()
    return 201, {"id": record_id, "success": True, "errors": []}
