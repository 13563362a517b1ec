"""What an apply did, as lines for a person: one per field (✓ or ✗), its skips, the backup and a summary."""

from __future__ import annotations

from collections.abc import Mapping

from crmdefs.apply.execute import ApplyResult
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.not_kept import NotKept, explain


def result_lines(result: ApplyResult) -> list[str]:
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
    if result.failed:
        lines.append(
            f"Apply partly failed: {_fields(len(result.results) - len(result.failed))} changed, "
            f"{len(result.failed)} failed. Fix the cause and run `crmdefs apply` again: it converges."
        )
    else:
        lines.append(f"Apply complete: {_fields(len(result.results))} changed.")
    return lines


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
