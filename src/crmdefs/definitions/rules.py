"""Building and checking the keys that make a definition hold (format_rules.py): ``requirements``,
``depends_on`` and ``quality``. What needs the CRM (does the required field exist, is the controlling
field a picklist) is checked where bindings are resolved against it (plan/resolve.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from crmdefs.definitions.model import (
    Crm,
    Dependency,
    FieldBinding,
    PicklistValue,
    QualityThresholds,
    Requirement,
    Source,
    TextSpec,
)
from crmdefs.definitions.schema import Checker, suggest
from crmdefs.definitions.yamlsource import Document, PathKey


def percent(text: str) -> float:
    """``"95%"`` → 95.0 (the format's pattern has checked the shape)."""
    return float(text.strip().removesuffix("%").strip())


def requirements(
    doc: Document, value: Any, text: Callable[[Any], TextSpec | None]
) -> tuple[Requirement, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        Requirement(
            when=tuple(str(v).strip() for v in item["when"]),
            require=tuple(str(f).strip() for f in item["require"]),
            source=Source(doc.path, doc.where(("requirements", i)).line),
            message=text(item.get("message")),
            name=item.get("name"),
            active=item.get("active", True),
            min_filled=percent(item["min_filled"]) if "min_filled" in item else None,
        )
        for i, item in enumerate(value)
    )


def dependency(doc: Document, value: Any) -> Dependency | None:
    if not isinstance(value, dict):
        return None
    return Dependency(
        field=str(value["field"]).strip(),
        show_when=tuple(str(v).strip() for v in value["show_when"]),
        source=Source(doc.path, doc.where(("depends_on",)).line),
    )


def thresholds(doc: Document, value: Any) -> QualityThresholds | None:
    if not isinstance(value, dict):
        return None
    return QualityThresholds(
        source=Source(doc.path, doc.where(("quality",)).line),
        max_share={str(k).strip(): percent(v) for k, v in dict(value.get("max_share") or {}).items()},
        min_filled=percent(value["min_filled"]) if "min_filled" in value else None,
    )


def check(c: Checker, b: FieldBinding) -> None:
    """The rules a single binding can break: percentages above 100, ``when`` / ``max_share`` naming values
    the binding's picklist does not list, a requirement or dependency on a field that has no values, a
    field required at its own values, a value or field named twice in one requirement, and two requirements
    with one rule name."""
    values = _values(b)
    for i, req in enumerate(b.requirements):
        at: PathKey = ("requirements", i)
        _percent(c, (*at, "min_filled"), req.min_filled)
        _known(c, (*at, "when"), req.when, values, "requirement")
        _once(c, (*at, "when"), req.when, lambda v: (values or {}).get(v.casefold(), v).casefold())
        _once(c, (*at, "require"), req.require, str.casefold)
        for j, name in enumerate(req.require):
            if name.casefold() == b.address.field.casefold():
                c.report((*at, "require", j), f"'{name}' is the bound field itself", "require other fields")
    _unique_names(c, b)
    if b.quality is not None:
        _percent(c, ("quality", "min_filled"), b.quality.min_filled)
        for key, share in b.quality.max_share.items():
            _percent(c, ("quality", "max_share", key), share)
        _known(c, ("quality", "max_share"), tuple(b.quality.max_share), values, "quality threshold", key=True)
    if b.depends_on is not None and b.depends_on.field.casefold() == b.address.field.casefold():
        c.report(("depends_on", "field"), "a field cannot depend on itself", "name the controlling field")


def rule_name(b: FieldBinding, req: Requirement) -> str:
    """The validation rule's name: the one given, or ``crmdefs_<Field>_<values>`` (non-name characters
    become ``_``, runs of them one ``_``), cut to Salesforce's 40 characters
    (docs/salesforce.md#sf-validation-rule)."""
    if req.name:
        return req.name
    raw = "_".join(("crmdefs", b.address.field.removesuffix("__c"), *req.when))
    name = re.sub(r"[^A-Za-z0-9]+", "_", raw).strip("_")
    return name[:40].rstrip("_")


def by_spelling(values: Sequence[PicklistValue], crm: Crm) -> dict[str, PicklistValue]:
    """Each value by the casefolded spellings a key naming it may use: the definitions' value, the CRM's
    value and its label (the first value listed wins a spelling two share)."""
    found: dict[str, PicklistValue] = {}
    for v in values:
        for spelling in (v.value, v.value_in(crm), v.label_in(crm)):
            found.setdefault(spelling.casefold(), v)
    return found


def _values(b: FieldBinding) -> dict[str, str] | None:
    """The binding's values (as the definitions write them) by their spellings (``by_spelling``), or None
    when the binding has no picklist (every value-naming key is then an error)."""
    if b.picklist is None:
        return None
    return {spelling: v.value for spelling, v in by_spelling(b.picklist.values, b.address.crm).items()}


def _known(
    c: Checker,
    at: PathKey,
    named: Sequence[str],
    values: dict[str, str] | None,
    what: str,
    *,
    key: bool = False,
) -> None:
    if values is None:
        c.report(
            at, f"a {what} names values, but this binding has no picklist", "add 'picklist:' to the binding"
        )
        return
    for i, name in enumerate(named):
        if name.casefold() in values:
            continue
        close = suggest(name, sorted(set(values.values())))
        where: PathKey = (*at, name) if key else (*at, i)
        c.report(
            where,
            f"'{name}' is not a value of this binding's picklist",
            f"did you mean '{close}'?" if close else "use a value the picklist lists",
            key=key,
        )


def _once(c: Checker, at: PathKey, named: Sequence[str], key: Callable[[str], str]) -> None:
    """Each item of a list once: a value named again in another spelling (values match in any case, and by
    label too) would repeat itself in the rule's formula and name."""
    seen: dict[str, str] = {}
    for i, name in enumerate(named):
        first = seen.setdefault(key(name), name)
        if first is not name:
            c.report((*at, i), f"'{name}' is listed already (as '{first}')", "list it once")


def _percent(c: Checker, at: PathKey, share: float | None) -> None:
    if share is not None and share > 100:
        c.report(at, f"'{share:g}%' is more than 100%", "write a percentage from 0% to 100%")


def _unique_names(c: Checker, b: FieldBinding) -> None:
    if b.address.crm is not Crm.SALESFORCE:
        return
    seen: dict[str, int] = {}
    for i, req in enumerate(b.requirements):
        name = rule_name(b, req).casefold()
        if name in seen:
            c.report(
                ("requirements", i),
                f"requirements {seen[name] + 1} and {i + 1} make the same validation rule "
                f"'{rule_name(b, req)}'",
                "give one of them a 'name:'",
            )
        seen.setdefault(name, i)
