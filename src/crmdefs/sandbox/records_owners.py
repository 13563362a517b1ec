"""Owners and last-modified dates for the seeded records, added after records_seed.py's records are in the
state (``service.seed()`` calls :func:`with_owners` last), so that `crmdefs examples` has owners and dates
to show. Values a record already holds are kept; the same on every call.

- HubSpot: the portal's owners (hubspot_owners.py) and each seeded deal's and contact's
  ``hubspot_owner_id``, the owners taken in turn — one of them deactivated (archived), as real portals
  keep records of people who left (docs/hubspot.md#hs-owners).
- Salesforce: each seeded Opportunity's and Lead's ``OwnerId`` (the users the org holds, in turn; none when
  it holds none) and ``LastModifiedDate`` (a dateTime as the REST API writes it, ``…T09:15:00.000+0000``,
  docs/salesforce.md#sf-record-links), all different so that "newest first" has one answer; and each
  Lead's compound ``Name``, first and last name as Salesforce derives it (docs/salesforce.md#sf-record-names;
  kept as seeded: a later write of LastName does not change it here, UNVERIFIED shortcut).
"""

from __future__ import annotations

from typing import Any

from crmdefs.sandbox.hubspot_owners import seeded_owners

Json = dict[str, Any]


def with_owners(state: Json) -> Json:
    """``state`` (both CRMs' dicts) with owners, and Salesforce dates, on its seeded records."""
    hubspot = state.setdefault("hubspot", {})
    owners = hubspot.setdefault("owners", seeded_owners())
    owner_ids = [str(o["id"]) for o in owners]
    for object_type in ("deals", "contacts"):
        records = hubspot.get("objects", {}).get(object_type, {})
        for n, record_id in enumerate(sorted(records)):
            properties = records[record_id]["properties"]
            properties.setdefault("hubspot_owner_id", owner_ids[n % len(owner_ids)] if owner_ids else None)
    salesforce_records = state.get("salesforce", {}).get("records", {})
    user_ids = sorted(salesforce_records.get("User", {}))
    for offset, object_name in enumerate(("Opportunity", "Lead")):
        records = salesforce_records.get(object_name, {})
        for n, record_id in enumerate(sorted(records)):
            record = records[record_id]
            if user_ids:
                record.setdefault("OwnerId", user_ids[n % len(user_ids)])
            record.setdefault("LastModifiedDate", _modified(n * 2 + offset))
            if object_name == "Lead":
                parts = (record.get("FirstName"), record.get("LastName"))
                record.setdefault("Name", " ".join(str(p) for p in parts if p))
    return state


def _modified(n: int) -> str:
    """A distinct dateTime per ``n`` in 2025, spread over days and hours."""
    month, day, hour = 1 + (n * 7) % 12, 1 + (n * 5) % 28, 8 + n % 10
    return f"2025-{month:02d}-{day:02d}T{hour:02d}:{(n * 13) % 60:02d}:00.000+0000"
