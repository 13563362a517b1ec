"""`crmdefs import`: definitions bootstrapped from what the CRM holds; planning with them shows no changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmdefs.definitions.load import load_glossary
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.importing.emit import import_file, scalar
from crmdefs.plan.desired import desired_fields
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.state import FieldState, ValueState

from .conftest import REPO, RunCli
from .test_plan_apply import requests_logged


def starter_addresses() -> list[str]:
    """Every field the shipped glossary binds that the seeded sandbox has (the rest are created by apply)."""
    glossary, _ = load_glossary(REPO / "definitions")
    return [str(b.address) for b in glossary.bindings if b.create is None]


def test_import_every_bound_field_of_the_seeded_sandbox_then_plan_shows_zero_changes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    addresses = starter_addresses()
    assert len(addresses) == 7
    result = run_cli("import", *addresses)
    assert result.code == 0, result.err
    written = tmp_path / "definitions" / "imported-sandbox.yaml"
    assert f"wrote definitions/imported-sandbox.yaml: {len(addresses)} fields" in result.err
    text = written.read_text(encoding="utf-8")
    assert (
        "help_text: Stage of the deal. See the 2019 sales playbook on the intranet." in text
    )  # the CRM's words
    assert "# REVIEW: no help text in the CRM" in text
    assert "document_only: true" in text  # lifecyclestage options live in HubSpot's settings

    assert run_cli("validate", "--strict").code == 0
    plan = run_cli("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to add, 0 to change, 0 to deactivate, 0 skipped." in plan.out
    # Reads only: import never writes to the CRM.
    logged = requests_logged(tmp_path)
    assert logged and all(
        e["method"] == "GET" or e.get("action") in ("readMetadata", "listMetadata") for e in logged
    )


def test_import_an_object_takes_its_custom_fields_and_picklists_and_plans_clean(
    run_cli: RunCli, tmp_path: Path
) -> None:
    result = run_cli("import", "--object", "Opportunity", "--object", "hubspot:deals")
    assert result.code == 0, result.err
    text = (tmp_path / "definitions" / "imported-sandbox.yaml").read_text(encoding="utf-8")
    for bound in (
        "salesforce: Opportunity.Loss_Reason__c",
        "salesforce: Opportunity.StageName",
        "hubspot: deals.dealtype",
    ):
        assert bound in text
    assert "Opportunity.Amount" not in text and "deals.dealname" not in text  # not custom, not a picklist
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_inactive_values_are_left_out_and_named() -> None:
    state = FieldState(
        FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c"),
        label="Loss Reason",
        values=(ValueState("Price", "Price", "Too dear."), ValueState("Old", "Old", None, active=False)),
    )
    text = import_file([state], target="prod", today="2026-11-23", schema=None)
    assert "- value: Old" not in text
    assert "# inactive in the CRM, left as they are (crmdefs never deletes values): Old" in text
    none_active = FieldState(state.address, values=(ValueState("Old", "Old", None, active=False),))
    text = import_file([none_active], target="prod", today="2026-11-23", schema=None)
    assert "picklist:" not in text and "every value is inactive in the CRM (Old)" in text


TRICKY = [
    "Plain words",
    'He said "no": then left # not a comment',
    "- starts like a list item",
    "yes",
    "1.0",
    "null",
    "2026-01-01",
    "Ünïcödé – dashes — and emoji 🎯",
    "Line one\nLine two\n  indented",
    "Tabs\tinside",
    "A long sentence " * 12 + "that ends here.",
    "{braces} and [brackets] and &anchors *aliases !tags",
    "trailing colon:",
    "'single quoted'",
    "back\\slash",
]


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_any_crm_text_survives_the_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.chdir(tmp_path)
    address = FieldAddress(Crm.SALESFORCE, "Lead", "Note__c")
    state = FieldState(
        address,
        label="Note",
        help_text=text.strip(),
        description=text.strip(),
        values=(ValueState(text.replace("\n", " ")[:40].strip(), text.strip()[:40].strip(), text.strip()),),
    )
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "imported.yaml").write_text(
        import_file([state], target="t", today="2026-11-23", schema=None), encoding="utf-8"
    )
    glossary, _ = load_glossary(tmp_path / "defs")
    plan = compute_plan(
        desired_fields(glossary), {address: state}, target="t", definitions_digest="", created_at=""
    )
    assert plan.changes == (), plan.fields


@pytest.mark.parametrize(
    "text", ["yes", "No", "on", "1", "0x1F", "1e3", "~", "null", "2026-01-01", "a: b", "#x"]
)
def test_scalars_that_yaml_would_misread_are_quoted(text: str) -> None:
    import yaml

    assert yaml.safe_load(scalar(text)) == text


def test_import_errors_are_clear_and_write_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    missing = run_cli("import", "salesforce:Lead.Status", "hubspot:deals.no_such_property")
    assert missing.code == 1
    assert (
        "not in the CRM: hubspot:deals.no_such_property" in missing.err
        and "nothing was written" in missing.err
    )
    assert not (tmp_path / "definitions").exists()

    assert run_cli("import", "salesforce:Lead.Status").code == 0
    again = run_cli("import", "salesforce:Lead.Status")
    assert (
        again.code == 1
        and "imported-sandbox.yaml already exists — choose another --out, or pass --force" in again.err
    )

    bound = run_cli("import", "salesforce:Lead.Status", "--out", "definitions/more.yaml")
    assert bound.code == 1
    assert "salesforce:Lead.Status is already bound at definitions/imported-sandbox.yaml" in bound.err
    assert not (tmp_path / "definitions" / "more.yaml").exists()

    unknown = run_cli("import", "--object", "Invoice__c", "--out", "-")
    assert unknown.code == 1 and "Salesforce has no object 'Invoice__c'" in unknown.err
    assert run_cli("import").code == 64
    for result in (missing, again, bound, unknown):
        assert "Traceback" not in result.err
