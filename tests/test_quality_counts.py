"""`crmdefs quality`'s counts (quality/collect.py) against the sandbox, through the real clients: records per
value equal those computed here from the seeded org (``records_seed()``), the request log shows one
aggregate call per Salesforce field and requirement and, on HubSpot, one search per option, one for the
empty ones and one per requirement; unlisted and inactive values are named; the seeded breaches break the
shipped thresholds and relaxed ones do not; a property the portal lacks is skipped with why; ``--since``
counts the records changed in the window and refuses what it cannot read."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.properties import OptionInput, PropertyUpdate

from crmdefs.commands.options import build_settings
from crmdefs.errors import OptionsError
from crmdefs.quality.collect import collect_report, parse_since
from crmdefs.quality.model import BreachKind, FieldQuality, QualityReport, ValueStatus
from crmdefs.sandbox.hubspot_seed import hubspot_seed
from crmdefs.sandbox.options import SEARCH_RATE_ENV, SandboxOptions
from crmdefs.sandbox.records_seed import records_seed
from crmdefs.sandbox.service import Sandbox, SandboxInfo, seed

from .conftest import REPO, write_files

KEY = "QUALITY_PORTAL_KEY"
# A deal-stage binding with a requirement (HubSpot: checked through data), and one on Opportunity.StageName.
EXTRA_BINDINGS = """\
kind: field
hubspot: deals.dealstage
pipeline: default
document_only: true
picklist:
  values:
    - {value: closedwon, label: Closed Won, closed: true, won: true}
    - {value: closedlost, label: Closed Lost, closed: true, won: false}
requirements:
  - when: [closedlost]
    require: [closed_lost_reason]
    min_filled: 95%
"""


@pytest.fixture(scope="module", name="portal")
def portal_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, SandboxInfo]]:
    # The adapter paces its searches at 5 a second itself; the sandbox's own limit is lifted so that no
    # 429 and retry ever adds a request to the log this module counts.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SEARCH_RATE_ENV, "1000")
        options = SandboxOptions.from_env(os.environ)
    sandbox = Sandbox(tmp_path_factory.mktemp("quality"), options, log_to_file=False)
    info = sandbox.start()
    yield sandbox, info
    sandbox.stop()


@pytest.fixture(name="project")
def project_fixture(
    tmp_path: Path, portal: tuple[Sandbox, SandboxInfo], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The shipped definitions on a freshly seeded portal, as target 'portal'."""
    sandbox, info = portal
    sandbox.state.reset(seed)
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": "targets:\n  portal:\n"
            f"    salesforce: {{instance_url: '{info.instance_url}', access_token_env: {KEY}}}\n"
            f"    hubspot: {{base_url: '{info.base_url}', access_token_env: {KEY}}}\n"
            f"    ca_bundle: {info.ca_bundle}\n"
        },
    )
    monkeypatch.setenv(KEY, info.access_token)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def collect(project: Path, since: str | None = None) -> QualityReport:
    settings = build_settings(project / "crmdefs.yaml", None)
    return collect_report(settings, [], since, lambda _line: None)


def field(report: QualityReport, address: str) -> FieldQuality:
    return next(f for g in report.groups for f in g.fields if f.address == address)


def by_value(quality: FieldQuality) -> dict[str, int]:
    return {v.value: v.records for v in quality.values if v.records}


def with_requirements(project: Path) -> None:
    """The test's extra bindings: a HubSpot deal-stage requirement and a Salesforce stage requirement."""
    (project / "definitions" / "fields" / "stages.yaml").write_text(EXTRA_BINDINGS, encoding="utf-8")
    path = project / "definitions" / "fields" / "salesforce.yaml"
    text = path.read_text(encoding="utf-8")
    shipped = '    message: {intro: "Choose a Loss Reason before you set the stage to Closed Lost.", term: closed-lost}\n'  # the shipped Closed Lost requirement
    path.write_text(text.replace(shipped, shipped + "    min_filled: 95%\n", 1), encoding="utf-8")


SEEDED = records_seed()
OPPORTUNITIES: list[dict[str, Any]] = list(SEEDED["salesforce"]["records"]["Opportunity"].values())
LEADS: list[dict[str, Any]] = list(SEEDED["salesforce"]["records"]["Lead"].values())
DEALS: list[dict[str, Any]] = list(SEEDED["hubspot"]["objects"]["deals"].values())
CONTACTS: list[dict[str, Any]] = list(SEEDED["hubspot"]["objects"]["contacts"].values())


