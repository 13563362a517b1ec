"""`crmdefs validate` on deal-stage bindings: what closed / won / probability mean for a HubSpot deal stage,
contradictions refused at file:line, and where 'pipeline' belongs. Plus the pure parts: the stage writes a
plan turns into, and a renamed stage (never retired, never migrated)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmdefs.adapters.hubspot.pipelines import stage_writes
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import FieldPlan, ValueChange, ValueChangeKind
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import NO_HIDING, DesiredField, DesiredValue, FieldState, ValueState

from .conftest import RunCli, write_files

BINDING = """\
kind: field
hubspot: deals.dealstage
pipeline: default
picklist:
  values:
"""


def validate(run_cli: RunCli, tmp_path: Path, values: str, binding: str = BINDING) -> tuple[int, str]:
    write_files(tmp_path / "definitions", {"stages.yaml": binding + values})
    result = run_cli("validate")
    return result.code, result.err


def test_a_consistent_pipeline_binding_is_valid_without_the_external_options_warning(
    run_cli: RunCli, tmp_path: Path
) -> None:
    values = """\
    - {value: Discovery, probability: 10}
    - {value: closedwon, won: true}                  # 100 %, closed
    - {value: closedlost, closed: true}              # 0 %, closed lost
    - {value: Won Big, won: true, closed: true, probability: 100}
