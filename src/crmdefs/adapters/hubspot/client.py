"""The HubSpot API client crmdefs talks through (hubspot-api-client 12), built in one place. Citations are
entries of docs/hubspot.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubspot import HubSpot
from urllib3.util.retry import Retry

from crmdefs.adapters.credentials import hubspot_credentials
from crmdefs.adapters.hubspot.paths import ApiPaths
from crmdefs.config import HUBSPOT_API_VERSION as DEFAULT_API_VERSION
from crmdefs.config import Secret, Target
from crmdefs.runtime import Runtime

# Requests in flight to one portal at once. HubSpot limits the rate and documents no limit on concurrency
# (docs/hubspot.md#hs-rate-limits-by-tier). In a rolling window the second window's requests can only
# follow the first's answers 10 s later, so the first window's share must not be spent on round trips:
# 118 writes past a 190 window take 118 / 20 round trips (bench: 0.3 s at 50 ms; 10 in flight, 0.6 s).
# The connection pool holds as many connections, so none is opened and thrown away.
MAX_IN_FLIGHT = 20


@dataclass(frozen=True)
class HubSpotApis:
    """One generated ``ApiClient`` (its connection pool, TLS settings and bearer token) and the paths of the
    API version the target chose.

    Every call goes through the SDK's generic ``call_api`` with a path from :class:`ApiPaths`: the SDK's
    typed methods hard-code ``/crm/v3/…`` and hubspot-api-client 12 (the newest on PyPI) has none for the
    dated APIs (docs/hubspot.md#hs-dated-apis). ``call_api`` still gives us the SDK's auth, TLS, path quoting
    and its ``ApiException`` for every non-2xx answer."""

    api_client: Any  # hubspot.crm.properties.ApiClient
    paths: ApiPaths

    def close(self) -> None:
        self.api_client.close()
        self.api_client.rest_client.pool_manager.clear()


def hubspot_apis(
    base_url: str, token: Secret, ca_bundle: Path | None, api_version: str = DEFAULT_API_VERSION
) -> HubSpotApis:
    """The portal at ``base_url``, signed in with a service key or a private app's access token (both are
    bearer tokens: docs/hubspot.md#hs-service-keys)."""
    # Retry(total=0): urllib3 must not retry behind our back (ratelimit.py,
    # docs/hubspot.md#hs-sdk-urllib3-retries). host= reaches every
    # generated Configuration (docs/hubspot.md#hs-sdk-host-override); the CA bundle is trusted by exact path,
    # verification stays on.
    client = HubSpot(
        access_token=token.reveal(),
        host=base_url.rstrip("/"),
        ssl_ca_cert=str(ca_bundle) if ca_bundle else None,
        retry=Retry(total=0, raise_on_status=False),
        connection_pool_maxsize=MAX_IN_FLIGHT,
    )
    # Every attribute access builds a new ApiClient and connection pool
    # (docs/hubspot.md#hs-sdk-new-client-per-access): take one, once, and send everything through it.
    return HubSpotApis(api_client=client.crm.properties.core_api.api_client, paths=ApiPaths(api_version))


def sign_in(target: Target, runtime: Runtime) -> HubSpotApis:
    """The portal of ``target``, with the access token its ``access_token_env`` names."""
    creds = hubspot_credentials(target, runtime.secrets)
    version = target.hubspot.api_version if target.hubspot else DEFAULT_API_VERSION
    return hubspot_apis(creds.base_url, creds.access_token, target.ca_bundle, version)
