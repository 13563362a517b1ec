"""The text plan renderer is pure: hand-built plans in, exact strings out — one case per change a plan can
hold, word diffs of long texts, colour, and the summary line. No CRM, no sandbox.
"""

from __future__ import annotations

import re

import pytest

from crmdefs.definitions.model import CreateSpec
from crmdefs.plan.changes import AttributeChange, FieldPlan, RecordTypeChange, Skip, ValueChange
from crmdefs.plan.state import ValueState
from crmdefs.render import text, worddiff

from .plan_builders import HS, LONG_NEW, LONG_OLD, SF, K, plan_of, rich_plan, update

GREEN, RED, YELLOW, DIM, MAGENTA, RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[35m", "\x1b[0m"


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
