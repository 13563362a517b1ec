"""Nothing Salesforce returned may be lost when a component read from it is saved again.

``updateMetadata`` replaces a whole component (docs/salesforce.md#sf-metadata-update-replaces,
docs/salesforce.md#sf-permissionset-replace). zeep, as simple-salesforce builds it, keeps an element its
WSDL does not know only in ``_raw_elements`` and never sends it back
(docs/salesforce.md#sf-zeep-raw-elements): saving such a component would silently delete that content.
So before a save, each component is walked, and one that carries such an element is refused, naming
the element and the component; the other components of the call still save.

The Metadata endpoint is the configured ``api_version``, and the answer has that version's elements
(docs/salesforce.md#sf-metadata-endpoint-version): a version newer than the bundled WSDL is refused at
config load (``SALESFORCE_MAX_API_VERSION``); an element the org has at an older version but the bundled
WSDL lacks is caught here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zeep.xsd.valueobjects import CompoundValue


def unsendable(component: Any) -> list[str]:
    """The elements of ``component`` (a zeep object as read) that zeep would not send back, as paths such
    as ``agentAccesses`` or ``fieldPermissions.newElement``; empty when everything can be saved."""
    return sorted(set(_walk(component, "")))


def _walk(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item, path)
        return
    if not isinstance(value, CompoundValue):
        return
    values: dict[str, Any] = value.__values__
    for raw in values.get("_raw_elements") or ():
        yield f"{path}{_local(getattr(raw, 'tag', raw))}"
    for name, child in values.items():
        if name != "_raw_elements":
            yield from _walk(child, f"{path}{name}.")


def _local(tag: Any) -> str:
    """'{namespace}name' → 'name'."""
    return str(tag).rsplit("}", 1)[-1]


def type_name(component: Any) -> str:
    """The Metadata type of a zeep component (PermissionSet, CustomField, …)."""
    xsd_type = getattr(component, "_xsd_type", None)
    return str(getattr(xsd_type, "name", None) or type(component).__name__)


def refusal(component: Any, elements: list[str]) -> str:
    """Why ``component`` is not saved, and what to do."""
    kind = type_name(component)
    what = f"{kind} {getattr(component, 'fullName', '')}"
    todo = (
        "grant the field access in Setup, or point create.permission_set at a permission set that holds "
        "only field access"
        if kind == "PermissionSet"
        else "make this change in Setup"
    )
    return (
        f"Salesforce returned {', '.join(elements)} in {what}, which this client cannot send back; crmdefs "
        f"refuses to save it so that nothing in it is lost — {todo}"
    )
