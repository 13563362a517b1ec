"""Where each HubSpot API lives, for the API version a target chooses (docs/hubspot.md#hs-dated-apis).

HubSpot moved from numbered paths (``/crm/v3/properties/…``) to dated ones (``/crm/properties/2026-03/…``):
the version moves from before the API's name to after it, and the payloads stay the same. The v1–v3 paths
stop being supported in September 2027, so ``2026-03`` is the default and ``v3`` is kept for portals or
proxies that do not serve the dated paths yet. ``{objectType}``-style placeholders are filled in, and quoted,
by the SDK's ``call_api`` (calls.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdefs.config import HUBSPOT_API_VERSION as DEFAULT_API_VERSION


@dataclass(frozen=True)
class ApiPaths:
    """The paths of one API version family; each method returns a path template for ``call_api``."""

    version: str = DEFAULT_API_VERSION

    def _root(self, api: str) -> str:
        # /crm/v3/properties  or  /crm/properties/2026-03 (docs/hubspot.md#hs-dated-apis)
        if self.version == "v3":
            return f"/crm/v3/{api}/{{objectType}}"
        return f"/crm/{api}/{self.version}/{{objectType}}"

    @property
    def properties(self) -> str:
        return self._root("properties")

    @property
    def one_property(self) -> str:
        return self._root("properties") + "/{propertyName}"

    @property
    def groups(self) -> str:
        return self._root("properties") + "/groups"

    @property
    def search(self) -> str:
        return self._root("objects") + "/search"

    @property
    def batch_update(self) -> str:
        return self._root("objects") + "/batch/update"

    @property
    def pipelines(self) -> str:
        return self._root("pipelines")

    @property
    def pipeline(self) -> str:
        return self._root("pipelines") + "/{pipelineId}"

    @property
    def stages(self) -> str:
        return self._root("pipelines") + "/{pipelineId}/stages"

    @property
    def stage(self) -> str:
        return self._root("pipelines") + "/{pipelineId}/stages/{stageId}"

    @property
    def owner(self) -> str:
        # /crm/v3/owners/{ownerId} or /crm/owners/2026-03/{ownerId}, no object type
        # (docs/hubspot.md#hs-owners)
        if self.version == "v3":
            return "/crm/v3/owners/{ownerId}"
        return f"/crm/owners/{self.version}/{{ownerId}}"

    @property
    def account_details(self) -> str:
        # the portal's id and web app domain (docs/hubspot.md#hs-account-details)
        if self.version == "v3":
            return "/account-info/v3/details"
        return f"/account-info/{self.version}/details"
