"""PURE: texts a CRM accepted but did not keep, found by comparing what apply sent with what it read back,
and how later plans honour them.

Salesforce may answer a save of a standard field with success and still not store every text sent
(docs/salesforce.md#sf-standard-field-description: undocumented, so apply verifies every write). Without
this, such a text would be planned as a change on every run, forever. So apply records each text that
did not stick, with what was sent (apply/applied_state.py), and :func:`hold_not_kept` turns it into a
skip in later plans — until the definitions ask for a different text, which is then tried once more.

The comparison is the same for every CRM and every text: a field's label, help text and description,
and a picklist value's label and description, normalized as the diff normalizes them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import FieldPlan, ValueChangeKind
from crmdefs.plan.state import DesiredField, DesiredValue, FieldState, ValueState, normalize_text

TEXTS = ("label", "help_text", "description")
_VALUE_KEY = re.compile(r"^values\[(?P<value>.*)\]\.(?P<text>label|description)$", re.DOTALL)


@dataclass(frozen=True)
class NotKept:
    """One text the CRM did not keep: what apply sent and what it read back right after."""

    sent: str | None
    read_back: str | None

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "read_back": self.read_back}


def not_kept_from_json(data: Mapping[str, Any]) -> NotKept:
    sent, read_back = data.get("sent"), data.get("read_back")
    return NotKept(None if sent is None else str(sent), None if read_back is None else str(read_back))


def value_key(value: str, text: str) -> str:
    """The key of a picklist value's ``text`` (label or description): ``values[Price].description``."""
    return f"values[{value}].{text}"


def describe(key: str) -> str:
    """``description`` or ``value 'Price' description``, for a person."""
    found = _VALUE_KEY.match(key)
    return f"value {found['value']!r} {found['text']}" if found else key.replace("_", " ")


def _shown(text: str | None) -> str:
    if text is None:
        return "(none)"
    return repr(text if len(text) <= 60 else text[:57] + "…")


def explain(key: str, entry: NotKept, crm: str) -> str:
    """The line a person reads: what was not kept, what was sent and what the CRM holds instead."""
    return (
        f"{describe(key)} not kept by {crm}: sent {_shown(entry.sent)}, it reads back "
        f"{_shown(entry.read_back)}"
    )


# ------------------------------------------------------------------------------------------ verifying


def _value(state: FieldState, name: str) -> ValueState | None:
    key = state.value_key(name)
    return next((v for v in state.values or () if state.value_key(v.value) == key), None)


def sent_texts(change: FieldPlan) -> dict[str, str | None]:
    """Every text ``change`` writes, by key, normalized as the diff compares them."""
    sent = {a.attribute: normalize_text(a.after) for a in change.attributes}
    targets = {v.value: v for v in change.target_values or ()}
    for value_change in change.value_changes:
        target = targets.get(value_change.value)
        if target is None:
            continue
        if value_change.kind in (ValueChangeKind.ADD, ValueChangeKind.RELABEL):
            sent[value_key(target.value, "label")] = normalize_text(target.label)
        added_with_text = value_change.kind is ValueChangeKind.ADD and target.description is not None
        if value_change.kind is ValueChangeKind.REDESCRIBE or added_with_text:
            sent[value_key(target.value, "description")] = normalize_text(target.description)
    return sent


def _read_back(state: FieldState, key: str) -> str | None:
    found = _VALUE_KEY.match(key)
    if found is None:
        return normalize_text(getattr(state, key))
    value = _value(state, found["value"])
    return normalize_text(getattr(value, found["text"])) if value is not None else None


def compare_written(change: FieldPlan, after: FieldState) -> tuple[frozenset[str], dict[str, NotKept]]:
    """The keys of the texts ``change`` wrote, and those of them ``after`` (read back) does not hold."""
    if not after.exists:
        return frozenset(), {}
    sent = sent_texts(change)
    held = {key: _read_back(after, key) for key in sent}
    missed = {key: NotKept(text, held[key]) for key, text in sent.items() if held[key] != text}
    return frozenset(sent), missed


# ------------------------------------------------------------------------------------------- planning


def _reason(key: str, entry: NotKept, crm: str) -> str:
    return (
        f"{crm} did not keep the {describe(key)} crmdefs sent at the last apply (it read back "
        f"{_shown(entry.read_back)}); not sent again until the definitions change this text"
    )


def _held(wanted: str | None, current: str | None, entry: NotKept | None) -> bool:
    """The definitions still ask for exactly the text the CRM did not keep, and the CRM does not hold it."""
    if entry is None or wanted is None:
        return False
    text = normalize_text(wanted)
    return text == entry.sent and text != normalize_text(current)


def hold_not_kept(
    desired: Sequence[DesiredField],
    actual: Mapping[FieldAddress, FieldState],
    not_kept: Mapping[FieldAddress, Mapping[str, NotKept]],
    crm_names: Mapping[Crm, str],
) -> list[DesiredField]:
    """``desired`` with each text the CRM did not keep left alone (``None``) and held with its reason, so
    the diff shows a skip instead of the same change again. ``crm_names`` names each CRM for people."""
    result: list[DesiredField] = []
    for want in desired:
        entries, have = not_kept.get(want.address), actual.get(want.address)
        if not entries or have is None or not have.exists:
            result.append(want)
            continue
        crm = crm_names.get(want.address.crm, want.address.crm.value)
        held = list(want.held)
        texts: dict[str, Any] = {}
        for name in TEXTS:
            entry = entries.get(name)
            if _held(getattr(want, name), getattr(have, name), entry):
                assert entry is not None
                texts[name] = None
                held.append((name, _reason(name, entry, crm)))
        values = [_hold_value(v, have, entries, crm, held) for v in want.values or ()]
        if want.values is not None:
            texts["values"] = tuple(values)
        result.append(dataclasses.replace(want, **texts, held=tuple(held)))
    return result


def _hold_value(
    want: DesiredValue,
    have: FieldState,
    entries: Mapping[str, NotKept],
    crm: str,
    held: list[tuple[str, str]],
) -> DesiredValue:
    current = _value(have, want.value)
    if current is None:
        return want
    texts: dict[str, Any] = {}
    for name in ("label", "description"):
        key = value_key(current.value, name)
        entry = entries.get(key) or entries.get(value_key(want.value, name))
        if _held(getattr(want, name), getattr(current, name), entry):
            assert entry is not None
            texts[name] = None
            held.append(("values", _reason(key, entry, crm)))
    return dataclasses.replace(want, **texts) if texts else want


def still_asked(
    desired: Sequence[DesiredField], not_kept: Mapping[FieldAddress, Mapping[str, NotKept]]
) -> list[tuple[FieldAddress, str, NotKept]]:
    """The texts the definitions still ask for exactly as the CRM did not keep them (for `validate`)."""
    found: list[tuple[FieldAddress, str, NotKept]] = []
    for want in desired:
        entries = not_kept.get(want.address, {})
        asked = {name: getattr(want, name) for name in TEXTS}
        for value in want.values or ():
            asked |= {value_key(value.value, name): getattr(value, name) for name in ("label", "description")}
        found += [
            (want.address, key, entries[key])
            for key, text in asked.items()
            if key in entries and text is not None and normalize_text(text) == entries[key].sent
        ]
    return found
