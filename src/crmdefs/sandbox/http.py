"""The HTTP plumbing shared by both emulated APIs: request/response types, fault injection, the request log,
and a threaded HTTPS server on loopback. The fault settings (:class:`FaultPlan`) live in options.py."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import parse_qs, urlsplit

from crmdefs.sandbox.options import FaultPlan


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


def _handler(
    api: Api, faults: FaultPlan, log: RequestLog, before: Callable[[], None]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs; clients pool connections
        # Headers and body go out in two writes; with Nagle's algorithm the body then waits for the client's
        # delayed ACK of the headers (about 40 ms on Linux) on every answer of a kept-alive connection,
        # which doubled the 50 ms latency the benchmark sets. Real APIs' servers do not stall like that.
        disable_nagle_algorithm = True
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
                before()
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
        self,
        api: Api,
        port: int,
        context: ssl.SSLContext,
        faults: FaultPlan,
        log: RequestLog,
        before: Callable[[], None] = lambda: None,  # run before each request is answered
    ) -> None:
        self._server = _TlsServer(port, _handler(api, faults, log, before), context)
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
