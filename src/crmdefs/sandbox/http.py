"""The HTTP plumbing shared by both emulated APIs: request/response types, fault injection, the request log,
and a threaded HTTPS server on loopback."""

from __future__ import annotations

import json
import random
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import parse_qs, urlsplit

from crmdefs.errors import CrmdefsError


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def bearer(self) -> str | None:
        value = self.headers.get("Authorization", "")
        return value[7:].strip() if value.startswith("Bearer ") else None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    action: str = ""  # what the log shows beside the path, e.g. the SOAP operation


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(payload, indent=None).encode("utf-8") if status != 204 else b""
    merged = {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}
    return Response(status, body, merged)


class Api(Protocol):
    name: str

    def handle(self, request: Request) -> Response: ...

    def injected(self, kind: str, request: Request | None = None) -> Response:
        """This API's answer for an injected fault ('429', '5xx' or, for Salesforce, 'session': the
        token rejected) to ``request``."""
        ...


FAULT_KINDS = ("429", "5xx", "drop", "slow")  # what CRMDEFS_SANDBOX_SCHEDULE can name


class FaultSettingsError(CrmdefsError, ValueError):
    """A CRMDEFS_SANDBOX_* fault setting is malformed."""


@dataclass
class FaultPlan:
    """Faults for tests and the benchmark. From the environment (README "Sandbox"):

    CRMDEFS_SANDBOX_LATENCY_MS   added latency per call (default 0)
    CRMDEFS_SANDBOX_FAIL_429     probability 0..1 of an injected 429
    CRMDEFS_SANDBOX_FAIL_5XX     probability 0..1 of an injected 503
    CRMDEFS_SANDBOX_DROP         probability 0..1 of closing the connection without an answer
    CRMDEFS_SANDBOX_SCHEDULE     exact faults by request number, from 1: across both APIs ("3:429,7:5xx,
                                 9:drop,12:slow"), or within one ("hubspot:3:429,salesforce:2:5xx"), which
                                 stays exact when a client calls both APIs at once
    CRMDEFS_SANDBOX_SLOW_MS      how long a scheduled "slow" request is held before it is carried out
                                 (default 5000): past a client's read timeout, it is still carried out,
                                 as a real server finishes work its client stopped waiting for
    CRMDEFS_SANDBOX_SEED         random seed, for repeatable runs
    CRMDEFS_SANDBOX_FAIL_COMPONENTS  components whose every save fails, e.g.
                                 "Lead.Fit_Score__c,deals.dealtype" (a Salesforce SaveResult error;
                                 a HubSpot 500 on PATCH or create)
    CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER  after this many Salesforce requests, every further one is
                                 refused as with an expired token: REST 401 INVALID_SESSION_ID, SOAP
                                 fault sf:INVALID_SESSION_ID (the answers to a wrong token)

    Each request that gets an injected fault is logged with ``"fault": kind`` (429, 5xx, drop, slow,
    session).
    """

    latency_ms: float = 0.0
    p429: float = 0.0
    p5xx: float = 0.0
    pdrop: float = 0.0
    schedule: dict[int, str] = field(default_factory=dict)  # request number across both APIs → fault
    api_schedule: dict[tuple[str, int], str] = field(default_factory=dict)  # (API, number within it) → fault
    seed: int | None = None
    fail_components: frozenset[str] = frozenset()
    slow_ms: float = 5000.0
    expire_session_after: int | None = None
    _count: int = 0
    _api_counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FaultPlan:
        def number(name: str) -> float:
            text = env.get(name, "").strip()
            try:
                return float(text) if text else 0.0
            except ValueError as exc:
                raise FaultSettingsError(f"{name} must be a number, not {text!r}") from exc

        schedule: dict[int, str] = {}
        api_schedule: dict[tuple[str, int], str] = {}
        for item in filter(None, (p.strip() for p in env.get("CRMDEFS_SANDBOX_SCHEDULE", "").split(","))):
            api, index, kind = _scheduled(item)
            if api:
                api_schedule[(api, index)] = kind
            else:
                schedule[index] = kind
        seed_text = env.get("CRMDEFS_SANDBOX_SEED", "").strip()
        slow_text = env.get("CRMDEFS_SANDBOX_SLOW_MS", "").strip()
        expire_text = env.get("CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER", "").strip()
        if expire_text and not expire_text.isdigit():
            raise FaultSettingsError(
                f"CRMDEFS_SANDBOX_EXPIRE_SESSION_AFTER must be a whole number, not {expire_text!r}"
            )
        return cls(
            latency_ms=number("CRMDEFS_SANDBOX_LATENCY_MS"),
            p429=number("CRMDEFS_SANDBOX_FAIL_429"),
            p5xx=number("CRMDEFS_SANDBOX_FAIL_5XX"),
            pdrop=number("CRMDEFS_SANDBOX_DROP"),
            schedule=schedule,
            api_schedule=api_schedule,
            seed=int(seed_text) if seed_text.isdigit() else None,
            fail_components=frozenset(
                p.strip() for p in env.get("CRMDEFS_SANDBOX_FAIL_COMPONENTS", "").split(",") if p.strip()
            ),
            slow_ms=number("CRMDEFS_SANDBOX_SLOW_MS") if slow_text else 5000.0,
            expire_session_after=int(expire_text) if expire_text else None,
        )

    def decide(self, api: str = "") -> str | None:
        """The fault for the next request to ``api``, or None. Requests are numbered from 1, across both
        APIs and within each. An expired Salesforce session outranks every other fault."""
        with self._lock:
            self._count += 1
            self._api_counts[api] += 1
            number = self._api_counts[api]
            if (
                api == "salesforce"
                and self.expire_session_after is not None
                and number > self.expire_session_after
            ):
                return "session"
            scheduled = self.schedule.get(self._count) or self.api_schedule.get((api, number))
            if scheduled:
                return scheduled
            roll = self._random.random()
        for kind, chance in (("drop", self.pdrop), ("429", self.p429), ("5xx", self.p5xx)):
            if roll < chance:
                return kind
            roll -= chance
        return None


