"""What an apply did, as lines for a person: one per field (✓ or ✗), its skips, the backup and a summary."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from crmdefs.apply.execute import ApplyResult
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import Summary, count_changes
from crmdefs.plan.not_kept import NotKept, explain
from crmdefs.words import plural


def result_lines(result: ApplyResult) -> list[str]:
    """Each field's line and the backup's; the summary (:func:`summary_line`) comes after the read-back."""
    lines: list[str] = []
    if result.migrated:
        lines.append(
            f"{plural(result.migrated, 'record')} moved to renamed values "
            "(their old values are in the backup)."
        )
    for item in result.results:
        mark = "✓" if item.ok else "✗"
        lines.append(f"{mark} {item.address}" + (f": {item.message}" if item.message else ""))
        lines += [f"  # skipped {skip.attribute}: {skip.reason}" for skip in item.skips]
    if result.backup is not None:
        lines.append(
            f"Backup of the previous state: {display_path(result.backup)} (undo with `crmdefs revert "
            f"{display_path(result.backup)}`)"
        )
    return lines


def summary_line(result: ApplyResult, not_kept: int = 0, *, revert: bool = False) -> str:
    """The last line of an apply (or, with ``revert``, of a revert), after the read-back. ``not_kept``:
    texts the CRM accepted but did not keep (listed above it)."""
    done, not_done = applied_counts(result)
    verb, again = ("Revert", "the same `crmdefs revert`") if revert else ("Apply", "`crmdefs apply`")
    if result.stopped:
        failed = f", {plural(len(result.failed), 'field')} failed" if result.failed else ""
        return (
            f"{verb} stopped (Ctrl-C): {done.done()}; {plural(len(result.not_written), 'field')} not "
            f"written{failed}. Run {again} again to write the rest (`crmdefs plan` shows it)."
        )
    if result.failed:
        return (
            f"{verb} partly failed: {done.done()}; {plural(not_done.total, 'change')} in "
            f"{plural(len(result.failed), 'field')} failed. Fix the cause and run {again} again: "
            "it converges."
        )
    kept = f"; {plural(not_kept, 'text')} not kept (listed above)" if not_kept else ""
    return f"{verb} complete: {done.done()}{kept}."


def applied_counts(result: ApplyResult) -> tuple[Summary, Summary]:
    """What was written and what failed, counted as `plan` counted them (plan/changes.py count_changes):
    the summary line of apply can be read against the plan's. Skipped: the plan's skips and the
    differences the CRM refused at write time. Fields Ctrl-C stopped are in neither."""
    plan = result.plan
    migrate = plan is not None and plan.migrate_records
    changes = {c.address: c for c in plan.changes} if plan is not None else {}
    ok = [changes[r.address] for r in result.results if r.ok and r.address in changes]
    failed = [changes[r.address] for r in result.failed if r.address in changes]
    skipped = sum(len(f.skips) for f in plan.fields) if plan is not None else 0
    skipped += sum(len(r.skips) for r in result.results)
    done = dataclasses.replace(count_changes(ok, migrate=migrate), skipped=skipped)
    return done, count_changes(failed, migrate=migrate)


def not_kept_lines(
    missed: Mapping[FieldAddress, Mapping[str, NotKept]], crm_names: Mapping[Crm, str]
) -> list[str]:
    """After the read-back: each text the CRM accepted but did not keep, as a failure, and what follows."""
    lines = [
        f"✗ {address}: {explain(key, entry, crm_names[address.crm])}"
        for address, entries in missed.items()
        for key, entry in sorted(entries.items())
    ]
    if lines:
        lines.append(
            "Apply verified what it wrote: the texts above were accepted but not kept. They are recorded, "
            "and later plans skip them until the definitions change them."
        )
    return lines
