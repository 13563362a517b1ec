"""Seeded RECORDS for both CRMs: the data a picklist migration has to count and rewrite, and the demo org the
quality report (`crmdefs quality`) reads.

Merged by ``service.seed()`` into ``state["salesforce"]["records"]`` (``{object: {Id: record}}``) and
``state["hubspot"]["objects"]`` (``{objectType: {id: object}}``). Deterministic given the day the sandbox
starts (``today``): the same records on every call, their dates counted back from that day, so a 90-day
window holds the same records whatever the day.

Dates: record number n (1-based, per object) was last changed ``_days_ago(n)`` days before ``today`` — every
sixth record (n = 6, 12, …) 91 to 390 days back, outside a 90-day window (so ``--since 90d`` counts fewer
records than all), the others 1 to 88 days back — and created 3 to 62 days before that.

Salesforce
- 47 Opportunities on the two seeded record types, with CreatedDate, LastModifiedDate and CloseDate (closed
  ones: the day of their last change; open ones: 30 days after it). Only "Closed Lost" ones carry a
  Loss_Reason__c, and each record type uses the reasons it allows (salesforce_seed.py: New_Business →
  Price, Lost to Competitor, Other; Renewal → pricing, No Decision / Non-Responsive). Composition
  (``_OPPORTUNITIES``, in order): New Business 6 Price, 4 Lost to Competitor, 3 Other, 2 Closed Lost with
  no reason, 2 Closed Won, 7 open; Renewal 5 pricing, 3 No Decision / Non-Responsive, 1 Closed Lost with no
  reason, 3 Closed Won, 4 open; then the quality demo's 5 more New Business Closed Lost "Other" and 2
  more with no reason. So of 47: 31 Closed Lost, 5 of them without a reason (the requirement "Closed Lost
  needs a reason" is broken, about 84% filled); "Other" is 8 records, 17% of all (the catch-all chosen
  too often: the shipped threshold is 10%); "pricing", "Lost to Competitor" and "No Decision /
  Non-Responsive" are legacy values still in use (the definitions rename them). Inside 90 days (n not a
  multiple of 6: 40 records): 6 "Other" (15%), 27 Closed Lost of which 5 have no reason.
- 20 Leads spread over the LeadStatus values, with CreatedDate and LastModifiedDate; about half hold one
  or more Product_Interest__c values (a multi-select picklist, stored as "a;b;c").
- Ids are 18 characters: a 15-character id plus Salesforce's case-safe checksum suffix (the documented
  15→18 algorithm). RecordTypeIds are the ids the sandbox's describe gives the two record types
  (``SalesforceOrg.record_type_infos`` in sfstore.py: sorted record types, ``0125g00000{i:05d}AAA``).
  Datetimes are written as the REST API writes them (``2026-11-29T10:00:00.000+0000``).

HubSpot
- 30 deals in the "default" pipeline. ``closed_lost_reason`` is free text typed by reps: case, punctuation,
  stray blanks, empty strings and nulls, as real portals hold it. Objects have the shape of the CRM objects
  API (``id``, ``properties`` with string values, ``createdAt``, ``updatedAt``, ``archived``); the system
  properties ``hs_object_id``, ``createdate`` and ``hs_lastmodifieddate`` (contacts: ``lastmodifieddate``)
  are kept in ``properties`` as the API returns them, ``…T09:14:00.000Z``.
- 11 contacts with ``hs_lead_status`` values (the option values of the seeded property) and some nulls,
  and ``hs_buying_role``, a multiple-checkbox property: several option values in one string, separated by
  semicolons ("BUDGET_HOLDER;CHAMPION", docs/hubspot.md#hs-multi-checkbox-values), or none.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

Json = dict[str, Any]

_ID_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id18(id15: str) -> str:
    """The 18-character (case-insensitive-safe) form of a 15-character Salesforce id."""
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += _ID_SUFFIX[bits]
    return id15 + suffix


def _sf_id(prefix: str, number: int) -> str:
    return salesforce_id18(f"{prefix}5g{number:010d}")


# Record type ids as the sandbox describe numbers them (sorted full names: New_Business, Renewal).
RECORD_TYPE_IDS = {"New_Business": "0125g0000000000AAA", "Renewal": "0125g0000000001AAA"}

# (record type, stage, loss reason): 31 New Business and 16 Renewal opportunities.
_OPPORTUNITIES: list[tuple[str, str, str | None]] = [
    *[("New_Business", "Closed Lost", "Price")] * 6,
    *[("New_Business", "Closed Lost", "Lost to Competitor")] * 4,
    *[("New_Business", "Closed Lost", "Other")] * 3,
    *[("New_Business", "Closed Lost", None)] * 2,
    ("New_Business", "Closed Won", None),
    ("New_Business", "Closed Won", None),
    ("New_Business", "Prospecting", None),
    ("New_Business", "Qualification", None),
    ("New_Business", "Needs Analysis", None),
    ("New_Business", "Value Proposition", None),
    ("New_Business", "Proposal/Price Quote", None),
    ("New_Business", "Negotiation/Review", None),
    ("New_Business", "Id. Decision Makers", None),
    *[("Renewal", "Closed Lost", "pricing")] * 5,
    *[("Renewal", "Closed Lost", "No Decision / Non-Responsive")] * 3,
    ("Renewal", "Closed Lost", None),
    ("Renewal", "Closed Won", None),
    ("Renewal", "Closed Won", None),
    ("Renewal", "Closed Won", None),
    ("Renewal", "Qualification", None),
    ("Renewal", "Qualification", None),
    ("Renewal", "Negotiation/Review", None),
    ("Renewal", "Negotiation/Review", None),
    # The quality demo: the catch-all chosen too often, and closed-lost deals without a reason.
    *[("New_Business", "Closed Lost", "Other")] * 5,
    *[("New_Business", "Closed Lost", None)] * 2,
]
_COMPANIES = [
    "Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises",
    "Wonka Industries", "Cyberdyne", "Soylent", "Tyrell", "Vandelay Industries", "Massive Dynamic",
    "Pied Piper", "Gringotts", "Monarch Solutions", "Oscorp", "Aperture Science", "Black Mesa",
    "Dunder Mifflin",
]  # fmt: skip
_OPEN, _WORKING = "Open - Not Contacted", "Working - Contacted"
_CONVERTED, _NOT_CONVERTED = "Closed - Converted", "Closed - Not Converted"
# Lead.Product_Interest__c (a multi-select picklist: "a;b"), by lead number; the others hold none.
_PRODUCT_INTEREST = {
    1: "CRM", 2: "CRM;Analytics", 3: "Analytics;Billing", 4: "Billing", 5: "CRM;Billing;Support",
    6: "Support", 7: "Analytics", 8: "CRM;Analytics;Billing;Support", 11: "Billing;CRM",
}  # fmt: skip
_LEADS: list[tuple[str, str]] = [  # (last name, status)
    ("Nguyen", _OPEN), ("Schmidt", _OPEN), ("Okafor", _OPEN), ("Rossi", _OPEN), ("Kowalski", _OPEN),
    ("Tanaka", _OPEN), ("Silva", _WORKING), ("Dubois", _WORKING), ("Jensen", _WORKING), ("Haddad", _WORKING),
    ("O'Brien", _WORKING), ("Ivanova", _CONVERTED), ("Mensah", _CONVERTED), ("Lopez", _CONVERTED),
    ("Novak", _CONVERTED), ("Becker", _NOT_CONVERTED), ("Ahmed", _NOT_CONVERTED), ("Moreau", _NOT_CONVERTED),
    ("Kim", _NOT_CONVERTED), ("Fischer", _OPEN),
]  # fmt: skip


def _days_ago(n: int) -> int:
    """How many days before ``today`` record n was last changed: every sixth 91-390 days (outside a 90-day
    window), the others 1-88 days."""
    return 91 + (n * 37) % 300 if n % 6 == 0 else 1 + (n * 13) % 88


def _changed(today: dt.date, n: int) -> tuple[dt.datetime, dt.datetime]:
    """(created, last modified) of record n, in UTC, at a working hour."""
    at = dt.time(8 + n % 10, (n * 7) % 60, (n * 13) % 60, tzinfo=dt.timezone.utc)
    modified = dt.datetime.combine(today - dt.timedelta(days=_days_ago(n)), at)
    return modified - dt.timedelta(days=3 + (n * 11) % 60), modified


def _salesforce_time(moment: dt.datetime) -> str:
    """As the REST API writes a dateTime: ``2026-11-29T10:00:00.000+0000``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _hubspot_time(moment: dt.datetime) -> str:
    """As HubSpot's objects API writes one: ``2026-11-29T10:00:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _salesforce_records(today: dt.date) -> Json:
    opportunities: dict[str, Json] = {}
    for n, (record_type, stage, reason) in enumerate(_OPPORTUNITIES, start=1):
        record_id = _sf_id("006", n)
        label = "Renewal" if record_type == "Renewal" else "New Business"
        created, modified = _changed(today, n)
        closes = modified.date() if stage.startswith("Closed") else modified.date() + dt.timedelta(days=30)
        opportunities[record_id] = {
            "Id": record_id,
            "Name": f"{_COMPANIES[n % len(_COMPANIES)]} - {label} {n:02d}",
            "StageName": stage,
            "Loss_Reason__c": reason,
            "RecordTypeId": RECORD_TYPE_IDS[record_type],
            "CloseDate": closes.isoformat(),
            "CreatedDate": _salesforce_time(created),
            "LastModifiedDate": _salesforce_time(modified),
        }
    leads: dict[str, Json] = {}
    for n, (last_name, status) in enumerate(_LEADS, start=1):
        record_id = _sf_id("00Q", n)
        created, modified = _changed(today, n)
        leads[record_id] = {
            "Id": record_id,
            "LastName": last_name,
            "Company": _COMPANIES[(n * 7) % len(_COMPANIES)],
            "Status": status,
            "Product_Interest__c": _PRODUCT_INTEREST.get(n),
            "CreatedDate": _salesforce_time(created),
            "LastModifiedDate": _salesforce_time(modified),
        }
    return {"Opportunity": opportunities, "Lead": leads}


# (dealstage, closed_lost_reason as typed; None = never filled in, "" = cleared by hand)
_DEALS: list[tuple[str, str | None]] = [
    ("closedlost", "too expensive"), ("closedlost", "Too expensive "), ("closedlost", "price"),
    ("closedlost", "Price"), ("closedlost", "Pricing!!"), ("closedlost", "pricing"),
    ("closedlost", "Went with Acme"), ("closedlost", "went with acme"), ("closedlost", "  competitor "),
    ("closedlost", "Chose Globex"), ("closedlost", "no budget this year"), ("closedlost", "Budget cut"),
    ("closedlost", "lost contact"), ("closedlost", "ghosted"), ("closedlost", ""),
    ("closedlost", None), ("closedlost", "N/A"), ("closedlost", "timing"),
    ("closedwon", None), ("closedwon", None), ("closedwon", ""),
    ("appointmentscheduled", None), ("qualifiedtobuy", None), ("qualifiedtobuy", None),
    ("presentationscheduled", None), ("decisionmakerboughtin", None), ("contractsent", None),
    ("contractsent", "price"),  # filled in too early by a rep; the deal is still open
    ("appointmentscheduled", None), ("presentationscheduled", None),
]  # fmt: skip
_LEAD_STATUSES: list[str | None] = [
    "NEW", "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED",
    "BAD_TIMING", None, None,
]  # fmt: skip
_FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Emeka", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kai"]
# contacts.hs_buying_role (multiple checkboxes: "a;b"), by contact number; the others hold none.
_BUYING_ROLES = {
    1: "BUDGET_HOLDER", 2: "BUDGET_HOLDER;CHAMPION", 3: "CHAMPION", 4: "DECISION_MAKER;BUDGET_HOLDER",
    5: "END_USER;BUDGET_HOLDER;INFLUENCER", 7: "DECISION_MAKER", 8: "INFLUENCER;END_USER",
}  # fmt: skip


def hubspot_object(object_id: str, properties: dict[str, str | None], created: str, updated: str) -> Json:
    """One HubSpot record as the sandbox stores it: the system properties kept beside the others (deals and
    most objects name the last-modified one ``hs_lastmodifieddate``, contacts ``lastmodifieddate``)."""
    return {
        "id": object_id,
        "properties": {**properties, "createdate": created, "hs_object_id": object_id},
        "createdAt": created,
        "updatedAt": updated,
        "archived": False,
    }


def _hubspot_objects(today: dt.date) -> Json:
    deals: dict[str, Json] = {}
    for n, (stage, reason) in enumerate(_DEALS, start=1):
        object_id = str(17_120_341_000 + n)
        created, updated = (_hubspot_time(t) for t in _changed(today, n))
        properties: dict[str, str | None] = {
            "dealname": f"{_COMPANIES[n % len(_COMPANIES)]} deal {n:02d}",
            "dealstage": stage,
            "pipeline": "default",
            "dealtype": "newbusiness" if n % 3 else "existingbusiness",
            "amount": str(1000 * (n % 9 + 1)),
            "closed_lost_reason": reason,
            "hs_lastmodifieddate": updated,
        }
        deals[object_id] = hubspot_object(object_id, properties, created, updated)
    contacts: dict[str, Json] = {}
    for n, status in enumerate(_LEAD_STATUSES, start=1):
        object_id = str(51_000 + n * 101)
        created, updated = (_hubspot_time(t) for t in _changed(today, n))
        first, last = _FIRST_NAMES[n - 1], _LEADS[n - 1][0]
        properties = {
            "firstname": first,
            "lastname": last,
            "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.com",
            "hs_lead_status": status,
            "hs_buying_role": _BUYING_ROLES.get(n),
            "lifecyclestage": "lead",
            "lastmodifieddate": updated,
        }
        contacts[object_id] = hubspot_object(object_id, properties, created, updated)
    return {"deals": deals, "contacts": contacts}


def records_seed(today: dt.date | None = None) -> Json:
    """``{"salesforce": {"records": ...}, "hubspot": {"objects": ...}}``, a fresh copy each call, dated back
    from ``today`` (None: today in UTC)."""
    day = today if today is not None else dt.datetime.now(dt.timezone.utc).date()
    return copy.deepcopy(
        {
            "salesforce": {"records": _salesforce_records(day)},
            "hubspot": {"objects": _hubspot_objects(day)},
        }
    )
