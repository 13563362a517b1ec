"""`crmdefs examples` on HubSpot: the most recently modified records holding some values, with nothing but
their id, name, owner, date and a link (citations: entries of docs/hubspot.md).

- One CRM search per field: ``IN`` the values, sorted by the object's last-modified property descending
  (``hs_lastmodifieddate``; contacts ``lastmodifieddate``, docs/hubspot.md#hs-last-modified-property), one
  page of at most 200 (docs/hubspot.md#hs-search-result-cap), asking only for the name properties, the
  owner and the date.
- Owners: ``hubspot_owner_id`` holds an owner id; its name comes from the owners API, one ``GET`` per
  owner shown, once per run (docs/hubspot.md#hs-owners). An owner HubSpot no longer lists (a deactivated
  user) is shown by its id.
- Links: ``https://<uiDomain>/contacts/<portalId>/record/<objectTypeId>/<id>``, the portal's id and web app
  domain from one ``GET`` of the account details (docs/hubspot.md#hs-account-details,
  docs/hubspot.md#hs-record-url).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from crmdefs.adapters.base import ExampleRecord, Progress
from crmdefs.adapters.hubspot.calls import PortalCalls, cause_status
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.words import plural

Json = dict[str, Any]
OWNER = "hubspot_owner_id"
# The properties that name a record, per object type; others show their id (docs/hubspot.md#hs-record-names)
NAME_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "deals": ("dealname",),
    "contacts": ("firstname", "lastname"),
    "companies": ("name",),
    "tickets": ("subject",),
}
# Object type ids, which the web app's record pages use (docs/hubspot.md#hs-object-type-ids)
OBJECT_TYPE_IDS: Mapping[str, str] = {
    "contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5", "calls": "0-48",
    "communications": "0-18", "emails": "0-49", "feedback_submissions": "0-19", "invoices": "0-53",
    "leads": "0-136", "line_items": "0-8", "marketing_events": "0-54", "meetings": "0-47", "notes": "0-46",
    "orders": "0-123", "payments": "0-101", "postal_mail": "0-116", "products": "0-7", "projects": "0-970",
    "quotes": "0-14", "subscriptions": "0-69", "tasks": "0-27", "users": "0-115",
}  # fmt: skip
_TYPE_ID = re.compile(r"^\d+-\d+$")  # a custom object named by its id, 2-12345


def modified_property(object_type: str) -> str:
    """A record's last-modified date: ``lastmodifieddate`` on contacts, ``hs_lastmodifieddate`` on deals,
    companies, tickets and custom objects (docs/hubspot.md#hs-last-modified-property); what examples sort
    by and quality's ``--since`` filters on (docs/hubspot.md#hs-quality-window)."""
    return "lastmodifieddate" if object_type.casefold() == "contacts" else "hs_lastmodifieddate"


class RecordLinks:
    """What a run needs to show HubSpot records: the portal's address (asked once) and owners' names
    (each asked once)."""

    def __init__(self, portal: PortalCalls) -> None:
        self._portal = portal
        self._base: str | None = None
        self._owners: dict[str, str] = {}

    def base(self) -> str:
        """``https://<uiDomain>/contacts/<portalId>``, from the account details."""
        if self._base is None:
            paths = self._portal.apis.paths
            details = self._portal.request("reading the account details", "GET", paths.account_details, {})
            domain = str(details.get("uiDomain") or "app.hubspot.com")
            self._base = f"https://{domain}/contacts/{details.get('portalId')}"
        return self._base

    def url(self, object_type: str, record_id: str) -> str:
        type_id = OBJECT_TYPE_IDS.get(object_type.casefold())
        if type_id is None and _TYPE_ID.match(object_type):
            type_id = object_type
        if type_id is None:  # a custom object by name: its id would take a schema read; the list page
            return f"{self.base()}/objects/{object_type}"
        return f"{self.base()}/record/{type_id}/{record_id}"

    def owner(self, owner_id: str) -> str:
        """The owner's first and last name; "(deactivated)" after an archived owner's (a user who left);
        the id when HubSpot lists neither."""
        if owner_id not in self._owners:
            found = self._read_owner(owner_id, archived=False)
            archived = found is None
            if archived:  # listed only with archived=true (docs/hubspot.md#hs-owners)
                found = self._read_owner(owner_id, archived=True)
            name = f"{(found or {}).get('firstName') or ''} {(found or {}).get('lastName') or ''}".strip()
            if name and archived:
                name += " (deactivated)"
            self._owners[owner_id] = name or f"owner {owner_id}"
        return self._owners[owner_id]

    def _read_owner(self, owner_id: str, *, archived: bool) -> Json | None:
        """One owner, or None for a 404."""
        try:
            return self._portal.request(
                "reading an owner",
                "GET",
                self._portal.apis.paths.owner,
                {"ownerId": owner_id},
                query={"archived": "true" if archived else "false"},
            )
        except CrmApiError as exc:
            if cause_status(exc) != 404:
                raise
            return None


def recent_records(
    portal: PortalCalls,
    links: RecordLinks,
    address: FieldAddress,
    values: Sequence[str],
    last: int,
    progress: Progress,
) -> list[ExampleRecord]:
    """The ``last`` (≤ 200) most recently modified records of ``address`` holding one of ``values``."""
    object_type = address.object
    modified = modified_property(object_type)
    names = list(NAME_PROPERTIES.get(object_type.casefold(), ()))
    progress(f"reading the last {plural(last, 'record')} of {address}")
    holds = {"propertyName": address.field, "operator": "IN", "values": [*values]}
    body = {
        "filterGroups": [{"filters": [holds]}],
        "sorts": [{"propertyName": modified, "direction": "DESCENDING"}],
        "properties": [*names, OWNER, modified],
        "limit": last,
    }
    found = portal.search(object_type, body)
    examples: list[ExampleRecord] = []
    for record in (found.get("results") or [])[:last]:
        props: Mapping[str, Any] = record.get("properties") or {}
        record_id = str(record.get("id"))
        name = " ".join(str(props[n]).strip() for n in names if props.get(n)) or f"{object_type} {record_id}"
        owner_id = str(props.get(OWNER) or "")
        owner = links.owner(owner_id) if owner_id else ""
        date = str(props.get(modified) or record.get("updatedAt") or "")
        examples.append(ExampleRecord(record_id, name, owner, date, links.url(object_type, record_id)))
    return examples
