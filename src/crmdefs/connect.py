"""Targets → live adapters: one sign-in per CRM (adapters/<crm>/login.py, client.py), and the built-in
``sandbox`` target, which means "start the local sandbox in-process for the length of this command"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crmdefs.adapters.base import NO_WAITS, Adapter, ReadOnlyAdapter, Waits
from crmdefs.config import HUBSPOT_API_VERSION, Secret, Settings, Target
from crmdefs.definitions.model import Crm
from crmdefs.errors import CredentialsError
from crmdefs.runtime import Runtime

if TYPE_CHECKING:  # the SDKs load only when a command talks to a CRM: `validate` stays fast
    from crmdefs.adapters.hubspot.client import HubSpotApis
    from crmdefs.adapters.salesforce.client import SalesforceClient

SANDBOX_API_VERSION = "62.0"  # the Metadata API version the sandbox serves


@dataclass
class Connected:
    target: str
    adapters: dict[Crm, Adapter] = field(default_factory=dict)

    def adapter(self, crm: Crm) -> Adapter:
        if crm not in self.adapters:
            raise CredentialsError(
                f"target '{self.target}' has no {crm.value} section, but the definitions bind "
                f"{crm.value} fields — add it to crmdefs.yaml or use --only"
            )
        return self.adapters[crm]


@contextmanager
def open_target(
    settings: Settings,
    name: str | None,
    crms: set[Crm],
    *,
    read_only: bool = False,
    waits: Waits = NO_WAITS,
) -> Iterator[Connected]:
    """Adapters for the CRMs in ``crms`` on target ``name``; closed (and a sandbox stopped) on exit.
    ``read_only`` adapters refuse to write (drift). ``waits`` hears of their long waits."""
    target = settings.target(name)
    with ExitStack() as stack:
        if target.builtin_sandbox:
            connected = _sandbox(settings, target, crms, stack, waits)
        else:
            connected = _signed_in(target, crms, settings.runtime, waits)
        for adapter in connected.adapters.values():
            stack.callback(adapter.close)
        if read_only:
            connected.adapters = {crm: ReadOnlyAdapter(a) for crm, a in connected.adapters.items()}
        yield connected


def target_crms(target: Target) -> set[Crm]:
    """The CRMs a target has a section for (the built-in sandbox has both)."""
    return {
        crm
        for crm, section in ((Crm.SALESFORCE, target.salesforce), (Crm.HUBSPOT, target.hubspot))
        if section
    }


def _signed_in(target: Target, crms: set[Crm], runtime: Runtime, waits: Waits) -> Connected:
    """Each CRM of ``crms`` the target has a section for, signed in as that section says."""
    from crmdefs.adapters.credentials import check_variables

    check_variables(target, runtime.secrets, crms)  # every missing variable in one message
    connected = Connected(target.name)
    if Crm.SALESFORCE in crms and target.salesforce is not None:
        from crmdefs.adapters.salesforce.login import sign_in as salesforce_sign_in

        client = salesforce_sign_in(target, runtime, waits)
        connected.adapters[Crm.SALESFORCE] = _salesforce(target.name, client, runtime, waits)
    if Crm.HUBSPOT in crms and target.hubspot is not None:
        from crmdefs.adapters.hubspot.client import sign_in as hubspot_sign_in

        apis = hubspot_sign_in(target, runtime)
        connected.adapters[Crm.HUBSPOT] = _hubspot(
            target.name, apis, runtime, waits, target.hubspot.access_token_env
        )
    return connected


def _sandbox(settings: Settings, target: Target, crms: set[Crm], stack: ExitStack, waits: Waits) -> Connected:
    """Start the local sandbox and connect to it with the token it hands out."""
    from crmdefs.sandbox.service import Sandbox, running_sandbox

    runtime = settings.runtime
    # A running `sandbox serve` on this state is used, not a second server on the same state.
    info = running_sandbox(settings.sandbox_dir)
    if info is None:
        sandbox = Sandbox(settings.sandbox_dir, runtime.sandbox, runtime.faults)
        info = sandbox.start()
        stack.callback(sandbox.stop)
    connected = Connected(target.name)
    token = Secret(info.access_token)
    if Crm.SALESFORCE in crms:
        from crmdefs.adapters.salesforce.client import client_with_token, crm_session

        session = crm_session(
            info.ca_bundle, retries=runtime.max_retries, read_timeout=runtime.http_timeout, waits=waits
        )
        client = client_with_token(info.instance_url, token, session=session, version=SANDBOX_API_VERSION)
        connected.adapters[Crm.SALESFORCE] = _salesforce(target.name, client, runtime, waits)
    if Crm.HUBSPOT in crms:
        from crmdefs.adapters.hubspot.client import hubspot_apis

        version = target.hubspot.api_version if target.hubspot else HUBSPOT_API_VERSION
        apis = hubspot_apis(info.base_url, token, info.ca_bundle, version)
        connected.adapters[Crm.HUBSPOT] = _hubspot(target.name, apis, runtime, waits)
    return connected


def _salesforce(target: str, client: SalesforceClient, runtime: Runtime, waits: Waits) -> Adapter:
    from crmdefs.adapters.salesforce.adapter import SalesforceAdapter

    return SalesforceAdapter(target=target, client=client, max_retries=runtime.max_retries, waits=waits)


def _hubspot(
    target: str, apis: HubSpotApis, runtime: Runtime, waits: Waits, token_env: str | None = None
) -> Adapter:
    from crmdefs.adapters.hubspot.adapter import HubSpotAdapter

    return HubSpotAdapter(
        target=target,
        apis=apis,
        timeout=runtime.http_timeout,
        max_retries=runtime.max_retries,
        token_env=token_env,
        waits=waits,
    )
