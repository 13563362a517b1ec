"""compute_plan is pure: tables of small cases, one per change kind, no CRM and no fakes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from crmdefs.adapters.salesforce.metadata import salesforce_state
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.plan.changes import AccessChange, Migration, Plan, RecordTypeChange, Skip, ValueChangeKind
from crmdefs.plan.diff import compute_plan, values_to_count
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, ValueState, field_state_from_json

SF = FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")
HS = FieldAddress(Crm.HUBSPOT, "deals", "reason")
K = ValueChangeKind


def v(
    value: str,
    label: str | None = None,
    description: str | None = None,
    active: bool = True,
    default: bool = False,
    **attributes: Any,
) -> ValueState:
    return ValueState(value, label or value, description, active, default, attributes)


def sf_state(address: FieldAddress = SF, **attributes: Any) -> FieldState:
    """A Salesforce field's state as the adapter reads it: with Salesforce's matching and value sets."""
    return salesforce_state(address, **attributes)


def plan_of(want: DesiredField, have: FieldState, *others: FieldState, **options: Any) -> Plan:
    actual = {have.address: have, **{o.address: o for o in others}}
    return compute_plan([want], actual, target="t", definitions_digest="d", created_at="now", **options)


def changes(want: DesiredField, have: FieldState) -> list[tuple[K, str, Any, Any]]:
    field = plan_of(want, have).fields[0]
    return [(c.kind, c.value, c.before, c.after) for c in field.value_changes]


def test_nothing_to_do_when_the_crm_already_matches() -> None:
    have = sf_state(label="Loss Reason", help_text="Why.", values=(v("Price"),))
    want = DesiredField(SF, label="Loss Reason", help_text="Why.\r\n", values=(DesiredValue("Price"),))
    plan = plan_of(want, have)
    assert plan.changes == () and str(plan.summary()) == "0 to add, 0 to change, 0 to deactivate, 0 skipped"


@pytest.mark.parametrize(
    ("attribute", "before", "after"),
    [
        ("label", "Reason", "Loss Reason"),
        ("help_text", None, "Why the deal was lost."),
        ("description", "old  \n\n", "new"),
        ("description", "Keep me", ""),  # "" clears (revert)
    ],
)
def test_text_attribute_changes(attribute: str, before: str | None, after: str) -> None:
    have = sf_state(**{attribute: before})
    want = DesiredField(SF, **{attribute: after})
    field = plan_of(want, have).fields[0]
    assert field.action == "update"
    assert [(a.attribute, a.before, a.after) for a in field.attributes] == [
        (attribute, before.strip() if before else None, after or None)
    ]


def test_none_leaves_the_crm_text_alone() -> None:
    assert plan_of(DesiredField(SF), sf_state(help_text="Theirs")).changes == ()


VALUE_CASES = [
    ("add", [v("A")], [DesiredValue("A"), DesiredValue("B", "Bee")], [(K.ADD, "B", None, "Bee")]),
    ("relabel", [v("A", "a")], [DesiredValue("A", "Aye")], [(K.RELABEL, "A", "a", "Aye")]),
    ("label not given keeps the CRM's", [v("A", "Custom")], [DesiredValue("A")], []),
    (
        "redescribe",
        [v("A", description="old")],
        [DesiredValue("A", description="new")],
        [(K.REDESCRIBE, "A", "old", "new")],
    ),
    ("reactivate", [v("A", active=False)], [DesiredValue("A")], [(K.REACTIVATE, "A", False, True)]),
    (
        "set default",
        [v("A"), v("B", default=True)],
        [DesiredValue("A", default=True), DesiredValue("B")],
        [(K.SET_DEFAULT, "A", False, True), (K.UNSET_DEFAULT, "B", True, False)],
    ),
    ("default not given keeps the CRM's", [v("A", default=True)], [DesiredValue("A")], []),
    (
        "stage attributes",
        [v("Won", closed=True, won=False)],
        [DesiredValue("Won", attributes={"won": True})],
        [(K.UPDATE_ATTRIBUTES, "Won", {"won": False}, {"won": True})],
    ),
    (
        "reorder",
        [v("A"), v("B")],
        [DesiredValue("B"), DesiredValue("A")],
        [(K.REORDER, "", ["A", "B"], ["B", "A"])],
    ),
    ("matching is case-insensitive on Salesforce", [v("price")], [DesiredValue("Price")], []),
    (
        "an inactive value's place is not a reorder",  # nobody can pick it (sf-inactive-values-not-offered)
        [v("A"), v("Old", active=False), v("B")],
        [DesiredValue("A"), DesiredValue("B")],
        [],
    ),
    (
        "a value added after inactive ones and listed last is in place",  # what `crmdefs adopt` writes
        [v("A"), v("Old", active=False), v("New")],
        [DesiredValue("A"), DesiredValue("New")],
        [],
    ),
    (
        "active values out of order still reorder, inactive ones ignored",
        [v("B"), v("Old", active=False), v("A")],
        [DesiredValue("A"), DesiredValue("B")],
        [(K.REORDER, "", ["B", "Old", "A"], ["A", "B", "Old"])],
    ),
]


@pytest.mark.parametrize(
    ("have", "want", "expected"), [c[1:] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES]
)
def test_value_changes(have: list[ValueState], want: list[DesiredValue], expected: list[Any]) -> None:
    assert changes(DesiredField(SF, values=tuple(want)), sf_state(values=tuple(have))) == expected


def test_unlisted_values_are_kept_by_default_and_deactivated_on_request_never_dropped() -> None:
    have = sf_state(values=(v("A"), v("Old")))
    keep = plan_of(DesiredField(SF, values=(DesiredValue("A"),)), have)
    assert keep.changes == ()
    deactivate = plan_of(DesiredField(SF, values=(DesiredValue("A"),), unlisted_values="deactivate"), have)
    field = deactivate.fields[0]
    assert [(c.kind, c.value) for c in field.value_changes] == [(K.DEACTIVATE, "Old")]
    assert field.target_values == (v("A"), v("Old", active=False))  # still in the list: written inactive
    assert str(deactivate.summary()) == "0 to add, 0 to change, 1 to deactivate, 0 skipped"


def test_hubspot_values_match_exactly() -> None:
    have = FieldState(HS, values=(v("price"),))
    assert [c[0] for c in changes(DesiredField(HS, values=(DesiredValue("Price"),)), have)] == [K.ADD]


def test_create_when_missing_and_allowed_else_skip() -> None:
    create = CreateSpec("Reason", "enumeration", "select", "dealinformation")
    missing = FieldState(HS, exists=False)
    made = plan_of(
        DesiredField(HS, description="Why.", values=(DesiredValue("a", "A"),), create=create), missing
    )
    field = made.fields[0]
    assert field.action == "create" and field.create == create
    assert [(a.attribute, a.after) for a in field.attributes] == [
        ("label", "Reason"),
        ("description", "Why."),
    ]
    assert field.target_values == (v("a", "A"),)
    # The pure diff's fallback: `plan`, `apply` and `drift` never get here for a binding, they fail naming
    # it first (plan/resolve.py, tests/test_missing_bindings.py); a revert of a field deleted since can.
    skipped = plan_of(DesiredField(HS, description="Why."), missing).fields[0]
    assert skipped.action == "none" and skipped.skips[0].attribute == "field"


def test_read_only_attributes_and_values_become_skips_with_the_reason() -> None:
    have = FieldState(
        HS,
        description="HubSpot's",
        values=(v("a"),),
        read_only={"description": "readOnlyDefinition", "values": "readOnlyOptions"},
    )
    field = plan_of(
        DesiredField(HS, description="Ours", values=(DesiredValue("a"), DesiredValue("b"))), have
    ).fields[0]
    assert field.action == "none"
    assert field.skips == (
        Skip("description", "readOnlyDefinition", "HubSpot's", "Ours"),
        Skip("values", "readOnlyOptions", ["a"], ["a", "b"]),
    )


def test_document_only_turns_every_change_into_a_skip() -> None:
    have = FieldState(HS, description="x", values=(v("a"),))
    field = plan_of(
        DesiredField(HS, description="y", values=(DesiredValue("b"),), document_only=True), have
    ).fields[0]
    assert field.action == "none" and {s.attribute for s in field.skips} == {"description", "values"}


@pytest.mark.parametrize(("granted", "change"), [("none", True), ("read", True), ("read_edit", False)])
def test_access_through_the_permission_set_is_a_state_a_missing_or_partial_grant_is_a_change(
    granted: str, change: bool
) -> None:
    want = DesiredField(SF, create=CreateSpec("Loss Reason", "Picklist", permission_set="Sales"))
    field = plan_of(want, sf_state(label="Loss Reason", field_access={"Sales": granted})).fields[0]
    assert field.access == (AccessChange("Sales", granted, "read_edit") if change else None)
    assert field.action == ("update" if change else "none")
    # Not read (no permission set in the state): nothing is known, so nothing is planned.
    assert plan_of(want, sf_state(label="Loss Reason")).changes == ()
    only_documented = plan_of(
        dataclasses.replace(want, document_only=True), sf_state(field_access={"Sales": granted})
    ).fields[0]
    assert only_documented.action == "none" and only_documented.access is None
    assert [s.attribute for s in only_documented.skips] == (["access"] if change else [])
    unwritable = sf_state(field_access={"Sales": granted}, read_only={"access": "cannot be saved back"})
    refused = plan_of(want, unwritable).fields[0]
    assert refused.access is None and refused.action == "none"
    assert refused.skips == (
        (Skip("access", "cannot be saved back", granted, "read_edit"),) if change else ()
    )


def test_record_types_get_new_active_values_and_unknown_ones_are_skipped() -> None:
    have = sf_state(values=(v("A"),), record_types={"New_Business": ("A",), "Renewal": ()})
    want = DesiredField(
        SF, values=(DesiredValue("A"), DesiredValue("B")), record_types=("New_Business", "Nope")
    )
    field = plan_of(want, have).fields[0]
    assert field.record_types == (RecordTypeChange("New_Business", ("B",)),)
    # The pure diff's fallback only: for a binding, plan/resolve.py makes an unknown record type an error.
    assert field.skips[0].attribute == "record_types" and "Nope" in field.skips[0].reason
    everywhere = plan_of(DesiredField(SF, values=(DesiredValue("A"),), record_types=("*",)), have).fields[0]
    assert everywhere.record_types == (RecordTypeChange("Renewal", ("A",)),)


def test_global_value_set_warns_and_names_the_other_fields() -> None:
    other = sf_state(
        FieldAddress(Crm.SALESFORCE, "Lead", "Vendor__c"), value_source="GlobalValueSet:Competitors"
    )
    have = sf_state(values=(v("A"),), value_source="GlobalValueSet:Competitors")
    field = plan_of(DesiredField(SF, values=(DesiredValue("A"), DesiredValue("B"))), have, other).fields[0]
    assert field.warnings == (
        "values live in the global value set Competitors: changes reach every field that "
        "uses it; also used by Lead.Vendor__c",
    )


def test_a_text_only_change_on_a_global_value_set_field_does_not_warn() -> None:
    have = sf_state(values=(v("A"),), value_source="GlobalValueSet:Competitors")
    field = plan_of(DesiredField(SF, help_text="Who we lost to."), have).fields[0]
    assert field.attributes and field.warnings == ()


def test_not_a_picklist_is_a_skip() -> None:
    field = plan_of(DesiredField(SF, values=(DesiredValue("A"),)), sf_state()).fields[0]
    assert field.skips == (Skip("values", "Opportunity.Loss_Reason__c is not a picklist in the CRM"),)


def test_fingerprint_changes_when_anything_plannable_changes() -> None:
    base = sf_state(help_text="a", values=(v("A"),))
    assert base.fingerprint() == sf_state(help_text="a", values=(v("A"),), modified_by="x").fingerprint()
    assert base.fingerprint() != sf_state(help_text="b", values=(v("A"),)).fingerprint()
    assert base.fingerprint() != sf_state(help_text="a", values=(v("A", active=False),)).fingerprint()


def test_value_change_is_never_a_delete() -> None:
    assert "delete" not in {k.value for k in ValueChangeKind}


RENAMED = DesiredField(SF, values=(DesiredValue("Price", renamed_from=("pricing",)),))


def test_a_renamed_value_holding_records_stays_active_without_the_flag() -> None:
    have = sf_state(values=(v("Price"), v("pricing")))
    field = plan_of(RENAMED, have, usage={SF: {"pricing": 12}}).fields[0]
    assert field.value_changes == ()
    assert field.migrations == (Migration("pricing", "Price", 12),)
    assert field.action == "none" and "12 records still hold 'pricing'" in field.skips[0].reason
    assert field.usage == {"pricing": 12}


def test_with_migrate_records_the_records_move_then_the_old_value_is_deactivated() -> None:
    have = sf_state(values=(v("Price"), v("pricing")))
    made = plan_of(RENAMED, have, usage={SF: {"pricing": 12}}, migrate_records=True)
    field = made.fields[0]
    assert field.migrations == (Migration("pricing", "Price", 12),)
    assert [(c.kind, c.value) for c in field.value_changes] == [(K.DEACTIVATE, "pricing")]
    assert field.skips == () and made.migrate_records
    assert str(made.summary()) == "0 to add, 1 to change, 1 to deactivate, 0 skipped"


def test_a_renamed_value_no_record_holds_is_simply_deactivated() -> None:
    have = sf_state(values=(v("Price"), v("pricing")))
    field = plan_of(RENAMED, have, usage={SF: {"pricing": 0}}).fields[0]
    assert field.migrations == () and [(c.kind, c.value) for c in field.value_changes] == [
        (K.DEACTIVATE, "pricing")
    ]


def test_values_to_count_names_what_the_plan_would_retire_or_migrate() -> None:
    have = sf_state(values=(v("Price"), v("pricing"), v("Old")))
    want = DesiredField(
        SF, values=(DesiredValue("Price", renamed_from=("pricing",)),), unlisted_values="deactivate"
    )
    made = compute_plan([want], {SF: have}, target="t", definitions_digest="d", created_at="now")
    assert values_to_count(made) == {SF: ["Old", "pricing"]}


def test_field_state_json_is_what_asdict_gives_so_saved_fingerprints_stay_valid() -> None:
    # Plans, backups and state files written by earlier versions hold fingerprints of this JSON.
    import dataclasses

    state = FieldState(
        SF,
        label="Loss Reason",
        help_text="Why.",
        values=(v("Price", "Price", "Too dear.", closed=True, probability=10), v("Old", active=False)),
        value_source="GlobalValueSet:Reasons",
        record_types={"Sales": ("Price",)},
        read_only={"label": "standard"},
        path_guidance={"__MASTER__": {"Price": "<p>x</p>"}},
        modified_by="me",
    )
    legacy = dataclasses.asdict(state)
    for rule in (
        "value_match",
        "shared_value_set",
        "create_notes",
        "process_record_types",
        "multi_select",
        "path_notes",
        "value_aliases",
        "controller",
        "rule_targets",
        "rule_fields",
    ):  # the adapter's, never serialized
        del legacy[rule]
    del legacy["pipeline"]  # None (not a deal stage field): left out, so old bytes stay
    del legacy["dependency"]  # None (not a dependent picklist): left out, so old bytes stay
    del legacy["business_processes"]  # None (not a stage or status field): left out, so old bytes stay
    del legacy["field_access"]  # written only where read, so other fields' fingerprints stay as they were
    del legacy["validation_rules"]  # written only where read and held, likewise
    legacy["address"] = str(state.address)
    legacy["record_types"] = {k: list(x) for k, x in state.record_types.items()}
    legacy["values"] = [dataclasses.asdict(x) for x in state.values or ()]
    assert state.to_json() == legacy
    assert state.fingerprint() == dataclasses.replace(state, modified_by="you", read_only={}).fingerprint()
    assert state.fingerprint() != dataclasses.replace(state, help_text="Why not.").fingerprint()
    staged = dataclasses.replace(state, pipeline="default")
    assert staged.to_json() == {**legacy, "pipeline": "default"}
    assert field_state_from_json(staged.to_json()) == staged
    assert staged.fingerprint() != state.fingerprint()
    granted = dataclasses.replace(state, field_access={"Sales": "read"})
    assert granted.to_json() == {**legacy, "field_access": {"Sales": "read"}}
    assert field_state_from_json(granted.to_json()) == granted
    assert (
        granted.fingerprint()
        != dataclasses.replace(granted, field_access={"Sales": "read_edit"}).fingerprint()
    )


def test_the_adapters_rules_are_neither_serialized_nor_compared() -> None:
    # Saved plans, backups and state files keep their bytes; a state rebuilt from JSON equals the one read.
    from crmdefs.plan.state import field_state_from_json

    plain = FieldState(SF, values=(v("Price"),), value_source="GlobalValueSet:Reasons")
    read = sf_state(
        values=(v("Price"),),
        value_source="GlobalValueSet:Reasons",
        create_notes=("note",),
        path_notes={"__MASTER__": "inactive"},
    )
    assert read.to_json() == plain.to_json() and read.fingerprint() == plain.fingerprint()
    assert read == plain and field_state_from_json(read.to_json()) == read
    assert read.shared_value_set == "Reasons" and plain.shared_value_set is None
    assert read.value_key("Price") == read.value_key("PRICE") and plain.value_key("Price") != plain.value_key(
        "PRICE"
    )
