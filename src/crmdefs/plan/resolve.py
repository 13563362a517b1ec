"""The bindings checked against what a target really has, right after the read.

A binding to a field, record type (of its values or its Path guidance) or business process the CRM
does not have is an error, naming the binding's file:line and the closest names the CRM has — unless the
binding creates the field. A name written in another case is bound to the CRM's own spelling, which
every later call, the plan and the recorded state then use
(docs/salesforce.md#sf-api-names-case-insensitive, docs/hubspot.md#hs-property-name-case). Every problem
of the run is reported at once, before anything is written: the read is the first thing `plan`, `apply`
and `drift` do with a target.

The CRM's names are asked for only when a read did not find something (or a field is to be created), so a
plan of bindings that all resolve costs no call more than before.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence

from crmdefs.adapters.base import ObjectNames, Progress
from crmdefs.connect import Connected
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.errors import BindingsError, Problem
from crmdefs.plan import dependency
from crmdefs.plan.read import read_states
from crmdefs.plan.state import DesiredField, FieldState

ALL = ("*",)
FIELD_WORD = {Crm.SALESFORCE: "field", Crm.HUBSPOT: "property"}
OBJECT_WORD = {Crm.SALESFORCE: "object", Crm.HUBSPOT: "object type"}
Finding = tuple[str, str]  # (what is wrong, what to do)


def read_bound(
    connected: Connected, desired: Sequence[DesiredField], progress: Progress
) -> tuple[list[DesiredField], dict[FieldAddress, FieldState]]:
    """The definitions' bindings as the target spells them, and their states. Raises
    :class:`BindingsError` listing every binding that names something the target does not have."""
    states = read_states(connected, desired, progress)
    names = _Names(connected, progress)
    resolved: list[DesiredField] = []
    respelled: list[DesiredField] = []
    problems: list[Problem] = []
    for want in desired:
        have = states[want.address]
        if not _names_something_unread(want, have):
            resolved.append(want)
            continue
        fixed, findings = _resolve(want, have, names)
        problems += [_problem(want, what, hint) for what, hint in findings]
        resolved.append(fixed)
        if _spelling(fixed) != _spelling(want):
            respelled.append(fixed)
    if respelled and not problems:
        again = read_states(connected, respelled, progress)
        problems += [
            _problem(f, f"{f.address} is listed by {CRM_NAMES[f.address.crm]} but could not be read", "")
            for f in respelled
            if not again[f.address].exists and f.create is None
        ]
        states = {**states, **again}
    problems += [p for want in resolved for p in _requirement_problems(want, states[want.address], names)]
    problems += [  # depends_on: controlling field and values (plan/dependency.py), at its own line
        _problem(dataclasses.replace(f, source=f.depends_on.source if f.depends_on else f.source), what, hint)
        for f in resolved
        for what, hint in dependency.problems(f, states[f.address])
    ]
    if problems:
        raise BindingsError(problems, connected.target)
    # Keyed by the CRM's spelling (addresses compare in any case, so every lookup still finds its state).
    return resolved, {f.address: states[f.address] for f in resolved}


class _Names:
    """Each object's names, asked of the target's adapters once per object and command."""

    def __init__(self, connected: Connected, progress: Progress) -> None:
        self._connected = connected
        self._progress = progress
        self._objects: dict[tuple[Crm, str], ObjectNames | None] = {}
        self._types: dict[Crm, list[str]] = {}

    def objects(self, crm: Crm) -> list[str]:
        if crm not in self._types:
            self._types[crm] = self._connected.adapter(crm).object_types(self._progress)
        return self._types[crm]

    def of(self, crm: Crm, obj: str) -> ObjectNames | None:
        """``obj``'s names; an object written in another case is found under the CRM's spelling."""
        key = (crm, obj.casefold())
        if key not in self._objects:
            found = self._connected.adapter(crm).names(obj, self._progress)
            if found is None:
                real = [o for o in self.objects(crm) if o.casefold() == obj.casefold() and o != obj]
                found = self._connected.adapter(crm).names(real[0], self._progress) if real else None
            self._objects[key] = found
        return self._objects[key]


def _names_something_unread(want: DesiredField, have: FieldState) -> bool:
    """The read did not find the field, a record type or a business process the binding names."""
    if not have.exists:
        return True
    named = want.record_types if want.record_types != ALL and want.values is not None else None
    if any(name not in have.record_types for name in named or ()):
        return True
    if any(name not in have.record_types for name in _path_names(want.path_record_types)):
        return True
    processes = have.business_processes
    if want.business_processes and want.business_processes != ALL and processes is not None:
        return any(name not in processes for name in want.business_processes)
    return False


def _resolve(want: DesiredField, have: FieldState, names: _Names) -> tuple[DesiredField, list[Finding]]:
    """``want`` with the CRM's spelling of everything it names, and what it names that the CRM lacks."""
    address = want.address
    crm = address.crm
    found = names.of(crm, address.object)
    if found is None:
        close = _closest(address.object, names.objects(crm))
        return want, [
            (
                f"{address}: {CRM_NAMES[crm]} has no {OBJECT_WORD[crm]} '{address.object}'",
                _did_you_mean(close, f"use the {OBJECT_WORD[crm]}'s API name"),
            )
        ]
    findings: list[Finding] = []
    field = address.field
    if not have.exists:
        match, finding = _match(address.field, found.fields, f"{found.object} has no {FIELD_WORD[crm]}")
        if finding is not None and want.create is None:
            create = "add 'create:' to the binding to create the field"
            hint = f"{finding[1]} (or {create})" if finding[1] else f"fix the address, or {create}"
            findings.append((f"{address}: {finding[0]}", hint))
        field = match or address.field  # created as written
    record_types = _respell(want.record_types, found.record_types, f"{found.object} has no record type")
    processes = _respell(
        want.business_processes, found.business_processes, f"{found.object} has no business process"
    )
    paths = _respell(
        _path_names(want.path_record_types), found.record_types, f"{found.object} has no record type"
    )
    findings += [(f"{address}: {what}", hint) for what, hint in record_types[1] + processes[1] + paths[1]]
    fixed = dataclasses.replace(
        want,
        address=FieldAddress(crm, found.object, field),
        record_types=record_types[0],
        business_processes=processes[0],
        path_record_types=paths[0] or want.path_record_types,
    )
    return fixed, findings


