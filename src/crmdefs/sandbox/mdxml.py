"""Metadata API components ⇄ XML, with the element order and types of Salesforce's Metadata WSDL.

zeep parses ``xsd:sequence`` content in order, so answers must list elements in WSDL order. The tables
below are the subset of the WSDL (``simple_salesforce/metadata.wsdl``, API 63.0) that the sandbox serves;
each entry is (element, type, repeated). Types: ``string``, ``boolean``, ``int`` or another table's name.
Components are stored as plain JSON-able dicts: {element: value or [values]}.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

MD_NS = "http://soap.sforce.com/2006/04/metadata"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

Field = tuple[str, str, bool]

_CUSTOM_VALUE: list[Field] = [
    ("fullName", "string", False),
    ("color", "string", False),
    ("default", "boolean", False),
    ("description", "string", False),
    ("isActive", "boolean", False),
    ("label", "string", False),
]
TYPES: dict[str, list[Field]] = {
    # CustomField extends Metadata (fullName first); the other CustomField elements keep WSDL order.
    "CustomField": [
        ("fullName", "string", False),
        ("businessStatus", "string", False),
        ("caseSensitive", "boolean", False),
        ("defaultValue", "string", False),
        ("deprecated", "boolean", False),
        ("description", "string", False),
        ("externalId", "boolean", False),
        ("formula", "string", False),
        ("inlineHelpText", "string", False),
        ("label", "string", False),
        ("length", "int", False),
        ("precision", "int", False),
        ("required", "boolean", False),
        ("scale", "int", False),
        ("securityClassification", "string", False),
        ("trackFeedHistory", "boolean", False),
        ("trackHistory", "boolean", False),
        ("trackTrending", "boolean", False),
        ("type", "string", False),
        ("unique", "boolean", False),
        ("valueSet", "ValueSet", False),
        ("visibleLines", "int", False),
    ],
    "ValueSet": [
        ("controllingField", "string", False),
        ("restricted", "boolean", False),
        ("valueSetDefinition", "ValueSetValuesDefinition", False),
        ("valueSetName", "string", False),
        ("valueSettings", "ValueSettings", True),
    ],
    "ValueSettings": [("controllingFieldValue", "string", True), ("valueName", "string", False)],
    "ValueSetValuesDefinition": [("sorted", "boolean", False), ("value", "CustomValue", True)],
    "CustomValue": _CUSTOM_VALUE,
    "StandardValue": [
        *_CUSTOM_VALUE,
        ("allowEmail", "boolean", False),
        ("closed", "boolean", False),
        ("converted", "boolean", False),
        ("cssExposed", "boolean", False),
        ("forecastCategory", "string", False),
        ("groupingString", "string", False),
        ("highPriority", "boolean", False),
        ("probability", "int", False),
        ("reverseRole", "string", False),
        ("reviewed", "boolean", False),
        ("won", "boolean", False),
    ],
    "StandardValueSet": [
        ("fullName", "string", False),
        ("groupingStringEnum", "string", False),
        ("sorted", "boolean", False),
        ("standardValue", "StandardValue", True),
    ],
    "GlobalValueSet": [
        ("fullName", "string", False),
        ("customValue", "CustomValue", True),
        ("description", "string", False),
        ("masterLabel", "string", False),
        ("sorted", "boolean", False),
    ],
    "RecordType": [
        ("fullName", "string", False),
        ("active", "boolean", False),
        ("businessProcess", "string", False),
        ("compactLayoutAssignment", "string", False),
        ("description", "string", False),
        ("label", "string", False),
        ("picklistValues", "RecordTypePicklistValue", True),
    ],
    "RecordTypePicklistValue": [("picklist", "string", False), ("values", "PicklistValue", True)],
    "BusinessProcess": [
        ("fullName", "string", False),
        ("description", "string", False),
        ("isActive", "boolean", False),
        ("values", "PicklistValue", True),
    ],
    "PicklistValue": [
        ("fullName", "string", False),
        ("color", "string", False),
        ("default", "boolean", False),
        ("description", "string", False),
        ("isActive", "boolean", False),
    ],
    "PathAssistant": [
        ("fullName", "string", False),
        ("active", "boolean", False),
        ("entityName", "string", False),
        ("fieldName", "string", False),
        ("masterLabel", "string", False),
        ("pathAssistantSteps", "PathAssistantStep", True),
        ("recordTypeName", "string", False),
    ],
    # PermissionSet extends Metadata; the elements crmdefs uses, in WSDL order, and agentAccesses: an
    # element of newer orgs (API 63.0+) that simple-salesforce's bundled WSDL lacks, so that tests can hold
    # content the client cannot carry back (docs/salesforce.md#sf-zeep-raw-elements).
    "PermissionSet": [
        ("fullName", "string", False),
        ("agentAccesses", "PermissionSetAgentAccess", True),
        ("description", "string", False),
        ("fieldPermissions", "PermissionSetFieldPermissions", True),
        ("hasActivationRequired", "boolean", False),
        ("label", "string", False),
        ("license", "string", False),
    ],
    "PermissionSetAgentAccess": [("agentName", "string", False), ("enabled", "boolean", False)],
    "PermissionSetFieldPermissions": [
        ("editable", "boolean", False),
        ("field", "string", False),
        ("readable", "boolean", False),
    ],
    "PathAssistantStep": [
        ("fieldNames", "string", True),
        ("info", "string", False),
        ("picklistValueName", "string", False),
    ],
    # ValidationRule extends Metadata (docs/salesforce.md#sf-validation-rule), elements in WSDL order.
    "ValidationRule": [
        ("fullName", "string", False),
        ("active", "boolean", False),
        ("description", "string", False),
        ("errorConditionFormula", "string", False),
        ("errorDisplayField", "string", False),
        ("errorMessage", "string", False),
    ],
    # What listMetadata answers for each component (dates as the API's xsd:dateTime text).
    "FileProperties": [
        ("createdById", "string", False),
        ("createdByName", "string", False),
        ("createdDate", "string", False),
        ("fileName", "string", False),
        ("fullName", "string", False),
        ("id", "string", False),
        ("lastModifiedById", "string", False),
        ("lastModifiedByName", "string", False),
        ("lastModifiedDate", "string", False),
        ("manageableState", "string", False),
        ("namespacePrefix", "string", False),
        ("type", "string", False),
    ],
}
# Where each type's components live in a retrieved package (FileProperties.fileName): folder and suffix.
# Object-scoped types (CustomField, RecordType) name the object's file.
FILE_NAMES = {
    "CustomField": "objects/{object}.object",
    "RecordType": "objects/{object}.object",
    "BusinessProcess": "objects/{object}.object",
    "StandardValueSet": "standardValueSets/{name}.standardValueSet",
    "GlobalValueSet": "globalValueSets/{name}.globalValueSet",
    "PathAssistant": "pathAssistants/{name}.pathAssistant",
    "PermissionSet": "permissionsets/{name}.permissionset",
    "ValidationRule": "objects/{object}.object",
}
COMPONENT_TYPES = (
    "CustomField",
    "StandardValueSet",
    "GlobalValueSet",
    "RecordType",
    "PathAssistant",
    "PermissionSet",
    "BusinessProcess",
    "ValidationRule",
)


class InvalidComponent(ValueError):
    """The client sent XML that does not fit the WSDL type."""


def local(tag: str) -> str:
    """'{namespace}name' → 'name': the sandbox accepts any namespace prefix, as Salesforce does."""
    return tag.rsplit("}", 1)[-1]


def from_xml(element: ET.Element, type_name: str) -> dict[str, Any]:
    """Parse a component of ``type_name``; strings are trimmed, as Salesforce does on save
    (updateMetadata doc: "the API trims any leading and trailing white space")."""
    fields = {name: (kind, many) for name, kind, many in TYPES[type_name]}
    result: dict[str, Any] = {}
    for child in element:
        name = local(child.tag)
        if name not in fields:
            raise InvalidComponent(f"Element {{{MD_NS}}}{name} invalid at this location in type {type_name}")
        kind, many = fields[name]
        value = from_xml(child, kind) if kind in TYPES else _scalar(child.text or "", kind, name)
        if many:
            result.setdefault(name, []).append(value)
        else:
            result[name] = value
    return result


def _scalar(text: str, kind: str, name: str) -> Any:
    text = text.strip()
    if kind == "boolean":
        if text not in ("true", "false", "1", "0"):
            raise InvalidComponent(f"'{text}' is not valid for the type xsd:boolean ({name})")
        return text in ("true", "1")
    if kind == "int":
        try:
            return int(text)
        except ValueError as exc:
            raise InvalidComponent(f"'{text}' is not valid for the type xsd:int ({name})") from exc
    return text


def to_xml(parent: ET.Element, tag: str, component: dict[str, Any], type_name: str) -> ET.Element:
    """Append ``component`` under ``parent`` as ``tag``, elements in WSDL order."""
    element = ET.SubElement(parent, tag)
    for name, kind, many in TYPES[type_name]:
        if name not in component or component[name] is None:
            continue
        for value in component[name] if many else [component[name]]:
            if kind in TYPES:
                to_xml(element, name, value, kind)
            else:
                child = ET.SubElement(element, name)
                child.text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return element
