"""Security proofs, each with the real CLI against the sandbox over real TLS: no access token, password,
security token or session id reaches stdout, stderr, the --debug output, the sandbox's request log, or any
file crmdefs writes (plans, backups, state files, drift reports and baselines, imports, mappings, docs) —
on success, on a wrong token, a refused login and an API error in the middle of an apply; the sandbox's own
token appears only in its own state.json and sandbox.json.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path

import pytest
import responses
from urllib3.connectionpool import HTTPConnectionPool

from crmdefs import debuglog
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import RunCli, write_files
from .security_helpers import (
    HS_TOKEN,
    PASSWORD,
    SECURITY_TOKEN,
    SF_TOKEN,
    TERM_AND_BINDING,
    Session,
    leaks,
    project,
)
from .security_helpers import org_fixture as org_fixture  # pytest fixture

# --- no secret anywhere ----------------------------------------------------------------------------------


def test_a_whole_session_with_debug_shows_and_writes_no_token(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", org.access_token)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", org.access_token)
    project(tmp_path, org)
    session = Session(run_cli, debug=True)

    assert session.run("validate").code == 0
    assert session.run("plan", "-o", "prod.plan.json").code == 0
    assert session.run("apply", "prod.plan.json").code == 0
    assert session.run("plan", "--format", "json").code == 0
    assert session.run("drift", "--format", "json", "--out", "drift.json").code in (0, 2)
    assert session.run("drift", "--write-baseline", "baseline.json").code == 0
    assert (
        session.run("drift", "--baseline", "baseline.json", "--format", "markdown", "--out", "drift.md").code
        == 0
    )
    fresh = ("--definitions", "fresh")  # nothing bound yet, so every field is imported
    assert (
        session.run("import", "--object", "Lead", "--object", "hubspot:deals", *fresh, "--out", "i.yaml").code
        == 0
    )
    assert session.run("import", "salesforce:Opportunity.StageName", *fresh, "--out", "-").code == 0
    mapping = ("--from", "hubspot:deals.closed_lost_reason", "--to", "hubspot:deals.closed_lost_reason_code")
    assert session.run("suggest-mapping", *mapping, "--out", "mapping.yaml").code == 0
    assert session.run("apply", "--migrate-records", "--mapping", "mapping.yaml", "--auto-approve").code == 0
    first_backup = min((tmp_path / ".crmdefs" / "backups" / "prod").glob("*.json"))
    assert session.run("revert", str(first_backup), "--auto-approve").code == 0
    assert session.run("docs", "--format", "html", "--out", "site").code == 0

    everything = "\n".join(session.shown.values())
    # The debug output was really there, and really carried what must be redacted:
    assert re.search(
        r"debug: crmdefs\.http: POST https://127\.0\.0\.1:\d+/services/Soap/m/62\.0/ → 200", everything
    )
    assert re.search(
        r"debug: crmdefs\.http: PATCH https://127\.0\.0\.1:\d+/crm/properties/2026-03/deals/\w+ → 200",
        everything,
    )
    assert "<ns0:sessionId>***</ns0:sessionId>" in everything  # zeep's envelope, session header redacted
    for name in ("prod.plan.json", "drift.json", "drift.md", "baseline.json", "i.yaml", "mapping.yaml"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / ".crmdefs" / "state" / "prod.json").is_file()
    assert (tmp_path / "org" / "requests.log").stat().st_size > 0
    assert leaks([org.access_token], session.shown, tmp_path) == []


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_wrong_tokens_are_refused_without_showing_them(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", SF_TOKEN)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", HS_TOKEN)
    monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "0")
    project(tmp_path, org)
    session = Session(run_cli, debug)

    salesforce = session.run("plan", "--only", "salesforce:Lead.Status")
    assert salesforce.code == 1
    assert "Salesforce rejected the session (INVALID_SESSION_ID)" in salesforce.err
    hubspot = session.run("plan", "--only", "hubspot:deals.dealtype")
    assert hubspot.code == 1
    assert "HubSpot rejected the access token (401) — set $HUBSPOT_ACCESS_TOKEN to a valid service key" in (
        hubspot.err
    )
    assert session.run("apply", "--auto-approve").code == 1
    assert session.run("drift", "--format", "markdown", "--out", "drift.md").code == 1
    assert "INVALID_SESSION_ID" in (tmp_path / "drift.md").read_text()
    assert session.run("import", "--object", "Lead", "--definitions", "fresh", "--out", "i.yaml").code == 1
    if debug:
        assert "debug: crmdefs: the error came from here" in salesforce.err  # the cause, with its traceback
        assert "zeep.exceptions.Fault" in salesforce.err
    assert leaks([SF_TOKEN, HS_TOKEN, org.access_token], session.shown, tmp_path) == []


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_refused_password_login_shows_no_password(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    # simple-salesforce signs in at https://{domain}.salesforce.com (hard-coded), so `responses` answers
    # that one request, as Salesforce does for a wrong password (docs/salesforce.md#sf-login-fault).
    monkeypatch.setenv("SALESFORCE_PASSWORD", PASSWORD)
    monkeypatch.setenv("SALESFORCE_SECURITY_TOKEN", SECURITY_TOKEN)
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    (tmp_path / "crmdefs.yaml").write_text(
        "targets:\n  prod:\n    salesforce: {auth: password, username: ops@example.com, domain: test}\n"
    )
    fault = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
        'soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
        "<faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security "
        'token; or user locked out.</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sf:exceptionCode>INVALID_LOGIN'
        "</sf:exceptionCode><sf:exceptionMessage>Invalid username, password, security token; or user locked "
        "out.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    session = Session(run_cli, debug)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://test.salesforce.com/services/Soap/u/62.0", body=fault, status=500)
        result = session.run("plan")
        sent = str(mock.calls[0].request.body)
    assert PASSWORD in sent  # it was really used, so its absence below means something
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "crmdefs: error: target 'prod': Salesforce refused the password login (INVALID_LOGIN) — check the "
        "username, domain and secrets in the environment"
    )
    assert leaks([PASSWORD, SECURITY_TOKEN], session.shown, tmp_path) == []


def test_an_api_error_in_the_middle_of_an_apply_writes_no_token(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Salesforce session expires after the apply has read everything (so its first write is refused)
    # and a HubSpot property fails to save: the apply reports each field, writes its backup and the state
    # of what it did change, and nothing it shows or writes holds the token.
    faults = FaultPlan(fail_components=frozenset({"deals.dealtype"}))
    sandbox = Sandbox(tmp_path / "org", faults=faults)
    info = sandbox.start()
    try:
        monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", info.access_token)
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", info.access_token)
        monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "0")
        project(tmp_path, info)
        session = Session(run_cli, debug=True)
        assert session.run("plan").code == 0  # the same reads the apply makes before its first write
        sandbox.faults.expire_session_after = 2 * sandbox.log.count(api="salesforce")
        result = session.run("apply", "--auto-approve")
        assert result.code == 1
        # The first refused batch carries the message; the batches after it are not attempted.
        status_line = next(
            line for line in result.out.splitlines() if line.startswith("✗ salesforce:Lead.Status")
        )
        assert "Salesforce rejected the session (INVALID_SESSION_ID)" in status_line
        assert "✗ hubspot:deals.dealtype" in result.out and "✓ hubspot:contacts.hs_lead_status" in result.out
        assert "salesforce:" not in (tmp_path / ".crmdefs" / "state" / "prod.json").read_text()
        assert list((tmp_path / ".crmdefs" / "backups" / "prod").glob("*.json"))
    finally:
        sandbox.stop()
    assert leaks([info.access_token], session.shown, tmp_path) == []


def test_a_failing_sf_cli_shows_neither_its_output_nor_the_token(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    answer = json.dumps(
        {"status": 1, "message": "No org configuration found", "result": {"accessToken": SF_TOKEN}}
    )
    fake = bin_dir / "sf"
    fake.write_text(f"#!/bin/sh\necho '{answer}'\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    (tmp_path / "crmdefs.yaml").write_text(
        "targets:\n  prod:\n    salesforce: {auth: sf_cli, sf_alias: acme}\n"
    )
    session = Session(run_cli, debug=True)
    result = session.run("plan")
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "crmdefs: error: target 'prod': `sf org display --target-org acme` failed: No org configuration found — "
        "run `sf org login web --alias acme`"
    )
    assert leaks([SF_TOKEN], session.shown, tmp_path, ignore=("bin/sf",)) == []  # the fake sf holds it


def test_debug_output_redacts_library_logs_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    # Values that no Secret registered: the patterns alone must catch them.
    session_id = "00Dxx0000001gPL!AR8AQJXg5oKpQmUvS3cr3tv2xYz"
    private_app = "pat-eu1-1f2e3d4c-5b6a-7980-aabb-ccddeeff0011"
    debuglog.enable()
    try:
        logging.getLogger("zeep.transports").debug(
            "HTTP Post to %s:\n%s",
            "https://acme.my.salesforce.com/services/Soap/m/62.0",
            f"<urn:SessionHeader><urn:sessionId>{session_id}</urn:sessionId></urn:SessionHeader>",
        )
        logging.getLogger("urllib3.connectionpool").debug(
            'https://login.salesforce.com:443 "GET /x?access_token=%s&sid=%s HTTP/1.1" 200',
            private_app,
            session_id,
        )
        logging.getLogger("simple_salesforce.api").debug(
            "headers %s cookies %s body %s",
            {"Authorization": f"Bearer {session_id}"},
            f"sid={session_id}; path=/",
            json.dumps({"password": "hunter2-and-more", "client_secret": "0123456789ABCDEF"}),
        )
        try:
            raise RuntimeError(f"boom: Authorization: Bearer {private_app}")
        except RuntimeError as exc:
            debuglog.log_exception(exc, "internal error")
    finally:
        debuglog.disable()
    err = capsys.readouterr().err
    for secret in (session_id, private_app, "hunter2-and-more", "0123456789ABCDEF", "AR8AQJXg5oKp"):
        assert secret not in err
    assert "<urn:sessionId>***</urn:sessionId>" in err
    assert "access_token=***&sid=***" in err
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom: Authorization: ***" in err
    assert "'password': '***'" in err or '"password": "***"' in err


def test_debug_is_on_for_one_command_only(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    original = HTTPConnectionPool.urlopen
    assert run_cli("--debug", "validate").err.startswith("debug: crmdefs: crmdefs ")
    assert HTTPConnectionPool.urlopen is original
    assert "debug:" not in run_cli("validate").err
    monkeypatch.setenv("CRMDEFS_DEBUG", "1")
    assert "debug: crmdefs:" in run_cli("validate").err
    monkeypatch.setenv("CRMDEFS_DEBUG", "0")
    assert "debug:" not in run_cli("validate").err
