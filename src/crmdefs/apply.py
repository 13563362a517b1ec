"""Executes a plan through the adapters — decides nothing anew (STYLE principle 2).

Order of work: re-read the fields the plan touches (unless the plan was made moments ago in this same
command) → refuse a stale plan, naming each field that moved and how → save a backup of every touched
field → write, per CRM, collecting one result per field. Rendering is not done here; progress goes
through a callback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .adapters.base import ItemResult, Progress
from .connect import Connected
from .crmstate import DesiredField, FieldState
from .errors import CrmdefsError
from .model import Crm, FieldAddress
from .plan import Plan

BACKUP_FORMAT = "1.0"


class StalePlanError(CrmdefsError):
    """The CRM changed after the plan was made."""


@dataclass(frozen=True)
class ApplyResult:
    results: tuple[ItemResult, ...]
    backup: Path | None

    @property
    def failed(self) -> tuple[ItemResult, ...]:
        return tuple(r for r in self.results if not r.ok)


def read_states(
    connected: Connected, fields: Sequence[DesiredField], progress: Progress
) -> dict[FieldAddress, FieldState]:
    states: dict[FieldAddress, FieldState] = {}
    for crm in Crm:
        wanted = [f for f in fields if f.address.crm is crm]
        if wanted:
            states.update(connected.adapter(crm).read(wanted, progress))
    return states


def check_fresh(plan: Plan, current: Mapping[FieldAddress, FieldState]) -> None:
    """Terraform's "Saved plan is stale": refuse when any touched field changed since planning."""
    moved = []
    for change in plan.changes:
        state = current[change.address]
        fingerprint = state.fingerprint() if state.exists else ""
        if fingerprint != change.fingerprint:
            moved.append(f"  {change.address}: {describe_move(plan.before.get(str(change.address)), state)}")
    if moved:
        raise StalePlanError(
            "the saved plan is stale: these fields changed in the CRM after it was made:\n"
            + "\n".join(moved)
            + "\nrun `crmdefs plan` again, review the new plan, then apply it"
        )


def describe_move(before: FieldState | None, after: FieldState) -> str:
    if before is None:
        return "it now exists" if after.exists else "it no longer exists"
    if before.exists != after.exists:
        return "it was created" if after.exists else "it was deleted"
    moves = [
        f"{name} changed: {_short(getattr(before, name))} → {_short(getattr(after, name))}"
        for name in ("label", "help_text", "description")
        if getattr(before, name) != getattr(after, name)
    ]
    old = {v.value: v for v in before.values or ()}
    new = {v.value: v for v in after.values or ()}
    moves += [f"value {name!r} added" for name in new if name not in old]
    moves += [f"value {name!r} changed" for name in new if name in old and new[name] != old[name]]
    if before.record_types != after.record_types:
        moves.append("record type values changed")
    return "; ".join(moves) or "its state changed"


def _short(text: str | None) -> str:
    if text is None:
        return "(none)"
    return repr(text if len(text) <= 60 else text[:57] + "…")


def write_backup(folder: Path, plan: Plan, states: Mapping[FieldAddress, FieldState], stamp: str) -> Path:
    """The prior state of every touched field, so the change can be reverted (`crmdefs revert`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stamp}.json"
    data = {
        "format_version": BACKUP_FORMAT,
        "target": plan.target,
        "created_at": stamp,
        "definitions_digest": plan.definitions_digest,
        "fields": [states[c.address].to_json() for c in plan.changes],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)  # written whole or not at all, before any CRM write
    return path


def execute(
    plan: Plan,
    connected: Connected,
    states: Mapping[FieldAddress, FieldState],
    backup_dir: Path,
    stamp: str,
    progress: Progress,
) -> ApplyResult:
    """Back up, then write every change of ``plan``; ``states`` are the fresh states of its fields."""
    if not plan.changes:
        return ApplyResult((), None)
    backup = write_backup(backup_dir, plan, states, stamp)
    results: list[ItemResult] = []
    for crm in Crm:
        changes = [c for c in plan.changes if c.address.crm is crm]
        if changes:
            results += connected.adapter(crm).write(changes, progress)
    return ApplyResult(tuple(results), backup)
