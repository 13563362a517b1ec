"""Dependent picklists (``depends_on:``), end to end: the sandbox keeps and refuses a CustomField's
``controllingField`` / ``valueSettings`` as Salesforce does and shows the dependency in REST describe
(docs/salesforce.md#sf-dependent-matrix, docs/salesforce.md#sf-dependent-describe); the real CLI plans the
matrix, applies it, converges, notices a matrix edited in the CRM, keeps the rows of values it does not
list, never switches a field's controller, and names file:line for a typo in the controlling field or
value."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunCli, write_files
from .salesforce_sandbox import Org
from .salesforce_sandbox import org_fixture as org_fixture  # pytest fixture
from .salesforce_sandbox import running_org_fixture as running_org_fixture  # pytest fixture

REASONS = "Opportunity.Loss_Reason__c"


def _depend(org: Org, controller: str, settings: dict[str, list[str]]) -> Any:
    """Save Loss_Reason__c as dependent on ``controller`` with ``settings`` (value → controlling values)."""
    md = org.client().mdapi
    field = md.CustomField.read([REASONS])
    field.valueSet.controllingField = controller
    field.valueSet.valueSettings = [
        md.ValueSettings(controllingFieldValue=values, valueName=value) for value, values in settings.items()
    ]
    return org.metadata().call("updateMetadata", [field])[0]


def _describe_field(org: Org, name: str) -> dict[str, Any]:
    described: dict[str, Any] = org.client().restful("sobjects/Opportunity/describe")
    return next(f for f in described["fields"] if f["name"] == name)


def controlling_values_of(valid_for: str | None, controlling: Sequence[str]) -> tuple[str, ...]:
    """The controlling values a describe ``validFor`` bitmap offers a value for, decoded as real clients
    decode it (``controlling``: the controller's describe values in order, or a checkbox's two columns):
    bit i is ``0x80 >> (i % 8)`` of byte ``i >> 3`` (docs/salesforce.md#sf-dependent-describe)."""
    if not valid_for:
        return ()
    try:
        data = base64.b64decode(valid_for)
    except (binascii.Error, ValueError):
        return ()
    return tuple(
        c for i, c in enumerate(controlling) if i >> 3 < len(data) and data[i >> 3] & (0x80 >> (i % 8))
    )


# --- the sandbox ------------------------------------------------------------------------------------------


def test_sandbox_keeps_the_matrix_and_describe_shows_it(org: Org) -> None:
    saved = _depend(org, "StageName", {"Price": ["Closed Lost"], "Other": ["Closed Lost", "Closed Won"]})
    assert saved.success, saved.errors
    again = org.client().mdapi.CustomField.read([REASONS])
    assert again.valueSet.controllingField == "StageName"
    assert {s.valueName: list(s.controllingFieldValue) for s in again.valueSet.valueSettings} == {
        "Price": ["Closed Lost"],
        "Other": ["Closed Lost", "Closed Won"],
    }
    field = _describe_field(org, "Loss_Reason__c")
    assert field["dependentPicklist"] is True and field["controllerName"] == "StageName"
    stages = [v["value"] for v in _describe_field(org, "StageName")["picklistValues"]]
    by_value = {v["value"]: v["validFor"] for v in field["picklistValues"]}
    # Decoded as a real client decodes it (docs/salesforce.md#sf-dependent-describe)
    assert controlling_values_of(by_value["Price"], stages) == ("Closed Lost",)
    assert controlling_values_of(by_value["Other"], stages) == ("Closed Won", "Closed Lost")
    assert controlling_values_of(by_value["pricing"], stages) == ()  # no settings: offered for none
    assert _describe_field(org, "StageName")["dependentPicklist"] is False


@pytest.mark.parametrize(
    ("controller", "settings", "error"),
    [
        ("Stage__c", {"Price": ["Closed Lost"]}, "controlling field Stage__c does not exist on Opportunity"),
        (
            "StageName",
            {"Price": ["Closed Lots"]},
            "controlling value Closed Lots is not a value of StageName",
        ),
        ("Amount", {"Price": ["1"]}, "Amount (currency) cannot control a picklist"),
    ],
)
def test_sandbox_refuses_a_controller_or_value_salesforce_would_refuse(
    org: Org, controller: str, settings: dict[str, list[str]], error: str
) -> None:
    saved = _depend(org, controller, settings)
    assert not saved.success
    assert saved.errors[0].statusCode == "FIELD_INTEGRITY_EXCEPTION"
    assert error in saved.errors[0].message


def test_sandbox_refuses_a_multi_select_controller(org: Org) -> None:
    md = org.client().mdapi
    created = org.metadata().call(
        "createMetadata",
        [
            md.CustomField(
                fullName="Opportunity.Regions__c",
                label="Regions",
                type="MultiselectPicklist",
                visibleLines=4,
                valueSet=md.ValueSet(
                    valueSetDefinition=md.ValueSetValuesDefinition(
                        sorted=False, value=[md.CustomValue(fullName="EMEA", default=False)]
                    )
                ),
            )
        ],
    )[0]
    assert created.success, created.errors
    saved = _depend(org, "Regions__c", {"Price": ["EMEA"]})
    assert not saved.success and "Regions__c (multipicklist) cannot control" in saved.errors[0].message


def test_valid_for_decodes_a_real_bitmap() -> None:
    # "AAAI" from a real org's describe: only the 21st controlling value (index 20) is set
    # (docs/salesforce.md#sf-dependent-describe).
    controllers = [f"v{i}" for i in range(24)]
    assert controlling_values_of("AAAI", controllers) == ("v20",)
    assert base64.b64decode("AAAI") == b"\x00\x00\x08"
    assert controlling_values_of("gAAA", controllers) == ("v0",)
    assert controlling_values_of(None, controllers) == ()


# --- the CLI on the sandbox -------------------------------------------------------------------------------

BINDING = """\
    kind: field
    salesforce: Opportunity.Loss_Reason__c
    picklist:
      values:
        - {value: Price}
        - {value: Other}
    depends_on: {field: StageName, show_when: [Closed Lost]}
    """


def _project(tmp_path: Path, binding: str = BINDING) -> None:
    write_files(tmp_path, {"definitions/reasons.yaml": binding})


def _sandbox(tmp_path: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((tmp_path / ".crmdefs" / "sandbox" / "state.json").read_text())
    return state


def _value_set(tmp_path: Path) -> dict[str, Any]:
    found: dict[str, Any] = _sandbox(tmp_path)["salesforce"]["metadata"]["CustomField"][REASONS]["valueSet"]
    return found


def _matrix(tmp_path: Path) -> dict[str, list[str]]:
    return {s["valueName"]: s["controllingFieldValue"] for s in _value_set(tmp_path).get("valueSettings", [])}


def _edit_in_crm(tmp_path: Path, controller: str, settings: dict[str, list[str]]) -> None:
    """An admin's edit in Setup: the sandbox state changed behind crmdefs' back."""
    path = tmp_path / ".crmdefs" / "sandbox" / "state.json"
    state = _sandbox(tmp_path)
    value_set = state["salesforce"]["metadata"]["CustomField"][REASONS]["valueSet"]
    value_set["controllingField"] = controller
    value_set["valueSettings"] = [{"controllingFieldValue": v, "valueName": k} for k, v in settings.items()]
    path.write_text(json.dumps(state))


def test_plan_shows_the_matrix_apply_writes_it_and_the_next_plan_has_no_changes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    _project(tmp_path)
    planned = run_cli("plan", "-o", "plan.json")
    assert planned.code == 0, planned.err
    assert "+ depends on StageName (new): the StageName values that offer each value" in planned.out
    assert "Closed Lost" in planned.out and '+ "Price"' in planned.out and '+ "Other"' in planned.out
    # values the binding does not list get no settings: said before it happens
    assert "offers a value without settings for no StageName value: 'pricing'" in planned.out
    assert json.loads((tmp_path / "plan.json").read_text())["format_version"] == "1.4"
    applied = run_cli("apply", "plan.json", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert _value_set(tmp_path)["controllingField"] == "StageName"
    assert _matrix(tmp_path) == {"Price": ["Closed Lost"], "Other": ["Closed Lost"]}
    again = run_cli("plan", "--detailed-exitcode")
    assert again.code == 0 and "No changes." in again.out, again.out


def test_show_when_names_the_controllers_definitions_values(run_cli: RunCli, tmp_path: Path) -> None:
    # StageName bound too, with a definitions' value whose Salesforce value differs: depends_on names it
    # as the definitions do, and the matrix gets Salesforce's value.
    write_files(
        tmp_path,
        {
            "definitions/stages.yaml": """\
                kind: field
                salesforce: Opportunity.StageName
                picklist:
                  values:
                    - {value: Lost, closed: true, won: false, probability: 0, forecast_category: Omitted,
                       salesforce: {value: Closed Lost}}
                """,
        },
    )
    _project(tmp_path, BINDING.replace("show_when: [Closed Lost]", "show_when: [Lost]"))
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert _matrix(tmp_path) == {"Price": ["Closed Lost"], "Other": ["Closed Lost"]}


def test_values_the_binding_does_not_list_keep_their_settings(run_cli: RunCli, tmp_path: Path) -> None:
    _project(tmp_path)
    assert run_cli("plan").code == 0  # the sandbox org exists from here on
    _edit_in_crm(tmp_path, "StageName", {"Price": ["Closed Won"], "pricing": ["Closed Won", "Closed Lost"]})
    planned = run_cli("plan")
    assert '~ "Price"' in planned.out and "✓ → ·" in planned.out and '"pricing"' not in planned.out
    assert run_cli("apply", "--auto-approve").code == 0
    assert _matrix(tmp_path) == {
        "pricing": ["Closed Won", "Closed Lost"],  # not listed: kept as it was
        "Price": ["Closed Lost"],
        "Other": ["Closed Lost"],
    }
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_drift_notices_a_matrix_edited_in_the_crm(run_cli: RunCli, tmp_path: Path) -> None:
    _project(tmp_path)
    assert run_cli("apply", "--auto-approve").code == 0
    assert run_cli("drift").code == 0
    _edit_in_crm(tmp_path, "StageName", {"Price": ["Closed Lost", "Closed Won"], "Other": ["Closed Lost"]})
    drift = run_cli("drift")
    assert drift.code == 2, drift.out + drift.err
    assert "changed in the CRM since the last apply" in drift.out
    assert "value 'Price' offered for StageName" in drift.out


def test_a_field_controlled_by_another_field_is_skipped_not_switched(run_cli: RunCli, tmp_path: Path) -> None:
    _project(tmp_path)
    assert run_cli("plan").code == 0
    _edit_in_crm(tmp_path, "Type", {"Price": ["New Customer"]})
    planned = run_cli("plan")
    assert planned.code == 0, planned.err
    text = " ".join(planned.out.split())
    assert (
        "# skipped depends_on: Opportunity.Loss_Reason__c is controlled by Type in Salesforce, not StageName"
    ) in text
    assert "Field Dependencies, or write depends_on: {field: Type, …}" in text
    assert "depends on StageName" not in text
    assert run_cli("apply", "--auto-approve").code == 0
    assert _value_set(tmp_path)["controllingField"] == "Type" and _matrix(tmp_path) == {
        "Price": ["New Customer"]
    }


@pytest.mark.parametrize(
    ("typo", "message", "hint"),
    [
        ("field: StageNam,", "Opportunity has no field 'StageNam'", "did you mean 'StageName'?"),
        ("field: Amount,", "Amount is neither a picklist nor a checkbox", "name a picklist or a checkbox"),
        (
            "show_when: [Closed Lots],",
            "'Closed Lots' is not a value of StageName",
            "did you mean 'Closed Lost'?",
        ),
    ],
)
def test_a_typo_in_the_controlling_field_or_value_names_file_and_line(
    run_cli: RunCli, tmp_path: Path, typo: str, message: str, hint: str
) -> None:
    key = typo.split(":")[0]
    binding = BINDING.replace(
        "depends_on: {field: StageName, show_when: [Closed Lost]}",
        "depends_on: {field: StageName, show_when: [Closed Lost]}".replace(
            "field: StageName," if key == "field" else "show_when: [Closed Lost]",
            typo if key == "field" else typo.rstrip(","),
        ),
    )
    _project(tmp_path, binding)
    refused = run_cli("plan")
    assert refused.code == 1, refused.out
    assert "definitions/reasons.yaml:7" in refused.err, refused.err
    assert message in refused.err and hint in refused.err
    assert "Traceback" not in refused.err


def test_a_checkbox_controls_with_checked_and_unchecked(run_cli: RunCli, tmp_path: Path) -> None:
    _project(
        tmp_path,
        BINDING.replace(
            "field: StageName, show_when: [Closed Lost]", "field: IsPrivate, show_when: [checked]"
        ),
    )
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert _matrix(tmp_path) == {"Price": ["checked"], "Other": ["checked"]}
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_revert_puts_the_matrix_rows_back(run_cli: RunCli, tmp_path: Path) -> None:
    _project(tmp_path)
    assert run_cli("plan").code == 0
    _edit_in_crm(tmp_path, "StageName", {"Price": ["Closed Won"], "pricing": ["Closed Won"]})
    assert run_cli("apply", "--auto-approve").code == 0
    assert _matrix(tmp_path)["Price"] == ["Closed Lost"]
    backup = next((tmp_path / ".crmdefs" / "backups" / "sandbox").glob("*.json"))
    reverted = run_cli("revert", str(backup), "--auto-approve")
    assert reverted.code == 0, reverted.out + reverted.err
    assert _matrix(tmp_path) == {"Price": ["Closed Won"], "pricing": ["Closed Won"]}


def test_a_matrix_too_wide_for_the_page_becomes_one_line_per_value() -> None:
    from crmdefs.definitions.addresses import parse_address
    from crmdefs.plan.changes import Action, DependencyChange, DependencyRow, FieldPlan, Plan
    from crmdefs.render.text import render_plan

    columns = tuple(f"Stage number {i}" for i in range(12))
    change = DependencyChange(
        "StageName", (DependencyRow("Price", (columns[0],), (columns[0], columns[11])),), columns=columns
    )
    field = FieldPlan(parse_address(f"salesforce:{REASONS}"), Action.UPDATE, "", dependency=change)
    text = render_plan(Plan("sandbox", "", "", (field,)), color=False)
    assert (
        '~ "Price": offered when StageName is "Stage number 0" or "Stage number 11" (was: "Stage number 0")'
        in (text)
    )
    assert "Stage number 5" not in text  # no header of twelve columns
    assert "Plan: 0 to add, 1 to change" in text


def test_a_field_created_with_depends_on_gets_its_matrix_in_the_same_apply(
    run_cli: RunCli, tmp_path: Path
) -> None:
    binding = BINDING.replace("Opportunity.Loss_Reason__c", "Opportunity.Churn_Reason__c")
    _project(tmp_path, binding + "create: {label: Churn Reason, type: Picklist}\n")
    applied = run_cli("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    created = _sandbox(tmp_path)["salesforce"]["metadata"]["CustomField"]["Opportunity.Churn_Reason__c"]
    assert created["valueSet"]["controllingField"] == "StageName"
    assert run_cli("plan", "--detailed-exitcode").code == 0


def test_values_on_their_way_out_are_not_warned_about(run_cli: RunCli, tmp_path: Path) -> None:
    """A renamed value is retired once its records move, so a matrix row for it would be wasted; with
    ``unlisted_values: deactivate`` every unlisted value goes: neither is named in the warning."""
    _project(tmp_path, BINDING.replace("- {value: Price}", "- {value: Price, renamed_from: [pricing]}"))
    planned = run_cli("plan")
    assert planned.code == 0, planned.err
    assert "offers a value without settings" in planned.out and "'Lost to Competitor'" in planned.out
    assert "'pricing'" not in planned.out.split("offers a value without settings")[1].splitlines()[0]
    _project(tmp_path, BINDING + "    unlisted_values: deactivate\n")
    assert "offers a value without settings" not in run_cli("plan").out


def test_a_controlling_value_not_in_salesforce_yet_is_named_once(run_cli: RunCli, tmp_path: Path) -> None:
    """Two spellings of one value the controller's binding adds: the skip names it once."""
    write_files(
        tmp_path,
        {
            "definitions/stages.yaml": """\
                kind: field
                salesforce: Opportunity.StageName
                picklist:
                  values:
                    - {value: Closed Lost, closed: true, won: false, probability: 0, forecast_category: Omitted}
                    - {value: On Hold, closed: false, won: false, probability: 5, forecast_category: Pipeline}
                """,
        },
    )
    _project(
        tmp_path, BINDING.replace("show_when: [Closed Lost]", "show_when: [On Hold, on hold, Closed Lost]")
    )
    planned = run_cli("plan")
    assert planned.code == 0, planned.err
    assert "StageName has no value 'On Hold' in Salesforce yet" in " ".join(planned.out.split())
