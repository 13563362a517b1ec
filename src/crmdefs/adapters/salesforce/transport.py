"""HTTP plumbing shared by the adapters: trusting a CA bundle, timeouts, retries.

``requests`` lets ``REQUESTS_CA_BUNDLE`` from the environment override ``session.verify``
(docs/salesforce.md#sf-requests-ca-bundle-override; set on our machines and many corporate laptops), so a
target's CA bundle is passed on every request instead. TLS verification is never turned off: a CA bundle is
the only knob.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from crmdefs.adapters.base import NO_WAITS, Waits

DEFAULT_TIMEOUT = (10.0, 120.0)  # connect, read (Metadata API calls can be slow on big orgs)


class ShownRetry(Retry):
    """urllib3's Retry, telling ``waits`` of each pause before a retry: how long, and after what."""

    waits: Waits = NO_WAITS
    retries = 0  # the retries allowed in all, for "retry 2 of 4"

    def new(self, **kw: Any) -> ShownRetry:
        retry = super().new(**kw)
        retry.waits, retry.retries = self.waits, self.retries
        return retry

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        # The pause urllib3 is about to make (Retry.sleep): Retry-After when the answer has one, else backoff
        after = self.get_retry_after(response) if self.respect_retry_after_header and response else None
        last = self.history[-1] if self.history else None
        cause = (
            f"a {last.status}" if last is not None and last.status else "a dropped connection or no answer"
        )
        reason = f"retry {len(self.history)} of {self.retries} after {cause} from Salesforce"
        with self.waits.waiting(reason, after or self.get_backoff_time()):
            super().sleep(response)


class CrmSession(requests.Session):
    """A session that verifies against ``ca_bundle`` (when given) and applies a timeout on every request."""

    def __init__(
        self,
        ca_bundle: Path | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 4,
        waits: Waits = NO_WAITS,  # told of each pause before a retry (ShownRetry)
    ) -> None:
        super().__init__()
        self.ca_bundle = str(ca_bundle) if ca_bundle is not None else None
        self.timeout = timeout
        # 502/503/504, dropped connections and timeouts are retried with exponential backoff, honouring
        # Retry-After. Not 500: the Metadata API answers every SOAP fault (INVALID_SESSION_ID, …) with HTTP
        # 500 (docs/salesforce.md#sf-metadata-soap-faults), and retrying a fault only delays the message.
        # Salesforce has no 429: an exhausted allowance is 403 REQUEST_LIMIT_EXCEEDED, never retried. Metadata
        # writes replace whole components, so a retried POST is idempotent.
        retry = ShownRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=0.5,
            status_forcelist=(502, 503, 504),
            allowed_methods=None,
            respect_retry_after_header=True,
            # Still 502/503/504 after the retries: raise RetryError rather than hand the error page to the
            # SOAP client, which would call it "Unknown fault" (the adapters word it as "unavailable").
            raise_on_status=True,
        )
        retry.waits, retry.retries = waits, retries
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.ca_bundle is not None:
            kwargs["verify"] = self.ca_bundle
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)