"""
    assert validate(run_cli, tmp_path, values) == (0, "")


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            "    - {value: Won, won: true, probability: 40}\n",
            "definitions/stages.yaml:6:44: stage 'Won' is won but has probability 40: a won HubSpot deal "
            "stage is at 100 % (bound to hubspot:deals.dealstage) — remove 'probability' or set it to 100",
        ),
        (
            "    - {value: Lost, closed: true, won: false, probability: 20}\n",
            "definitions/stages.yaml:6:60: stage 'Lost' is closed and not won but has probability 20: a "
            "closed HubSpot deal stage is won at 100 % or lost at 0 % (bound to hubspot:deals.dealstage) — set "
            "won: true for a won stage, or probability 0 (or none) for a lost one",
        ),
        (
            "    - {value: Won, won: true, closed: false}\n",
            "definitions/stages.yaml:6:25: stage 'Won' is won but not closed (bound to "
            "hubspot:deals.dealstage) — set closed: true",
        ),
        (
            "    - {value: Discovery}\n",
            "definitions/stages.yaml:6:7: stage 'Discovery' has no probability: HubSpot requires one on "
            "every deal stage (bound to hubspot:deals.dealstage) — add probability (1–99) to an open stage, or "
            "closed: true (and won: true) to a closed one",
        ),
        (
            "    - {value: Signed, probability: 100}\n",
            "definitions/stages.yaml:6:36: open stage 'Signed' has probability 100: HubSpot reads 0 % as "
            "closed lost and 100 % as closed won (bound to hubspot:deals.dealstage) — choose 1–99, or mark the "
            "stage closed: true (with won: true for 100)",
        ),
    ],
)
def test_a_contradictory_stage_is_refused_at_its_line(
    run_cli: RunCli, tmp_path: Path, values: str, problem: str
) -> None:
    code, err = validate(run_cli, tmp_path, values)
    assert code == 1
    assert problem in err


def test_a_probability_off_the_documented_steps_is_a_warning(run_cli: RunCli, tmp_path: Path) -> None:
    code, err = validate(run_cli, tmp_path, "    - {value: Discovery, probability: 25}\n")
    assert code == 0
    assert (
        "definitions/stages.yaml:6:39: warning: stage 'Discovery' has probability 25: HubSpot documents"
        in err
    )


def test_pipeline_belongs_on_deals_dealstage_with_values_that_are_never_hidden(
    run_cli: RunCli, tmp_path: Path
) -> None:
    elsewhere = BINDING.replace("deals.dealstage", "deals.dealtype")
    code, err = validate(run_cli, tmp_path, "    - {value: newbusiness}\n", elsewhere)
    assert code == 1
    assert "definitions/stages.yaml:3:11: 'pipeline' applies to deals.dealstage only" in err
    hiding = BINDING + "    - {value: Discovery, probability: 10}\nunlisted_values: deactivate\n"
    code, err = validate(run_cli, tmp_path, "", hiding)
    assert code == 1
    assert "HubSpot deal stages cannot be hidden, and crmdefs never deletes one" in err
    code, err = validate(run_cli, tmp_path, "", "kind: field\nhubspot: deals.dealstage\npipeline: default\n")
    assert code == 1
    assert "'pipeline' needs a picklist: its values are the pipeline's stages" in err


def test_without_pipeline_the_warning_says_how_to_manage_the_stages(run_cli: RunCli, tmp_path: Path) -> None:
    binding = BINDING.replace("pipeline: default\n", "")
    code, err = validate(run_cli, tmp_path, "    - {value: Discovery, probability: 10}\n", binding)
    assert code == 0
    assert "add 'pipeline: <id or label>' to manage that pipeline's stages" in err


# --- the writes a plan turns into (pure) ------------------------------------------------------------------

DEALSTAGE = FieldAddress(Crm.HUBSPOT, "deals", "dealstage")


def stage(stage_id: str, label: str, order: int, probability: str) -> dict[str, object]:
    return {"id": stage_id, "label": label, "displayOrder": order, "metadata": {"probability": probability}}


def test_only_changed_stages_are_written_and_orders_only_when_the_plan_moves_them() -> None:
    current = [stage("a", "A", 10, "0.2"), stage("b", "B", 20, "0.4"), stage("c", "C", 30, "0.6")]
    relabel = FieldPlan(
        DEALSTAGE,
        "update",
        "",
        value_changes=(ValueChange(ValueChangeKind.RELABEL, "b", "B", "Bee"),),
        target_values=(
            ValueState("a", "A", attributes={"probability": 20}),
            ValueState("b", "Bee", attributes={"probability": 40}),
            ValueState("c", "C", attributes={"probability": 60}),
        ),
        pipeline="default",
    )
    [write] = stage_writes(relabel, current)
    assert (write.stage_id, write.body) == ("b", {"label": "Bee", "metadata": {"probability": "0.4"}})
    added = FieldPlan(
        DEALSTAGE,
        "update",
        "",
        value_changes=(ValueChange(ValueChangeKind.ADD, "New", None, "New"),),
        target_values=(
            ValueState("a", "A", attributes={"probability": 20}),
            ValueState("New", "New", attributes={"probability": 30, "closed": False}),
            ValueState("b", "B", attributes={"probability": 40}),
            ValueState("c", "C", attributes={"probability": 60}),
        ),
        pipeline="default",
    )
    writes = stage_writes(added, current)
    assert [(w.stage_id, w.body.get("displayOrder")) for w in writes] == [
        ("a", 0),
        ("b", 2),
        ("c", 3),
        (None, 1),
    ]
    assert writes[-1].body == {
        "label": "New",
        "displayOrder": 1,
        "metadata": {"probability": "0.3", "isClosed": "false"},
    }
    # An interrupted apply created "New" already: it is updated, not created twice.
    again = stage_writes(added, [*current, stage("9", "New", 1, "0.3")])
    assert None not in [w.stage_id for w in again]


def test_a_renamed_stage_is_kept_with_a_skip_and_never_migrated() -> None:
    have = FieldState(
        DEALSTAGE,
        values=(ValueState("old", "Demo", attributes={"closed": False, "probability": 30}),),
        read_only={NO_HIDING: "stages cannot be hidden"},
        pipeline="default",
    )
    want = DesiredField(
        DEALSTAGE,
        values=(
            DesiredValue(
                "Evaluation", attributes={"closed": False, "probability": 40}, renamed_from=("old",)
            ),
        ),
        pipeline="default",
    )
    plan = compute_plan([want], {DEALSTAGE: have}, target="t", definitions_digest="d", created_at="now")
    [field] = plan.fields
    assert field.migrations == ()
    assert [(s.attribute, s.reason) for s in field.skips] == [
        ("values", "'old' stays (renamed to 'Evaluation'): stages cannot be hidden")
    ]
    assert [v.value for v in field.target_values or ()] == ["old", "Evaluation"]  # kept in its place
    assert field.pipeline == "default"
