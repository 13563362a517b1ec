"""Every call crmdefs makes to a Salesforce org goes through :class:`OrgCalls`: counted, sent in batches of
10 components of one type — the Metadata API's limit, and so the fewest calls — and, when it fails,
turned into a sentence that names the target and says what to do."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

import requests
import zeep.exceptions
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession, SalesforceRefusedRequest

from crmdefs.adapters.base import NO_WAITS, Stopping, Waits, never, reading_pool
from crmdefs.adapters.salesforce import roundtrip
from crmdefs.adapters.salesforce.client import SalesforceClient
from crmdefs.errors import CrmApiError

INTERRUPTED = "apply was stopped (Ctrl-C)"  # OrgCalls.stopped once stop() said so
BATCH = 10  # readMetadata/updateMetadata/createMetadata limit (docs/salesforce.md#sf-metadata-batch-limit)
T = TypeVar("T")

# Metadata reads in flight at once. Salesforce limits concurrent requests that run 20 s or longer to 5 in
# Developer Edition and trial orgs and 25 in production; shorter ones are not limited (API Request Limits
# and Allocations: developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/
# salesforce-app-limits-platform-api.html). 5 stays within the smallest limit even if every call were slow.
READ_WORKERS = 5


class _OrgBusy(Exception):
    """REQUEST_LIMIT_EXCEEDED for too many requests at once: it clears by itself. ``limit`` names it."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


def _busy_limit(code: str, message: str) -> str | None:
    """REQUEST_LIMIT_EXCEEDED means two things; only the message tells them apart: "TotalRequests Limit
    exceeded" (the daily allowance: stop) or a concurrency limit such as "ConcurrentPerOrgLongTxn Limit
    exceeded" (requests of 20 s or more running at once) or "ConcurrentRequests …" (wait and ask again)
    (docs/salesforce.md#sf-request-limit-exceeded). The concurrency limit's name, or None."""
    if "REQUEST_LIMIT_EXCEEDED" not in code + message:
        return None
    found = re.search(r"\b(Concurrent\w*)", message)
    return found.group(1) if found else None


