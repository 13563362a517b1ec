"""Malformed inputs of every kind crmdefs reads — crmdefs.yaml, definitions, saved plans, backups, drift
baselines, mapping files, the environment, and CRM answers that are not JSON or SOAP — each get one clear
error that says where and what to do: exit 1, no traceback, and nothing written.

CRM answers come from a tiny HTTPS server (the sandbox's TLS helper for its certificate) that answers
every request with the same bytes; the real clients read them. tests/test_validate_errors.py,
tests/test_config.py and tests/test_hostile_files.py hold more definitions and crmdefs.yaml cases.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crmdefs.sandbox.tls import TlsFiles, ensure_tls

from .conftest import RunCli

DEFINITIONS = """\
kind: picklist
id: reasons
name: Reasons
values:
  - {value: price, label: Price}
  - {value: timing, label: Timing}
---
kind: field
hubspot: deals.closed_lost_reason_code
picklist: reasons
create: {label: Reason code, type: enumeration, field_type: select, group: dealinformation}
---
kind: term
id: a
name: A
status: approved
summary: S.
definition: d
---
kind: field
hubspot: deals.reason_notes
description: {term: a}
---
kind: field
salesforce: Lead.Status
help_text: {term: a}
"""
SF_TARGET = "targets:\n  prod:\n    salesforce: {instance_url: '<url>'}\n    ca_bundle: <ca>\n"
HS_TARGET = "targets:\n  prod:\n    hubspot: {base_url: '<url>'}\n    ca_bundle: <ca>\n"
PLAN_FIELD = {"address": "salesforce:Lead.Status", "action": "update", "fingerprint": "sha256:0"}
PLAN = {
    "format_version": "1.0",
    "target": "sandbox",
    "definitions_digest": "sha256:0",
    "created_at": "2026-01-01T00:00:00+00:00",
    "fields": [PLAN_FIELD],
}
BACKUP = {
    "target": "sandbox",
    "created_at": "20260101T000000.000000Z",
    "fields": [{"address": "salesforce:Lead.Status", "exists": True, "help_text": "Old."}],
}
MAPPING_HEAD = (
    "kind: mapping\nformat: 1\nsource: hubspot:deals.closed_lost_reason\n"
    "target: hubspot:deals.closed_lost_reason_code\npicklist: reasons\n"
)
APPLY_PLAN = ("apply", "p.json")
REVERT = ("revert", "b.json", "--auto-approve")
DRIFT = ("drift", "--baseline", "bl.json")
MAP = ("apply", "--migrate-records", "--auto-approve", "--mapping", "m.yaml")
SF_PLAN = ("plan", "--only", "salesforce:Lead.Status")
HS_PLAN = ("plan", "--only", "hubspot:deals.reason_notes")


def changed(base: dict[str, object], **changes: object) -> str:
    """``base`` as JSON, with top-level keys replaced (a value of ... drops the key)."""
    data = {k: v for k, v in {**base, **changes}.items() if v is not ...}
    return json.dumps(data, indent=2)


@dataclass(frozen=True)
class Answer:
    """What the tiny CRM server answers to every request."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    error: str  # the one error line on stderr
    files: dict[str, str | bytes] = field(default_factory=dict)  # <url>, <ca>: the tiny CRM server's
    answer: Answer | None = None
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    # --- crmdefs.yaml (kinds beyond tests/test_config.py) -------------------------------------------
    Case(
        "config: an empty crmdefs.yaml",
        ("validate",),
        "crmdefs.yaml:1:1: is empty — add 'targets:' (see README 'Configuration and credentials') or delete it "
        "to use the defaults",
        {"crmdefs.yaml": "# nothing yet\n"},
    ),
    Case(
        "config: a target name with a slash",
        ("validate",),
        "crmdefs.yaml:2:3: 'prod/eu' is not a valid name in targets — use letters, digits, '-' and '_'",
        {"crmdefs.yaml": "targets:\n  prod/eu:\n    hubspot: {}\n"},
    ),
    Case(
        "config: a target named ..",
        ("validate",),
        "crmdefs.yaml:2:3: '..' is not a valid name in targets — use letters, digits, '-' and '_'",
        {"crmdefs.yaml": "targets:\n  '..':\n    hubspot: {}\n"},
    ),
    Case(
        "config: a target that is null",
        ("validate",),
        "crmdefs.yaml:2:8: 'targets.prod' must be a mapping (a target), not nothing (null) — write 'key: value' "
        "lines indented under it",
        {"crmdefs.yaml": "targets:\n  prod:\n"},
    ),
    Case(
        "config: a URL holding a user name and password",
        ("validate",),
        "crmdefs.yaml:3:32: a URL must not hold a user name or password — remove them; credentials come only "
        "from environment variables",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {instance_url: 'https://ops:pw@acme.my.salesforce.com'}\n"
        },
    ),
    Case(
        "config: a ca_bundle that does not exist",
        SF_PLAN,
        "crmdefs: error: target 'prod': ca_bundle 'certs/corp.pem' cannot be read (No such file or directory) — "
        "fix 'ca_bundle:' in crmdefs.yaml (paths are relative to crmdefs.yaml)",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {instance_url: 'https://a.my.salesforce.com'}\n"
            "    ca_bundle: certs/corp.pem\n"
        },
        env={"SALESFORCE_ACCESS_TOKEN": "t0ken-value"},
    ),
    Case(
        "config: a ca_bundle that holds no certificate",
        SF_PLAN,
        "crmdefs: error: target 'prod': ca_bundle 'notes.txt' is not a PEM file of certificates — fix "
        "'ca_bundle:' in crmdefs.yaml",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {instance_url: 'https://a.my.salesforce.com'}\n"
            "    ca_bundle: notes.txt\n",
            "notes.txt": "ask IT for the proxy certificate\n",
        },
        env={"SALESFORCE_ACCESS_TOKEN": "t0ken-value"},
    ),
    Case(
        "config: a JWT key_file that does not exist",
        SF_PLAN,
        "crmdefs: error: target 'prod': key_file 'server.key' cannot be read (No such file or directory) — fix "
        "'key_file:' in crmdefs.yaml (paths are relative to crmdefs.yaml)",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {auth: jwt, username: ops@example.com, key_file: "
            "server.key}\n"
        },
        env={"SALESFORCE_CLIENT_ID": "3MVG9connectedapp"},
    ),
    Case(
        "config: a JWT key_file that is a certificate, not a private key",
        SF_PLAN,
        "crmdefs: error: target 'prod': key_file 'server.crt' is not a PEM private key — fix 'key_file:' in "
        "crmdefs.yaml",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {auth: jwt, username: ops@example.com, key_file: "
            "server.crt}\n",
            "server.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        },
        env={"SALESFORCE_CLIENT_ID": "3MVG9connectedapp"},
    ),
    # --- the environment and the command line -------------------------------------------------------
    Case(
        "env: CRMDEFS_MAX_RETRIES that is not a number",
        SF_PLAN,
        "crmdefs: error: CRMDEFS_MAX_RETRIES must be a whole number from 0 to 20, not 'five'",
        env={"CRMDEFS_MAX_RETRIES": "five"},
    ),
    Case(
        "cli: --only with an address that names no CRM",
        ("plan", "--only", "Lead.Status"),
        "crmdefs: error: 'Lead.Status' is not a field address — write salesforce:Object.Field or "
        "hubspot:objectType.property",
    ),
    Case(
        "cli: --definitions naming a file",
        ("validate", "--definitions", "definitions/a.yaml"),
        "crmdefs: error: 'definitions/a.yaml' is not a directory — point --definitions at the folder holding "
        "your *.yaml definitions",
    ),
    # --- definitions (kinds beyond tests/test_validate_errors.py and test_hostile_files.py) -----------
    Case(
        "definitions: a tab used for indentation",
        ("validate",),
        "definitions/b.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token — fix the "
        "YAML syntax (indentation, quotes, colons)",
        {"definitions/b.yaml": "kind: term\n\tid: b\n"},
    ),
    Case(
        "definitions: picklist values that are not a list",
        ("validate",),
        "definitions/b.yaml:4:9: 'values' must be a list of mapping (a picklist value) items, not the number 5 — write it as "
        "[a, b] or one '- item' per line",
        {"definitions/b.yaml": "kind: picklist\nid: b\nname: B\nvalues: 5\n"},
    ),
    # --- saved plans (apply PLANFILE) ------------------------------------------------------------------
    Case(
        "plan file: not JSON",
        APPLY_PLAN,
        "crmdefs: error: p.json:1:1: not a usable crmdefs plan (not valid JSON: Expecting value) — make a new "
        "one with `crmdefs plan -o FILE`",
        {"p.json": "Plan: 1 to add, 0 to change\n"},
    ),
    Case(
        "plan file: cut off",
        APPLY_PLAN,
        "crmdefs: error: p.json:4:25: not a usable crmdefs plan (not valid JSON: Unterminated string starting "
        "at) — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN)[:80]},
    ),
    Case(
        "plan file: not UTF-8",
        APPLY_PLAN,
        "crmdefs: error: cannot read plan file p.json ('utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte) — make one with `crmdefs plan -o FILE`",
        {"p.json": b"\xff\xfe{}"},
    ),
    Case(
        "plan file: an array",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (it holds an array, not a JSON object) — make a new "
        "one with `crmdefs plan -o FILE`",
        {"p.json": "[]"},
    ),
    Case(
        "plan file: another format_version",
        APPLY_PLAN,
        "crmdefs: error: p.json: plan format 2.0 is not supported (this crmdefs reads 1.x) — make a new plan "
        "with `crmdefs plan -o`",
        {"p.json": changed(PLAN, format_version="2.0")},
    ),
    Case(
        "plan file: the target missing",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (the key 'target' is missing) — make a new one with "
        "`crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, target=...)},
    ),
    Case(
        "plan file: fields that are not a list",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan ('fields' must be a JSON array) — make a new one "
        "with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields={"salesforce:Lead.Status": {}})},
    ),
    Case(
        "plan file: an action apply does not know",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (fields[0] (salesforce:Lead.Status): action 'delete' "
        "is not one of create, update, none) — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields=[{**PLAN_FIELD, "action": "delete"}])},
    ),
    Case(
        "plan file: a field without its fingerprint",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (fields[0] (salesforce:Lead.Status) lacks the key "
        "'fingerprint') — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields=[{"address": "salesforce:Lead.Status", "action": "update"}])},
    ),
    Case(
        "plan file: usage counts that are not numbers",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (fields[0] (salesforce:Lead.Status): invalid literal "
        "for int() with base 10: 'many') — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields=[{**PLAN_FIELD, "usage": {"New": "many"}}])},
    ),
    Case(
        "plan file: a before-state of the wrong type",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (before['salesforce:Lead.Status'] holds a value of the "
        "wrong type) — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, before={"salesforce:Lead.Status": 7})},
    ),
    Case(
        "plan file: made for another target",
        (*APPLY_PLAN, "--target", "sandbox"),
        "crmdefs: error: p.json was made for target 'production', not 'sandbox' — drop --target or make a new "
        "plan for that target",
        {"p.json": changed(PLAN, target="production")},
    ),
    # --- backups (revert BACKUP) -----------------------------------------------------------------------
    Case(
        "backup: not JSON",
        REVERT,
        "crmdefs: error: b.json:1:1: not a usable crmdefs backup (not valid JSON: Expecting value) — pick a file "
        "from .crmdefs/backups/<target>/",
        {"b.json": "<html>Not found</html>"},
    ),
    Case(
        "backup: cut off",
        REVERT,
        "crmdefs: error: b.json:6:7: not a usable crmdefs backup (not valid JSON: Unterminated string starting at) — "
        "pick a file from .crmdefs/backups/<target>/",
        {"b.json": changed(BACKUP)[:100]},
    ),
    Case(
        "backup: the fields missing",
        REVERT,
        "crmdefs: error: b.json: not a usable crmdefs backup (the key 'fields' is missing) — pick a file from "
        ".crmdefs/backups/<target>/",
        {"b.json": changed(BACKUP, fields=...)},
    ),
    Case(
        "backup: picklist values of the wrong shape",
        REVERT,
        "crmdefs: error: b.json: not a usable crmdefs backup (fields[0] (salesforce:Lead.Status) holds a value "
        "of the wrong type) — pick a file from .crmdefs/backups/<target>/",
        {
            "b.json": changed(
                BACKUP, fields=[{"address": "salesforce:Lead.Status", "values": [{"name": "New"}]}]
            )
        },
    ),
    Case(
        "backup: a record with a malformed address",
        REVERT,
        "crmdefs: error: b.json: not a usable crmdefs backup (records[0] (Lead.Status): 'Lead.Status' is not a "
        "field address) — pick a file from .crmdefs/backups/<target>/",
        {
            "b.json": changed(
                BACKUP, records=[{"address": "Lead.Status", "id": "00Q1", "old": "a", "new": "b"}]
            )
        },
    ),
    Case(
        "backup: for a target that is not configured (a path, even)",
        REVERT,
        "crmdefs: error: unknown target '../../elsewhere' — known targets: sandbox (define targets in "
        "crmdefs.yaml)",
        {"b.json": changed(BACKUP, target="../../elsewhere")},
    ),
    Case(
        "backup: a file that does not exist",
        ("revert", "missing.json"),
        "crmdefs: error: cannot read backup missing.json (No such file or directory) — backups are in "
        ".crmdefs/backups/<target>/",
    ),
    # --- drift baselines (drift --baseline) ----------------------------------------------------------
    Case(
        "baseline: not JSON",
        DRIFT,
        "crmdefs: error: bl.json:1:2: not a usable drift baseline (not valid JSON: Expecting property name "
        "enclosed in double quotes) — write one with `crmdefs drift --write-baseline FILE`",
        {"bl.json": "{entries: []}"},
    ),
    Case(
        "baseline: no entries",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline (the key 'entries' is missing) — write one with "
        "`crmdefs drift --write-baseline FILE`",
        {"bl.json": '{"format_version": "1.0"}'},
    ),
    Case(
        "baseline: entries that are not a list",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline ('entries' must be a JSON array) — write one with "
        "`crmdefs drift --write-baseline FILE`",
        {"bl.json": '{"format_version": "1.0", "entries": "none"}'},
    ),
    Case(
        "baseline: an expiry date that does not exist",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline (entries[0] (salesforce:Lead.Status): month must "
        "be in 1..12) — write one with `crmdefs drift --write-baseline FILE`",
        {
            "bl.json": json.dumps(
                {
                    "format_version": "1.0",
                    "entries": [
                        {
                            "target": "sandbox",
                            "address": "salesforce:Lead.Status",
                            "item": "help_text",
                            "key": "k",
                            "expires": "2026-13-01",
                        }
                    ],
                }
            )
        },
    ),
    Case(
        "baseline: another format_version",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline (format_version 2.0 is not 1.x) — write one with "
        "`crmdefs drift --write-baseline FILE`",
        {"bl.json": '{"format_version": "2.0", "entries": []}'},
    ),
    Case(
        "baseline: a file that does not exist",
        ("drift", "--baseline", "missing.json"),
        "crmdefs: error: cannot read the drift baseline missing.json (No such file or directory) — check "
        "--baseline, or write one with `crmdefs drift --write-baseline FILE`",
    ),
    # --- mapping files (apply --mapping) ---------------------------------------------------------------
    Case(
        "mapping: an empty file",
        MAP,
        "m.yaml:1:1: is empty — write one with `crmdefs suggest-mapping`",
        {"m.yaml": ""},
    ),
    Case(
        "mapping: not a mapping file",
        MAP,
        "m.yaml:1:1: is not a crmdefs mapping file (it has no 'kind: mapping') — write one with `crmdefs "
        "suggest-mapping`",
        {"m.yaml": "- Price\n- Timing\n"},
    ),
    Case(
        "mapping: another format",
        MAP,
        "m.yaml:2:9: mapping format 2 is not supported (this crmdefs reads 1) — make a new one with `crmdefs "
        "suggest-mapping`",
        {"m.yaml": MAPPING_HEAD.replace("format: 1", "format: 2") + "entries: []\n"},
    ),
    Case(
        "mapping: a source that is not an address",
        MAP,
        "m.yaml:3:9: 'source' must be a HubSpot property address such as hubspot:deals.closed_lost_reason, not "
        "'closed_lost_reason' — fix the file, or make a new one with `crmdefs suggest-mapping`",
        {"m.yaml": MAPPING_HEAD.replace("source: hubspot:deals.", "source: ") + "entries: []\n"},
    ),
    Case(
        "mapping: a Salesforce target",
        MAP,
        "m.yaml:4:9: 'target' must be a HubSpot property address such as hubspot:deals.closed_lost_reason, not "
        "'salesforce:Lead.Status' — fix the file, or make a new one with `crmdefs suggest-mapping`",
        {
            "m.yaml": MAPPING_HEAD.replace("hubspot:deals.closed_lost_reason_code", "salesforce:Lead.Status")
            + "entries: []\n"
        },
    ),
    Case(
        "mapping: entries that are not a list",
        MAP,
        "m.yaml:6:10: 'entries' must be a list of {text, records, code} — fix the file, or make a new one with "
        "`crmdefs suggest-mapping`",
        {"m.yaml": MAPPING_HEAD + "entries: 5\n"},
    ),
    Case(
        "mapping: a code the picklist does not have",
        MAP,
        "m.yaml:7:42: entry 1 ('Too pricey'): code 'expensive' is not one of price, timing — choose one of them, "
        "or null to skip",
        {"m.yaml": MAPPING_HEAD + "entries:\n  - {text: Too pricey, records: 3, code: expensive}\n"},
    ),
    Case(
        "mapping: two YAML documents",
        MAP,
        "m.yaml:8:1: holds more than one YAML document — keep one",
        {"m.yaml": MAPPING_HEAD + "entries: []\n---\n" + MAPPING_HEAD},
    ),
    # --- CRM answers that are not JSON or SOAP ------------------------------------------------------
    Case(
        "HubSpot GET properties: an HTML page",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, text/html) "
        "is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "text/html", b"<html><body>Sign in to the proxy</body></html>"),
    ),
    Case(
        "HubSpot GET properties: an empty body",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/json) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/json", b""),
    ),
    Case(
        "HubSpot GET properties: cut-off JSON",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/json) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/json", b'{"results": [{"name": "reason_notes", "lab'),
    ),
    Case(
        "HubSpot GET properties: garbage bytes",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/octet-stream) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/octet-stream", bytes(range(256))),
    ),
    Case(
        "HubSpot GET properties: JSON that is not an object",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/json) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/json", b'["reason_notes"]'),
    ),
    Case(
        "Salesforce readMetadata: an HTML page",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with something that is not a SOAP message "
        "(XMLSyntaxError) — check that instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(200, "text/html", b"<html><body>Sign in to the proxy</body></html>"),
    ),
    Case(
        "Salesforce readMetadata: an empty body",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with something that is not a SOAP message "
        "(TransportError) — check that instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(200, "text/xml", b""),
    ),
    Case(
        "Salesforce readMetadata: cut-off XML",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with something that is not a SOAP message "
        "(XMLSyntaxError) — check that instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(
            200,
            "text/xml",
            b'<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org',
        ),
    ),
    Case(
        "Salesforce readMetadata: an HTML error page with status 500",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with an error page instead of a SOAP fault (it may be "
        "down for maintenance, or instance_url may not be the org's URL) — run again later, or check instance_url",
        {"crmdefs.yaml": SF_TARGET},
        Answer(500, "text/html", b"<html><body>Internal error</body></html>"),
    ),
    Case(
        "Salesforce describe: an HTML page",
        ("import", "--object", "Lead", "--out", "-"),
        "crmdefs: error: target 'prod': Salesforce answered with something that is not JSON — check that "
        "instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(200, "text/html", b"<html><body>Sign in to the proxy</body></html>"),
    ),
]


