"""HubSpot CRM object records' batch read and batch update (``POST /crm/v3/objects/{objectType}/batch/read``,
``…/batch/update``) in the sandbox. Records as hubspot_objects.py shows them.

Sources ("docs/hubspot.md#…" = an entry of docs/hubspot.md; CONFIRMED = read in the source named):
- Batch read: 207 with an OBJECT_NOT_FOUND error "Could not get some DEAL objects, they may be deleted or
  not exist. Check that ids are valid." and ``context.ids`` for missing ids: the wording and shape are the
  same in several independent public mocks of real responses (find_string "they may be deleted or not
  exist"), treated as CONFIRMED; batch/update answering missing ids the same way (207, the others updated):
  UNVERIFIED (one public integration's tests model it so).
- Batch inputs: at most 100 (UNVERIFIED here; a larger batch is a 400); duplicate ids are refused with
  "Duplicate IDs found in batch input: [...]" (from memory, UNVERIFIED).
- An enumeration value that is not an option: 400 VALIDATION_ERROR "Property values were not valid:
  [{"isValid": false, "message": "<v> was not one of the allowed options: [a, b]", "error": "INVALID_OPTION",
  "name": <p>, "localizedErrorMessage": …}]": CONFIRMED for a single create (gregorspan/csc-frodx#21, a
  real v3 answer); that batch/update refuses the WHOLE batch for it is UNVERIFIED. Unknown properties as
  PROPERTY_DOESNT_EXIST 'Property "p" does not exist' and read-only ones as READ_ONLY_VALUE: UNVERIFIED.
  dealstage has its options in the pipeline (externalOptions, docs/hubspot.md#hs-external-options): its value
  must be a stage id of the
  deal's pipeline.
- Updates set ``updatedAt`` and the last-modified property; update results carry the properties sent plus
  hs_object_id, createdate and the last-modified one (UNVERIFIED).
- A record FaultPlan.fail_components names as ``type.id`` (e.g. "contacts.51101") is not updated: the batch
  answers 207 with that id in the not-found error, as for a record deleted since it was found, and the
  others are updated (docs/hubspot.md#hs-batch-207-returns: a 207 lists the records that failed).
"""

from __future__ import annotations

import json

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_objects import (
    always,
    as_text,
    has_value,
    known_properties,
    last_modified,
    public_view,
    string_list,
)
from crmdefs.sandbox.hubspot_rules import (
    NOT_FOUND,
    VALIDATION,
    ApiError,
    Json,
    Params,
    json_body,
    now_iso,
    refuse,
)
from crmdefs.sandbox.hubspot_store import HubSpotPortal

BATCH_LIMIT = 100

_SINGULAR = {"contacts": "CONTACT", "deals": "DEAL"}


