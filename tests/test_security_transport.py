"""Security proofs for the connection, each with the real CLI: plain http:// is refused except on loopback,
URLs may not carry credentials, and TLS verification is never off — a CRM or webhook with an untrusted
certificate is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox
from crmdefs.sandbox.tls import ensure_tls

from .conftest import REPO, RunCli, write_files
from .malformed_cases import Answer, answering
from .security_helpers import TERM_AND_BINDING, project

# --- plain http, credentials in URLs, TLS --------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "url", "refused"),
    [
        (
            "salesforce: {instance_url: 'http://acme.my.salesforce.com'}",
            "http://acme.my.salesforce.com",
            True,
        ),
        ("hubspot: {base_url: 'http://api.hubapi.com'}", "http://api.hubapi.com", True),
        ("hubspot: {base_url: 'http://localhost.example.com'}", "not loopback, despite its name", True),
        ("salesforce: {instance_url: 'http://127.0.0.1.nip.io'}", "not loopback, despite its name", True),
        ("salesforce: {instance_url: 'http://10.0.0.8:8443'}", "a private address is not loopback", True),
        ("salesforce: {instance_url: 'http://127.0.0.1:8443'}", "loopback", False),
        ("hubspot: {base_url: 'http://localhost:8080'}", "loopback", False),
        ("hubspot: {base_url: 'http://[::1]:8080'}", "loopback", False),
    ],
)
def test_plain_http_is_refused_except_on_loopback(
    run_cli: RunCli, tmp_path: Path, section: str, url: str, refused: bool
) -> None:
    write_files(
        tmp_path,
        {"definitions/a.yaml": TERM_AND_BINDING, "crmdefs.yaml": f"targets:\n  prod:\n    {section}\n"},
    )
    result = run_cli("validate")
    assert result.code == (1 if refused else 0), result.err
    problem = (
        "plain http:// is allowed only for localhost; credentials would travel unencrypted — use https://"
    )
    assert (problem in result.err) is refused


@pytest.mark.parametrize(
    ("webhook", "message"),
    [
        (
            "http://hooks.example.com/services/T0001/B0001/SECRETHOOK9f2c",
            "crmdefs: error: --webhook http://hooks.example.com/…: plain http:// is allowed only for localhost; "
            "credentials would travel unencrypted — use https://",
        ),
        (
            "https://bot:SECRETHOOK9f2c@chat.example.com/hook",
            "crmdefs: error: --webhook https://chat.example.com/…: a URL must not hold a user name or password — "
            "remove them; credentials come only from environment variables",
        ),
    ],
)
def test_a_webhook_over_plain_http_or_with_credentials_is_refused_before_any_call(
    run_cli: RunCli, tmp_path: Path, webhook: str, message: str
) -> None:
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    result = run_cli("--debug", "drift", "--webhook", webhook)
    assert result.code == 1
    assert result.err.splitlines()[-1] == message
    assert "SECRETHOOK9f2c" not in result.out + result.err  # a webhook URL is itself a secret
    assert not (tmp_path / ".crmdefs").exists()  # refused before the sandbox was even started


def test_a_webhook_url_never_shows_in_debug_output(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    with answering(Answer(500, "text/plain", b"no"), None) as url:  # plain http on loopback is allowed
        result = run_cli("--debug", "drift", "--webhook", url + "/services/T1/B1/SECRETHOOK9f2c")
    assert result.code == 1
    assert "the drift report could not be posted to the webhook (HTTPError)" in result.err
    assert "debug: crmdefs.http: POST *** → 500" in result.err  # the request is logged, its URL is not
    assert "SECRETHOOK9f2c" not in result.out + result.err


def test_a_crm_with_an_untrusted_certificate_is_refused(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = Sandbox(tmp_path / "org")
    info = sandbox.start()
    try:
        monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", info.access_token)
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", info.access_token)
        monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "0")
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        for ca_bundle in (ensure_tls(tmp_path / "another-ca").ca, None):  # another CA; the system's CAs
            project(tmp_path, info, ca_bundle)
            if ca_bundle is None:
                text = (tmp_path / "crmdefs.yaml").read_text()
                (tmp_path / "crmdefs.yaml").write_text(re.sub(r"    ca_bundle: .*\n", "", text))
            salesforce = run_cli("plan", "--only", "salesforce:Lead.Status")
            assert salesforce.code == 1
            assert salesforce.err.splitlines()[-1] == (
                "crmdefs: error: target 'prod': the certificate of the Salesforce org is not trusted — if a "
                "corporate proxy inspects TLS, set 'ca_bundle:' for this target in crmdefs.yaml"
            )
            hubspot = run_cli("plan", "--only", "hubspot:deals.dealtype")
            assert hubspot.code == 1
            assert hubspot.err.splitlines()[-1] == (
                "crmdefs: error: target 'prod': reading the properties of deals: the TLS connection failed — check "
                "the target's base_url and ca_bundle"
            )
        assert sandbox.log.entries == []  # no request got past the handshake
    finally:
        sandbox.stop()


def test_a_webhook_with_an_untrusted_certificate_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    tls = ensure_tls(tmp_path / "tls")  # a private CA nobody trusts
    with answering(Answer(200, "text/plain", b"ok"), tls) as url:
        result = run_cli("drift", "--webhook", url + "/hook")
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "crmdefs: error: the drift report could not be posted to the webhook (SSLError) — check the URL; the "
        "report itself is above"
    )


def test_no_code_turns_tls_verification_off() -> None:
    forbidden = re.compile(
        r"verify\s*=\s*False|CERT_NONE|_create_unverified_context|check_hostname\s*=\s*False"
        r"|verify_ssl\s*=\s*False|disable_warnings|InsecureRequestWarning|PYTHONHTTPSVERIFY"
    )
    sources = sorted((REPO / "src").rglob("*.py"))
    assert len(sources) > 30
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert found == []
