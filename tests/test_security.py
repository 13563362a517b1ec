"""Security proofs, each with the real CLI against the sandbox over real TLS:

- no access token, password, security token or session id reaches stdout, stderr, the --debug output, the
  sandbox's request log, or any file crmdefs writes (plans, backups, state files, drift reports and
  baselines, imports, mappings, docs) — on success, on a wrong token, a refused login and an API error in
  the middle of an apply; the sandbox's own token appears only in its own state.json and sandbox.json;
- plain http:// is refused except on loopback, and URLs may not carry credentials;
- TLS verification is never off: a CRM or webhook with an untrusted certificate is refused;
- every output path is exactly the one the user named.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from urllib3.connectionpool import HTTPConnectionPool

from crmdefs import debuglog
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.service import Sandbox, SandboxInfo
from crmdefs.sandbox.tls import ensure_tls

from .conftest import REPO, Result, RunCli, write_files
from .test_malformed_inputs import Answer, answering

SF_TOKEN = "SECRET-TOKEN-9f2c41d7-salesforce"
HS_TOKEN = "pat-na1-9f2c41d7-5e0b-SECRET-hubspot"  # shaped like a HubSpot private app token
PASSWORD = "SECRET-PASSWORD-9f2c-correct-horse"
SECURITY_TOKEN = "SECRET-SECTOKEN-9f2c41d7"
# Credentials that slipped past every filter: a Bearer value, a SOAP session header, a token parameter.
UNREDACTED = re.compile(
    r"(?i)\bbearer\s+(?!\*\*\*)[\w.!-]{6,}|sessionId>(?!\*\*\*<)[^<]+<|access_token=(?!\*\*\*)[^&\s]+"
)
SANDBOX_OWN = ("org/state.json", "org/sandbox.json")  # the sandbox keeps its token there, by design


@pytest.fixture
def org(tmp_path: Path) -> Iterator[SandboxInfo]:
    """The sandbox as a configured target would meet it: its own process state, its requests.log."""
    sandbox = Sandbox(tmp_path / "org")
    yield sandbox.start()
    sandbox.stop()


def project(tmp_path: Path, info: SandboxInfo, ca_bundle: Path | None = None) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions", dirs_exist_ok=True)
    ca = ca_bundle if ca_bundle is not None else info.ca_bundle
    (tmp_path / "crmdefs.yaml").write_text(
        "targets:\n  prod:\n"
        f"    salesforce: {{instance_url: '{info.instance_url}'}}\n"
        f"    hubspot: {{base_url: '{info.base_url}'}}\n"
        f"    ca_bundle: {ca}\n",
        encoding="utf-8",
    )


class Session:
    """Runs commands and keeps everything they showed, to search it for secrets afterwards."""

    def __init__(self, run_cli: RunCli, debug: bool) -> None:
        self.run_cli, self.debug = run_cli, debug
        self.shown: dict[str, str] = {}

    def run(self, *args: str) -> Result:
        result = self.run_cli(*(("--debug",) if self.debug else ()), *args)
        self.shown[" ".join(args)] = result.out + result.err
        if not self.debug:  # with --debug, the cause of an error comes with its (redacted) traceback
            assert "Traceback" not in result.err, result.err
        return result


def leaks(
    secrets: list[str], shown: dict[str, str], root: Path, ignore: tuple[str, ...] = SANDBOX_OWN
) -> list[str]:
    """Where any of ``secrets`` (or an unredacted credential) appears: in what commands showed, and in
    every file under ``root`` except ``ignore`` (the sandbox's own state)."""
    texts = {f"output of `crmdefs {command}`": text for command, text in shown.items()}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and name not in ignore:
            texts[name] = path.read_bytes().decode("utf-8", "replace")
    found = [
        f"{where}: {secret[:12]}…" for where, text in texts.items() for secret in secrets if secret in text
    ]
    found += [
        f"{where}: {m.group(0)[:20]}…" for where, text in texts.items() for m in UNREDACTED.finditer(text)
    ]
    return found


def written_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "org" not in p.parts}


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
        r"debug: crmdefs\.http: PATCH https://127\.0\.0\.1:\d+/crm/v3/properties/deals/\w+ → 200", everything
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
    assert "HubSpot rejected the access token (401)" in hubspot.err
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


# --- plain http, credentials in URLs, TLS --------------------------------------------------------------

TERM_AND_BINDING = (
    "kind: term\nid: a\nname: A\nstatus: approved\nsummary: S.\ndefinition: d\n---\n"
    "kind: field\nsalesforce: Lead.Status\nhelp_text: {term: a}\n"
)


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


# --- output paths ------------------------------------------------------------------------------------


def test_docs_out_writes_only_the_glossary_into_the_directory_named(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    before = written_files(tmp_path)
    assert run_cli("docs", "--out", "public/glossary").code == 0
    assert run_cli("docs", "--format", "html", "--out", "site").code == 0
    assert written_files(tmp_path) - before == {"public/glossary/glossary.md", "site/glossary.html"}


@pytest.mark.parametrize("name", ["../../outside", "prod/eu", ".hidden", "a\\b", "c:d", "..", "prod eu"])
def test_target_names_that_could_name_a_path_are_refused(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    # Backups and state files are named after the target (.crmdefs/backups/<target>/, .crmdefs/state/<target>.json).
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    (tmp_path / "crmdefs.yaml").write_text(f"targets:\n  {json.dumps(name)}:\n    hubspot: {{}}\n")
    result = run_cli("apply", "--auto-approve", "--target", name)
    assert result.code == 1
    assert "is not a valid name in targets — use letters, digits, '-' and '_'" in result.err
    assert not (tmp_path / ".crmdefs").exists()


def test_every_output_path_is_exactly_the_one_named(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", org.access_token)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", org.access_token)
    project(tmp_path, org)
    mapping = ("--from", "hubspot:deals.closed_lost_reason", "--to", "hubspot:deals.closed_lost_reason_code")
    for args, path in [
        (("plan", "-o", "plans/prod.json"), "plans/prod.json"),
        (("drift", "--out", "reports/drift.md"), "reports/drift.md"),
        (("drift", "--write-baseline", "known/baseline.json"), "known/baseline.json"),
        (
            ("import", "--object", "Lead", "--definitions", "fresh", "--out", "imports/lead.yaml"),
            "imports/lead.yaml",
        ),
        (("suggest-mapping", *mapping, "--out", "review/mapping.yaml"), "review/mapping.yaml"),
    ]:
        before = written_files(tmp_path)
        assert run_cli(*args).code in (0, 2)
        assert written_files(tmp_path) - before == {path}, args

    before = written_files(tmp_path)
    assert run_cli("apply", "--auto-approve").code == 0
    new = written_files(tmp_path) - before
    assert {n for n in new if not n.startswith(".crmdefs/backups/prod/")} == {".crmdefs/state/prod.json"}
    assert len(new) == 2 and all(re.fullmatch(r"[\w.]+\.json", Path(n).name) for n in new)
