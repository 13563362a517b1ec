"""The protocol every CRM adapter implements, and the per-item result of a write."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.dictionary.model import ObjectFields
from crmdefs.errors import CrmdefsError
from crmdefs.plan.changes import FieldPlan, Skip
from crmdefs.plan.state import DesiredField, FieldState
from crmdefs.words import plural

Progress = Callable[[str], None]  # receives short status lines ("read 10 of 32 fields"); may ignore them
# Asked before each write starts: True once the run was told to stop (Ctrl-C, apply/interrupt.py). A write
# already in flight finishes; the rest come back as not written, ``interrupted``.
Stopping = Callable[[], bool]
NOT_WRITTEN = "not written: apply was stopped (Ctrl-C) before it started"
PARTLY_WRITTEN = "partly written: apply was stopped (Ctrl-C) before the rest of it; `crmdefs plan` shows it"


@contextmanager
def reading_pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """Threads for reads, waited for on the way out — except when Ctrl-C ends the command (KeyboardInterrupt,
    StoppedAtOnce: not an Exception): a read changes nothing, so the reads in flight are not waited for,
    and Ctrl-C on a slow answer stops the command at once (apply/interrupt.py)."""
    pool = ThreadPoolExecutor(max_workers=workers)
    stopping = False
    try:
        yield pool
    except BaseException as exc:
        stopping = not isinstance(exc, Exception)
        raise
    finally:
        pool.shutdown(wait=not stopping, cancel_futures=stopping)


def never() -> bool:
    """The default :data:`Stopping`: nothing stops the run."""
    return False


class Waits(Protocol):
    """Where an adapter says it is waiting: a rate limit, the pause before a retry, an answer that has not
    come yet. ``seconds``: how long the wait will be, None when nobody knows (an answer). The command's
    console shows the waits that last over 2 s (commands/console.py); adapters never print."""

    def waiting(self, reason: str, seconds: float | None = None) -> AbstractContextManager[None]: ...


class NoWaits:
    """:class:`Waits` that shows nothing (benchmarks, tests, commands without a console)."""

    def waiting(self, reason: str, seconds: float | None = None) -> AbstractContextManager[None]:
        return nullcontext()


NO_WAITS: Waits = NoWaits()


@dataclass(frozen=True)
class RecordChange:
    """One record whose picklist value a migration changes: ``old`` → ``new`` (kept in the backup, so a
    revert sets ``old`` again)."""

    address: str
    record_id: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class RecordFailure:
    """Records of one field a CRM did not update, with its message. ``unchanged``: the CRM's answer named
    them as not updated, so a backup need not restore them; False when the outcome is not known (the call
    failed as a whole, or the answer left them out), so they stay in the backup."""

    address: str
    record_ids: tuple[str, ...]
    message: str
    unchanged: bool = False

    def __str__(self) -> str:
        if len(self.record_ids) == 1:
            return f"{self.address} record {self.record_ids[0]}: {self.message}"
        first = self.record_ids[0] if self.record_ids else "?"
        count = plural(len(self.record_ids), "record")
        return f"{self.address}: {count} from {first} not updated: {self.message}"


def records_failed(failures: Sequence[RecordFailure]) -> int:
    return sum(len(f.record_ids) for f in failures)


@dataclass(frozen=True)
class CountRequest:
    """What `crmdefs quality` counts of one picklist field, by aggregate calls only (no record bodies):
    records per value (``values``: the CRM's values worth a count where each costs a call), records with no
    value, and per requirement (``when`` values, ``require`` fields) the matching records missing a
    required field. ``since``: only records modified from then on (None: all)."""

    address: FieldAddress
    values: tuple[str, ...]
    requirements: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    since: datetime | None = None


@dataclass(frozen=True)
class CountResult:
    """``by_value``: records per value as the CRM stores it (multi-select: a record counts for each of its
    values); ``missing``: per requirement, in order; ``calls``: the aggregate calls it took."""

    total: int
    empty: int
    by_value: Mapping[str, int]
    missing: tuple[int, ...]
    calls: int


@dataclass(frozen=True)
class ExampleRecord:
    """One record shown to a review (`crmdefs examples`): nothing but its id, name, owner, date and link —
    never amounts, emails or other fields, so the list can be pasted into a meeting's notes."""

    id: str
    name: str
    owner: str  # the owner's name; the owner's id when the CRM does not tell it; "" for none
    date: str  # last modified, ISO 8601 as the CRM gives it
    url: str  # the record's page in the CRM's web app


@dataclass(frozen=True)
class ObjectNames:
    """An object's names as the CRM spells them: to bind addresses written in another case, and to suggest
    the closest names when a binding names something the CRM does not have."""

    object: str
    fields: tuple[str, ...]
    record_types: tuple[str, ...] = ()  # Salesforce DeveloperNames
    business_processes: tuple[str, ...] = ()  # Salesforce, for objects with a stage or status field


@dataclass(frozen=True)
class ItemResult:
    """What happened to one field of a plan during apply."""

    address: FieldAddress
    ok: bool
    message: str = ""  # the CRM's error, or a note
    skips: tuple[Skip, ...] = ()  # differences the CRM refused at write time (reported, not failures)
    interrupted: bool = False  # not (or not wholly) written because the run was stopped (Ctrl-C)


class Adapter(Protocol):
    crm: Crm

    def read(self, fields: Sequence[DesiredField], progress: Progress) -> dict[FieldAddress, FieldState]:
        """The current state of ``fields`` (plus the record types they name), in as few calls as possible.
        A field the CRM does not have comes back with ``exists=False``."""
        ...

    def write(
        self, changes: Sequence[FieldPlan], progress: Progress, stop: Stopping = never
    ) -> list[ItemResult]:
        """Execute ``changes`` (read-modify-write where the API needs it); one result per field. Once
        ``stop()`` is true no further write starts (those in flight finish)."""
        ...

    def list_fields(self, object_name: str, progress: Progress) -> list[str]:
        """The fields of ``object_name`` worth a definition (``crmdefs import --object``): custom fields
        and picklists, not calculated ones. Sorted by name."""
        ...

    def names(self, object_name: str, progress: Progress) -> ObjectNames | None:
        """The names ``object_name`` holds (written in any case), or None when the CRM has no such
        object. Asked only when a binding names something the read did not find (or creates a field)."""
        ...

    def object_types(self, progress: Progress) -> list[str]:
        """The objects the CRM has, by API name: to suggest one when a binding names an unknown object."""
        ...

    def read_dictionary(
        self, object_names: Sequence[str], progress: Progress
    ) -> dict[str, ObjectFields | None]:
        """Every field of each object named (any case) → `crmdefs dictionary`'s entries, None for an object
        the CRM does not have; in as few calls as possible (reads only)."""
        ...

    def count_values(
        self, address: FieldAddress, values: Sequence[str], progress: Progress
    ) -> dict[str, int]:
        """How many records hold each of ``values`` in field ``address`` (reads only)."""
        ...

    def find_records(
        self, address: FieldAddress, moves: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        """Every record whose ``address`` holds a key of ``moves``, with the value it should get."""
        ...

    def count_records(self, request: CountRequest, progress: Progress) -> CountResult:
        """`crmdefs quality`'s counts of one field, through aggregate calls only (reads only)."""
        ...

    def recent_records(
        self, address: FieldAddress, values: Sequence[str], last: int, progress: Progress
    ) -> list[ExampleRecord]:
        """The ``last`` most recently modified records whose ``address`` holds one of ``values``, newest
        first: one query (reads only)."""
        ...

    def set_records(self, changes: Sequence[RecordChange], progress: Progress) -> list[RecordFailure]:
        """Set each record's value to ``new``, in the API's largest batches; the records that failed, if
        any (each with the CRM's message)."""
        ...

    def close(self) -> None: ...


class ReadOnlyAdapter:
    """Wraps an adapter so that it cannot write: drift is read-only by construction, not by care."""

    def __init__(self, inner: Adapter) -> None:
        self._inner = inner
        self.crm = inner.crm

    def read(self, fields: Sequence[DesiredField], progress: Progress) -> dict[FieldAddress, FieldState]:
        return self._inner.read(fields, progress)

    def write(
        self, changes: Sequence[FieldPlan], progress: Progress, stop: Stopping = never
    ) -> list[ItemResult]:
        raise CrmdefsError("this connection is read-only (drift never writes)")

    def list_fields(self, object_name: str, progress: Progress) -> list[str]:
        return self._inner.list_fields(object_name, progress)

    def names(self, object_name: str, progress: Progress) -> ObjectNames | None:
        return self._inner.names(object_name, progress)

    def object_types(self, progress: Progress) -> list[str]:
        return self._inner.object_types(progress)

    def read_dictionary(
        self, object_names: Sequence[str], progress: Progress
    ) -> dict[str, ObjectFields | None]:
        return self._inner.read_dictionary(object_names, progress)

    def count_values(
        self, address: FieldAddress, values: Sequence[str], progress: Progress
    ) -> dict[str, int]:
        return self._inner.count_values(address, values, progress)

    def find_records(
        self, address: FieldAddress, moves: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        return self._inner.find_records(address, moves, progress)

    def count_records(self, request: CountRequest, progress: Progress) -> CountResult:
        return self._inner.count_records(request, progress)

    def recent_records(
        self, address: FieldAddress, values: Sequence[str], last: int, progress: Progress
    ) -> list[ExampleRecord]:
        return self._inner.recent_records(address, values, last, progress)

    def set_records(self, changes: Sequence[RecordChange], progress: Progress) -> list[RecordFailure]:
        raise CrmdefsError("this connection is read-only (drift never writes)")

    def close(self) -> None:
        self._inner.close()

    def __getattr__(self, name: str) -> object:
        # Other read-only helpers an adapter may offer (e.g. HubSpot's distinct_values) pass through.
        # Salesforce's signed_in_user and setup_trail (adapters/setup_audit.py): who changed it, for drift.
        if name in ("distinct_values", "count_violations", "signed_in_user", "setup_trail"):
            return getattr(self._inner, name)
        raise AttributeError(name)
