"""The HubSpot adapter's pacing against the portal's own limits, with the real hubspot-api-client over real
TLS: the burst limit learned from the X-HubSpot-RateLimit-* headers, writes sent concurrently yet bounded and
reported in plan order, a run stopped before its writes when the day's allowance cannot cover them, and the
search API's 5 requests a second. The adapter and the sandbox share one fake clock: the adapter's waits
advance it, so a wait the portal would not need shows, and no test sleeps through a real window.
"""

from __future__ import annotations

import threading
from typing import Any

from crmdefs.adapters.base import RecordChange
from crmdefs.adapters.hubspot.adapter import HubSpotAdapter
from crmdefs.adapters.hubspot.client import MAX_IN_FLIGHT, hubspot_apis
from crmdefs.config import Secret
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import AttributeChange, FieldPlan
from crmdefs.plan.state import DesiredField
from crmdefs.sandbox.http import Request, Response
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.state import SandboxState

from .hubspot_fields import DETAIL, LEAD_STATUS, LOST_TEXT
from .hubspot_sandbox import Sandbox, Shared, StartSandbox
from .hubspot_sandbox import shared_fixture as shared_fixture  # pytest fixture
from .hubspot_sandbox import start_sandbox_fixture as start_sandbox_fixture  # pytest fixture


def quiet(message: str) -> None:
    return None


class Paced:
    """An adapter on ``sandbox`` whose clock is the sandbox's: each wait is recorded and moves the clock."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.sandbox.clock.now += seconds

    def adapter(self) -> HubSpotAdapter:
        apis = hubspot_apis(self.sandbox.host, Secret(self.sandbox.state.token), self.sandbox.tls.ca)
        return HubSpotAdapter(target="demo", apis=apis, sleep=self.sleep, clock=self.sandbox.clock)

    def statuses(self, method: str | None = None) -> list[int]:
        entries = self.sandbox.log.entries
        return [e["status"] for e in entries if method is None or e["method"] == method]


def description(address: FieldAddress, text: str) -> FieldPlan:
    return FieldPlan(address, "update", "", attributes=(AttributeChange("description", None, text),))


# --- the burst limit comes from the portal ----------------------------------------------------------------


def test_a_professional_portal_at_190_per_10_seconds_is_not_held_to_100(start_sandbox: StartSandbox) -> None:
    paced = Paced(start_sandbox(rate_per_10s=190))
    adapter = paced.adapter()
    for _ in range(150):
        adapter.read([DesiredField(DETAIL)], quiet)
    assert paced.sleeps == [] and paced.statuses() == [200] * 150


def test_a_portal_with_a_lower_limit_is_paced_to_it_without_a_429(start_sandbox: StartSandbox) -> None:
    paced = Paced(start_sandbox(rate_per_10s=5))
    adapter = paced.adapter()
    for _ in range(8):
        adapter.read([DesiredField(DETAIL)], quiet)
    assert paced.statuses() == [200] * 8  # learned from the first answer's X-HubSpot-RateLimit-Max
    assert paced.sleeps == [10.0]


# --- writes: concurrent, bounded, in plan order -------------------------------------------------------------


class Held(HubSpotApi):
    """The sandbox's HubSpot, holding each answer a moment and counting requests in flight at once; from the
    ``spend_day_at``-th request on, the day's allowance is used up (as by another app of the portal)."""

    def __init__(self, state: SandboxState, spend_day_at: int | None = None, **options: Any) -> None:
        super().__init__(state, **options)
        self.spend_day_at = spend_day_at
        self.now_in_flight = self.peak = self.seen = 0
        self._count = threading.Lock()

    def handle(self, request: Request) -> Response:
        with self._count:
            self.now_in_flight += 1
            self.peak = max(self.peak, self.now_in_flight)
        threading.Event().wait(0.05)
        with self._count:  # admitted one at a time, in the order counted
            self.now_in_flight -= 1
            self.seen += 1
            if self.seen == self.spend_day_at:
                self.limiter.use_up_day()
            return super().handle(request)


def held_sandbox(
    start_sandbox: StartSandbox, shared: Shared, spend_day_at: int | None = None
) -> tuple[Held, Paced]:
    """A fresh portal behind the shared server, answered by :class:`Held` on the same state and clock."""
    sandbox = start_sandbox()
    held = Held(sandbox.state, spend_day_at, clock=sandbox.clock)
    shared.switch.target = held
    return held, Paced(sandbox)


