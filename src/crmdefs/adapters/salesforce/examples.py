"""`crmdefs examples` on Salesforce: the most recently modified records holding some values, with nothing but
their id, name, owner, date and a link (citations: entries of docs/salesforce.md).

- One SOQL per field: ``SELECT Id, <name>, Owner.Name, LastModifiedDate FROM O WHERE F IN (…) ORDER BY
  LastModifiedDate DESC LIMIT n`` (docs/salesforce.md#sf-soql-order-by,
  docs/salesforce.md#sf-soql-parent-fields); a multi-select picklist is filtered with INCLUDES
  (docs/salesforce.md#sf-multiselect-not-groupable).
- The name is the field describe marks ``nameField`` (Lead and Contact: the compound ``Name``; Case:
  ``CaseNumber``), and ``Owner.Name`` is asked only of objects with an ``OwnerId``: one REST describe per
  object, once per run (docs/salesforce.md#sf-record-names).
- Links: ``<instance URL>/lightning/r/<Object>/<Id>/view``, the Lightning Experience record page
  (docs/salesforce.md#sf-record-links).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from crmdefs.adapters.base import ExampleRecord, Progress
from crmdefs.adapters.salesforce import soql
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.adapters.salesforce.names import describe_or_none
from crmdefs.definitions.model import FieldAddress
from crmdefs.errors import CrmApiError
from crmdefs.words import plural

MODIFIED = "LastModifiedDate"


@dataclass(frozen=True)
class RecordShape:
    """What an object offers a list of records: its name field (None: none) and whether it has an owner."""

    name_field: str | None
    owned: bool
    multi_select: frozenset[str] = frozenset()  # its multi-select picklists, casefolded


def record_shape(org: OrgCalls, object_name: str, known: dict[str, RecordShape]) -> RecordShape:
    """From the object's describe (asked once per object and run, kept in ``known``)."""
    if object_name.casefold() not in known:
        describe = describe_or_none(org, object_name)
        if describe is None:
            raise CrmApiError(f"target '{org.target}': the org has no object {object_name}")
        fields: list[Mapping[str, Any]] = describe.get("fields") or []
        name = next((str(f["name"]) for f in fields if f.get("nameField")), None)
        owned = any(str(f.get("name")) == "OwnerId" for f in fields)
        multi = frozenset(str(f["name"]).casefold() for f in fields if f.get("type") == "multipicklist")
        known[object_name.casefold()] = RecordShape(name, owned, multi)
    return known[object_name.casefold()]


def recent_records(
    org: OrgCalls,
    shapes: dict[str, RecordShape],
    address: FieldAddress,
    values: Sequence[str],
    last: int,
    progress: Progress,
) -> list[ExampleRecord]:
    """The ``last`` most recently modified records of ``address`` holding one of ``values``."""
    shape = record_shape(org, address.object, shapes)
    progress(f"reading the last {plural(last, 'record')} of {address}")
    selected = ["Id", *([shape.name_field] if shape.name_field else []), *(["Owner.Name"] * shape.owned)]
    holds = soql.holds(address.field, values, multi_select=address.field.casefold() in shape.multi_select)
    query = (
        f"SELECT {', '.join([*selected, MODIFIED])} FROM {address.object} "
        f"WHERE {holds} ORDER BY {MODIFIED} DESC LIMIT {last}"
    )
    result: Any = org.call("query", partial(org.rest.query, query))
    site = f"https://{org.rest.sf_instance}"
    examples: list[ExampleRecord] = []
    for record in result.get("records") or []:
        record_id = str(record.get("Id"))
        name = str(record.get(shape.name_field) or "") if shape.name_field else ""
        owner = (record.get("Owner") or {}).get("Name") if shape.owned else None
        examples.append(
            ExampleRecord(
                record_id,
                name or f"{address.object} {record_id}",
                str(owner or ""),
                str(record.get(MODIFIED) or ""),
                f"{site}/lightning/r/{address.object}/{record_id}/view",
            )
        )
    return examples
