"""HubSpot CRM Properties v3 in the sandbox: the core API, the batch API and property groups, as handlers of
``(portal, request, path parameters)`` that hubspot.py routes to inside the state lock. Sources as in
hubspot.py (entries of docs/hubspot.md, "fixture x" = tests/fixtures/hubspot/); UNVERIFIED marks our choices.
"""

from __future__ import annotations

from typing import Any

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_rules import (
    CREATE_FIELDS,
    NOT_FOUND,
    REQUIRED_CREATE,
    UPDATE_FIELDS,
    VALIDATION,
    ApiError,
    Json,
    Params,
    archived_flag,
    batch_body,
    batch_inputs,
    check_definition,
    check_fields,
    check_modifiable,
    is_archived,
    json_body,
    new_property,
    normalize_options,
    now_iso,
    refuse,
)
from crmdefs.sandbox.hubspot_seed import SANDBOX_USER_ID
from crmdefs.sandbox.hubspot_store import HubSpotPortal


def _find(props: dict[str, Json], name: str, archived: bool = False) -> Json:
    prop = props.get(name)
    if prop is None or is_archived(prop) != archived:
        # 404 body/message UNVERIFIED (standard error shape, docs/hubspot.md#hs-error-body).
        raise ApiError(404, NOT_FOUND, f"Property {name} does not exist")
    return prop


def _require_group(portal: HubSpotPortal, raw_type: str, group_name: str) -> None:
    group = portal.groups(raw_type).get(group_name)
    if group is None or is_archived(group):
        raise refuse(f"Property group {group_name} does not exist", "groupName")  # message UNVERIFIED


def _saved(portal: HubSpotPortal, status: int, payload: Any) -> Response:
    portal.save()  # after every successful change (state.py)
    return json_response(status, payload) if status != 204 else Response(204)


# -------------------------------------------------------------------------------------- core API
# (docs/hubspot.md#hs-properties-endpoints)


