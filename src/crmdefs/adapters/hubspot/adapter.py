"""HubSpot adapter: the CRM Properties API of the family the target chose, the dated ``2026-03`` or ``v3``
(paths.py), through hubspot-api-client 12's ``call_api`` (citations: entries of docs/hubspot.md).

- read: one ``GET …/properties/{objectType}`` per object type — it returns every property, unpaged
  (docs/hubspot.md#hs-properties-endpoints), so that is the minimum. The raw JSON (the documented shape,
  docs/hubspot.md#hs-property-shape) is parsed rather than the
  SDK's models, so the pure mapping (mapping.py) is tested against recorded responses.
- write: one ``PATCH`` per property (there is no batch update, docs/hubspot.md#hs-no-batch-update) carrying
only what changes, up to ``MAX_IN_FLIGHT`` at once, after checking that the day's allowance covers them
(limits.py); ``options``
  replaces the whole list (docs/hubspot.md#hs-options-replace-whole-list), so the plan's complete target list
  is sent and options are retired with
  ``hidden: true``, never dropped.
- create: the group first if missing (docs/hubspot.md#hs-property-groups), then ``POST``; a 409 (left by an
earlier, interrupted run)
  converges: read the property and PATCH it instead of creating a duplicate.

Pacing, retries and error messages live in ratelimit.py and calls.py; records (search, batch update) in
records.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from crmdefs.adapters.base import (
    NO_WAITS,
    NOT_WRITTEN,
    CountRequest,
    CountResult,
    ExampleRecord,
    ItemResult,
    ObjectNames,
    Progress,
    RecordChange,
    RecordFailure,
    Stopping,
    Waits,
    never,
    reading_pool,
)
from crmdefs.adapters.hubspot import dictionary, examples, pipelines, quality, records, requirements
from crmdefs.adapters.hubspot.calls import PortalCalls, cause_status
from crmdefs.adapters.hubspot.client import MAX_IN_FLIGHT, HubSpotApis
from crmdefs.adapters.hubspot.limits import FLOOR_PER_10S
from crmdefs.adapters.hubspot.mapping import (
    Json,
    converge_body,
    create_body,
    field_state,
    group_label,
    patch_body,
)
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.dictionary.model import ObjectFields
from crmdefs.errors import CrmApiError, StopAll
from crmdefs.plan.changes import Action, FieldPlan, Skip
from crmdefs.plan.state import DesiredField, FieldState

READ_WORKERS = 4  # object types read at once; most glossaries bind four or fewer
# The objects HubSpot documents an objects API for (docs/hubspot.md#hs-object-type-ids): the names suggested
# when a binding names an object type the portal does not have.
STANDARD_OBJECT_TYPES = (
    "calls", "communications", "companies", "contacts", "deals", "emails", "feedback_submissions",
    "invoices", "leads", "line_items", "marketing_events", "meetings", "notes", "orders", "payments",
    "postal_mail", "products", "projects", "quotes", "subscriptions", "tasks", "tickets", "users",
)  # fmt: skip


class HubSpotAdapter:
    crm = Crm.HUBSPOT

    def __init__(
        self,
        *,
        target: str,
        apis: HubSpotApis,
        # The Free/Starter burst limit until the portal's first answer tells its own
        # (docs/hubspot.md#hs-rate-limits-by-tier, limits.py)
        rate_per_10s: int = FLOOR_PER_10S,
        timeout: float | None = None,  # None = calls.DEFAULT_TIMEOUT
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        token_env: str | None = None,  # the variable the token came from, for messages; None: the sandbox
        waits: Waits = NO_WAITS,
    ) -> None:
        self.target = target
        self._apis = apis
        self._portal = PortalCalls(
            target,
            apis,
            rate_per_10s=rate_per_10s,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            clock=clock,
            token_env=token_env,
            waits=waits,
        )
        self._group_names: dict[str, set[str]] = {}
        self._multi_checkbox: dict[FieldAddress, bool] = {}  # what reads told of each property's fieldType
        self._names: dict[str, tuple[str, ...] | None] = {}  # object type → property names; None: none such
        self._creating = threading.Lock()  # creates go one at a time: each may add its property group
        self._links = examples.RecordLinks(self._portal)  # `crmdefs examples`: portal address, owners

    @property
    def retries(self) -> int:
        """Retries made so far (429s, 5xx, dropped connections), for the benchmark."""
        return self._portal.policy.retries

    def close(self) -> None:
        self._apis.close()

    # --- records (records.py) --------------------------------------------------------------------------

    def _is_multi_checkbox(self, address: FieldAddress) -> bool:
        """Counting and migrating records depend on it (docs/hubspot.md#hs-multi-checkbox-values); known
        from the read that planned, else asked once."""
        if address not in self._multi_checkbox:
            self._multi_checkbox[address] = records.is_multi_checkbox(self._portal, address)
        return self._multi_checkbox[address]

    def count_values(
        self, address: FieldAddress, values: Sequence[str], progress: Progress
    ) -> dict[str, int]:
        multi = self._is_multi_checkbox(address)
        return records.count_values(self._portal, address, values, progress, multi_checkbox=multi)

    def count_records(self, request: CountRequest, progress: Progress) -> CountResult:
        multi = self._is_multi_checkbox(request.address)
        return quality.count_records(self._portal, request, progress, multi_checkbox=multi)

    def find_records(
        self, address: FieldAddress, moves: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        multi = self._is_multi_checkbox(address)
        return records.find_records(self._portal, address, moves, progress, multi_checkbox=multi)

    def distinct_values(self, address: FieldAddress, progress: Progress) -> dict[str, int]:
        return records.distinct_values(self._portal, address, progress)

    def find_by_text(
        self, source: FieldAddress, target: FieldAddress, codes: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        return records.find_by_text(self._portal, source, target, codes, progress)

    def recent_records(
        self, address: FieldAddress, values: Sequence[str], last: int, progress: Progress
    ) -> list[ExampleRecord]:
        return examples.recent_records(self._portal, self._links, address, values, last, progress)

    def set_records(self, changes: Sequence[RecordChange], progress: Progress) -> list[RecordFailure]:
        return records.set_records(self._portal, changes, progress)

    # --- read ------------------------------------------------------------------------------------------

    def read(self, fields: Sequence[DesiredField], progress: Progress) -> dict[FieldAddress, FieldState]:
        by_type: dict[str, list[FieldAddress]] = {}
        for f in fields:
            by_type.setdefault(f.address.object, []).append(f.address)

        def read_type(object_type: str, addresses: list[FieldAddress]) -> dict[FieldAddress, FieldState]:
            progress(f"reading {len(addresses)} HubSpot properties of {object_type}")
            props = self._properties(object_type)
            return {a: field_state(a, (props or {}).get(a.field)) for a in addresses}

        # One GET per object type (docs/hubspot.md#hs-properties-endpoints), all at once: the limiter keeps
        # them within the burst limit.
        states: dict[FieldAddress, FieldState] = {}
        with reading_pool(max(1, min(READ_WORKERS, len(by_type)))) as pool:
            for part in pool.map(lambda item: read_type(*item), list(by_type.items())):
                states.update(part)
        self._multi_checkbox.update({a: s.multi_select for a, s in states.items() if s.exists})
        # deal stages: their pipeline's; requirements: where a person sets them
        return requirements.mark(fields, pipelines.with_stages(self._portal, fields, states))

    def _properties(self, object_type: str) -> dict[str, Json] | None:
        """Every property of ``object_type`` by name, or None when the portal has no such object type: the
        list GET has no body, so a 400 can only be about the object type in its path
        (docs/hubspot.md#hs-unknown-object-type). Their names are kept for :meth:`names`."""
        try:
            data = self._get_all(f"reading the properties of {object_type}", object_type)
        except CrmApiError as exc:
            if cause_status(exc) != 400:
                raise
            self._names[object_type] = None
            return None
        props = {p["name"]: p for p in data.get("results", [])}
        self._names[object_type] = tuple(sorted(props))
        return props

    def names(self, object_name: str, progress: Progress) -> ObjectNames | None:
        """From the properties this run has read already, else one GET."""
        if object_name not in self._names:
            progress(f"listing the properties of {object_name}")
            self._properties(object_name)
        known = self._names[object_name]
        return None if known is None else ObjectNames(object_name, known)

    def object_types(self, progress: Progress) -> list[str]:
        return sorted(STANDARD_OBJECT_TYPES)

    def read_dictionary(
        self, object_names: Sequence[str], progress: Progress
    ) -> dict[str, ObjectFields | None]:
        return dictionary.read_objects(self._properties, STANDARD_OBJECT_TYPES, object_names, progress)

    def list_fields(self, object_name: str, progress: Progress) -> list[str]:
        """Custom properties and enumerations, neither calculated nor hidden (one GET,
        docs/hubspot.md#hs-properties-endpoints)."""
        progress(f"listing the properties of {object_name}")
        what = f"reading the properties of {object_name}"
        data = self._get_all(what, object_name)
        return sorted(
            p["name"]
            for p in data.get("results", [])
            if not p.get("calculated")
            and not p.get("hidden")
            and (not p.get("hubspotDefined") or p.get("type") == "enumeration")
        )

    def _get_all(self, what: str, object_type: str) -> Json:
        paths = self._apis.paths
        query = {"archived": "false"}
        return self._portal.request(what, "GET", paths.properties, {"objectType": object_type}, query=query)

    # --- write -----------------------------------------------------------------------------------------

    def write(
        self, changes: Sequence[FieldPlan], progress: Progress, stop: Stopping = never
    ) -> list[ItemResult]:
        """One result per field, in plan order; a failed field does not stop the others, except a refusal
        every call would get (daily limit, rejected token): the rest are then reported as not attempted,
        without calls. Nothing is written when the day's allowance left cannot cover the whole run. Once
        ``stop()`` is true (Ctrl-C), no further property is started; those in flight finish.

        Creates go first, one at a time, then the first update alone (a refusal every call would get costs
        one call, not ``MAX_IN_FLIGHT``), then the other updates ``MAX_IN_FLIGHT`` at once: the limiter
        keeps them all within the burst limit, and each window's share no longer waits for round trips one
        after another (BENCHMARKS.md)."""
        refusal = self._daily_refusal(changes)
        if refusal is not None:
            return [ItemResult(plan.address, False, f"not attempted: {refusal}") for plan in changes]
        stopped: list[str] = []

        def write_one(number: int) -> ItemResult:
            plan = changes[number]
            if stopped:
                return ItemResult(plan.address, False, f"not attempted: {stopped[0]}")
            if stop():
                return ItemResult(plan.address, False, NOT_WRITTEN, interrupted=True)
            progress(f"writing {plan.address} ({number + 1} of {len(changes)})")
            try:
                if plan.action is Action.CREATE:
                    with self._creating:
                        return self._write_one(plan)
                return self._write_one(plan)
            except CrmApiError as exc:
                if isinstance(exc, StopAll):
                    stopped.append(str(exc))
                return ItemResult(plan.address, False, str(exc))

        creates = [n for n, plan in enumerate(changes) if plan.action is Action.CREATE]
        others = [n for n, plan in enumerate(changes) if plan.action is not Action.CREATE]
        results = {n: write_one(n) for n in creates + others[:1]}
        if others[1:]:
            with ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT) as pool:
                results.update(zip(others[1:], pool.map(write_one, others[1:]), strict=True))
        return [results[n] for n in range(len(changes))]

    def _daily_refusal(self, changes: Sequence[FieldPlan]) -> str | None:
        """Why the run must not start, when the day's allowance left cannot cover its calls: the writes
        (``_calls``), a read of the property groups and perhaps a group's create per object type with
        creates, and the reads that verify the writes afterwards: the properties of each object type, and
        its pipelines where stages were written."""
        calls = {n: _calls(plan) for n, plan in enumerate(changes)}
        writing = [changes[n] for n, count in calls.items() if count]
        created_in = {plan.address.object for plan in writing if plan.action is Action.CREATE}
        reads = len({plan.address.object for plan in writing})
        reads += len({plan.address.object for plan in writing if plan.pipeline is not None})
        writes, groups = sum(calls.values()), 2 * len(created_in)
        parts = f"{writes} writes, {reads} reads to verify them" + (
            f", {groups} for property groups" if groups else ""
        )
        doing = f"writing {len(changes)} HubSpot properties"
        return self._portal.daily_shortfall(doing, writes + groups + reads, parts, "nothing was written")

    def _write_one(self, plan: FieldPlan) -> ItemResult:
        if plan.action is Action.CREATE:
            return self._create(plan)
        if plan.action is not Action.UPDATE:
            return ItemResult(plan.address, True, "no changes")
        if plan.pipeline is not None:  # deal stages: stage by stage, never the property's options
            return pipelines.write_stages(self._portal, plan)
        body, skips = patch_body(plan)
        if body:
            self._patch(plan.address, body)
        return ItemResult(plan.address, True, "updated" if body else "nothing HubSpot can change", skips)

    def _patch(self, address: FieldAddress, body: Json) -> None:
        params = {"objectType": address.object, "propertyName": address.field}
        what = f"updating {address.dotted}"
        self._portal.request(what, "PATCH", self._apis.paths.one_property, params, body=body)

    def _create(self, plan: FieldPlan) -> ItemResult:
        address, (body, skips) = plan.address, create_body(plan)
        if not body["groupName"]:
            raise CrmApiError(
                f"target '{self.target}': creating {address.dotted} needs a property group — add 'group:' "
                "to its 'create:'"
            )
        self._ensure_group(
            address.object, body["groupName"], plan.create.group_label if plan.create else None
        )
        try:
            self._portal.request(
                f"creating {address.dotted}",
                "POST",
                self._apis.paths.properties,
                {"objectType": address.object},
                body=body,
            )
        except CrmApiError as exc:
            if cause_status(exc) != 409:
                raise
            return self._converge(address, body, skips)
        return ItemResult(address, True, "created", skips)

    def _converge(self, address: FieldAddress, create: Json, skips: tuple[Skip, ...]) -> ItemResult:
        """409: the property exists (an earlier run stopped after creating it?): make it what we want."""
        try:
            current = self._portal.request(
                f"reading {address.dotted}, which already exists",
                "GET",
                self._apis.paths.one_property,
                {"objectType": address.object, "propertyName": address.field},
            )
        except CrmApiError as exc:
            if cause_status(exc) != 404:
                raise
            raise CrmApiError(
                f"target '{self.target}': HubSpot says {address.dotted} exists (409) but shows no active "
                "property of that name; it is probably archived: restore it in HubSpot or pick another name"
            ) from exc
        if current.get("type") != create["type"]:
            why = f"already exists as a {current.get('type')} property, not {create['type']}"
            message = f"target '{self.target}': {address.dotted} {why} — rename it or fix 'create: type'"
            return ItemResult(address, False, message)
        body = converge_body(create, current)
        if body:
            self._patch(address, body)
        return ItemResult(
            address, True, "already existed; updated to match" if body else "already existed", skips
        )

    def _ensure_group(self, object_type: str, name: str, label: str | None) -> None:
        """Create the property group unless it exists; the groups are listed once per object type."""
        if object_type not in self._group_names:
            what = f"reading the property groups of {object_type}"
            data = self._portal.request(what, "GET", self._apis.paths.groups, {"objectType": object_type})
            self._group_names[object_type] = {g["name"] for g in data.get("results", [])}
        if name in self._group_names[object_type]:
            return
        group = {"name": name, "label": label or group_label(name)}
        try:
            self._portal.request(
                f"creating the property group {object_type}.{name}",
                "POST",
                self._apis.paths.groups,
                {"objectType": object_type},
                body=group,
            )
        except CrmApiError as exc:
            if cause_status(exc) != 409:  # 409: it was created meanwhile, which is fine
                raise
        self._group_names[object_type].add(name)


def _calls(plan: FieldPlan) -> int:
    """The most calls writing ``plan`` takes: a create, a PATCH when the property changes, or for deal
    stages the property's texts, a read of the pipeline and one write per stage (pipelines.py)."""
    if plan.action is Action.CREATE:
        return 1
    if plan.action is not Action.UPDATE:
        return 0
    if plan.pipeline is not None:
        return 2 + len(plan.target_values or ())
    return 1 if patch_body(plan)[0] else 0
