"""`crmdefs plan`, `apply` and `revert`: thin commands over load → read → compute_plan → render → apply."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.adapters.base import Progress, RecordChange
from crmdefs.apply.applied_state import record_applied, state_path
from crmdefs.apply.backup import desired_from_backup, load_backup
from crmdefs.apply.execute import ApplyResult, check_fresh, execute, read_states, write_records_backup
from crmdefs.commands.mapping import load_mapping, text_capable
from crmdefs.commands.options import (
    format_option,
    migrate_option,
    project_options,
    quiet_option,
    target_option,
)
from crmdefs.config import Settings
from crmdefs.connect import Connected, open_target
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import digest_definitions, display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.errors import CrmdefsError
from crmdefs.files import write_atomic
from crmdefs.migration.mapping import TextMapping
from crmdefs.plan import planfile
from crmdefs.plan.changes import Plan
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan, values_to_count
from crmdefs.plan.state import DesiredField, FieldState


def _progress(quiet: bool) -> Progress:
    """Progress lines on stderr for a person watching a terminal; silent in pipes, CI logs and --quiet."""
    show = not quiet and sys.stderr.isatty()

    def report(message: str) -> None:
        if show:
            click.echo(f"… {message}", err=True)

    return report


def load_desired(settings: Settings, only: Sequence[str] = ()) -> list[DesiredField]:
    glossary, warnings = settings.load_glossary()
    for warning in warnings:
        click.echo(warning.render(), err=True)
    fields = desired_fields(glossary)
    if only:
        wanted = {parse_address(a) for a in only}
        unknown = sorted(str(a) for a in wanted - {f.address for f in fields})
        if unknown:
            raise CrmdefsError(
                f"--only names fields no definition binds: {', '.join(unknown)} — use the addresses "
                "the definitions bind, e.g. salesforce:Lead.Status"
            )
        fields = [f for f in fields if f.address in wanted]
    return fields


def _crms(fields: Sequence[DesiredField]) -> set[Crm]:
    return {f.address.crm for f in fields}


def _render(plan: Plan, fmt: str, settings: Settings) -> str:
    from crmdefs.render import render

    color = fmt == "text" and sys.stdout.isatty() and not settings.runtime.no_color
    return render(plan, fmt, color=color)


def _plan(
    settings: Settings,
    connected: Connected,
    desired: Sequence[DesiredField],
    quiet: bool,
    migrate: bool = False,
) -> tuple[Plan, dict[FieldAddress, FieldState]]:
    """Read, plan, count the records of the values the plan would retire, plan again with the counts."""
    states = read_states(connected, desired, _progress(quiet))
    digest = digest_definitions(settings.definitions_dir)  # reads every file: once, not per plan pass
    created_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    def make(usage: Mapping[FieldAddress, Mapping[str, int]] | None) -> Plan:
        return compute_plan(
            desired,
            states,
            target=connected.target,
            usage=usage,
            migrate_records=migrate,
            definitions_digest=digest,
            created_at=created_at,
        )

    first = make(None)
    wanted = values_to_count(first)
    if not wanted:
        return first, states
    return make(count_usage(connected, wanted, quiet)), states


def count_usage(
    connected: Connected, wanted: Mapping[FieldAddress, Sequence[str]], quiet: bool
) -> dict[FieldAddress, dict[str, int]]:
    """Usage counts are information, not a precondition: a field that cannot be counted plans without them."""
    counts: dict[FieldAddress, dict[str, int]] = {}
    for address, values in wanted.items():
        try:
            counts[address] = connected.adapter(address.crm).count_values(address, values, _progress(quiet))
        except CrmdefsError as exc:
            click.echo(f"note: could not count the records of {address}: {exc}", err=True)
    return counts


@click.command(
    epilog="""\b
Examples:
  crmdefs plan                                  against the default target (the sandbox without config)
  crmdefs plan --target production -o prod.plan.json
  crmdefs plan --only salesforce:Lead.Status --format markdown
  crmdefs plan --detailed-exitcode              exit 2 when there are changes (for CI)
