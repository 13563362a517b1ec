"""The HubSpot adapter, pure parts: recorded responses (tests/fixtures/hubspot/) mapped to FieldState, the
bodies it sends, its error messages, the client-side rate limiter and the retry policy, and that it
imports nothing from the sandbox.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import crmdefs.adapters.hubspot.adapter as hubspot_module
import crmdefs.adapters.hubspot.ratelimit as ratelimit_module
from crmdefs.adapters.hubspot.mapping import converge_body, create_body, field_state, group_label, patch_body
from crmdefs.adapters.hubspot.ratelimit import (
    RetryPolicy,
    SlidingWindowLimiter,
    error_message,
    retry_after,
)
from crmdefs.definitions.model import CreateSpec, Crm, FieldAddress
from crmdefs.errors import DailyLimitError, RetriesExhausted
from crmdefs.plan.changes import AttributeChange, FieldPlan
from crmdefs.plan.state import FieldState, ValueState

from .hubspot_fields import DEALSTAGE, DEALTYPE, DETAIL, LEAD_STATUS, LIFECYCLE, LOST_CODE, LOST_TEXT, SOURCE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hubspot"


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
    # The variable the target really reads, and a service key: private apps can no longer be created
    # (docs/hubspot.md#hs-service-keys).
    bad_token = error_message(
        "prod", "updating deals.x", FakeApiError(401, {"message": "nope"}), "PROD_HS_KEY"
    )
    assert "target 'prod'" in bad_token
    assert "set $PROD_HS_KEY to a valid service key (or an existing private app's access token)" in bad_token
    scopes = FakeApiError(403, {"message": "no", "context": {"missingScopes": ["crm.schemas.deals.write"]}})
    lacking = error_message("prod", "updating deals.x", scopes, "PROD_HS_KEY")
    assert (
        "the service key (or private app) in $PROD_HS_KEY lacks scopes (crm.schemas.deals.write)" in lacking
    )
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


def test_a_slow_answer_does_not_hold_back_a_request_that_expires_before_it() -> None:
    # With requests in flight at once, answers come back in any order: the window frees up when the
    # earliest answer is 10 s old, not when the first request sent is.
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = SlidingWindowLimiter(2, clock=lambda: now[0], sleep=sleep)
    slow = limiter.slot()
    slow.__enter__()  # sent at 0, answered at 3
    with limiter.slot():
        now[0] += 0.1  # sent at 0, answered at 0.1
    now[0] = 3.0
    slow.__exit__(None, None, None)
    assert limiter.acquire() == pytest.approx(7.1)


def test_a_lower_limit_adopted_mid_window_holds_until_enough_requests_expire() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = SlidingWindowLimiter(3, clock=lambda: now[0], sleep=sleep)
    for moment in (0.0, 1.0, 2.0):
        now[0] = moment
        limiter.acquire()
    now[0] = 3.0
    limiter.adopt(1, 10.0)  # the portal says 1 per 10 s: the request sent at 2.0 must be 10 s old
    assert limiter.acquire() == pytest.approx(9.0) and now[0] == pytest.approx(12.0)


def test_retry_policy_backs_off_honours_retry_after_and_never_retries_daily() -> None:
    policy = RetryPolicy(SlidingWindowLimiter(100), max_retries=5)
    assert [policy.delay(FakeApiError(503), n) for n in range(6)] == [0.5, 1, 2, 4, 8, 10]
    burst = FakeApiError(429, {"policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": "2"})
    assert policy.delay(burst, 0) == 2.0
    assert policy.delay(FakeApiError(400, {"message": "bad"}), 0) is None
    daily = json.loads((FIXTURES / "error_429_daily_limit.json").read_text(encoding="utf-8"))
    with pytest.raises(DailyLimitError, match="daily API limit"):
        policy.delay(FakeApiError(429, daily), 0)


def test_retry_after_in_seconds_or_milliseconds_never_past_the_window() -> None:
    # docs/hubspot.md#hs-retry-after: seconds, or milliseconds as one source says; never past the window
    def wait(value: str) -> float | None:
        burst = FakeApiError(429, {"policyName": "TEN_SECONDLY_ROLLING"}, {"retry-after": value})
        return retry_after(burst)

    assert [wait(v) for v in ("1", "2.5", "10", "1000", "2500", "60000", "-1", "soon")] == [
        1.0,
        2.5,
        10.0,
        1.0,
        2.5,
        10.0,
        None,
        None,
    ]


def test_adapter_imports_nothing_from_the_sandbox() -> None:
    for module in (hubspot_module, ratelimit_module):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [f"{'.' * n.level}{n.module or ''}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [name for name in names if "sandbox" in name], module.__name__
