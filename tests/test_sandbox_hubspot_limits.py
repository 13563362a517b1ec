"""The HubSpot sandbox's gatekeeping and bookkeeping, driven by the real hubspot-api-client over real TLS:
token checks, the ten-second and daily rate limits with their headers, injected faults, the state that
survives reopening, the request log and the daily usage endpoint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hubspot.crm.properties import ApiException, PropertyUpdate
from hubspot.crm.properties.exceptions import UnauthorizedException
from urllib3.util.retry import Retry

from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.state import SandboxState

from .hubspot_sandbox import (
    RATE_HEADERS,
    FakeClock,
    Sandbox,
    Shared,
    StartSandbox,
    error_body,
    fixture,
    seed_state,
    shape,
)
from .hubspot_sandbox import sandbox_fixture as sandbox_fixture  # pytest fixture
from .hubspot_sandbox import shared_fixture as shared_fixture  # pytest fixture
from .hubspot_sandbox import start_sandbox_fixture as start_sandbox_fixture  # pytest fixture

# ----------------------------------------------------------------------------------------------- auth


def test_a_wrong_token_is_the_sdks_unauthorized(sandbox: Sandbox) -> None:
    with pytest.raises(UnauthorizedException) as caught:
        sandbox.client(token="pat-na1-wrong").crm.properties.core_api.get_all("contacts")
    body = error_body(caught.value)
    assert body["category"] == "INVALID_AUTHENTICATION" and body["status"] == "error"
    missing = sandbox.raw("GET", "/crm/v3/properties/contacts", token=None)
    assert missing.status == 401 and missing.body["category"] == "INVALID_AUTHENTICATION"


# ------------------------------------------------------------------------------------------- limits


def test_the_ten_second_window_refuses_the_sixth_request(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(rate_per_10s=5)
    # urllib3's default Retry would honour Retry-After and retry the GET itself (sleeping); see it raw instead.
    api = sandbox.client(retry=Retry(total=0, respect_retry_after_header=False)).crm.properties.core_api
    remaining = []
    for _ in range(5):
        _, _, headers = api.get_all_with_http_info("contacts")
        remaining.append(headers["X-HubSpot-RateLimit-Remaining"])
    assert remaining == ["4", "3", "2", "1", "0"]
    sandbox.clock.now += 9.5
    with pytest.raises(ApiException) as caught:
        api.get_all("contacts")
    assert caught.value.status == 429
    body = error_body(caught.value)
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    headers = caught.value.headers
    assert all(name in headers for name in RATE_HEADERS)
    assert headers["X-HubSpot-RateLimit-Max"] == "5" and headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert headers["Retry-After"] == "1"
    sandbox.clock.now += 0.5
    assert api.get_all("contacts").results


def test_the_daily_budget_refuses_with_the_daily_body(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(daily_limit=3)
    for _ in range(3):
        sandbox.clock.now += 20
        assert sandbox.raw("GET", "/crm/v3/properties/deals").status == 200
    refused = sandbox.raw("GET", "/crm/v3/properties/deals")
    assert refused.status == 429
    real = fixture("error_429_daily_limit.json")
    assert set(refused.body) == set(real)
    assert {k: refused.body[k] for k in ("status", "message", "errorType", "policyName")} == {
        k: real[k] for k in ("status", "message", "errorType", "policyName")
    }
    assert refused.headers["X-HubSpot-RateLimit-Daily"] == "3"
    assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_retry_after_can_come_in_milliseconds(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(rate_per_10s=1, retry_after_ms=True)
    assert sandbox.raw("GET", "/crm/v3/properties/deals").status == 200
    sandbox.clock.now += 2.5
    refused = sandbox.raw("GET", "/crm/v3/properties/deals")
    assert refused.status == 429 and refused.headers["Retry-After"] == "8000"


def test_a_daily_fault_spends_the_days_allowance_from_that_request_on(tmp_path: Path, shared: Shared) -> None:
    state = SandboxState.open(tmp_path / "state", seed_state)
    log = RequestLog(None)
    faults = FaultPlan(api_schedule={("hubspot", 2): "daily"})
    server = RunningServer(HubSpotApi(state), 0, shared.tls.server_context(), faults, log).start()
    try:
        sandbox = Sandbox(server.port, shared.tls, state, FakeClock(), log)
        assert sandbox.raw("GET", "/crm/v3/properties/deals").status == 200
        for _ in range(2):
            refused = sandbox.raw("GET", "/crm/v3/properties/deals")
            assert refused.status == 429 and refused.body["policyName"] == "DAILY"
            assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    finally:
        server.stop()
    assert [e["action"] for e in log.entries] == ["properties.list", "injected.daily", "ratelimit.daily"]


def test_every_response_carries_the_rate_limit_headers(sandbox: Sandbox) -> None:
    for answer in (
        sandbox.raw("GET", "/crm/v3/pipelines/deals"),
        sandbox.raw("GET", "/nowhere"),
        sandbox.raw("GET", "/crm/v3/properties/deals", token="wrong"),
    ):
        assert all(name in answer.headers for name in RATE_HEADERS), answer.status


def test_injected_faults(tmp_path: Path, shared: Shared) -> None:
    state = SandboxState.open(tmp_path / "state", seed_state)
    log = RequestLog(None)
    faults = FaultPlan(schedule={1: "429", 2: "5xx"})
    server = RunningServer(HubSpotApi(state), 0, shared.tls.server_context(), faults, log).start()
    try:
        sandbox = Sandbox(server.port, shared.tls, state, FakeClock(), log)
        first = sandbox.raw("GET", "/crm/v3/properties/deals")
        assert first.status == 429 and first.body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert first.headers["X-HubSpot-RateLimit-Remaining"] == "0" and first.headers["Retry-After"] == "1"
        second = sandbox.raw("GET", "/crm/v3/properties/deals")
        assert second.status == 503 and second.body["status"] == "error" and second.body["correlationId"]
        assert all(name in second.headers for name in RATE_HEADERS)
        assert sandbox.raw("GET", "/crm/v3/properties/deals").status == 200
    finally:
        server.stop()
    assert [e["action"] for e in log.entries] == ["injected.429", "injected.5xx", "properties.list"]


# -------------------------------------------------------------------------------------------- state


def test_a_change_survives_reopening_the_state(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    api.update("contacts", "lead_source_detail", PropertyUpdate(description="Persisted"))
    api.archive("contacts", "hs_buying_role")
    reopened = SandboxState.open(sandbox.state.folder, seed_state)
    contacts = reopened.data["hubspot"]["properties"]["contacts"]
    assert contacts["lead_source_detail"]["description"] == "Persisted"
    assert contacts["hs_buying_role"]["archived"] is True
    assert reopened.token == sandbox.state.token


def test_the_request_log_names_the_operation(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    api.get_by_name("deals", "dealtype")
    with pytest.raises(ApiException):
        api.update("deals", "dealtype", PropertyUpdate(label="Kind of deal"))
    assert [(e["action"], e["status"]) for e in sandbox.log.entries] == [
        ("properties.read", 200),
        ("properties.update", 400),
    ]


def test_daily_usage_has_the_documented_shape_and_counts_calls(sandbox: Sandbox) -> None:
    recorded = fixture("account_info_api_usage_daily_private_apps.json")
    sandbox.raw("GET", "/crm/v3/properties/deals")
    answer = sandbox.raw("GET", "/account-info/v3/api-usage/daily/private-apps")
    assert answer.status == 200
    assert shape(answer.body) == shape(recorded)
    usage = answer.body["results"][0]
    assert usage["name"] == "private-apps-api-calls-daily" and usage["currentUsage"] >= 2