def test_writes_go_out_concurrently_bounded_and_come_back_in_plan_order(
    start_sandbox: StartSandbox, shared: Shared
) -> None:
    held, paced = held_sandbox(start_sandbox, shared)
    plans = [description(DETAIL if n % 3 else LEAD_STATUS, f"Text {n}") for n in range(30)]
    results = paced.adapter().write(plans, quiet)
    # contacts.hs_lead_status has a read-only definition: HubSpot refuses its description (400)
    assert [r.ok for r in results] == [bool(n % 3) for n in range(30)]
    assert [r.address for r in results] == [p.address for p in plans]
    assert 1 < held.peak <= MAX_IN_FLIGHT
    assert len(paced.statuses("PATCH")) == 30


def test_when_the_day_runs_out_mid_run_the_writes_not_yet_sent_are_not_attempted(
    start_sandbox: StartSandbox, shared: Shared
) -> None:
    _, paced = held_sandbox(start_sandbox, shared, spend_day_at=5)
    plans = [description(DETAIL, f"Text {n}") for n in range(40)]
    results = paced.adapter().write(plans, quiet)
    assert results[0].ok and sum(r.ok for r in results) == 4  # the first goes alone, then in parallel
    refused = [r for r in results if not r.ok]
    assert all("daily API limit for this portal is used up" in r.message for r in refused)
    assert sum(r.message.startswith("not attempted") for r in refused) >= 40 - 4 - MAX_IN_FLIGHT
    assert len(paced.statuses("PATCH")) <= 4 + MAX_IN_FLIGHT  # in flight when the day ran out, no more


# --- the daily allowance is checked before writing ---------------------------------------------------------


def test_apply_stops_before_writing_when_the_days_allowance_cannot_cover_it(
    start_sandbox: StartSandbox,
) -> None:
    paced = Paced(start_sandbox(daily_limit=4))
    adapter = paced.adapter()
    adapter.read([DesiredField(DETAIL), DesiredField(LOST_TEXT)], quiet)  # 2 calls: 2 left today
    plans = [description(DETAIL, "One"), description(LOST_TEXT, "Two"), description(DETAIL, "Three")]
    results = adapter.write(plans, quiet)
    assert not any(r.ok for r in results)
    message = results[0].message
    assert message.startswith(
        "not attempted: target 'demo': writing 3 HubSpot properties needs up to 5 API calls"
    )
    assert "(3 writes, 2 reads to verify them)" in message and "the portal has 2 left today" in message
    assert "nothing was written" in message and "resets at midnight in the portal's time zone" in message
    assert all(r.message == message for r in results)
    assert paced.statuses("PATCH") == []


def test_a_record_migration_stops_before_its_first_batch_when_the_day_cannot_cover_it(
    start_sandbox: StartSandbox,
) -> None:
    paced = Paced(start_sandbox(daily_limit=2))
    adapter = paced.adapter()
    adapter.read([DesiredField(DETAIL)], quiet)  # 1 left today
    changes = [  # one batch per property
        RecordChange("hubspot:contacts.hs_lead_status", "101", None, "CONNECTED"),
        RecordChange("hubspot:deals.dealtype", "201", None, "newbusiness"),
    ]
    failures = adapter.set_records(changes, quiet)
    assert [(f.address, f.record_ids, f.unchanged) for f in failures] == [
        ("hubspot:contacts.hs_lead_status", ("101",), True),  # not sent: nothing to restore
        ("hubspot:deals.dealtype", ("201",), True),
    ]
    message = failures[0].message
    assert "updating 2 records needs up to 2 API calls (batches of 100)" in message
    assert "the portal has 1 left today" in message and "no record was changed" in message
    assert paced.statuses("POST") == []


# --- search: 5 a second ---------------------------------------------------------------------------------


def test_searches_are_paced_to_five_a_second(start_sandbox: StartSandbox) -> None:
    paced = Paced(start_sandbox())
    address = FieldAddress(Crm.HUBSPOT, "contacts", "hs_lead_status")
    counts = paced.adapter().count_values(address, [f"V{n}" for n in range(10)], quiet)
    assert counts == {f"V{n}": 0 for n in range(10)}
    assert paced.statuses("POST") == [200] * 10  # the searches: the portal's 5 a second, never a SECONDLY 429
    assert paced.sleeps == [1.0]  # five, a second's wait, five more


def test_the_daily_count_is_the_lowest_answer_seen_whatever_order_answers_arrive_in() -> None:
    from crmdefs.adapters.hubspot.limits import PortalLimits
    from crmdefs.adapters.hubspot.ratelimit import SlidingWindowLimiter

    limits = PortalLimits(SlidingWindowLimiter(100))
    # Two calls made at once: the answer sent later (2 left) is handled before the earlier one (3 left).
    limits.observe({"X-HubSpot-RateLimit-Daily-Remaining": "2"})
    limits.observe({"X-HubSpot-RateLimit-Daily-Remaining": "3"})
    assert limits.shortfall(3) == 2 and limits.shortfall(2) is None
