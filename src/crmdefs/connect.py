"""Targets → live adapters. The only place that knows how to sign in, and that the built-in ``sandbox``
target means "start the local sandbox in-process for the length of this command"."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from crmdefs.adapters.base import Adapter, ReadOnlyAdapter
from crmdefs.config import (
    Secret,
    Settings,
    Target,
    hubspot_credentials,
    salesforce_credentials,
)
from crmdefs.definitions.model import Crm
from crmdefs.errors import CredentialsError, CrmdefsError
from crmdefs.runtime import Runtime


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


def _timeouts(read: float | None) -> tuple[float, float]:
    """(connect, read) for a CrmSession: the default, or the connect timeout capped at ``read``."""
    from crmdefs.adapters.salesforce.transport import DEFAULT_TIMEOUT

    return DEFAULT_TIMEOUT if read is None else (min(DEFAULT_TIMEOUT[0], read), read)


@contextmanager
def open_target(
    settings: Settings,
    name: str | None,
    crms: set[Crm],
    *,
    read_only: bool = False,
) -> Iterator[Connected]:
    """Adapters for the CRMs in ``crms`` on target ``name``; closed (and a sandbox stopped) on exit.
    ``read_only`` adapters refuse to write (drift)."""
    target = settings.target(name)
    with ExitStack() as stack:
        if target.builtin_sandbox:
            connected = _sandbox(settings, target, crms, stack)
        else:
            connected = Connected(target.name)
            if Crm.SALESFORCE in crms and target.salesforce is not None:
                connected.adapters[Crm.SALESFORCE] = _salesforce(target, settings.runtime)
            if Crm.HUBSPOT in crms and target.hubspot is not None:
                connected.adapters[Crm.HUBSPOT] = _hubspot(target, settings.runtime)
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


def _sandbox(settings: Settings, target: Target, crms: set[Crm], stack: ExitStack) -> Connected:
    from crmdefs.sandbox.service import Sandbox

    runtime = settings.runtime
    retries, timeout = runtime.max_retries, runtime.http_timeout
    sandbox = Sandbox(settings.sandbox_dir, runtime.sandbox, runtime.faults)
    info = sandbox.start()
    stack.callback(sandbox.stop)
    connected = Connected(target.name)
    token = Secret(info.access_token)
    if Crm.SALESFORCE in crms:
        connected.adapters[Crm.SALESFORCE] = _salesforce_with_token(
            target.name, info.instance_url, token, "62.0", info.ca_bundle, retries, timeout
        )
    if Crm.HUBSPOT in crms:
        connected.adapters[Crm.HUBSPOT] = _hubspot_adapter(
            target.name, info.base_url, token, info.ca_bundle, retries, timeout
        )
    for adapter in connected.adapters.values():
        stack.callback(adapter.close)
    return connected


def _salesforce_with_token(
    target: str,
    instance_url: str,
    token: Secret,
    version: str,
    ca_bundle: Path | None,
    retries: int,
    timeout: float | None,
) -> Adapter:
    from simple_salesforce.api import Salesforce

    from crmdefs.adapters.salesforce.adapter import SalesforceAdapter
    from crmdefs.adapters.salesforce.transport import CrmSession

    session = CrmSession(ca_bundle, timeout=_timeouts(timeout), retries=retries)
    sf = Salesforce(instance_url=instance_url, session_id=token.reveal(), session=session, version=version)
    return SalesforceAdapter(target=target, sf=sf, session=session)


def _salesforce(target: Target, runtime: Runtime) -> Adapter:
    import requests  # the SDKs load only when a command talks to a CRM: `validate` stays fast
    from simple_salesforce.api import Salesforce
    from simple_salesforce.exceptions import SalesforceAuthenticationFailed

    from crmdefs.adapters.salesforce.adapter import SalesforceAdapter
    from crmdefs.adapters.salesforce.transport import CrmSession

    assert target.salesforce is not None
    creds = salesforce_credentials(target, runtime.secrets)
    version = target.salesforce.api_version
    retries, timeout = runtime.max_retries, runtime.http_timeout
    if creds.auth == "access_token" and creds.access_token is not None and creds.instance_url:
        return _salesforce_with_token(
            target.name, creds.instance_url, creds.access_token, version, target.ca_bundle, retries, timeout
        )
    if creds.auth == "sf_cli":
        url, token = _sf_cli_login(target.name, creds.sf_alias or "")
        return _salesforce_with_token(target.name, url, token, version, target.ca_bundle, retries, timeout)
    session = CrmSession(target.ca_bundle, timeout=_timeouts(timeout), retries=retries)
    try:
        if creds.auth == "password":
            sf = Salesforce(
                username=creds.username,
                password=_reveal(creds.password),
                security_token=_reveal(creds.security_token),
                domain=creds.domain,
                session=session,
                version=version,
            )
        else:  # jwt
            sf = Salesforce(
                username=creds.username,
                consumer_key=_reveal(creds.client_id),
                privatekey_file=str(creds.key_file),
                domain=creds.domain,
                session=session,
                version=version,
            )
    except SalesforceAuthenticationFailed as exc:
        raise CredentialsError(
            f"target '{target.name}': Salesforce refused the {creds.auth} login "
            f"({exc.code or 'no reason given'}) — check the username, domain and secrets in the environment"
        ) from exc
    except requests.exceptions.SSLError as exc:
        raise CrmdefsError(
            f"target '{target.name}': the Salesforce login server's certificate is not trusted — if a "
            "corporate proxy inspects TLS, set 'ca_bundle:' for this target in crmdefs.yaml"
        ) from exc
    except requests.RequestException as exc:
        raise CrmdefsError(
            f"target '{target.name}': the Salesforce {creds.auth} login could not be completed "
            f"({type(exc).__name__}) — check 'domain:' and the network, then run again"
        ) from exc
    return SalesforceAdapter(target=target.name, sf=sf, session=session)


def _reveal(secret: Secret | None) -> str:
    return secret.reveal() if secret is not None else ""


def _sf_cli_login(target: str, alias: str) -> tuple[str, Secret]:
    """Reuse an `sf org login` session: `sf org display --json --target-org ALIAS`. Its output holds the
    access token, so it is parsed and never printed."""
    binary = shutil.which("sf")
    if binary is None:
        raise CredentialsError(
            f"target '{target}': auth 'sf_cli' needs the Salesforce CLI (`sf`) on PATH — "
            "install it or use another auth mode"
        )
    done = subprocess.run(
        [binary, "org", "display", "--json", "--target-org", alias],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        data = json.loads(done.stdout)
        result = data["result"]
        return str(result["instanceUrl"]), Secret(str(result["accessToken"]))
    except (ValueError, KeyError, TypeError) as exc:
        message = ""
        with suppress(ValueError, AttributeError):
            message = str(json.loads(done.stdout).get("message", ""))
        raise CredentialsError(
            f"target '{target}': `sf org display --target-org {alias}` failed"
            f"{': ' + message if message else ''} — run `sf org login web --alias {alias}`"
        ) from exc


def _hubspot(target: Target, runtime: Runtime) -> Adapter:
    creds = hubspot_credentials(target, runtime.secrets)
    return _hubspot_adapter(
        target.name,
        creds.base_url,
        creds.access_token,
        target.ca_bundle,
        runtime.max_retries,
        runtime.http_timeout,
    )


def _hubspot_adapter(
    target: str, base_url: str, token: Secret, ca_bundle: Path | None, retries: int, timeout: float | None
) -> Adapter:
    from crmdefs.adapters.hubspot.adapter import HubSpotAdapter

    make = partial(
        HubSpotAdapter,
        target=target,
        base_url=base_url.rstrip("/"),
        token=token,
        ca_bundle=ca_bundle,
        max_retries=retries,
    )
    # The adapter's own default read timeout (30 s) unless CRMDEFS_HTTP_TIMEOUT says otherwise.
    adapter: Adapter = make(timeout=timeout) if timeout is not None else make()
    return adapter