"""
)
@project_options
@target_option
@click.option("--only", multiple=True, metavar="ADDRESS", help="Plan only this field (repeatable).")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path, dir_okay=False), help="Save the plan for `apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes (0 none, 1 error).")
@migrate_option
@format_option
@quiet_option
def plan(
    settings: Settings,
    target: str | None,
    only: tuple[str, ...],
    out: Path | None,
    detailed_exitcode: bool,
    migrate_records: bool,
    fmt: str,
    quiet: bool,
) -> int:
    """Show what apply would change in the CRM (reads only)."""
    desired = load_desired(settings, only)
    with open_target(settings, target, _crms(desired)) as connected:
        made, _ = _plan(settings, connected, desired, quiet, migrate_records)
    if out is not None:
        write_atomic(out, planfile.dumps(made))
    click.echo(_render(made, fmt, settings), nl=False)
    if out is not None and not quiet:
        click.echo(
            f"Saved the plan to {display_path(out)}; apply it with: crmdefs apply {display_path(out)}",
            err=True,
        )
    return exitcodes.CHANGES if detailed_exitcode and made.changes else exitcodes.OK


@click.command(
    epilog="""\b
Examples:
  crmdefs apply                                 plan, show, ask for 'yes', apply
  crmdefs apply prod.plan.json                  apply exactly a saved plan (refused if stale)
  crmdefs apply --auto-approve --target staging
  crmdefs apply --migrate-records               move records off renamed values, then retire them
