"""The Salesforce sandbox for its tests: one org per test module behind a real TLS server, restored to the
seeded demo org before each test, reached through crmdefs' own simple-salesforce and zeep clients or with
raw SOAP envelopes.

Test modules import this module's fixtures as ``x_fixture as x_fixture``: pytest looks a fixture up by its name
(``name=``) in the test module, and the redundant alias marks the import as a deliberate re-export.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from simple_salesforce import Salesforce

from crmdefs.adapters.salesforce.client import MetadataClient, SalesforceClient, client_with_token
from crmdefs.config import Secret
from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.salesforce import SalesforceApi
from crmdefs.sandbox.salesforce_seed import salesforce_seed
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import ensure_tls

from .sandbox_helpers import PinnedSession

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
MD = "{http://soap.sforce.com/2006/04/metadata}"


class Org:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.state = SandboxState.open(folder / "state", lambda: {**salesforce_seed(), "hubspot": {}})
        tls = ensure_tls(folder / "tls")
        self.ca = tls.ca
        self.log = RequestLog(None)
        self.server = RunningServer(SalesforceApi(self.state), 0, tls.server_context(), FaultPlan(), self.log)
        self.url = f"https://127.0.0.1:{self.server.port}"
        self.session = PinnedSession(tls.ca)
        self._client: SalesforceClient | None = None

    def client(self, token: str | None = None) -> Salesforce:
        return self.connect(token).rest

    def metadata(self) -> MetadataClient:
        return self.connect().metadata

    def connect(self, token: str | None = None) -> SalesforceClient:
        if token is None and self._client is not None:
            return self._client  # zeep parses the Metadata WSDL per client: reuse one
        client = client_with_token(
            self.url, Secret(token or self.state.token), session=self.session, version="62.0"
        )
        if token is None:
            self._client = client
        return client

    def soap(self, body: str, token: str | None = None) -> ET.Element:
        envelope = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:met="http://soap.sforce.com/2006/04/metadata" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header><met:SessionHeader>'
            f"<met:sessionId>{token or self.state.token}</met:sessionId></met:SessionHeader></soapenv:Header>"
            f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        )
        answer = self.session.post(
            f"{self.url}/services/Soap/m/62.0",
            data=envelope.encode(),
            headers={"Content-Type": "text/xml", "SOAPAction": '""'},
        )
        return ET.fromstring(answer.content)


@pytest.fixture(scope="module", name="running_org")
def running_org_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    running = Org(tmp_path_factory.mktemp("sf"))
    running.server.start()
    yield running
    running.server.stop()


@pytest.fixture(name="org")
def org_fixture(running_org: Org) -> Org:
    """The module's org, restored to the seeded demo org before each test."""
    running_org.state.reset(lambda: {**salesforce_seed(), "hubspot": {}})
    running_org.log.entries.clear()
    return running_org
