"""`crmdefs quality`'s data: every bound picklist counted on each target by aggregate calls only (the
adapters' ``count_records``), its values set against the definitions and the CRM, its thresholds checked,
and the fields that carry one list put side by side.

Per target: one read of the bound fields (plan/read.py, the same calls `plan` makes: Salesforce
readMetadata in batches of 10, HubSpot one GET of the properties per object type), which tells each value's
label and whether the CRM still offers it, and which bound field does not exist there (skipped, with why);
then the counts (adapters/<crm>/quality.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crmdefs.adapters.base import Adapter, CountRequest, Progress
from crmdefs.config import Settings
from crmdefs.connect import open_target, target_crms
from crmdefs.definitions.model import FieldAddress, FieldBinding, Glossary, Picklist, PicklistValue
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.errors import CrmdefsError, OptionsError
from crmdefs.plan.desired import desired_field
from crmdefs.plan.read import read_states
from crmdefs.plan.state import DesiredField, FieldState
from crmdefs.quality.model import FieldQuality, QualityGroup, QualityReport
from crmdefs.quality.values import field_quality, listed_value

_SINCE = re.compile(r"\s*(\d+)\s*([dwm])\s*", re.IGNORECASE)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}  # a month is 30 days: a window, not a calendar period
SINCE_HINT = "write a number of days, weeks or months, e.g. --since 90d, 12w or 6m"
_FIELD_WORD = {"salesforce": "field", "hubspot": "property"}


def parse_since(text: str) -> dt.timedelta:
    """``"90d"`` → 90 days, ``"12w"`` → 84 days, ``"6m"`` → 180 days (a month counts 30 days)."""
    found = _SINCE.fullmatch(text)
    if found is None or int(found.group(1)) == 0:
        raise OptionsError(f"--since {text!r} is not a window — {SINCE_HINT}")
    days = int(found.group(1)) * _UNIT_DAYS[found.group(2).lower()]
    if days > 36_500:
        raise OptionsError(f"--since {text!r} reaches back more than 100 years — {SINCE_HINT}")
    return dt.timedelta(days=days)


@dataclass(frozen=True)
class _Counted:
    binding: FieldBinding
    target: str
    quality: FieldQuality


def collect_report(
    settings: Settings, targets: Sequence[str], since: str | None, note: Callable[[str], None]
) -> QualityReport:
    """Count every bound picklist on ``targets`` (none: the default target) in the window ``since`` (None:
    all records). Raises on a target that cannot be read or counted; a bound field a target does not have
    is listed in ``skipped``."""
    window = parse_since(since) if since is not None else None
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = now - window if window is not None else None
    glossary, warnings = settings.load_glossary()
    for warning in warnings:
        note(warning.render())
    bindings = [b for b in glossary.bindings if b.picklist is not None]
    if not bindings:
        raise CrmdefsError(
            "quality has nothing to count: no definition binds a picklist field — bind one "
            "(`crmdefs import` writes bindings from a CRM's fields)"
        )
    names = list(dict.fromkeys(targets)) or [settings.default_target]
    counted: list[_Counted] = []
    skipped: dict[str, str] = {}
    for name in names:
        found, missing = _count_target(settings, name, glossary, bindings, start, note)
        counted += found
        for address, why in missing.items():
            skipped[address if len(names) == 1 else f"{address} ({name})"] = why
    return QualityReport(
        generated_at=now.isoformat(),
        since=since.strip() if since is not None else None,
        window_start=start.isoformat() if start is not None else None,
        targets=tuple(settings.target(n).name for n in names),
        groups=_groups(bindings, counted),
        skipped=skipped,
    )


def _count_target(
    settings: Settings,
    name: str,
    glossary: Glossary,
    bindings: Sequence[FieldBinding],
    start: dt.datetime | None,
    progress: Progress,
) -> tuple[list[_Counted], dict[str, str]]:
    target = settings.target(name)
    mine = [b for b in bindings if b.address.crm in target_crms(target)]
    counted: list[_Counted] = []
    skipped: dict[str, str] = {}
    if not mine:
        return counted, skipped
    desired = [desired_field(b, glossary.terms) for b in mine]
    required = [
        DesiredField(address=FieldAddress(b.address.crm, b.address.object, field))
        for b in mine
        for r in b.requirements
        for field in r.require
    ]
    with open_target(settings, name, {b.address.crm for b in mine}, read_only=True) as connected:
        states = read_states(connected, [*desired, *required], progress)
        for binding in mine:
            state = states[binding.address]
            why = _why_skipped(binding, state, target.name)
            if why:
                skipped[str(binding.address)] = why
                continue
            adapter = connected.adapter(binding.address.crm)
            counted.append(_count(adapter, binding, state, states, target.name, start, progress, skipped))
    return counted, skipped


def _why_skipped(binding: FieldBinding, state: FieldState, target: str) -> str | None:
    crm = binding.address.crm
    word = _FIELD_WORD[crm.value]
    if not state.exists:
        then = (
            "`crmdefs apply` creates it; its records are counted once it exists"
            if binding.create is not None
            else f"fix the binding ({binding.source}) or create the {word}"
        )
        return f"target '{target}' has no {CRM_NAMES[crm]} {word} {binding.address.dotted} — {then}"
    if state.values is None:
        return f"{binding.address.dotted} is not a picklist on target '{target}' — only picklists are counted"
    return None


def _count(
    adapter: Adapter,
    binding: FieldBinding,
    state: FieldState,
    states: dict[FieldAddress, FieldState],
    target: str,
    start: dt.datetime | None,
    progress: Progress,
    skipped: dict[str, str],
) -> _Counted:
    """One field's counts; a requirement naming a field the target does not have is left out (skipped)."""
    crm = binding.address.crm
    requirements = []
    for req in binding.requirements:
        absent = [f for f in req.require if not states[FieldAddress(crm, binding.address.object, f)].exists]
        if absent:
            where = f"{binding.address} requirement at {req.source}"
            word = _FIELD_WORD[crm.value]
            skipped[where] = f"target '{target}' has no {word} {', '.join(absent)} — it is not counted"
            continue
        requirements.append(req)
    by_key = {state.value_match.key(v.value): v.value for v in state.values or ()}
    when = tuple(
        (tuple(_crm_value(state, by_key, listed_value(binding, w)) for w in req.when), req.require)
        for req in requirements
    )
    request = CountRequest(state.address, tuple(by_key.values()), when, start)
    try:
        result = adapter.count_records(request, progress)
    except CrmdefsError as exc:
        raise CrmdefsError(f"counting the records of {binding.address} on target '{target}': {exc}") from exc
    quality = field_quality(binding, state, result, requirements, target)
    return _Counted(binding, target, quality)


