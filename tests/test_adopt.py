"""`crmdefs adopt` end to end on the sandbox, through the real CLI: an admin's edits in Setup and in
HubSpot's settings (made through the real client libraries) written back into the starter glossary with a
diff that touches only those lines, the next plan, `validate --since`, and what is not adopted and why."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hubspot.crm.properties import OptionInput

from crmdefs.adopt.locate import Sources
from crmdefs.adopt.run import Written, write_all
from crmdefs.errors import CrmdefsError

from .conftest import REPO, RunCli, assert_golden
from .test_plan_apply import edit_hubspot_options, requests_logged, sandbox_clients
from .test_validate_since import git

NEW_HELP = (
    "Where the deal stands today. Move it only when the stage's exit criteria are met: probability and "
    "forecast category follow the stage."
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def definitions(project: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(project)): p.read_bytes() for p in sorted((project / "definitions").rglob("*.yaml"))
    }


def edit_in_setup(
    project: Path, *, help_text: str | None = None, description: str | None = None, add_reason: bool = False
) -> None:
    """What an admin does in Setup: StageName's help text, Loss_Reason__c's description, a new loss reason."""
    sandbox, sf, _ = sandbox_clients(project)
    try:
        stage = sf.mdapi.CustomField.read(["Opportunity.StageName"])
        loss = sf.mdapi.CustomField.read(["Opportunity.Loss_Reason__c"])
        if help_text is not None:
            stage.inlineHelpText = help_text
        if description is not None:
            loss.description = description
        if add_reason:
            value = type(loss.valueSet.valueSetDefinition.value[0])
            loss.valueSet.valueSetDefinition.value.append(
                value(
                    fullName="Budget Cut",
                    label="Budget Cut",
                    default=False,
                    description="The buyer's budget was cut.",
                )
            )
        sf.mdapi.CustomField.update([stage, loss])
    finally:
        sandbox.stop()


def add_a_deal_type_in_hubspot(project: Path) -> None:
    def added(options: list[Any]) -> list[OptionInput]:
        kept = [
            OptionInput(
                label=o.label, value=o.value, description=o.description, hidden=o.hidden, display_order=i
            )
            for i, o in enumerate(options)
        ]
        partner = OptionInput(
            label="Partner Deal",
            value="partnerdeal",
            description="Sourced and co-sold with a partner: 'referral' #1.",
            hidden=False,
            display_order=len(kept),
        )
        return [*kept, partner]

    edit_hubspot_options(project, "deals", "dealtype", added)


def diff_part(output: str) -> str:
    """The unified diff at the head of `adopt --dry-run`'s output (the report follows a blank line), with
    today's date, which the REVIEW comments and changelog entries carry, as <today>."""
    return output.split("\n\n", 1)[0].replace(dt.date.today().isoformat(), "<today>") + "\n"


def bound(project: Path, field: str) -> dict[str, object]:
    """The binding of a Salesforce field, as the YAML now reads."""
    written = yaml.safe_load_all((project / "definitions/fields/salesforce.yaml").read_text())
    return next(d for d in written if d.get("salesforce") == field)


def flat(output: str) -> str:
    """The report with its line wrapping undone."""
    return " ".join(output.split())