@contextmanager
def answering(answer: Answer, tls: TlsFiles | None) -> Iterator[str]:
    """A server on loopback that gives ``answer`` to every request (HTTPS with ``tls``, else plain
    HTTP); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = do_PATCH = _answer

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.server_context().wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_malformed_input_gets_one_clear_error_and_nothing_is_written(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    project = tmp_path / "project"
    (project / "definitions").mkdir(parents=True)
    (project / "definitions" / "a.yaml").write_text(DEFINITIONS, encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("CRMDEFS_MAX_RETRIES", "0")
    for name in ("SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "REQUESTS_CA_BUNDLE", "CRMDEFS_TARGET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "SALESFORCE_ACCESS_TOKEN": "t0ken-value",
        "HUBSPOT_ACCESS_TOKEN": "t0ken-value",
    }.items():
        monkeypatch.setenv(name, value)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    tls = ensure_tls(tmp_path / "tls")
    with answering(case.answer or Answer(599, "text/plain", b"not called"), tls) as url:
        for name, content in case.files.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content.replace("<url>", url).replace("<ca>", str(tls.ca)), encoding="utf-8")
        before = snapshot(project)
        result = run_cli(*case.args)
        after = snapshot(project)

    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    errors = [
        line
        for line in result.err.splitlines()
        if ": warning: " not in line and not line.startswith("crmdefs: 1 error, ")
    ]
    assert errors == [case.error]
    assert after == before  # nothing written, not even the sandbox's state


def test_there_are_at_least_30_kinds_of_malformed_input() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
