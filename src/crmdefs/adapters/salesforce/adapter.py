"""Salesforce adapter: reads and writes through the Metadata API (readMetadata / updateMetadata /
createMetadata), in batches of 10 components of one type per call — the API's limit (reference
salesforce.md §0) and so the fewest calls. REST describe is used only to list record types for
``record_types: all``; it does not carry descriptions (§2.3).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import requests
import zeep.exceptions
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession, SalesforceResourceNotFound

from crmdefs.adapters.base import CrmApiError, ItemResult, Progress, RecordChange
from crmdefs.adapters.salesforce import metadata as smd
from crmdefs.adapters.salesforce.client import SalesforceClient
from crmdefs.adapters.salesforce.metadata import path_name
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import Action, FieldPlan, PathChange, Skip
from crmdefs.plan.diff import path_record_types
from crmdefs.plan.state import DesiredField, FieldState, ValueState, normalize_text

BATCH = 10  # readMetadata/updateMetadata/createMetadata limit (reference §0)
T = TypeVar("T")


PICKLIST_TYPES = ("picklist", "multipicklist")
# Metadata reads in flight at once. Salesforce limits concurrent requests that run 20 s or longer to 5 in
# Developer Edition and trial orgs and 25 in production; shorter ones are not limited (API Request Limits
# and Allocations: developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/
# salesforce-app-limits-platform-api.html). 5 stays within the smallest limit even if every call were slow.
READ_WORKERS = 5
WRITE_SLICE = 200  # fields read, changed and saved together by apply (20 Metadata API batches)


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class SalesforceAdapter:
    crm = Crm.SALESFORCE

    def __init__(self, *, target: str, client: SalesforceClient) -> None:
        self.target = target
        self._org = client
        self._sf = client.rest
        self._metadata = client.metadata
        self._md = client.metadata.types  # builds components and values
        self._cache: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()
        self._stopped: str | None = None  # why writes stopped (write() resets it)

    def close(self) -> None:
        self._org.close()

    # --- calls ------------------------------------------------------------------------------------

    def _call(self, what: str, call: Callable[[], T]) -> T:
        with self._calls_lock:
            self.calls[what] += 1
        try:
            return call()
        except zeep.exceptions.Fault as fault:
            raise CrmApiError(self._fault_message(fault)) from fault
        except (zeep.exceptions.TransportError, zeep.exceptions.XMLSyntaxError) as exc:
            # Not a SOAP message: an HTML page, an empty or cut-off answer (e.g. from a proxy).
            raise CrmApiError(
                f"target '{self.target}': Salesforce answered with something that is not a SOAP message "
                f"({type(exc).__name__}) — check that instance_url is the org's URL, then run again"
            ) from exc
        except requests.exceptions.JSONDecodeError as exc:  # a REST call answered with HTML, say
            raise CrmApiError(
                f"target '{self.target}': Salesforce answered with something that is not JSON — check that "
                "instance_url is the org's URL, then run again"
            ) from exc
        except requests.exceptions.RetryError as exc:  # transport.py: still 502/503/504 after the retries
            found = re.search(r"too many (\d{3}) error responses", str(exc))
            status = found.group(1) if found else "5xx"
            raise CrmApiError(
                f"target '{self.target}': Salesforce answered {status} (unavailable) every time it was asked "
                "— it may be down for maintenance (status.salesforce.com); run again later"
            ) from exc
        except SalesforceExpiredSession as exc:  # REST 401 INVALID_SESSION_ID (salesforce.md §2.4)
            raise CrmApiError(self._session_message()) from exc
        except requests.exceptions.SSLError as exc:
            raise CrmApiError(
                f"target '{self.target}': the certificate of the Salesforce org is not trusted — if a "
                "corporate proxy inspects TLS, set 'ca_bundle:' for this target in crmdefs.yaml"
            ) from exc
        except (requests.RequestException, SalesforceError) as exc:
            raise CrmApiError(
                f"target '{self.target}': Salesforce could not be reached or refused the call "
                f"({type(exc).__name__}) — check the instance URL and network, then run again"
            ) from exc

    def _session_message(self) -> str:
        return (
            f"target '{self.target}': Salesforce rejected the session (INVALID_SESSION_ID) — the access "
            "token expired or is wrong; get a new one (e.g. `sf org display`) and run again"
        )

    def _fault_message(self, fault: zeep.exceptions.Fault) -> str:
        code = str(fault.code or "")
        if "INVALID_SESSION_ID" in code:
            return self._session_message()
        if "REQUEST_LIMIT_EXCEEDED" in code:
            return (
                f"target '{self.target}': the org's daily API request limit is used up "
                "(REQUEST_LIMIT_EXCEEDED) — run again when it resets"
            )
        if not code:  # zeep's "Unknown fault occured": an HTTP error page (zeep does not keep its status)
            return (
                f"target '{self.target}': Salesforce answered with an error page instead of a SOAP fault "
                "(it may be down for maintenance, or instance_url may not be the org's URL) — run again "
                "later, or check instance_url"
            )
        return f"target '{self.target}': the Metadata API refused the call: {fault.message} ({code})"

    def _read(self, type_name: str, names: Iterable[str], *, keep: bool = True) -> dict[str, Any]:
        """readMetadata in batches of 10, up to READ_WORKERS batches at a time; missing components are left
        out of the result."""
        batches = list(chunks(sorted(set(names))))
        if len(batches) > 1:
            with ThreadPoolExecutor(max_workers=min(READ_WORKERS, len(batches))) as pool:
                parts = list(pool.map(partial(self._read_batch, type_name), batches))
        else:
            parts = [self._read_batch(type_name, batch) for batch in batches]
        found = {name: record for part in parts for name, record in part.items()}
        if keep:  # for a later write's read-modify-write
            self._cache.setdefault(type_name, {}).update(found)
        return found

    def _read_batch(self, type_name: str, batch: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        records = self._call("readMetadata", partial(self._metadata.read, type_name, batch))
        records = records if isinstance(records, list) else [records]  # one record comes back bare (§3.4)
        asked = {name.casefold(): name for name in batch}
        for record in records:
            # A missing component reads back as nil: zeep gives None or an empty object (reference §6).
            # Match by name, not position, and case-insensitively (Salesforce answers in its own case).
            full_name = getattr(record, "fullName", None) if record is not None else None
            if full_name and full_name.casefold() in asked:
                found[asked[full_name.casefold()]] = record
        return found

    def _save(self, operation: str, components: list[Any]) -> list[tuple[str, list[str]]]:
        """createMetadata/updateMetadata in batches of 10; one (fullName, errors) per component —
        partial success is normal (reference §1.3), so every SaveResult is read."""
        outcome: list[tuple[str, list[str]]] = []
        for batch in chunks(components):
            if self._stopped is not None:  # an earlier call failed outright: do not hammer the API
                outcome += [(str(c.fullName), [f"not attempted: {self._stopped}"]) for c in batch]
                continue
            try:
                results = self._call(operation, partial(self._metadata.call, operation, batch))
            except CrmApiError as exc:  # this batch failed; the batches before it were saved
                self._stopped = str(exc)
                outcome += [(str(c.fullName), [str(exc)]) for c in batch]
                continue
            for result in results if isinstance(results, list) else [results]:
                errors = [f"{e.statusCode}: {e.message}" for e in (result.errors or [])]
                outcome.append((str(result.fullName), [] if result.success else errors or ["not saved"]))
        return outcome

    # --- usage counts -----------------------------------------------------------------------------

    def count_values(
        self, address: FieldAddress, values: Sequence[str], progress: Progress
    ) -> dict[str, int]:
        """Records holding each value, from one SOQL aggregate per field (GROUP BY the field)."""
        progress(f"counting records of {address}")
        soql = f"SELECT {address.field}, COUNT(Id) FROM {address.object} GROUP BY {address.field}"
        result: Any = self._call("query", partial(self._sf.query_all, soql))
        by_value = {
            str(r.get(address.field)).casefold(): int(r.get("expr0", 0))
            for r in result["records"]
            if r.get(address.field) is not None
        }
        return {value: by_value.get(value.casefold(), 0) for value in values}

    # --- record migration -------------------------------------------------------------------------

    def find_records(
        self, address: FieldAddress, moves: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        quoted = ", ".join("'" + old.replace("\\", "\\\\").replace("'", "\\'") + "'" for old in moves)
        soql = f"SELECT Id, {address.field} FROM {address.object} WHERE {address.field} IN ({quoted})"
        result: Any = self._call("query", partial(self._sf.query_all, soql))
        by_old = {old.casefold(): new for old, new in moves.items()}
        return [
            RecordChange(
                str(address), str(r["Id"]), r[address.field], by_old[str(r[address.field]).casefold()]
            )
            for r in result["records"]
            if str(r[address.field]).casefold() in by_old
        ]

    def set_records(self, changes: Sequence[RecordChange], progress: Progress) -> list[str]:
        """sObject Collections, 200 records per PATCH (reference §2.2); each record reports on its own."""
        errors: list[str] = []
        for batch in chunks(changes, 200):
            progress(f"updating {len(batch)} Salesforce records")
            body = {
                "allOrNone": False,
                "records": [
                    {
                        "attributes": {"type": parse_address(c.address).object},
                        "id": c.record_id,
                        parse_address(c.address).field: c.new,
                    }
                    for c in batch
                ],
            }
            results: Any = self._call(
                "composite", partial(self._sf.restful, "composite/sobjects", method="PATCH", json=body)
            )
            for change, result in zip(batch, results, strict=False):
                if not result.get("success"):
                    messages = "; ".join(
                        f"{e.get('statusCode')}: {e.get('message')}" for e in result.get("errors", [])
                    )
                    errors.append(f"{change.address} record {change.record_id}: {messages}")
        return errors

    # --- read -------------------------------------------------------------------------------------

    def read(self, fields: Sequence[DesiredField], progress: Progress) -> dict[FieldAddress, FieldState]:
        names = [f.address.dotted for f in fields]
        progress(f"reading {len(names)} Salesforce fields")
        custom_fields = self._read("CustomField", names, keep=False)  # apply reads them again to write
        sources = {name: smd.value_source(name, custom_fields.get(name)) for name in names}
        standard_sets = self._read(
            "StandardValueSet",
            {s.split(":", 1)[1] for s in sources.values() if s.startswith("StandardValueSet:")},
        )
        global_sets = self._read(
            "GlobalValueSet",
            {s.split(":", 1)[1] for s in sources.values() if s.startswith("GlobalValueSet:")},
        )
        record_types = self._read("RecordType", self._record_type_names(fields))
        paths = self._read(
            "PathAssistant",
            {
                path_name(f.address.object, rt)
                for f in fields
                for rt in self._path_record_types(f, record_types)
            },
        )
        states = {}
        for wanted in fields:
            name = wanted.address.dotted
            component = custom_fields.get(name)
            if component is None:
                states[wanted.address] = smd.missing_state(wanted.address, wanted.create)
                continue
            values = self._values(component, sources[name], standard_sets, global_sets)
            state = self._state(wanted.address, component, sources[name], values, record_types)
            guidance = {
                rt: smd.path_steps(paths[path_name(wanted.address.object, rt)])
                for rt in self._path_record_types(wanted, record_types)
                if path_name(wanted.address.object, rt) in paths
            }
            states[wanted.address] = dataclasses.replace(state, path_guidance=guidance)
        return states

    def list_fields(self, object_name: str, progress: Progress) -> list[str]:
        """From REST describe: custom fields, and standard picklists users can set (not calculated)."""
        progress(f"listing the fields of {object_name}")
        try:
            describe: Any = self._call(
                "describe", partial(self._sf.restful, f"sobjects/{object_name}/describe")
            )
        except CrmApiError as exc:
            if isinstance(exc.__cause__, SalesforceResourceNotFound):
                raise CrmApiError(
                    f"target '{self.target}': Salesforce has no object '{object_name}' — use its API name, "
                    "e.g. Opportunity or Invoice__c"
                ) from exc.__cause__
            raise
        return sorted(
            f["name"]
            for f in describe["fields"]
            if not f.get("calculated")
            and (f.get("custom") or (f.get("type") in PICKLIST_TYPES and f.get("updateable")))
        )

    @staticmethod
    def _path_record_types(wanted: DesiredField, record_types: dict[str, Any]) -> list[str]:
        if not wanted.path_record_types:
            return []
        prefix = wanted.address.object + "."
        names = [n[len(prefix) :] for n in record_types if n.startswith(prefix)]
        return path_record_types(wanted, names)

    def _record_type_names(self, fields: Sequence[DesiredField]) -> set[str]:
        names: set[str] = set()
        for wanted in fields:
            if not wanted.record_types and wanted.path_record_types != ("*",):
                continue
            obj = wanted.address.object
            if wanted.record_types == ("*",) or wanted.path_record_types == ("*",):
                describe: Any = self._call("describe", partial(self._sf.restful, f"sobjects/{obj}/describe"))
                names |= {
                    f"{obj}.{rt['developerName']}"
                    for rt in describe["recordTypeInfos"]
                    if not rt.get("master") and rt.get("active")
                }
            if wanted.record_types and wanted.record_types != ("*",):
                names |= {f"{obj}.{rt}" for rt in wanted.record_types}
        return names

    @staticmethod
    def _values(
        component: Any, source: str, standard: dict[str, Any], global_: dict[str, Any]
    ) -> tuple[ValueState, ...] | None:
        if source.startswith("StandardValueSet:"):
            svs = standard.get(source.split(":", 1)[1])
            return smd.value_states(list(svs.standardValue or [])) if svs is not None else None
        if source.startswith("GlobalValueSet:"):
            gvs = global_.get(source.split(":", 1)[1])
            return smd.value_states(list(gvs.customValue or [])) if gvs is not None else None
        local = smd.local_values(component)
        return smd.value_states(local) if local is not None else None

    def _state(
        self,
        address: FieldAddress,
        component: Any,
        source: str,
        values: tuple[ValueState, ...] | None,
        record_types: dict[str, Any],
    ) -> FieldState:
        custom = address.field.endswith("__c")
        read_only = (
            {}
            if custom
            else {
                # Standard field labels are renamed in Setup (Rename Tabs and Labels), not via CustomField.
                "label": f"{address.dotted} is a standard field; rename it in Setup > Rename Tabs and Labels"
            }
        )
        prefix = address.object + "."
        return smd.salesforce_state(
            address,
            exists=True,
            label=normalize_text(component.label),
            help_text=normalize_text(component.inlineHelpText),
            description=normalize_text(component.description),
            values=values,
            value_source=source,
            custom=custom,
            read_only=read_only,
            record_types={
                name[len(prefix) :]: smd.record_type_values(rt, address.field)
                for name, rt in sorted(record_types.items())
                if name.startswith(prefix)
            },
        )

    # --- write ------------------------------------------------------------------------------------

    def write(self, changes: Sequence[FieldPlan], progress: Progress) -> list[ItemResult]:
        """One result per field. A call that fails outright (expired session, API limit, no answer) stops
        the writes: what was saved before it stays reported as saved, the rest as failed or not attempted."""
        self._stopped = None
        errors: dict[FieldAddress, list[str]] = {c.address: [] for c in changes}
        skips: dict[FieldAddress, list[Skip]] = {c.address: [] for c in changes}

        def phase(fields: Sequence[FieldPlan], run: Callable[[], None]) -> None:
            if fields and self._stopped is None:
                try:
                    run()
                except CrmApiError as exc:
                    self._stopped = str(exc)
                    for c in fields:
                        errors[c.address] = errors[c.address] or [str(exc)]
            elif fields:
                for c in fields:
                    errors[c.address] = errors[c.address] or [f"not attempted: {self._stopped}"]

        creates = [c for c in changes if c.action is Action.CREATE]
        if creates:
            progress(f"creating {len(creates)} Salesforce fields")
            phase(creates, lambda: self._create(creates, errors))
        updates = [c for c in changes if c.action is Action.UPDATE]
        if updates:
            progress(f"saving {len(updates)} Salesforce fields")
        # Read-modify-write a slice at a time: a field's component is read just before it is saved and
        # dropped after, so memory does not grow with the org (bench/: 5,000 fields held ~65 MB at once).
        for chunk in chunks(updates, WRITE_SLICE):
            phase(chunk, partial(self._ensure_cached, chunk))
            phase(chunk, partial(self._save_fields, chunk, errors, skips))
            phase(chunk, partial(self._save_value_sets, chunk, errors))
            fields = self._cache.get("CustomField", {})
            for change in chunk:
                fields.pop(change.address.dotted, None)
        typed = [c for c in changes if c.record_types and not errors[c.address]]
        phase(typed, lambda: self._save_record_types(typed, errors))
        paths = [c for c in changes if c.path_changes and not errors[c.address]]
        phase(paths, lambda: self._save_paths(paths, errors))
        return [
            ItemResult(
                c.address, not errors[c.address], "; ".join(errors[c.address]), tuple(skips[c.address])
            )
            for c in changes
        ]

    def _ensure_cached(self, updates: Sequence[FieldPlan]) -> None:
        missing = [
            c.address.dotted for c in updates if c.address.dotted not in self._cache.get("CustomField", {})
        ]
        if missing:
            self._read("CustomField", missing)

    def _create(self, creates: Sequence[FieldPlan], errors: dict[FieldAddress, list[str]]) -> None:
        from crmdefs.adapters.salesforce.write import new_field

        components = [new_field(self._md, c) for c in creates]
        by_name = {c.address.dotted: c for c in creates}
        for name, problems in self._save("createMetadata", components):
            if problems and any(p.startswith("DUPLICATE") for p in problems):
                continue  # created by an earlier, interrupted run: the next plan updates it (converges)
            errors[by_name[name].address] += problems
        self._grant_access([c for c in creates if not errors[c.address]], errors)

    def _grant_access(self, creates: Sequence[FieldPlan], errors: dict[FieldAddress, list[str]]) -> None:
        """A new custom field has no field-level security, so nobody sees it: grant read/edit through the
        permission set the binding names (created if missing). Read-modify-write, like every component."""
        from crmdefs.adapters.salesforce.write import grant_field_access

        by_set: dict[str, list[FieldPlan]] = {}
        for change in creates:
            if change.create is not None and change.create.permission_set:
                by_set.setdefault(change.create.permission_set, []).append(change)
        if not by_set:
            return
        existing = self._read("PermissionSet", by_set)
        new = [
            grant_field_access(self._md, existing.get(name), name, [c.address.dotted for c in changes])
            for name, changes in by_set.items()
            if name not in existing
        ]
        updated = [
            grant_field_access(self._md, existing[name], name, [c.address.dotted for c in changes])
            for name, changes in by_set.items()
            if name in existing
        ]
        outcome = (self._save("createMetadata", new) if new else []) + (
            self._save("updateMetadata", updated) if updated else []
        )
        for name, problems in outcome:
            for change in by_set.get(name, []):
                errors[change.address] += [f"permission set {name}: {p}" for p in problems]

    def _save_fields(
        self,
        updates: Sequence[FieldPlan],
        errors: dict[FieldAddress, list[str]],
        skips: dict[FieldAddress, list[Skip]],
    ) -> None:
        from crmdefs.adapters.salesforce.write import field_component

        components = {}
        for change in updates:
            component = field_component(self._md, self._cache["CustomField"][change.address.dotted], change)
            if component is not None:
                components[change.address.dotted] = (change, component)
        for name, problems in self._save("updateMetadata", [c for _, c in components.values()]):
            change, component = components[name]
            if problems and not change.address.field.endswith("__c") and component.description is not None:
                problems = self._retry_without_description(change, component, problems, skips)
            errors[change.address] += problems

    def _retry_without_description(
        self, change: FieldPlan, component: Any, problems: list[str], skips: dict[FieldAddress, list[Skip]]
    ) -> list[str]:
        """Salesforce may refuse a description on a standard field (reference §1.4, UNVERIFIED): then save
        the rest and report the description as skipped rather than failing the field."""
        component.description = None
        retried = self._save("updateMetadata", [component])[0][1]
        if not retried:
            skips[change.address].append(
                Skip(
                    "description",
                    f"Salesforce refused a description on the standard "
                    f"field {change.address.dotted}: {'; '.join(problems)}",
                )
            )
        return retried

    def _save_value_sets(self, updates: Sequence[FieldPlan], errors: dict[FieldAddress, list[str]]) -> None:
        from crmdefs.adapters.salesforce.write import value_set_components

        for components in value_set_components(self._md, self._cache, updates).values():
            owners = {name: addresses for name, (_, addresses) in components.items()}
            for name, problems in self._save("updateMetadata", [c for c, _ in components.values()]):
                for address in owners[name]:
                    errors[address] += problems

    def _save_paths(self, changes: Sequence[FieldPlan], errors: dict[FieldAddress, list[str]]) -> None:
        """Path guidance: one PathAssistant per record type (reference §1.8), created or updated."""
        from crmdefs.adapters.salesforce.write import path_component

        owners: dict[str, FieldAddress] = {}
        new: list[Any] = []
        existing: list[Any] = []
        cache = self._cache.setdefault("PathAssistant", {})
        for change in changes:
            by_type: dict[str, list[PathChange]] = {}
            for p in change.path_changes:
                by_type.setdefault(p.record_type, []).append(p)
            for record_type, items in by_type.items():
                name = path_name(change.address.object, record_type)
                owners[name] = change.address
                component = path_component(
                    self._md, cache.get(name), name, change.address, record_type, items
                )
                (existing if name in cache else new).append(component)
        outcome = (self._save("createMetadata", new) if new else []) + (
            self._save("updateMetadata", existing) if existing else []
        )
        for name, problems in outcome:
            errors[owners[name]] += [f"path {name}: {p}" for p in problems]

    def _save_record_types(self, changes: Sequence[FieldPlan], errors: dict[FieldAddress, list[str]]) -> None:
        from crmdefs.adapters.salesforce.write import add_record_type_values

        if not changes:
            return
        names = {f"{c.address.object}.{rt.record_type}" for c in changes for rt in c.record_types}
        current = self._read("RecordType", names)  # fresh: values were just added to the field
        owners: dict[str, list[FieldAddress]] = {}
        for change in changes:
            for rt in change.record_types:
                name = f"{change.address.object}.{rt.record_type}"
                add_record_type_values(self._md, current[name], change.address.field, rt.add)
                owners.setdefault(name, []).append(change.address)
        for name, problems in self._save("updateMetadata", [current[n] for n in owners]):
            for address in owners[name]:
                errors[address] += [f"record type {name}: {p}" for p in problems]
