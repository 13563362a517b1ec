"""The HubSpot sandbox's pipeline writes, driven by the real hubspot-api-client over real TLS: single stages
created and patched keep everything else, a pipeline PUT replaces every stage (and what HubSpot's UI set on
them) and is logged, and the rules on stage metadata and labels — in both path families."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.pipelines import (
    ApiException,
    PipelineInput,
    PipelineStageInput,
    PipelineStagePatchInput,
)

from .hubspot_sandbox import Sandbox, error_body
from .hubspot_sandbox import sandbox_fixture as sandbox_fixture  # pytest fixture
from .hubspot_sandbox import shared_fixture as shared_fixture  # pytest fixture
from .hubspot_sandbox import start_sandbox_fixture as start_sandbox_fixture  # pytest fixture


def stored(sandbox: Sandbox) -> list[dict[str, Any]]:
    [pipeline] = sandbox.state.data["hubspot"]["pipelines"]["deals"]
    stages: list[dict[str, Any]] = pipeline["stages"]
    return stages


def test_a_patched_stage_changes_only_what_was_sent_and_keeps_its_ui_settings(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.pipelines.pipeline_stages_api
    patch = PipelineStagePatchInput(
        label="Contract Out", metadata={"isClosed": "false", "probability": "0.8"}
    )
    stage = api.update("deals", "default", "contractsent", patch)
    assert (stage.label, stage.metadata, stage.display_order) == (
        "Contract Out",
        {"isClosed": "false", "probability": "0.8"},
        4,
    )
    contract = next(s for s in stored(sandbox) if s["id"] == "contractsent")
    assert contract["_requiredProperties"] == ["amount", "closedate"]
    served = sandbox.raw("GET", "/crm/pipelines/2026-03/deals/default").body
    assert all(not key.startswith("_") for s in served["stages"] for key in s)  # never shown by the API


def test_a_created_stage_gets_an_id_from_hubspot_and_metadata_as_strings(sandbox: Sandbox) -> None:
    body = {"label": "Discovery", "displayOrder": 0, "metadata": {"probability": 0.1, "isClosed": False}}
    created = sandbox.raw("POST", "/crm/v3/pipelines/deals/default/stages", body)
    assert created.status == 201
    assert created.body["id"] == "1100000"
    assert created.body["metadata"] == {"probability": "0.1", "isClosed": "false"}
    assert [s["label"] for s in stored(sandbox)][-1] == "Discovery"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"label": "New", "displayOrder": 1, "metadata": {}}, "Deal stages require a probability"),
        ({"label": "New", "displayOrder": 1, "metadata": {"probability": "1.5"}}, "between 0.0 and 1.0"),
        ({"label": "closed won", "displayOrder": 1, "metadata": {"probability": "1.0"}}, "already exists"),
        ({"label": "New", "metadata": {"probability": "0.5"}}, "displayOrder is required"),
    ],
)
def test_a_stage_hubspot_would_refuse_is_a_400(sandbox: Sandbox, body: dict[str, Any], message: str) -> None:
    answer = sandbox.raw("POST", "/crm/pipelines/2026-03/deals/default/stages", body)
    assert answer.status == 400 and message in answer.body["message"]
    assert len(stored(sandbox)) == 7  # nothing half-made


def test_a_patch_without_metadata_is_refused(sandbox: Sandbox) -> None:
    # The dated API's PipelineStagePatchInput requires metadata (docs/hubspot.md#hs-stage-create).
    api = sandbox.client().crm.pipelines.pipeline_stages_api
    with pytest.raises(ApiException) as refused:
        api.update("deals", "default", "contractsent", PipelineStagePatchInput(label="Contract Out"))
    assert refused.value.status == 400
    assert error_body(refused.value)["message"] == "metadata is required"


def test_a_pipeline_put_replaces_every_stage_and_is_logged(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.pipelines.pipelines_api
    stages = [
        PipelineStageInput(
            label="Open", display_order=0, metadata={"probability": "0.5", "isClosed": "false"}
        ),
        PipelineStageInput(label="Won", display_order=1, metadata={"probability": "1.0", "isClosed": "true"}),
    ]
    api.replace("deals", "default", PipelineInput(label="Sales Pipeline", display_order=0, stages=stages))
    assert [(s["label"], "_requiredProperties" in s) for s in stored(sandbox)] == [
        ("Open", False),
        ("Won", False),
    ]  # every stage the UI had configured is gone, with its settings
    assert [e["action"] for e in sandbox.log.entries if e["method"] == "PUT"] == ["pipelines.replace"]


def test_a_pipeline_is_found_by_id_only_and_an_unknown_stage_is_a_404(sandbox: Sandbox) -> None:
    missing = sandbox.raw("PATCH", "/crm/pipelines/2026-03/deals/default/stages/nope", {"metadata": {}})
    assert missing.status == 404
    elsewhere = sandbox.raw("GET", "/crm/pipelines/2026-03/deals/Sales%20Pipeline")
    assert elsewhere.status == 404
