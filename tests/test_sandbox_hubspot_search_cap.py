"""The sandbox's HubSpot search past its documented limits (docs/hubspot.md#hs-search-result-cap), its
multiple-checkbox values (docs/hubspot.md#hs-multi-checkbox-values) and a batch update that fails for some
records (207, docs/hubspot.md#hs-batch-207-returns), driven by the real hubspot-api-client over real TLS.

Expected values are computed in Python from ``records_seed()`` and the records a test adds, never read back
from the sandbox itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    SimplePublicObjectBatchInput,
)

from crmdefs.sandbox.http import RequestLog, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.service import seed
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import ensure_tls

from .records_sandbox import CONTACTS, Env, add_contacts
from .records_sandbox import env_fixture as env_fixture  # pytest fixture
from .records_sandbox import fresh_fixture as fresh_fixture  # pytest fixture
from .records_sandbox import hs_fixture as hs_fixture  # pytest fixture

CAP = 10_000


def webinar_search(after: str | None = None, since: str | None = None, limit: int = 200) -> dict[str, Any]:
    filters = [{"propertyName": "lead_source_detail", "operator": "EQ", "value": "webinar"}]
    if since is not None:
        filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": since})
    return {
        "filterGroups": [{"filters": filters}],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "properties": ["lead_source_detail"],
        "limit": limit,
        **({"after": after} if after else {}),
    }


def test_one_query_pages_to_10000_and_windows_on_hs_object_id_go_further(env: Env, hs: HubSpot) -> None:
    added = add_contacts(env.state, CAP + 150, {"lead_source_detail": "webinar"})
    api = hs.crm.contacts.search_api
    ids: list[str] = []
    after: str | None = None
    while True:
        page = api.do_search(public_object_search_request=webinar_search(after))
        assert page.total == CAP  # not the 10,150 that match: past the cap the sandbox counts no further
        ids += [r.id for r in page.results]
        after = page.paging.next.after if page.paging else None
        if after == str(CAP):  # offered on the last page a query may read ...
            break
    assert ids == added[:CAP]  # sorted by hs_object_id as numbers, 200 a page
    with pytest.raises(ApiException) as caught:  # ... and refused when followed
        api.do_search(public_object_search_request=webinar_search(after))
    body = json.loads(caught.value.body)
    assert caught.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["errors"] == [
        {"message": f"Search results are limited to {CAP}: narrow the filters", "in": "after"}
    ]

    # A new query from the last id read gets the rest.
    rest = api.do_search(public_object_search_request=webinar_search(since=ids[-1]))
    assert rest.total == 150 and [r.id for r in rest.results][:150] == added[CAP:]
    assert rest.paging is None


def test_multiple_checkbox_values_are_one_string_and_eq_matches_it_whole(hs: HubSpot) -> None:
    roles = {c["id"]: c["properties"]["hs_buying_role"] for c in CONTACTS}
    assert any(";" in (value or "") for value in roles.values())  # the seed holds several choices at once
    api = hs.crm.contacts.search_api

    def search(operator: str, **condition: Any) -> set[str]:
        flt = {"propertyName": "hs_buying_role", "operator": operator, **condition}
        request = {"filterGroups": [{"filters": [flt]}], "properties": ["hs_buying_role"], "limit": 100}
        return {r.id for r in api.do_search(public_object_search_request=request).results}

    assert search("EQ", value="BUDGET_HOLDER") == {i for i, v in roles.items() if v == "BUDGET_HOLDER"}
    assert search("HAS_PROPERTY") == {i for i, v in roles.items() if v}
    with pytest.raises(ApiException) as caught:  # how HubSpot tokenises the values is not documented
        search("CONTAINS_TOKEN", value="BUDGET_HOLDER")
    assert caught.value.status == 400

    holder = next(i for i, v in roles.items() if v == "BUDGET_HOLDER")
    hs.crm.contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id=holder, properties={"hs_buying_role": "CHAMPION;END_USER"})
            ]
        )
    )
    assert holder in search("EQ", value="CHAMPION;END_USER")
    with pytest.raises(ApiException) as refused:  # each choice must be an option
        hs.crm.contacts.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(id=holder, properties={"hs_buying_role": "CHAMPION;BOSS"})
                ]
            )
        )
    assert refused.value.status == 400 and "INVALID_OPTION" in json.loads(refused.value.body)["message"]


def test_a_record_named_in_fail_components_fails_alone_in_a_207(env: Env, tmp_path: Path) -> None:
    failing, updated = CONTACTS[0]["id"], CONTACTS[1]["id"]
    state = SandboxState.open(tmp_path / "state", seed)
    tls = ensure_tls(env.info.state_dir / "tls")  # the module's certificates, already made
    api = HubSpotApi(state, failing=frozenset({f"contacts.{failing}"}))
    server = RunningServer(api, 0, tls.server_context(), FaultPlan(), RequestLog(None)).start()
    try:
        client = HubSpot(
            access_token=state.token, host=f"https://127.0.0.1:{server.port}", ssl_ca_cert=str(tls.ca)
        )
        answer = client.crm.contacts.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(id=i, properties={"hs_lead_status": "CONNECTED"})
                    for i in (failing, updated)
                ]
            )
        )  # the SDK returns a 207 (docs/hubspot.md#hs-batch-207-returns)
    finally:
        server.stop()
    assert [r.id for r in answer.results] == [updated] and answer.num_errors == 1
    [error] = answer.errors
    assert (error.category, error.context) == ("OBJECT_NOT_FOUND", {"ids": [failing]})
    stored = on_disk_state(tmp_path)["hubspot"]["objects"]["contacts"]
    assert stored[updated]["properties"]["hs_lead_status"] == "CONNECTED"
    assert stored[failing] == next(c for c in CONTACTS if c["id"] == failing)  # untouched


def on_disk_state(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = SandboxState.open(folder / "state", seed).data
    return data
