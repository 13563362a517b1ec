"""Drift reports: text for logs, Markdown for an issue/PR comment or chat, JSON (``format_version``) for
machines. Pure functions of a :class:`~crmdefs.drift.DriftReport`."""

from __future__ import annotations

import json
import re
from typing import Any

from crmdefs.adapters.setup_audit import SetupChange
from crmdefs.drift.classify import ORIGIN_TEXT, Attribution, Difference, DriftReport, FieldDrift, TargetDrift
from crmdefs.render.guidance import guidance_text
from crmdefs.words import plural

NO_STATE = (
    "no state file (.crmdefs/state/{target}.json), so differences cannot be told apart into "
    "'changed in the CRM' and 'not applied' — run `crmdefs apply` once, and keep .crmdefs/state/"
)


def _show(value: Any, limit: int = 100) -> str:
    """Strings quoted, lists and numbers as JSON, long text cut with an ellipsis."""
    if value is None:
        return "(none)"
    quoted = isinstance(value, str)
    text = value.replace("\n", " ⏎ ") if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False) if quoted else text


def _readable(item: str, value: Any) -> Any:
    """Path guidance is HTML in the CRM: shown as its text (render/guidance.py); the JSON keeps the HTML."""
    return guidance_text(value) if item.startswith("path guidance") and isinstance(value, str) else value


_PATH_ITEM = re.compile(r"^path guidance \((?P<record_type>[^)]*)\) (?P<stage>.*)$")


def shown(differences: tuple[Difference, ...]) -> list[tuple[str, Any, Any]]:
    """The differences as people read them: one stage's Path guidance that differs in the same way on
    several record types is one line naming them, where the first of them stood (the JSON keeps each)."""
    out: list[tuple[str, Any, Any]] = []
    merged: dict[tuple[str, str, str], int] = {}
    for d in differences:
        match = _PATH_ITEM.match(d.item)
        if match is None:
            out.append((d.item, d.before, d.after))
            continue
        key = (match["stage"], json.dumps(d.before, default=str), json.dumps(d.after, default=str))
        if key in merged:
            item, before, after = out[merged[key]]
            out[merged[key]] = (item.replace(") ", f", {match['record_type']}) ", 1), before, after)
        else:
            merged[key] = len(out)
            out.append((d.item, d.before, d.after))
    return out


def headline(report: DriftReport) -> str:
    fields = sum(len(t.fields) for t in report.targets)
    errors = len(report.errors)
    if not report.drift_count and not errors:
        count = len(report.targets)
        return (
            "No drift: "
            + ("the target matches" if count == 1 else f"all {count} targets match")
            + " the definitions."
        )
    text = (
        f"Drift: {plural(report.drift_count, 'difference')} in {plural(fields, 'field')} across "
        f"{plural(len(report.targets), 'target')}"
    )
    return text + (f"; {plural(errors, 'target')} could not be checked." if errors else ".")


FIELDS_NAMED = 5  # fields a chat message names per target before "and N more"
UNAVAILABLE = "who changed it is unavailable: {}"


def _by(change: SetupChange) -> str:
    name, username = change.user_name, change.username
    who = (
        f"{name} ({username})"
        if name and username
        else name or username or change.user_id or "an unknown user"
    )
    return who + (f", logged in as them by {change.delegate}" if change.delegate else "")


def attribution_text(a: Attribution) -> str:
    """Who changed a Salesforce field, as the reports say it (drift/attribute.py)."""
    if a.change is None:
        where = "since the last apply" if a.since else f"in the last {a.days} days"
        return f"no setup change found in the setup audit trail {where}"
    if a.own:
        return f"last setup change by crmdefs' own apply/revert as {_by(a.change)} at {a.change.at}"
    text = f"changed by {_by(a.change)} at {a.change.at}"
    if a.crmdefs_user:
        text += (
            " — the user crmdefs signs in as, but after its last apply here had finished: an edit made "
            "with that user's sign-in (or crmdefs run from another copy of the definitions)"
        )
    if not a.since:
        text += (
            f" (the newest matching setup change of the last {a.days} days: no apply of it recorded to tell)"
        )
    return text


def attribution_status(a: Attribution | None) -> str:
    """JSON: ``someone_else``, ``crmdefs`` (its own apply or revert), ``not_found`` or ``not_checked``."""
    if a is None:
        return "not_checked"
    if a.change is None:
        return "not_found"
    return "crmdefs" if a.own else "someone_else"


def chat_text(report: DriftReport) -> str:
    """What a chat shows of the report (the webhook's ``text``): the headline, then per target that drifted
    or could not be checked, its name and the first fields — a count alone says nothing to act on."""
    lines = [headline(report)]
    for t in report.targets:
        if t.error is not None:
            lines.append(f"{t.target}: could not be checked: {t.error}")
        elif t.fields:
            named = ", ".join(_chat_field(f) for f in t.fields[:FIELDS_NAMED])
            more = len(t.fields) - FIELDS_NAMED
            lines.append(
                f"{t.target}: {plural(len(t.fields), 'field')} — {named}"
                + (f" and {more} more" if more > 0 else "")
            )
            if t.attribution_unavailable:
                lines.append(f"{t.target}: " + UNAVAILABLE.format(t.attribution_unavailable))
    return "\n".join(lines)


def _chat_field(f: FieldDrift) -> str:
    a = f.attribution
    if a is None or a.change is None or a.own:
        return f.address
    return f"{f.address} (changed by {_by(a.change)} at {a.change.at})"