def _path_names(path_record_types: tuple[str, ...]) -> tuple[str, ...]:
    """The record types a binding's Path guidance names; ``*`` (all) and the master Path name none."""
    return tuple(n for n in path_record_types if n not in ("*", "__MASTER__"))


def _respell(
    wanted: tuple[str, ...] | None, real: Sequence[str], missing: str
) -> tuple[tuple[str, ...] | None, list[Finding]]:
    if not wanted or wanted == ALL:
        return wanted, []
    spelled: list[str] = []
    findings: list[Finding] = []
    for name in wanted:
        match, finding = _match(name, real, missing)
        spelled.append(match or name)
        if finding is not None:
            findings.append(finding)
    return tuple(spelled), findings


def _match(name: str, real: Sequence[str], missing: str) -> tuple[str | None, Finding | None]:
    """The CRM's spelling of ``name``: itself, else the one name that differs only in case; else None and
    what to say (``missing`` starts the message)."""
    if name in real:
        return name, None
    same = [r for r in real if r.casefold() == name.casefold()]
    if len(same) == 1:
        return same[0], None
    if same:  # HubSpot might hold names that differ only in case (docs/hubspot.md#hs-property-name-case)
        listed = " and ".join(f"'{s}'" for s in same)
        return None, (f"'{name}' matches {listed}, which differ only in case", "write one of them exactly")
    return None, (f"{missing} '{name}'", _did_you_mean(_closest(name, real), _listing(real)))


def _listing(real: Sequence[str]) -> str:
    """What to say when no name is close: a short list in full (record types, processes), else nothing."""
    if not real:
        return "it has none"
    return f"the ones it has: {', '.join(real)}" if len(real) <= 8 else ""


def _closest(name: str, real: Sequence[str]) -> list[str]:
    """Up to three names of ``real`` closest to ``name``, compared in any case."""
    folded: Mapping[str, str] = {r.casefold(): r for r in real}
    return [folded[c] for c in difflib.get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.6)]


def _did_you_mean(close: Sequence[str], otherwise: str) -> str:
    if not close:
        return otherwise
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def _spelling(want: DesiredField) -> tuple[object, ...]:
    return str(want.address), want.record_types, want.business_processes, want.path_record_types


def _requirement_problems(want: DesiredField, have: FieldState, names: _Names) -> list[Problem]:
    """A requirement's field that the object lacks, with the closest names it has, or that is a checkbox
    (never blank: docs/salesforce.md#sf-formula-picklist-functions). Only Salesforce writes rules."""
    if not want.rules or want.address.crm is not Crm.SALESFORCE or not have.exists:
        return []
    problems: list[Problem] = []
    for rule in (r for r in want.rules if r.formula is None):
        at = dataclasses.replace(want, source=rule.source or want.source)
        for name in rule.require:
            found = have.rule_fields.get(name)
            if found is None:
                known = names.of(want.address.crm, want.address.object)
                close = _closest(name, known.fields if known is not None else ())
                what = f"{want.address}: {want.address.object} has no field '{name}' (rule {rule.name})"
                problems.append(_problem(at, what, _did_you_mean(close, "require a field the object has")))
            elif found[1] == "boolean":
                what = f"{want.address}: '{found[0]}' is a checkbox, always true or false, so never blank"
                problems.append(_problem(at, what, "require a field that can be empty, or drop it"))
    return problems


def _problem(want: DesiredField, message: str, hint: str) -> Problem:
    if want.source is None:
        return Problem(str(want.address), 0, 0, message, hint)
    return Problem(want.source.path, want.source.line, 1, message, hint)
