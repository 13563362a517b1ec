"""Writing a plan to a Salesforce org: create fields (and grant access to them), save changed fields and
the value sets they use, grant missing access, then record types, business processes and paths.
``updateMetadata`` replaces whole components, so each is read just before it is changed (read-modify-write;
the components themselves are built in components.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from crmdefs.adapters.base import NOT_WRITTEN, PARTLY_WRITTEN, ItemResult, Progress, Stopping, never
from crmdefs.adapters.salesforce import metadata as smd
from crmdefs.adapters.salesforce.calls import INTERRUPTED, OrgCalls, chunks
from crmdefs.adapters.salesforce.components import (
    add_process_values,
    add_record_type_values,
    field_component,
    grant_field_access,
    new_field,
    path_component,
    value_set_components,
)
from crmdefs.adapters.salesforce.paths import conflict, find_path, for_other_field, free_path_name, read_paths
from crmdefs.adapters.salesforce.validation import save_rules
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.plan.changes import Action, FieldPlan, PathChange, Skip

WRITE_SLICE = 200  # fields read, changed and saved together by apply (20 Metadata API batches)


def write_fields(
    org: OrgCalls, changes: Sequence[FieldPlan], progress: Progress, stop: Stopping = never
) -> list[ItemResult]:
    """One result per field. A call that fails outright (expired session, API limit, no answer) stops
    the writes: what was saved before it stays reported as saved, the rest as failed or not attempted.
    Once ``stop()`` is true (Ctrl-C) no further save starts: the fields not saved, or not wholly, come
    back ``interrupted``."""
    org.stopped, org.stop = None, stop
    try:
        return _Writes(org, changes).run(changes, progress)
    finally:
        org.stop = never


class _Writes:
    """One write: the errors and skips of each field, collected phase by phase."""

    def __init__(self, org: OrgCalls, changes: Sequence[FieldPlan]) -> None:
        self.org = org
        self.errors: dict[FieldAddress, list[str]] = {c.address: [] for c in changes}
        self.skips: dict[FieldAddress, list[Skip]] = {c.address: [] for c in changes}
        self.saved: set[FieldAddress] = set()  # fields a phase saved something of

    def phase(self, fields: Sequence[FieldPlan], run: Callable[[], None], *, saves: bool = True) -> None:
        """Run one phase for ``fields``, unless an earlier call (or Ctrl-C) stopped the writes."""
        errors = self.errors
        if fields and self.org.stopped is None and self.org.stop():
            self.org.stopped = INTERRUPTED
        if fields and self.org.stopped is None:
            try:
                run()
            except CrmApiError as exc:
                self.org.stopped = str(exc)
                for c in fields:
                    errors[c.address] = errors[c.address] or [str(exc)]
            if saves:
                self.saved.update(c.address for c in fields if not errors[c.address])
        elif fields:
            for c in fields:
                errors[c.address] = errors[c.address] or [f"not attempted: {self.org.stopped}"]

    def run(self, changes: Sequence[FieldPlan], progress: Progress) -> list[ItemResult]:
        errors, phase = self.errors, self.phase
        creates = [c for c in changes if c.action is Action.CREATE]
        if creates:
            progress(f"creating {len(creates)} Salesforce fields")
            phase(creates, lambda: self.create(creates))
        updates = [c for c in changes if c.action is Action.UPDATE]
        if updates:
            progress(f"saving {len(updates)} Salesforce fields")
        # Read-modify-write a slice at a time: a field's component is read just before it is saved and
        # dropped after, so memory does not grow with the org (bench/: 5,000 fields held ~65 MB at once).
        for chunk in chunks(updates, WRITE_SLICE):
            phase(chunk, partial(self.ensure_cached, chunk), saves=False)
            phase(chunk, partial(self.save_fields, chunk))
            phase(self.sharing_values(chunk), partial(self.save_value_sets, chunk))
            fields = self.org.cache.get("CustomField", {})
            for change in chunk:
                fields.pop(change.address.dotted, None)
        typed = [c for c in changes if c.record_types and not errors[c.address]]
        phase(typed, lambda: self.save_record_types(typed))
        processes = [c for c in changes if c.business_processes and not errors[c.address]]
        phase(processes, lambda: self.save_business_processes(processes))
        paths = [c for c in changes if c.path_changes and not errors[c.address]]
        phase(paths, lambda: self.save_paths(paths))
        # After the field's values: a rule's formula names them (docs/salesforce.md#sf-validation-rule)
        rules = [c for c in changes if c.rules and not errors[c.address]]
        phase(rules, lambda: save_rules(self.org, rules, self.errors))
        # Last, so that a grant that fails holds back nothing else (docs/salesforce.md#sf-field-access-state)
        grants = [c for c in updates if c.access is not None]
        phase(grants, lambda: self._grant_access(grants))
        return [self.result(c.address) for c in changes]

    def result(self, address: FieldAddress) -> ItemResult:
        errors, skips = self.errors[address], tuple(self.skips[address])
        # Only not attempted, because of Ctrl-C (a record type's or a path's error names it first)
        if errors and all(e.endswith(f"not attempted: {INTERRUPTED}") for e in errors):
            message = PARTLY_WRITTEN if address in self.saved else NOT_WRITTEN
            return ItemResult(address, False, message, skips, interrupted=True)
        return ItemResult(address, not errors, "; ".join(errors), skips)

    def sharing_values(self, updates: Sequence[FieldPlan]) -> list[FieldPlan]:
        """The fields whose values live in a standard or global value set (a field not read yet may)."""
        read = self.org.cache.get("CustomField", {})
        return [
            c
            for c in updates
            if c.target_values is not None
            and (c.address.dotted not in read or smd.value_source(c.address.dotted, read[c.address.dotted]))
        ]

    def ensure_cached(self, updates: Sequence[FieldPlan]) -> None:
        missing = [
            c.address.dotted for c in updates if c.address.dotted not in self.org.cache.get("CustomField", {})
        ]
        if missing:
            self.org.read("CustomField", missing)

    def create(self, creates: Sequence[FieldPlan]) -> None:
        components = [new_field(self.org.md, c) for c in creates]
        by_name = {c.address.dotted: c for c in creates}
        for name, problems in self.org.save("createMetadata", components):
            if problems and any(p.startswith("DUPLICATE") for p in problems):
                continue  # created by an earlier, interrupted run: the next plan updates it (converges)
            self.errors[by_name[name].address] += problems
        self._grant_access([c for c in creates if not self.errors[c.address]])

    def _grant_access(self, changes: Sequence[FieldPlan]) -> None:
        """A new custom field has no field-level security, so nobody sees it: grant read/edit through the
        permission set the binding names (created if missing) — for a field just created, and for an
        existing one whose plan found the grant missing or partial. Read-modify-write, like every
        component: the permission set keeps everything else it holds
        (docs/salesforce.md#sf-permissionset-replace). A grant that fails fails the field; the next plan
        shows it again."""
        by_set: dict[str, list[FieldPlan]] = {}
        for change in changes:
            if change.access is not None:
                by_set.setdefault(change.access.permission_set, []).append(change)
            elif (
                change.action is Action.CREATE and change.create is not None and change.create.permission_set
            ):
                by_set.setdefault(change.create.permission_set, []).append(change)
        if not by_set:
            return
        existing = self.org.read("PermissionSet", by_set)
        new: list[Any] = []
        updated: list[Any] = []
        for name, grants in by_set.items():
            component = grant_field_access(
                self.org.md, existing.get(name), name, [c.address.dotted for c in grants]
            )
            (updated if name in existing else new).append(component)
        outcome = (self.org.save("createMetadata", new) if new else []) + (
            self.org.save("updateMetadata", updated) if updated else []
        )
        for name, problems in outcome:
            for change in by_set.get(name, []):
                self.errors[change.address] += [f"permission set {name}: {p}" for p in problems]

    def save_fields(self, updates: Sequence[FieldPlan]) -> None:
        components = {}
        for change in updates:
            component = field_component(
                self.org.md, self.org.cache["CustomField"][change.address.dotted], change
            )
            if component is not None:
                components[change.address.dotted] = (change, component)
        for name, problems in self.org.save("updateMetadata", [c for _, c in components.values()]):
            change, component = components[name]
            if problems and not change.address.field.endswith("__c") and component.description is not None:
                problems = self._retry_without_description(change, component, problems)
            self.errors[change.address] += problems

    def _retry_without_description(self, change: FieldPlan, component: Any, problems: list[str]) -> list[str]:
        """Salesforce may refuse a description on a standard field
        (docs/salesforce.md#sf-standard-field-description, UNVERIFIED): then save
        the rest and report the description as skipped rather than failing the field."""
        component.description = None
        retried = self.org.save("updateMetadata", [component])[0][1]
        if not retried:
            self.skips[change.address].append(
                Skip(
                    "description",
                    f"Salesforce refused a description on the standard "
                    f"field {change.address.dotted}: {'; '.join(problems)}",
                )
            )
        return retried

    def save_value_sets(self, updates: Sequence[FieldPlan]) -> None:
        for components in value_set_components(self.org.md, self.org.cache, updates).values():
            owners = {name: addresses for name, (_, addresses) in components.items()}
            for name, problems in self.org.save("updateMetadata", [c for c, _ in components.values()]):
                for address in owners[name]:
                    self.errors[address] += problems

    def save_paths(self, changes: Sequence[FieldPlan]) -> None:
        """Path guidance goes on the Path each record type already has, whatever its name, updated in place:
        only the steps of bound stages change. A Path is created only where the record type has none, and
        one for another field is never touched (docs/salesforce.md#sf-path-one-per-record-type)."""
        paths = self.org.cache.get("PathAssistant")
        if paths is None:  # the read before a write lists and reads the Paths; this is for a write alone
            paths = read_paths(self.org)
        owners: dict[str, FieldAddress] = {}
        new: list[Any] = []
        existing: list[Any] = []
        for change in changes:
            for record_type, items in _by_record_type(change.path_changes).items():
                found = find_path(paths, change.address.object, record_type)
                if found is not None and for_other_field(found[1], change.address):
                    self.errors[change.address].append(conflict(*found, change.address, record_type))
                    continue
                name = found[0] if found else free_path_name(paths, change.address.object, record_type)
                owners[name] = change.address
                component = path_component(
                    self.org.md, found[1] if found else None, name, change.address, record_type, items
                )
                (existing if found else new).append(component)
                if found is None:
                    paths = {**paths, name: component}  # taken: a second record type gets another name
        outcome = (self.org.save("createMetadata", new) if new else []) + (
            self.org.save("updateMetadata", existing) if existing else []
        )
        created = {str(c.fullName) for c in new}
        for name, problems in outcome:
            if name in created and any(p.startswith("DUPLICATE") for p in problems):
                # The name is free in the Paths just read (free_path_name), so a duplicate was created by
                # this run's own earlier attempt (a retried POST whose answer was lost): converges.
                continue
            self.errors[owners[name]] += [f"path {name}: {p}" for p in problems]

    def save_record_types(self, changes: Sequence[FieldPlan]) -> None:
        if not changes:
            return
        names = {f"{c.address.object}.{rt.record_type}" for c in changes for rt in c.record_types}
        current = self.org.read("RecordType", names)  # fresh: values were just added to the field
        owners: dict[str, list[FieldAddress]] = {}
        for change in changes:
            for rt in change.record_types:
                name = f"{change.address.object}.{rt.record_type}"
                add_record_type_values(self.org.md, current[name], change.address.field, rt.add)
                owners.setdefault(name, []).append(change.address)
        for name, problems in self.org.save("updateMetadata", [current[n] for n in owners]):
            for address in owners[name]:
                self.errors[address] += [f"record type {name}: {p}" for p in problems]

    def save_business_processes(self, changes: Sequence[FieldPlan]) -> None:
        """New stages and statuses join the business processes the plan names
        (docs/salesforce.md#sf-business-processes): each process is read fresh, after the values were added
        to the field, and saved whole with every value it had."""
        names = {f"{c.address.object}.{p.process}" for c in changes for p in c.business_processes}
        current = self.org.read("BusinessProcess", names)
        owners: dict[str, list[FieldAddress]] = {}
        for change in changes:
            for p in change.business_processes:
                name = f"{change.address.object}.{p.process}"
                if name not in current:
                    self.errors[change.address].append(f"business process {name} no longer exists")
                    continue
                add_process_values(self.org.md, current[name], p.add)
                owners.setdefault(name, []).append(change.address)
        for name, problems in self.org.save("updateMetadata", [current[n] for n in owners]):
            for address in owners[name]:
                self.errors[address] += [f"business process {name}: {p}" for p in problems]


def _by_record_type(changes: Sequence[PathChange]) -> dict[str, list[PathChange]]:
    by_type: dict[str, list[PathChange]] = {}
    for change in changes:
        by_type.setdefault(change.record_type, []).append(change)
    return by_type
