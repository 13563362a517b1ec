"""Clients for the sandbox tests: the real client libraries, trusting the sandbox CA by exact path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests


class PinnedSession(requests.Session):
    """A requests session that always verifies against one CA file.

    requests lets REQUESTS_CA_BUNDLE (set on our machines) override ``session.verify``
    (docs/salesforce.md#sf-requests-ca-bundle-override), so the CA is passed on every request instead — never
    verify=False.
    """

    def __init__(self, ca_bundle: Path) -> None:
        super().__init__()
        self.ca_bundle = str(ca_bundle)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["verify"] = self.ca_bundle
        return super().request(method, url, *args, **kwargs)
