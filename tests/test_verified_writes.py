"""Apply verifies what it wrote: a text the CRM accepted but did not keep is a failure once, is recorded,
and is then planned as a skip — never as the same change on every run.

The sandbox accepts a `description` on the standard field Opportunity.Type but does not store it, as
some standard fields are reported to do (docs/salesforce.md#sf-standard-field-description).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.plan.changes import Plan
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.not_kept import NotKept, compare_written, hold_not_kept
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, ValueState

from .conftest import REPO, RunCli

TYPE_BINDING = """\
kind: field
salesforce: Opportunity.Type
description: {text}
"""
FIRST = "Whether the deal is new business or an existing customer's."
SECOND = "New business, or more business from an existing customer."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def bind_type(project: Path, text: str) -> None:
    (project / "definitions" / "fields" / "type.yaml").write_text(
        TYPE_BINDING.format(text=text), encoding="utf-8"
    )


def recorded(project: Path) -> dict[str, object]:
    state = json.loads((project / ".crmdefs" / "state" / "sandbox.json").read_text(encoding="utf-8"))
    entry: dict[str, object] = state["fields"]["salesforce:Opportunity.Type"]
    return entry


def test_a_description_salesforce_does_not_keep_stops_being_a_change_after_one_apply(
    run_cli: RunCli, project: Path
) -> None:
    bind_type(project, FIRST)
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 1, applied.out + applied.err
    assert (
        f"✗ salesforce:Opportunity.Type: description not kept by Salesforce: sent {FIRST!r}, it reads back "
        "(none)" in applied.out
    )
    assert "✓ salesforce:Lead.Status" in applied.out  # the fields that kept what was sent are fine
    assert recorded(project)["not_kept"] == {"description": {"sent": FIRST, "read_back": None}}

    plan = run_cli("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err  # a skip, not a change
    assert "Salesforce did not keep the description crmdefs sent at the last apply" in plan.out
    assert "0 to add, 0 to change, 0 to deactivate" in plan.out
    again = run_cli("apply", "--auto-approve")
    assert again.code == 0 and "not kept" not in again.out, again.out + again.err
    assert recorded(project)["not_kept"] == {"description": {"sent": FIRST, "read_back": None}}  # kept on
    assert run_cli("drift").code == 0  # what the CRM cannot keep is not drift

    warned = run_cli("validate")
    assert warned.code == 0
    assert "definitions/fields/type.yaml:1:1: warning: Salesforce did not keep the description" in warned.err
    assert run_cli("validate", "--strict").code == 1

    bind_type(project, SECOND)  # the user edits the text: tried once more
    assert run_cli("plan", "--detailed-exitcode").code == 2
    retried = run_cli("apply", "--auto-approve")
    assert retried.code == 1 and f"sent {SECOND!r}" in retried.out, retried.out + retried.err
    assert recorded(project)["not_kept"] == {"description": {"sent": SECOND, "read_back": None}}
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_a_value_text_not_kept_is_held_by_the_plan_until_the_definitions_change_it() -> None:
    # The comparison is the same for every CRM and every text; here a HubSpot option's description.
    address = FieldAddress(Crm.HUBSPOT, "deals", "dealtype")
    have = FieldState(address, values=(ValueState("newbusiness", "New Business"),))
    want = DesiredField(address, values=(DesiredValue("newbusiness", description="A first deal."),))

    def plan(wanted: DesiredField, not_kept: dict[FieldAddress, dict[str, NotKept]]) -> Plan:
        held = hold_not_kept([wanted], {address: have}, not_kept, CRM_NAMES)
        return compute_plan(held, {address: have}, target="t", definitions_digest="", created_at="")

    [change] = plan(want, {}).changes
    checked, missed = compare_written(change, have)  # what the CRM holds right after: no description
    assert checked == {"values[newbusiness].description"}
    assert missed == {"values[newbusiness].description": NotKept("A first deal.", None)}

    again = plan(want, {address: missed})
    assert not again.changes
    [skip] = again.fields[0].skips
    assert skip.reason.startswith("HubSpot did not keep the value 'newbusiness' description crmdefs sent")
    edited = DesiredField(address, values=(DesiredValue("newbusiness", description="A new customer."),))
    assert plan(edited, {address: missed}).changes  # a different text is tried again
