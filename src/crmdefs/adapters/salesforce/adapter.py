"""Salesforce adapter: reads and writes through the Metadata API (readMetadata / updateMetadata /
createMetadata), in batches of 10 components of one type per call — the API's limit
(docs/salesforce.md#sf-metadata-batch-limit) and so the fewest calls. REST describe is used only to list
record types for ``record_types: all``; it does not carry descriptions
(docs/salesforce.md#sf-describe-no-description).

The work is split by what it touches: calls.py (every call, batched and counted, its errors as
sentences), reads.py (fields → FieldState), writes.py (a plan → saved components, built in components.py),
records.py (SOQL counts and record migration), quality.py (`crmdefs quality`'s aggregate counts).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from crmdefs.adapters.base import (
    NO_WAITS,
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
)
from crmdefs.adapters.salesforce import (
    audit,
    dictionary,
    examples,
    names,
    quality,
    reads,
    records,
    validation,
    writes,
)
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.adapters.salesforce.client import SalesforceClient
from crmdefs.adapters.setup_audit import SetupTrail, SignedInUser
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.dictionary.model import ObjectFields
from crmdefs.plan.changes import FieldPlan, RuleChange
from crmdefs.plan.state import DesiredField, FieldState


class SalesforceAdapter:
    crm = Crm.SALESFORCE

    def __init__(
        self,
        *,
        target: str,
        client: SalesforceClient,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        waits: Waits = NO_WAITS,
    ) -> None:
        self.target = target
        self._org = OrgCalls(target, client, max_retries=max_retries, sleep=sleep, waits=waits)
        self._multi_select: dict[FieldAddress, bool] = {}  # what reads told of each field's type
        self._shapes: dict[str, examples.RecordShape] = {}  # `crmdefs examples`: each object's describe
        self._user: tuple[SignedInUser | None] | None = None  # getUserInfo, asked once per run

    @property
    def calls(self) -> Counter[str]:
        """Calls made so far, by kind (readMetadata, updateMetadata, query, …)."""
        return self._org.counts

    def close(self) -> None:
        self._org.client.close()

    def read(self, fields: Sequence[DesiredField], progress: Progress) -> dict[FieldAddress, FieldState]:
        describe = names.Describes(self._org)  # one describe per object, shared with the rules' field types
        states = reads.read_fields(self._org, fields, progress, describe)
        states = validation.read_rules(self._org, fields, states, describe)
        self._multi_select.update({a: s.multi_select for a, s in states.items() if s.exists})
        return states

    def _is_multi_select(self, address: FieldAddress) -> bool:
        """Counting and migrating records depend on it (docs/salesforce.md#sf-multiselect-not-groupable);
        known from the read that planned, else asked once."""
        if address not in self._multi_select:
            self._multi_select[address] = records.is_multi_select(self._org, address)
        return self._multi_select[address]

    def list_fields(self, object_name: str, progress: Progress) -> list[str]:
        return reads.list_fields(self._org, object_name, progress)

    def names(self, object_name: str, progress: Progress) -> ObjectNames | None:
        return names.object_names(self._org, object_name, progress)

    def object_types(self, progress: Progress) -> list[str]:
        return names.object_types(self._org, progress)

    def read_dictionary(
        self, object_names: Sequence[str], progress: Progress
    ) -> dict[str, ObjectFields | None]:
        return dictionary.read_objects(self._org, object_names, progress)

    def write(
        self, changes: Sequence[FieldPlan], progress: Progress, stop: Stopping = never
    ) -> list[ItemResult]:
        return writes.write_fields(self._org, changes, progress, stop)

    def count_values(
        self, address: FieldAddress, values: Sequence[str], progress: Progress
    ) -> dict[str, int]:
        multi = self._is_multi_select(address)
        return records.count_values(self._org, address, values, progress, multi_select=multi)

    def count_records(self, request: CountRequest, progress: Progress) -> CountResult:
        multi = self._is_multi_select(request.address)
        return quality.count_records(self._org, request, progress, multi_select=multi)

    def find_records(
        self, address: FieldAddress, moves: Mapping[str, str], progress: Progress
    ) -> list[RecordChange]:
        multi = self._is_multi_select(address)
        return records.find_records(self._org, address, moves, progress, multi_select=multi)

    def recent_records(
        self, address: FieldAddress, values: Sequence[str], last: int, progress: Progress
    ) -> list[ExampleRecord]:
        return examples.recent_records(self._org, self._shapes, address, values, last, progress)

    def set_records(self, changes: Sequence[RecordChange], progress: Progress) -> list[RecordFailure]:
        return records.set_records(self._org, changes, progress)

    def signed_in_user(self) -> SignedInUser | None:
        """Who this run is signed in as (getUserInfo, docs/salesforce.md#sf-get-user-info), asked once."""
        if self._user is None:
            self._user = (audit.signed_in_user(self._org),)
        return self._user[0]

    def setup_trail(self, days: int) -> SetupTrail:
        """The setup audit trail of the last ``days`` days, in one query
        (docs/salesforce.md#sf-setup-audit-trail)."""
        return audit.setup_trail(self._org, days)

    def count_violations(self, address: FieldAddress, rule: RuleChange, progress: Progress) -> int:
        """Records that would fail ``rule`` today (docs/salesforce.md#sf-validation-rule): one COUNT()."""
        progress(f"counting the records that fail validation rule {rule.name}")
        return validation.count_violations(self._org, address, rule, self._is_multi_select(address))
