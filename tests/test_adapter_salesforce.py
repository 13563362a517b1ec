"""The Salesforce adapter against the sandbox: real simple-salesforce and zeep over real TLS."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmdefs.adapters.base import RecordChange
from crmdefs.adapters.salesforce.adapter import SalesforceAdapter
from crmdefs.adapters.salesforce.client import SalesforceClient, client_with_token, crm_session
from crmdefs.config import Secret
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import DesiredField, DesiredValue
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO


def quiet(message: str) -> None:
    return None


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[Sandbox, SandboxInfo]]:
    running = Sandbox(tmp_path / "sandbox", log_to_file=False)
    info = running.start()
    yield running, info
    running.stop()


def client_for(info: SandboxInfo, token: str | None = None) -> SalesforceClient:
    token = token or info.access_token
    return client_with_token(
        info.instance_url, Secret(token), session=crm_session(info.ca_bundle), version="62.0"
    )


def adapter_for(info: SandboxInfo, token: str | None = None) -> SalesforceAdapter:
    return SalesforceAdapter(target="sandbox", client=client_for(info, token))


def starter_fields() -> list[DesiredField]:
    glossary, _ = load_glossary(REPO / "definitions")
    return [f for f in desired_fields(glossary) if f.address.crm is Crm.SALESFORCE]


def test_read_takes_one_metadata_call_per_type_and_maps_the_state(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    running, info = sandbox
    fields = starter_fields()
    states = adapter_for(info).read(fields, quiet)
    reads = [e for e in running.log.entries if e.get("action") == "readMetadata"]
    # CustomField (5 fields), StandardValueSet (2 sets), RecordType (2 record types), BusinessProcess (the
    # 2 sales processes they use), PathAssistant (the org's one Path, found by listing them: path_guidance
    # is bound), PermissionSet (Loss_Reason__c's create.permission_set: access is a state the plan compares)
    # (the org has no validation rule yet: none on a bound object to read)
    assert len(reads) == 6
    # the org's Paths, and its validation rules (picklist bindings manage them: docs/salesforce.md#sf-validation-rule)
    assert [e.get("action") for e in running.log.entries].count("listMetadata") == 2
    assert [e["path"] for e in running.log.entries if e["method"] == "GET"] == [
        "/services/data/v62.0/sobjects/Lead/describe",  # Lead.Status gains values: where will they show?
        # record types for `path_guidance: all`, depends_on's controller and the requirement's field types
        "/services/data/v62.0/sobjects/Opportunity/describe",
    ]
    status = states[FieldAddress(Crm.SALESFORCE, "Lead", "Status")]
    assert status.value_source == "StandardValueSet:LeadStatus"
    assert status.values is not None and status.values[2].attributes == {"converted": True}
    assert "label" in status.read_only  # standard field labels are renamed in Setup
    loss = states[FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")]
    assert loss.description == "Reason for loss (legacy field from the 2021 CRM migration)."
    assert loss.record_types == {
        "New_Business": ("Price", "Lost to Competitor", "Other"),
        "Renewal": ("pricing", "No Decision / Non-Responsive"),
    }
    stages = states[FieldAddress(Crm.SALESFORCE, "Opportunity", "StageName")]
    # Stages per record type come from the sales process each uses (docs/salesforce.md#sf-business-processes)
    assert stages.record_types == {"New_Business": (), "Renewal": ()}
    assert stages.business_processes is not None
    assert "Proposal/Price Quote" in stages.business_processes["Standard Sales Process"]
    assert stages.process_record_types == {
        "Renewal Process": ("Renewal",),
        "Standard Sales Process": ("New_Business",),
    }
    assert status.business_processes == {} and loss.business_processes is None
    assert stages.values is not None and stages.values[-1].attributes == {
        "closed": True,
        "won": False,
        "probability": 0,
        "forecast_category": "Omitted",
    }


def test_apply_then_plan_again_shows_zero_changes(sandbox: tuple[Sandbox, SandboxInfo]) -> None:
    _, info = sandbox
    fields = starter_fields()
    adapter = adapter_for(info)
    first = compute_plan(
        fields, adapter.read(fields, quiet), target="sandbox", definitions_digest="d", created_at="t"
    )
    assert len(first.changes) == 5
    results = adapter.write(first.changes, quiet)
    assert [(str(r.address), r.ok, r.message) for r in results if not r.ok] == []
    fresh = adapter_for(info)
    second = compute_plan(
        fields, fresh.read(fields, quiet), target="sandbox", definitions_digest="d", created_at="t"
    )
    assert second.changes == (), [str(c.address) for c in second.changes]
    loss = fresh.read(fields, quiet)[FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")]
    assert loss.values is not None
    # The messy values are renamed in the starter glossary; without usage counts they are assumed to hold
    # records, so they stay active (record migration is opt-in): nothing was deactivated under records.
    assert [v.value for v in loss.values if not v.active] == []
    assert [p.address.field for p in second.fields if p.migrations] == ["Loss_Reason__c"]
    assert "Competitor" in loss.record_types["New_Business"]


def test_one_failing_component_does_not_stop_the_others(sandbox: tuple[Sandbox, SandboxInfo]) -> None:
    _, info = sandbox
    fit = FieldAddress(Crm.SALESFORCE, "Lead", "Fit_Score__c")
    score = FieldAddress(Crm.SALESFORCE, "Lead", "Lead_Score__c")
    fields = [
        DesiredField(fit, help_text="x" * 600),
        DesiredField(score, help_text="Points for fit and intent."),
    ]
    adapter = adapter_for(info)
    plan = compute_plan(
        fields, adapter.read(fields, quiet), target="s", definitions_digest="d", created_at="t"
    )
    results = {r.address: r for r in adapter.write(plan.changes, quiet)}
    assert not results[fit].ok and "STRING_TOO_LONG" in results[fit].message
    assert results[score].ok
    assert adapter_for(info).read(fields, quiet)[score].help_text == "Points for fit and intent."


def test_create_a_missing_custom_picklist_field(sandbox: tuple[Sandbox, SandboxInfo]) -> None:
    _, info = sandbox
    tier = FieldAddress(Crm.SALESFORCE, "Opportunity", "Tier__c")
    want = DesiredField(
        tier,
        help_text="Deal size tier.",
        values=(DesiredValue("Gold"), DesiredValue("Silver")),
        create=CreateSpec("Tier", "Picklist", restricted=True),
    )
    adapter = adapter_for(info)
    plan = compute_plan(
        [want], adapter.read([want], quiet), target="s", definitions_digest="d", created_at="t"
    )
    assert plan.fields[0].action == "create"
    assert all(r.ok for r in adapter.write(plan.changes, quiet))
    state = adapter_for(info).read([want], quiet)[tier]
    assert state.exists and state.label == "Tier" and state.help_text == "Deal size tier."
    assert state.values is not None and [v.value for v in state.values] == ["Gold", "Silver"]


def test_wrong_token_is_a_clear_error_without_the_token(sandbox: tuple[Sandbox, SandboxInfo]) -> None:
    _, info = sandbox
    with pytest.raises(CrmApiError) as caught:
        adapter_for(info, token="00Dwrong!token").read(starter_fields(), quiet)
    assert "INVALID_SESSION_ID" in str(caught.value) and "target 'sandbox'" in str(caught.value)
    assert "00Dwrong" not in str(caught.value)


def test_the_adapters_and_the_sandbox_never_import_each_other() -> None:
    source = REPO / "src" / "crmdefs"
    for folder, forbidden in (("adapters", "sandbox"), ("sandbox", "adapters")):
        for path in (source / folder).glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    assert forbidden not in (node.module or ""), f"{path.name} imports {node.module}"


def test_a_503_and_a_dropped_connection_are_retried(tmp_path: Path) -> None:
    from crmdefs.sandbox.options import FaultPlan

    running = Sandbox(
        tmp_path / "faulty", faults=FaultPlan(schedule={1: "5xx", 2: "drop"}), log_to_file=False
    )
    info = running.start()
    try:
        states = adapter_for(info).read(starter_fields(), quiet)
    finally:
        running.stop()
    assert states[FieldAddress(Crm.SALESFORCE, "Lead", "Status")].exists
    assert [e["status"] for e in running.log.entries[:3]] == [503, 0, 200]


def test_a_created_field_is_granted_through_the_named_permission_set(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    _, info = sandbox
    tier = FieldAddress(Crm.SALESFORCE, "Opportunity", "Tier__c")
    want = DesiredField(
        tier,
        values=(DesiredValue("Gold"),),
        create=CreateSpec("Tier", "Picklist", permission_set="Crmdefs_Field_Access"),
    )
    adapter = adapter_for(info)
    plan = compute_plan(
        [want], adapter.read([want], quiet), target="s", definitions_digest="d", created_at="t"
    )
    assert "permission set Crmdefs_Field_Access" in plan.fields[0].warnings[0]
    assert all(r.ok for r in adapter.write(plan.changes, quiet))
    granted = client_for(info).metadata.read("PermissionSet", ["Crmdefs_Field_Access"])
    assert [(g.field, g.readable, g.editable) for g in granted.fieldPermissions] == [
        ("Opportunity.Primary_Competitor__c", True, False),  # the seeded grants are kept as they were
        ("Lead.Current_Vendor__c", True, True),
        ("Opportunity.Tier__c", True, True),
    ]


def test_a_field_on_a_global_value_set_changes_the_set_and_warns(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    _, info = sandbox
    competitor = FieldAddress(Crm.SALESFORCE, "Opportunity", "Primary_Competitor__c")
    vendor = FieldAddress(Crm.SALESFORCE, "Lead", "Current_Vendor__c")
    fields = [
        DesiredField(competitor, values=(DesiredValue("Acme CRM"), DesiredValue("Hooli"))),
        DesiredField(vendor),
    ]
    adapter = adapter_for(info)
    states = adapter.read(fields, quiet)
    assert states[competitor].value_source == "GlobalValueSet:Competitors"
    plan = compute_plan(fields, states, target="s", definitions_digest="d", created_at="t")
    change = next(f for f in plan.fields if f.address == competitor)
    assert "also used by Lead.Current_Vendor__c" in change.warnings[0]
    assert all(r.ok for r in adapter.write(plan.changes, quiet))
    shared = adapter_for(info).read(fields, quiet)[vendor]
    assert shared.values is not None and "Hooli" in [v.value for v in shared.values]


PRODUCT_INTEREST = FieldAddress(Crm.SALESFORCE, "Lead", "Product_Interest__c")


def test_a_multi_select_picklist_is_counted_and_moved_one_selection_at_a_time(
    sandbox: tuple[Sandbox, SandboxInfo],
) -> None:
    # docs/salesforce.md#sf-multiselect-not-groupable: "a;b" holds a and b; it cannot be grouped.
    from crmdefs.sandbox.records_seed import records_seed

    leads = records_seed()["salesforce"]["records"]["Lead"].values()
    held = {r["Id"]: r["Product_Interest__c"] for r in leads if r["Product_Interest__c"]}
    adapter = adapter_for(sandbox[1])
    counts = adapter.count_values(PRODUCT_INTEREST, ["CRM", "billing", "Consulting"], quiet)
    assert counts == {
        "CRM": sum(1 for v in held.values() if "CRM" in v.split(";")),
        "billing": sum(1 for v in held.values() if "Billing" in v.split(";")),
        "Consulting": 0,
    }
    assert counts["CRM"] > sum(1 for v in held.values() if v == "CRM")  # "CRM;Analytics" counts too

    moves = {
        (c.record_id, c.old, c.new) for c in adapter.find_records(PRODUCT_INTEREST, {"Billing": "CRM"}, quiet)
    }
    assert ("Analytics;Billing" in held.values()) and ("Billing;CRM" in held.values())
    assert moves == {
        (i, v, ";".join(dict.fromkeys("CRM" if s == "Billing" else s for s in v.split(";"))))
        for i, v in held.items()
        if "Billing" in v.split(";")
    }  # "Analytics;Billing" → "Analytics;CRM"; "Billing;CRM" → "CRM", not "CRM;CRM"
    found = adapter.find_records(PRODUCT_INTEREST, {"Billing": "CRM"}, quiet)
    assert adapter.set_records(found, quiet) == []
    assert adapter.count_values(PRODUCT_INTEREST, ["Billing", "Analytics"], quiet) == {
        "Billing": 0,
        "Analytics": sum(1 for v in held.values() if "Analytics" in v.split(";")),
    }


def faulty_org(tmp_path: Path, schedule: dict[int, str]) -> tuple[Sandbox, SandboxInfo]:
    from crmdefs.sandbox.options import FaultPlan

    plan = FaultPlan(api_schedule={("salesforce", n): kind for n, kind in schedule.items()})
    running = Sandbox(tmp_path / "faulty", faults=plan, log_to_file=False)
    return running, running.start()


LEAD_STATUS = FieldAddress(Crm.SALESFORCE, "Lead", "Status")


def open_lead() -> RecordChange:
    from crmdefs.sandbox.records_seed import records_seed

    lead = next(iter(records_seed()["salesforce"]["records"]["Lead"].values()))
    return RecordChange(str(LEAD_STATUS), lead["Id"], lead["Status"], "Open - Not Contacted")


@pytest.mark.parametrize("call", ["metadata", "rest"])
def test_too_many_long_running_requests_at_once_are_waited_out(tmp_path: Path, call: str) -> None:
    # REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn" clears when the org's long requests end
    # (docs/salesforce.md#sf-request-limit-exceeded): wait and ask again.
    running, info = faulty_org(tmp_path, {1: "concurrent", 2: "concurrent"})
    waits: list[float] = []
    adapter = SalesforceAdapter(target="sandbox", client=client_for(info), sleep=waits.append)
    try:
        if call == "metadata":
            assert adapter.read(starter_fields(), quiet)[LEAD_STATUS].exists
        else:  # a REST call first: setting a record (counting asks the field's type first)
            assert adapter.set_records([open_lead()], quiet) == []
    finally:
        running.stop()
    assert [e.get("fault") for e in running.log.entries[:3]] == ["concurrent", "concurrent", None]
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize("call", ["metadata", "rest"])
def test_the_daily_request_limit_stops_at_once_and_says_so(tmp_path: Path, call: str) -> None:
    running, info = faulty_org(tmp_path, {1: "429"})
    waits: list[float] = []
    adapter = SalesforceAdapter(target="sandbox", client=client_for(info), sleep=waits.append)
    try:
        with pytest.raises(CrmApiError) as error:
            if call == "metadata":
                adapter.read(starter_fields(), quiet)
            else:
                adapter.set_records([open_lead()], quiet)
    finally:
        running.stop()
    assert str(error.value) == (
        "target 'sandbox': the org's daily API request limit is used up (REQUEST_LIMIT_EXCEEDED) — run again "
        "when it resets"
    )
    assert waits == []


def test_long_running_requests_that_never_clear_end_in_a_clear_error(tmp_path: Path) -> None:
    running, info = faulty_org(tmp_path, {1: "concurrent", 2: "concurrent", 3: "concurrent"})
    waits: list[float] = []
    adapter = SalesforceAdapter(target="sandbox", client=client_for(info), max_retries=2, sleep=waits.append)
    try:
        with pytest.raises(CrmApiError) as error:
            adapter.read(starter_fields(), quiet)
    finally:
        running.stop()
    assert str(error.value) == (
        "target 'sandbox': Salesforce refused the call: too many long-running requests are running in the "
        "org at once (REQUEST_LIMIT_EXCEEDED: ConcurrentPerOrgLongTxn), still after 3 tries — run again when "
        "the org is less busy"
    )
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize(
    ("code", "message", "limit"),
    [
        # Messages as Salesforce words them (docs/salesforce.md#sf-request-limit-exceeded).
        ("sf:REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.", None),
        ("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", "ConcurrentPerOrgLongTxn"),
        (
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
            "ConcurrentRequests",
        ),
        ("INVALID_FIELD", "No such column 'Concurrent__c'", None),
    ],
)
def test_only_a_concurrency_limit_is_waited_out(code: str, message: str, limit: str | None) -> None:
    from crmdefs.adapters.salesforce.calls import _busy_limit

    assert _busy_limit(code, message) == limit
