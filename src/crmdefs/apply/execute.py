"""Executes a plan through the adapters — decides nothing anew: the plan holds every decision.

Order of work: re-read the fields the plan touches (unless the plan was made moments ago in this same
command) → refuse a stale plan, naming each field that moved and how → save a backup of every touched
field → write, per CRM, collecting one result per field. Rendering is not done here; progress goes
through a callback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crmdefs.adapters.base import (
    PARTLY_WRITTEN,
    Adapter,
    ItemResult,
    Progress,
    RecordFailure,
    Stopping,
    records_failed,
)
from crmdefs.apply.backup import add_backup_records, drop_backup_records, write_backup
from crmdefs.apply.interrupt import Interrupt
from crmdefs.connect import Connected
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.errors import CrmdefsError, StalePlanError
from crmdefs.plan.changes import FieldPlan, Plan
from crmdefs.plan.state import FieldState
from crmdefs.words import noun, plural


@dataclass(frozen=True)
class ApplyResult:
    results: tuple[ItemResult, ...]
    backup: Path | None
    migrated: int = 0  # records moved to a renamed value
    plan: Plan | None = None  # what was executed: the result lines count its changes as `plan` did
    stopped: bool = False  # Ctrl-C stopped it: some fields were not written (``not_written``)

    @property
    def failed(self) -> tuple[ItemResult, ...]:
        return tuple(r for r in self.results if not r.ok and not r.interrupted)

    @property
    def not_written(self) -> tuple[ItemResult, ...]:
        """Fields Ctrl-C stopped before they were written, or wholly written."""
        return tuple(r for r in self.results if r.interrupted)


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
    if before.business_processes != after.business_processes:
        moves.append("business process values changed")
    if before.validation_rules != after.validation_rules:
        moves.append("validation rules changed")
    return "; ".join(moves) or "its state changed"


def _short(text: str | None) -> str:
    if text is None:
        return "(none)"
    return repr(text if len(text) <= 60 else text[:57] + "…")


def execute(
    plan: Plan,
    connected: Connected,
    states: Mapping[FieldAddress, FieldState],
    backup_dir: Path,
    stamp: str,
    progress: Progress,
    interrupt: Interrupt | None = None,
) -> ApplyResult:
    """Back up, then write every change of ``plan``; ``states`` are the fresh states of its fields.

    A field with migrations (plan made with --migrate-records) is written in two passes: first with its
    old values still active, then — once its records hold the new values — with them deactivated, so no
    record ever points at an inactive value and a crash at any point leaves a state a re-run converges.
    Once ``interrupt`` is asked to stop (Ctrl-C), no new write starts (apply/interrupt.py)."""
    if not plan.changes:
        return ApplyResult((), None, plan=plan)
    interrupt = interrupt or Interrupt()
    backup = write_backup(backup_dir, plan, states, stamp)
    interrupt.backup = backup
    migrating = {c.address: c for c in plan.changes if plan.migrate_records and c.migrations}
    results: dict[FieldAddress, ItemResult] = {}
    jobs = {
        crm: [
            _old_values_active(c, states[c.address]) if c.address in migrating else c
            for c in plan.changes
            if c.address.crm is crm
        ]
        for crm in Crm
    }
    jobs = {crm: changes for crm, changes in jobs.items() if changes}
    adapters = {crm: connected.adapter(crm) for crm in jobs}
    # The CRMs are written at the same time (separate limits); each adapter orders its own writes. Not
    # `with`: its exit waits for the writers, and a second Ctrl-C (StoppedAtOnce) must not.
    pool = ThreadPoolExecutor(max_workers=max(1, len(jobs)))
    try:
        futures = [
            pool.submit(_write, adapters[crm], changes, progress, interrupt.stopping)
            for crm, changes in jobs.items()
        ]
        for future in futures:
            results.update({r.address: r for r in future.result()})
    finally:
        pool.shutdown(wait=False)
    migrated = 0
    for address, change in migrating.items():
        if results[address].ok and interrupt.stopping():  # its new values are in, its records not moved
            results[address] = ItemResult(address, False, PARTLY_WRITTEN, interrupted=True)
        elif results[address].ok:
            outcome, moved = _migrate(connected, change, backup, progress)
            results[address] = outcome
            migrated += moved
    ordered = tuple(results[c.address] for c in plan.changes)
    return ApplyResult(ordered, backup, migrated, plan, stopped=interrupt.stopping())


def _write(
    adapter: Adapter, changes: Sequence[FieldPlan], progress: Progress, stop: Stopping
) -> list[ItemResult]:
    """One CRM's writes; a failure that stops the whole CRM (e.g. an expired session) fails its fields
    without hiding what the other CRM did."""
    try:
        return adapter.write(changes, progress, stop)
    except CrmdefsError as exc:
        return [ItemResult(c.address, False, str(exc)) for c in changes]


def _old_values_active(change: FieldPlan, state: FieldState) -> FieldPlan:
    """The first pass of a migration: the old values stay active. Values match as the diff matched them,
    by the rules of the field's CRM (``state.value_key``)."""
    olds = {state.value_key(m.old) for m in change.migrations}
    values = tuple(
        dataclasses.replace(v, active=True) if state.value_key(v.value) in olds else v
        for v in change.target_values or ()
    )
    return dataclasses.replace(change, target_values=values if change.target_values is not None else None)


def _migrate(
    connected: Connected, change: FieldPlan, backup: Path, progress: Progress
) -> tuple[ItemResult, int]:
    adapter = connected.adapter(change.address.crm)
    found = adapter.find_records(change.address, {m.old: m.new for m in change.migrations}, progress)
    add_backup_records(backup, found)  # before the first record changes
    failures = adapter.set_records(found, progress)
    if failures:  # the old values stay active: records still hold them
        drop_backup_records(backup, failures)  # the backup lists the records that changed (or may have)
        failed = records_failed(failures)
        return ItemResult(change.address, False, not_migrated(failures, len(found))), len(found) - failed
    final = adapter.write([change], progress)[0]  # now retire the old values
    note = f"{plural(len(found), 'record')} migrated"
    return dataclasses.replace(final, message="; ".join(filter(None, [final.message, note]))), len(found)


def not_migrated(failures: Sequence[RecordFailure], found: int) -> str:
    """Each record that failed with the CRM's message, one line per message, and what to do."""
    by_message: dict[str, list[str]] = {}
    for failure in failures:
        by_message.setdefault(failure.message, []).extend(failure.record_ids)
    lines = [
        f"{records_failed(failures)} of {plural(found, 'record')} not migrated (the old values stay active):"
    ]
    lines += [
        f"  {noun(len(ids), 'record')} {', '.join(ids)}: {message}" for message, ids in by_message.items()
    ]
    lines.append("  fix the cause and run `crmdefs apply --migrate-records` again: it moves the rest")
    return "\n".join(lines)
