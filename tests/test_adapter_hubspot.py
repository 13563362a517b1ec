"""The HubSpot adapter: pure mapping against recorded responses, and the real hubspot-api-client over real
TLS against the sandbox (request log, injected faults, rate limits)."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

import crmdefs.adapters.hubspot.adapter as hubspot_module
import crmdefs.adapters.hubspot.ratelimit as ratelimit_module
from crmdefs.adapters.hubspot.adapter import HubSpotAdapter
from crmdefs.adapters.hubspot.client import hubspot_apis
from crmdefs.adapters.hubspot.mapping import converge_body, create_body, field_state, group_label, patch_body
from crmdefs.adapters.hubspot.ratelimit import (
    DAILY_MESSAGE,
    DailyLimitError,
    RetriesExhausted,
    RetryPolicy,
    SlidingWindowLimiter,
    error_message,
)
from crmdefs.config import Secret
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.plan.changes import AttributeChange, FieldPlan, Plan
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, ValueState
from crmdefs.sandbox.options import FaultPlan, SandboxOptions
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hubspot"
LEAD_STATUS = FieldAddress(Crm.HUBSPOT, "contacts", "hs_lead_status")
LIFECYCLE = FieldAddress(Crm.HUBSPOT, "contacts", "lifecyclestage")
SOURCE = FieldAddress(Crm.HUBSPOT, "contacts", "hs_analytics_source")
DETAIL = FieldAddress(Crm.HUBSPOT, "contacts", "lead_source_detail")
DEALSTAGE = FieldAddress(Crm.HUBSPOT, "deals", "dealstage")
DEALTYPE = FieldAddress(Crm.HUBSPOT, "deals", "dealtype")
LOST_TEXT = FieldAddress(Crm.HUBSPOT, "deals", "closed_lost_reason")
LOST_CODE = FieldAddress(Crm.HUBSPOT, "deals", "closed_lost_code")


def quiet(message: str) -> None:
    return None


# --- helpers -----------------------------------------------------------------------------------------------


class Running:
    """A started sandbox, and adapters on it whose sleeps are recorded instead of slept."""

    def __init__(self, sandbox: Sandbox, info: SandboxInfo) -> None:
        self.sandbox, self.info = sandbox, info
        self.sleeps: list[float] = []

    def adapter(self, token: str | None = None, **options: Any) -> HubSpotAdapter:
        options.setdefault("sleep", self.sleeps.append)
        ca_bundle = options.pop("ca_bundle", self.info.ca_bundle)
        apis = hubspot_apis(self.info.base_url, Secret(token or self.info.access_token), ca_bundle)
        return HubSpotAdapter(target="demo", apis=apis, **options)

    def requests(self, method: str | None = None, status: int | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.sandbox.log.entries
            if (method is None or e["method"] == method) and (status is None or e["status"] == status)
        ]


Start = Callable[..., Running]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """Start a sandbox with the given SandboxOptions / FaultPlan; stopped after the test."""
    with ExitStack() as stack:

        def run(options: SandboxOptions | None = None, faults: FaultPlan | None = None) -> Running:
            sandbox = Sandbox(tmp_path / "sandbox", options=options, faults=faults, log_to_file=False)
            info = sandbox.start()
            stack.callback(sandbox.stop)
            return Running(sandbox, info)

        yield run


def desired(address: FieldAddress, **kwargs: Any) -> DesiredField:
    return DesiredField(address, **kwargs)


def plan_for(adapter: HubSpotAdapter, fields: list[DesiredField]) -> Plan:
    states = adapter.read(fields, quiet)
    return compute_plan(fields, states, target="demo", definitions_digest="x", created_at="now")


def description_plan(address: FieldAddress, text: str) -> FieldPlan:
    return FieldPlan(address, "update", "", attributes=(AttributeChange("description", None, text),))


def lead_status_values() -> tuple[DesiredValue, ...]:
    return (
        DesiredValue("OPEN", "Open", "Routed to a rep, not yet contacted."),
        DesiredValue("NEW", "New", "Created, not yet routed."),
        DesiredValue("CONNECTED", "Connected", "A two-way conversation happened."),
    )


# --- pure: recorded responses → FieldState ------------------------------------------------------------------


def recorded(name: str) -> dict[str, dict[str, Any]]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return {p["name"]: p for p in data["results"]}


def test_recorded_contact_properties_map_to_field_state() -> None:
    props = recorded("contacts_properties_get_all_subset.json")
    lead = field_state(LEAD_STATUS, props["hs_lead_status"])
    assert lead.label == "Lead Status" and lead.custom is False and lead.help_text is None
    assert lead.values is not None and lead.values[0] == ValueState("NEW", "New", None, True)
    assert lead.read_only["description"] == (
        "HubSpot does not let the API change the description of contacts.hs_lead_status (readOnlyDefinition)"
    )
    # readOnlyOptions false: options are editable (docs/hubspot.md#hs-read-only-options).
    assert "values" not in lead.read_only
    assert "readOnlyOptions" in field_state(SOURCE, props["hs_analytics_source"]).read_only["values"]
    stage = field_state(LIFECYCLE, props["lifecyclestage"])
    assert "HubSpot's lifecycle stage settings" in stage.read_only["values"]
    custom = field_state(FieldAddress(Crm.HUBSPOT, "contacts", "confirm_ip"), props["confirm_ip"])
    assert (custom.custom, custom.values, custom.description) == (True, None, None)
    assert (custom.modified_by, custom.modified_at) == ("46893556", "2023-09-01T15:22:18.994Z")
    assert field_state(DETAIL, None) == FieldState(DETAIL, exists=False)


def test_recorded_deal_properties_map_to_field_state() -> None:
    props = recorded("deals_properties_funnel_subset.json")
    stage = field_state(DEALSTAGE, props["dealstage"])
    assert stage.values == () and "deal pipelines" in stage.read_only["values"]
    lost = field_state(LOST_TEXT, props["closed_lost_reason"])
    assert lost.values is None and set(lost.read_only) == {"help_text"}
    dealtype = field_state(DEALTYPE, props["dealtype"])
    assert dealtype.values is not None and [v.description for v in dealtype.values] == [None, None]


def test_patch_body_sends_whole_option_list_and_only_changed_texts() -> None:
    plan = FieldPlan(
        DETAIL,
        "update",
        "",
        attributes=(
            AttributeChange("description", "old", None),
            AttributeChange("help_text", None, "Shown on hover"),
        ),
        target_values=(ValueState("a", "A", "First"), ValueState("b", "B", None, active=False)),
    )
    body, skips = patch_body(plan)
    assert body == {
        "description": "",  # cleared: the SDK would leave None out of the body
        "options": [
            {"label": "A", "value": "a", "description": "First", "displayOrder": 0, "hidden": False},
            {"label": "B", "value": "b", "description": "", "displayOrder": 1, "hidden": True},
        ],
    }
    assert [s.attribute for s in skips] == ["help_text"]


def test_create_body_fills_hubspot_defaults_and_skips_help_text() -> None:
    plan = FieldPlan(
        LOST_CODE,
        "create",
        "",
        attributes=(AttributeChange("label", None, "Code"), AttributeChange("help_text", None, "Hover")),
        target_values=(ValueState("a", "A"),),
        create=CreateSpec("Code", "enumeration"),
    )
    body, skips = create_body(plan)
    assert {k: body[k] for k in ("name", "label", "type", "fieldType", "groupName")} == {
        "name": "closed_lost_code",
        "label": "Code",
        "type": "enumeration",
        "fieldType": "select",
        "groupName": "dealinformation",
    }
    assert "description" not in body and [s.attribute for s in skips] == ["help_text"]


def test_converge_keeps_options_the_existing_property_has_beyond_ours() -> None:
    ours = {"label": "Code", "type": "enumeration", "options": [
        {"label": "A", "value": "a", "description": "", "displayOrder": 0, "hidden": False}]}  # fmt: skip
    theirs = {"label": "Code", "options": [{"label": "Z", "value": "z", "displayOrder": 0, "hidden": False}]}
    assert [o["value"] for o in converge_body(ours, theirs)["options"]] == ["a", "z"]
    assert converge_body(ours, {**ours, "description": ""}) == {}
    assert group_label("closed_lost_reasons") == "Closed lost reasons"


# --- pure: errors, limiter, retry policy ---------------------------------------------------------------------


class FakeApiError(Exception):
    """Shaped like the SDK's ApiException: status, body (raw JSON text), headers
    (docs/hubspot.md#hs-sdk-api-exception)."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.headers = status, headers or {}
        self.body = json.dumps(body) if body is not None else None


def test_error_messages_name_target_and_what_to_do() -> None:
    bad_token = error_message("prod", "updating deals.x", FakeApiError(401, {"message": "nope"}))
    assert "target 'prod'" in bad_token and "set HUBSPOT_ACCESS_TOKEN" in bad_token
    scopes = FakeApiError(403, {"message": "no", "context": {"missingScopes": ["crm.schemas.deals.write"]}})
    assert "crm.schemas.deals.write" in error_message("prod", "updating deals.x", scopes)
    body = json.loads((FIXTURES / "error_400_validation_error.json").read_text(encoding="utf-8"))
    refused = error_message("prod", "updating deals.x", FakeApiError(400, body))
    assert "(400 VALIDATION_ERROR): No properties found to update" in refused
    tired = error_message("prod", "updating deals.x", RetriesExhausted(FakeApiError(503), 6))
    assert "HubSpot answered 503 6 times" in tired


def test_limiter_waits_for_the_window_to_slide() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    limiter = SlidingWindowLimiter(3, clock=lambda: now[0], sleep=sleep)
    waits = [limiter.acquire() for _ in range(3)]
    now[0] = 4.0
    waits += [limiter.acquire(), limiter.acquire()]
    assert waits == [0, 0, 0, 6.0, 0] and sleeps == [6.0]


def test_a_request_counts_from_when_its_answer_came_back() -> None:
    # HubSpot counts a request when it arrives; the answer is the latest that can be, so the 2nd request of
    # a 1-per-10-s window waits until 10 s after the 1st answer, not after the 1st send.
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = SlidingWindowLimiter(1, clock=lambda: now[0], sleep=sleep)
    with limiter.slot():
        now[0] += 0.3  # network latency and server time
    assert limiter.acquire() == pytest.approx(10.0) and now[0] == pytest.approx(10.3)


def test_retry_policy_backs_off_honours_retry_after_and_never_retries_daily() -> None:
    policy = RetryPolicy(SlidingWindowLimiter(100), max_retries=5)
    assert [policy.delay(FakeApiError(503), n) for n in range(6)] == [0.5, 1, 2, 4, 8, 10]
    burst = FakeApiError(429, {"policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": "2"})
    assert policy.delay(burst, 0) == 2.0
    assert policy.delay(FakeApiError(400, {"message": "bad"}), 0) is None
    daily = json.loads((FIXTURES / "error_429_daily_limit.json").read_text(encoding="utf-8"))
    with pytest.raises(DailyLimitError, match="daily API limit"):
        policy.delay(FakeApiError(429, daily), 0)


def test_adapter_imports_nothing_from_the_sandbox() -> None:
    for module in (hubspot_module, ratelimit_module):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [f"{'.' * n.level}{n.module or ''}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [name for name in names if "sandbox" in name], module.__name__


# --- against the sandbox ------------------------------------------------------------------------------------


def test_read_takes_one_get_per_object_type_and_maps_the_state(start: Start) -> None:
    running = start()
    fields = [desired(a) for a in (LEAD_STATUS, LIFECYCLE, SOURCE, DETAIL, DEALSTAGE, LOST_TEXT, LOST_CODE)]
    states = running.adapter().read(fields, quiet)
    assert sorted(e["path"] for e in running.requests()) == [  # read at the same time: any order
        "/crm/v3/properties/contacts",
        "/crm/v3/properties/deals",
    ]
    assert states[LOST_CODE].exists is False
    assert (
        states[LOST_TEXT].values is None and states[LOST_TEXT].description == "Reason why this deal was lost"
    )
    assert "values" in states[LIFECYCLE].read_only and "values" in states[DEALSTAGE].read_only
    assert "label" in states[LEAD_STATUS].read_only and "values" not in states[LEAD_STATUS].read_only
    assert states[DETAIL].custom and states[DETAIL].description is None


def test_patch_writes_whole_option_lists_once_per_field_and_converges(start: Start) -> None:
    running = start()
    adapter = running.adapter()
    fields = [
        desired(LEAD_STATUS, values=lead_status_values(), unlisted_values="deactivate"),
        desired(DETAIL, description="Where exactly the lead came from, as typed by the rep."),
    ]
    plan = plan_for(adapter, fields)
    results = adapter.write(plan.changes, quiet)
    assert [(r.ok, r.message) for r in results] == [(True, "updated"), (True, "updated")]
    patches = running.requests("PATCH")
    assert sorted(e["path"] for e in patches) == [
        "/crm/v3/properties/contacts/hs_lead_status",
        "/crm/v3/properties/contacts/lead_source_detail",
    ]
    after = adapter.read(fields, quiet)
    values = after[LEAD_STATUS].values or ()
    assert [v.value for v in values][:3] == ["OPEN", "NEW", "CONNECTED"] and len(values) == 8  # none dropped
    assert values[0].description == "Routed to a rep, not yet contacted."
    assert [v.active for v in values] == [True] * 3 + [False] * 5  # retired with hidden: true
    assert after[DETAIL].description == "Where exactly the lead came from, as typed by the rep."
    assert plan_for(adapter, fields).changes == ()


def test_a_400_fails_its_field_only_with_the_apis_message(start: Start) -> None:
    running = start()
    adapter = running.adapter()
    results = adapter.write([description_plan(LEAD_STATUS, "Ours"), description_plan(DETAIL, "Ours")], quiet)
    assert not results[0].ok and "target 'demo': updating contacts.hs_lead_status" in results[0].message
    assert "read-only definition" in results[0].message and "(400 VALIDATION_ERROR)" in results[0].message
    assert results[1].ok and adapter.retries == 0


def test_create_makes_group_and_property_and_a_rerun_converges_on_409(start: Start) -> None:
    running = start()
    adapter = running.adapter()
    spec = CreateSpec("Closed lost code", "enumeration", "select", group="loss_analysis")
    values = (DesiredValue("price", "Price", "Too expensive."), DesiredValue("timing", "Timing"))
    field = desired(LOST_CODE, description="Why the deal was lost.", values=values, create=spec)
    plan = plan_for(adapter, [field])
    assert [c.action for c in plan.changes] == ["create"]
    assert [(r.ok, r.message) for r in adapter.write(plan.changes, quiet)] == [(True, "created")]
    group = running.sandbox.state.data["hubspot"]["groups"]["deals"]["loss_analysis"]
    assert group["label"] == "Loss analysis"
    state = adapter.read([field], quiet)[LOST_CODE]
    assert (
        state.exists and state.label == "Closed lost code" and state.description == "Why the deal was lost."
    )
    assert [(v.value, v.description) for v in state.values or ()] == [
        ("price", "Too expensive."),
        ("timing", None),
    ]
    # The same create again (a re-run after a crash): 409, read, nothing to change — no duplicate.
    again = running.adapter()
    assert [(r.ok, r.message) for r in again.write(plan.changes, quiet)] == [(True, "already existed")]
    assert [e["status"] for e in running.requests("POST")] == [201, 201, 409]  # group, property, conflict
    assert running.requests("PATCH") == []
    # A re-run whose definitions changed meanwhile converges with one PATCH.
    changed = desired(LOST_CODE, description="Why we lost.", values=values[:1], create=spec)
    stale = compute_plan([changed], {LOST_CODE: FieldState(LOST_CODE, exists=False)}, target="demo",
                         definitions_digest="x", created_at="now")  # fmt: skip
    assert again.write(stale.changes, quiet)[0].message == "already existed; updated to match"
    state = again.read([field], quiet)[LOST_CODE]
    assert state.description == "Why we lost." and [v.value for v in state.values or ()] == [
        "price",
        "timing",
    ]


def test_starter_glossary_applies_then_plans_to_zero(start: Start) -> None:
    running = start()
    adapter = running.adapter()
    glossary, _ = load_glossary(REPO / "definitions")
    fields = [f for f in desired_fields(glossary) if f.address.crm is Crm.HUBSPOT]
    plan = plan_for(adapter, fields)
    results = adapter.write(plan.changes, quiet)
    assert all(r.ok for r in results), [r.message for r in results]
    assert plan_for(adapter, fields).changes == ()
    assert len(running.requests("PATCH")) == len([c for c in plan.changes if c.action == "update"])


def test_a_5xx_is_retried_and_succeeds(start: Start) -> None:
    running = start(faults=FaultPlan(schedule={1: "5xx", 3: "drop"}))
    adapter = running.adapter()
    results = adapter.write([description_plan(DETAIL, "One"), description_plan(LOST_TEXT, "Two")], quiet)
    assert [r.ok for r in results] == [True, True]
    assert [e["status"] for e in running.requests("PATCH")] == [503, 200, 0, 200]  # 0: connection dropped
    assert adapter.retries == 2 and running.sleeps == [0.5, 0.5]


def test_when_every_retry_fails_the_field_fails_and_the_next_still_succeeds(start: Start) -> None:
    running = start(faults=FaultPlan(schedule={1: "5xx", 2: "5xx", 3: "5xx"}))
    adapter = running.adapter(max_retries=2)
    results = adapter.write([description_plan(DETAIL, "One"), description_plan(LOST_TEXT, "Two")], quiet)
    assert not results[0].ok and "HubSpot answered 503 3 times" in results[0].message
    assert results[1].ok
    assert running.sleeps == [0.5, 1.0] and adapter.retries == 2


def test_ten_secondly_429_is_waited_out_and_retried(start: Start) -> None:
    running = start(faults=FaultPlan(schedule={1: "429"}))
    adapter = running.adapter()
    assert adapter.write([description_plan(DETAIL, "One")], quiet)[0].ok
    assert [e["status"] for e in running.requests()] == [429, 200]
    assert running.sleeps == [0.5]  # no Retry-After: exponential backoff


def test_429_retry_after_header_is_honoured(start: Start) -> None:
    running = start(SandboxOptions(hubspot_retry_after=True), FaultPlan(schedule={1: "429"}))
    adapter = running.adapter()
    adapter.read([desired(DETAIL)], quiet)
    assert running.sleeps == [1.0] and adapter.retries == 1


def test_daily_429_stops_at_once_without_retrying(start: Start) -> None:
    running = start(SandboxOptions(hubspot_daily_limit=1))
    adapter = running.adapter()
    adapter.read([desired(DETAIL)], quiet)  # uses the day's one request
    results = adapter.write([description_plan(DETAIL, "One"), description_plan(LOST_TEXT, "Two")], quiet)
    assert not any(r.ok for r in results)
    assert results[0].message == f"target 'demo': {DAILY_MESSAGE}"
    assert results[1].message == f"not attempted: target 'demo': {DAILY_MESSAGE}"
    assert [e["status"] for e in running.requests()] == [200, 429]
    assert adapter.retries == 0 and running.sleeps == []
    with pytest.raises(CrmApiError, match="daily API limit for this portal is used up"):
        adapter.read([desired(DETAIL)], quiet)


def test_client_side_limiter_paces_requests_before_the_server_refuses(start: Start) -> None:
    running = start()
    now = [1000.0]

    def sleep(seconds: float) -> None:
        running.sleeps.append(seconds)
        now[0] += seconds

    adapter = running.adapter(rate_per_10s=3, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        adapter.read([desired(DETAIL)], quiet)
    assert running.sleeps == [10.0]  # the 4th request waited for the window
    assert len(running.requests("GET", 200)) == 4 and running.requests(status=429) == []


def test_wrong_token_says_what_to_do_and_never_shows_the_token(start: Start) -> None:
    running = start()
    token = "pat-na1-00000000-dead-beef-0000-000000000000"
    adapter = running.adapter(token=token)
    with pytest.raises(CrmApiError) as error:
        adapter.read([desired(DETAIL)], quiet)
    message = str(error.value)
    assert "target 'demo'" in message and "set HUBSPOT_ACCESS_TOKEN" in message and token not in message
    results = adapter.write([description_plan(DETAIL, "One"), description_plan(LOST_TEXT, "Two")], quiet)
    assert "(401)" in results[0].message and results[1].message.startswith("not attempted")
    assert token not in repr(results) and len(running.requests("PATCH")) == 1


def test_untrusted_certificate_is_a_clear_error_not_a_retry_loop(start: Start) -> None:
    running = start()
    adapter = running.adapter(ca_bundle=None)
    with pytest.raises(
        CrmApiError, match="TLS connection failed — check the target's base_url and ca_bundle"
    ):
        adapter.read([desired(DETAIL)], quiet)
    assert adapter.retries == 0


def test_usage_counts_come_from_the_search_api(start: Start) -> None:
    import time

    running = start()
    address = FieldAddress(Crm.HUBSPOT, "contacts", "hs_lead_status")
    seeded = list(running.sandbox.state.data["hubspot"]["objects"]["contacts"].values())
    values = sorted({c["properties"].get("hs_lead_status") for c in seeded} - {None, ""})
    expected = {v: sum(1 for c in seeded if c["properties"].get("hs_lead_status") == v) for v in values}
    counts = running.adapter(sleep=time.sleep).count_values(address, values, quiet)
    assert counts == expected and sum(counts.values()) > 0
    assert len(running.requests("POST", 200)) == len(values)  # one search per value


def test_set_records_across_properties_writes_each_to_its_own_property(start: Start) -> None:
    from crmdefs.adapters.base import RecordChange

    running = start()
    objects = running.sandbox.state.data["hubspot"]["objects"]
    contact = next(iter(objects["contacts"]))
    deal = next(iter(objects["deals"]))
    changes = [
        RecordChange("hubspot:contacts.hs_lead_status", contact, None, "CONNECTED"),
        RecordChange("hubspot:deals.dealtype", deal, None, "newbusiness"),
    ]
    assert running.adapter().set_records(changes, quiet) == []
    assert objects["contacts"][contact]["properties"]["hs_lead_status"] == "CONNECTED"
    assert objects["deals"][deal]["properties"]["dealtype"] == "newbusiness"
    assert "dealtype" not in objects["contacts"][contact]["properties"]
