"""The settings the fault suite relies on: the sandbox's fault knobs (CRMDEFS_SANDBOX_SCHEDULE per API,
CRMDEFS_SANDBOX_SLOW_MS, CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER) and the real answers to an expired session,
and crmdefs refusing a CRMDEFS_HTTP_TIMEOUT that is not a sensible number of seconds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from crmdefs.errors import FaultSettingsError
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.service import Sandbox

from .conftest import REPO, RunCli
from .fault_scenarios import no_inherited_faults_fixture as no_inherited_faults_fixture  # pytest fixture
from .sandbox_helpers import PinnedSession

# --- the sandbox's fault knobs this suite relies on --------------------------------------------------------


def test_faults_can_be_scheduled_per_api_and_a_session_expires_after_n_salesforce_requests() -> None:
    plan = FaultPlan.from_env(
        {
            "CRMDEFS_SANDBOX_SCHEDULE": "5:slow,hubspot:1:429,salesforce:2:drop",
            "CRMDEFS_SANDBOX_SLOW_MS": "250",
            "CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER": "3",
        }
    )
    calls = ["salesforce", "hubspot", "salesforce", "salesforce", "salesforce", "hubspot"]
    # The 5th request is both scheduled slow and the 4th Salesforce one: the expired session wins.
    assert [plan.decide(api) for api in calls] == [None, "429", "drop", None, "session", None]
    assert plan.slow_ms == 250
    for name, value, message in [
        ("CRMDEFS_SANDBOX_SCHEDULE", "pipedrive:1:429", "is not N:KIND or API:N:KIND"),
        ("CRMDEFS_SANDBOX_SCHEDULE", "hubspot:1:slowly", "KIND one of 429, 5xx, drop, slow"),
        ("CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER", "soon", "must be a whole number, not 'soon'"),
        ("CRMDEFS_SANDBOX_SLOW_MS", "long", "must be a number, not 'long'"),
    ]:
        with pytest.raises(FaultSettingsError, match=re.escape(message)):
            FaultPlan.from_env({name: value})


def test_an_expired_session_gets_the_real_answers_to_a_bad_token(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, faults=FaultPlan(expire_session_after=1), log_to_file=False)
    info = sandbox.start()
    try:
        session = PinnedSession(info.ca_bundle)
        auth = {"Authorization": f"Bearer {info.access_token}"}
        limits = f"{info.instance_url}/services/data/v62.0/limits"
        assert session.get(limits, headers=auth).status_code == 200
        refused = session.get(limits, headers=auth)
        assert refused.status_code == 401
        assert refused.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]
        soap = session.post(
            f"{info.instance_url}/services/Soap/m/62.0", data=b"<x/>", headers={"SOAPAction": '""'}
        )
        assert soap.status_code == 500
        assert "<faultcode>sf:INVALID_SESSION_ID</faultcode>" in soap.text
        assert (
            "<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session<"
            in soap.text
        )
        assert session.get(f"{info.base_url}/crm/v3/properties/deals", headers=auth).status_code == 200
    finally:
        sandbox.stop()


# --- crmdefs' own HTTP timeout setting ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["soon", "0", "-5", "inf"])
def test_a_bad_http_timeout_is_refused_with_a_clear_message(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    monkeypatch.setenv("CRMDEFS_HTTP_TIMEOUT", value)
    result = run_cli("plan")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: CRMDEFS_HTTP_TIMEOUT must be a number of seconds above 0 and at most 3600, "
        f"not '{value}'\n"
    )
