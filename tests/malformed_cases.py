"""The pieces of the malformed-input table (tests/test_malformed_inputs.py): a Case and the Answer the tiny
CRM server gives, the valid targets, plan, backup and mapping each case breaks one thing of, the commands
that read them, and the tiny server itself (the sandbox's TLS helper for its certificate), which answers
every request with the same bytes so the real clients read them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crmdefs.sandbox.tls import TlsFiles

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
