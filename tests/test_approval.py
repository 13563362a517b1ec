"""The approval gate: only approved terms reach a CRM; drafts and deprecated terms show as plan skips."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.errors import ProblemsError
from crmdefs.plan.changes import Plan, ValueChangeKind
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import FieldState, ValueState

from .conftest import RunCli, write_files


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory


def term(ident: str, status: str, owner: str = "a@example.com", reviewers: str = "[b@example.com]") -> str:
    return textwrap.dedent(f"""\
        kind: term
        id: {ident}
        name: {ident.upper()} name
        status: {status}
        owner: {owner}
        reviewers: {reviewers}
        summary: {ident.upper()} summary.
        definition: {ident.upper()} definition.
        ---
        """)


LEAD_STATUS = FieldAddress(Crm.SALESFORCE, "Lead", "Status")
DEALS = FieldAddress(Crm.HUBSPOT, "deals", "reason")


def plan_for(tmp_path: Path, bindings: str, *states: FieldState) -> Plan:
    write_files(
        tmp_path / "defs",
        {
            "terms.yaml": term("good", "approved") + term("wip", "draft") + term("old", "deprecated"),
            "fields.yaml": bindings,
        },
    )
    glossary, _ = load_glossary(tmp_path / "defs")
    return compute_plan(
        desired_fields(glossary),
        {s.address: s for s in states},
        target="t",
        definitions_digest="d",
        created_at="now",
    )


def skips(plan: Plan) -> list[tuple[str, str]]:
    return [(s.attribute, s.reason) for f in plan.fields for s in f.skips]


@pytest.mark.parametrize("status", ["wip", "old"])
def test_a_text_from_an_unapproved_term_is_left_as_the_crm_has_it(tmp_path: Path, status: str) -> None:
    plan = plan_for(
        tmp_path,
        f"kind: field\nsalesforce: Lead.Status\nhelp_text: {{term: {status}}}\ndescription: {{term: good}}\n",
        FieldState(LEAD_STATUS, help_text="Typed by hand.", description="Old."),
    )
    (field,) = plan.fields
    assert [(a.attribute, a.after) for a in field.attributes] == [("description", "GOOD summary.")]
    word = "draft" if status == "wip" else "deprecated"
    assert skips(plan) == [
        (
            "help_text",
            f"term '{status}' is {word} (defs/terms.yaml:{10 if status == 'wip' else 19}); "
            "only approved terms are pushed",
        )
    ]
    assert str(plan.summary()) == "0 to add, 1 to change, 0 to deactivate, 1 skipped"


def test_a_composed_list_leaves_unapproved_terms_out(tmp_path: Path) -> None:
    plan = plan_for(
        tmp_path,
        "kind: field\nsalesforce: Lead.Status\nhelp_text: {terms: [good, wip], intro: 'Stages:'}\n",
        FieldState(LEAD_STATUS),
    )
    (field,) = plan.fields
    assert field.attributes[0].after == "Stages:\nGOOD name: GOOD summary."
    ((attribute, reason),) = skips(plan)
    assert attribute == "help_text" and reason.startswith("left out of the text: term 'wip' is draft")


def test_a_value_of_an_unapproved_term_is_withheld_and_never_deactivated(tmp_path: Path) -> None:
    bindings = """\
        kind: field
        hubspot: deals.reason
        unlisted_values: deactivate
        picklist:
          values:
            - {value: a, label: A, term: good}
            - {value: b, label: B, term: wip}
            - {value: c, label: C, term: old}
        """
    existing = FieldState(
        DEALS,
        values=(
            ValueState("a", "A", "GOOD summary.", True, False, {}),
            ValueState("c", "Cee", None, True, False, {}),
        ),
    )
    plan = plan_for(tmp_path, bindings, existing)
    (field,) = plan.fields
    # b is not added, c keeps its label and stays active, though unlisted values are deactivated.
    assert field.value_changes == ()
    assert [reason.split(":")[0] for _, reason in skips(plan)] == ["value 'b' withheld", "value 'c' withheld"]


def test_a_new_field_is_created_without_unapproved_values(tmp_path: Path) -> None:
    bindings = """\
        kind: field
        hubspot: deals.reason
        create: {label: Reason, type: enumeration, field_type: select, group: dealinformation}
        picklist:
          values:
            - {value: a, term: good}
            - {value: b, term: wip}
        """
    plan = plan_for(tmp_path, bindings, FieldState(DEALS, exists=False))
    (field,) = plan.fields
    assert field.action == "create"
    assert [(c.kind, c.value) for c in field.value_changes] == [(ValueChangeKind.ADD, "a")]
    assert [a for a, _ in skips(plan)] == ["values"]


def test_the_starter_glossary_withholds_its_draft_lifecycle_stage() -> None:
    from .conftest import REPO

    glossary, _ = load_glossary(REPO / "definitions")
    held = {str(f.address): f.held_values for f in desired_fields(glossary) if f.held_values}
    assert held == {"hubspot:contacts.lifecyclestage": ("evangelist",)}


def test_require_reviewer_not_owner_refuses_a_self_approved_term(tmp_path: Path, run_cli: RunCli) -> None:
    write_files(
        tmp_path,
        {
            "definitions/t.yaml": term("solo", "approved", reviewers="[A@example.com]")
            + term("pair", "approved")
            + term("wip", "draft", reviewers="[]"),
        },
    )
    assert run_cli("validate").code == 0  # the rule is opt-in
    (tmp_path / "crmdefs.yaml").write_text("require_reviewer_not_owner: true\n", encoding="utf-8")
    result = run_cli("validate")
    assert result.code == 1
    assert (
        "definitions/t.yaml:4:9: term 'solo' is approved without a reviewer other than its owner "
        "(require_reviewer_not_owner in crmdefs.yaml) — add a reviewer who is not the owner" in result.err
    )
    assert "'pair'" not in result.err and "'wip'" not in result.err  # has a second pair of eyes; a draft
    assert "Traceback" not in result.err


def test_require_reviewer_not_owner_stops_plan_too(tmp_path: Path) -> None:
    write_files(tmp_path, {"t.yaml": term("solo", "approved", reviewers="[]")})
    with pytest.raises(ProblemsError) as raised:
        load_glossary(tmp_path, require_reviewer_not_owner=True)
    assert ["approved without a reviewer" in p.message for p in raised.value.problems] == [True]