def _crm_value(state: FieldState, by_key: dict[str, str], value: PicklistValue | None) -> str:
    """How the CRM stores a definitions' value: its own spelling when it has the value."""
    if value is None:
        return ""
    wanted = value.value_in(state.address.crm)
    return by_key.get(state.value_key(wanted), wanted)


def _groups(bindings: Sequence[FieldBinding], counted: Sequence[_Counted]) -> tuple[QualityGroup, ...]:
    """One group per shared picklist (its id), or per inline list (its field's address), in the order the
    definitions bind them; in a group, the fields in target order, then binding order."""
    order: dict[str, tuple[str, list[FieldQuality]]] = {}
    for binding in bindings:
        order.setdefault(_group_key(binding), (_picklist(binding).name, []))
    for item in counted:
        key = _group_key(item.binding)
        fields = order[key][1]
        if _picklist(item.binding).inline and item.quality.label and not fields:  # people read its label
            order[key] = (f"{item.quality.label} ({item.binding.address})", fields)
        fields.append(item.quality)
    return tuple(QualityGroup(key, title, tuple(fields)) for key, (title, fields) in order.items() if fields)


def _picklist(binding: FieldBinding) -> Picklist:
    assert binding.picklist is not None  # only picklist bindings are counted
    return binding.picklist


def _group_key(binding: FieldBinding) -> str:
    """The shared picklist's id, or the field's address for an inline list."""
    picklist = _picklist(binding)
    return str(binding.address) if picklist.inline else picklist.id
