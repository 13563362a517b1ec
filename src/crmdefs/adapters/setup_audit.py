"""Who is signed in, and who changed the setup: the typed records an adapter that knows them gives
(Salesforce: getUserInfo and SetupAuditTrail, adapters/salesforce/audit.py). apply records the signed-in
user (apply/applied_state.py); drift attributes a difference to the setup change that made it
(drift/attribute.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

AUDIT_DAYS = 180  # Salesforce keeps at least the last 180 days (docs/salesforce.md#sf-setup-audit-trail)


@dataclass(frozen=True)
class SignedInUser:
    """The user a session belongs to. ``name`` is for people; ``id`` and ``username`` identify."""

    id: str
    username: str
    name: str | None = None


@dataclass(frozen=True)
class SetupChange:
    """One row of the setup audit trail, as the CRM wrote it. ``at``: ISO 8601 UTC (``…Z``)."""

    at: str
    action: str
    section: str
    display: str
    user_id: str | None
    user_name: str | None
    username: str | None
    delegate: str | None = None  # the Login-As user who acted for ``username``, if one did


@dataclass(frozen=True)
class SetupTrail:
    """The setup changes of the last ``days`` days, or why they could not be read (``unavailable``)."""

    changes: tuple[SetupChange, ...] = ()
    days: int = AUDIT_DAYS
    unavailable: str | None = None


@runtime_checkable
class KnowsWhoChanged(Protocol):
    """An adapter that can say who it is signed in as and read the setup audit trail."""

    def signed_in_user(self) -> SignedInUser | None:
        """Asked once per run (then remembered); None when the CRM would not say."""
        ...

    def setup_trail(self, days: int) -> SetupTrail:
        """One query of the last ``days`` days, newest first; a refusal is ``unavailable``, never raised."""
        ...
