"""The sandbox's pipelines API (docs/hubspot.md#hs-pipelines-shape): list and read pipelines, create and
update single stages, and replace a whole pipeline with ``PUT`` — which, as on HubSpot, replaces every
stage and loses what was set in HubSpot's UI (docs/hubspot.md#hs-pipeline-put-overwrites). Every request
lands in the request log with its action (``pipelines.replace`` for a PUT), so tests can prove none was
sent.

Rules (sources as in hubspot.py; messages UNVERIFIED unless cited):

- a pipeline must exist and not be archived, else 404 (SDK pipelines API docstring);
- stage metadata is a map of strings (docs/hubspot.md#hs-stage-metadata): numbers and booleans sent are
  stored as strings; a deal stage must keep a ``probability`` between 0.0 and 1.0;
- a stage's label is unique within its pipeline, compared case-insensitively (the case rule is
  UNVERIFIED) (docs/hubspot.md#hs-stage-label-unique);
- create needs ``label``, ``displayOrder`` and ``metadata``; HubSpot chooses the id unless the dated API's
  ``stageId`` gives one (docs/hubspot.md#hs-stage-create);
- ``PATCH`` changes only the keys sent and needs ``metadata`` (2026-03 docs), which replaces the stage's
  metadata whole (UNVERIFIED: the stricter reading, so a client must send every key it keeps).

A new pipeline takes ``label``, ``displayOrder`` and ``stages`` (and, on the dated API, ``pipelineId``).

What HubSpot's UI sets on a stage and the API does not show — the properties required to enter it
(docs/hubspot.md#hs-stage-required-properties) — is stored under keys starting with ``_`` and never served.
"""

from __future__ import annotations

import itertools
from typing import Any

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_rules import (
    NOT_FOUND,
    ApiError,
    Json,
    Params,
    check_fields,
    is_archived,
    json_body,
    now_iso,
    refuse,
)
from crmdefs.sandbox.hubspot_store import HubSpotPortal

# SDK PipelineStageInput / PipelineStagePatchInput, and the dated API's stageId
# (docs/hubspot.md#hs-stage-create).
_CREATE_FIELDS: dict[str, type] = {"label": str, "displayOrder": int, "metadata": dict, "stageId": str}
_PATCH_FIELDS: dict[str, type] = {"label": str, "displayOrder": int, "metadata": dict, "archived": bool}
_REPLACE_FIELDS: dict[str, type] = {"label": str, "displayOrder": int, "stages": list}
_FIRST_STAGE_ID = 1_100_000  # HubSpot's own stage ids are numbers (docs example "1234912")


def _served(item: Json) -> Json:
    """What the API shows: never the UI-only keys (``_…``)."""
    shown = {k: v for k, v in item.items() if not k.startswith("_")}
    if "stages" in shown:
        shown["stages"] = [_served(s) for s in shown["stages"] if not is_archived(s)]
    return shown


def _find(portal: HubSpotPortal, params: Params) -> Json:
    for pipeline in portal.pipelines(params["type"]):
        if pipeline["id"] == params["id"] and not is_archived(pipeline):
            return pipeline
    raise ApiError(404, NOT_FOUND, f"Unable to find pipeline {params['id']}")


def _stage(pipeline: Json, stage_id: str) -> Json:
    stages: list[Json] = pipeline["stages"]
    for stage in stages:
        if stage["id"] == stage_id and not is_archived(stage):
            return stage
    raise ApiError(404, NOT_FOUND, f"Unable to find stage {stage_id} in pipeline {pipeline['id']}")


def _saved(portal: HubSpotPortal, status: int, item: Json) -> Response:
    portal.save()
    return json_response(status, _served(item))


