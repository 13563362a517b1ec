"""Starting and stopping the sandbox: both servers on loopback, on one state directory. `crmdefs sandbox
serve` writes its connection details and its pid to ``sandbox.json`` for `crmdefs sandbox info`, for other
tools, and for crmdefs commands, which use that running server rather than start their own (two servers
on one state would each overwrite the other's changes). A sandbox a command starts for itself writes no
``sandbox.json``."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmdefs.errors import SandboxStateError
from crmdefs.files import process_gone
from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.hubspot_seed import hubspot_seed
from crmdefs.sandbox.options import FaultPlan, SandboxOptions
from crmdefs.sandbox.records_owners import with_owners
from crmdefs.sandbox.records_seed import records_seed
from crmdefs.sandbox.salesforce import SalesforceApi
from crmdefs.sandbox.salesforce_seed import salesforce_seed
from crmdefs.sandbox.sfusers import seeded_users, session_token, with_users
from crmdefs.sandbox.state import SandboxState, shown
from crmdefs.sandbox.tls import ensure_tls

INFO_FILE = "sandbox.json"
# sandbox.json: written by start(announce=True), read by read_info(); 1.1 adds "server", 1.2 "salesforce"
# "users" (each seeded user's session token, to edit the org as another admin would in Setup)
INFO_FORMAT = "1.2"
LOG_FILE = "requests.log"


def seed() -> dict[str, Any]:
    state = {**salesforce_seed(), **hubspot_seed_state()}
    # The seeded records go beside the metadata: merged into each CRM's dict, its existing keys kept.
    for crm, extra in records_seed().items():
        state[crm] = {**extra, **state.get(crm, {})}
    with_users(state["salesforce"])  # the users records name as OwnerId (sfusers.py)
    return with_owners(state)  # owners (and Salesforce dates) on the seeded records (records_owners.py)


def hubspot_seed_state() -> dict[str, Any]:
    return {"hubspot": hubspot_seed()}


@dataclass(frozen=True)
class SandboxInfo:
    instance_url: str
    base_url: str
    access_token: str
    ca_bundle: Path
    state_dir: Path
    pid: int | None = None  # the `sandbox serve` process, when it wrote these details
    host: str | None = None
    # Each Salesforce user's session token by username (sfusers.py): ``access_token`` is the API user's,
    # the one crmdefs signs in with; the others let a test edit the org as another admin would in Setup.
    user_tokens: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        server = {"server": {"pid": self.pid, "host": self.host}} if self.pid is not None else {}
        return {
            "salesforce": {
                "instance_url": self.instance_url,
                "users": dict(sorted(self.user_tokens.items())),
            },
            "hubspot": {"base_url": self.base_url},
            "access_token": self.access_token,
            "ca_bundle": str(self.ca_bundle),
            "state_dir": str(self.state_dir),
            **server,
        }

    def running(self) -> bool:
        """Whether the `sandbox serve` that wrote these details still runs (checked on this host only)."""
        return self.pid is not None and self.host == socket.gethostname() and not process_gone(self.pid)


class Sandbox:
    """Both emulated APIs on one state directory. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        state_dir: Path,
        options: SandboxOptions | None = None,
        faults: FaultPlan | None = None,
        log_to_file: bool = True,
    ) -> None:
        self.state_dir = state_dir
        self.options = options or SandboxOptions()
        self.faults = faults or FaultPlan()
        self.log = RequestLog(state_dir / LOG_FILE if log_to_file else None)
        self.state = SandboxState.open(state_dir, seed)
        self._servers: list[RunningServer] = []
        self.info: SandboxInfo | None = None

    def start(self, *, announce: bool = False) -> SandboxInfo:
        """Serve both APIs; ``announce`` (`sandbox serve`) writes ``sandbox.json`` with this process's pid."""
        tls = ensure_tls(self.state_dir / "tls")
        context = tls.server_context()
        sf = RunningServer(
            SalesforceApi(self.state, self.faults.fail_components),
            self.options.salesforce_port,
            context,
            self.faults,
            self.log,
            self.state.refresh,
        )
        hs_api = HubSpotApi(
            self.state,
            rate_per_10s=self.options.hubspot_rate_per_10s,
            daily_limit=self.options.hubspot_daily_limit,
            retry_after=self.options.hubspot_retry_after,
            retry_after_ms=self.options.hubspot_retry_after_ms,
            injected_retry_after=self.options.hubspot_injected_retry_after,
            failing=self.faults.fail_components,
            search_rate=self.options.hubspot_search_rate,
        )
        hs = RunningServer(
            hs_api, self.options.hubspot_port, context, self.faults, self.log, self.state.refresh
        )
        self._servers = [sf.start(), hs.start()]
        self.info = SandboxInfo(
            f"https://127.0.0.1:{sf.port}",
            f"https://127.0.0.1:{hs.port}",
            self.state.token,
            tls.ca,
            self.state_dir,
            os.getpid() if announce else None,
            socket.gethostname() if announce else None,
            {u["Username"]: session_token(self.state.token, uid) for uid, u in seeded_users().items()},
        )
        if announce:
            (self.state_dir / INFO_FILE).write_text(
                json.dumps({"format_version": INFO_FORMAT, **self.info.to_json()}, indent=2) + "\n",
                encoding="utf-8",
            )
        return self.info

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers = []
        if self.info is not None and self.info.pid is not None:  # we announced it: it is gone now
            (self.state_dir / INFO_FILE).unlink(missing_ok=True)

    def __enter__(self) -> SandboxInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def running_sandbox(state_dir: Path) -> SandboxInfo | None:
    """The `sandbox serve` running on ``state_dir``, if there is one."""
    try:
        found = read_info(state_dir)
    except SandboxStateError:
        return None
    return found if found.running() else None