def _inputs(body: Json) -> list[Json]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in inputs
    ):
        raise refuse("inputs must be a list of objects with an id", "inputs")
    if len(inputs) > BATCH_LIMIT:
        raise refuse(f"Too many inputs: {len(inputs)} (a batch takes at most {BATCH_LIMIT})", "inputs")
    if "idProperty" in body or any("idProperty" in i for i in inputs):
        raise refuse("idProperty is not supported by the crmdefs sandbox; use record ids", "idProperty")
    ids = [i["id"] for i in inputs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise refuse(f"Duplicate IDs found in batch input: [{', '.join(duplicates)}]", "inputs")
    return inputs


def _not_found(object_type: str, ids: list[str]) -> Json:
    kind = _SINGULAR.get(object_type, object_type.upper())
    return {
        "status": "error",
        "category": NOT_FOUND,
        "message": f"Could not get some {kind} objects, they may be deleted or not exist. "
        "Check that ids are valid.",
        "context": {"ids": ids},
        "errors": [],
        "links": {},
    }


def _batch_answer(results: list[Json], missing: list[str], object_type: str, started: str) -> Response:
    body: Json = {"status": "COMPLETE", "results": results}
    if missing:
        body.update(numErrors=1, errors=[_not_found(object_type, missing)])
    body.update(startedAt=started, completedAt=now_iso())
    return json_response(207 if missing else 200, body)


def batch_read(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    object_type, objects = portal.objects(params["type"])
    body = json_body(request)
    if body.get("propertiesWithHistory"):
        raise refuse("propertiesWithHistory is not supported by the crmdefs sandbox", "propertiesWithHistory")
    names = string_list(body, "properties")
    inputs = _inputs(body)
    known = known_properties(portal, object_type, objects)
    started = now_iso()
    results, missing = [], []
    for item in inputs:
        obj = objects.get(item["id"])
        if obj is None or obj.get("archived"):
            missing.append(item["id"])
        else:
            results.append(public_view(obj, names, known, object_type))
    return _batch_answer(results, missing, object_type, started)


def _allowed_options(
    portal: HubSpotPortal, object_type: str, prop: Json, obj: Json, changes: Json
) -> list[str] | None:
    """The values an enumeration property accepts on this object, or None when anything goes."""
    if prop.get("type") != "enumeration":
        return None
    if prop.get("options"):
        return [o["value"] for o in prop["options"]]
    # options: the pipeline's (hs-external-options)
    if object_type == "deals" and prop["name"] == "dealstage":
        pipeline_id = changes.get("pipeline") or obj["properties"].get("pipeline") or "default"
        for pipeline in portal.stored_pipelines("deals"):
            if pipeline["id"] == pipeline_id:
                return [stage["id"] for stage in pipeline.get("stages", [])]
    return None


def _invalid(name: str, error: str, message: str) -> Json:
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def _validate(portal: HubSpotPortal, object_type: str, objects: dict[str, Json], inputs: list[Json]) -> None:
    definitions = portal.definitions(object_type)
    known = known_properties(portal, object_type, objects)
    problems: list[Json] = []
    for item in inputs:
        changes = item.get("properties")
        if not isinstance(changes, dict):
            raise refuse("every input needs a properties object", "inputs")
        obj = objects.get(item["id"], {"properties": {}})
        for name, value in changes.items():
            prop = definitions.get(name)
            if name not in known or (prop is not None and prop.get("archived")):
                problems.append(_invalid(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
                continue
            if name in always(object_type) or (prop or {}).get("modificationMetadata", {}).get(
                "readOnlyValue"
            ):
                problems.append(
                    _invalid(name, "READ_ONLY_VALUE", f'Property "{name}" is a read only property')
                )
                continue
            allowed = _allowed_options(portal, object_type, prop or {}, obj, changes)
            if allowed is None or not has_value(value):
                continue
            picked = (
                as_text(value).split(";") if (prop or {}).get("fieldType") == "checkbox" else [as_text(value)]
            )
            bad = next((v for v in picked if v not in allowed), None)
            if bad is not None:
                message = f"{bad} was not one of the allowed options: [{', '.join(allowed)}]"
                problems.append(_invalid(name, "INVALID_OPTION", message))
    if problems:
        text = json.dumps(problems, separators=(",", ":"))
        raise ApiError(400, VALIDATION, f"Property values were not valid: {text}")


def batch_update(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    object_type, objects = portal.objects(params["type"])
    inputs = _inputs(json_body(request))
    _validate(portal, object_type, objects, inputs)  # any invalid value refuses the whole batch
    started, now = now_iso(), now_iso()
    results, missing = [], []
    known = known_properties(portal, object_type, objects)
    for item in inputs:
        obj = objects.get(item["id"])
        if obj is None or obj.get("archived") or portal.fails_record(object_type, item["id"]):
            missing.append(item["id"])
            continue
        changes = {
            name: ("" if value is None else as_text(value)) for name, value in item["properties"].items()
        }
        obj["properties"].update(changes)
        obj["properties"][last_modified(object_type)] = now
        obj["updatedAt"] = now
        results.append(public_view(obj, list(changes), known, object_type))
    if results:
        portal.save()
    return _batch_answer(results, missing, object_type, started)
