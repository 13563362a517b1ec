"""The sObject Collections update of the Salesforce sandbox (``PATCH /composite/sobjects``), on the records in
``state["salesforce"]["records"][object][Id]`` (records_seed.py).

Sources (CONFIRMED = read in the source named; UNVERIFIED = our choice, no source found):
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
- Restricted picklist (for a multi-select, each ";"-separated selection; the value named is the first refused
  one, UNVERIFIED): INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST "<Label>: bad value for restricted picklist
  field: <value>", fields [<Field>]: CONFIRMED (SalesforceFoundation/NPSP#5456). A value missing from the
  record's record type is refused the same way for restricted picklists: CONFIRMED as behaviour
  (salesforce.stackexchange quote in MinnPost/object-sync-for-salesforce#128).
- A well-formed id that matches no record: INVALID_CROSS_REFERENCE_KEY "invalid cross reference id"
  (wording seen in real DmlExceptions). Salesforce also has ENTITY_IS_DELETED "entity is deleted" for
  records in the recycle bin; the sandbox never deletes, so which one a never-existing id gets is
  UNVERIFIED. Failed results keep their ``id`` when it was a valid one: UNVERIFIED.
- An active validation rule the record (its values once saved) fails: the record's result holds
  FIELD_CUSTOM_VALIDATION_EXCEPTION with the rule's message (sfvalidation.py,
  docs/salesforce.md#sf-validation-error-shape); only the first failing rule is listed (UNVERIFIED).
- Whole-request 400s for a bad body (JSON_PARSER_ERROR), an unknown object (INVALID_TYPE) or field
  (INVALID_FIELD "No such column 'F' on sobject of type O"), per-record MISSING_ARGUMENT "Id not specified
  in an update call", INVALID_FIELD_FOR_INSERT_UPDATE for read-only fields: wordings from third-party error
  lists or memory, UNVERIFIED.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from crmdefs.sandbox.http import Request
from crmdefs.sandbox.records_seed import salesforce_id18
from crmdefs.sandbox.sfsoql import INVALID_TYPE, QueryError
from crmdefs.sandbox.sfstore import Json, SalesforceOrg, field_name
from crmdefs.sandbox.sfvalidation import violations

COLLECTION_LIMIT = 200
_TOO_MANY = "record limit reached. cannot submit more than 200 records into this call"
_ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using AllOrNone header"
)
_NOT_UPDATEABLE = (
    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it "
    "is read/write for your profile or permission set."
)
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


# ------------------------------------------------------------------------------------ sObject Collections


def _error(code: str, message: str, fields: list[str] | None = None) -> Json:
    return {"statusCode": code, "message": message, "fields": fields or []}


def _restricted_values(org: SalesforceOrg, obj: str, name: str, record: Json) -> set[str] | None:
    """The values a restricted picklist accepts on this record (active values of the field, narrowed to
    its record type's values), or None when the field is not a restricted picklist."""
    component = org.metadata["CustomField"].get(f"{obj}.{name}", {})
    if not component.get("valueSet", {}).get("restricted"):
        return None
    values = org.values_of(f"{obj}.{name}") or []
    allowed = {v["fullName"] for v in values if v.get("isActive", True) is not False}
    record_types = {
        info["recordTypeId"]: info["developerName"] for info in org.record_type_infos(obj, [], "0.0")
    }
    developer_name = record_types.get(str(record.get("RecordTypeId")))
    record_type = (
        org.metadata.get("RecordType", {}).get(f"{obj}.{developer_name}") if developer_name else None
    )
    for picklist in (record_type or {}).get("picklistValues", []):
        if picklist.get("picklist") == name:
            # Record-type value names may come back partly URL-encoded
            # (docs/salesforce.md#sf-record-type-url-encoding).
            allowed &= {unquote(v["fullName"]) for v in picklist.get("values", [])}
    return allowed


def check_record(
    org: SalesforceOrg, obj: str, fields: dict[str, Json], item: Json
) -> tuple[str | None, Json | None]:
    """(18-character id or None, error or None) for one record of the collection."""
    describe = org.describe(obj) or {}  # obj is a recorded object (SalesforceOrg.object_name)
    label = describe.get("label", obj)
    raw_id = item.get("id", item.get("Id"))
    if raw_id is None:
        return None, _error("MISSING_ARGUMENT", "Id not specified in an update call")
    prefix = describe.get("keyPrefix") or ""
    if not isinstance(raw_id, str) or not _ID.match(raw_id) or not raw_id.startswith(prefix):
        return None, _error("MALFORMED_ID", f"{label} ID: id value of incorrect type: {raw_id}", ["Id"])
    record_id = salesforce_id18(raw_id) if len(raw_id) == 15 else raw_id
    record = org.records(obj).get(record_id)
    if record is None:
        return record_id, _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    for key, value in item.items():
        if key in ("attributes", "id", "Id"):
            continue
        name = field_name(fields, key) or key
        if not fields[name]["updateable"]:
            return record_id, _error("INVALID_FIELD_FOR_INSERT_UPDATE", _NOT_UPDATEABLE.format(name), [name])
        allowed = _restricted_values(org, obj, name, {**record, **record_changes(fields, item)})
        # A multi-select value "a;b" is each of its selections
        # (docs/salesforce.md#sf-multiselect-not-groupable).
        chosen = str(value).split(";") if fields[name].get("type") == "multipicklist" else [value]
        bad = [v for v in chosen if v not in (allowed or ())]
        if allowed is not None and value is not None and bad:
            return record_id, _error(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{fields[name]['label']}: bad value for restricted picklist field: {bad[0]}",
                [name],
            )
    return record_id, None


def record_changes(fields: dict[str, Json], item: Json) -> Json:
    return {
        field_name(fields, key) or key: value
        for key, value in item.items()
        if key not in ("attributes", "id", "Id")
    }


def _checked(
    org: SalesforceOrg, obj: str, fields: dict[str, Json], item: Json
) -> tuple[str | None, Json | None]:
    """check_record, then the active validation rules on the record as it would be saved."""
    record_id, error = check_record(org, obj, fields, item)
    if error is None and record_id is not None:
        failing = violations(org, obj, {**org.records(obj)[record_id], **record_changes(fields, item)})
        error = failing[0] if failing else None
    return record_id, error


def update_collection(org: SalesforceOrg, request: Request) -> list[Json]:
    """The per-record results of ``PATCH /composite/sobjects``, or QueryError for the whole request."""
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
        obj = org.object_name(kind)
        if obj is None:
            raise QueryError("INVALID_TYPE", INVALID_TYPE.format(kind))
        fields = org.fields(obj)
        for key in item:
            if key not in ("attributes", "id", "Id") and field_name(fields, key) is None:
                raise QueryError("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj}")
        checked.append((obj, fields, item))
    outcomes = [(obj, fields, item, *_checked(org, obj, fields, item)) for obj, fields, item in checked]
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
            org.records(obj)[record_id].update(record_changes(fields, item))
            results.append({**result, "success": True, "errors": []})
            saved = True
    if saved:
        org.save()
    return results