def _scheduled(item: str) -> tuple[str, int, str]:
    """One CRMDEFS_SANDBOX_SCHEDULE entry, "N:KIND" or "API:N:KIND", as (API or "", N, KIND)."""
    parts = item.split(":")
    api, number, kind = parts if len(parts) == 3 else ["", *parts] if len(parts) == 2 else ["?", "", ""]
    if api not in ("", "salesforce", "hubspot") or not number.isdigit() or kind not in FAULT_KINDS:
        raise FaultSettingsError(
            f"CRMDEFS_SANDBOX_SCHEDULE: {item!r} is not N:KIND or API:N:KIND (API salesforce or hubspot, "
            f"KIND one of {', '.join(FAULT_KINDS)})"
        )
    return api, int(number), kind


class RequestLog:
    """Every request answered (or dropped): kept in memory and appended to ``requests.log`` (JSON lines)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, api: str, method: str, path: str, status: int, action: str = "", fault: str = "") -> None:
        entry = {"time": round(time.time(), 3), "api": api, "method": method, "path": path, "status": status}
        if action:
            entry["action"] = action
        if fault:
            entry["fault"] = fault  # injected by the FaultPlan
        with self._lock:
            self.entries.append(entry)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry) + "\n")

    def count(self, **match: Any) -> int:
        with self._lock:
            return sum(1 for e in self.entries if all(e.get(k) == v for k, v in match.items()))


def _handler(api: Api, faults: FaultPlan, log: RequestLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs; clients pool connections
        server_version = "crmdefs-sandbox"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            return  # the request log records what matters; stderr stays quiet

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = cast(Mapping[str, str], self.headers)  # email.message.Message: case-insensitive get()
            request = Request(self.command, parts.path, parse_qs(parts.query), headers, body)
            if faults.latency_ms:
                time.sleep(faults.latency_ms / 1000)
            fault = faults.decide(api.name)
            if fault == "drop":
                log.add(api.name, self.command, parts.path, 0, "dropped", fault)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault == "slow":  # held, then carried out even if the client has given up meanwhile
                time.sleep(faults.slow_ms / 1000)
            try:
                if fault is not None and fault != "slow":
                    response = api.injected(fault, request)
                else:
                    response = api.handle(request)
            except Exception as exc:  # a sandbox bug must look like a server error, not hang a client
                response = json_response(500, [{"message": f"sandbox error: {exc}", "errorCode": "UNKNOWN"}])
            log.add(api.name, self.command, parts.path, response.status, response.action, fault or "")
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", port), handler)  # loopback only, never 0.0.0.0
        self._context = context

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        # Handshake in the handler thread (first read), so one slow client cannot stall accept().
        return self._context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that hang up mid-request (or fail TLS) are normal here


class RunningServer:
    """One API served over HTTPS on 127.0.0.1 in a daemon thread."""

    def __init__(
        self, api: Api, port: int, context: ssl.SSLContext, faults: FaultPlan, log: RequestLog
    ) -> None:
        self._server = _TlsServer(port, _handler(api, faults, log), context)
        self.port = int(self._server.server_address[1])
        # A short poll interval: stop() returns in ~50 ms instead of the default 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{api.name}",
            daemon=True,
        )

    def start(self) -> RunningServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
