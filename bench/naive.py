"""The naive baseline for the benchmark: what a straightforward script does with the same client libraries.

    naive.py read  --definitions DIR   one sequential read per bound field
    naive.py write --definitions DIR   one read and one write per bound field, sequentially

Salesforce: Metadata API readMetadata / updateMetadata with one component per call. HubSpot: GET and PATCH
of one property per call, paced to 100 requests per 10 s so the baseline is not penalised by 429s.
Connection details come from crmdefs.yaml (default target) and the token variables, as for crmdefs.
"""

from __future__ import annotations

import argparse
import collections
import os
import time
from pathlib import Path
from typing import Any

import requests
from hubspot import HubSpot
from hubspot.crm.properties import PropertyUpdate

from crmdefs.adapters.salesforce.client import client_with_token
from crmdefs.config import Secret, load_settings
from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import Crm
from crmdefs.plan.desired import desired_fields


class Pinned(requests.Session):
    """Verify against the sandbox CA on every request (REQUESTS_CA_BUNDLE would override session.verify)."""

    def __init__(self, ca: str) -> None:
        super().__init__()
        self.ca = ca

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["verify"] = self.ca
        return super().request(method, url, *args, **kwargs)


class Pace:
    """At most ``limit`` calls in any rolling ``window`` seconds, each counted from when it finished (the
    server counts arrivals, which come after the send), so the baseline draws no 429."""

    def __init__(self, limit: int = 100, window: float = 10.0) -> None:
        self.limit, self.window = limit, window
        self.sent: collections.deque[float] = collections.deque()

    def wait(self) -> None:
        now = time.monotonic()
        while self.sent and now - self.sent[0] >= self.window:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            time.sleep(self.window - (now - self.sent[0]) + 0.01)
        self.sent.append(time.monotonic())

    def done(self) -> None:
        self.sent[-1] = time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["read", "write"])
    parser.add_argument("--definitions", type=Path, required=True)
    args = parser.parse_args()
    settings = load_settings(config=None, definitions=args.definitions, cwd=Path.cwd(), environ=os.environ)
    target = settings.target(None)
    assert target.salesforce is not None and target.hubspot is not None and target.ca_bundle is not None
    token = os.environ["SALESFORCE_ACCESS_TOKEN"]
    ca = str(target.ca_bundle)
    session = Pinned(ca)
    assert target.salesforce.instance_url is not None
    sf = client_with_token(
        target.salesforce.instance_url, Secret(token), session=session, version="62.0"
    ).rest
    hs = HubSpot(
        access_token=os.environ["HUBSPOT_ACCESS_TOKEN"], host=target.hubspot.base_url, ssl_ca_cert=ca
    )
    pace = Pace()
    glossary, _ = load_glossary(settings.definitions_dir)
    for want in desired_fields(glossary):
        address = want.address
        if address.crm is Crm.SALESFORCE:
            component = sf.mdapi.CustomField.read([address.dotted])
            component = component[0] if isinstance(component, list) else component
            if args.mode == "write" and want.help_text is not None:
                component.inlineHelpText = want.help_text
                sf.mdapi.CustomField.update([component])
        else:
            pace.wait()
            hs.crm.properties.core_api.get_by_name(address.object, address.field)
            pace.done()
            if args.mode == "write" and want.description is not None:
                pace.wait()
                hs.crm.properties.core_api.update(
                    address.object, address.field, PropertyUpdate(description=want.description)
                )
                pace.done()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
