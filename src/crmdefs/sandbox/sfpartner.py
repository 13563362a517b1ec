"""The one partner SOAP API call the sandbox answers: ``getUserInfo()`` on ``/services/Soap/u/<version>``,
who the session belongs to (docs/salesforce.md#sf-get-user-info). It works on any session id or OAuth
access token, so crmdefs learns who it is signed in as in every sign-in mode. The answer's elements are
a subset of GetUserInfoResult, in its order (partner WSDL): organizationId, userEmail, userFullName,
userId, userName.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from crmdefs.sandbox import mdxml, sfsoap
from crmdefs.sandbox.http import Response
from crmdefs.sandbox.sfstore import SalesforceOrg

PARTNER_NS = "urn:partner.soap.sforce.com"
ORG_ID = "00D5g000004sbxAEAQ"  # the sandbox org's id (18 characters, as getUserInfo gives it)


def handle(org: SalesforceOrg, body: bytes) -> Response:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return sfsoap.fault("soapenv:Client", f"Unable to parse the request: {exc}")
    session = next((e.text for e in root.iter() if mdxml.local(e.tag) == "sessionId"), None)
    user_id = org.user_for((session or "").strip())
    if user_id is None:
        return sfsoap.invalid_session()
    soap_body = next((e for e in root if mdxml.local(e.tag) == "Body"), None)
    operation = mdxml.local(soap_body[0].tag) if soap_body is not None and len(soap_body) else ""
    org.count_call()
    if operation != "getUserInfo":
        return sfsoap.fault(
            "sf:INVALID_OPERATION", f"INVALID_OPERATION: {operation or 'no operation'} is not supported"
        )
    user = org.users()[user_id]
    response = ET.Element("getUserInfoResponse", {"xmlns": PARTNER_NS})
    result = ET.SubElement(response, "result")
    for tag, value in (
        ("organizationId", ORG_ID),
        ("userEmail", user.get("Email")),
        ("userFullName", user.get("Name")),
        ("userId", user_id),
        ("userName", user.get("Username")),
    ):
        ET.SubElement(result, tag).text = str(value or "")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{sfsoap.SOAP_ENV}"><soapenv:Body>'
        f"{ET.tostring(response, encoding='unicode')}</soapenv:Body></soapenv:Envelope>"
    )
    return Response(200, text.encode("utf-8"), {"Content-Type": "text/xml; charset=utf-8"}, "getUserInfo")
