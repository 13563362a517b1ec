"""The plan renderers are pure: hand-built plans in, exact strings out. No CRM, no sandbox."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from crmdefs.commands.options import format_option
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.errors import CrmdefsError
from crmdefs.plan import planfile
from crmdefs.plan.changes import (
    AttributeChange,
    FieldPlan,
    Plan,
    RecordTypeChange,
    Skip,
    ValueChange,
    ValueChangeKind,
)
from crmdefs.plan.state import FieldState, ValueState
from crmdefs.render import FORMATS, RENDERERS, render, text, worddiff
from crmdefs.render.markdown import cell, code

SF = FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")
HS = FieldAddress(Crm.HUBSPOT, "deals", "reason")
K = ValueChangeKind
GREEN, RED, YELLOW, DIM, MAGENTA, RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[35m", "\x1b[0m"
LONG_OLD = (
    "A deal is closed lost when the buyer tells us they will not buy from us, or when the opportunity "
    "has had no logged activity for ninety days and the owner agrees it is gone."
)
LONG_NEW = LONG_OLD.replace("ninety", "sixty")


def update(*, address: FieldAddress = SF, **changes: Any) -> FieldPlan:
    return FieldPlan(address, "update", "sha256:x", **changes)


def plan_of(*fields: FieldPlan, target: str = "sandbox") -> Plan:
    return Plan(target, "sha256:d", "2024-05-01T12:00:00+00:00", fields)


def field_lines(field: FieldPlan) -> list[str]:
    """The lines a single changed field renders to, between the header and the summary."""
    out = text.render_plan(plan_of(field), color=False).split("\n")
    return out[2:-3]


# One case per change the plan can hold: (id, field, its rendered lines).
TEXT_CASES: list[tuple[str, FieldPlan, list[str]]] = [
    (
        "create",
        FieldPlan(
            HS,
            "create",
            "",
            attributes=(AttributeChange("label", None, "Reason"),),
            value_changes=(ValueChange(K.ADD, "price", None, "Price"),),
            target_values=(ValueState("price", "Price", "Lost on price.", default=True),),
            create=CreateSpec("Reason", "enumeration", "select", "dealinformation"),
        ),
        [
            "  + hubspot:deals.reason (create enumeration/select in group dealinformation)",
            '      + label: "Reason"',
            '      + value "price" (label "Price", default)',
            "          Lost on price.",
        ],
    ),
    (
        "create salesforce",
        FieldPlan(
            SF, "create", "", create=CreateSpec("Reason", "Picklist", restricted=True, permission_set="Sales")
        ),
        [
            "  + salesforce:Opportunity.Loss_Reason__c (create Picklist, restricted, visible to permission set Sales)"
        ],
    ),
    (
        "label",
        update(attributes=(AttributeChange("label", "Reason", "Loss Reason"),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", '      ~ label: "Reason" → "Loss Reason"'],
    ),
    (
        "new help text",
        update(attributes=(AttributeChange("help_text", None, "Why."),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", '      + help_text: "Why."'],
    ),
    (
        "cleared description",
        update(attributes=(AttributeChange("description", "Old.", None),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", '      - description: "Old." → (none)'],
    ),
    (
        "add",
        update(value_changes=(ValueChange(K.ADD, "Competitor", None, "Competitor"),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", '      + value "Competitor" (label "Competitor")'],
    ),
    (
        "relabel",
        update(value_changes=(ValueChange(K.RELABEL, "Price", "price", "Price"),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", '      ~ value "Price": label "price" → "Price"'],
    ),
    (
        "redescribe",
        update(value_changes=(ValueChange(K.REDESCRIBE, "Price", None, "Too expensive."),)),
        [
            "  ~ salesforce:Opportunity.Loss_Reason__c",
            '      ~ value "Price": description (none) → "Too expensive."',
        ],
    ),
    (
        "deactivate",
        update(value_changes=(ValueChange(K.DEACTIVATE, "pricing", True, False),)),
        [
            "  ~ salesforce:Opportunity.Loss_Reason__c",
            '      - value "pricing": deactivate (records keep it)',
        ],
    ),
    (
        "hubspot hides",
        update(address=HS, value_changes=(ValueChange(K.DEACTIVATE, "pricing", True, False),)),
        ["  ~ hubspot:deals.reason", '      - value "pricing": hide (records keep it)'],
    ),
    (
        "reactivate",
        update(value_changes=(ValueChange(K.REACTIVATE, "Other", False, True),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", '      ~ value "Other": reactivate'],
    ),
    (
        "hubspot unhides",
        update(address=HS, value_changes=(ValueChange(K.REACTIVATE, "other", False, True),)),
        ["  ~ hubspot:deals.reason", '      ~ value "other": unhide'],
    ),
    (
        "set and unset default",
        update(
            value_changes=(
                ValueChange(K.SET_DEFAULT, "Other", False, True),
                ValueChange(K.UNSET_DEFAULT, "Price", True, False),
            )
        ),
        [
            "  ~ salesforce:Opportunity.Loss_Reason__c",
            '      ~ value "Other": make default',
            '      ~ value "Price": no longer default',
        ],
    ),
    (
        "stage attributes",
        update(
            value_changes=(
                ValueChange(
                    K.UPDATE_ATTRIBUTES,
                    "Closed Lost",
                    {"probability": 10, "won": None, "forecast_category": "Pipeline"},
                    {"probability": 0, "won": False, "forecast_category": "Omitted"},
                ),
            )
        ),
        [
            "  ~ salesforce:Opportunity.Loss_Reason__c",
            '      ~ value "Closed Lost": probability 10 → 0, won (none) → false, '
            'forecast_category "Pipeline" → "Omitted"',
        ],
    ),
    (
        "reorder",
        update(value_changes=(ValueChange(K.REORDER, "", ["A", "B"], ["B", "A"]),)),
        ["  ~ salesforce:Opportunity.Loss_Reason__c", "      ~ order: A, B → B, A"],
    ),
    (
        "record type",
        update(record_types=(RecordTypeChange("New_Business", ("Competitor", "No Budget")),)),
        [
            "  ~ salesforce:Opportunity.Loss_Reason__c",
            '      + record type New_Business: offer "Competitor", "No Budget"',
        ],
    ),
    (
        "order within a field: attributes, values, record types, warnings, skips",
        update(
            skips=(Skip("description", "read-only here"),),
            warnings=("values live in the global value set Reasons",),
            record_types=(RecordTypeChange("Renewal", ("A",)),),
            value_changes=(ValueChange(K.ADD, "A", None, "A"),),
            attributes=(AttributeChange("help_text", "a", "b"),),
        ),
        [
            "  ~ salesforce:Opportunity.Loss_Reason__c",
            '      ~ help_text: "a" → "b"',
            '      + value "A" (label "A")',
            '      + record type Renewal: offer "A"',
            "      ! warning: values live in the global value set Reasons",
            "      # skipped description: read-only here",
        ],
    ),
]


@pytest.mark.parametrize(("field", "expected"), [c[1:] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES])
def test_text_lines_per_change(field: FieldPlan, expected: list[str]) -> None:
    assert field_lines(field) == expected


def test_text_whole_plan() -> None:
    plan = plan_of(
        update(attributes=(AttributeChange("label", "Reason", "Loss Reason"),)),
        FieldPlan(SF, "none", "sha256:y"),  # nothing to do, nothing skipped: not listed
        FieldPlan(
            HS, "none", "sha256:z", skips=(Skip("description", "HubSpot refuses (readOnlyDefinition)"),)
        ),
    )
    assert text.render_plan(plan, color=False) == (
        'crmdefs will make these changes to target "sandbox":\n'
        "\n"
        "  ~ salesforce:Opportunity.Loss_Reason__c\n"
        '      ~ label: "Reason" → "Loss Reason"\n'
        "\n"
        "Skipped (left as the CRM has them):\n"
        "\n"
        "  # hubspot:deals.reason\n"
        "      # skipped description: HubSpot refuses (readOnlyDefinition)\n"
        "\n"
        "Plan: 0 to add, 1 to change, 0 to deactivate, 1 skipped.\n"
    )


def test_text_no_changes() -> None:
    plan = plan_of(FieldPlan(SF, "none", "sha256:y"), target="production")
    assert text.render_plan(plan, color=False) == (
        'No changes. Target "production" matches the definitions.\n'
        "\n"
        "Plan: 0 to add, 0 to change, 0 to deactivate, 0 skipped.\n"
    )


def test_text_no_changes_still_lists_skips() -> None:
    plan = plan_of(FieldPlan(SF, "none", "", skips=(Skip("field", "Opportunity.X does not exist"),)))
    out = text.render_plan(plan, color=False)
    assert out.startswith('No changes. Target "sandbox" matches the definitions.\n\nSkipped')
    assert "      # skipped field: Opportunity.X does not exist\n" in out


def test_long_text_shows_a_word_diff_marking_only_the_changed_words() -> None:
    lines = field_lines(update(attributes=(AttributeChange("description", LONG_OLD, LONG_NEW),)))
    assert lines[1] == "      ~ description:"
    body = "\n".join(lines[2:])
    assert re.findall(r"\[-.*?-\]|\{\+.*?\+\}", body) == ["[-ninety-]", "{+sixty+}"]
    assert re.sub(r"\s+", " ", body.replace("[-ninety-]{+sixty+}", "sixty")).strip() == LONG_NEW
    assert all(line.startswith(" " * 10) and len(line) <= text.WIDTH for line in lines[2:])


def test_long_new_text_is_wrapped_without_marks() -> None:
    lines = field_lines(update(attributes=(AttributeChange("help_text", None, LONG_NEW + "\n\nSecond."),)))
    assert lines[1] == "      + help_text:"
    assert "[-" not in "".join(lines) and "{+" not in "".join(lines)
    assert lines[-2:] == ["", "          Second."]  # the paragraph break survives, without trailing spaces
    assert " ".join(line.strip() for line in lines[2:-2]) == LONG_NEW


def test_long_cleared_text_is_marked_removed() -> None:
    lines = field_lines(update(attributes=(AttributeChange("description", LONG_OLD, None),)))
    assert lines[1] == "      - description:"
    assert lines[2].startswith("          [-A deal") and lines[-1].endswith("gone.-]")


def test_spacing_only_change_says_so() -> None:
    before, after = LONG_OLD, LONG_OLD.replace("buyer tells", "buyer  tells")
    lines = field_lines(update(attributes=(AttributeChange("description", before, after),)))
    assert lines[1] == "      ~ description: (spacing only)"


def test_long_reorder_and_record_type_wrap_and_keep_names_whole() -> None:
    names = [f"Reason number {n}" for n in range(12)]
    field = update(
        value_changes=(ValueChange(K.REORDER, "", names, names[::-1]),),
        record_types=(RecordTypeChange("New_Business", tuple(names)),),
    )
    lines = field_lines(field)
    assert lines[1] == "      ~ order:"
    assert lines[2].startswith("          was: Reason number 0, Reason number 1,")
    assert lines[3].startswith("               Reason number")  # hangs under the first name
    assert "      + record type New_Business: offer" in lines
    assert all(len(line) <= text.WIDTH for line in lines)
    assert not any(line.rstrip().endswith(("Reason", "number")) for line in lines)  # never split a name


def test_deactivation_never_says_delete() -> None:
    for address in (SF, HS):
        out = text.render_plan(
            plan_of(update(address=address, value_changes=(ValueChange(K.DEACTIVATE, "x", True, False),))),
            color=False,
        )
        assert "delete" not in out.lower() and "records keep it" in out


def rich_plan() -> Plan:
    return plan_of(
        FieldPlan(HS, "create", "", attributes=(AttributeChange("label", None, "Reason"),)),
        update(
            attributes=(AttributeChange("description", LONG_OLD, LONG_NEW),),
            value_changes=(
                ValueChange(K.ADD, "Competitor", None, "Competitor"),
                ValueChange(K.DEACTIVATE, "pricing", True, False),
                ValueChange(K.RELABEL, "Price", "price", "Price"),
            ),
            warnings=("values live in the global value set Reasons",),
            skips=(Skip("help_text", "read-only"),),
        ),
    )


def test_no_escape_codes_without_color() -> None:
    assert "\x1b" not in text.render_plan(rich_plan(), color=False)


def test_color_by_symbol_reset_at_end_of_line() -> None:
    lines = text.render_plan(rich_plan(), color=True).split("\n")
    assert f'{GREEN}      + value "Competitor" (label "Competitor"){RESET}' in lines
    assert f'{RED}      - value "pricing": deactivate (records keep it){RESET}' in lines
    assert f'{YELLOW}      ~ value "Price": label "price" → "Price"{RESET}' in lines
    assert f"{DIM}      # skipped help_text: read-only{RESET}" in lines
    assert f"{MAGENTA}      ! warning: values live in the global value set Reasons{RESET}" in lines
    # no color leaks into the next line: the last code on every colored line is a reset
    assert all(re.findall(r"\x1b\[\d+m", line)[-1] == RESET for line in lines if "\x1b" in line)


def test_color_word_diff_paints_words_without_brackets() -> None:
    out = text.render_plan(rich_plan(), color=True)
    assert f"{RED}ninety{RESET} {GREEN}sixty{RESET}" in out
    assert "[-" not in out and "{+" not in out


def test_summary_is_the_last_line() -> None:
    for fmt_plan in (rich_plan(), plan_of()):
        last = text.render_plan(fmt_plan, color=False).rstrip("\n").split("\n")[-1]
        assert re.fullmatch(r"Plan: \d+ to add, \d+ to change, \d+ to deactivate, \d+ skipped\.", last)
    last = text.render_plan(rich_plan(), color=False).rstrip("\n").split("\n")[-1]
    assert last == "Plan: 2 to add, 2 to change, 1 to deactivate, 1 skipped."


# --- worddiff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("a b c", "a x c", ["a [-b-]{+x+} c"]),
        ("a b c", "a c", ["a [-b-] c"]),
        ("a c", "a b c", ["a {+b+} c"]),
        ("one\ntwo", "one two", ["one [-¶-] two"]),
        ("one two", "one\ntwo", ["one {+¶+}", "two"]),
        ("a b\nc d", "a x\ny d", ["a [-b-]{+x+}", "[-c-]{+y+} d"]),
    ],
)
def test_word_diff_marks(before: str, after: str, expected: list[str]) -> None:
    assert worddiff.word_diff(before, after, color=False, width=80) == expected


def test_word_diff_wraps_at_width() -> None:
    lines = worddiff.word_diff("aaa bbb ccc ddd", "aaa bbb xxx ddd", color=False, width=12)
    assert lines == ["aaa bbb", "[-ccc-]{+xxx+}", "ddd"]


def test_word_diff_color_spans_close_on_each_line() -> None:
    lines = worddiff.word_diff("keep", "keep new words here", color=True, width=10)
    assert lines == ["keep " + GREEN + "new" + RESET, GREEN + "words here" + RESET]


def test_wrap_keeps_paragraphs() -> None:
    assert worddiff.wrap("one two three\n\nfour", 9) == ["one two", "three", "", "four"]


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
            ),
        ),
        read_fingerprints={"salesforce:Opportunity.Loss_Reason__c": "sha256:x"},
        before={"salesforce:Opportunity.Loss_Reason__c": FieldState(SF, label="Reason")},
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
