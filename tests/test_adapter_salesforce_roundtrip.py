"""Nothing Salesforce returned is lost in a read-modify-write: a component whose answer carries an element
the client library does not know (zeep parks it in ``_raw_elements`` and never sends it back,
docs/salesforce.md#sf-zeep-raw-elements) is refused rather than saved without it. And field access through
``create.permission_set`` is a state the plan reads, not a one-time step of creating the field
(docs/salesforce.md#sf-field-access-state). Real simple-salesforce and zeep against the sandbox, which holds
such an element (PermissionSet ``agentAccesses``) and replaces a permission set whole on update."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import simple_salesforce
from lxml import etree
from zeep import Client, Settings

from crmdefs.adapters.salesforce.adapter import SalesforceAdapter
from crmdefs.adapters.salesforce.client import SalesforceClient, client_with_token, crm_session
from crmdefs.adapters.salesforce.roundtrip import unsendable
from crmdefs.config import Secret
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.plan.changes import Plan
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import DesiredField, DesiredValue
from crmdefs.sandbox.service import Sandbox, SandboxInfo

AGENT = {"agentName": "Case_Assist", "enabled": True}
SALES_ACCESS = {
    "fullName": "Sales_Access",
    "agentAccesses": [AGENT],
    "label": "Sales Access",
    "fieldPermissions": [{"field": "Opportunity.Loss_Reason__c", "readable": True, "editable": False}],
}


def quiet(message: str) -> None:
    return None


@pytest.fixture(name="sandbox")
def sandbox_fixture(tmp_path: Path) -> Iterator[tuple[Sandbox, SandboxInfo]]:
    running = Sandbox(tmp_path / "sandbox", log_to_file=False)
    info = running.start()
    yield running, info
    running.stop()


def client_for(info: SandboxInfo) -> SalesforceClient:
    return client_with_token(
        info.instance_url, Secret(info.access_token), session=crm_session(info.ca_bundle), version="62.0"
    )


def put_permission_set(running: Sandbox, component: dict[str, Any]) -> None:
    with running.state.lock:
        running.state.data["salesforce"]["metadata"]["PermissionSet"][component["fullName"]] = component
        running.state.save()


def stored_permission_set(running: Sandbox, name: str) -> dict[str, Any]:
    with running.state.lock:
        stored: dict[str, Any] = running.state.data["salesforce"]["metadata"]["PermissionSet"][name]
        return stored


def _plan_new_field_granted_through_sales_access(info: SandboxInfo) -> tuple[SalesforceAdapter, Plan]:
    """A new picklist Opportunity.Tier__c whose binding grants access through Sales_Access, planned."""
    want = DesiredField(
        FieldAddress(Crm.SALESFORCE, "Opportunity", "Tier__c"),
        values=(DesiredValue("Gold"),),
        create=CreateSpec("Tier", "Picklist", permission_set="Sales_Access"),
    )
    adapter = SalesforceAdapter(target="s", client=client_for(info))
    plan = compute_plan(
        [want], adapter.read([want], quiet), target="s", definitions_digest="d", created_at="t"
    )
    return adapter, plan


def test_a_permission_set_with_an_element_the_client_does_not_know_is_refused_not_shortened(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    running, info = sandbox
    put_permission_set(running, SALES_ACCESS)
    adapter, plan = _plan_new_field_granted_through_sales_access(info)
    [result] = adapter.write(plan.changes, quiet)
    # Before crmdefs checked, the update went out without agentAccesses and Salesforce, which replaces a
    # permission set's whole content, deleted the agent access.
    assert stored_permission_set(running, "Sales_Access") == SALES_ACCESS
    assert not result.ok
    assert (
        "Salesforce returned agentAccesses in PermissionSet Sales_Access, which this client cannot send "
        "back; crmdefs refuses to save it so that nothing in it is lost" in result.message
    )
    assert "create.permission_set" in result.message  # what to do
    assert "Opportunity.Tier__c" in running.state.data["salesforce"]["metadata"]["CustomField"]  # still made


def test_a_permission_set_the_client_can_carry_back_is_updated_with_everything_it_held(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    running, info = sandbox
    put_permission_set(running, {**SALES_ACCESS, "agentAccesses": []})
    adapter, plan = _plan_new_field_granted_through_sales_access(info)
    assert all(r.ok for r in adapter.write(plan.changes, quiet))
    assert stored_permission_set(running, "Sales_Access")["fieldPermissions"] == [
        *SALES_ACCESS["fieldPermissions"],
        {"field": "Opportunity.Tier__c", "readable": True, "editable": True},
    ]


@pytest.fixture(scope="module", name="zeep_client")
def zeep_client_fixture() -> Client:
    """zeep on simple-salesforce's bundled Metadata WSDL, built as simple-salesforce builds it."""
    wsdl = Path(simple_salesforce.__file__).parent / "metadata.wsdl"
    return Client(wsdl.as_uri(), settings=Settings(strict=False, xsd_ignore_sequence_order=True))


