"""`crmdefs drift`: read-only comparison of CRMs with the definitions, for a nightly job.
Exit 0 in sync, 2 drift found, 1 any target could not be checked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from crmdefs import exitcodes
from crmdefs.apply.applied_state import load_applied, state_path
from crmdefs.apply.execute import read_states
from crmdefs.commands.options import format_option, project_options, quiet_option
from crmdefs.commands.plan import load_desired
from crmdefs.config import Settings
from crmdefs.connect import open_target, target_crms
from crmdefs.debuglog import remember_secret
from crmdefs.definitions.load import display_path
from crmdefs.drift.classify import (
    Baseline,
    BaselineEntry,
    DriftReport,
    TargetDrift,
    apply_baseline,
    baseline_of,
    classify,
)
from crmdefs.drift.report import RENDERERS, headline, report_json
from crmdefs.errors import CrmdefsError
from crmdefs.files import Damaged, each, json_object, unusable, write_atomic
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import DesiredField

BASELINE_FORMAT = "1.0"


def _check_target(settings: Settings, name: str, desired: Sequence[DesiredField], now: str) -> TargetDrift:
    """One target's drift; any failure becomes the target's error, never the whole run's."""
    try:
        target = settings.target(name)
        fields = [f for f in desired if f.address.crm in target_crms(target)]
        with open_target(settings, name, {f.address.crm for f in fields}, read_only=True) as connected:
            states = read_states(connected, fields, lambda _message: None)
        plan = compute_plan(
            fields,
            states,
            target=target.name,
            definitions_digest="",  # drift keeps no plan, so it needs no digest of the definitions
            created_at=now,
        )
        applied = load_applied(state_path(settings.project_root, target.name))
        return classify(
            target.name,
            plan,
            {str(a): s for a, s in states.items()},
            applied,
        )
    except CrmdefsError as exc:
        return TargetDrift(name, error=str(exc))


def _targets(settings: Settings, names: tuple[str, ...], all_targets: bool) -> list[str]:
    if all_targets and names:
        raise CrmdefsError("use either --target (repeatable) or --all-targets, not both")
    if all_targets:
        configured = [n for n, t in settings.targets.items() if not t.builtin_sandbox]
        return configured or [settings.default_target]
    return list(dict.fromkeys(names)) or [settings.default_target]


def _load_baseline(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CrmdefsError(
            f"cannot read the drift baseline {display_path(path)} ({getattr(exc, 'strerror', None) or exc}) "
            "— check --baseline, or write one with `crmdefs drift --write-baseline FILE`"
        ) from exc
    try:
        data = json_object(text)
        version = str(data.get("format_version", BASELINE_FORMAT))
        if version.split(".")[0] != BASELINE_FORMAT.split(".")[0]:
            raise Damaged(f"format_version {version} is not {BASELINE_FORMAT.split('.')[0]}.x")
        return Baseline(each("entries", data["entries"], _baseline_entry))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CrmdefsError(
            f"{unusable(display_path(path), 'drift baseline', exc)} — write one with "
            "`crmdefs drift --write-baseline FILE`"
        ) from exc


def _baseline_entry(e: dict[str, Any]) -> BaselineEntry:
    expires = dt.date.fromisoformat(e["expires"]) if e.get("expires") else None
    return BaselineEntry(str(e["target"]), str(e["address"]), str(e["item"]), str(e["key"]), expires)


def _baseline_json(baseline: Baseline, now: str) -> str:
    entries = [
        {
            "target": e.target,
            "address": e.address,
            "item": e.item,
            "key": e.key,
            "expires": e.expires.isoformat() if e.expires else None,
        }
        for e in baseline.entries
    ]
    return (
        json.dumps(
            {"format_version": BASELINE_FORMAT, "created_at": now, "entries": entries},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def _check_webhook(url: str) -> None:
    """Refuse plain http (except on loopback) and credentials in the URL; keep the URL out of --debug."""
    from crmdefs.config import url_problem

    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname or ''}/…"  # the rest of a webhook URL is its secret
    if problem := url_problem(url):
        raise CrmdefsError(f"--webhook {shown}: {problem[0]} — {problem[1]}")
    remember_secret(url)
    remember_secret(parts.path)


def _post_webhook(url: str, report: DriftReport) -> None:
    """A Slack-compatible incoming webhook: ``text`` is what chat shows; ``report`` is the JSON report."""
    import requests

    _check_webhook(url)
    payload: dict[str, Any] = {"text": headline(report), "report": report_json(report)}
    try:
        answer = requests.post(url, json=payload, timeout=15)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise CrmdefsError(
            f"the drift report could not be posted to the webhook ({type(exc).__name__}) — check "
            "the URL; the report itself is above"
        ) from exc


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
    desired = load_desired(settings)
    names = _targets(settings, targets, all_targets)
    # Inputs are checked before any CRM is called: a broken baseline or webhook fails fast.
    known = _load_baseline(baseline) if baseline is not None and write_baseline is None else None
    if webhook:
        _check_webhook(webhook)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
        results = list(pool.map(lambda name: _check_target(settings, name, desired, now), names))
    report = DriftReport(tuple(results), now)
    if write_baseline is not None:
        expires = baseline_expires.date() if baseline_expires else None
        known = baseline_of(report, expires)
        write_atomic(write_baseline, _baseline_json(known, now))
        click.echo(
            f"Wrote {display_path(write_baseline)} with {report.drift_count} known differences.", err=True
        )
    if known is not None:
        today = dt.datetime.now(dt.timezone.utc).date()
        report = DriftReport(tuple(apply_baseline(t, known, today) for t in report.targets), now)
    rendered = RENDERERS[fmt](report)
    click.echo(rendered, nl=False)
    if out is not None:
        write_atomic(out, rendered)
    if webhook:
        _post_webhook(webhook, report)
    if report.errors:
        return exitcodes.ERROR
    return exitcodes.CHANGES if report.drift_count else exitcodes.OK
