"""`crmdefs drift`: read-only comparison of CRMs with the definitions, for a nightly job.
Exit 0 in sync, 2 drift found, 1 any target could not be checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.apply.workflow import load_desired
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import format_option, project_options, quiet_option
from crmdefs.config import Settings
from crmdefs.drift.baseline import load_baseline
from crmdefs.drift.report import RENDERERS
from crmdefs.drift.run import check_webhook, post_webhook, run_drift, target_names
from crmdefs.files import write_output


@click.command(
    epilog="""\b
Examples:
  crmdefs drift                                   the default target; exit 2 on drift
  crmdefs drift --all-targets --format markdown --out drift.md
  crmdefs drift --write-baseline drift-baseline.json     accept today's differences
  crmdefs drift --baseline drift-baseline.json           report only new drift
  crmdefs drift --webhook "$SLACK_WEBHOOK_URL"
"""
)
@project_options
@click.option("--target", "-t", "targets", multiple=True, help="Target to check (repeatable).")
@click.option("--all-targets", is_flag=True, help="Check every target in crmdefs.yaml, concurrently.")
@format_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Also write the report here.")
@click.option(
    "--baseline", type=click.Path(path_type=Path, dir_okay=False), help="Hide differences it lists."
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record today's differences as known, then exit 0.",
)
@click.option(
    "--baseline-expires", type=click.DateTime(["%Y-%m-%d"]), help="Expiry date for --write-baseline."
)
@click.option(
    "--webhook", metavar="URL", help="POST the report (JSON) to a Slack-compatible incoming webhook."
)
@quiet_option
def drift(
    settings: Settings,
    targets: tuple[str, ...],
    all_targets: bool,
    fmt: str,
    out: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    baseline_expires: dt.datetime | None,
    webhook: str | None,
    quiet: bool,
) -> int:
    """Compare the CRMs with the definitions without changing anything."""
    console = TerminalConsole(settings, quiet=quiet)
    desired = load_desired(settings, console)
    names = target_names(settings, targets, all_targets)
    # Inputs are checked before any CRM is called: a broken baseline or webhook fails fast.
    known = load_baseline(baseline) if baseline is not None and write_baseline is None else None
    if webhook:
        check_webhook(webhook)
    expires = baseline_expires.date() if baseline_expires else None
    report = run_drift(
        settings,
        names,
        desired,
        known=known,
        write_baseline_to=write_baseline,
        expires=expires,
        note=console.note,
        waits=console,
    )
    rendered = RENDERERS[fmt](report)
    click.echo(rendered, nl=False)
    if out is not None:
        write_output(out, rendered)
    if webhook:
        post_webhook(webhook, report)
    if report.errors:
        return exitcodes.ERROR
    return exitcodes.CHANGES if report.drift_count else exitcodes.OK