def plan_fields(run_cli: RunCli) -> dict[str, dict[str, object]]:
    planned = run_cli("plan", "--format", "json")
    assert planned.code == 0, planned.err
    return {f["address"]: f for f in json.loads(planned.out)["fields"] if f["action"] != "none"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_edits_in_the_crms_are_adopted_with_a_minimal_diff_and_the_next_plan_agrees(
    run_cli: RunCli, project: Path
) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "definitions")
    git(project, "commit", "-q", "-m", "glossary")
    edit_in_setup(project, help_text=NEW_HELP, add_reason=True)
    add_a_deal_type_in_hubspot(project)
    before = definitions(project)

    dry = run_cli("adopt", "--dry-run")
    assert dry.code == 0, dry.err
    assert_golden("adopt.diff", diff_part(dry.out))
    assert definitions(project) == before, "--dry-run wrote a file"
    assert "+ value 'Budget Cut' → definitions/picklists/closed-lost-reasons.yaml:87 # REVIEW" in flat(
        dry.out
    )
    assert (
        "also bound to hubspot:deals.closed_lost_reason_code: it gets 'Budget Cut' at its next apply"
        in flat(dry.out)
    )
    assert "✓ help_text → definitions/fields/salesforce.yaml:21" in flat(dry.out)
    assert "Dry run, nothing written: 3 changes to adopt into 4 files" in flat(dry.out)

    done = run_cli("adopt")
    assert done.code == 0, done.err
    assert "Adopt complete: 3 changes adopted into 4 files" in flat(done.out)
    assert diff_part(dry.out).replace("<today>", dt.date.today().isoformat()) == "".join(
        _git_diff_as_adopt_prints(project)
    )

    # The fields adopted plan to no change; the new loss reason still needs what Setup did not give it.
    changed = plan_fields(run_cli)
    assert "salesforce:Opportunity.StageName" not in changed
    assert "hubspot:deals.dealtype" not in changed
    loss = changed["salesforce:Opportunity.Loss_Reason__c"]
    assert loss["attributes"] == []
    assert [(c["kind"], c["value"]) for c in loss["value_changes"]] == [("reorder", "")]
    assert [(r["record_type"], r["add"]) for r in loss["record_types"]] == [
        ("New_Business", ["Budget Cut"]),
        ("Renewal", ["Budget Cut"]),
    ]
    assert [
        (c["kind"], c["value"]) for c in changed["hubspot:deals.closed_lost_reason_code"]["value_changes"]
    ] == [("add", "Budget Cut")]
    assert run_cli("validate", "--since", "main").code == 0
    assert "Budget Cut" in json.dumps(loss["dependency"])  # its dependency row: Setup gave it none
    again = run_cli("adopt")
    assert "Adopt complete: 0 changes adopted into 0 files" in flat(again.out)
    assert "✗ value order: not adopted" in flat(again.out)


def _git_diff_as_adopt_prints(project: Path) -> list[str]:
    """Each changed file's unified diff, as adopt prints it (a/ b/ paths, three lines of context)."""
    out = []
    for name in git(project, "diff", "--name-only").split():
        old = git(project, "show", f"HEAD:{name}")
        new = (project / name).read_text(encoding="utf-8")
        out += difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{name}", f"b/{name}")
    return out