def list_properties(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    props = portal.properties(params["type"])
    archived = archived_flag(request)  # archived=true lists archived ones only (SDK docstring)
    return json_response(200, {"results": [p for p in props.values() if is_archived(p) == archived]})


def get_property(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    props = portal.properties(params["type"])
    return json_response(200, _find(props, params["name"], archived_flag(request)))


def create_property(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    return _saved(portal, 201, _create_one(portal, params["type"], json_body(request)))


def _create_one(portal: HubSpotPortal, raw_type: str, body: Json) -> Json:
    props = portal.properties(raw_type)
    portal.maybe_fail(raw_type, str(body.get("name", "")))
    check_fields(body, CREATE_FIELDS)
    for key in REQUIRED_CREATE:
        if not body.get(key):
            raise refuse(f"{key} is required", key)
    _require_group(portal, raw_type, body["groupName"])
    name = body["name"]
    if name in props:
        # 409 per legacy docs; body shaped like fixture error_409_object_already_exists_contacts.json
        # (category OBJECT_ALREADY_EXISTS, errors[].in). v3 body/message UNVERIFIED
        # (docs/hubspot.md#hs-duplicate-property-409). A name
        # held by an archived property is refused too (UNVERIFIED).
        message = f"A property named '{name}' already exists."
        raise ApiError(409, "OBJECT_ALREADY_EXISTS", message, [{"message": message, "in": "name"}])
    prop = new_property(body, now_iso())
    check_definition(prop)
    props[name] = prop
    return prop


def update_property(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """PATCH: provided fields overwrite, `options` replaces the whole list
    (docs/hubspot.md#hs-options-replace-whole-list)."""
    props = portal.properties(params["type"])
    prop = _find(props, params["name"])
    portal.maybe_fail(params["type"], params["name"])
    changes = json_body(request)
    check_fields(changes, UPDATE_FIELDS)
    if "options" in changes:
        changes["options"] = normalize_options(changes["options"])
    check_modifiable(prop, changes)
    if "groupName" in changes:
        _require_group(portal, params["type"], changes["groupName"])
    merged = {**prop, **changes}
    check_definition(merged)
    if merged == prop:
        return json_response(200, prop)  # nothing changed: nothing to bump or save
    merged["updatedAt"] = now_iso()
    if "updatedUserId" in prop:
        merged["updatedUserId"] = SANDBOX_USER_ID
    props[prop["name"]] = merged
    return _saved(portal, 200, merged)


def archive_property(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    prop = _find(portal.properties(params["type"]), params["name"])
    _archive(prop, now_iso())
    # no body: SDK response_types_map={} (docs/hubspot.md#hs-archive-recycling-bin)
    return _saved(portal, 204, None)


def _check_archivable(prop: Json) -> None:
    if not prop.get("modificationMetadata", {}).get("archivable", True):
        # modificationMetadata.archivable false (e.g. deals.closed_lost_reason,
        # docs/hubspot.md#hs-closed-lost-reason); message
        # UNVERIFIED.
        raise refuse(f"Property {prop['name']} is not archivable", "name")


def _archive(prop: Json, now: str) -> None:
    _check_archivable(prop)
    # "to the recycling bin" (docs/hubspot.md#hs-archive-recycling-bin)
    prop["archived"], prop["archivedAt"] = True, now


# ------------------------------------------------------------------------------------- batch API
# (docs/hubspot.md#hs-batch-endpoints)


def batch_read(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    body = json_body(request)
    props, archived = portal.properties(params["type"]), bool(body.get("archived", False))
    results: list[Json] = []
    errors: list[Json] = []
    started = now_iso()
    for item in batch_inputs(body):
        try:
            results.append(_find(props, item["name"], archived))
        except ApiError as error:
            errors.append(error.standard_error(item["name"]))
    partial, payload = batch_body(results, errors, started)
    return json_response(207 if partial else 200, payload)


def batch_create(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """Creates what it can and reports the rest (207); whether HubSpot is all-or-nothing is UNVERIFIED."""
    results: list[Json] = []
    errors: list[Json] = []
    started = now_iso()
    for item in batch_inputs(json_body(request), key=""):
        try:
            clean = {key: value for key, value in item.items() if value is not None}
            results.append(_create_one(portal, params["type"], clean))
        except ApiError as error:
            errors.append(error.standard_error(str(item.get("name"))))
    partial, payload = batch_body(results, errors, started)
    if results:
        portal.save()
    return json_response(207 if partial else 201, payload)


def batch_archive(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """All or nothing: any missing or unarchivable name → 400 listing them (UNVERIFIED choice)."""
    props = portal.properties(params["type"])
    names = [item["name"] for item in batch_inputs(json_body(request))]
    problems = []
    for name in names:
        try:
            _check_archivable(_find(props, name))
        except ApiError as error:
            problems.append({"message": error.message, "in": name})
    if problems:
        raise ApiError(
            400, VALIDATION, f"{len(problems)} of {len(names)} properties can not be archived", problems
        )
    now = now_iso()
    for name in names:
        _archive(props[name], now)
    return _saved(portal, 204, None)


# ------------------------------------------------------------------------------- property groups
# (docs/hubspot.md#hs-property-groups)


def _find_group(portal: HubSpotPortal, params: Params) -> Json:
    group = portal.groups(params["type"]).get(params["name"])
    if group is None or is_archived(group):
        raise ApiError(404, NOT_FOUND, f"Property group {params['name']} does not exist")  # UNVERIFIED
    return group


def list_groups(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    groups = portal.groups(params["type"]).values()
    return json_response(200, {"results": [g for g in groups if not is_archived(g)]})


def get_group(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    return json_response(200, _find_group(portal, params))


def create_group(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    body = json_body(request)
    check_fields(body, {"name": str, "label": str, "displayOrder": int})  # SDK PropertyGroupCreate
    for key in ("name", "label"):
        if not body.get(key):
            raise refuse(f"{key} is required", key)
    groups = portal.groups(params["type"])
    if body["name"] in groups:  # duplicate → 409 like properties (UNVERIFIED)
        message = f"A property group named '{body['name']}' already exists."
        raise ApiError(409, "OBJECT_ALREADY_EXISTS", message, [{"message": message, "in": "name"}])
    group = {
        "name": body["name"],
        "label": body["label"],
        "displayOrder": body.get("displayOrder", -1),
        "archived": False,
    }
    groups[body["name"]] = group
    return _saved(portal, 201, group)


def update_group(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    group = _find_group(portal, params)
    changes = json_body(request)
    check_fields(changes, {"label": str, "displayOrder": int})  # SDK PropertyGroupUpdate
    group.update(changes)
    return _saved(portal, 200, group)


def archive_group(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    group = _find_group(portal, params)
    props = portal.properties(params["type"]).values()
    if any(p["groupName"] == group["name"] and not is_archived(p) for p in props):
        raise refuse(f"Property group {group['name']} still has properties", "groupName")  # UNVERIFIED
    group["archived"] = True
    return _saved(portal, 204, None)
