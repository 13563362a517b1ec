"""Metadata API SOAP calls of the Salesforce sandbox: readMetadata, updateMetadata, createMetadata,
listMetadata.

Envelopes answer in the shape zeep parses (docs/salesforce.md#sf-ss-soap-envelopes); requests may use any
namespace prefix. Status codes and messages marked UNVERIFIED follow Salesforce's style but were not seen
verbatim.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from crmdefs.sandbox import mdxml, sfaudit, sfrules
from crmdefs.sandbox.http import Response
from crmdefs.sandbox.sfrules import SaveError
from crmdefs.sandbox.sfstore import SalesforceOrg

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BATCH_LIMIT = 10


def _envelope(body: ET.Element, status: int = 200) -> Response:
    inner = ET.tostring(body, encoding="unicode")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:xsi="{mdxml.XSI_NS}" '
        f'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>'
    )
    return Response(status, text.encode("utf-8"), {"Content-Type": "text/xml; charset=utf-8"}, body.tag)


def fault(code: str, message: str) -> Response:
    """A whole-call SOAP fault, HTTP 500, shaped like fixture soap_fault_INVALID_SESSION_ID.xml."""
    element = ET.Element("soapenv:Fault")
    ET.SubElement(element, "faultcode").text = code
    ET.SubElement(element, "faultstring").text = message
    detail = ET.SubElement(
        ET.SubElement(element, "detail"), "sf:UnexpectedErrorFault", {"xsi:type": "sf:UnexpectedErrorFault"}
    )
    exception_code, _, exception_message = message.partition(": ")
    ET.SubElement(detail, "sf:exceptionCode").text = exception_code
    ET.SubElement(detail, "sf:exceptionMessage").text = exception_message or message
    response = _envelope(element, 500)
    response.action = "fault"
    return response


def invalid_session() -> Response:
    """The fault for a wrong or expired session id (fixture soap_fault_INVALID_SESSION_ID.xml)."""
    return fault(
        "sf:INVALID_SESSION_ID",
        "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session",
    )


def handle(org: SalesforceOrg, body: bytes) -> Response:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return fault("soapenv:Client", f"Unable to parse the request: {exc}")
    session = next((e.text for e in root.iter() if mdxml.local(e.tag) == "sessionId"), None)
    user = org.user_for((session or "").strip())
    if user is None:
        return invalid_session()
    org.session_user = user  # whose the saves are: the setup audit trail names them (sfaudit.py)
    soap_body = next((e for e in root if mdxml.local(e.tag) == "Body"), None)
    call = soap_body[0] if soap_body is not None and len(soap_body) else None
    operation = mdxml.local(call.tag) if call is not None else ""
    org.count_call()
    if call is not None and operation == "readMetadata":
        response = _read(org, call)
    elif call is not None and operation in ("updateMetadata", "createMetadata"):
        response = _save(org, call, create=operation == "createMetadata")
    elif call is not None and operation == "listMetadata":
        response = _list(org, call)
    else:
        response = fault(
            "sf:INVALID_OPERATION", f"INVALID_OPERATION: {operation or 'no operation'} is not supported"
        )
    response.action = operation
    return response


# --- readMetadata ---------------------------------------------------------------------------------


def _read(org: SalesforceOrg, call: ET.Element) -> Response:
    type_name = next(((e.text or "").strip() for e in call if mdxml.local(e.tag) == "type"), "")
    names = [(e.text or "").strip() for e in call if mdxml.local(e.tag) == "fullNames"]
    if type_name not in mdxml.COMPONENT_TYPES:
        return fault("sf:INVALID_TYPE", f"INVALID_TYPE: This type of metadata is not available: {type_name}")
    if len(names) > BATCH_LIMIT:
        return fault(
            "sf:EXCEEDED_ID_LIMIT",
            "EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 10 records in this operation",
        )
    response = ET.Element("readMetadataResponse", {"xmlns": mdxml.MD_NS})
    result = ET.SubElement(response, "result")
    for name in names:
        component = org.metadata.setdefault(type_name, {}).get(name)
        if component is None and type_name == "CustomField":
            component = org.standard_field_component(name)
        if component is None:
            # A missing component reads back as nil, not as a fault (docs/salesforce.md#sf-read-missing-nil).
            ET.SubElement(result, "records", {"xsi:nil": "true"})
            continue
        if type_name == "RecordType":
            component = _encode_record_type(component)
        element = mdxml.to_xml(result, "records", component, type_name)
        element.set("xsi:type", type_name)
    return _envelope(response)


_KEEP = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~ ")


def encode_rt_value(name: str) -> str:
    """Record-type picklist value names come back partly URL-encoded: "most punctuation appears to be
    escaped, but spaces and high-bit characters are not" (CumulusCI picklists.py,
    docs/salesforce.md#sf-record-type-url-encoding)."""
    return "".join(
        c if c in _KEEP or ord(c) > 127 else "".join(f"%{b:02X}" for b in c.encode()) for c in name
    )


def _encode_record_type(component: dict[str, Any]) -> dict[str, Any]:
    encoded = dict(component)
    encoded["picklistValues"] = [
        {**pv, "values": [{**v, "fullName": encode_rt_value(v["fullName"])} for v in pv.get("values", [])]}
        for pv in component.get("picklistValues", [])
    ]
    return encoded