def test_a_composed_text_edited_in_the_crm_is_reported_not_rewritten(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    edit_in_setup(project, description="Why we lost, in one reason.")
    before = definitions(project)
    result = run_cli("adopt")
    assert result.code == 0, result.err
    assert definitions(project) == before
    assert (
        "! description is composed from terms, not rewritten: edit the definition of term closed-lost at "
        "definitions/terms/funnel.yaml:340"
    ) in flat(result.out)
    assert "the CRM has: 'Why we lost, in one reason.'" in flat(result.out)
    assert "0 changes adopted into 0 files, 1 composed text to edit by hand" in flat(result.out)


def test_unapplied_definitions_are_not_adopted_and_only_names_fields(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    path = project / "definitions" / "fields" / "salesforce.yaml"
    path.write_text(path.read_text().replace("Pick the one reason that decided it", "Choose the reason"))
    edit_in_setup(project, help_text=NEW_HELP)
    result = run_cli("adopt")
    assert result.code == 0, result.err
    assert "Choose the reason" in path.read_text()  # the user's unapplied edit stands
    assert "✓ help_text → definitions/fields/salesforce.yaml:21" in flat(result.out)
    assert (
        "✗ not adopted: salesforce:Opportunity.Loss_Reason__c — the definitions changed here and were not "
        "applied (the CRM still holds what was applied): run `crmdefs apply` to push them, or name the field "
        "with --only"
    ) in flat(result.out)

    forced = run_cli("adopt", "--only", "salesforce:Opportunity.Loss_Reason__c")
    assert forced.code == 0, forced.err
    assert "Pick the one reason that decided it" in bound(project, "Opportunity.Loss_Reason__c")["help_text"]
    assert "(named with --only)" in flat(forced.out)
    assert "salesforce:Opportunity.Loss_Reason__c" not in plan_fields(run_cli)


def test_without_a_state_file_nothing_is_adopted_unless_named(run_cli: RunCli, project: Path) -> None:
    edit_in_setup(project, help_text=NEW_HELP)
    before = definitions(project)
    result = run_cli("adopt")
    assert result.code == 0, result.err
    assert definitions(project) == before
    assert "no state file (.crmdefs/state/sandbox.json), so crmdefs cannot tell an edit" in flat(result.out)
    assert "name it with --only ADDRESS" in flat(result.out)

    named = run_cli("adopt", "--only", "salesforce:Opportunity.StageName")
    assert named.code == 0, named.err
    assert bound(project, "Opportunity.StageName")["help_text"] == NEW_HELP
    # The seeded org's extra stages are appended with the attributes a stage must carry, so they validate.
    assert "value 'Needs Analysis'" in flat(named.out)
    assert run_cli("validate").code == 0
    assert "help_text" not in json.dumps(plan_fields(run_cli).get("salesforce:Opportunity.StageName", {}))


def test_an_unknown_only_address_says_what_is_bound(run_cli: RunCli, project: Path) -> None:
    result = run_cli("adopt", "--only", "salesforce:Opportunity.StageNam")
    assert result.code != 0
    assert "did you mean 'salesforce:Opportunity.StageName'?" in result.err
    assert "Traceback" not in result.err


def test_invalid_definitions_are_refused_before_the_crm_is_read(run_cli: RunCli, project: Path) -> None:
    path = project / "definitions" / "fields" / "hubspot.yaml"
    path.write_text(path.read_text().replace("kind: field", "kind: feild", 1))
    result = run_cli("adopt", "--dry-run")
    assert result.code == 1
    assert "definitions/fields/hubspot.yaml:3" in result.err
    assert not (project / ".crmdefs" / "sandbox" / "requests.log").exists() or requests_logged(project) == []


def test_an_unknown_target_is_one_clear_error(run_cli: RunCli, project: Path) -> None:
    result = run_cli("adopt", "--target", "production")
    assert result.code == 1
    assert "production" in result.err and "Traceback" not in result.err


def test_a_file_changed_on_disk_while_adopt_ran_is_refused_and_nothing_is_written(project: Path) -> None:
    sources = Sources(project / "definitions")
    first, second = sources.files[0], sources.files[1]
    files = [Written(first, first.text + "# adopted\n"), Written(second, second.text + "# adopted\n")]
    second.path.write_text(second.text + "# someone else's edit\n", encoding="utf-8")
    with pytest.raises(CrmdefsError, match="changed on disk while adopt ran — adopt wrote nothing"):
        write_all(files)
    assert first.path.read_text(encoding="utf-8") == first.text
    assert "# someone else's edit" in second.path.read_text(encoding="utf-8")


def test_only_does_not_append_values_the_last_apply_already_kept(run_cli: RunCli, project: Path) -> None:
    """Lead.Status keeps the seeded org's own statuses (unlisted_values: keep): they were there at the
    apply, so naming the field with --only adopts none of them as if an admin had just added it."""
    assert run_cli("apply", "--auto-approve").code == 0
    before = definitions(project)
    result = run_cli("adopt", "--only", "salesforce:Lead.Status")
    assert result.code == 0, result.err
    assert definitions(project) == before
    assert "REVIEW" not in result.out and "Open - Not Contacted" not in result.out


def test_a_text_adopted_into_a_shared_picklist_names_the_other_bindings_it_changes(
    run_cli: RunCli, project: Path
) -> None:
    """A label relabelled in HubSpot's settings is the shared picklist's label: Salesforce's field gets it
    at its next apply, and the report says so, as it does for a value added."""
    assert run_cli("apply", "--auto-approve").code == 0
    edit_hubspot_options(
        project,
        "deals",
        "closed_lost_reason_code",
        lambda options: [
            OptionInput(
                label="Price / terms" if o.value == "price" else o.label,
                value=o.value,
                description=o.description,
                hidden=o.hidden,
                display_order=i,
            )
            for i, o in enumerate(options)
        ],
    )
    result = run_cli("adopt")
    assert result.code == 0, result.err
    assert "✓ label of value 'price' → definitions/picklists/closed-lost-reasons.yaml:12" in flat(result.out)
    assert (
        "the shared picklist closed-lost-reasons is also bound to salesforce:Opportunity.Loss_Reason__c: it "
        "gets the new label of 'price' at its next apply"
    ) in flat(result.out)
    assert "salesforce:Opportunity.Loss_Reason__c" in plan_fields(run_cli)


def test_adopt_right_after_apply_says_there_is_nothing_to_adopt(run_cli: RunCli, project: Path) -> None:
    assert run_cli("apply", "--auto-approve").code == 0
    before = definitions(project)
    result = run_cli("adopt")
    assert result.code == 0, result.err
    assert result.out.startswith("Nothing to adopt: target 'sandbox' holds nothing the definitions do not.\n")
    assert definitions(project) == before


def test_a_text_the_crm_never_had_is_called_empty_not_emptied(run_cli: RunCli, project: Path) -> None:
    """Never applied: the seeded deal types have no description, which no one emptied."""
    result = run_cli("adopt", "--only", "hubspot:deals.dealtype", "--dry-run")
    assert result.code == 0, result.err
    assert (
        "✗ value 'newbusiness' redescribe: not adopted — empty in the CRM: remove it from the definitions, "
        "or apply to write it"
    ) in flat(result.out)
    assert "emptied" not in result.out
