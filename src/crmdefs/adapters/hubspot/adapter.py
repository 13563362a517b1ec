"""HubSpot adapter: CRM Properties v3 through hubspot-api-client 12 ("ref §x" = reference hubspot.md).

- read: one ``GET /crm/v3/properties/{objectType}`` per object type — it returns every property, unpaged
  (§1.1), so that is the minimum. The raw JSON (the documented shape, §1.3) is parsed rather than the
  SDK's models, so the pure mapping below is tested against recorded responses.
- write: one ``PATCH`` per property (there is no batch update, §1.1) carrying only what changes; ``options``
  replaces the whole list (§1.4), so the plan's complete target list is sent and options are retired with
  ``hidden: true``, never dropped.
- create: the group first if missing (§1.8), then ``POST``; a 409 (left by an earlier, interrupted run)
  converges: read the property and PATCH it instead of creating a duplicate.

Pacing, retries and error messages live in ratelimit.py; the pure helpers (JSON ⇄ our types) come first.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate, PropertyUpdate
from urllib3.exceptions import HTTPError

from crmdefs.adapters.base import CrmApiError, ItemResult, Progress, RecordChange
from crmdefs.adapters.hubspot.client import HubSpotApis
from crmdefs.adapters.hubspot.mapping import (
    Json,
    converge_body,
    create_body,
    field_state,
    group_label,
    patch_body,
)
from crmdefs.adapters.hubspot.ratelimit import (
    DailyLimitError,
    RetriesExhausted,
    RetryPolicy,
    SlidingWindowLimiter,
    error_message,
    http_status,
)
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import Action, FieldPlan, Skip
from crmdefs.plan.state import DesiredField, FieldState

T = TypeVar("T")


class _StopAll(CrmApiError):
    """A refusal every further call would get too (daily limit, rejected token): stop calling."""


# --- the adapter -------------------------------------------------------------------------------------------


READ_WORKERS = 4  # object types read at once; most glossaries bind four or fewer
DEFAULT_TIMEOUT = 30.0  # read timeout of every call, unless CRMDEFS_HTTP_TIMEOUT says otherwise


class HubSpotAdapter:
    crm = Crm.HUBSPOT

    def __init__(
        self,
        *,
        target: str,
        apis: HubSpotApis,
        rate_per_10s: int = 100,  # Free/Starter burst limit; 190 on Professional/Enterprise (ref §2.1)
        timeout: float | None = None,  # None = DEFAULT_TIMEOUT
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        read = DEFAULT_TIMEOUT if timeout is None else timeout
        self._timeout = (min(10.0, read), read)  # (connect, read) on every call: the SDK sets none
        limiter = SlidingWindowLimiter(rate_per_10s, clock=clock, sleep=sleep)
        self._policy = RetryPolicy(limiter, max_retries=max_retries, sleep=sleep)
        self._apis = apis
        self._core = apis.properties
        self._groups = apis.groups
        self._search = apis.search
        self._objects_batch = apis.objects_batch
        # The CRM search API has its own, lower limit (ref §2.1: 4 requests per second; the current value
        # is UNVERIFIED), so searches pass a second limiter as well.
        self._search_limiter = SlidingWindowLimiter(4, window=1.1, clock=clock, sleep=sleep)  # 10% margin
        self._group_names: dict[str, set[str]] = {}

    @property
    def retries(self) -> int:
        """Retries made so far (429s, 5xx, dropped connections), for the benchmark."""
        return self._policy.retries

    def close(self) -> None:
        self._apis.close()

    def _call(self, what: str, request: Callable[[], T]) -> T:
        """One API call, paced and retried; a failure becomes a CrmApiError caused by the SDK's error."""
        try:
            return self._policy.call(request)
        except DailyLimitError as exc:
            raise _StopAll(f"target '{self.target}': {exc}") from exc
        except (RetriesExhausted, HTTPError, OSError) as exc:
            raise CrmApiError(error_message(self.target, what, exc)) from exc
        except Exception as exc:  # the SDK's ApiException, one class per API package (§3.4): by .status
            if http_status(exc) is None:
                raise  # not an answer from the API: a bug, let it show
            error = _StopAll if http_status(exc) == 401 else CrmApiError
            raise error(error_message(self.target, what, exc)) from exc

    def _json(self, what: str, request: Callable[..., Any], **kwargs: Any) -> Any:
        """A GET whose body we parse ourselves: _preload_content=False returns the urllib3 response."""
        options = {"_preload_content": False, "_request_timeout": self._timeout}
        answer = self._call(what, lambda: request(**kwargs, **options))
        try:
            data = json.loads(answer.data)
        except ValueError:  # not JSON, cut off, empty, or not UTF-8 (an HTML page from a proxy, say)
            data = None
        if not isinstance(data, dict):
            kind = answer.headers.get("Content-Type") or "no content type"
            raise CrmApiError(
                f"target '{self.target}': {what}: HubSpot's answer (HTTP {answer.status}, {kind}) is not a "
                "JSON object — check that base_url is the HubSpot API, then run again"
            )
        return data

    # --- usage counts -----------------------------------------------------------------------------

    def count_values(
        self, address: FieldAddress, values: Sequence[str], progress: Progress
    ) -> dict[str, int]:
        """Records holding each value: one search per value (filter EQ, limit 1), reading ``total``."""
        from hubspot.crm.objects import PublicObjectSearchRequest

        progress(f"counting records of {address} for {len(values)} values")
        counts: dict[str, int] = {}
        for value in values:
            request = PublicObjectSearchRequest(
                filter_groups=[
                    {"filters": [{"propertyName": address.field, "operator": "EQ", "value": value}]}
                ],
                properties=[address.field],
                limit=1,
            )
            found = self._call("search", partial(self._paced_search, address.object, request))
            counts[value] = int(found.total or 0)
        return counts

    def find_records(
        self, address: FieldAddress, moves: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        """Search each old value (EQ), 100 per page, following ``paging.next.after``."""
        from hubspot.crm.objects import PublicObjectSearchRequest

        found: list[RecordChange] = []
        for old, new in moves.items():
            after: str | None = None
            while True:
                request = PublicObjectSearchRequest(
                    filter_groups=[
                        {"filters": [{"propertyName": address.field, "operator": "EQ", "value": old}]}
                    ],
                    properties=[address.field],
                    limit=100,
                    after=after,
                )
                page = self._call("search", partial(self._paced_search, address.object, request))
                found += [
                    RecordChange(str(address), str(r.id), (r.properties or {}).get(address.field), new)
                    for r in page.results or []
                ]
                after = page.paging.next.after if page.paging and page.paging.next else None
                if not after:
                    break
        return found

    def distinct_values(self, address: FieldAddress, progress: Progress) -> dict[str, int]:
        """Every non-empty value of ``address`` with its number of records (search HAS_PROPERTY, paged)."""
        counts: dict[str, int] = {}
        for record in self._search_all(
            address.object, address.field, {"operator": "HAS_PROPERTY"}, [address.field]
        ):
            value = (record.properties or {}).get(address.field)
            if value not in (None, ""):
                counts[value] = counts.get(value, 0) + 1
        progress(f"read {sum(counts.values())} records of {address}")
        return counts

    def find_by_text(
        self, source: FieldAddress, target: FieldAddress, codes: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        """Records whose ``source`` text is a key of ``codes`` and whose ``target`` is still empty: a code a
        person already set is never overwritten."""
        found: list[RecordChange] = []
        for text, code in codes.items():
            records = self._search_all(
                source.object, source.field, {"operator": "EQ", "value": text}, [source.field, target.field]
            )
            found += [
                RecordChange(str(target), str(r.id), None, code)
                for r in records
                if (r.properties or {}).get(target.field) in (None, "")
            ]
        return found

    def _search_all(
        self, object_type: str, field: str, condition: Mapping[str, str], properties: list[str]
    ) -> list[Any]:
        from hubspot.crm.objects import PublicObjectSearchRequest

        results: list[Any] = []
        after: str | None = None
        while True:
            request = PublicObjectSearchRequest(
                filter_groups=[{"filters": [{"propertyName": field, **condition}]}],
                properties=properties,
                limit=100,
                after=after,
            )
            page = self._call("search", partial(self._paced_search, object_type, request))
            results += page.results or []
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                return results

    def set_records(self, changes: Sequence[RecordChange], progress: Progress) -> list[str]:
        """Batch update, 100 records per call (HubSpot's batch limit)."""
        errors: list[str] = []
        by_field: dict[str, list[RecordChange]] = {}
        for change in changes:  # one batch carries one property of one object type
            by_field.setdefault(change.address, []).append(change)
        for address, mine in by_field.items():
            target = parse_address(address)
            for start in range(0, len(mine), 100):
                batch = mine[start : start + 100]
                body = {
                    "inputs": [{"id": c.record_id, "properties": {target.field: c.new or ""}} for c in batch]
                }
                progress(f"updating {len(batch)} HubSpot records")
                try:
                    self._call(
                        "batch update",
                        partial(
                            self._objects_batch.update,
                            object_type=target.object,
                            batch_input_simple_public_object_batch_input=body,
                            _request_timeout=self._timeout,
                        ),
                    )
                except CrmApiError as exc:
                    errors.append(
                        f"{address}: {len(batch)} records from {batch[0].record_id} not updated: {exc}"
                    )
        return errors

    def _paced_search(self, object_type: str, request: Any) -> Any:
        self._search_limiter.acquire()
        return self._search.do_search(
            object_type=object_type, public_object_search_request=request, _request_timeout=self._timeout
        )

    # --- read ------------------------------------------------------------------------------------------

    def read(self, fields: Sequence[DesiredField], progress: Progress) -> dict[FieldAddress, FieldState]:
        by_type: dict[str, list[FieldAddress]] = {}
        for f in fields:
            by_type.setdefault(f.address.object, []).append(f.address)

        def read_type(object_type: str, addresses: list[FieldAddress]) -> dict[FieldAddress, FieldState]:
            progress(f"reading {len(addresses)} HubSpot properties of {object_type}")
            what = f"reading the properties of {object_type}"
            data = self._json(what, self._core.get_all, object_type=object_type, archived=False)
            props = {p["name"]: p for p in data.get("results", [])}
            return {a: field_state(a, props.get(a.field)) for a in addresses}

        # One GET per object type (ref §1.1), all at once: the limiter keeps them within the burst limit.
        states: dict[FieldAddress, FieldState] = {}
        with ThreadPoolExecutor(max_workers=max(1, min(READ_WORKERS, len(by_type)))) as pool:
            for part in pool.map(lambda item: read_type(*item), list(by_type.items())):
                states.update(part)
        return states

    def list_fields(self, object_name: str, progress: Progress) -> list[str]:
        """Custom properties and enumerations, neither calculated nor hidden (one GET, hubspot.md §1.1)."""
        progress(f"listing the properties of {object_name}")
        what = f"reading the properties of {object_name}"
        data = self._json(what, self._core.get_all, object_type=object_name, archived=False)
        return sorted(
            p["name"]
            for p in data.get("results", [])
            if not p.get("calculated")
            and not p.get("hidden")
            and (not p.get("hubspotDefined") or p.get("type") == "enumeration")
        )

    # --- write -----------------------------------------------------------------------------------------

    def write(self, changes: Sequence[FieldPlan], progress: Progress) -> list[ItemResult]:
        """One result per field; a failed field does not stop the others, except a refusal every call would
        get (daily limit, rejected token): the rest are then reported as not attempted, without calls."""
        results: list[ItemResult] = []
        stopped: str | None = None
        for number, plan in enumerate(changes, 1):
            if stopped is not None:
                results.append(ItemResult(plan.address, False, f"not attempted: {stopped}"))
                continue
            progress(f"writing {plan.address} ({number} of {len(changes)})")
            try:
                results.append(self._write_one(plan))
            except CrmApiError as exc:
                results.append(ItemResult(plan.address, False, str(exc)))
                stopped = str(exc) if isinstance(exc, _StopAll) else None
        return results

    def _write_one(self, plan: FieldPlan) -> ItemResult:
        if plan.action is Action.CREATE:
            return self._create(plan)
        if plan.action is not Action.UPDATE:
            return ItemResult(plan.address, True, "no changes")
        body, skips = patch_body(plan)
        if body:
            self._patch(plan.address, body)
        return ItemResult(plan.address, True, "updated" if body else "nothing HubSpot can change", skips)

    def _patch(self, address: FieldAddress, body: Json) -> None:
        update = _model(PropertyUpdate, body)
        self._call(
            f"updating {address.dotted}",
            lambda: self._core.update(address.object, address.field, update, _request_timeout=self._timeout),
        )

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
        create = _model(PropertyCreate, body)
        try:
            self._call(
                f"creating {address.dotted}",
                lambda: self._core.create(address.object, create, _request_timeout=self._timeout),
            )
        except CrmApiError as exc:
            if _cause_status(exc) != 409:
                raise
            return self._converge(address, body, skips)
        return ItemResult(address, True, "created", skips)

    def _converge(self, address: FieldAddress, create: Json, skips: tuple[Skip, ...]) -> ItemResult:
        """409: the property exists (an earlier run stopped after creating it?): make it what we want."""
        try:
            current = self._json(
                f"reading {address.dotted}, which already exists",
                self._core.get_by_name,
                object_type=address.object,
                property_name=address.field,
            )
        except CrmApiError as exc:
            if _cause_status(exc) != 404:
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
            data = self._json(what, self._groups.get_all, object_type=object_type)
            self._group_names[object_type] = {g["name"] for g in data.get("results", [])}
        if name in self._group_names[object_type]:
            return
        group = PropertyGroupCreate(name=name, label=label or group_label(name))
        try:
            self._call(
                f"creating the property group {object_type}.{name}",
                lambda: self._groups.create(object_type, group, _request_timeout=self._timeout),
            )
        except CrmApiError as exc:
            if _cause_status(exc) != 409:  # 409: it was created meanwhile, which is fine
                raise
        self._group_names[object_type].add(name)


def _model(model: Any, body: Mapping[str, Any]) -> Any:
    """A JSON body as an SDK model: PropertyCreate, PropertyUpdate, OptionInput take snake_case (§3.2)."""
    kwargs = {re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower(): value for key, value in body.items()}
    if "options" in kwargs:
        kwargs["options"] = [_model(OptionInput, option) for option in kwargs["options"]]
    return model(**kwargs)


def _cause_status(error: CrmApiError) -> int | None:
    """The HTTP status behind a CrmApiError raised by ``_call``."""
    return http_status(error.__cause__) if error.__cause__ is not None else None
