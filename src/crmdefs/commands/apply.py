"""`crmdefs apply` and `crmdefs revert`: make the CRM match the definitions, or a backup, safely."""

from __future__ import annotations

from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.apply.backup import load_backup
from crmdefs.apply.revert import revert_backup
from crmdefs.apply.workflow import apply_definitions, apply_saved
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import (
    announce_target,
    migrate_option,
    no_color_option,
    project_options,
    quiet_option,
    target_option,
)
from crmdefs.config import Settings
from crmdefs.errors import OptionsError
from crmdefs.migration.workflow import load_mapping


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
@no_color_option
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
    console = TerminalConsole(settings, quiet=quiet)
    if mapping_path is not None and not migrate_records:
        raise OptionsError("--mapping changes records, so it needs --migrate-records too")
    if planfile_path is not None:
        if migrate_records:
            raise OptionsError(
                "a saved plan carries its own choice: make it with `crmdefs plan --migrate-records -o`"
            )
        return _exit(apply_saved(settings, planfile_path, target, console))
    mapping = load_mapping(settings, mapping_path) if mapping_path is not None else None
    ok = apply_definitions(
        settings, target, console, auto_approve=auto_approve, migrate=migrate_records, mapping=mapping
    )
    return _exit(ok)


def _exit(ok: bool) -> int:
    return exitcodes.OK if ok else exitcodes.ERROR


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
@no_color_option
@quiet_option
def revert(settings: Settings, backup_path: Path, auto_approve: bool, quiet: bool) -> int:
    """Plan and apply the way back to a backup taken by apply."""
    announce_target(settings, [load_backup(backup_path).target])  # the backup names its target
    console = TerminalConsole(settings, quiet=quiet)
    return _exit(revert_backup(settings, backup_path, console, auto_approve=auto_approve))
