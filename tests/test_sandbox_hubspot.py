"""The HubSpot sandbox, driven by the real hubspot-api-client over real TLS, as crmdefs' adapter will drive it.

Expected shapes come from the real recorded responses in tests/fixtures/hubspot/, never from the sandbox itself.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.pipelines.exceptions import NotFoundException as PipelineNotFound
from hubspot.crm.properties import (
    ApiException,
    BatchInputPropertyCreate,
    BatchInputPropertyName,
    BatchReadInputPropertyName,
    OptionInput,
    PropertyCreate,
    PropertyGroupCreate,
    PropertyName,
    PropertyUpdate,
)
from hubspot.crm.properties.exceptions import NotFoundException, UnauthorizedException
from urllib3.util.retry import Retry

from crmdefs.sandbox.http import Request, RequestLog, Response, RunningServer
from crmdefs.sandbox.hubspot import HubSpotApi
from crmdefs.sandbox.hubspot_seed import hubspot_seed
from crmdefs.sandbox.options import FaultPlan
from crmdefs.sandbox.state import SandboxState
from crmdefs.sandbox.tls import TlsFiles, ensure_tls

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hubspot"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
RATE_HEADERS = (
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def seed_state() -> dict[str, Any]:
    return {"salesforce": {}, "hubspot": hubspot_seed()}


class FakeClock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Sandbox:
    port: int
    tls: TlsFiles
    state: SandboxState
    clock: FakeClock
    log: RequestLog

    @property
    def host(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def client(self, token: str | None = None, **kwargs: Any) -> HubSpot:
        return HubSpot(
            access_token=token or self.state.token, host=self.host, ssl_ca_cert=str(self.tls.ca), **kwargs
        )

    def raw(self, method: str, path: str, body: Any = None, token: str | None = "default") -> Raw:
        """One request with http.client, to see the exact JSON, status and headers."""
        context = ssl.create_default_context(cafile=str(self.tls.ca))
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=10)
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {self.state.token if token == 'default' else token}"
        payload = json.dumps(body).encode() if body is not None else None
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return Raw(response.status, dict(response.getheaders()), json.loads(data) if data else None)
        finally:
            connection.close()


StartSandbox = Callable[..., Sandbox]


class Switch:
    """The module's one server answers with the current test's HubSpotApi (stopping a server costs 0.5 s)."""

    name = "hubspot"

    def __init__(self) -> None:
        self.target: HubSpotApi | None = None

    def handle(self, request: Request) -> Response:
        assert self.target is not None
        return self.target.handle(request)

    def injected(self, kind: str, request: Request | None = None) -> Response:
        assert self.target is not None
        return self.target.injected(kind, request)


@dataclass
class Shared:
    tls: TlsFiles
    switch: Switch
    log: RequestLog
    port: int


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    tls = ensure_tls(tmp_path_factory.mktemp("tls"))
    switch, log = Switch(), RequestLog(None)
    server = RunningServer(switch, 0, tls.server_context(), FaultPlan(), log).start()
    yield Shared(tls, switch, log, server.port)
    server.stop()


@pytest.fixture
def start_sandbox(tmp_path: Path, shared: Shared) -> StartSandbox:
    """A fresh seeded portal (new state folder, new HubSpotApi with a fake clock) behind the shared server."""

    def start(**limits: Any) -> Sandbox:
        state = SandboxState.open(tmp_path / "state", seed_state)
        clock = FakeClock()
        shared.switch.target = HubSpotApi(state, clock=clock, **limits)
        shared.log.entries.clear()
        return Sandbox(shared.port, shared.tls, state, clock, shared.log)

    return start


@pytest.fixture
def sandbox(start_sandbox: StartSandbox) -> Sandbox:
    return start_sandbox()


def error_body(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    return body


def raw_property(sandbox: Sandbox, object_type: str, name: str, **kwargs: Any) -> dict[str, Any]:
    """The property's JSON exactly as served, fetched through the SDK (``_preload_content=False``)."""
    api = sandbox.client().crm.properties.core_api
    response = api.get_by_name(object_type, name, _preload_content=False, **kwargs)
    body: dict[str, Any] = json.loads(response.data)
    return body


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively (``1 == True`` in Python, so equality alone would miss a type slip)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def option(label: str, value: str, order: int, hidden: bool = False) -> OptionInput:
    return OptionInput(label=label, value=value, display_order=order, hidden=hidden)


