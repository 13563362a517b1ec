"""Reading what the CRMs hold for the bound fields: the actual state the diff compares with."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from crmdefs.adapters.base import Progress, reading_pool
from crmdefs.connect import Connected
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.errors import CrmdefsError
from crmdefs.plan.changes import FieldPlan, Plan
from crmdefs.plan.diff import values_to_count
from crmdefs.plan.state import DesiredField, FieldState

Usage = Mapping[FieldAddress, Mapping[str, int]]  # records per value, per field


def read_states(
    connected: Connected, fields: Sequence[DesiredField], progress: Progress
) -> dict[FieldAddress, FieldState]:
    """Both CRMs are read at the same time: their limits are separate, so neither waits for the other."""
    jobs = {crm: [f for f in fields if f.address.crm is crm] for crm in Crm}
    jobs = {crm: wanted for crm, wanted in jobs.items() if wanted}
    adapters = {crm: connected.adapter(crm) for crm in jobs}  # a missing CRM section fails before any call
    states: dict[FieldAddress, FieldState] = {}
    if len(jobs) < 2:
        for crm, wanted in jobs.items():
            states.update(adapters[crm].read(wanted, progress))
        return states
    with reading_pool(len(jobs)) as pool:
        futures = [pool.submit(adapters[crm].read, wanted, progress) for crm, wanted in jobs.items()]
        for future in futures:
            states.update(future.result())  # the first failure is raised, in CRM order
    return states


def plan_with_counts(
    connected: Connected,
    make: Callable[[Usage | None], Plan],
    progress: Progress,
    note: Callable[[str], None],
) -> Plan:
    """``make`` a plan; when it would retire or migrate values, count their records and make it again with
    the counts, so that `plan` and `drift` say how many records hold a value before it goes. Counts are
    information, not a precondition: a field that cannot be counted is planned without them (``note``)."""
    first = make(None)
    wanted = values_to_count(first)
    if not wanted:
        return count_violations(connected, first, progress, note)
    counts: dict[FieldAddress, dict[str, int]] = {}
    for address, values in wanted.items():
        try:
            counts[address] = connected.adapter(address.crm).count_values(address, values, progress)
        except CrmdefsError as exc:
            note(f"note: could not count the records of {address}: {exc}")
    return count_violations(connected, make(counts), progress, note)


def count_violations(
    connected: Connected, plan: Plan, progress: Progress, note: Callable[[str], None]
) -> Plan:
    """``plan`` with, for each validation rule it creates or changes, how many records fail it today: reps
    meet a rule only when they edit such a record, so a high count is worth cleaning first. One aggregate
    count per rule; like the value counts, information rather than a precondition."""
    fields = tuple(_counted(connected, f, progress, note) if f.rules else f for f in plan.fields)
    return dataclasses.replace(plan, fields=fields)


def _counted(
    connected: Connected, f: FieldPlan, progress: Progress, note: Callable[[str], None]
) -> FieldPlan:
    """``f`` with its new and changed rules counted, when its CRM can count them (Salesforce)."""
    counter = getattr(connected.adapter(f.address.crm), "count_violations", None)
    if counter is None:
        return f
    rules = []
    for rule in f.rules:
        if rule.kind != "deactivate" and rule.when and rule.require:
            try:
                rule = dataclasses.replace(rule, violations=counter(f.address, rule, progress))
            except CrmdefsError as exc:
                note(f"note: could not count the records that fail validation rule {rule.name}: {exc}")
        rules.append(rule)
    return dataclasses.replace(f, rules=tuple(rules))
