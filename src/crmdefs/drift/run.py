"""Drift against live targets: each target read-only and concurrently, a failing target reported without
hiding the others; and the report posted to a chat webhook."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from crmdefs.apply.applied_state import load_applied, state_path
from crmdefs.config import Settings, url_problem
from crmdefs.connect import open_target, target_crms
from crmdefs.debuglog import remember_secret
from crmdefs.drift.classify import DriftReport, TargetDrift, classify
from crmdefs.drift.report import headline, report_json
from crmdefs.errors import CrmdefsError, OptionsError, WebhookError
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.read import read_states
from crmdefs.plan.state import DesiredField


def target_names(settings: Settings, names: Sequence[str], all_targets: bool) -> list[str]:
    """The targets to check: those named, every configured one, or the default."""
    if all_targets and names:
        raise OptionsError("use either --target (repeatable) or --all-targets, not both")
    if all_targets:
        configured = [n for n, t in settings.targets.items() if not t.builtin_sandbox]
        return configured or [settings.default_target]
    return list(dict.fromkeys(names)) or [settings.default_target]


def check_targets(
    settings: Settings, names: Sequence[str], desired: Sequence[DesiredField], now: str
) -> DriftReport:
    """Every target at once (at most 8 in flight); each target's failure is its own result."""
    with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
        results = list(pool.map(lambda name: check_target(settings, name, desired, now), names))
    return DriftReport(tuple(results), now)


def check_target(settings: Settings, name: str, desired: Sequence[DesiredField], now: str) -> TargetDrift:
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
        return classify(target.name, plan, {str(a): s for a, s in states.items()}, applied)
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
    """A Slack-compatible incoming webhook: ``text`` is what chat shows; ``report`` is the JSON report."""
    import requests

    check_webhook(url)
    payload: dict[str, Any] = {"text": headline(report), "report": report_json(report)}
    try:
        answer = requests.post(url, json=payload, timeout=15)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise WebhookError(
            f"the drift report could not be posted to the webhook ({type(exc).__name__}) — check "
            "the URL; the report itself is above"
        ) from exc
