"""The records sandbox for its tests: one sandbox per test module, reset to the seeded org before every
test, the real clients on it (simple-salesforce, hubspot-api-client, over real TLS), and the seeded records
the expected values are computed from (``records_seed()``, never read back from the sandbox itself).

Test modules import this module's fixtures as ``x_fixture as x_fixture``: pytest looks a fixture up by its name
(``name=``) in the test module, and the redundant alias marks the import as a deliberate re-export.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hubspot import HubSpot
from simple_salesforce import Salesforce

from crmdefs.sandbox.options import SEARCH_RATE_ENV, SandboxOptions
from crmdefs.sandbox.records_seed import hubspot_object
from crmdefs.sandbox.service import Sandbox, SandboxInfo, seed
from crmdefs.sandbox.state import SandboxState

from .sandbox_helpers import PinnedSession

# The seeded records as the sandbox holds them: records_seed() with the owners, dates and users the seed adds
# (records_owners.py, sfusers.py) — computed here, not read back from a running sandbox.
_SEED = seed()
SEEDED = {
    "salesforce": {"records": _SEED["salesforce"]["records"]},
    "hubspot": {"objects": _SEED["hubspot"]["objects"]},
}
OPPORTUNITIES: list[dict[str, Any]] = list(SEEDED["salesforce"]["records"]["Opportunity"].values())
LEADS: list[dict[str, Any]] = list(SEEDED["salesforce"]["records"]["Lead"].values())
DEALS: list[dict[str, Any]] = list(SEEDED["hubspot"]["objects"]["deals"].values())
CONTACTS: list[dict[str, Any]] = list(SEEDED["hubspot"]["objects"]["contacts"].values())


@dataclass
class Env:
    sandbox: Sandbox
    info: SandboxInfo

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state


@pytest.fixture(scope="module", name="env")
def env_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    # One server pair for the module; the search limit (4/s) is lifted so back-to-back tests never trip it.
    # test_the_search_api_has_its_own_secondly_limit checks the limit itself on a fake clock.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SEARCH_RATE_ENV, "1000")
        sandbox = Sandbox(
            tmp_path_factory.mktemp("records"), SandboxOptions.from_env(os.environ), log_to_file=False
        )
        info = sandbox.start()
        yield Env(sandbox, info)
        sandbox.stop()


@pytest.fixture(autouse=True, name="fresh")
def fresh_fixture(env: Env) -> None:
    """Every test starts from the seeded org (the token is kept)."""
    env.state.reset(seed)


@pytest.fixture(scope="module", name="sf")
def sf_fixture(env: Env) -> Salesforce:
    return Salesforce(
        instance_url=env.info.instance_url,
        session_id=env.info.access_token,
        session=PinnedSession(env.info.ca_bundle),
        version="62.0",
    )


@pytest.fixture(scope="module", name="hs")
def hs_fixture(env: Env) -> HubSpot:
    return HubSpot(
        access_token=env.info.access_token, host=env.info.base_url, ssl_ca_cert=str(env.info.ca_bundle)
    )


def on_disk(env: Env) -> dict[str, Any]:
    """The state as a separate crmdefs invocation would load it."""
    data: dict[str, Any] = SandboxState.open(env.info.state_dir, seed).data
    return data


MANY_FROM = 90_000_001  # ids of the records add_contacts makes: above every seeded contact's


def add_contacts(
    state: SandboxState, count: int, properties: dict[str, str], first: int = MANY_FROM
) -> list[str]:
    """``count`` more contacts holding ``properties``, ids from ``first``, in memory only (the test's server
    reads them from there): a portal big enough to page past the search cap, built only by the tests that
    need it."""
    stamp = "2025-03-01T09:00:00.000Z"
    ids = [str(first + n) for n in range(count)]
    with state.lock:
        contacts = state.data["hubspot"]["objects"]["contacts"]
        for object_id in ids:
            fields = {"lastname": f"Bulk {object_id}", **properties, "lastmodifieddate": stamp}
            contacts[object_id] = hubspot_object(object_id, dict(fields), stamp, stamp)
    return ids
