"""HubSpot owners and account details in the sandbox, with their real shapes, and the seeded owners the
seeded records name in ``hubspot_owner_id`` (records_owners.py assigns them).

Sources (entries of docs/hubspot.md):
- Owners (docs/hubspot.md#hs-owners): ``GET /crm/v3/owners`` and ``/crm/owners/2026-03`` list them
  (``results``, ``paging.next.after``; ``limit``, ``after``, ``archived``), ``GET …/{ownerId}`` reads one;
  an owner is ``{id, email, type, firstName, lastName, userId, userIdIncludingInactive, createdAt,
  updatedAt, archived, teams}``: CONFIRMED, the owners guide's example answer. Archived owners are listed
  only with ``archived=true``: CONFIRMED (same guide). The 404 body for an unknown owner is the standard
  error shape (docs/hubspot.md#hs-error-body); its wording UNVERIFIED. Default page size 100: UNVERIFIED.
- Account details (docs/hubspot.md#hs-account-details): ``GET /account-info/v3/details`` and
  ``/account-info/2026-03/details`` → ``{portalId, accountType, timeZone, companyCurrency,
  additionalCurrencies, utcOffset, utcOffsetMilliseconds, uiDomain, dataHostingLocation}``: CONFIRMED, the
  API reference "Retrieve account details". The values are the sandbox's own.
"""

from __future__ import annotations

import copy

from crmdefs.sandbox.http import Request, Response, json_response
from crmdefs.sandbox.hubspot_rules import NOT_FOUND, ApiError, Json, Params, archived_flag, refuse
from crmdefs.sandbox.hubspot_store import HubSpotPortal

PORTAL_ID = 24_681_357  # the sandbox portal's id (its record links name it)
UI_DOMAIN = "app.hubspot.com"
OWNERS_PAGE = 100
OWNERS_MAX_PAGE = 500
# (owner id, user id, first name, last name); the last one is a deactivated user: archived
_OWNERS = [
    ("81726354", 9_101_001, "Aisha", "Bello", False),
    ("81726355", 9_101_002, "Lukas", "Brandt", False),
    ("81726356", 9_101_003, "Mei", "Lin", False),
    ("81726357", 9_101_004, "Rafael", "Costa", True),
]


def seeded_owners() -> list[Json]:
    """The portal's owners as the owners API shows them, a fresh copy each call."""
    owners: list[Json] = []
    for owner_id, user_id, first, last, archived in _OWNERS:
        owners.append(
            {
                "id": owner_id,
                "email": f"{first.lower()}.{last.lower()}@example.com",
                "type": "PERSON",
                "firstName": first,
                "lastName": last,
                "userId": None if archived else user_id,
                "userIdIncludingInactive": user_id,
                "createdAt": "2023-11-02T09:14:31.518Z",
                "updatedAt": "2024-06-20T16:02:11.204Z",
                "archived": archived,
                "teams": [],
            }
        )
    return copy.deepcopy(owners)


def _owners(portal: HubSpotPortal) -> list[Json]:
    owners: list[Json] = portal.hub().setdefault("owners", seeded_owners())
    return owners


def list_owners(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    archived = archived_flag(request)
    text = request.param("limit") or str(OWNERS_PAGE)
    if not text.isdigit() or not 1 <= int(text) <= OWNERS_MAX_PAGE:
        raise refuse(f"limit must be between 1 and {OWNERS_MAX_PAGE}, not {text!r}", "limit")  # UNVERIFIED
    after = int(request.param("after") or "0") if (request.param("after") or "0").isdigit() else 0
    matching = [o for o in _owners(portal) if bool(o.get("archived")) == archived]
    page = matching[after : after + int(text)]
    payload: Json = {"results": copy.deepcopy(page)}
    if after + int(text) < len(matching):
        payload["paging"] = {"next": {"after": str(after + int(text)), "link": f"?after={after + int(text)}"}}
    return json_response(200, payload)


def get_owner(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    """One owner by ``id`` (or ``userId`` with ``idProperty=userId``), archived ones only when asked."""
    archived = archived_flag(request)
    key = "userId" if request.param("idProperty") == "userId" else "id"
    for owner in _owners(portal):
        if str(owner.get(key)) == params["owner"] and bool(owner.get("archived")) == archived:
            return json_response(200, copy.deepcopy(owner))
    raise ApiError(404, NOT_FOUND, f"Owner {params['owner']} not found")  # wording UNVERIFIED


def account_details(portal: HubSpotPortal, request: Request, params: Params) -> Response:
    details = {
        "portalId": PORTAL_ID,
        "accountType": "STANDARD",
        "timeZone": "US/Eastern",
        "companyCurrency": "USD",
        "additionalCurrencies": [],
        "utcOffset": "-05:00",
        "utcOffsetMilliseconds": -18_000_000,
        "uiDomain": UI_DOMAIN,
        "dataHostingLocation": "na1",
    }
    return json_response(200, details)