# --- listMetadata -----------------------------------------------------------------------------------

LIST_QUERY_LIMIT = (
    3  # "up to three ListMetadataQuery queries for each call" (docs/salesforce.md#sf-list-metadata)
)
_SANDBOX_USER = {"id": "005000000000001AAA", "name": "Sandbox Admin", "date": "2026-01-05T09:00:00.000Z"}


def _list(org: SalesforceOrg, call: ET.Element) -> Response:
    """FileProperties of every component of the queried types: names and files, never their content
    (docs/salesforce.md#sf-list-metadata)."""
    queries = [e for e in call if mdxml.local(e.tag) == "queries"]
    types = [next(((q.text or "").strip() for q in e if mdxml.local(q.tag) == "type"), "") for e in queries]
    if len(types) > LIST_QUERY_LIMIT:  # UNVERIFIED wording
        return fault("sf:INVALID_OPERATION", "INVALID_OPERATION: listMetadata takes at most 3 queries")
    unknown = [t for t in types if t not in mdxml.COMPONENT_TYPES]
    if unknown:
        return fault("sf:INVALID_TYPE", f"INVALID_TYPE: This type of metadata is not available: {unknown[0]}")
    response = ET.Element("listMetadataResponse", {"xmlns": mdxml.MD_NS})
    for type_name in types:
        for number, name in enumerate(sorted(org.metadata.setdefault(type_name, {})), 1):
            properties = {
                "createdById": _SANDBOX_USER["id"],
                "createdByName": _SANDBOX_USER["name"],
                "createdDate": _SANDBOX_USER["date"],
                "fileName": mdxml.FILE_NAMES[type_name].format(name=name, object=name.partition(".")[0]),
                "fullName": name,
                "id": f"000{number:015d}",  # the sandbox keeps no ids; crmdefs does not use them
                "lastModifiedById": _SANDBOX_USER["id"],
                "lastModifiedByName": _SANDBOX_USER["name"],
                "lastModifiedDate": _SANDBOX_USER["date"],
                "manageableState": "unmanaged",
                "type": type_name,
            }
            mdxml.to_xml(response, "result", properties, "FileProperties")
    return _envelope(response)


# --- updateMetadata / createMetadata ----------------------------------------------------------------


def _xsi_type(element: ET.Element) -> str:
    value = element.get(f"{{{mdxml.XSI_NS}}}type", "")
    return value.rsplit(":", 1)[-1]


def _save(org: SalesforceOrg, call: ET.Element, *, create: bool) -> Response:
    items = [e for e in call if mdxml.local(e.tag) == "metadata"]
    if len(items) > BATCH_LIMIT:
        return fault(
            "sf:EXCEEDED_ID_LIMIT",
            "EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 10 records in this operation",
        )
    types = {_xsi_type(e) for e in items}
    if len(types) > 1:  # "You must submit arrays of only one type of component" (updateMetadata doc)
        return fault("sf:INVALID_TYPE", "INVALID_TYPE: all components in one call must be of the same type")
    type_name = types.pop() if types else ""
    if items and type_name not in mdxml.COMPONENT_TYPES:
        return fault("sf:INVALID_TYPE", f"INVALID_TYPE: This type of metadata is not available: {type_name}")
    try:
        components = [mdxml.from_xml(e, type_name) for e in items]
    except mdxml.InvalidComponent as exc:
        return fault("soapenv:Client", str(exc))
    tag = "createMetadataResponse" if create else "updateMetadataResponse"
    response = ET.Element(tag, {"xmlns": mdxml.MD_NS})
    changed = False
    for component in components:
        name = str(component.get("fullName", ""))
        errors = _apply(org, type_name, component, create=create)
        result = ET.SubElement(response, "result")
        for code, message in errors:
            error = ET.SubElement(result, "errors")
            ET.SubElement(error, "message").text = message
            ET.SubElement(error, "statusCode").text = code
        ET.SubElement(result, "fullName").text = name
        ET.SubElement(result, "success").text = "false" if errors else "true"
        changed = changed or not errors
    if changed:
        org.save()
    return _envelope(response)


def _apply(org: SalesforceOrg, type_name: str, component: dict[str, Any], *, create: bool) -> list[SaveError]:
    name = str(component.get("fullName", ""))
    if not name:
        return [("REQUIRED_FIELD_MISSING", "Required field is missing: fullName")]
    if name in org.failing:  # an injected failure of this one component (the others still save)
        return [
            (
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact "
                "support: 0000000000-00000 (injected by the sandbox)",
            )
        ]
    store = org.metadata.setdefault(type_name, {})
    existing = store.get(name)
    if type_name == "CustomField" and existing is None and not create:
        existing = org.standard_field_component(name)
    if create and existing is not None:
        return [("DUPLICATE_DEVELOPER_NAME", f"There is already a {type_name} named {name}.")]
    if not create and existing is None:
        return [("INVALID_CROSS_REFERENCE_KEY", f"In field: fullName - no {type_name} named {name} found")]
    errors, stored = sfrules.check(org, type_name, component, existing, create=create)
    if not errors:
        store[name] = stored
        sfaudit.record_save(org, type_name, existing, stored, create=create)
    return errors