def parse(client: Client, type_name: str, xml: str) -> Any:
    element = etree.fromstring(
        f'<records xmlns="http://soap.sforce.com/2006/04/metadata">{xml}</records>'.encode()
    )
    return client.get_type(f"ns0:{type_name}").parse_xmlelement(element, client.wsdl.types)


def test_unknown_elements_are_found_at_any_depth(zeep_client: Client) -> None:
    field = parse(
        zeep_client,
        "CustomField",
        "<fullName>Opportunity.Tier__c</fullName><label>Tier</label><type>Picklist</type>"
        "<valueSet><valueSetDefinition><sorted>false</sorted><value><fullName>Gold</fullName>"
        "<default>false</default><label>Gold</label><newAttribute>x</newAttribute></value>"
        "</valueSetDefinition></valueSet>",
    )
    assert unsendable(field) == ["valueSet.valueSetDefinition.value.newAttribute"]
    rendered = etree.tostring(
        zeep_client.create_message(zeep_client.service, "updateMetadata", [field])
    ).decode()
    assert "newAttribute" not in rendered  # why the check exists: zeep does not send it


def test_components_read_with_known_elements_only_are_sendable(zeep_client: Client) -> None:
    known = parse(
        zeep_client,
        "PermissionSet",
        "<fullName>P</fullName><fieldPermissions><editable>true</editable><field>Lead.X__c</field>"
        "<readable>true</readable></fieldPermissions><label>P</label>",
    )
    assert unsendable(known) == []
    assert unsendable(zeep_client.get_type("ns0:PermissionSet")(fullName="New", label="New")) == []


# --- field access is a state (create.permission_set) ------------------------------------------------------

LOSS = FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")
KEEP_VISIBLE = CreateSpec("Loss Reason", "Picklist", permission_set="Crmdefs_Field_Access")


def plan_for(adapter: SalesforceAdapter, want: DesiredField) -> Any:
    return compute_plan(
        [want], adapter.read([want], quiet), target="s", definitions_digest="d", created_at="t"
    )


def test_a_missing_grant_on_an_existing_field_is_planned_then_made_keeping_every_other_grant(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    running, info = sandbox
    seeded = list(stored_permission_set(running, "Crmdefs_Field_Access")["fieldPermissions"])
    want = DesiredField(LOSS, create=KEEP_VISIBLE)
    adapter = SalesforceAdapter(target="s", client=client_for(info))
    plan = plan_for(adapter, want)
    [change] = plan.changes
    assert (change.access.before, change.access.after) == ("none", "read_edit")  # type: ignore[union-attr]
    assert all(r.ok for r in adapter.write(plan.changes, quiet))
    assert stored_permission_set(running, "Crmdefs_Field_Access")["fieldPermissions"] == [
        *seeded,
        {"editable": True, "field": "Opportunity.Loss_Reason__c", "readable": True},
    ]
    assert plan_for(SalesforceAdapter(target="s", client=client_for(info)), want).changes == ()


def test_a_grant_that_fails_fails_the_field_and_the_next_plan_shows_it_again(tmp_path: Path) -> None:
    from crmdefs.sandbox.options import FaultPlan

    failing = FaultPlan(fail_components=frozenset({"Crmdefs_Field_Access"}))
    tier = FieldAddress(Crm.SALESFORCE, "Opportunity", "Tier__c")
    want = DesiredField(tier, values=(DesiredValue("Gold"),), create=KEEP_VISIBLE)
    with Sandbox(tmp_path / "sandbox", faults=failing, log_to_file=False) as info:
        adapter = SalesforceAdapter(target="s", client=client_for(info))
        [result] = adapter.write(plan_for(adapter, want).changes, quiet)
        assert not result.ok
        assert result.message.startswith("permission set Crmdefs_Field_Access: UNKNOWN_EXCEPTION")
        # The field was made, but nobody can see it: the next plan must not say "no changes".
        [again] = plan_for(SalesforceAdapter(target="s", client=client_for(info)), want).changes
    assert again.action == "update" and again.access is not None and again.access.before == "none"


def test_a_grant_the_permission_set_cannot_take_back_is_a_skip_with_the_reason_not_a_change(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    running, info = sandbox
    put_permission_set(running, {**SALES_ACCESS, "fullName": "Crmdefs_Field_Access"})
    adapter = SalesforceAdapter(target="s", client=client_for(info))
    [field] = plan_for(adapter, DesiredField(LOSS, create=KEEP_VISIBLE)).fields
    assert field.action == "none"  # apply would only be refused: the plan says so instead
    [skip] = field.skips
    assert (skip.attribute, skip.before, skip.after) == ("access", "read", "read_edit")
    assert skip.reason.startswith(
        "Salesforce returned agentAccesses in PermissionSet Crmdefs_Field_Access, which this client cannot "
        "send back"
    )