def read_info(state_dir: Path) -> SandboxInfo:
    """The connection details `sandbox serve` wrote in ``state_dir`` (it may have stopped since)."""
    path = state_dir / INFO_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SandboxStateError(
            f"no sandbox is running on {shown(state_dir)} — run `crmdefs sandbox serve`"
        ) from exc
    except (OSError, ValueError) as exc:
        raise SandboxStateError(f"{shown(path)} is unreadable ({exc}) — run `crmdefs sandbox reset`") from exc
    if not isinstance(data, dict):
        raise SandboxStateError(f"{path} is not sandbox connection info — run `crmdefs sandbox reset`")
    version = str(data.get("format_version", INFO_FORMAT))
    if version.split(".")[0] != INFO_FORMAT.split(".")[0]:
        raise SandboxStateError(
            f"{shown(path)} has format_version {version}, not {INFO_FORMAT.split('.')[0]}.x — run "
            "`crmdefs sandbox serve` to write it again"
        )
    try:
        return SandboxInfo(
            str(data["salesforce"]["instance_url"]),
            str(data["hubspot"]["base_url"]),
            str(data["access_token"]),
            Path(data["ca_bundle"]),
            Path(data["state_dir"]),
            *_server(data.get("server")),
            {str(k): str(v) for k, v in dict(data["salesforce"].get("users") or {}).items()},
        )
    except (KeyError, TypeError) as exc:
        raise SandboxStateError(
            f"{path} is not sandbox connection info — run `crmdefs sandbox reset`"
        ) from exc


def _server(server: Any) -> tuple[int | None, str | None]:
    if isinstance(server, dict) and isinstance(server.get("pid"), int):
        return server["pid"], str(server.get("host"))
    return None, None


def reset(state_dir: Path) -> None:
    """Restore the seeded demo org (keeps the certificates and the token)."""
    try:
        state = SandboxState.open(state_dir, seed)
    except SandboxStateError:
        (state_dir / "state.json").unlink(missing_ok=True)
        state = SandboxState.open(state_dir, seed)
    state.reset(seed)
