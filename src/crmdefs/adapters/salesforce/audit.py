"""Who crmdefs is signed in as, and the setup audit trail, on Salesforce.

- The signed-in user: the partner SOAP API's ``getUserInfo()`` (docs/salesforce.md#sf-get-user-info). It
  takes any session id or OAuth access token, so it answers in every sign-in mode crmdefs has (access
  token, password, JWT, the `sf` CLI's session); the OAuth UserInfo endpoint needs the ``openid``/``id``
  scopes a JWT connected app may lack, and simple-salesforce keeps none of the login answers' user ids.
  Asked once per run, then remembered.
- The setup audit trail: one SOQL query of SetupAuditTrail, the last 180 days, newest first; its pages
  (``nextRecordsUrl``) are that one query (docs/salesforce.md#sf-setup-audit-trail). Without "View Setup
  and Configuration" Salesforce answers that the object is not supported
  (docs/salesforce.md#sf-setup-audit-trail-access): that, and any other refusal, comes back as the reason
  attribution is unavailable, never as a failure of the run.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from xml.etree import ElementTree as ET

from simple_salesforce.exceptions import SalesforceError

from crmdefs.adapters.salesforce.calls import OrgCalls, _rest_error
from crmdefs.adapters.setup_audit import AUDIT_DAYS, SetupChange, SetupTrail, SignedInUser
from crmdefs.errors import CrmApiError

QUERY = (
    "SELECT Action, Section, Display, CreatedDate, CreatedById, CreatedBy.Name, CreatedBy.Username, "
    "DelegateUser FROM SetupAuditTrail WHERE CreatedDate = LAST_N_DAYS:{days} ORDER BY CreatedDate DESC"
)
_PARTNER_NS = "urn:partner.soap.sforce.com"
_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    f'xmlns:urn="{_PARTNER_NS}"><soapenv:Header><urn:SessionHeader><urn:sessionId>{{session}}'
    "</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body><urn:getUserInfo/></soapenv:Body>"
    "</soapenv:Envelope>"
)


class _Refused(Exception):
    """The query was answered with an error (code, message): attribution is unavailable, the run goes on."""


def setup_trail(org: OrgCalls, days: int = AUDIT_DAYS) -> SetupTrail:
    """The setup changes of the last ``days`` days, newest first, or why they could not be read."""
    try:
        answer = org.call("query", partial(_query_all, org, QUERY.format(days=days)))
    except _Refused as refused:
        code, message = refused.args
        if code == "INVALID_TYPE":
            why = (
                "the signed-in user may not read the setup audit trail (Salesforce: SetupAuditTrail is not "
                "supported) — give it the 'View Setup and Configuration' permission"
            )
        else:
            why = f"Salesforce refused the setup audit trail query ({code}: {message.strip()[:200]})"
        return SetupTrail((), days, why)
    except CrmApiError as exc:
        return SetupTrail((), days, f"the setup audit trail could not be read: {exc}")
    return SetupTrail(tuple(_change(r) for r in answer.get("records", [])), days)


def _query_all(org: OrgCalls, soql: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = org.rest.query_all(soql)
    except SalesforceError as exc:
        if exc.status in (
            400,
            404,
        ):  # MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD…: a refusal, not an outage
            raise _Refused(*_rest_error(exc.content)) from exc
        raise
    return result


def _change(row: dict[str, Any]) -> SetupChange:
    user = row.get("CreatedBy") or {}
    return SetupChange(
        at=iso_utc(str(row.get("CreatedDate") or "")),
        action=str(row.get("Action") or ""),
        section=str(row.get("Section") or ""),
        display=str(row.get("Display") or ""),
        user_id=row.get("CreatedById"),
        user_name=user.get("Name"),
        username=user.get("Username"),
        delegate=row.get("DelegateUser") or None,
    )


def iso_utc(value: str) -> str:
    """Salesforce's ``2026-11-29T10:15:02.000+0000`` as ``2026-11-29T10:15:02Z`` (the trail is in UTC)."""
    if len(value) >= 19 and value[19:].replace(".000", "") in ("+0000", "Z", "+00:00", ""):
        return value[:19] + "Z"
    return value


def signed_in_user(org: OrgCalls) -> SignedInUser | None:
    """``getUserInfo()`` on the partner SOAP endpoint; None when Salesforce will not say."""
    rest = org.rest
    url = f"https://{rest.sf_instance}/services/Soap/u/{rest.sf_version}"
    body = _ENVELOPE.format(session=_xml_text(str(rest.session_id)))
    headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}
    try:
        answer = org.call("getUserInfo", partial(rest.session.post, url, data=body.encode(), headers=headers))
    except CrmApiError:
        return None
    if answer.status_code != 200:
        return None
    try:
        root = ET.fromstring(answer.content)
    except ET.ParseError:
        return None
    found = {el.tag.rpartition("}")[2]: (el.text or "") for el in root.iter()}
    if not found.get("userId") or not found.get("userName"):
        return None
    return SignedInUser(found["userId"], found["userName"], found.get("userFullName") or None)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