"""
)
@project_options
@target_option
@click.argument(
    "planfile_path", metavar="[PLANFILE]", required=False, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@migrate_option
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --migrate-records: fill a code property from a reviewed `suggest-mapping` file.",
)
@quiet_option
def apply(
    settings: Settings,
    target: str | None,
    planfile_path: Path | None,
    auto_approve: bool,
    migrate_records: bool,
    mapping_path: Path | None,
    quiet: bool,
) -> int:
    """Make the CRM match the definitions: confirm, back up, write."""
    if mapping_path is not None and not migrate_records:
        raise CrmdefsError("--mapping changes records, so it needs --migrate-records too")
    if planfile_path is not None:
        if migrate_records:
            raise CrmdefsError(
                "a saved plan carries its own choice: make it with `crmdefs plan --migrate-records -o`"
            )
        return _apply_saved(settings, planfile_path, target, quiet)
    mapping = load_mapping(settings, mapping_path) if mapping_path is not None else None
    desired = load_desired(settings)
    crms = _crms(desired) | ({Crm.HUBSPOT} if mapping else set())
    with open_target(settings, target, crms) as connected:
        made, states = _plan(settings, connected, desired, quiet, migrate_records)
        click.echo(_render(made, "text", settings), nl=False)
        if mapping is not None:
            click.echo(
                f"It also fills empty {mapping.target} values from {mapping.source}, as the mapping says."
            )
        elif not made.changes:
            # Nothing to write, but the CRM matches the definitions now: record that, so drift can tell a
            # later edit in the CRM from definitions that were never applied.
            now = dt.datetime.now(dt.timezone.utc)
            existing = [f for f in desired if states[f.address].exists]
            _record(settings, connected.target, connected, existing, now, quiet, states)
            return exitcodes.OK
        if not auto_approve:
            _confirm(connected.target)
            if made.changes:
                states = read_states(connected, _touched(desired, made), _progress(quiet))
                check_fresh(made, states)  # someone may have edited the CRM while we waited for 'yes'
        code = _execute(settings, made, connected, states, desired, quiet) if made.changes else exitcodes.OK
        if mapping is not None:
            code = max(code, _apply_mapping(settings, connected, mapping, quiet))
        return code


def _apply_mapping(settings: Settings, connected: Connected, mapping: TextMapping, quiet: bool) -> int:
    """Fill empty codes from the reviewed texts; the old (empty) codes go to a backup first."""
    source, target = parse_address(mapping.source), parse_address(mapping.target)
    adapter = text_capable(connected.adapter(source.crm), source)
    codes = {e.text: e.code for e in mapping.entries if e.code}
    found = adapter.find_by_text(source, target, codes, _progress(quiet))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    backup = write_records_backup(
        settings.project_root / ".crmdefs" / "backups" / connected.target, connected.target, stamp, found
    )
    errors = adapter.set_records(found, _progress(quiet))
    for error in errors:
        click.echo(f"✗ {error}")
    click.echo(
        f"{len(found)} records given a {target.field} from the mapping ({len(errors)} failed). "
        f"Backup: {display_path(backup)}"
    )
    return exitcodes.ERROR if errors else exitcodes.OK


def _touched(desired: Sequence[DesiredField], made: Plan) -> list[DesiredField]:
    touched = {c.address for c in made.changes}
    return [f for f in desired if f.address in touched]


def _apply_saved(settings: Settings, path: Path, target: str | None, quiet: bool) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CrmdefsError(
            f"cannot read plan file {display_path(path)} ({exc}) — make one with `crmdefs plan -o FILE`"
        ) from exc
    saved = planfile.loads(text, display_path(path))
    if target is not None and target != saved.target:
        raise CrmdefsError(
            f"{display_path(path)} was made for target '{saved.target}', not '{target}' — drop "
            "--target or make a new plan for that target"
        )
    if digest_definitions(settings.definitions_dir) != saved.definitions_digest:
        raise CrmdefsError(
            f"{display_path(path)} was made from different definitions than those in "
            f"{display_path(settings.definitions_dir)} — run `crmdefs plan -o` again"
        )
    desired = _touched(load_desired(settings), saved)
    click.echo(_render(saved, "text", settings), nl=False)
    if not saved.changes:
        return exitcodes.OK
    with open_target(settings, saved.target, _crms(desired)) as connected:
        current = read_states(connected, desired, _progress(quiet))
        check_fresh(saved, current)
        return _execute(settings, saved, connected, current, desired, quiet)


def _confirm(target: str) -> None:
    if not sys.stdin.isatty():
        raise CrmdefsError(
            "apply needs confirmation but there is no terminal to ask — review the plan and pass "
            "--auto-approve, or apply a saved plan file"
        )
    answer = click.prompt(
        f"Apply these changes to target '{target}'? Only 'yes' will be accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        raise CrmdefsError("apply cancelled — nothing was changed")


def _execute(
    settings: Settings,
    made: Plan,
    connected: Connected,
    states: Mapping[FieldAddress, FieldState],
    desired: Sequence[DesiredField],
    quiet: bool,
) -> int:
    now = dt.datetime.now(dt.timezone.utc)
    backups = settings.project_root / ".crmdefs" / "backups" / made.target
    result = execute(made, connected, states, backups, now.strftime("%Y%m%dT%H%M%S.%fZ"), _progress(quiet))
    code = _report(result)  # first: whatever happens next, the user sees what was written and the backup
    done = {r.address for r in result.results if r.ok}
    problems = _record(
        settings, made.target, connected, [f for f in desired if f.address in done], now, quiet
    )
    for problem in problems:
        click.echo(
            f"crmdefs: could not read back what was written, so drift's record of this apply is incomplete: "
            f"{problem}",
            err=True,
        )
    return exitcodes.ERROR if problems else code


def _record(
    settings: Settings,
    target: str,
    connected: Connected,
    written: Sequence[DesiredField],
    now: dt.datetime,
    quiet: bool,
    states: Mapping[FieldAddress, FieldState] | None = None,
) -> list[str]:
    """Record for drift (applied.py) what the CRM holds for ``written``: read back, one CRM at a time, so a
    CRM that refuses the read (daily limit, expired session) does not cost the other's record. One more
    read of the changed fields, in exchange for knowing exactly what the CRM holds rather than guessing it.
    ``states`` already read (an apply with nothing to change) are recorded as they are. Returns what
    failed."""
    problems: list[str] = []
    for crm in Crm:
        fields = [f for f in written if f.address.crm is crm]
        # In slices, so a big apply's read-back does not hold every field's metadata at once.
        for start in range(0, len(fields), RECORD_SLICE):
            part = fields[start : start + RECORD_SLICE]
            try:
                read = (
                    {f.address: states[f.address] for f in part}
                    if states is not None
                    else read_states(connected, part, _progress(quiet))
                )
            except CrmdefsError as exc:
                problems.append(str(exc))
                break
            record_applied(
                state_path(settings.project_root, target),
                target,
                now.isoformat(timespec="seconds"),
                {str(f.address): f for f in part},
                {str(a): s for a, s in read.items()},
            )
    return problems


RECORD_SLICE = 1000  # fields read back and recorded together after an apply


def _report(result: ApplyResult) -> int:
    if result.migrated:
        click.echo(f"{result.migrated} records moved to renamed values (their old values are in the backup).")
    for item in result.results:
        mark = "✓" if item.ok else "✗"
        click.echo(f"{mark} {item.address}" + (f": {item.message}" if item.message else ""))
        for skip in item.skips:
            click.echo(f"  # skipped {skip.attribute}: {skip.reason}")
    if result.backup is not None:
        click.echo(
            f"Backup of the previous state: {display_path(result.backup)} (undo with `crmdefs revert "
            f"{display_path(result.backup)}`)"
        )
    if result.failed:
        click.echo(
            f"Apply partly failed: {len(result.results) - len(result.failed)} fields changed, "
            f"{len(result.failed)} failed. Fix the cause and run `crmdefs apply` again: it converges."
        )
        return exitcodes.ERROR
    click.echo(f"Apply complete: {len(result.results)} fields changed.")
    return exitcodes.OK


@click.command(
    epilog="""\b
