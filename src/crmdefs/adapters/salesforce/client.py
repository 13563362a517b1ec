"""The Salesforce clients crmdefs talks through, built in one place: a :class:`CrmSession` (CA bundle,
retries, timeouts), simple-salesforce's REST client on it, and a :class:`MetadataClient` for the Metadata
API (SOAP, zeep) that goes through the same session.

This is the only module that touches simple-salesforce's private attributes (``mdapi._client``,
``_service``, ``_session_header``) and zeep's internals (the WSDL's types, a binding's ``process_reply``);
everything else uses :class:`MetadataClient`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import zeep.exceptions
import zeep.xsd
from simple_salesforce.api import Salesforce

from crmdefs.adapters.base import NO_WAITS, Waits
from crmdefs.adapters.salesforce import soapread
from crmdefs.adapters.salesforce.transport import DEFAULT_TIMEOUT, CrmSession
from crmdefs.config import DEFAULT_API_VERSION, Secret

MD_NS = "http://soap.sforce.com/2006/04/metadata"


def crm_session(
    ca_bundle: Path | None,
    *,
    retries: int = 4,
    read_timeout: float | None = None,
    waits: Waits = NO_WAITS,
) -> CrmSession:
    """The session every Salesforce call goes through. ``read_timeout`` None = the default (connect,
    read) timeouts; else the connect timeout is capped at it. ``waits`` hears of each pause to retry."""
    timeout = (
        DEFAULT_TIMEOUT if read_timeout is None else (min(DEFAULT_TIMEOUT[0], read_timeout), read_timeout)
    )
    return CrmSession(ca_bundle, timeout=timeout, retries=retries, waits=waits)


class MetadataClient:
    """The Metadata API calls crmdefs makes, on the session given to simple-salesforce.

    Why private attributes: the zeep client bundled in simple-salesforce's ``mdapi`` (``SfdcMetadataApi``,
    https://github.com/simple-salesforce/simple-salesforce/blob/master/simple_salesforce/metadata.py)
    ignores the session passed to ``Salesforce(session=...)``, so ours is put on its transport
    (``_client``); and ``MetadataType.create``/``update`` raise on the first failed component and drop the
    SaveResults, so :meth:`call` sends the operation through ``_service`` with ``_session_header`` and
    returns every SaveResult. They are touched here and nowhere else.
    """

    def __init__(self, rest: Salesforce, session: requests.Session, operation_timeout: float | None) -> None:
        mdapi = rest.mdapi  # built once per Salesforce object, then cached by simple-salesforce
        # simple-salesforce's mdapi builds its own zeep transport that ignores the session we pass
        # (docs/salesforce.md#sf-ss-mdapi-own-transport), so give it ours: CA bundle, retries and timeouts
        # then apply to SOAP calls too.
        mdapi._client.transport.session = session
        if operation_timeout is not None:
            mdapi._client.transport.operation_timeout = operation_timeout
        self._mdapi = mdapi
        self._shapes: dict[str, soapread.Shape] = {}
        self._reader = soapread.Reader(self._shape)

    @property
    def types(self) -> Any:
        """The Metadata API's types, to build components and values: ``types.CustomValue(fullName=...)``."""
        return self._mdapi

    def read(self, type_name: str, names: list[str], *, light: bool = False) -> Any:
        """readMetadata of up to 10 components of one type; one record comes back bare, not in a list.
        ``light``: read-only components parsed by soapread, for reads never written back."""
        if light:
            return self._read_light(type_name, names)
        return getattr(self._mdapi, type_name).read(names)

    def list_metadata(self, type_name: str) -> list[Any]:
        """listMetadata of one type: a FileProperties per component, none for an empty type
        (docs/salesforce.md#sf-list-metadata)."""
        return list(self._mdapi.list_metadata([self._mdapi.ListMetadataQuery(type=type_name)]) or [])

    def _read_light(self, type_name: str, names: list[str]) -> Any:
        """The same call as ``mdapi.<type>.read``, its answer taken raw; anything but a plain result goes
        through zeep as usual, so faults and odd answers raise exactly what they always did."""
        client, service = self._mdapi._client, self._mdapi._service
        with client.settings(raw_response=True):  # thread-local: other threads' calls are not affected
            response = service.readMetadata(type_name, names, _soapheaders=[self._mdapi._session_header])
        content_type = response.headers.get("Content-Type", "text/xml")
        records = self._reader.records(response.status_code, content_type, response.content)
        if records is not None:
            return records
        binding = service._binding
        result = binding.process_reply(client, binding.get("readMetadata"), response)
        return result[0] if len(result) == 1 else result  # as mdapi.<type>.read

    def _shape(self, type_name: str) -> soapread.Shape | None:
        """A Metadata API type's elements, from the WSDL zeep loaded: which repeat (maxOccurs), and how
        their text converts (zeep's own ``pythonvalue``). None for a type the WSDL does not have."""
        shape = self._shapes.get(type_name)
        if shape is None:
            try:
                xsd_type = self._mdapi._client.get_type(f"{{{MD_NS}}}{type_name}")  # type: ignore[no-untyped-call]
            except zeep.exceptions.LookupError:
                return None
            shape = {name: _element(element) for name, element in getattr(xsd_type, "elements", [])}
            self._shapes[type_name] = shape
        return shape

    def call(self, operation: str, components: list[Any]) -> Any:
        """``createMetadata`` or ``updateMetadata`` of up to 10 components of one type: every SaveResult
        (partial success is normal)."""
        service = getattr(self._mdapi._service, operation)
        return service(components, _soapheaders=[self._mdapi._session_header])


def _element(element: Any) -> soapread.Element:
    xsd_type = element.type
    many = bool(element.accepts_multiple)
    if isinstance(xsd_type, zeep.xsd.ComplexType):
        qname = xsd_type.qname
        return soapread.Element(many, complex_type=qname.localname if qname is not None else None)
    if isinstance(xsd_type, zeep.xsd.AnySimpleType):
        return soapread.Element(many, convert=xsd_type.pythonvalue)
    return soapread.Element(many)  # xsd:anyType: the text as it is


@dataclass(frozen=True)
class SalesforceClient:
    """A signed-in org: REST (simple-salesforce) and the Metadata API, on one session."""

    rest: Salesforce
    metadata: MetadataClient

    def close(self) -> None:
        self.rest.session.close()


def salesforce_client(rest: Salesforce, session: requests.Session) -> SalesforceClient:
    """Wrap a signed-in simple-salesforce client whose ``session`` is ``session``. A :class:`CrmSession`'s
    read timeout also bounds each SOAP operation."""
    timeout = session.timeout[1] if isinstance(session, CrmSession) else None
    return SalesforceClient(rest, MetadataClient(rest, session, timeout))


def client_with_token(
    instance_url: str, token: Secret, *, session: requests.Session, version: str = DEFAULT_API_VERSION
) -> SalesforceClient:
    """A client on an access token the caller already has (``auth: access_token``, `sf` CLI, sandbox)."""
    rest = Salesforce(instance_url=instance_url, session_id=token.reveal(), session=session, version=version)
    return salesforce_client(rest, session)
