"""HubSpot property rules and bodies for the sandbox: error shapes, request-body checks, read-only
definitions, new-property defaults, batch envelopes. Sources as in hubspot.py (entries of docs/hubspot.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_seed import SANDBOX_USER_ID

Json = dict[str, Any]
Params = dict[str, str]
VALIDATION = "VALIDATION_ERROR"
NOT_FOUND = "OBJECT_NOT_FOUND"


# Valid fieldType per type (HubSpot's properties guide; calculation_score is in real data,
# docs/hubspot.md#hs-field-types).
_FIELD_TYPES: dict[str, set[str]] = {
    "string": {"text", "textarea", "file", "html", "phonenumber"},
    "number": {"number", "calculation_equation", "calculation_score"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
    "bool": {"booleancheckbox", "calculation_equation"},
    "phone_number": {"phonenumber"},
}

# Accepted body fields and their JSON types: SDK PropertyCreate / PropertyUpdate
# (docs/hubspot.md#hs-property-create-fields, docs/hubspot.md#hs-property-update-fields), plus what the
# 2026-03 docs add (docs/hubspot.md#hs-property-shape). Anything else is refused as an unknown field
# (UNVERIFIED message).
CREATE_FIELDS: dict[str, type] = {
    "name": str, "label": str, "type": str, "fieldType": str, "groupName": str, "description": str,
    "options": list, "displayOrder": int, "hidden": bool, "formField": bool, "hasUniqueValue": bool,
    "calculationFormula": str, "externalOptions": bool, "referencedObjectType": str,
    "showCurrencySymbol": bool, "currencyPropertyName": str, "numberDisplayHint": str, "dataSensitivity": str,
}  # fmt: skip
UPDATE_FIELDS: dict[str, type] = {
    "label": str, "description": str, "groupName": str, "options": list, "displayOrder": int, "hidden": bool,
    "type": str, "fieldType": str, "formField": bool, "calculationFormula": str, "showCurrencySymbol": bool,
    "currencyPropertyName": str, "numberDisplayHint": str,
}  # fmt: skip
_OPTION_FIELDS: dict[str, type] = {
    "label": str, "value": str, "description": str, "displayOrder": int, "hidden": bool,
}  # fmt: skip
# SDK PropertyCreate (docs/hubspot.md#hs-property-create-fields)
REQUIRED_CREATE = ("name", "label", "type", "fieldType", "groupName")
# What readOnlyDefinition locks (label/description/group: docs/hubspot.md#hs-read-only-definition); type,
# fieldType and calculationFormula are part of the definition too (our reading, UNVERIFIED).
_DEFINITION_FIELDS = ("label", "description", "groupName", "type", "fieldType", "calculationFormula")


class ApiError(Exception):
    """A request HubSpot would refuse: answered with the standard error body
    (docs/hubspot.md#hs-error-body)."""

    def __init__(self, status: int, category: str, message: str, errors: list[Json] | None = None) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.errors = status, category, message, errors

    def body(self) -> Json:
        # Shape: fixture error_shape_docs_example.json / error_400_validation_error.json.
        body: Json = {"status": "error", "message": self.message, "correlationId": str(uuid.uuid4())}
        if self.errors:
            body["errors"] = self.errors
        body["category"] = self.category
        return body

    def response(self) -> Response:
        return json_response(self.status, self.body())

    def standard_error(self, name: str) -> Json:
        # One entry of a batch's `errors`: SDK StandardError (docs/hubspot.md#hs-batch-response); the exact
        # content is UNVERIFIED.
        return {**self.body(), "context": {"name": [name]}, "errors": self.errors or [], "links": {}}


def refuse(message: str, field_name: str | None = None) -> ApiError:
    errors = [{"message": message, "in": field_name}] if field_name else None
    return ApiError(400, VALIDATION, message, errors)


def now_iso() -> str:
    """ISO timestamps with milliseconds and Z, as real responses carry them
    (docs/hubspot.md#hs-timestamps)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def unauthorized() -> Response:
    """401 for a missing or wrong token. Shape/message from a third-party guide, so UNVERIFIED
    (docs/hubspot.md#hs-401-body); we answer the same for a missing and a wrong token."""
    body = {
        "status": "error",
        "message": "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
        "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        "correlationId": str(uuid.uuid4()),
        "category": "INVALID_AUTHENTICATION",
    }
    response = json_response(401, body)
    response.action = "auth.rejected"
    return response


# ------------------------------------------------------------------------------------------- body helpers


def json_body(request: Request) -> Json:
    """The request's JSON object, with nulls dropped (the SDK never sends them; we treat null as absent)."""
    try:
        body = request.json()
    except (UnicodeDecodeError, ValueError) as exc:
        raise refuse(f"Invalid input JSON: {exc}") from exc  # message UNVERIFIED
    if not isinstance(body, dict):
        raise refuse("Invalid input JSON: expected an object")
    return {key: value for key, value in body.items() if value is not None}


def check_fields(body: Json, allowed: dict[str, type], where: str = "") -> None:
    """Refuse unknown fields and wrong JSON types (HubSpot parses into typed models; messages UNVERIFIED)."""
    for key, value in body.items():
        expected = allowed.get(key)
        if expected is None:
            raise refuse(f'Invalid input JSON: Unrecognized field "{key}"', where + key)
        wrong_int = expected is int and isinstance(value, bool)
        if wrong_int or not isinstance(value, expected):
            raise refuse(f"{where}{key} must be of type {expected.__name__}", where + key)


def archived_flag(request: Request) -> bool:
    """`?archived=`: the SDK sends Python's str(bool), `False`/`True`; `false`/`true` too
    (docs/hubspot.md#hs-archived-query-param)."""
    text = (request.param("archived") or "false").lower()
    if text not in ("true", "false"):
        raise refuse(f"archived must be true or false, not {text!r}", "archived")
    return text == "true"


def is_archived(item: Json) -> bool:
    # HubSpot-defined properties carry no `archived` key at all in the real dump
    # (docs/hubspot.md#hs-custom-vs-defined-keys).
    return bool(item.get("archived", False))


def normalize_options(raw: list[Any]) -> list[Json]:
    """Options as stored: label, value, [description], displayOrder, hidden (SDK OptionInput,
    docs/hubspot.md#hs-option-fields).
    Values must be unique within the list. A missing displayOrder becomes -1 as in the real dump
    (UNVERIFIED)."""
    options: list[Json] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"options[{index}]."
        if not isinstance(item, dict):
            raise refuse(f"options[{index}] must be an object", f"options[{index}]")
        item = {key: value for key, value in item.items() if value is not None}
        check_fields(item, _OPTION_FIELDS, where)
        for key in ("label", "value"):
            if not item.get(key):
                raise refuse(f"{where}{key} is required", where + key)
        if item["value"] in seen:
            raise refuse(f"Duplicate option value '{item['value']}'", where + "value")  # message UNVERIFIED
        seen.add(item["value"])
        option: Json = {"label": item["label"], "value": item["value"]}
        if "description" in item:
            option["description"] = item["description"]
        option.update(displayOrder=item.get("displayOrder", -1), hidden=item.get("hidden", False))
        options.append(option)
    return options


def _option_key(option: Json) -> tuple[Any, ...]:
    return (
        option["label"],
        option["value"],
        option.get("description", ""),
        option.get("displayOrder", -1),
        option.get("hidden", False),
    )


def check_definition(prop: Json) -> None:
    """type/fieldType must be known and match; an enumeration needs options unless they are external."""
    kind, field_type = prop["type"], prop["fieldType"]
    if kind not in _FIELD_TYPES:
        raise refuse(f"'{kind}' is not a valid property type", "type")
    if field_type not in _FIELD_TYPES[kind]:
        raise refuse(f"fieldType '{field_type}' is not valid for type '{kind}'", "fieldType")
    if kind == "enumeration" and not prop.get("options") and not prop.get("externalOptions"):
        raise refuse("Enumeration properties must have at least one option", "options")


def check_modifiable(prop: Json, changes: Json) -> None:
    """readOnlyDefinition locks the definition; readOnlyOptions/externalOptions lock the options
    (docs/hubspot.md#hs-read-only-definition, docs/hubspot.md#hs-read-only-options,
    docs/hubspot.md#hs-external-options). Only a real *change* is refused: resending the stored value is
    accepted (our choice, UNVERIFIED). The error wording is UNVERIFIED (no real sample,
    docs/hubspot.md#hs-read-only-error-unknown)."""
    meta = prop.get("modificationMetadata", {})
    name = prop["name"]
    if meta.get("readOnlyDefinition"):
        for key in _DEFINITION_FIELDS:
            if key in changes and changes[key] != prop.get(key):
                raise refuse(f"Property {name} has a read-only definition: {key} can not be changed", key)
    if "options" in changes and (meta.get("readOnlyOptions") or prop.get("externalOptions")):
        stored = [_option_key(o) for o in prop.get("options", [])]
        if [_option_key(o) for o in changes["options"]] != stored:
            why = "are managed outside this property" if prop.get("externalOptions") else "are read-only"
            raise refuse(f"The options of property {name} {why} and can not be changed", "options")


def new_property(body: Json, now: str) -> Json:
    """A created custom property, with the server-filled keys of the real custom `confirm_ip` (fixture
    contacts_properties_get_all_subset.json): no hubspotDefined; archived, showCurrencySymbol, user ids."""
    prop: Json = {
        "updatedAt": now, "createdAt": now, "name": body["name"], "label": body["label"],
        "type": body["type"], "fieldType": body["fieldType"], "description": body.get("description", ""),
        "groupName": body["groupName"], "options": normalize_options(body.get("options", [])),
        "createdUserId": SANDBOX_USER_ID, "updatedUserId": SANDBOX_USER_ID,
        "displayOrder": body.get("displayOrder", -1), "calculated": "calculationFormula" in body,
        "externalOptions": body.get("externalOptions", False), "archived": False,
        "hasUniqueValue": body.get("hasUniqueValue", False), "hidden": body.get("hidden", False),
        "showCurrencySymbol": body.get("showCurrencySymbol", False),
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": False, "readOnlyValue": False},
        "formField": body.get("formField", False),  # default when not sent: UNVERIFIED
    }  # fmt: skip
    for key in (
        "calculationFormula",
        "referencedObjectType",
        "currencyPropertyName",
        "numberDisplayHint",
        "dataSensitivity",
    ):
        if key in body:
            prop[key] = body[key]
    return prop


def batch_body(results: list[Json], errors: list[Json], started: str) -> tuple[bool, Json]:
    """BatchResponseProperty, or ...WithErrors when something failed (docs/hubspot.md#hs-batch-response)."""
    body: Json = {"status": "COMPLETE", "results": results}
    if errors:
        body.update(numErrors=len(errors), errors=errors)
    body.update(startedAt=started, completedAt=now_iso())
    return bool(errors), body


def batch_inputs(body: Json, key: str = "name") -> list[Json]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
        raise refuse("inputs must be a list of objects", "inputs")
    if key and not all(isinstance(item.get(key), str) for item in inputs):
        raise refuse(f"every input needs a {key}", "inputs")
    return inputs


# --------------------------------------------------------------------------------------------------- the API
