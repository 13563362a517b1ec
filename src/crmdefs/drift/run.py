"""Drift against live targets: each target read-only and concurrently, a failing target reported without
hiding the others; and the report posted to a chat webhook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crmdefs.adapters.base import NO_WAITS, Waits, reading_pool
from crmdefs.apply.applied_state import load_applied, state_path
from crmdefs.apply.interrupt import ctrl_c_while_reading
from crmdefs.config import Settings, url_problem
from crmdefs.connect import open_target, target_crms
from crmdefs.debuglog import remember_secret
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import FieldAddress
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.drift.attribute import attribute_target
from crmdefs.drift.baseline import save_baseline
from crmdefs.drift.classify import Baseline, DriftReport, TargetDrift, apply_baseline, baseline_of, classify
from crmdefs.drift.report import chat_text, report_json
from crmdefs.errors import CrmdefsError, OptionsError, WebhookError
from crmdefs.plan.changes import Plan
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.not_kept import hold_not_kept
from crmdefs.plan.read import plan_with_counts
from crmdefs.plan.resolve import read_bound
from crmdefs.plan.state import DesiredField
from crmdefs.render.text import NOTHING_BOUND_HINT
from crmdefs.words import plural


def run_drift(
    settings: Settings,
    names: Sequence[str],
    desired: Sequence[DesiredField],
    *,
    known: Baseline | None = None,
    write_baseline_to: Path | None = None,
    expires: dt.date | None = None,
    note: Callable[[str], None] = lambda _message: None,
    waits: Waits = NO_WAITS,
) -> DriftReport:
    """Check ``names``; with ``write_baseline_to``, record today's differences as known first; with a
    baseline (given or just written), hide what it lists until it expires. ``waits`` hears of the CRMs'
    long waits (a nightly job's log says why it took long)."""
    if not desired:  # a nightly job checking nothing would report "in sync" forever
        raise CrmdefsError(f"drift has nothing to check: no definition binds a field — {NOTHING_BOUND_HINT}")
    now = dt.datetime.now(dt.timezone.utc)
    report = check_targets(settings, names, desired, now.isoformat(timespec="seconds"), waits)
    if write_baseline_to is not None:
        known = baseline_of(report, expires)
        save_baseline(write_baseline_to, known, report.generated_at)
        note(
            f"Wrote {display_path(write_baseline_to)} with {plural(report.drift_count, 'known difference')}."
        )
    if known is not None:
        kept = tuple(apply_baseline(t, known, now.date()) for t in report.targets)
        report = DriftReport(kept, report.generated_at)
    return report


def target_names(settings: Settings, names: Sequence[str], all_targets: bool) -> list[str]:
    """The targets to check: those named, every configured one, or the default."""
    if all_targets and names:
        raise OptionsError("use either --target (repeatable) or --all-targets, not both")
    if all_targets:
        configured = [n for n, t in settings.targets.items() if not t.builtin_sandbox]
        return configured or [settings.default_target]
    return list(dict.fromkeys(names)) or [settings.default_target]


def check_targets(
    settings: Settings, names: Sequence[str], desired: Sequence[DesiredField], now: str, waits: Waits
) -> DriftReport:
    """Every target at once (at most 8 in flight); each target's failure is its own result."""
    with ctrl_c_while_reading(names, writes=False), reading_pool(min(8, len(names))) as pool:
        results = list(pool.map(lambda name: check_target(settings, name, desired, now, waits), names))
    return DriftReport(tuple(results), now)


def check_target(
    settings: Settings, name: str, desired: Sequence[DesiredField], now: str, waits: Waits = NO_WAITS
) -> TargetDrift:
    """One target's drift; any failure becomes the target's error, never the whole run's."""
    try:
        target = settings.target(name)
        fields = [f for f in desired if f.address.crm in target_crms(target)]
        applied = load_applied(state_path(settings.project_root, target.name))
        # A text the CRM did not keep at the last apply is a skip, as in `plan` (plan/not_kept.py).
        not_kept = {parse_address(a): f.not_kept for a, f in (applied or {}).items() if f.not_kept}
        crms = {f.address.crm for f in fields}
        with open_target(settings, name, crms, read_only=True, waits=waits) as connected:
            fields, states = read_bound(connected, fields, lambda _message: None)
            wanted = hold_not_kept(fields, states, not_kept, CRM_NAMES)

            def make(usage: Mapping[FieldAddress, Mapping[str, int]] | None) -> Plan:
                return compute_plan(
                    wanted,
                    states,
                    target=target.name,
                    usage=usage,
                    definitions_digest="",  # drift keeps no plan, so it needs no digest of the definitions
                    created_at=now,
                )

            # The records as they are today, counted as `plan` counts them: after `apply --migrate-records`
            # no record holds a renamed value any more, and drift must not say one does.
            plan = plan_with_counts(connected, make, lambda _m: None, lambda _m: None)
            current = {str(a): s for a, s in states.items()}
            # Who changed each Salesforce difference: one audit trail query, only if one drifted.
            return attribute_target(
                classify(target.name, plan, current, applied), connected, current, applied
            )
    except CrmdefsError as exc:
        return TargetDrift(name, error=str(exc))


def check_webhook(url: str) -> None:
    """Refuse plain http (except on loopback) and credentials in the URL; keep the URL out of --debug."""
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname or ''}/…"  # the rest of a webhook URL is its secret
    if problem := url_problem(url):
        raise WebhookError(f"--webhook {shown}: {problem[0]} — {problem[1]}")
    remember_secret(url)
    remember_secret(parts.path)


def post_webhook(url: str, report: DriftReport) -> None:
    """A Slack-compatible incoming webhook: ``text`` is what chat shows (the headline, each target and its
    first fields); ``report`` is the JSON report."""
    import requests

    check_webhook(url)
    payload: dict[str, Any] = {"text": chat_text(report), "report": report_json(report)}
    try:
        answer = requests.post(url, json=payload, timeout=15)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise WebhookError(
            f"the drift report could not be posted to the webhook ({type(exc).__name__}) — check "
            "the URL; the report itself is above"
        ) from exc