def held(records: list[dict[str, Any]], name: str, *, hubspot: bool = False) -> Counter[str]:
    values = (r["properties"].get(name) if hubspot else r.get(name) for r in records)
    return Counter(v for v in values if v not in (None, ""))


def test_counts_per_value_are_the_seeded_records(project: Path) -> None:
    report = collect(project)

    loss = field(report, "Opportunity.Loss_Reason__c")
    assert by_value(loss) == held(OPPORTUNITIES, "Loss_Reason__c")
    assert (loss.total, loss.empty) == (
        len(OPPORTUNITIES),
        sum(1 for r in OPPORTUNITIES if not r["Loss_Reason__c"]),
    )
    assert by_value(field(report, "Opportunity.StageName")) == held(OPPORTUNITIES, "StageName")
    assert by_value(field(report, "Lead.Status")) == held(LEADS, "Status")
    status = field(report, "contacts.hs_lead_status")
    assert by_value(status) == held(CONTACTS, "hs_lead_status", hubspot=True)
    assert status.empty == sum(1 for c in CONTACTS if not c["properties"]["hs_lead_status"])
    assert status.total == len(CONTACTS)
    assert by_value(field(report, "deals.dealtype")) == held(DEALS, "dealtype", hubspot=True)
    # The shared list's side by side: its group carries the Salesforce field (the HubSpot one is skipped).
    group = next(g for g in report.groups if g.key == "closed-lost-reasons")
    assert group.title == "Closed-lost reasons" and [f.address for f in group.fields] == [
        "Opportunity.Loss_Reason__c"
    ]


def test_unlisted_and_inactive_values_are_named(project: Path, portal: tuple[Sandbox, SandboxInfo]) -> None:
    _sandbox, info = portal
    hs = HubSpot(access_token=info.access_token, host=info.base_url, ssl_ca_cert=str(info.ca_bundle))
    prop = hs.crm.properties.core_api.get_by_name(object_type="contacts", property_name="hs_lead_status")
    options = [
        OptionInput(
            label=o.label, value=o.value, display_order=o.display_order, hidden=o.value == "BAD_TIMING"
        )
        for o in prop.options
    ]
    hs.crm.properties.core_api.update(
        object_type="contacts",
        property_name="hs_lead_status",
        property_update=PropertyUpdate(options=options),
    )

    report = collect(project)

    loss = {v.value: v for v in field(report, "Opportunity.Loss_Reason__c").values}
    # Legacy values the definitions rename, still held by records: unlisted, with how many.
    assert loss["pricing"].status is ValueStatus.UNLISTED and loss["pricing"].definition is None
    assert loss["pricing"].records == held(OPPORTUNITIES, "Loss_Reason__c")["pricing"]
    assert loss["Price"].status is ValueStatus.LISTED and loss["Price"].definition == "Price"
    assert loss["Other"].catch_all and not loss["Price"].catch_all
    # A listed value the CRM does not have yet (apply creates it): missing, no records.
    assert loss["Timing"].status is ValueStatus.MISSING and loss["Timing"].records == 0
    lead = {v.value: v for v in field(report, "contacts.hs_lead_status").values}
    assert lead["BAD_TIMING"].status is ValueStatus.INACTIVE and lead["BAD_TIMING"].label == "Bad Timing"
    assert lead["BAD_TIMING"].records == held(CONTACTS, "hs_lead_status", hubspot=True)["BAD_TIMING"] > 0
    assert lead["NEW"].status is ValueStatus.LISTED


