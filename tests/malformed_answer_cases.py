"""Malformed inputs, part 3: CRM answers that are not JSON or SOAP, served by the tiny CRM server to the real
clients. Run by tests/test_malformed_inputs.py.
"""

from __future__ import annotations

from .malformed_cases import HS_PLAN, HS_TARGET, SF_PLAN, SF_TARGET, Answer, Case

ANSWER_CASES = [
    # --- CRM answers that are not JSON or SOAP ------------------------------------------------------
    Case(
        "HubSpot GET properties: an HTML page",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, text/html) "
        "is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "text/html", b"<html><body>Sign in to the proxy</body></html>"),
    ),
    Case(
        "HubSpot GET properties: an empty body",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/json) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/json", b""),
    ),
    Case(
        "HubSpot GET properties: cut-off JSON",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/json) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/json", b'{"results": [{"name": "reason_notes", "lab'),
    ),
    Case(
        "HubSpot GET properties: garbage bytes",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/octet-stream) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/octet-stream", bytes(range(256))),
    ),
    Case(
        "HubSpot GET properties: JSON that is not an object",
        HS_PLAN,
        "crmdefs: error: target 'prod': reading the properties of deals: HubSpot's answer (HTTP 200, "
        "application/json) is not a JSON object — check that base_url is the HubSpot API, then run again",
        {"crmdefs.yaml": HS_TARGET},
        Answer(200, "application/json", b'["reason_notes"]'),
    ),
    Case(
        "Salesforce readMetadata: an HTML page",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with something that is not a SOAP message "
        "(XMLSyntaxError) — check that instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(200, "text/html", b"<html><body>Sign in to the proxy</body></html>"),
    ),
    Case(
        "Salesforce readMetadata: an empty body",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with something that is not a SOAP message "
        "(TransportError) — check that instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(200, "text/xml", b""),
    ),
    Case(
        "Salesforce readMetadata: cut-off XML",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with something that is not a SOAP message "
        "(XMLSyntaxError) — check that instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(
            200,
            "text/xml",
            b'<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org',
        ),
    ),
    Case(
        "Salesforce readMetadata: an HTML error page with status 500",
        SF_PLAN,
        "crmdefs: error: target 'prod': Salesforce answered with an error page instead of a SOAP fault (it may be "
        "down for maintenance, or instance_url may not be the org's URL) — run again later, or check instance_url",
        {"crmdefs.yaml": SF_TARGET},
        Answer(500, "text/html", b"<html><body>Internal error</body></html>"),
    ),
    Case(
        "Salesforce describe: an HTML page",
        ("import", "--object", "Lead", "--out", "-"),
        "crmdefs: error: target 'prod': Salesforce answered with something that is not JSON — check that "
        "instance_url is the org's URL, then run again",
        {"crmdefs.yaml": SF_TARGET},
        Answer(200, "text/html", b"<html><body>Sign in to the proxy</body></html>"),
    ),
]