# --------------------------------------------------------------------------------------- 1. contract


def _real_properties() -> list[tuple[str, str, dict[str, Any]]]:
    seeded = hubspot_seed()["properties"]
    cases = [
        ("contacts", f"contact_property_{n}.json", fixture(f"contact_property_{n}.json"))
        for n in ("lifecyclestage", "hs_lead_status", "hs_analytics_source")
    ]
    for object_type, name in (
        ("contacts", "contacts_properties_get_all_subset.json"),
        ("deals", "deals_properties_funnel_subset.json"),
    ):
        cases += [
            (object_type, name, p) for p in fixture(name)["results"] if p["name"] in seeded[object_type]
        ]
    return cases


REAL_PROPERTIES = _real_properties()


@pytest.mark.parametrize(
    ("object_type", "source", "real"),
    REAL_PROPERTIES,
    ids=[f"{c[0]}.{c[2]['name']}" for c in REAL_PROPERTIES],
)
def test_seeded_property_json_matches_the_real_response(
    sandbox: Sandbox, object_type: str, source: str, real: dict[str, Any]
) -> None:
    served = raw_property(sandbox, object_type, real["name"])
    if source.startswith("deals_"):
        # The deals fixture is HubSpot's published definition, which omits the timestamps real GETs carry.
        assert ISO_MS.match(served.pop("createdAt")) and ISO_MS.match(served.pop("updatedAt"))
    assert shape(served) == shape(real)
    assert served == real
    listed = sandbox.client().crm.properties.core_api.get_all(
        object_type, archived=False, _preload_content=False
    )
    assert real["name"] in {p["name"] for p in json.loads(listed.data)["results"]}


def test_the_contract_covers_the_funnel_properties() -> None:
    names = {(t, p["name"]) for t, _, p in REAL_PROPERTIES}
    for expected in [
        ("contacts", "lifecyclestage"),
        ("contacts", "hs_lead_status"),
        ("deals", "dealstage"),
        ("deals", "dealtype"),
        ("deals", "closed_lost_reason"),
        ("deals", "closedate"),
    ]:
        assert expected in names


def test_created_custom_property_has_the_keys_and_types_of_a_real_custom_one(sandbox: Sandbox) -> None:
    real = next(
        p for p in fixture("contacts_properties_get_all_subset.json")["results"] if p["name"] == "confirm_ip"
    )
    body = {
        "name": "confirm_ip2",
        "label": "CONFIRM_IP",
        "type": "string",
        "fieldType": "text",
        "groupName": "analyticsinformation",
        "formField": True,
    }
    created = sandbox.raw("POST", "/crm/v3/properties/contacts", body)
    assert created.status == 201
    assert shape(created.body) == shape(real)
    assert "hubspotDefined" not in created.body
    assert ISO_MS.match(created.body["createdAt"])
    assert created.body["modificationMetadata"] == real["modificationMetadata"]


# ------------------------------------------------------------------------------------------ 2. reads


def test_get_all_with_the_sdks_capital_false_and_get_by_name(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    names = [p.name for p in api.get_all("contacts", archived=False).results]  # the SDK sends ?archived=False
    assert {"lifecyclestage", "hs_lead_status", "hs_analytics_source", "lead_source_detail"} <= set(names)
    assert sandbox.raw("GET", "/crm/v3/properties/contacts?archived=false").body["results"]
    dealtype = api.get_by_name("deals", "dealtype")
    assert [o.value for o in dealtype.options] == ["newbusiness", "existingbusiness"]
    assert dealtype.modification_metadata.read_only_definition is True


def test_a_missing_property_is_the_sdks_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(NotFoundException) as caught:
        sandbox.client().crm.properties.core_api.get_by_name("contacts", "no_such_property")
    assert error_body(caught.value)["category"] == "OBJECT_NOT_FOUND"


def test_an_unknown_object_type_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ApiException) as caught:
        sandbox.client().crm.properties.core_api.get_all("widgets")
    assert caught.value.status == 400
    assert error_body(caught.value)["message"] == "Unable to infer object type from: widgets"