def _rest_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) of a REST error body ``[{"errorCode", "message"}]``
    (docs/salesforce.md#sf-rest-error-body)."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))
    return "", str(content or "")


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class OrgCalls:
    """One org's calls: REST (``rest``) and the Metadata API, with the components read so far (``cache``,
    for a later read-modify-write) and why writes stopped, if they did (``stopped``)."""

    def __init__(
        self,
        target: str,
        client: SalesforceClient,
        *,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        waits: Waits = NO_WAITS,  # where long waits are told (a busy org, a slow answer)
    ) -> None:
        self.target = target
        self.max_retries = max_retries  # waits for a busy org (ConcurrentPerOrgLongTxn) before giving up
        self._sleep = sleep
        self._waits = waits
        self.client = client
        self.rest = client.rest
        self.md = client.metadata.types  # builds components and values
        self._metadata = client.metadata
        self.cache: dict[str, dict[str, Any]] = {}
        self.counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self.stopped: str | None = None  # why writes stopped (write() resets it)
        self.stop: Stopping = never  # asked before each save: Ctrl-C stops the writes (write() sets it)

    def call(self, what: str, call: Callable[[], T]) -> T:
        """``call()``, counted; a busy org (too many long-running requests at once) is waited out, up to
        ``max_retries`` times, 1, 2, 4… seconds apart (at most 10)."""
        for attempt in range(self.max_retries + 1):
            with self._counts_lock:
                self.counts[what] += 1
            try:
                return self._once(call)
            except _OrgBusy as busy:
                if attempt == self.max_retries:
                    raise CrmApiError(self._busy_message(busy.limit, attempt + 1)) from busy.__cause__
                pause, number = min(2.0**attempt, 10.0), attempt + 1
                with self._waits.waiting(
                    f"Salesforce busy ({busy.limit}), retry {number} of {self.max_retries}", pause
                ):
                    self._sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _once(self, call: Callable[[], T]) -> T:
        try:
            with self._waits.waiting("waiting for Salesforce's answer"):
                return call()
        except zeep.exceptions.Fault as fault:
            if limit := _busy_limit(str(fault.code or ""), str(fault.message or "")):
                raise _OrgBusy(limit) from fault
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
        # REST 401 INVALID_SESSION_ID (docs/salesforce.md#sf-rest-401-invalid-session)
        except SalesforceExpiredSession as exc:
            raise CrmApiError(self._session_message()) from exc
        except requests.exceptions.SSLError as exc:
            raise CrmApiError(
                f"target '{self.target}': the certificate of the Salesforce org is not trusted — if a "
                "corporate proxy inspects TLS, set 'ca_bundle:' for this target in crmdefs.yaml"
            ) from exc
        except SalesforceRefusedRequest as exc:  # REST 403
            code, message = _rest_error(exc.content)
            if limit := _busy_limit(code, message):
                raise _OrgBusy(limit) from exc
            if code == "REQUEST_LIMIT_EXCEEDED":
                raise CrmApiError(self._daily_limit_message()) from exc
            raise CrmApiError(self._unreachable_message(exc)) from exc
        except (requests.RequestException, SalesforceError) as exc:
            raise CrmApiError(self._unreachable_message(exc)) from exc

    def _unreachable_message(self, exc: Exception) -> str:
        return (
            f"target '{self.target}': Salesforce could not be reached or refused the call "
            f"({type(exc).__name__}) — check the instance URL and network, then run again"
        )

    def _daily_limit_message(self) -> str:
        return (
            f"target '{self.target}': the org's daily API request limit is used up "
            "(REQUEST_LIMIT_EXCEEDED) — run again when it resets"
        )

    def _busy_message(self, limit: str, tries: int) -> str:
        what = "long-running requests" if "LongTxn" in limit else "requests"
        return (
            f"target '{self.target}': Salesforce refused the call: too many {what} are running in the org at "
            f"once (REQUEST_LIMIT_EXCEEDED: {limit}), still after {tries} tries — run again when the org is "
            "less busy"
        )

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
            return self._daily_limit_message()
        if not code:  # zeep's "Unknown fault occured": an HTTP error page (zeep does not keep its status)
            return (
                f"target '{self.target}': Salesforce answered with an error page instead of a SOAP fault "
                "(it may be down for maintenance, or instance_url may not be the org's URL) — run again "
                "later, or check instance_url"
            )
        return f"target '{self.target}': the Metadata API refused the call: {fault.message} ({code})"

    def read(
        self,
        type_name: str,
        names: Iterable[str],
        *,
        keep: bool = True,
        digest: Callable[[str, Any], Any] | None = None,
    ) -> dict[str, Any]:
        """readMetadata in batches of 10, up to READ_WORKERS batches at a time; missing components are left
        out of the result. ``keep=False``: components only looked at, never written back, so they come as
        light read-only objects (soapread.py), several times cheaper to parse than zeep's. ``digest(name,
        component)``: run in the reading thread on each component found, its result kept instead, so that
        the work overlaps the wait for the other batches (only with keep=False)."""
        batches = list(chunks(sorted(set(names))))
        read_batch = partial(self._read_batch, type_name, light=not keep, digest=None if keep else digest)
        if len(batches) > 1:
            with reading_pool(min(READ_WORKERS, len(batches))) as pool:
                parts = list(pool.map(read_batch, batches))
        else:
            parts = [read_batch(batch) for batch in batches]
        found = {name: record for part in parts for name, record in part.items()}
        if keep:  # for a later write's read-modify-write
            self.cache.setdefault(type_name, {}).update(found)
        return found

    def _read_batch(
        self,
        type_name: str,
        batch: list[str],
        *,
        light: bool = False,
        digest: Callable[[str, Any], Any] | None = None,
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}
        records = self.call("readMetadata", partial(self._metadata.read, type_name, batch, light=light))
        # one record comes back bare (docs/salesforce.md#sf-ss-read-single-object)
        records = records if isinstance(records, list) else [records]
        asked = {name.casefold(): name for name in batch}
        for record in records:
            # A missing component reads back as nil: zeep gives None or an empty object
            # (docs/salesforce.md#sf-ss-missing-component-empty).
            # Match by name, not position, and case-insensitively (Salesforce answers in its own case).
            full_name = getattr(record, "fullName", None) if record is not None else None
            if full_name and full_name.casefold() in asked:
                name = asked[full_name.casefold()]
                found[name] = record if digest is None else digest(name, record)
        return found

    def list_names(self, type_name: str) -> list[str]:
        """listMetadata of one type, one call: the fullNames of its components, which are then read
        (docs/salesforce.md#sf-list-metadata)."""
        found = self.call("listMetadata", partial(self._metadata.list_metadata, type_name))
        return sorted({str(p.fullName) for p in found if getattr(p, "fullName", None)})

    def save(self, operation: str, components: list[Any]) -> list[tuple[str, list[str]]]:
        """createMetadata/updateMetadata in batches of 10; one (fullName, errors) per component —
        partial success is normal (docs/salesforce.md#sf-metadata-partial-success), so every SaveResult is
        read. A component holding content zeep cannot send back is refused, not saved (roundtrip.py)."""
        outcome: list[tuple[str, list[str]]] = []
        sendable = []
        # Never save a component shortened (docs/salesforce.md#sf-zeep-raw-elements).
        for component in components:
            if lost := roundtrip.unsendable(component):
                outcome.append((str(component.fullName), [roundtrip.refusal(component, lost)]))
            else:
                sendable.append(component)
        for batch in chunks(sendable):
            if self.stopped is None and self.stop():
                self.stopped = INTERRUPTED
            if self.stopped is not None:  # an earlier call failed outright: do not hammer the API
                outcome += [(str(c.fullName), [f"not attempted: {self.stopped}"]) for c in batch]
                continue
            try:
                results = self.call(operation, partial(self._metadata.call, operation, batch))
            except CrmApiError as exc:  # this batch failed; the batches before it were saved
                self.stopped = str(exc)
                outcome += [(str(c.fullName), [str(exc)]) for c in batch]
                continue
            for result in results if isinstance(results, list) else [results]:
                errors = [f"{e.statusCode}: {e.message}" for e in (result.errors or [])]
                outcome.append((str(result.fullName), [] if result.success else errors or ["not saved"]))
        return outcome
