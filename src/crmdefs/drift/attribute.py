"""Who changed it: each Salesforce difference attributed to the setup change that made it.

The setup audit trail is read once per target and run, only when a Salesforce field drifted (one query,
the last 180 days; docs/salesforce.md#sf-setup-audit-trail). A field's change is the newest row after its
last apply that names it; without a state file, the newest in the whole window (and the report says so).

Matching is by words, as Salesforce writes rows for people, not for programs: its Display wording is not a
contract (docs/salesforce.md#sf-setup-audit-trail-display). A row names a field when its Display holds the
field's label or API name (case-insensitive, whole words, not inside a longer Capitalized name such as
another label or a value: "Type" in "Deal Type"); a row of a "Customize <Objects>" section must
be about the field's object, and a row of Custom Objects, Validation Rules or Field Dependencies must name
the object in its Display (its plural, as Salesforce writes it, or its API name). A row nothing matches
is ignored; a field no row matches says so — never a guess.

crmdefs' own writes: rows made by a user crmdefs applied or reverted as (the state file's ``applied_by``)
or is signed in as now are its own, unless someone made them logged in as that user (``DelegateUser``:
Login-As). They are never reported as someone else's edit; when the newest
matching row is one of them, the report says the last setup change was crmdefs' own apply or revert as
that user — which is true, and tells an admin sharing the integration user apart from nobody.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping

from crmdefs.adapters.setup_audit import (
    AUDIT_DAYS,
    KnowsWhoChanged,
    SetupChange,
    SetupTrail,
    SignedInUser,
)
from crmdefs.apply.applied_state import AppliedField, applied_users
from crmdefs.connect import Connected
from crmdefs.definitions.model import Crm
from crmdefs.drift.classify import Attribution, FieldDrift, Origin, TargetDrift
from crmdefs.plan.state import FieldState

_NAMES_THE_OBJECT = ("custom objects", "validation rules", "field dependencies")


def attribute_target(
    drift: TargetDrift,
    connected: Connected,
    states: Mapping[str, FieldState],
    applied: Mapping[str, AppliedField] | None,
) -> TargetDrift:
    """``drift`` with its Salesforce fields attributed; unchanged when none drifted (no query is made).
    A field whose definitions changed but were not applied is not asked about: the CRM still holds what
    crmdefs applied, so no setup change made the difference."""
    if not any(_asked(f) for f in drift.fields):
        return drift
    adapter: object = connected.adapters.get(Crm.SALESFORCE)  # only Salesforce's knows who changed it
    if not isinstance(adapter, KnowsWhoChanged):
        return drift
    trail = adapter.setup_trail(AUDIT_DAYS)
    if trail.unavailable is not None:
        return dataclasses.replace(drift, attribution_unavailable=trail.unavailable)
    me = adapter.signed_in_user()
    own = applied_users(applied) | ({me} if me is not None else set())
    fields = tuple(
        attribute_field(
            f,
            trail,
            states.get(f.address),
            own,
            since_apply=f.last_applied_at is not None,  # never applied: the whole window
            own_until=_recorded_at(applied, f.address),
        )
        if _asked(f)
        else f
        for f in drift.fields
    )
    return dataclasses.replace(drift, fields=fields)


def _asked(field: FieldDrift) -> bool:
    return field.address.startswith("salesforce:") and field.origin is not Origin.NOT_APPLIED


def attribute_field(
    field: FieldDrift,
    trail: SetupTrail,
    state: FieldState | None,
    own: Iterable[SignedInUser],
    *,
    since_apply: bool,
    own_until: str | None = None,
) -> FieldDrift:
    """The newest setup change after the field's last apply that names it: someone else's first, else
    crmdefs' own; none found is said too. ``own_until``: when the last apply recorded its writes (state
    file 1.2) — a change by crmdefs' user after it is not that apply's, but someone signed in as that user
    (an admin who runs crmdefs as themselves also edits in Setup)."""
    obj, _, name = field.address.removeprefix("salesforce:").partition(".")
    label = state.label if state is not None else None
    since = _instant(field.last_applied_at) if since_apply else None
    until = _instant(own_until)
    matching = [
        c
        for c in trail.changes
        if names_field(c, obj, name, label) and (since is None or (_instant(c.at) or since) >= since)
    ]
    as_crmdefs = [c for c in matching if _is_own(c, own)]
    # Both times are to the second and a row of the apply is made before it records, so "<=" holds for
    # every row of it; an edit in that same second would count as the apply's too (no way to tell).
    mine = [c for c in as_crmdefs if until is None or (_instant(c.at) or until) <= until]
    theirs = [c for c in matching if c not in mine]
    change = next(iter(theirs or mine), None)
    found = Attribution(
        change,
        own=bool(change is not None and not theirs),
        days=trail.days,
        since=since_apply,
        crmdefs_user=bool(theirs) and change in as_crmdefs,
    )
    return dataclasses.replace(field, attribution=found)


def _recorded_at(applied: Mapping[str, AppliedField] | None, address: str) -> str | None:
    record = (applied or {}).get(address)
    return record.recorded_at if record is not None else None


def names_field(change: SetupChange, obj: str, name: str, label: str | None) -> bool:
    """Whether a setup change's row is about field ``obj.name`` (labelled ``label``)."""
    display, section = change.display.casefold(), change.section.casefold()
    field_words = {name, name.removesuffix("__c").replace("_", " "), *([label] if label else [])}
    if not any(_names(change.display, word) for word in field_words):
        return False
    objects = _object_words(obj)
    if section.startswith("customize "):
        return section.removeprefix("customize ").strip() in objects
    if section in _NAMES_THE_OBJECT:
        return any(_holds(display, word) for word in objects)
    return True


def _names(display: str, word: str) -> bool:
    """Whether ``display`` names ``word`` on its own: a whole word (any case), not part of a longer name.
    Rows write labels and values as they are, usually Capitalized, in Salesforce's own lower-case words
    (docs/salesforce.md#sf-setup-audit-trail-display): a Capitalized word next to it (but the row's first,
    its verb) makes it part of another label or a value — "Type" in "Deal Type" or "New Type"."""
    word = word.strip()
    for found in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", display, re.IGNORECASE) if word else ():
        before = re.search(r"(\w+) $", display[: found.start()])
        after = re.match(r" (\w+)", display[found.end() :])
        longer = (before is not None and before.start() > 0 and before[1][0].isupper()) or (
            after is not None and after[1][0].isupper()
        )
        if not longer:
            return True
    return False


def _holds(text: str, word: str) -> bool:
    word = word.casefold().strip()
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _object_words(obj: str) -> set[str]:
    """How rows name an object: its API name, and its name as English words, singular and plural."""
    base = obj.removesuffix("__c").replace("_", " ").casefold()
    # An object's plural label as Salesforce writes it in a Section ("Customize Opportunities"): English
    # rules, not a count (so not words.plural).
    stem, ending = (base[:-1], "ie") if base.endswith("y") else (base, "e" if base.endswith("s") else "")
    return {obj.casefold(), base, f"{stem}{ending}s"}


def _is_own(change: SetupChange, own: Iterable[SignedInUser]) -> bool:
    # A DelegateUser row was made by a person logged in as that user: an admin's edit through the
    # integration user's login, never crmdefs' own write (docs/salesforce.md#sf-setup-audit-trail).
    return not change.delegate and any(
        (change.user_id is not None and change.user_id[:15] == user.id[:15])
        or (change.username or "").casefold() == user.username.casefold()
        for user in own
    )


def _instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.timezone.utc)
