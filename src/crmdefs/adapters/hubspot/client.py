"""The HubSpot API clients crmdefs talks through (hubspot-api-client 12), built in one place. Citations are
entries of docs/hubspot.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubspot import HubSpot
from urllib3.util.retry import Retry

from crmdefs.config import Secret, Target, hubspot_credentials
from crmdefs.runtime import Runtime


@dataclass(frozen=True)
class HubSpotApis:
    """The generated API classes the adapter calls, taken once (see :func:`hubspot_apis`)."""

    properties: Any  # crm.properties.core_api
    groups: Any  # crm.properties.groups_api
    search: Any  # crm.objects.search_api
    objects_batch: Any  # crm.objects.batch_api

    def close(self) -> None:
        for api in (self.properties, self.groups, self.search, self.objects_batch):
            api.api_client.close()
            api.api_client.rest_client.pool_manager.clear()


def hubspot_apis(base_url: str, token: Secret, ca_bundle: Path | None) -> HubSpotApis:
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
    )
    # Every attribute access builds a new ApiClient and connection pool
    # (docs/hubspot.md#hs-sdk-new-client-per-access): take them once.
    return HubSpotApis(
        properties=client.crm.properties.core_api,
        groups=client.crm.properties.groups_api,
        search=client.crm.objects.search_api,
        objects_batch=client.crm.objects.batch_api,
    )


def sign_in(target: Target, runtime: Runtime) -> HubSpotApis:
    """The portal of ``target``, with the access token its ``access_token_env`` names."""
    creds = hubspot_credentials(target, runtime.secrets)
    return hubspot_apis(creds.base_url, creds.access_token, target.ca_bundle)
