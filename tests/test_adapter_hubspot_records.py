"""The HubSpot adapter's records against the sandbox, with the real hubspot-api-client over real TLS: counts,
distinct values and migrations past the search API's 10,000-result cap (docs/hubspot.md#hs-search-result-cap),
multiple-checkbox values counted and moved one choice at a time (docs/hubspot.md#hs-multi-checkbox-values),
and a batch update that fails for some records (207, docs/hubspot.md#hs-batch-207-returns).

Expected values are computed in Python from ``records_seed()`` and the records a test adds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmdefs.adapters.base import RecordChange
from crmdefs.adapters.hubspot.adapter import HubSpotAdapter
from crmdefs.adapters.hubspot.client import hubspot_apis
from crmdefs.config import Secret
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.sandbox.options import FaultPlan, SandboxOptions
from crmdefs.sandbox.service import Sandbox

from .hubspot_fields import DETAIL, LEAD_STATUS
from .records_sandbox import CONTACTS, MANY_FROM, add_contacts

BUYING_ROLE = FieldAddress(Crm.HUBSPOT, "contacts", "hs_buying_role")
MANY = 12_000  # past the 10,000 results one search query can page through


def quiet(message: str) -> None:
    return None


class FakeTime:
    """The adapter's clock and sleep: pacing is counted, never slept (the sandbox's limits are lifted)."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Portal:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.contacts: dict[str, Any] = sandbox.state.data["hubspot"]["objects"]["contacts"]

    def adapter(self) -> HubSpotAdapter:
        info = self.sandbox.info
        assert info is not None
        time = FakeTime()
        apis = hubspot_apis(info.base_url, Secret(info.access_token), info.ca_bundle)
        return HubSpotAdapter(
            target="demo", apis=apis, rate_per_10s=10_000, clock=time.clock, sleep=time.sleep
        )

    def statuses(self) -> Counter[int]:
        return Counter(int(e["status"]) for e in self.sandbox.log.entries)

    def searches(self) -> list[dict[str, Any]]:
        return [e for e in self.sandbox.log.entries if e.get("action") == "objects.search"]


@pytest.fixture
def portal(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Portal]:
    failing = getattr(request, "param", frozenset())
    options = SandboxOptions(hubspot_rate_per_10s=100_000, hubspot_search_rate=100_000)
    sandbox = Sandbox(
        tmp_path / "sandbox", options=options, faults=FaultPlan(fail_components=failing), log_to_file=False
    )
    sandbox.start()
    try:
        yield Portal(sandbox)
    finally:
        sandbox.stop()


def seeded(name: str) -> dict[str, str | None]:
    return {c["id"]: c["properties"].get(name) for c in CONTACTS}


# --- past the 10,000-result cap ------------------------------------------------------------------------------


def test_counting_a_value_held_by_12000_records_returns_12000_without_a_400(portal: Portal) -> None:
    add_contacts(portal.sandbox.state, MANY, {"hs_lead_status": "NEW"})
    statuses = Counter(seeded("hs_lead_status").values())
    counts = portal.adapter().count_values(LEAD_STATUS, ["NEW", "OPEN"], quiet)
    assert counts == {"NEW": MANY + statuses["NEW"], "OPEN": statuses["OPEN"]}
    assert portal.statuses()[400] == 0 and set(portal.statuses()) == {200}


def test_a_migration_finds_and_moves_every_one_of_12000_records(portal: Portal) -> None:
    added = add_contacts(portal.sandbox.state, MANY, {"hs_lead_status": "NEW"})
    holding = {i for i, v in seeded("hs_lead_status").items() if v == "NEW"} | set(added)
    adapter = portal.adapter()
    found = adapter.find_records(LEAD_STATUS, {"NEW": "CONNECTED"}, quiet)
    assert sorted(c.record_id for c in found) == sorted(holding)  # each once
    assert {(c.old, c.new) for c in found} == {("NEW", "CONNECTED")}
    assert [str(f) for f in adapter.set_records(found, quiet)] == []
    assert not [i for i, c in portal.contacts.items() if c["properties"].get("hs_lead_status") == "NEW"]
    assert portal.statuses()[400] == 0


def test_suggest_mapping_reads_every_distinct_text_past_the_cap(portal: Portal) -> None:
    add_contacts(portal.sandbox.state, MANY - 100, {"lead_source_detail": "webinar"})
    add_contacts(portal.sandbox.state, 100, {"lead_source_detail": "Webinar "}, first=MANY_FROM + MANY)
    texts = portal.adapter().distinct_values(DETAIL, quiet)
    before = Counter(v for v in seeded("lead_source_detail").values() if v)
    assert texts == {**before, "webinar": MANY - 100, "Webinar ": 100}
    assert portal.statuses()[400] == 0


# --- multiple checkboxes --------------------------------------------------------------------------------------


def test_a_multiple_checkbox_value_counts_for_each_of_its_choices(portal: Portal) -> None:
    roles = [set((v or "").split(";")) - {""} for v in seeded("hs_buying_role").values()]
    wanted = ["BUDGET_HOLDER", "CHAMPION", "OTHER"]
    counts = portal.adapter().count_values(BUYING_ROLE, wanted, quiet)
    assert counts == {value: sum(value in held for held in roles) for value in wanted}
    assert counts["BUDGET_HOLDER"] > 1  # "DECISION_MAKER;BUDGET_HOLDER" holds it too


def test_moving_one_choice_keeps_the_others_and_never_doubles_one(portal: Portal) -> None:
    before = seeded("hs_buying_role")
    found = portal.adapter().find_records(BUYING_ROLE, {"BUDGET_HOLDER": "DECISION_MAKER"}, quiet)
    moved = {c.record_id: (c.old, c.new) for c in found}
    assert moved == {i: (v, swap(v)) for i, v in before.items() if v and "BUDGET_HOLDER" in v.split(";")}
    assert set(moved.values()) >= {
        ("BUDGET_HOLDER;CHAMPION", "DECISION_MAKER;CHAMPION"),  # the other choice and the order kept
        ("DECISION_MAKER;BUDGET_HOLDER", "DECISION_MAKER"),  # already chosen: not twice
    }


def swap(value: str) -> str:
    chosen: list[str] = []
    for choice in value.split(";"):
        new = "DECISION_MAKER" if choice == "BUDGET_HOLDER" else choice
        if new not in chosen:
            chosen.append(new)
    return ";".join(chosen)


# --- a batch update that fails for some records ---------------------------------------------------------------

FAILING = CONTACTS[0]["id"]


@pytest.mark.parametrize("portal", [frozenset({f"contacts.{FAILING}"})], indirect=True)
def test_a_207_names_each_record_that_failed_with_hubspots_message(portal: Portal) -> None:
    updated = CONTACTS[1]["id"]
    changes = [RecordChange(str(LEAD_STATUS), i, None, "CONNECTED") for i in (FAILING, updated)]
    failures = portal.adapter().set_records(changes, quiet)
    assert [str(f) for f in failures] == [
        f"hubspot:contacts.hs_lead_status record {FAILING}: Could not get some CONTACT objects, they may be "
        "deleted or not exist. Check that ids are valid."
    ]
    assert portal.contacts[updated]["properties"]["hs_lead_status"] == "CONNECTED"
    assert portal.contacts[FAILING]["properties"]["hs_lead_status"] == seeded("hs_lead_status")[FAILING]