def _field_meta(f: FieldDrift) -> str:
    parts = [ORIGIN_TEXT[f.origin]]
    if f.reverted_from is not None:  # our own write: say which backup and when, not "last applied"
        parts = [
            f"{parts[0]} to the backup {f.reverted_from} at {f.last_applied_at}",
            "definitions not applied",
        ]
    if f.attribution is not None:  # Salesforce: the setup audit trail's word
        parts.append(attribution_text(f.attribution))
    elif f.modified_by or f.modified_at:  # HubSpot: the property's updatedUserId and updatedAt
        parts.append(f"last modified by {f.modified_by or 'unknown'} at {f.modified_at or 'unknown'}")
    if f.last_applied_at and f.reverted_from is None:
        parts.append(f"last applied {f.last_applied_at}")
    return "; ".join(parts)


def _target_title(t: TargetDrift, code: bool = False) -> str:
    name = f"`{t.target}`" if code else f'"{t.target}"'
    if t.error is not None:
        return f"Target {name}: could not be checked"
    return f"Target {name}: " + (f"{plural(len(t.fields), 'field')} drifted" if t.fields else "in sync")


def render_text(report: DriftReport) -> str:
    lines = [f"crmdefs drift report, {report.generated_at}", ""]
    for t in report.targets:
        lines.append(_target_title(t))
        if t.error is not None:
            lines += [f"  ! error: {t.error}", ""]
            continue
        if not t.classified and t.fields:
            lines.append("  note: " + NO_STATE.format(target=t.target))
        if t.attribution_unavailable and t.fields:
            lines.append("  note: " + UNAVAILABLE.format(t.attribution_unavailable))
        for f in t.fields:
            lines.append(f"  ~ {f.address}: {_field_meta(f)}")
            lines += [
                f"      {item}: CRM {_show(_readable(item, before))} · "
                f"definitions {_show(_readable(item, after))}"
                for item, before, after in shown(f.differences)
            ]
        if t.fields:
            lines.append(
                f"  fix: crmdefs apply --target {t.target} (or change the definitions to keep the CRM's)"
            )
        if t.baselined:
            lines.append(f"  {plural(t.baselined, 'known difference')} hidden by the baseline")
        lines += [f"  # skipped (not drift) {address} {s.attribute}: {s.reason}" for address, s in t.skips]
        lines.append("")
    lines.append(headline(report))
    return "\n".join(lines) + "\n"


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def _cell(value: Any) -> str:
    return _esc(_show(value, 300))


def render_markdown(report: DriftReport) -> str:
    lines = [
        f"## crmdefs drift: {headline(report).removeprefix('Drift: ')}",
        "",
        f"_Checked {report.generated_at}._",
        "",
    ]
    for t in report.targets:
        lines += [f"### {_target_title(t, code=True)}", ""]
        if t.error is not None:
            lines += [f"> **Error:** {t.error}", ""]
            continue
        if not t.classified and t.fields:
            lines += [f"> {NO_STATE.format(target=t.target)}", ""]
        if t.attribution_unavailable and t.fields:
            lines += [f"> {UNAVAILABLE.format(t.attribution_unavailable).capitalize()}", ""]
        for f in t.fields:
            lines += [
                f"#### `{f.address}` — {_field_meta(f)}",
                "",
                "| what | in the CRM | in the definitions |",
                "|---|---|---|",
            ]
            lines += [
                f"| {_esc(item)} | {_cell(_readable(item, before))} | {_cell(_readable(item, after))} |"
                for item, before, after in shown(f.differences)
            ]
            lines.append("")
        if t.fields:
            lines += [
                f"Fix: `crmdefs apply --target {t.target}`, or change the definitions to keep the CRM's.",
                "",
            ]
        if t.baselined:
            lines += [f"_{plural(t.baselined, 'known difference')} hidden by the baseline._", ""]
        if t.skips:
            lines += [
                "<details><summary>Skipped (not drift)</summary>",
                "",
                "| field | what | why |",
                "|---|---|---|",
            ]
            lines += [f"| `{a}` | {s.attribute} | {_esc(s.reason)} |" for a, s in t.skips]
            lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def report_json(report: DriftReport) -> dict[str, Any]:
    return {
        "format_version": report.format_version,
        "generated_at": report.generated_at,
        "summary": {
            "targets": len(report.targets),
            "drifted_fields": sum(len(t.fields) for t in report.targets),
            "differences": report.drift_count,
            "errors": len(report.errors),
            "baselined": sum(t.baselined for t in report.targets),
        },
        "targets": [
            {
                "target": t.target,
                "classified": t.classified,
                "error": t.error,
                "baselined": t.baselined,
                "attribution_unavailable": t.attribution_unavailable,
                "fields": [
                    {
                        "address": f.address,
                        "origin": f.origin.value,
                        "last_applied_at": f.last_applied_at,
                        "reverted_from": f.reverted_from,
                        "modified_by": f.modified_by,
                        "modified_at": f.modified_at,
                        "attribution": attribution_status(f.attribution),
                        "setup_change": _change_json(f.attribution),
                        "differences": [
                            {"item": d.item, "crm": d.before, "definitions": d.after, "key": d.key}
                            for d in f.differences
                        ],
                    }
                    for f in t.fields
                ],
                "skips": [{"address": a, "attribute": s.attribute, "reason": s.reason} for a, s in t.skips],
            }
            for t in report.targets
        ],
    }


def _change_json(a: Attribution | None) -> dict[str, Any] | None:
    if a is None or a.change is None:
        return None
    c = a.change
    return {
        "at": c.at,
        "by": {"id": c.user_id, "name": c.user_name, "username": c.username},
        "delegate_user": c.delegate,
        "section": c.section,
        "action": c.action,
        "display": c.display,
        "crmdefs_own": a.own,
        "crmdefs_user": a.own or a.crmdefs_user,
        "since_last_apply": a.since,
    }


def render_json(report: DriftReport) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False, default=str) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
