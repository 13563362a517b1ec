"""The pure plan on where new values are offered: business processes for the stage and status fields
(docs/salesforce.md#sf-business-processes), record types for the others, and the warnings that say a new
value would reach no rep — only where that is true.
"""

from __future__ import annotations

from typing import Any

from crmdefs.adapters.salesforce.metadata import salesforce_state
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import FieldPlan, ProcessChange, RecordTypeChange, Skip
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.planfile import dumps, loads
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, ValueState

STAGE = FieldAddress(Crm.SALESFORCE, "Opportunity", "StageName")
REASON = FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")
PROCESSES = {
    "Standard Sales Process": ("Prospecting", "Qualification", "Closed Won"),
    "Renewal Process": ("Qualification", "Closed Won"),
}
IN_USE = {"Standard Sales Process": ("New_Business",), "Renewal Process": ("Renewal",)}


def stages(*extra: str, processes: Any = PROCESSES, in_use: Any = IN_USE) -> FieldState:
    names = ("Prospecting", "Qualification", "Closed Won", *extra)
    return salesforce_state(
        STAGE,
        values=tuple(ValueState(n, n) for n in names),
        value_source="StandardValueSet:OpportunityStage",
        record_types={"New_Business": (), "Renewal": ()},
        business_processes=processes,
        process_record_types=in_use,
    )


def field_plan(want: DesiredField, have: FieldState) -> FieldPlan:
    return compute_plan(
        [want], {have.address: have}, target="t", definitions_digest="d", created_at="n"
    ).fields[0]


def wanted(*names: str, address: FieldAddress = STAGE, **options: Any) -> DesiredField:
    return DesiredField(address, values=tuple(DesiredValue(n) for n in names), **options)


def test_a_new_stage_goes_to_the_named_process_only() -> None:
    plan = field_plan(wanted("Discovery", business_processes=("Renewal Process",)), stages())
    assert plan.business_processes == (ProcessChange("Renewal Process", ("Discovery",)),)
    assert plan.record_types == () and plan.warnings == ()


def test_all_means_every_process_a_record_type_uses_and_listed_values_only() -> None:
    plan = field_plan(wanted("Discovery", "Prospecting", business_processes=("*",)), stages())
    assert plan.business_processes == (
        ProcessChange("Renewal Process", ("Discovery", "Prospecting")),
        ProcessChange("Standard Sales Process", ("Discovery",)),
    )


def test_an_unknown_process_is_skipped_with_the_known_ones() -> None:
    """The pure diff's fallback only: for a binding, `plan` fails first, naming the closest process
    (plan/resolve.py, tests/test_business_processes.py)."""
    plan = field_plan(wanted("Qualification", business_processes=("Nope",)), stages())
    assert plan.business_processes == ()
    assert plan.skips == (
        Skip(
            "business_processes",
            "business process Nope not found on Opportunity (record types use Renewal Process, Standard Sales "
            "Process)",
        ),
    )


def test_a_new_stage_in_no_process_in_use_is_a_warning() -> None:
    plan = field_plan(wanted("Discovery"), stages())
    assert plan.warnings == (
        '"Discovery" will be in no business process a record type uses: reps cannot pick it on any record '
        "type — add business_processes: [Renewal Process, Standard Sales Process] (or all) to the binding",
    )


def test_no_process_warning_without_processes_in_use_or_without_a_new_value() -> None:
    # No record type uses a process (or the object has none): the master record type offers every value.
    assert field_plan(wanted("Discovery"), stages(processes={}, in_use={})).warnings == ()
    assert field_plan(wanted("Discovery"), stages(in_use={"Renewal Process": ()})).warnings == ()
    # Nothing added: an existing stage in no process is how the org already is, not this plan's doing.
    lonely = stages("Lonely")
    assert field_plan(wanted("Lonely"), lonely).warnings == ()


def test_a_value_the_binding_offers_on_some_record_types_warns_about_the_others() -> None:
    have = salesforce_state(
        REASON,
        values=(ValueState("Price", "Price"),),
        record_types={"New_Business": ("Price",), "Renewal": ("Price",)},
    )
    plan = field_plan(wanted("Price", "Budget", address=REASON, record_types=("New_Business",)), have)
    assert plan.record_types == (RecordTypeChange("New_Business", ("Budget",)),)
    assert plan.warnings == (
        'record type Renewal will not offer new value "Budget": reps on it cannot pick it — add Renewal to '
        "the binding's record_types (or use all)",
    )
    assert field_plan(wanted("Price", "Budget", address=REASON, record_types=("*",)), have).warnings == ()


def test_no_record_type_warning_without_record_types_or_a_new_value() -> None:
    bare = salesforce_state(REASON, values=(ValueState("Price", "Price"),))
    assert field_plan(wanted("Price", "Budget", address=REASON), bare).warnings == ()
    typed = salesforce_state(REASON, values=(ValueState("Price", "Price"),), record_types={"Renewal": ()})
    relabel = DesiredField(REASON, values=(DesiredValue("Price", label="Price (list)"),))
    assert field_plan(relabel, typed).warnings == ()


def test_process_changes_survive_the_plan_file() -> None:
    have = stages()
    made = compute_plan(
        [wanted("Discovery", business_processes=("Renewal Process",))],
        {STAGE: have},
        target="t",
        definitions_digest="d",
        created_at="n",
    )
    again = loads(dumps(made), "plan.json")
    assert again.fields[0].business_processes == (ProcessChange("Renewal Process", ("Discovery",)),)
    assert again.before[str(STAGE)].business_processes == PROCESSES
    assert again.before[str(STAGE)].fingerprint() == have.fingerprint()
    assert made.summary().change == 1  # the process change counts as one change


def test_every_view_says_which_process_will_offer_what() -> None:
    from crmdefs.drift.classify import differences
    from crmdefs.render import render

    made = compute_plan(
        [wanted("Discovery", business_processes=("Renewal Process",))],
        {STAGE: stages()},
        target="t",
        definitions_digest="d",
        created_at="n",
    )
    assert '      + business process Renewal Process: offer "Discovery"' in render(made, "text").splitlines()
    assert "| + offer | business process `Renewal Process` |  | Discovery |" in render(made, "markdown")
    drift = differences(made.fields[0])
    assert [(d.item, d.after) for d in drift][-1] == ("business process Renewal Process", ["Discovery"])