# ------------------------------------------------------------------------------------------ 3. create


def test_create_answers_201_and_the_property_is_listed(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    create = PropertyCreate(
        name="churn_reason",
        label="Churn reason",
        type="enumeration",
        field_type="select",
        group_name="dealinformation",
        description="Why the customer left",
        options=[option("Price", "price", 0), option("Product gap", "product_gap", 1)],
    )
    _, status, _ = api.create_with_http_info("deals", create)
    assert status == 201
    listed = {p.name: p for p in api.get_all("deals", archived=False).results}
    assert listed["churn_reason"].description == "Why the customer left"
    assert [o.value for o in listed["churn_reason"].options] == ["price", "product_gap"]
    assert listed["churn_reason"].archived is False


def test_a_duplicate_name_is_a_409_object_already_exists(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    create = PropertyCreate(
        name="lead_source_detail",
        label="Again",
        type="string",
        field_type="text",
        group_name="contactinformation",
    )
    with pytest.raises(ApiException) as caught:
        api.create("contacts", create)
    assert caught.value.status == 409
    body = error_body(caught.value)
    assert body["category"] == "OBJECT_ALREADY_EXISTS"
    assert body["status"] == "error" and body["errors"][0]["in"] == "name"
    assert set(fixture("error_409_object_already_exists_contacts.json")) >= set(body)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"groupName": "no_such_group"}, "groupName"),
        ({"label": None}, "label"),
        ({"type": "enumeration", "fieldType": "select"}, "options"),  # an enumeration needs options
        ({"fieldType": "select"}, "fieldType"),  # a string is not a select
        (
            {
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "a"}],
            },
            "options[1].value",
        ),
    ],
)
def test_an_invalid_create_is_a_400_validation_error(
    sandbox: Sandbox, change: dict[str, Any], where: str
) -> None:
    body = {
        "name": "x_prop",
        "label": "X",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    body = {k: v for k, v in {**body, **change}.items() if v is not None}
    refused = sandbox.raw("POST", "/crm/v3/properties/contacts", body)
    assert refused.status == 400
    assert refused.body["category"] == "VALIDATION_ERROR"
    assert refused.body["errors"][0]["in"] == where
    assert sandbox.raw("GET", "/crm/v3/properties/contacts/x_prop").status == 404


# ------------------------------------------------------------------------------------------ 4. update


def test_patch_options_replaces_the_whole_list(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    current = api.get_by_name("contacts", "hs_lead_status").options
    options = [option(o.label, o.value, o.display_order, hidden=o.value == "BAD_TIMING") for o in current]
    api.update("contacts", "hs_lead_status", PropertyUpdate(options=options))
    stored = api.get_by_name("contacts", "hs_lead_status").options
    assert len(stored) == 8
    assert [o.value for o in stored if o.hidden] == ["BAD_TIMING"]
    api.update("contacts", "hs_lead_status", PropertyUpdate(options=[option("New", "NEW", 0)]))
    assert [o.value for o in api.get_by_name("contacts", "hs_lead_status").options] == ["NEW"]


def test_patch_description_of_a_custom_property_keeps_everything_else(sandbox: Sandbox) -> None:
    before = raw_property(sandbox, "contacts", "lead_source_detail")
    api = sandbox.client().crm.properties.core_api
    api.update(
        "contacts", "lead_source_detail", PropertyUpdate(description="Where exactly the lead came from")
    )
    after = raw_property(sandbox, "contacts", "lead_source_detail")
    assert after["description"] == "Where exactly the lead came from"
    assert after["updatedAt"] != before["updatedAt"] and ISO_MS.match(after["updatedAt"])
    unchanged = {k: v for k, v in before.items() if k not in ("description", "updatedAt")}
    assert {k: after[k] for k in unchanged} == unchanged


# ---------------------------------------------------------------------------------- 5. read-only rules


def test_read_only_definition_refuses_a_description_change(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    with pytest.raises(ApiException) as caught:
        api.update("contacts", "hs_lead_status", PropertyUpdate(description="Our lead statuses"))
    assert caught.value.status == 400
    body = error_body(caught.value)
    assert body["category"] == "VALIDATION_ERROR" and body["status"] == "error"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["correlationId"])
    assert api.get_by_name("contacts", "hs_lead_status").description == (
        "The contact's sales, prospecting or outreach status"
    )
    # Resending the stored value is not a change, so it is accepted.
    api.update("contacts", "hs_lead_status", PropertyUpdate(label="Lead Status"))


def test_read_only_definition_still_allows_options(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    current = api.get_by_name("contacts", "hs_lead_status").options
    options = [option(o.label, o.value, o.display_order) for o in current] + [option("Nurture", "NURTURE", 8)]
    _, status, _ = api.update_with_http_info("contacts", "hs_lead_status", PropertyUpdate(options=options))
    assert status == 200
    assert api.get_by_name("contacts", "hs_lead_status").options[-1].value == "NURTURE"


@pytest.mark.parametrize(
    "name", ["hs_analytics_source", "lifecyclestage"]
)  # readOnlyOptions / externalOptions
def test_locked_options_are_refused(sandbox: Sandbox, name: str) -> None:
    api = sandbox.client().crm.properties.core_api
    with pytest.raises(ApiException) as caught:
        api.update("contacts", name, PropertyUpdate(options=[option("Partner", "partner", 0)]))
    assert caught.value.status == 400
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"
    assert "partner" not in [o.value for o in api.get_by_name("contacts", name).options]


def test_duplicate_option_values_in_a_patch_are_refused(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    options = [option("New", "NEW", 0), option("New again", "NEW", 1)]
    with pytest.raises(ApiException) as caught:
        api.update("contacts", "hs_lead_status", PropertyUpdate(options=options))
    assert caught.value.status == 400
    assert len(api.get_by_name("contacts", "hs_lead_status").options) == 8


# ----------------------------------------------------------------------------------------- 6. archive


def test_archive_moves_a_property_to_the_archived_list(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    _, status, _ = api.archive_with_http_info("contacts", "lead_source_detail")
    assert status == 204
    assert "lead_source_detail" not in [p.name for p in api.get_all("contacts", archived=False).results]
    archived = {p.name: p for p in api.get_all("contacts", archived=True).results}
    assert archived["lead_source_detail"].archived is True
    assert archived["lead_source_detail"].archived_at is not None
    with pytest.raises(NotFoundException):
        api.get_by_name("contacts", "lead_source_detail")
    assert api.get_by_name("contacts", "lead_source_detail", archived=True).name == "lead_source_detail"


def test_a_non_archivable_property_is_refused(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    with pytest.raises(ApiException) as caught:
        api.archive("deals", "closed_lost_reason")
    assert caught.value.status == 400
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"
    assert api.get_by_name("deals", "closed_lost_reason").archived in (None, False)


# ------------------------------------------------------------------------------------------- 7. batch


def test_batch_read_is_207_when_a_name_is_missing(sandbox: Sandbox) -> None:
    batch = sandbox.client().crm.properties.batch_api
    names = [PropertyName(name="dealstage"), PropertyName(name="no_such_property")]
    data, status, _ = batch.read_with_http_info(
        "deals", BatchReadInputPropertyName(archived=False, inputs=names)
    )
    assert status == 207
    assert data.status == "COMPLETE" and data.num_errors == 1
    assert [p.name for p in data.results] == ["dealstage"]
    assert data.errors[0].category == "OBJECT_NOT_FOUND"
    complete, status, _ = batch.read_with_http_info(
        "deals", BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="dealtype")])
    )
    assert status == 200 and complete.started_at and complete.completed_at


def test_batch_create_and_batch_archive(sandbox: Sandbox) -> None:
    client = sandbox.client()
    batch, core = client.crm.properties.batch_api, client.crm.properties.core_api
    inputs = [
        PropertyCreate(
            name=f"reason_{n}",
            label=f"Reason {n}",
            type="string",
            field_type="textarea",
            group_name="deal_activity",
        )
        for n in (1, 2)
    ]
    data, status, _ = batch.create_with_http_info("deals", BatchInputPropertyCreate(inputs=inputs))
    assert status == 201
    assert sorted(p.name for p in data.results) == ["reason_1", "reason_2"]
    _, status, _ = batch.archive_with_http_info(
        "deals", BatchInputPropertyName(inputs=[PropertyName(name="reason_1")])
    )
    assert status == 204
    live = [p.name for p in core.get_all("deals", archived=False).results]
    assert "reason_1" not in live and "reason_2" in live


def test_batch_create_reports_a_duplicate_as_207(sandbox: Sandbox) -> None:
    inputs = [
        {"name": n, "label": n, "type": "string", "fieldType": "text", "groupName": "dealinformation"}
        for n in ("dealname", "fresh_one")
    ]
    answer = sandbox.raw("POST", "/crm/v3/properties/deals/batch/create", {"inputs": inputs})
    assert answer.status == 207
    assert [p["name"] for p in answer.body["results"]] == ["fresh_one"]
    assert answer.body["errors"][0]["category"] == "OBJECT_ALREADY_EXISTS"


def test_there_is_no_batch_update(sandbox: Sandbox) -> None:
    answer = sandbox.raw("POST", "/crm/v3/properties/contacts/batch/update", {"inputs": []})
    assert answer.status == 404
    assert answer.body["status"] == "error"


# ------------------------------------------------------------------------------- 8. groups, pipelines


def test_groups_list_create_and_duplicate(sandbox: Sandbox) -> None:
    groups = sandbox.client().crm.properties.groups_api
    assert {"dealinformation", "deal_activity"} <= {g.name for g in groups.get_all("deals").results}
    created, status, _ = groups.create_with_http_info(
        "deals", PropertyGroupCreate(name="revenue_definitions", label="Revenue definitions", display_order=3)
    )
    assert status == 201 and created.archived is False
    assert groups.get_by_name("deals", "revenue_definitions").label == "Revenue definitions"
    with pytest.raises(ApiException) as caught:
        groups.create("deals", PropertyGroupCreate(name="revenue_definitions", label="Again"))
    assert caught.value.status == 409
    assert error_body(caught.value)["category"] == "OBJECT_ALREADY_EXISTS"


def test_deal_pipelines_have_the_default_stages(sandbox: Sandbox) -> None:
    pipelines = sandbox.client().crm.pipelines.pipelines_api
    [default] = pipelines.get_all("deals").results
    assert default.id == "default" and default.label == "Sales Pipeline"
    stages = {s.id: s for s in default.stages}
    assert list(stages) == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    assert stages["closedwon"].metadata == {"isClosed": "true", "probability": "1.0"}
    assert stages["qualifiedtobuy"].write_permissions == "CRM_PERMISSIONS_ENFORCEMENT"
    assert pipelines.get_by_id("deals", "default").stages[0].label == "Appointment Scheduled"
    with pytest.raises(PipelineNotFound):
        pipelines.get_by_id("deals", "nope")


# -------------------------------------------------------------------------------------------- 9. auth


def test_a_wrong_token_is_the_sdks_unauthorized(sandbox: Sandbox) -> None:
    with pytest.raises(UnauthorizedException) as caught:
        sandbox.client(token="pat-na1-wrong").crm.properties.core_api.get_all("contacts")
    body = error_body(caught.value)
    assert body["category"] == "INVALID_AUTHENTICATION" and body["status"] == "error"
    missing = sandbox.raw("GET", "/crm/v3/properties/contacts", token=None)
    assert missing.status == 401 and missing.body["category"] == "INVALID_AUTHENTICATION"


# --------------------------------------------------------------------------------------- 10. limits


def test_the_ten_second_window_refuses_the_sixth_request(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(rate_per_10s=5)
    # urllib3's default Retry would honour Retry-After and retry the GET itself (sleeping); see it raw instead.
    api = sandbox.client(retry=Retry(total=0, respect_retry_after_header=False)).crm.properties.core_api
    remaining = []
    for _ in range(5):
        _, _, headers = api.get_all_with_http_info("contacts")
        remaining.append(headers["X-HubSpot-RateLimit-Remaining"])
    assert remaining == ["4", "3", "2", "1", "0"]
    sandbox.clock.now += 9.5
    with pytest.raises(ApiException) as caught:
        api.get_all("contacts")
    assert caught.value.status == 429
    body = error_body(caught.value)
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    headers = caught.value.headers
    assert all(name in headers for name in RATE_HEADERS)
    assert headers["X-HubSpot-RateLimit-Max"] == "5" and headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert headers["Retry-After"] == "1"
    sandbox.clock.now += 0.5
    assert api.get_all("contacts").results


def test_the_daily_budget_refuses_with_the_daily_body(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(daily_limit=3)
    for _ in range(3):
        sandbox.clock.now += 20
        assert sandbox.raw("GET", "/crm/v3/properties/deals").status == 200
    refused = sandbox.raw("GET", "/crm/v3/properties/deals")
    assert refused.status == 429
    real = fixture("error_429_daily_limit.json")
    assert set(refused.body) == set(real)
    assert {k: refused.body[k] for k in ("status", "message", "errorType", "policyName")} == {
        k: real[k] for k in ("status", "message", "errorType", "policyName")
    }
    assert refused.headers["X-HubSpot-RateLimit-Daily"] == "3"
    assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_every_response_carries_the_rate_limit_headers(sandbox: Sandbox) -> None:
    for answer in (
        sandbox.raw("GET", "/crm/v3/pipelines/deals"),
        sandbox.raw("GET", "/nowhere"),
        sandbox.raw("GET", "/crm/v3/properties/deals", token="wrong"),
    ):
        assert all(name in answer.headers for name in RATE_HEADERS), answer.status


def test_injected_faults(tmp_path: Path, shared: Shared) -> None:
    state = SandboxState.open(tmp_path / "state", seed_state)
    log = RequestLog(None)
    faults = FaultPlan(schedule={1: "429", 2: "5xx"})
    server = RunningServer(HubSpotApi(state), 0, shared.tls.server_context(), faults, log).start()
    try:
        sandbox = Sandbox(server.port, shared.tls, state, FakeClock(), log)
        first = sandbox.raw("GET", "/crm/v3/properties/deals")
        assert first.status == 429 and first.body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert first.headers["X-HubSpot-RateLimit-Remaining"] == "0" and first.headers["Retry-After"] == "1"
        second = sandbox.raw("GET", "/crm/v3/properties/deals")
        assert second.status == 503 and second.body["status"] == "error" and second.body["correlationId"]
        assert all(name in second.headers for name in RATE_HEADERS)
        assert sandbox.raw("GET", "/crm/v3/properties/deals").status == 200
    finally:
        server.stop()
    assert [e["action"] for e in log.entries] == ["injected.429", "injected.5xx", "properties.list"]


# ---------------------------------------------------------------------------------------- 11. state


def test_a_change_survives_reopening_the_state(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    api.update("contacts", "lead_source_detail", PropertyUpdate(description="Persisted"))
    api.archive("contacts", "hs_buying_role")
    reopened = SandboxState.open(sandbox.state.folder, seed_state)
    contacts = reopened.data["hubspot"]["properties"]["contacts"]
    assert contacts["lead_source_detail"]["description"] == "Persisted"
    assert contacts["hs_buying_role"]["archived"] is True
    assert reopened.token == sandbox.state.token


def test_the_request_log_names_the_operation(sandbox: Sandbox) -> None:
    api = sandbox.client().crm.properties.core_api
    api.get_by_name("deals", "dealtype")
    with pytest.raises(ApiException):
        api.update("deals", "dealtype", PropertyUpdate(label="Kind of deal"))
    assert [(e["action"], e["status"]) for e in sandbox.log.entries] == [
        ("properties.read", 200),
        ("properties.update", 400),
    ]


def test_daily_usage_has_the_documented_shape_and_counts_calls(sandbox: Sandbox) -> None:
    recorded = fixture("account_info_api_usage_daily_private_apps.json")
    sandbox.raw("GET", "/crm/v3/properties/deals")
    answer = sandbox.raw("GET", "/account-info/v3/api-usage/daily/private-apps")
    assert answer.status == 200
    assert shape(answer.body) == shape(recorded)
    usage = answer.body["results"][0]
    assert usage["name"] == "private-apps-api-calls-daily" and usage["currentUsage"] >= 2