Examples:
  crmdefs revert .crmdefs/backups/sandbox/20261123T101500.000000Z.json
  crmdefs revert BACKUP --auto-approve
"""
)
@project_options
@click.argument("backup_path", metavar="BACKUP", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@quiet_option
def revert(settings: Settings, backup_path: Path, auto_approve: bool, quiet: bool) -> int:
    """Plan and apply the way back to a backup taken by apply."""
    backup = load_backup(backup_path)
    desired, notes = desired_from_backup(backup)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    crms = _crms(desired) | {parse_address(r.address).crm for r in backup.records}
    with open_target(settings, backup.target, crms) as connected:
        states = read_states(connected, desired, _progress(quiet))
        made = compute_plan(
            desired,
            states,
            target=connected.target,
            definitions_digest=f"revert:{backup.created_at}",
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        )
        click.echo(_render(made, "text", settings), nl=False)
        if backup.records:
            click.echo(f"It also sets {len(backup.records)} records back to the values they had before.")
        if not made.changes and not backup.records:
            return exitcodes.OK
        if not auto_approve:
            _confirm(connected.target)
        code = _execute(settings, made, connected, states, desired, quiet) if made.changes else exitcodes.OK
        return max(code, _restore_records(connected, backup.records, quiet))


def _restore_records(connected: Connected, records: Sequence[RecordChange], quiet: bool) -> int:
    """After the fields are back (old values active again), put every migrated record's old value back."""
    errors: list[str] = []
    for crm in Crm:
        mine = [
            RecordChange(r.address, r.record_id, r.new, r.old)
            for r in records
            if r.address.startswith(crm.value + ":")
        ]
        if mine:
            errors += connected.adapter(crm).set_records(mine, _progress(quiet))
    for error in errors:
        click.echo(f"✗ {error}")
    if records:
        click.echo(f"{len(records) - len(errors)} records restored, {len(errors)} failed.")
    return exitcodes.ERROR if errors else exitcodes.OK
