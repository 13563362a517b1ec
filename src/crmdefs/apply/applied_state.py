"""What apply last wrote, per target: ``.crmdefs/state/<target>.json``. One home for its format.

drift uses it to tell "someone edited the CRM since the last apply" from "the definitions changed but were
not applied" from "never applied". Commit the folder, or keep it as a CI artifact: without it, drift
can still find differences but cannot say where they came from.

Format (``format_version`` 1.2): ``{"target", "fields": {address: {"applied_at", "desired_digest",
"crm_fingerprint", "crm_state"[, "not_kept"][, "reverted_from"][, "applied_by", "recorded_at"]}}[,
"plans": {plan id: {"applied_at"}}]}``
— the state apply read back right after writing, and a digest of the definitions it applied. ``not_kept``
(optional) lists the texts the CRM accepted but did not keep, by key (``description``,
``values[Price].label``): ``{"sent", "read_back"}`` (plan/not_kept.py); later plans skip them while the
definitions still ask for the same text. 1.1 added two optional keys, which 1.0 readers ignore:
``reverted_from`` (the field was last written by `crmdefs revert`, back to that backup: drift says so
instead of blaming the CRM) and ``plans`` (the saved plans applied, by id: the same plan is not applied
twice). 1.2 added two optional keys, which older readers ignore and whose absence this reader accepts:
``applied_by`` ``{"id", "username"}``, the user apply (or revert) was signed in as when it wrote the field
(Salesforce's getUserInfo), and ``recorded_at``, when its writes were read back and recorded: drift
knows that user's setup changes from ``applied_at`` to ``recorded_at`` are crmdefs' own writes, and one
made later with the same user is not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdefs.adapters.setup_audit import SignedInUser
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import FieldAddress, Glossary
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.errors import CrmdefsError, Problem, Severity, StateFileError
from crmdefs.files import check_version, json_object, located, mapping, unusable, write_json
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.not_kept import NotKept, describe, not_kept_from_json, still_asked
from crmdefs.plan.state import DesiredField, FieldState, field_state_from_json

STATE_FORMAT = "1.2"


def desired_digest(field: DesiredField) -> str:
    """A digest of what the definitions ask of one field."""
    data = dataclasses.asdict(field)
    del data["source"]  # where the binding is written is not what it asks
    # Keys newer than most state files are left out at their defaults, so those files keep their digests.
    if data.get("pipeline") is None:
        del data["pipeline"]
    if not data.get("rules"):  # none (or not managed): as before validation rules existed
        data.pop("rules", None)
    for rule in data.get("rules") or ():
        del rule["source"]  # where the requirement is written is not what it asks
    if data.get("depends_on") is None:
        data.pop("depends_on", None)
    else:
        del data["depends_on"]["source"]  # as the field's own source: where it is written is not what it asks
    for value in data.get("values") or ():
        if value.get("new_label") is None:
            del value["new_label"]
        if not value.get("value_given"):
            del value["value_given"]
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class AppliedField:
    applied_at: str
    desired_digest: str
    crm_fingerprint: str
    crm_state: FieldState
    not_kept: Mapping[str, NotKept] = dataclasses.field(default_factory=dict)
    reverted_from: str | None = None  # written by `crmdefs revert`, back to this backup
    applied_by: SignedInUser | None = None  # who apply was signed in as (1.2; None: not known)
    # When the writes were read back and recorded (1.2): with applied_at, the span of crmdefs' own writes.
    # A setup change its user made after this is not that apply's (drift/attribute.py).
    recorded_at: str | None = None


@dataclass(frozen=True)
class Provenance:
    """Where an apply's writes came from, recorded with them."""

    plan_id: str | None = None  # `apply PLANFILE`: that plan's id (planfile.plan_id), not applied twice
    reverted_from: str | None = None  # `revert`: the backup the fields went back to


def applied_users(applied: Mapping[str, AppliedField] | None) -> frozenset[SignedInUser]:
    """Every user crmdefs wrote a field as, by the state file: their setup changes are crmdefs' own."""
    return frozenset(f.applied_by for f in (applied or {}).values() if f.applied_by is not None)


# What apply verified of one field: the keys of the texts it wrote, and those the CRM did not keep.
Verified = tuple[frozenset[str], Mapping[str, NotKept]]


def state_path(project_root: Path, target: str) -> Path:
    return project_root / ".crmdefs" / "state" / f"{target}.json"


def load_applied(path: Path) -> dict[str, AppliedField] | None:
    """The recorded fields, or None when there is no state file."""
    return None if not path.exists() else _load(path)[0]


def plan_applied_at(path: Path, plan_id: str) -> str | None:
    """When the saved plan ``plan_id`` was applied to this target, or None (never, or no state file)."""
    return None if not path.exists() else _load(path)[1].get(plan_id)


