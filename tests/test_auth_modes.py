"""Every Salesforce sign-in mode reaches the org. The login hop goes to login.salesforce.com, which
simple-salesforce hard-codes (https://{domain}.salesforce.com), so `responses` answers that one request;
everything after it goes over real TLS to the sandbox."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import RunCli, write_files

TERM = "kind: term\nid: a\nname: A\nstatus: approved\nsummary: Where the lead is.\ndefinition: d\n"
BINDING = "kind: field\nsalesforce: Lead.Status\nhelp_text: {term: a}\n"


@pytest.fixture
def org(tmp_path: Path) -> Iterator[SandboxInfo]:
    sandbox = Sandbox(tmp_path / "org", log_to_file=False)
    yield sandbox.start()
    sandbox.stop()


def project(tmp_path: Path, info: SandboxInfo, salesforce: str) -> None:
    write_files(
        tmp_path,
        {
            "definitions/a.yaml": TERM + "---\n" + BINDING,
            "crmdefs.yaml": f"targets:\n  prod:\n    salesforce: {salesforce}\n    ca_bundle: {info.ca_bundle}\n",
        },
    )


def plans_the_field(run_cli: RunCli) -> None:
    result = run_cli("plan", "--target", "prod")
    assert result.code == 0, result.err
    assert "~ salesforce:Lead.Status" in result.out and "+ help_text:" in result.out


def test_access_token_with_reqests_ca_bundle_set_in_the_environment(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # REQUESTS_CA_BUNDLE would override session.verify in requests
    # (docs/salesforce.md#sf-requests-ca-bundle-override): the target's ca_bundle must still win.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", org.access_token)
    project(tmp_path, org, f"{{instance_url: '{org.instance_url}'}}")
    plans_the_field(run_cli)


def test_password_login(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_PASSWORD", "hunter2-password")
    monkeypatch.setenv("SALESFORCE_SECURITY_TOKEN", "sectoken123")
    project(tmp_path, org, "{auth: password, username: ops@example.com, domain: test}")
    login = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
        'envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
        f"<serverUrl>{org.instance_url}/services/Soap/u/62.0/00D000000000001</serverUrl>"
        f"<sessionId>{org.access_token}</sessionId></result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    with responses.RequestsMock() as mock:
        mock.add_passthru("https://127.0.0.1")
        mock.add(responses.POST, "https://test.salesforce.com/services/Soap/u/62.0", body=login)
        result = run_cli("plan", "--target", "prod")
        sent = mock.calls[0].request.body
    assert result.code == 0, result.err
    assert b"ops@example.com" in (sent if isinstance(sent, bytes) else sent.encode())
    assert "hunter2" not in result.out + result.err and "sectoken123" not in result.out + result.err


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            requests.exceptions.ConnectionError("refused"),
            "the Salesforce password login could not be completed (ConnectionError) — check 'domain:'",
        ),
        (
            requests.exceptions.SSLError("self-signed certificate"),
            "the Salesforce login server's certificate is not trusted — if a corporate proxy inspects TLS, "
            "set 'ca_bundle:'",
        ),
    ],
    ids=["unreachable", "untrusted"],
)
def test_a_login_that_cannot_reach_salesforce_is_a_clear_error(
    run_cli: RunCli,
    tmp_path: Path,
    org: SandboxInfo,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    expected: str,
) -> None:
    monkeypatch.setenv("SALESFORCE_PASSWORD", "hunter2-password")
    monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "0")
    project(tmp_path, org, "{auth: password, username: ops@example.com, domain: test}")
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://test.salesforce.com/services/Soap/u/62.0", body=failure)
        result = run_cli("plan", "--target", "prod")
    assert result.code == 1
    assert expected in result.err and "Traceback" not in result.err and "internal error" not in result.err
    assert "hunter2" not in result.out + result.err


def test_jwt_bearer_login(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    monkeypatch.setenv("SALESFORCE_CLIENT_ID", "3MVG9connectedapp")
    project(tmp_path, org, "{auth: jwt, username: ops@example.com, key_file: server.key}")
    token = {"access_token": org.access_token, "instance_url": org.instance_url, "token_type": "Bearer"}
    with responses.RequestsMock() as mock:
        mock.add_passthru("https://127.0.0.1")
        mock.add(responses.POST, "https://login.salesforce.com/services/oauth2/token", json=token)
        plans_the_field(run_cli)
        assert "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in str(mock.calls[0].request.body)


REDACTED = "[REDACTED] Use 'sf org auth show-access-token' to view"


def fake_sf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, display: dict[str, Any], token: str | None
) -> None:
    """An `sf` on PATH that knows the org 'acme'. ``token`` None: a CLI older than `org auth
    show-access-token` (the command is unknown: exit 2, no JSON)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shown = json.dumps({"status": 0, "result": display})
    dedicated = json.dumps({"status": 0, "result": {"accessToken": token}})
    unknown = 'echo "Warning: org auth show-access-token is not a sf command." >&2; exit 2'
    fake = bin_dir / "sf"
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ "$1 $2 $4 $5" = "org display --target-org acme" ]; then echo \'{shown}\'; exit 0; fi\n'
        f'if [ "$1 $2 $3 $4 $5" = "org auth show-access-token --target-org acme" ]; then '
        + (f"echo '{dedicated}'; exit 0" if token is not None else unknown)
        + "; fi\n"
        'echo \'{"status": 1, "message": "No org configuration found"}\'; exit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_reuse_of_an_sf_cli_login(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CLI before 2.136.8: `org display` still prints the token, `org auth show-access-token` is unknown.
    fake_sf(tmp_path, monkeypatch, {"accessToken": org.access_token, "instanceUrl": org.instance_url}, None)
    project(tmp_path, org, "{auth: sf_cli, sf_alias: acme}")
    plans_the_field(run_cli)


def test_sf_cli_login_on_a_cli_that_redacts_the_token_in_org_display(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # sf 2.136.8 and later (docs/salesforce.md#sf-cli-token-redacted): the token comes from
    # `sf org auth show-access-token`; the placeholder is never sent as a token.
    fake_sf(
        tmp_path, monkeypatch, {"accessToken": REDACTED, "instanceUrl": org.instance_url}, org.access_token
    )
    project(tmp_path, org, "{auth: sf_cli, sf_alias: acme}")
    plans_the_field(run_cli)


def test_a_redacted_token_and_no_way_to_show_it_names_the_command_to_run(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sf(tmp_path, monkeypatch, {"accessToken": REDACTED, "instanceUrl": org.instance_url}, None)
    project(tmp_path, org, "{auth: sf_cli, sf_alias: acme}")
    result = run_cli("plan", "--target", "prod")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: target 'prod': `sf org auth show-access-token --target-org acme` gave no access "
        "token — run `sf org login web --alias acme`, or update the Salesforce CLI\n"
    )


def test_missing_sf_cli_and_missing_token_say_what_to_do(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    project(tmp_path, org, "{auth: sf_cli, sf_alias: acme}")
    result = run_cli("plan", "--target", "prod")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: target 'prod': auth 'sf_cli' needs the Salesforce CLI (`sf`) on PATH — "
        "install it or use another auth mode\n"
    )
    monkeypatch.delenv("SALESFORCE_ACCESS_TOKEN", raising=False)
    project(tmp_path, org, f"{{instance_url: '{org.instance_url}'}}")
    result = run_cli("plan", "--target", "prod")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: target 'prod': the Salesforce access token is missing — set the "
        "environment variable SALESFORCE_ACCESS_TOKEN (or name another variable in crmdefs.yaml)\n"
    )
