"""The HubSpot adapter with the real hubspot-api-client over real TLS against the sandbox: reads, patches
and creates as the request log shows them, injected faults and retries, 429s (secondly, daily; the limits
learned from the portal are in test_adapter_hubspot_limits.py), a wrong token and an untrusted certificate,
usage counts and record updates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from crmdefs.adapters.hubspot.adapter import HubSpotAdapter
from crmdefs.adapters.hubspot.client import hubspot_apis
from crmdefs.adapters.hubspot.ratelimit import DAILY_MESSAGE
from crmdefs.config import Secret
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.plan.changes import AttributeChange, FieldPlan, Plan
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState
from crmdefs.sandbox.options import FaultPlan, SandboxOptions
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO
from .hubspot_fields import DEALSTAGE, DETAIL, LEAD_STATUS, LIFECYCLE, LOST_CODE, LOST_TEXT, SOURCE


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


# --- against the sandbox ------------------------------------------------------------------------------------


def test_read_takes_one_get_per_object_type_and_maps_the_state(start: Start) -> None:
    running = start()
    fields = [desired(a) for a in (LEAD_STATUS, LIFECYCLE, SOURCE, DETAIL, DEALSTAGE, LOST_TEXT, LOST_CODE)]
    states = running.adapter().read(fields, quiet)
    assert sorted(e["path"] for e in running.requests()) == [  # read at the same time: any order
        "/crm/properties/2026-03/contacts",
        "/crm/properties/2026-03/deals",
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
        "/crm/properties/2026-03/contacts/hs_lead_status",
        "/crm/properties/2026-03/contacts/lead_source_detail",
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


def test_429_retry_after_in_milliseconds_is_read_as_milliseconds(start: Start) -> None:
    options = SandboxOptions(hubspot_retry_after=True, hubspot_retry_after_ms=True)
    running = start(options, FaultPlan(schedule={1: "429"}))  # Retry-After: 1000
    adapter = running.adapter()
    adapter.read([desired(DETAIL)], quiet)
    assert running.sleeps == [1.0] and adapter.retries == 1


def test_daily_429_stops_at_once_without_retrying(start: Start) -> None:
    # Another app of the portal spends the day's allowance after the read (the daily budget left before
    # the writes is checked first: test_adapter_hubspot_limits.py).
    running = start(faults=FaultPlan(api_schedule={("hubspot", 2): "daily"}))
    adapter = running.adapter()
    adapter.read([desired(DETAIL)], quiet)
    results = adapter.write([description_plan(DETAIL, "One"), description_plan(LOST_TEXT, "Two")], quiet)
    assert not any(r.ok for r in results)
    assert results[0].message == f"target 'demo': {DAILY_MESSAGE}"
    assert results[1].message == f"not attempted: target 'demo': {DAILY_MESSAGE}"
    assert [e["status"] for e in running.requests()] == [200, 429]
    assert adapter.retries == 0 and running.sleeps == []
    with pytest.raises(CrmApiError, match="daily API limit for this portal is used up"):
        adapter.read([desired(DETAIL)], quiet)


def test_wrong_token_says_what_to_do_and_never_shows_the_token(start: Start) -> None:
    running = start()
    token = "pat-na1-00000000-dead-beef-0000-000000000000"
    adapter = running.adapter(token=token, token_env="DEMO_HS_KEY")
    with pytest.raises(CrmApiError) as error:
        adapter.read([desired(DETAIL)], quiet)
    message = str(error.value)
    assert "target 'demo'" in message and "set $DEMO_HS_KEY to a valid service key" in message
    assert token not in message
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
