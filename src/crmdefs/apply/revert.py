"""`crmdefs revert`: plan and apply the way back to a backup taken by apply.

Reverting plans the way back like any other change. crmdefs never deletes, so: values an apply added are
deactivated (Salesforce) or hidden (HubSpot) on revert, fields it created stay (remove them in the CRM if
unwanted), and values it made available on record types or business processes stay available. HubSpot deal
stages get their labels, order, probability and closed state back; a stage the apply created stays (HubSpot
cannot hide one: archive it there if unwanted). A dependent picklist gets its matrix rows back; a
dependency the apply created stays (remove it in Setup > Field Dependencies if unwanted). Records a
migration moved get their old values back once their fields are back. What revert wrote is recorded for
drift as a revert (apply/applied_state.py), so drift says the fields were reverted instead of "changed in
the CRM".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from crmdefs.adapters.base import RecordChange, RecordFailure, records_failed
from crmdefs.apply.applied_state import Provenance
from crmdefs.apply.backup import Backup, load_backup
from crmdefs.apply.interrupt import ctrl_c_while_reading
from crmdefs.apply.workflow import Console, applying, crms_of, execute_and_record, now
from crmdefs.config import Settings
from crmdefs.connect import Connected, open_target
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import Crm
from crmdefs.errors import CrmdefsError
from crmdefs.plan.dependency import restored_dependency
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.read import read_states
from crmdefs.plan.state import DesiredField, DesiredRule, DesiredValue, FieldState
from crmdefs.words import plural


def revert_backup(settings: Settings, path: Path, console: Console, *, auto_approve: bool) -> bool:
    """Show the way back to ``path``, confirm, apply it and restore migrated records. True when all
    succeeded."""
    backup = load_backup(path)
    desired, notes = desired_from_backup(backup)
    for note in notes:
        console.note(f"note: {note}")
    crms = crms_of(desired) | {parse_address(r.address).crm for r in backup.records}
    with (
        open_target(settings, backup.target, crms, waits=console) as connected,
        applying(settings, connected, console),
    ):
        with ctrl_c_while_reading(connected.target, writes=True):  # until the writes start
            states = read_states(connected, desired, console.progress)
            made = compute_plan(
                desired,
                states,
                target=connected.target,
                definitions_digest=f"revert:{backup.created_at}",
                created_at=now().isoformat(timespec="seconds"),
            )
            console.show_plan(made)
            if backup.records:
                records = plural(len(backup.records), "record")
                console.say(f"It also sets {records} back to the values they had before.")
            if not made.changes and not backup.records:
                return True
            if not auto_approve:
                console.confirm(connected.target)
        # The records once their fields are back, before the summary (the last line).
        restore = partial(restore_records, connected, backup.records, console)
        if not made.changes:
            return restore()
        # Recorded as a revert, so drift names it rather than blaming the CRM for our own writes.
        provenance = Provenance(reverted_from=path.name)
        bound = as_bound(settings, desired)
        return execute_and_record(settings, made, connected, states, bound, console, provenance, then=restore)


def as_bound(settings: Settings, desired: Sequence[DesiredField]) -> list[DesiredField]:
    """``desired`` with each field the definitions bind as they bind it: what apply records is read the
    way drift reads it (the record types, business processes and access a binding names), or the two
    would never agree on what the CRM holds. Definitions that do not load leave the backup's fields."""
    try:
        glossary, _ = settings.load_glossary()
    except CrmdefsError:
        return list(desired)
    bound = {f.address: f for f in desired_fields(glossary)}
    return [bound.get(f.address, f) for f in desired]


def restore_records(connected: Connected, records: Sequence[RecordChange], console: Console) -> bool:
    """After the fields are back (old values active again), put every migrated record's old value back."""
    failures: list[RecordFailure] = []
    for crm in Crm:
        mine = [
            RecordChange(r.address, r.record_id, r.new, r.old)
            for r in records
            if r.address.startswith(crm.value + ":")
        ]
        if mine:
            failures += connected.adapter(crm).set_records(mine, console.progress)
    for failure in failures:
        console.say(f"✗ {failure}")
    if records:
        failed = records_failed(failures)
        console.say(f"{plural(len(records) - failed, 'record')} restored, {failed} failed.")
    return not failures


def desired_from_backup(backup: Backup) -> tuple[list[DesiredField], list[str]]:
    """The fields as they were, as desired state; plus notes for what a revert cannot undo."""
    desired: list[DesiredField] = []
    notes: list[str] = []
    for state in backup.fields:
        if not state.exists:
            notes.append(
                f"{state.address} was created by that apply; crmdefs never deletes fields — remove it "
                "in the CRM if it is not wanted"
            )
            continue
        values = None
        if state.values is not None:
            values = tuple(
                DesiredValue(
                    value=v.value,
                    label=v.label,
                    description=v.description or "",
                    default=v.default,
                    attributes=dict(v.attributes),
                    active=v.active,
                    value_given=state.pipeline is not None,  # deal stages: back to the stage of that id
                )
                for v in state.values
            )
        desired.append(
            DesiredField(
                address=state.address,
                label=state.label or "" if "label" not in state.read_only else None,
                help_text=state.help_text or "" if "help_text" not in state.read_only else None,
                description=state.description or "" if "description" not in state.read_only else None,
                values=values,
                unlisted_values="deactivate",  # values added since the backup: deactivate/hide, never delete
                pipeline=state.pipeline,
                rules=backup_rules(state),
                depends_on=restored_dependency(state),  # the matrix rows as they were
            )
        )
    return desired, notes


def backup_rules(state: FieldState) -> tuple[DesiredRule, ...] | None:
    """A Salesforce picklist's validation rules as they were, written back as they were; a rule crmdefs made
    since is deactivated (never deleted). Other fields' rules are not crmdefs' to manage."""
    if state.address.crm is not Crm.SALESFORCE or state.values is None:
        return None
    return tuple(
        DesiredRule(
            name=name,
            message=str(rule.get("message") or ""),
            description=str(rule.get("description") or ""),
            active=bool(rule.get("active")),
            formula=str(rule.get("formula") or ""),
            display_field=rule.get("display_field"),
        )
        for name, rule in state.validation_rules.items()
    )
