"""What an apply did, as lines for a person: one per field (✓ or ✗), its skips, the backup and a summary."""

from __future__ import annotations

from collections.abc import Mapping

from crmdefs.apply.execute import ApplyResult
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.not_kept import NotKept, explain


def result_lines(result: ApplyResult) -> list[str]:
    """Each field's line and the backup's; the summary (:func:`summary_line`) comes after the read-back."""
    lines: list[str] = []
    if result.migrated:
        lines.append(
            f"{result.migrated} records moved to renamed values (their old values are in the backup)."
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


def summary_line(result: ApplyResult, not_kept: int = 0) -> str:
    """The last line of an apply. ``not_kept``: texts the CRM accepted but did not keep (listed above)."""
    changed = len(result.results) - len(result.failed) - len(result.not_written)
    if result.stopped:
        failed = f", {len(result.failed)} failed" if result.failed else ""
        return (
            f"Apply stopped (Ctrl-C): {_fields(changed)} written, {len(result.not_written)} not written"
            f"{failed}. Run `crmdefs apply` again to write the rest (`crmdefs plan` shows it)."
        )
    if result.failed:
        return (
            f"Apply partly failed: {_fields(changed)} changed, {len(result.failed)} failed. Fix the cause "
            "and run `crmdefs apply` again: it converges."
        )
    kept = f", {not_kept} text{'' if not_kept == 1 else 's'} not kept (listed above)" if not_kept else ""
    return f"Apply complete: {_fields(changed)} changed{kept}."


def _fields(count: int) -> str:
    return f"{count} field{'' if count == 1 else 's'}"


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
