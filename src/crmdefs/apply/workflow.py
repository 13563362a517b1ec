"""The plan → apply → record workflow behind `plan`, `apply` and `revert`.

Load the definitions, read the target, compute the plan (again with record counts when it would retire
values), check a saved plan against the definitions and the CRM, ask for confirmation, execute, and record
what the CRM holds afterwards for drift. It prints nothing: everything a person should see goes through
the :class:`Console` the command passes in, so the command decides how it looks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Protocol

from crmdefs.adapters.setup_audit import KnowsWhoChanged, SignedInUser
from crmdefs.apply.applied_state import (
    Provenance,
    Verified,
    load_not_kept,
    plan_applied_at,
    record_applied,
    state_path,
)
from crmdefs.apply.backup import backup_folder, backup_stamp
from crmdefs.apply.execute import ApplyResult, check_fresh, execute
from crmdefs.apply.interrupt import ctrl_c_stops_writes, ctrl_c_while_reading
from crmdefs.apply.lock import apply_lock
from crmdefs.apply.report import not_kept_lines, summary_line
from crmdefs.config import Settings
from crmdefs.connect import Connected, open_target
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import digest_definitions, display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.errors import CrmdefsError, Interrupted, OptionsError, PlanFileError
from crmdefs.migration.mapping import TextMapping
from crmdefs.migration.workflow import fill_from_mapping
from crmdefs.plan import planfile
from crmdefs.plan.changes import FieldPlan, Plan
from crmdefs.plan.desired import desired_fields, only_addresses
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.not_kept import NotKept, compare_written, hold_not_kept
from crmdefs.plan.read import plan_with_counts, read_states
from crmdefs.plan.resolve import read_bound
from crmdefs.plan.state import DesiredField, FieldState

RECORD_SLICE = 1000  # fields read back and recorded together after an apply


class Console(Protocol):
    """What the workflow tells the person running it. ``confirm`` raises ApplyCancelled unless they agree."""

    def progress(self, message: str) -> None: ...
    def waiting(self, reason: str, seconds: float | None = None) -> AbstractContextManager[None]: ...
    def note(self, message: str) -> None: ...  # a warning or remark, apart from the result (stderr)
    def say(self, message: str) -> None: ...  # a line of the result (stdout)
    def show_plan(self, plan: Plan) -> None: ...
    def show_result(self, result: ApplyResult) -> None: ...
    def confirm(self, target: str) -> None: ...


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def crms_of(fields: Sequence[DesiredField]) -> set[Crm]:
    return {f.address.crm for f in fields}


def load_desired(settings: Settings, console: Console, only: Sequence[str] = ()) -> list[DesiredField]:
    """The desired state of every bound field (or of those ``only`` names); warnings go to the console."""
    glossary, warnings = settings.load_glossary()
    for warning in warnings:
        console.note(warning.render())
    fields = desired_fields(glossary)
    if only:
        wanted = only_addresses(only, [f.address for f in fields])
        fields = [f for f in fields if f.address in wanted]
    return fields


def make_plan(
    settings: Settings,
    connected: Connected,
    desired: Sequence[DesiredField],
    console: Console,
    migrate: bool = False,
) -> tuple[Plan, dict[FieldAddress, FieldState], list[DesiredField]]:
    """Read, plan, count the records of the values the plan would retire, plan again with the counts. Also
    returns the states read and ``desired`` as the CRM spells it: a binding to something the target does not
    have stops here, before any write (plan/resolve.py)."""
    desired, states = read_bound(connected, desired, console.progress)
    digest = digest_definitions(settings.definitions_dir)  # reads every file: once, not per plan pass
    created_at = now().isoformat(timespec="seconds")
    # Texts the CRM did not keep at an earlier apply are skipped, not planned again (plan/not_kept.py).
    not_kept = load_not_kept(state_path(settings.project_root, connected.target))
    wanted = hold_not_kept(desired, states, not_kept, CRM_NAMES)

    def make(usage: Mapping[FieldAddress, Mapping[str, int]] | None) -> Plan:
        return compute_plan(
            wanted,
            states,
            target=connected.target,
            usage=usage,
            migrate_records=migrate,
            definitions_digest=digest,
            created_at=created_at,
        )

    return plan_with_counts(connected, make, console.progress, console.note), states, desired


def plan_target(
    settings: Settings,
    target: str | None,
    console: Console,
    *,
    only: Sequence[str] = (),
    migrate: bool = False,
) -> Plan:
    """`crmdefs plan`: what apply would change on ``target`` (reads only)."""
    desired = load_desired(settings, console, only)
    with (
        open_target(settings, target, crms_of(desired), waits=console) as connected,
        ctrl_c_while_reading(connected.target, writes=False),
    ):
        made, _, _ = make_plan(settings, connected, desired, console, migrate)
    return made


def apply_definitions(
    settings: Settings,
    target: str | None,
    console: Console,
    *,
    auto_approve: bool,
    migrate: bool,
    mapping: TextMapping | None = None,
) -> bool:
    """`crmdefs apply` without a saved plan: plan, show, confirm, write, record; with ``mapping``, also
    fill a code property from a reviewed mapping. True when everything succeeded."""
    desired = load_desired(settings, console)
    crms = crms_of(desired) | ({parse_address(mapping.source).crm} if mapping else set())
    with (
        open_target(settings, target, crms, waits=console) as connected,
        applying(settings, connected, console),
    ):
        with ctrl_c_while_reading(connected.target, writes=True):  # until the writes start
            made, states, desired = make_plan(settings, connected, desired, console, migrate)
            console.show_plan(made)
            if mapping is not None:
                console.say(
                    f"It also fills empty {mapping.target} values from {mapping.source}, as the mapping says."
                )
            elif not made.changes:
                # Nothing to write, but the CRM matches the definitions now: record that, so drift can tell
                # a later edit in the CRM from definitions that were never applied.
                existing = [f for f in desired if states[f.address].exists]
                record(settings, connected, existing, now(), console, states)
                return True
            if not auto_approve:
                console.confirm(connected.target)
                if made.changes:
                    states = read_states(connected, touched(desired, made), console.progress)
                    check_fresh(made, states)  # someone may have edited the CRM while we waited for 'yes'
        fill = None  # after the writes (the code property may be created by them), before the summary
        if mapping is not None:
            fill = partial(fill_from_mapping, settings, connected, mapping, console.progress, console.say)
        if not made.changes:
            return fill() if fill is not None else True
        return execute_and_record(settings, made, connected, states, desired, console, then=fill)


def applying(settings: Settings, connected: Connected, console: Console) -> AbstractContextManager[None]:
    """The target's apply lock (apply/lock.py), held from before the plan is read until the state is
    recorded."""
    return apply_lock(settings.project_root, connected.target, console.note)


def touched(desired: Sequence[DesiredField], made: Plan) -> list[DesiredField]:
    changed = {c.address for c in made.changes}
    return [f for f in desired if f.address in changed]


def load_saved_plan(settings: Settings, path: Path, target: str | None) -> tuple[Plan, str]:
    """A saved plan and its id, refused when it was made for another target, was already applied there, or
    was made from other definitions."""
    saved, plan_id = planfile.read_plan(path, display_path(path))
    if target is not None and target != saved.target:
        raise OptionsError(
            f"{display_path(path)} was made for target '{saved.target}', not '{target}' — drop "
            "--target or make a new plan for that target"
        )
    applied_at = plan_applied_at(state_path(settings.project_root, saved.target), plan_id)
    if applied_at is not None:
        raise PlanFileError(
            f"{display_path(path)}: this plan was already applied at {applied_at} (target "
            f"'{saved.target}') — make a new plan with `crmdefs plan -o FILE` to see what is left to change"
        )
    if digest_definitions(settings.definitions_dir) != saved.definitions_digest:
        raise PlanFileError(
            f"{display_path(path)} was made from different definitions than those in "
            f"{display_path(settings.definitions_dir)} — run `crmdefs plan -o` again"
        )
    return saved, plan_id


def apply_saved(settings: Settings, path: Path, target: str | None, console: Console) -> bool:
    """`crmdefs apply PLANFILE`: exactly that plan, refused when stale — before it is shown, as a plan on
    the screen reads as what is about to happen. True when all succeeded."""
    saved, plan_id = load_saved_plan(settings, path, target)
    desired = touched(load_desired(settings, console), saved)
    if not saved.changes:
        console.show_plan(saved)
        return True
    with (
        open_target(settings, saved.target, crms_of(desired), waits=console) as connected,
        applying(settings, connected, console),
    ):
        with ctrl_c_while_reading(connected.target, writes=True):
            desired, current = read_bound(connected, desired, console.progress)
            check_fresh(saved, current)
            console.show_plan(saved)
        return execute_and_record(
            settings, saved, connected, current, desired, console, Provenance(plan_id=plan_id)
        )


def execute_and_record(
    settings: Settings,
    made: Plan,
    connected: Connected,
    states: Mapping[FieldAddress, FieldState],
    desired: Sequence[DesiredField],
    console: Console,
    provenance: Provenance | None = None,
    then: Callable[[], bool] | None = None,
) -> bool:
    """Back up and write, show the result at once, then read back, verify and record what was written (and
    where it came from: ``provenance``): a text the CRM accepted but did not keep is a failure, shown and
    recorded (plan/not_kept.py). ``then`` (records filled from a mapping, restored by a revert) runs after
    that unless Ctrl-C stopped the writes, and prints its lines; the summary comes last. Ctrl-C stops the
    writes cleanly (apply/interrupt.py): what was written is shown and recorded all the same, then
    Interrupted ends the command (exit 130)."""
    when = now()
    backups = backup_folder(settings.project_root, made.target)
    with ctrl_c_stops_writes(console.note) as interrupt:
        result = execute(made, connected, states, backups, backup_stamp(when), console.progress, interrupt)
        # First: whatever happens next, the user sees what was written and the backup.
        console.show_result(result)
        changes = {c.address: c for c in made.changes}
        sent = {r.address: changes[r.address] for r in result.results if r.ok}
        written = [f for f in desired if f.address in sent]
        problems, missed = record(
            settings, connected, written, when, console, sent=sent, provenance=provenance
        )
        for line in not_kept_lines(missed, CRM_NAMES):
            console.say(line)
        for problem in problems:
            console.note(
                "crmdefs: could not read back what was written, so drift's record of this apply is "
                f"incomplete: {problem}"
            )
        followed = then() if then is not None and not interrupt.stopping() else True
        reverting = provenance is not None and provenance.reverted_from is not None
        console.say(summary_line(result, sum(len(t) for t in missed.values()), revert=reverting))
    if interrupt.stopping():
        raise Interrupted(
            "stopped by Ctrl-C: the writes in flight finished and what was written is recorded; run the "
            "command again to write the rest"
        )
    return not problems and not result.failed and not missed and followed


def record(
    settings: Settings,
    connected: Connected,
    written: Sequence[DesiredField],
    when: dt.datetime,
    console: Console,
    states: Mapping[FieldAddress, FieldState] | None = None,
    sent: Mapping[FieldAddress, FieldPlan] | None = None,
    provenance: Provenance | None = None,
) -> tuple[list[str], dict[FieldAddress, dict[str, NotKept]]]:
    """Record for drift (applied_state.py) what the CRM holds for ``written``: read back, one CRM at a time,
    so a CRM that refuses the read (daily limit, expired session) does not cost the other's record. One
    more read of the changed fields, in exchange for knowing exactly what the CRM holds rather than
    guessing it — and for verifying it: each text of ``sent`` is compared with what was read back.
    ``states`` already read (an apply with nothing to change) are recorded as they are. Returns what
    failed and the texts the CRM did not keep."""
    problems: list[str] = []
    missed: dict[FieldAddress, dict[str, NotKept]] = {}
    path = state_path(settings.project_root, connected.target)
    for crm in Crm:
        fields = [f for f in written if f.address.crm is crm]
        applied_by = signed_in_as(connected, crm) if fields else None
        # In slices, so a big apply's read-back does not hold every field's metadata at once.
        for start in range(0, len(fields), RECORD_SLICE):
            part = fields[start : start + RECORD_SLICE]
            try:
                read = (
                    {f.address: states[f.address] for f in part}
                    if states is not None
                    else read_states(connected, part, console.progress)
                )
            except CrmdefsError as exc:
                problems.append(str(exc))
                break
            verified = _verify(sent or {}, read)
            missed.update({a: dict(v[1]) for a, v in verified.items() if v[1]})
            record_applied(
                path,
                connected.target,
                when.isoformat(timespec="seconds"),
                {str(f.address): f for f in part},
                {str(a): s for a, s in read.items()},
                {str(a): v for a, v in verified.items()},
                provenance,
                applied_by,
            )
    return problems, missed


def signed_in_as(connected: Connected, crm: Crm) -> SignedInUser | None:
    """Who the writes to ``crm`` were made as, where the CRM says (Salesforce: getUserInfo, asked once per
    run): recorded so that drift knows those setup changes are crmdefs' own (drift/attribute.py)."""
    adapter: object = connected.adapters.get(crm)  # only Salesforce's says who it is signed in as
    return adapter.signed_in_user() if isinstance(adapter, KnowsWhoChanged) else None


def _verify(
    sent: Mapping[FieldAddress, FieldPlan], read: Mapping[FieldAddress, FieldState]
) -> dict[FieldAddress, Verified]:
    """What each written field was sent, compared with what was read back."""
    return {a: compare_written(sent[a], state) for a, state in read.items() if a in sent}