def test_one_aggregate_call_per_field_and_requirement(
    project: Path, portal: tuple[Sandbox, SandboxInfo]
) -> None:
    sandbox, _info = portal
    with_requirements(project)
    start = len(sandbox.log.entries)

    report = collect(project)

    log = sandbox.log.entries[start:]
    queries = [e for e in log if e["api"] == "salesforce" and "/query" in str(e["path"])]
    searches = [e for e in log if e["api"] == "hubspot" and str(e["path"]).endswith("/search")]
    salesforce = [f for g in report.groups for f in g.fields if f.crm == "salesforce"]
    # Salesforce: Lead.Status, StageName, Loss_Reason__c — one GROUP BY each — plus the stage requirement.
    assert len(salesforce) == 3 and len(queries) == 3 + 1
    assert [f.calls for f in salesforce if f.address == "Opportunity.StageName"] == [2]
    # HubSpot: one search per option of each property, one for the empty ones, one per requirement.
    portal_seed = hubspot_seed()
    properties = portal_seed["properties"]["contacts"]
    stages = next(p for p in portal_seed["pipelines"]["deals"] if p["id"] == "default")["stages"]
    options = len(properties["hs_lead_status"]["options"]) + len(properties["lifecyclestage"]["options"])
    options += len(portal_seed["properties"]["deals"]["dealtype"]["options"]) + len(stages)
    assert len(searches) == options + 4 + 1
    assert all(e["status"] == 200 for e in queries + searches)

    stage = field(report, "Opportunity.StageName")
    closed_lost = [r for r in OPPORTUNITIES if r["StageName"] == "Closed Lost"]
    [requirement] = stage.requirements
    assert (requirement.matching, requirement.missing) == (
        len(closed_lost),
        sum(1 for r in closed_lost if not r["Loss_Reason__c"]),
    )
    assert [b.kind for b in stage.breaches] == [BreachKind.REQUIREMENT]
    lines = (project / "definitions" / "fields" / "salesforce.yaml").read_text().splitlines()
    where = lines.index("  - when: [Closed Lost]") + 1
    assert stage.breaches[0].source == f"definitions/fields/salesforce.yaml:{where}"
    deals = field(report, "deals.dealstage")
    lost = [d for d in DEALS if d["properties"]["dealstage"] == "closedlost"]
    [requirement] = deals.requirements
    assert requirement.when == ("closedlost",) and requirement.matching == len(lost)
    assert requirement.missing == sum(1 for d in lost if not d["properties"]["closed_lost_reason"]) > 0


def test_the_seeded_breach_breaks_the_shipped_threshold_and_relaxed_ones_pass(project: Path) -> None:
    report = collect(project)

    [breach] = report.breaches
    others = held(OPPORTUNITIES, "Loss_Reason__c")["Other"]
    assert (breach.kind, breach.subject, breach.threshold) == (BreachKind.MAX_SHARE, "Other", 10.0)
    assert breach.actual == pytest.approx(100.0 * others / len(OPPORTUNITIES))
    assert breach.source.startswith("definitions/fields/salesforce.yaml:")
    assert field(report, "Opportunity.Loss_Reason__c").catch_all_share == pytest.approx(breach.actual)

    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(path.read_text().replace("{Other: 10%}", "{Other: 25%}"), encoding="utf-8")
    assert collect(project).breaches == ()


def test_a_property_the_portal_lacks_is_skipped_with_why(project: Path) -> None:
    report = collect(project)

    assert report.skipped == {
        "hubspot:deals.closed_lost_reason_code": "target 'portal' has no HubSpot property "
        "deals.closed_lost_reason_code — `crmdefs apply` creates it; its records are counted once it exists"
    }
    assert all(f.address != "deals.closed_lost_reason_code" for g in report.groups for f in g.fields)


def test_since_counts_the_records_changed_in_the_window(project: Path) -> None:
    report = collect(project, "90d")

    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=90)
    assert report.since == "90d" and report.window_start is not None

    def recent(stamp: str) -> bool:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("+0000", "+00:00")) >= start

    opportunities = [r for r in OPPORTUNITIES if recent(r["LastModifiedDate"])]
    assert 0 < len(opportunities) < len(OPPORTUNITIES)  # the seed puts some records outside 90 days
    loss = field(report, "Opportunity.Loss_Reason__c")
    assert loss.total == len(opportunities) and by_value(loss) == held(opportunities, "Loss_Reason__c")
    deals = [d for d in DEALS if recent(d["properties"]["hs_lastmodifieddate"])]
    assert 0 < len(deals) < len(DEALS)
    dealtype = field(report, "deals.dealtype")
    assert dealtype.total == len(deals) and by_value(dealtype) == held(deals, "dealtype", hubspot=True)
    contacts = [c for c in CONTACTS if recent(c["properties"]["lastmodifieddate"])]
    assert by_value(field(report, "contacts.hs_lead_status")) == held(
        contacts, "hs_lead_status", hubspot=True
    )
    # The seeded breach holds in the window too (records_seed.py: 6 "Other" of 40).
    assert [b.subject for b in report.breaches] == ["Other"]


@pytest.mark.parametrize("text", ["90", "90x", "0d", "-5d", "ninety days", "", "999999m"])
def test_since_that_is_not_a_window_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(OptionsError) as refused:
        parse_since(text)
    assert str(refused.value).startswith(f"--since {text!r} ")
    assert "e.g. --since 90d, 12w or 6m" in str(refused.value)


def test_since_reads_days_weeks_and_months() -> None:
    assert parse_since("90d") == dt.timedelta(days=90)
    assert parse_since("12w") == dt.timedelta(weeks=12)
    assert parse_since(" 6M ") == dt.timedelta(days=180)