def list_pipelines(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    pipelines = [_served(p) for p in portal.pipelines(params["type"]) if not is_archived(p)]
    return json_response(200, {"results": pipelines})


def get_pipeline(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    return json_response(200, _served(_find(portal, params)))


def list_stages(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    return json_response(200, {"results": _served(_find(portal, params))["stages"]})


def _metadata(raw: Any, object_type: str) -> dict[str, str]:
    """Metadata as HubSpot keeps it: strings; a deal stage's probability between 0.0 and 1.0."""
    if not isinstance(raw, dict):
        raise refuse("metadata must be an object", "metadata")
    metadata = {str(k): (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in raw.items()}
    if object_type == "deals":
        try:
            probability = float(metadata["probability"])
        except (KeyError, ValueError):
            raise refuse(
                "Deal stages require a probability between 0.0 and 1.0", "metadata.probability"
            ) from None
        if not 0.0 <= probability <= 1.0:
            raise refuse(
                f"probability must be between 0.0 and 1.0, not {probability}", "metadata.probability"
            )
    return metadata


def _unique_label(pipeline: Json, label: str, stage_id: str | None = None) -> None:
    for stage in pipeline["stages"]:
        if (
            stage["id"] != stage_id
            and not is_archived(stage)
            and stage["label"].casefold() == label.casefold()
        ):
            raise refuse(f"A stage with label '{label}' already exists in this pipeline", "label")


def _new_id(portal: HubSpotPortal, object_type: str, building: Json) -> str:
    """A stage id no stage of the portal has, nor one of the pipeline being built."""
    stages = [s for p in portal.stored_pipelines(object_type) for s in p["stages"]] + building["stages"]
    used = {s["id"] for s in stages}
    return next(str(n) for n in itertools.count(_FIRST_STAGE_ID) if str(n) not in used)


def _new_stage(portal: HubSpotPortal, object_type: str, pipeline: Json, body: Json, now: str) -> Json:
    check_fields(body, _CREATE_FIELDS)
    for key in ("label", "displayOrder", "metadata"):
        if key not in body:
            raise refuse(f"{key} is required", key)
    _unique_label(pipeline, body["label"])
    stage_id = body.get("stageId") or _new_id(portal, object_type, pipeline)
    if any(s["id"] == stage_id for s in pipeline["stages"]):
        raise refuse(f"A stage with id '{stage_id}' already exists", "stageId")
    return {
        "id": stage_id,
        "label": body["label"],
        "displayOrder": body["displayOrder"],
        "metadata": _metadata(body["metadata"], object_type),
        "archived": False,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        "createdAt": now,
        "updatedAt": now,
    }


def create_stage(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    pipeline = _find(portal, params)
    stage = _new_stage(
        portal, portal.object_type(params["type"], "pipelines"), pipeline, json_body(request), now_iso()
    )
    pipeline["stages"].append(stage)
    return _saved(portal, 201, stage)


def update_stage(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """PATCH one stage: the keys sent, nothing else — UI-only settings stay."""
    pipeline = _find(portal, params)
    stage = _stage(pipeline, params["stage"])
    body = json_body(request)
    check_fields(body, _PATCH_FIELDS)
    if "metadata" not in body:
        raise refuse("metadata is required", "metadata")  # 2026-03 PipelineStagePatchInput
    if "label" in body:
        _unique_label(pipeline, body["label"], stage["id"])
    body["metadata"] = _metadata(body["metadata"], portal.object_type(params["type"], "pipelines"))
    changed = {k: v for k, v in body.items() if stage.get(k) != v}
    if not changed:
        return json_response(200, _served(stage))
    stage.update(changed, updatedAt=now_iso())
    return _saved(portal, 200, stage)


def create_pipeline(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """POST a pipeline with its stages; its label must be unique among the object's pipelines
    (docs/hubspot.md#hs-stage-label-unique)."""
    pipelines, body = portal.pipelines(params["type"]), json_body(request)
    check_fields(body, {**_REPLACE_FIELDS, "pipelineId": str})
    for key in ("label", "displayOrder", "stages"):
        if key not in body:
            raise refuse(f"{key} is required", key)
    if any(p["label"].casefold() == body["label"].casefold() for p in pipelines if not is_archived(p)):
        raise refuse(f"A pipeline with label '{body['label']}' already exists", "label")
    used = {p["id"] for p in pipelines}
    pipeline_id = body.get("pipelineId") or next(str(n) for n in itertools.count(1) if str(n) not in used)
    if pipeline_id in used:
        raise refuse(f"A pipeline with id '{pipeline_id}' already exists", "pipelineId")
    now = now_iso()
    pipeline: Json = {"id": pipeline_id, "label": body["label"], "displayOrder": body["displayOrder"]}
    pipeline.update(archived=False, createdAt=now, updatedAt=now, stages=[])
    _add_stages(portal, params, pipeline, body["stages"], now)
    pipelines.append(pipeline)  # only once every stage is valid
    return _saved(portal, 201, pipeline)


def _add_stages(portal: HubSpotPortal, params: Params, pipeline: Json, stages: Any, now: str) -> None:
    object_type = portal.object_type(params["type"], "pipelines")
    for raw in stages:
        if not isinstance(raw, dict):
            raise refuse("stages must be objects", "stages")
        pipeline["stages"].append(_new_stage(portal, object_type, pipeline, raw, now))


def replace_pipeline(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """PUT: the pipeline becomes the body — every stage replaced, with what the UI had set on them
    (docs/hubspot.md#hs-pipeline-put-overwrites)."""
    pipeline = _find(portal, params)
    body = json_body(request)
    check_fields(body, _REPLACE_FIELDS)
    for key in ("label", "displayOrder", "stages"):
        if key not in body:
            raise refuse(f"{key} is required", key)
    now = now_iso()
    replaced: Json = {**pipeline, "label": body["label"], "displayOrder": body["displayOrder"], "stages": []}
    _add_stages(portal, params, replaced, body["stages"], now)
    pipeline.clear()
    pipeline.update(replaced, updatedAt=now)
    return _saved(portal, 200, pipeline)