def _load(path: Path) -> tuple[dict[str, AppliedField], dict[str, str]]:
    """The recorded fields, and when each saved plan was applied (plan id → time)."""
    try:
        data = json_object(path.read_text(encoding="utf-8"))
        check_version(data, STATE_FORMAT)
        fields = {
            address: located(f"fields[{address!r}]", _applied_field, f)
            for address, f in located("'fields'", mapping, data["fields"]).items()
        }
        plans = {
            str(k): str(located(f"plans[{k!r}]", mapping, v)["applied_at"])
            for k, v in located("'plans'", mapping, data.get("plans", {})).items()
        }
        return fields, plans
    except (OSError, ValueError, KeyError, TypeError, AttributeError, CrmdefsError) as exc:
        raise StateFileError(
            f"{unusable(str(path), 'crmdefs state file', exc)} — restore it from version control, or "
            "delete it (drift then cannot classify differences)"
        ) from exc


def _applied_field(f: dict[str, Any]) -> AppliedField:
    state = field_state_from_json(f["crm_state"])
    not_kept = {str(k): not_kept_from_json(v) for k, v in mapping(f.get("not_kept", {})).items()}
    reverted = f.get("reverted_from")
    by = mapping(f["applied_by"]) if f.get("applied_by") is not None else None
    return AppliedField(
        str(f["applied_at"]),
        str(f["desired_digest"]),
        str(f["crm_fingerprint"]),
        state,
        not_kept,
        None if reverted is None else str(reverted),
        SignedInUser(str(by["id"]), str(by["username"])) if by is not None else None,
        None if f.get("recorded_at") is None else str(f["recorded_at"]),
    )


def not_kept_warnings(project_root: Path, glossary: Glossary) -> list[Problem]:
    """`validate`: bindings that ask for a text a target's CRM did not keep at the last apply (recorded in
    its state file). An unreadable state file is left to the commands that use it."""
    bindings = {b.address: b for b in glossary.bindings}
    desired = desired_fields(glossary)
    problems: list[Problem] = []
    for path in sorted((project_root / ".crmdefs" / "state").glob("*.json")):
        try:
            found = still_asked(desired, load_not_kept(path))
        except CrmdefsError:
            continue
        for address, key, entry in found:
            source = bindings[address].source
            crm = CRM_NAMES[address.crm]
            held = "nothing" if entry.read_back is None else "another text"
            problems.append(
                Problem(
                    source.path,
                    source.line,
                    1,
                    f"{crm} did not keep the {describe(key)} of {address} at the last apply on target "
                    f"'{path.stem}' (it read back {held})",
                    "plans skip it; set it in the CRM's Setup, or change or remove it here to try again",
                    Severity.WARNING,
                )
            )
    return problems


def load_not_kept(path: Path) -> dict[FieldAddress, Mapping[str, NotKept]]:
    """The texts each field's CRM did not keep, as recorded by apply (empty without a state file)."""
    return {parse_address(a): f.not_kept for a, f in (load_applied(path) or {}).items() if f.not_kept}


def record_applied(
    path: Path,
    target: str,
    applied_at: str,
    desired: Mapping[str, DesiredField],
    states: Mapping[str, FieldState],
    verified: Mapping[str, Verified] | None = None,
    provenance: Provenance | None = None,
    applied_by: SignedInUser | None = None,
) -> None:
    """Merge the fields just applied (address → desired, read-back state) into the state file. A text
    verified now replaces what was recorded of it (kept: forgotten; not kept: recorded); the others'
    records stay. ``provenance`` says where the writes came from (a saved plan, a revert); ``applied_by``
    who the CRM was told wrote them."""
    provenance = provenance or Provenance()
    recorded_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    current, plans = _load(path) if path.exists() else ({}, {})
    for address, state in states.items():
        checked, missed = (verified or {}).get(address, (frozenset(), {}))
        earlier = current[address].not_kept if address in current else {}
        not_kept = {k: v for k, v in earlier.items() if k not in checked} | dict(missed)
        current[address] = AppliedField(
            applied_at,
            desired_digest(desired[address]),
            state.fingerprint(),
            state,
            not_kept,
            provenance.reverted_from,
            applied_by,
            recorded_at,
        )
    if provenance.plan_id is not None and states:
        plans.setdefault(provenance.plan_id, applied_at)  # the first apply of it is the one to name
    data: dict[str, Any] = {
        "format_version": STATE_FORMAT,
        "target": target,
        "fields": {
            address: {
                "applied_at": f.applied_at,
                "desired_digest": f.desired_digest,
                "crm_fingerprint": f.crm_fingerprint,
                "crm_state": f.crm_state.to_json(),
                **(
                    {"not_kept": {k: v.to_json() for k, v in sorted(f.not_kept.items())}}
                    if f.not_kept
                    else {}
                ),
                **({"reverted_from": f.reverted_from} if f.reverted_from is not None else {}),
                **(
                    {"applied_by": {"id": f.applied_by.id, "username": f.applied_by.username}}
                    if f.applied_by is not None
                    else {}
                ),
                **({"recorded_at": f.recorded_at} if f.recorded_at is not None else {}),
            }
            for address, f in sorted(current.items())
        },
        **({"plans": {k: {"applied_at": v} for k, v in sorted(plans.items())}} if plans else {}),
    }
    write_json(path, data)
