"""HubSpot deal stages as the values of ``deals.dealstage`` (citations: entries of docs/hubspot.md).

A binding with ``pipeline:`` makes that pipeline's stages the property's values: the stage id is the value
deals hold (docs/hubspot.md#hs-external-options), the stage label its label, and probability / isClosed its
attributes (docs/hubspot.md#hs-stage-metadata). The plan's ordinary value changes then say what to write,
and apply writes them stage by stage — ``PATCH …/stages/{stageId}`` for a stage that changes, ``POST
…/stages`` for one that is missing — never the pipeline-wide ``PUT``, which replaces every stage and can
drop what was set in HubSpot's UI (docs/hubspot.md#hs-pipeline-put-overwrites).

- read: one ``GET …/pipelines/{objectType}`` per object type; the pipeline is the one with that id, else the
  only one with that label (docs/hubspot.md#hs-default-pipeline);
- match: a value is the stage whose id it names; else, unless the definitions give the id
  (``hubspot: {value: <stageId>}``), the stage with its label — labels are unique within a pipeline
  (docs/hubspot.md#hs-stage-label-unique), and HubSpot chooses the ids of new stages;
- write: one ``GET`` of the pipeline (display orders and metadata as they are now), then one request per
  stage that changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmdefs.adapters.base import ItemResult
from crmdefs.adapters.hubspot.calls import PortalCalls
from crmdefs.adapters.hubspot.mapping import Json, patch_body
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.plan.changes import FieldPlan, ValueChangeKind
from crmdefs.plan.state import (
    NO_HIDING,
    NO_VALUE_DESCRIPTIONS,
    NOTE_REQUIRED_PROPERTIES,
    DesiredField,
    FieldState,
    ValueState,
    add_read_only_key,
)

NO_DESCRIPTION = "HubSpot deal stages have no description; the glossary still shows each stage's definition"
NO_HIDING_REASON = (
    "HubSpot deal stages cannot be hidden and crmdefs never deletes one — archive the stage in HubSpot "
    "if it is not wanted"
)
# docs/hubspot.md#hs-stage-required-properties
REQUIRED_PROPERTIES = (
    "properties required per stage have no public API, so crmdefs neither reads nor writes them — set "
    "them in HubSpot: Settings > Objects > Deals > Pipelines, then the pipeline's stages"
)


# --- read ------------------------------------------------------------------------------------------------


def with_stages(
    portal: PortalCalls, fields: Sequence[DesiredField], states: dict[FieldAddress, FieldState]
) -> dict[FieldAddress, FieldState]:
    """``states`` with each ``pipeline:`` binding's values read from its pipeline's stages: one GET of the
    pipelines per object type."""
    listed: dict[str, list[Json]] = {}
    for want in fields:
        state = states.get(want.address)
        if want.pipeline is None or state is None or not state.exists:
            continue
        kind = want.address.object
        if kind not in listed:
            what = f"reading the {kind} pipelines"
            data = portal.request(what, "GET", portal.apis.paths.pipelines, {"objectType": kind})
            listed[kind] = [p for p in data.get("results", []) if not p.get("archived")]
        pipeline = choose_pipeline(portal.target, want.address, want.pipeline, listed[kind])
        states[want.address] = stage_state(state, want, pipeline)
    return states


def choose_pipeline(target: str, address: FieldAddress, wanted: str, pipelines: Sequence[Json]) -> Json:
    """The pipeline with id ``wanted``, else the only one labelled ``wanted`` (case aside); none or two is
    an error naming the pipelines there are."""
    for pipeline in pipelines:
        if str(pipeline.get("id")) == wanted:
            return pipeline
    labelled = [p for p in pipelines if _fold(p.get("label")) == _fold(wanted)]
    if len(labelled) == 1:
        return labelled[0]
    where = f"target '{target}': {address.dotted}: pipeline {wanted!r}"
    if labelled:
        ids = ", ".join(str(p.get("id")) for p in labelled)
        raise CrmApiError(
            f"{where} is the label of {len(labelled)} {address.object} pipelines (ids {ids}) — write the "
            "pipeline's id in 'pipeline:'"
        )
    known = ", ".join(f"{p.get('label')!r} (id {p.get('id')})" for p in pipelines) or "none"
    raise CrmApiError(
        f"{where} matches no {address.object} pipeline (HubSpot has {known}) — write one of these labels "
        "or ids in 'pipeline:'"
    )


def stage_state(state: FieldState, want: DesiredField, pipeline: Mapping[str, Any]) -> FieldState:
    """The property's state with the pipeline's stages as its values, and what HubSpot cannot do with
    them as the reasons a plan shows."""
    stages = live_stages(pipeline)
    values = tuple(
        ValueState(str(s["id"]), str(s.get("label") or s["id"]), attributes=stage_attributes(s))
        for s in stages
    )
    aliases, unknown = match_values(want, stages)
    read_only = {key: reason for key, reason in state.read_only.items() if key != "values"}
    read_only |= {
        NO_VALUE_DESCRIPTIONS: NO_DESCRIPTION,
        NO_HIDING: NO_HIDING_REASON,
        NOTE_REQUIRED_PROPERTIES: REQUIRED_PROPERTIES,
    }
    label = pipeline.get("label")
    for stage_id in unknown:
        read_only[add_read_only_key(stage_id)] = (
            f"stage id {stage_id!r} is not in pipeline {label!r}, and HubSpot chooses the ids of new stages "
            "— fix the id in 'hubspot: {value: …}', or remove it to match the stage by its label (created "
            "if missing)"
        )
    return dataclasses.replace(
        state, values=values, read_only=read_only, pipeline=str(pipeline["id"]), value_aliases=aliases
    )


def live_stages(pipeline: Mapping[str, Any]) -> list[Json]:
    """Stages not archived, in HubSpot's order: by displayOrder, then by label
    (docs/hubspot.md#hs-pipelines-shape)."""
    stages = [s for s in pipeline.get("stages") or [] if not s.get("archived")]
    return sorted(stages, key=lambda s: (int(s.get("displayOrder") or 0), str(s.get("label") or "")))


def stage_attributes(stage: Mapping[str, Any]) -> dict[str, Any]:
    """``closed`` and ``probability`` (percent) from the stage's metadata, a map of strings
    (docs/hubspot.md#hs-stage-metadata); an unreadable probability is left out."""
    metadata = stage.get("metadata") or {}
    attributes: dict[str, Any] = {"closed": str(metadata.get("isClosed", "")).strip().lower() == "true"}
    with contextlib.suppress(KeyError, TypeError, ValueError):
        attributes["probability"] = round(float(metadata["probability"]) * 100)
    return attributes


def match_values(want: DesiredField, stages: Sequence[Json]) -> tuple[dict[str, str], list[str]]:
    """(definitions' value → stage id for values matched by label, the ids the definitions give that the
    pipeline does not have). A value naming a stage id is that stage; the others take the stage with their
    label among those no value names."""
    ids = {str(s["id"]) for s in stages}
    named = {v.value for v in want.values or () if v.value in ids}
    by_label: dict[str, str] = {}
    for stage in stages:
        if str(stage["id"]) not in named:
            by_label.setdefault(_fold(stage.get("label")), str(stage["id"]))
    aliases: dict[str, str] = {}
    unknown: list[str] = []
    for value in want.values or ():
        if value.value in ids:
            continue
        if value.value_given:
            unknown.append(value.value)
            continue
        stage_id = by_label.pop(_fold(value.label or value.new_label or value.value), None)
        if stage_id is not None:
            aliases[value.value] = stage_id
    return aliases, unknown


def _fold(text: object) -> str:
    return str(text or "").strip().casefold()


# --- write -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageWrite:
    """One request of a stage write: ``stage_id`` None = create (POST)."""

    stage_id: str | None
    label: str
    body: Json


def write_stages(portal: PortalCalls, plan: FieldPlan) -> ItemResult:
    """Make the pipeline's stages what ``plan.target_values`` says, one request per stage that changes."""
    assert plan.pipeline is not None, "only a pipeline binding's plan is written here"
    paths, address = portal.apis.paths, plan.address
    params = {"objectType": address.object, "pipelineId": plan.pipeline}
    body, skips = patch_body(dataclasses.replace(plan, target_values=None))  # the property's own texts
    if body:
        where = {"objectType": address.object, "propertyName": address.field}
        portal.request(f"updating {address.dotted}", "PATCH", paths.one_property, where, body=body)
    pipeline = portal.request(
        f"reading pipeline {plan.pipeline} of {address.object}", "GET", paths.pipeline, params
    )
    writes = stage_writes(plan, live_stages(pipeline))
    for write in writes:
        verb = "updating" if write.stage_id else "creating"
        what = f"{verb} stage {write.label!r} of pipeline {plan.pipeline}"
        if write.stage_id is None:
            portal.request(what, "POST", paths.stages, params, body=write.body)
        else:
            stage = {**params, "stageId": write.stage_id}
            portal.request(what, "PATCH", paths.stage, stage, body=write.body)
    created = sum(w.stage_id is None for w in writes)
    updated = len(writes) - created
    counts = [f"{updated} stage{'s' * (updated != 1)} updated"] * bool(updated)
    counts += [f"{created} stage{'s' * (created != 1)} created"] * bool(created)
    return ItemResult(address, True, ", ".join(counts) or "the stages already match", skips)


def stage_writes(plan: FieldPlan, current: Sequence[Json]) -> list[StageWrite]:
    """PURE: the requests that make ``current`` (the pipeline's live stages) what the plan's target list
    says — updates first (a relabelled stage frees its label), then creations. Display orders are
    rewritten (to each value's position) only when the plan adds or reorders stages."""
    ordered = any(c.kind in (ValueChangeKind.ADD, ValueChangeKind.REORDER) for c in plan.value_changes)
    by_id = {str(s["id"]): s for s in current}
    by_label = {_fold(s.get("label")): s for s in current}
    updates: list[StageWrite] = []
    creations: list[StageWrite] = []
    for position, value in enumerate(plan.target_values or ()):
        # A stage an earlier, interrupted apply created has its label but not the definitions' name.
        stage = by_id.get(value.value) or by_label.get(_fold(value.label))
        metadata = stage_metadata(value)
        if stage is None:
            body = {"label": value.label, "displayOrder": position, "metadata": metadata}
            creations.append(StageWrite(None, value.label, body))
            continue
        changed: Json = {}
        if stage.get("label") != value.label:
            changed["label"] = value.label
        if ordered and stage.get("displayOrder") != position:
            changed["displayOrder"] = position
        wanted = {**stage_attributes(stage), **value.attributes}
        if changed or wanted != stage_attributes(stage):
            # metadata goes with every PATCH, whole, the keys it has kept (docs/hubspot.md#hs-stage-create)
            changed["metadata"] = {**(stage.get("metadata") or {}), **metadata}
            updates.append(StageWrite(str(stage["id"]), value.label, changed))
    return updates + creations


def stage_metadata(value: ValueState) -> dict[str, str]:
    """A stage's metadata as HubSpot holds it, strings: ``probability`` 0.0–1.0 and ``isClosed``
    (docs/hubspot.md#hs-stage-metadata)."""
    metadata: dict[str, str] = {}
    if value.attributes.get("probability") is not None:
        metadata["probability"] = str(int(value.attributes["probability"]) / 100)
    if "closed" in value.attributes:
        metadata["isClosed"] = "true" if value.attributes["closed"] else "false"
    return metadata
