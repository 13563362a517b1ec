"""The HubSpot sandbox for its tests: one TLS server per test module that answers with the current test's
freshly seeded portal (fake clock, own state folder), and raw views of what it serves — exact JSON, status
and headers, JSON shapes, the recorded responses in tests/fixtures/hubspot/.

Test modules import this module's fixtures as ``x_fixture as x_fixture``: pytest looks a fixture up by its name
(``name=``) in the test module, and the redundant alias marks the import as a deliberate re-export.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.properties import ApiException, OptionInput

from crmdefs.sandbox.http import Request, RequestLog, Response, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.hubspot_seed import hubspot_seed
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import TlsFiles, ensure_tls

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hubspot"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
RATE_HEADERS = (
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def seed_state() -> dict[str, Any]:
    return {"salesforce": {}, "hubspot": hubspot_seed()}


class FakeClock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Sandbox:
    port: int
    tls: TlsFiles
    state: SandboxState
    clock: FakeClock
    log: RequestLog

    @property
    def host(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def client(self, token: str | None = None, **kwargs: Any) -> HubSpot:
        return HubSpot(
            access_token=token or self.state.token, host=self.host, ssl_ca_cert=str(self.tls.ca), **kwargs
        )

    def raw(self, method: str, path: str, body: Any = None, token: str | None = "default") -> Raw:
        """One request with http.client, to see the exact JSON, status and headers."""
        context = ssl.create_default_context(cafile=str(self.tls.ca))
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=10)
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {self.state.token if token == 'default' else token}"
        payload = json.dumps(body).encode() if body is not None else None
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return Raw(response.status, dict(response.getheaders()), json.loads(data) if data else None)
        finally:
            connection.close()


StartSandbox = Callable[..., Sandbox]


class Switch:
    """The module's one server answers with the current test's HubSpotApi (stopping a server costs 0.5 s)."""

    name = "hubspot"

    def __init__(self) -> None:
        self.target: HubSpotApi | None = None

    def handle(self, request: Request) -> Response:
        assert self.target is not None
        return self.target.handle(request)

    def injected(self, kind: str, request: Request | None = None) -> Response:
        assert self.target is not None
        return self.target.injected(kind, request)


@dataclass
class Shared:
    tls: TlsFiles
    switch: Switch
    log: RequestLog
    port: int


@pytest.fixture(scope="module", name="shared")
def shared_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    tls = ensure_tls(tmp_path_factory.mktemp("tls"))
    switch, log = Switch(), RequestLog(None)
    server = RunningServer(switch, 0, tls.server_context(), FaultPlan(), log).start()
    yield Shared(tls, switch, log, server.port)
    server.stop()


@pytest.fixture(name="start_sandbox")
def start_sandbox_fixture(tmp_path: Path, shared: Shared) -> StartSandbox:
    """A fresh seeded portal (new state folder, new HubSpotApi with a fake clock) behind the shared server."""

    def start(**limits: Any) -> Sandbox:
        state = SandboxState.open(tmp_path / "state", seed_state)
        clock = FakeClock()
        shared.switch.target = HubSpotApi(state, clock=clock, **limits)
        shared.log.entries.clear()
        return Sandbox(shared.port, shared.tls, state, clock, shared.log)

    return start


@pytest.fixture(name="sandbox")
def sandbox_fixture(start_sandbox: StartSandbox) -> Sandbox:
    return start_sandbox()


def error_body(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    return body


def raw_property(sandbox: Sandbox, object_type: str, name: str, **kwargs: Any) -> dict[str, Any]:
    """The property's JSON exactly as served, fetched through the SDK (``_preload_content=False``)."""
    api = sandbox.client().crm.properties.core_api
    response = api.get_by_name(object_type, name, _preload_content=False, **kwargs)
    body: dict[str, Any] = json.loads(response.data)
    return body


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively (``1 == True`` in Python, so equality alone would miss a type slip)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def option(label: str, value: str, order: int, hidden: bool = False) -> OptionInput:
    return OptionInput(label=label, value=value, display_order=order, hidden=hidden)
