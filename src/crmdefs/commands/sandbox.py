"""`crmdefs sandbox …`: run, inspect and reset the local Salesforce + HubSpot sandbox."""

from __future__ import annotations

import dataclasses
import json
import signal
import time
from pathlib import Path
from typing import Any

import click

from crmdefs import exitcodes
from crmdefs.commands.options import build_runtime, build_settings, path_options
from crmdefs.definitions.load import display_path
from crmdefs.errors import SandboxStateError


def _state_dir(config: Path | None, state: Path | None) -> Path:
    if state is not None:
        return state
    return build_settings(config, None).sandbox_dir


def _state_option(func: Any) -> Any:
    return click.option(
        "--state",
        "state",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Sandbox state directory (default: .crmdefs/sandbox under the project root).",
    )(func)


@click.group(
    epilog="""\b
Examples:
  crmdefs sandbox serve                     run it in the foreground (Ctrl-C stops it)
  crmdefs sandbox info --json               connection details for other tools
  crmdefs sandbox reset                     restore the seeded demo org
"""
)
def sandbox() -> None:
    """A local Salesforce and HubSpot (HTTPS on 127.0.0.1) with a seeded, messy demo org."""


@sandbox.command(
    epilog="""\b
Examples:
  crmdefs sandbox serve
  crmdefs sandbox serve --salesforce-port 8443 --hubspot-port 8444
  CRMDEFS_SANDBOX_LATENCY_MS=50 crmdefs sandbox serve   # add 50 ms to every call
"""
)
@path_options
@_state_option
@click.option("--salesforce-port", type=click.IntRange(0, 65535), default=0, help="Port (default: any free).")
@click.option("--hubspot-port", type=click.IntRange(0, 65535), default=0, help="Port (default: any free).")
def serve(
    config: Path | None, definitions: Path | None, state: Path | None, salesforce_port: int, hubspot_port: int
) -> int:
    """Run the sandbox in the foreground until Ctrl-C."""
    from crmdefs.sandbox.service import Sandbox

    folder = _state_dir(config, state)
    runtime = build_runtime()
    options = dataclasses.replace(runtime.sandbox, salesforce_port=salesforce_port, hubspot_port=hubspot_port)
    from crmdefs.sandbox.service import running_sandbox

    other = running_sandbox(folder)
    if other is not None:
        raise SandboxStateError(
            f"a sandbox is already served on {display_path(folder)} by process {other.pid} — use it "
            "(`crmdefs sandbox info`), or stop it first"
        )
    running = Sandbox(folder, options, runtime.faults)
    info = running.start(announce=True)
    click.echo(
        f"Salesforce: {info.instance_url}\nHubSpot:    {info.base_url}\n"
        f"CA bundle:  {display_path(info.ca_bundle)}\nState:      {display_path(folder)}\n"
        "Token and details: crmdefs sandbox info --json\nPress Ctrl-C to stop."
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.stop()
        click.echo("Sandbox stopped.")
    return exitcodes.OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@sandbox.command(
    epilog="""\b
Examples:
  crmdefs sandbox info
  crmdefs sandbox info --json | jq -r .access_token
"""
)
@path_options
@_state_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for other tools.")
def info(config: Path | None, definitions: Path | None, state: Path | None, as_json: bool) -> int:
    """Connection details of the running `sandbox serve`."""
    from crmdefs.sandbox.service import read_info

    folder = _state_dir(config, state)
    found = read_info(folder)
    if not found.running():
        # Its ports are closed: listing them would send other tools to nothing.
        which = f" (the `sandbox serve` of process {found.pid} has stopped)" if found.pid else ""
        raise SandboxStateError(
            f"no sandbox is running on {display_path(folder)}{which} — run `crmdefs sandbox serve`"
        )
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2))
    else:
        click.echo(
            f"Running:    yes, `crmdefs sandbox serve` process {found.pid}\n"
            f"Salesforce: {found.instance_url}\nHubSpot:    {found.base_url}\n"
            f"CA bundle:  {found.ca_bundle}\nState:      {found.state_dir}"
        )
    return exitcodes.OK


@sandbox.command(
    epilog="""\b
Examples:
  crmdefs sandbox reset
  crmdefs sandbox reset --state /tmp/sandbox
"""
)
@path_options
@_state_option
def reset(config: Path | None, definitions: Path | None, state: Path | None) -> int:
    """Restore the seeded demo org (keeps the certificate and the token); a running `sandbox serve` serves
    the restored org from its next request."""
    from crmdefs.sandbox.service import reset as reset_state

    folder = _state_dir(config, state)
    reset_state(folder)
    click.echo(f"Sandbox in {display_path(folder)} restored to the seeded demo org.")
    return exitcodes.OK
