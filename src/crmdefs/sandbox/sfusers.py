"""The users of the sandbox's Salesforce org: ``state["salesforce"]["records"]["User"]`` by Id (ids start
with 005, the User key prefix). Seeded records name them in ``OwnerId``; a query's ``Owner.Name`` reads them
(sfquery.py, docs/salesforce.md#sf-soql-parent-fields).
"""

from __future__ import annotations

from typing import Any

from crmdefs.sandbox.records_seed import salesforce_id18

Json = dict[str, Any]

# The fields a parent User offers to ``Owner.<field>`` in the sandbox (a subset of User and of Name).
USER_FIELDS = ("Id", "Name", "FirstName", "LastName", "Alias", "Email", "Username", "IsActive")

_USERS = [("Priya", "Raman"), ("Marcus", "Webb"), ("Elena", "Sokolova"), ("Tomás", "Herrera")]
USER_IDS = [salesforce_id18(f"0055g{n:010d}") for n in range(1, len(_USERS) + 1)]


def seeded_users() -> dict[str, Json]:
    """The seeded users by Id, a fresh copy each call."""
    users: dict[str, Json] = {}
    for user_id, (first, last) in zip(USER_IDS, _USERS, strict=True):
        login = f"{first[0]}{last}".lower()
        users[user_id] = {
            "Id": user_id,
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "Alias": login[:8],
            "Email": f"{login}@example.com",
            "Username": f"{login}@example.com.sandbox",
            "IsActive": True,
        }
    return users


def with_users(salesforce: Json) -> Json:
    """``state["salesforce"]`` with the seeded users beside its records (users it already holds are kept)."""
    records = salesforce.setdefault("records", {})
    records["User"] = {**seeded_users(), **records.get("User", {})}
    return salesforce
