"""The markdown and JSON plan renderers, and the dispatch from --format to them, are pure: hand-built plans
in, exact strings out. No CRM, no sandbox.
"""

from __future__ import annotations

import json

import pytest

from crmdefs.commands.options import format_option
from crmdefs.definitions.model import CreateSpec
from crmdefs.errors import CrmdefsError
from crmdefs.plan import planfile
from crmdefs.plan.changes import (
    AccessChange,
    AttributeChange,
    FieldPlan,
    Plan,
    RecordTypeChange,
    Skip,
    ValueChange,
)
from crmdefs.plan.state import FieldState, ValueState
from crmdefs.render import FORMATS, RENDERERS, render, text
from crmdefs.render.markdown import cell, code

from .plan_builders import HS, LONG_OLD, SF, K, plan_of, rich_plan, update

# --- markdown ---------------------------------------------------------------------------------------


def test_markdown_small_plan() -> None:
    plan = plan_of(
        update(
            attributes=(AttributeChange("help_text", "Old.", "New."),),
            value_changes=(
                ValueChange(K.DEACTIVATE, "pricing", True, False),
                ValueChange(K.REORDER, "", ["A", "B"], ["B", "A"]),
            ),
            record_types=(RecordTypeChange("New_Business", ("A",)),),
            warnings=("shared values",),
        ),
        FieldPlan(HS, "none", "sha256:z", skips=(Skip("description", "read-only"),)),
    )
    assert RENDERERS["markdown"](plan, color=False) == (
        "### crmdefs plan for `sandbox`: 0 to add, 3 to change, 1 to deactivate, 1 skipped\n"
        "\n"
        "#### ~ `salesforce:Opportunity.Loss_Reason__c`\n"
        "\n"
        "| change | what | before | after |\n"
        "|---|---|---|---|\n"
        "| ~ change | `help_text` | Old. | New. |\n"
        "| - deactivate | value `pricing` | active | inactive (records keep it) |\n"
        "| ~ reorder | value order | A, B | B, A |\n"
        "| + offer | record type `New_Business` |  | A |\n"
        "\n"
        "> **Warning:** shared values\n"
        "\n"
        "#### Skipped (left as the CRM has them)\n"
        "\n"
        "| field | what | reason |\n"
        "|---|---|---|\n"
        "| `hubspot:deals.reason` | `description` | read-only |\n"
        "\n"
        "Apply with `crmdefs apply`.\n"
    )


@pytest.mark.parametrize(
    ("change", "row"),
    [
        (ValueChange(K.ADD, "a", None, "A"), '| + add | value `a` |  | label "A" |'),
        (ValueChange(K.RELABEL, "a", "a", "A"), "| ~ relabel | value `a` | a | A |"),
        (ValueChange(K.REDESCRIBE, "a", None, "Why."), "| ~ redescribe | value `a` |  | Why. |"),
        (
            ValueChange(K.DEACTIVATE, "a", True, False),
            "| - hide | value `a` | visible | hidden (records keep it) |",
        ),
        (ValueChange(K.REACTIVATE, "a", False, True), "| ~ unhide | value `a` | hidden | visible |"),
        (
            ValueChange(K.SET_DEFAULT, "a", False, True),
            "| ~ set default | value `a` | not default | default |",
        ),
        (
            ValueChange(K.UNSET_DEFAULT, "a", True, False),
            "| ~ unset default | value `a` | default | not default |",
        ),
        (
            ValueChange(
                K.UPDATE_ATTRIBUTES, "a", {"won": False, "probability": 10}, {"won": True, "probability": 100}
            ),
            "| ~ attributes | value `a` | won: false<br>probability: 10 | won: true<br>probability: 100 |",
        ),
    ],
    ids=lambda x: x.kind.value if isinstance(x, ValueChange) else "",
)
def test_markdown_value_rows(change: ValueChange, row: str) -> None:
    out = RENDERERS["markdown"](plan_of(update(address=HS, value_changes=(change,))), color=False)
    assert row in out.split("\n")


def test_markdown_create_shows_full_long_texts() -> None:
    long_text = " ".join([LONG_OLD] * 5)
    field = FieldPlan(
        HS,
        "create",
        "",
        attributes=(AttributeChange("description", None, long_text),),
        value_changes=(ValueChange(K.ADD, "price", None, "Price"),),
        target_values=(ValueState("price", "Price", "Lost on price."),),
        create=CreateSpec("Reason", "enumeration", "select", "dealinformation"),
    )
    out = RENDERERS["markdown"](plan_of(field), color=False)
    assert "#### + `hubspot:deals.reason` (create enumeration/select in group dealinformation)\n" in out
    assert f"| + set | `description` |  | {long_text} |" in out
    assert '| + add | value `price` |  | label "Price"<br>Lost on price. |' in out


def test_markdown_escapes_pipes_newlines_and_markup() -> None:
    assert cell("a | b\nc") == "a \\| b<br>c"
    assert cell("<b>*x*</b> [y](z) ~~s~~ a_b &amp;") == (
        "\\<b\\>\\*x\\*\\</b\\> \\[y\\](z) \\~\\~s\\~\\~ a\\_b \\&amp;"
    )
    assert code("a`b", in_table=True) == "``a`b``" and code("x|y", in_table=True) == "`x\\|y`"
    field = update(attributes=(AttributeChange("description", "Owner | team", "Line one\nLine | two"),))
    out = RENDERERS["markdown"](plan_of(field), color=False)
    assert "| ~ change | `description` | Owner \\| team | Line one<br>Line \\| two |" in out


def test_markdown_no_changes() -> None:
    out = RENDERERS["markdown"](plan_of(FieldPlan(SF, "none", "x")), color=False)
    assert out == (
        "### crmdefs plan for `sandbox`: 0 to add, 0 to change, 0 to deactivate, 0 skipped\n"
        "\n"
        "No changes: `sandbox` matches the definitions.\n"
    )


# --- json and dispatch ------------------------------------------------------------------------------


def test_json_round_trips_through_planfile() -> None:
    plan = Plan(
        "sandbox",
        "sha256:d",
        "2024-05-01T12:00:00+00:00",
        (
            *rich_plan().fields,
            update(
                value_changes=(ValueChange(K.REORDER, "", ["A", "B"], ["B", "A"]),),
                target_values=(ValueState("B", "B"), ValueState("A", "A", "Why.", default=True)),
                access=AccessChange("Sales", "read", "read_edit"),
            ),
        ),
        read_fingerprints={"salesforce:Opportunity.Loss_Reason__c": "sha256:x"},
        before={
            "salesforce:Opportunity.Loss_Reason__c": FieldState(
                SF, label="Reason", field_access={"Sales": "read"}
            )
        },
    )
    out = render(plan, "json")
    assert json.loads(out)["format_version"] == plan.format_version
    assert planfile.loads(out, "x") == plan
    assert render(plan, "json", color=True) == out  # JSON never carries colors


def test_every_cli_format_has_a_renderer() -> None:
    @format_option
    def command(fmt: str) -> None: ...

    choices = next(p for p in command.__click_params__ if p.name == "fmt").type.choices  # type: ignore[attr-defined]
    assert tuple(choices) == FORMATS == ("text", "json", "markdown")


def test_render_dispatches_and_refuses_unknown_formats() -> None:
    plan = rich_plan()
    assert render(plan, "text", color=True) == text.render_plan(plan, color=True)
    assert render(plan, "markdown").startswith("### crmdefs plan")
    with pytest.raises(CrmdefsError, match="unknown output format 'yaml' — use one of: text, json, markdown"):
        render(plan, "yaml")
