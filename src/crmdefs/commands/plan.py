"""`crmdefs plan`: show what apply would change (reads only); `-o` saves it for `apply FILE`."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.apply.workflow import plan_target
from crmdefs.commands.console import TerminalConsole, render_plan
from crmdefs.commands.options import (
    format_option,
    migrate_option,
    no_color_option,
    project_options,
    quiet_option,
    target_option,
)
from crmdefs.config import Settings
from crmdefs.definitions.load import display_path
from crmdefs.files import write_output
from crmdefs.plan import planfile
from crmdefs.plan.changes import Plan


@click.command(
    epilog="""\b
Examples:
  crmdefs plan                                  against the default target (the sandbox without config)
  crmdefs plan --target production -o prod.plan.json
  crmdefs plan --only salesforce:Lead.Status --format markdown
  crmdefs plan --json                           the same as --format json
  crmdefs plan --detailed-exitcode              exit 2 when there are changes (for CI)
"""
)
@project_options
@target_option
@click.option("--only", multiple=True, metavar="ADDRESS", help="Plan only this field (repeatable).")
@click.option(
    "-o",
    "--out",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Save the plan to this file for `apply FILE` (a file, not a target: see --target).",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes (0 none, 1 error).")
@migrate_option
@format_option
@no_color_option
@quiet_option
def plan(
    settings: Settings,
    target: str | None,
    only: tuple[str, ...],
    out: str | None,
    detailed_exitcode: bool,
    migrate_records: bool,
    fmt: str,
    quiet: bool,
) -> int:
    """Show what apply would change in the CRM (reads only)."""
    if out is not None:
        refuse_a_target_name(settings, out)
    made = plan_target(
        settings, target, TerminalConsole(settings, quiet=quiet), only=only, migrate=migrate_records
    )
    if out is not None:
        write_output(Path(out), planfile.dumps(made), "-o")
    click.echo(render_plan(made, fmt, settings), nl=False)
    if out is not None and not quiet:
        apply = shlex.join(["crmdefs", "apply", *project_args(), display_path(Path(out))])
        click.echo(f"Saved the plan to {display_path(Path(out))}; apply it with: {apply}", err=True)
    elif out is None and made.changes and not quiet and fmt != "json":
        click.echo(f"To apply exactly this plan: {save_and_apply(made, target)}", err=True)
    return exitcodes.CHANGES if detailed_exitcode and made.changes else exitcodes.OK


def refuse_a_target_name(settings: Settings, out: str) -> None:
    """sf users type `-o <org>` (their --target-org); here -o is the plan file. A value that is a target's
    name is refused before anything is read (exit 64); `./production` still saves a file of that name."""
    names = {name.casefold(): name for name in settings.targets}
    name = names.get(out.casefold())
    if name is not None:
        raise click.UsageError(
            f"-o saves the plan to a file; did you mean --target {name}? "
            f"(to save a file called {out!r}, write ./{out})"
        )


def project_args() -> list[str]:
    """--config and --definitions as this command was given them: `apply FILE` needs the same project."""
    params = click.get_current_context().params
    return [
        arg
        for name in ("config", "definitions")
        if params.get(name) is not None
        for arg in (f"--{name}", str(params[name]))
    ]


def save_and_apply(made: Plan, target: str | None) -> str:
    """The commands that save this plan and apply exactly it, with the options this plan was made with
    (the target, --only, --migrate-records, --config, --definitions)."""
    params = click.get_current_context().params
    shared = project_args()
    plan_args = [*shared, *(["--target", made.target] if target is not None else [])]
    plan_args += [arg for address in params.get("only", ()) for arg in ("--only", address)]
    plan_args += ["--migrate-records"] if made.migrate_records else []
    make = shlex.join(["crmdefs", "plan", *plan_args, "-o", "plan.json"])
    return f"{make} && {shlex.join(['crmdefs', 'apply', *shared, 'plan.json'])}"
