"""The names a Salesforce object holds, as the org spells them: its fields and record types from REST
describe, its business processes from listMetadata, and the org's objects from describeGlobal. Asked only
when a binding names something a read did not find, or creates a field: API names are matched in any case
(docs/salesforce.md#sf-api-names-case-insensitive), and a name that matches nothing gets the closest ones
as suggestions."""

from __future__ import annotations

from functools import partial
from typing import Any

from simple_salesforce.exceptions import SalesforceResourceNotFound

from crmdefs.adapters.base import ObjectNames, Progress
from crmdefs.adapters.salesforce.calls import OrgCalls
from crmdefs.definitions.crmfacts import PROCESS_FIELDS
from crmdefs.errors import CrmApiError


def describe_or_none(org: OrgCalls, object_name: str) -> Any | None:
    """REST describe of ``object_name`` (any case), or None when the org has no such object."""
    try:
        return org.call("describe", partial(org.rest.restful, f"sobjects/{object_name}/describe"))
    except CrmApiError as exc:
        if isinstance(exc.__cause__, SalesforceResourceNotFound):
            return None
        raise


class Describes:
    """REST describe per object, asked at most once per read: the record types to read and the controlling
    fields of ``depends_on`` bindings both come from it."""

    def __init__(self, org: OrgCalls) -> None:
        self.org = org
        self._seen: dict[str, Any] = {}

    def __call__(self, object_name: str) -> Any | None:
        key = object_name.casefold()
        if key not in self._seen:
            self._seen[key] = describe_or_none(self.org, object_name)
        return self._seen[key]


def object_names(org: OrgCalls, object_name: str, progress: Progress) -> ObjectNames | None:
    progress(f"listing the fields of {object_name}")
    describe = describe_or_none(org, object_name)
    if describe is None:
        return None
    obj = str(describe["name"])  # the org's spelling
    processes: tuple[str, ...] = ()
    if any(dotted.split(".", 1)[0] == obj for dotted in PROCESS_FIELDS):
        prefix = obj.casefold() + "."
        processes = tuple(
            name.split(".", 1)[1]
            for name in org.list_names("BusinessProcess")
            if name.casefold().startswith(prefix)
        )
    return ObjectNames(
        obj,
        tuple(sorted(str(f["name"]) for f in describe["fields"])),
        tuple(sorted(str(rt["developerName"]) for rt in describe["recordTypeInfos"] if not rt.get("master"))),
        processes,
    )


def object_types(org: OrgCalls, progress: Progress) -> list[str]:
    """describeGlobal: every object of the org by API name."""
    progress("listing the org's objects")
    answer: Any = org.call("describe", partial(org.rest.restful, "sobjects/"))
    return sorted(str(o["name"]) for o in answer["sobjects"])
