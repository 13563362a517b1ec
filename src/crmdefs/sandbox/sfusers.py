"""The users of the sandbox's Salesforce org: ``state["salesforce"]["records"]["User"]`` by Id (ids start
with 005, the User key prefix). Seeded records name them in ``OwnerId``; a query's ``Owner.Name`` reads them
(sfquery.py, docs/salesforce.md#sf-soql-parent-fields), and SetupAuditTrail's ``CreatedBy.Name`` too
(sfaudit.py).

Who is signed in: the sandbox's access token is the session of its API user, "crmdefs Integration" (the
user crmdefs signs in as); every other seeded user has a session token of its own (:func:`session_token`,
given to tests as ``SandboxInfo.user_tokens``), so a test can make a Setup-style edit as another admin
through the real client. ``PermissionsViewSetup`` (the "View Setup and Configuration" permission, sandbox
only: not a queryable User field) decides whether the user may read the setup audit trail
(docs/salesforce.md#sf-setup-audit-trail-access).
"""

from __future__ import annotations

import hashlib
from typing import Any

from crmdefs.sandbox.records_seed import salesforce_id18

Json = dict[str, Any]

# The fields a parent User offers to ``Owner.<field>`` in the sandbox (a subset of User and of Name).
USER_FIELDS = ("Id", "Name", "FirstName", "LastName", "Alias", "Email", "Username", "IsActive")

_USERS = [("Priya", "Raman"), ("Marcus", "Webb"), ("Elena", "Sokolova"), ("Tomás", "Herrera")]
USER_IDS = [salesforce_id18(f"0055g{n:010d}") for n in range(1, len(_USERS) + 1)]
API_USER_ID = salesforce_id18("0055g0000000000")  # crmdefs' own sign-in: the sandbox's access token
API_USERNAME = "crmdefs.integration@example.com.sandbox"
# Tomás Herrera is a sales user, not an admin: no "View Setup and Configuration".
_NO_VIEW_SETUP = {USER_IDS[3]}


def _api_user() -> Json:
    return {
        "Id": API_USER_ID,
        "FirstName": "crmdefs",
        "LastName": "Integration",
        "Name": "crmdefs Integration",
        "Alias": "crmdefs",
        "Email": "crmdefs.integration@example.com",
        "Username": API_USERNAME,
        "IsActive": True,
        "PermissionsViewSetup": True,
    }


def session_token(state_token: str, user_id: str) -> str:
    """The session token of ``user_id``: the state's token for the API user, a token derived from it for
    the others (so it survives restarts, and a reset keeps it as it keeps the token)."""
    if user_id == API_USER_ID:
        return state_token
    digest = hashlib.sha256(f"{state_token}:{user_id}".encode()).hexdigest()[:40]
    return f"00D5g00000sbx!{digest}"


def user_for_token(users: dict[str, Json], state_token: str, token: str | None) -> str | None:
    """The id of the user whose session ``token`` is, or None (a wrong or expired session)."""
    if not token:
        return None
    if token == state_token:
        return API_USER_ID
    known = {**seeded_users(), **users}
    return next((uid for uid in known if session_token(state_token, uid) == token), None)


def seeded_users() -> dict[str, Json]:
    """The seeded users by Id, a fresh copy each call."""
    users: dict[str, Json] = {API_USER_ID: _api_user()}
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
            "PermissionsViewSetup": user_id not in _NO_VIEW_SETUP,
        }
    return users


def with_users(salesforce: Json) -> Json:
    """``state["salesforce"]`` with the seeded users beside its records (users it already holds are kept)."""
    records = salesforce.setdefault("records", {})
    records["User"] = {**seeded_users(), **records.get("User", {})}
    return salesforce
