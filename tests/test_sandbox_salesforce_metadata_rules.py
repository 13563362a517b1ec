"""The Salesforce sandbox's Metadata API rules, driven by the real simple-salesforce and zeep over real TLS:
each rule the sandbox claims to enforce on reads and updates (limits per call, whole-component updates,
deactivation instead of deletion, required attributes, global value sets, persistence) has a test here.
"""

from __future__ import annotations

import pytest
import requests
import zeep.exceptions

from crmdefs.sandbox.state import SandboxState

from .salesforce_sandbox import Org
from .salesforce_sandbox import org_fixture as org_fixture  # pytest fixture
from .salesforce_sandbox import running_org_fixture as running_org_fixture  # pytest fixture

# --- Metadata API rules ----------------------------------------------------------------------------------


def test_more_than_ten_components_is_a_fault(org: Org) -> None:
    md = org.client().mdapi
    with pytest.raises(zeep.exceptions.Fault) as caught:
        md.CustomField.read([f"Lead.F{i}__c" for i in range(11)])
    assert caught.value.code == "sf:EXCEEDED_ID_LIMIT"
    fields = [md.CustomField(fullName=f"Lead.F{i}__c", label="x", type="Text", length=5) for i in range(11)]
    with pytest.raises(zeep.exceptions.Fault, match="cannot submit more than 10"):
        org.metadata().call("createMetadata", fields)


def test_one_type_per_call(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    stages = md.StandardValueSet.read(["OpportunityStage"])
    with pytest.raises(zeep.exceptions.Fault) as caught:
        org.metadata().call("updateMetadata", [field, stages])
    assert caught.value.code == "sf:INVALID_TYPE"


def test_missing_component_reads_back_empty_not_as_a_fault(org: Org) -> None:
    missing = org.client().mdapi.CustomField.read(["Opportunity.Nope__c"])
    # zeep turns the nil record into an empty object (docs/salesforce.md#sf-ss-missing-component-empty).
    assert missing.fullName is None


def test_update_replaces_the_whole_component_and_trims_strings(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    field.description = None  # left out of the update → gone
    field.inlineHelpText = "   Why the deal was lost.  \n"
    md.CustomField.update([field])
    again = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    assert again.description is None
    assert again.inlineHelpText == "Why the deal was lost."


def test_values_left_out_are_deactivated_not_deleted(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    field.valueSet.valueSetDefinition.value = field.valueSet.valueSetDefinition.value[:2]
    md.CustomField.update([field])
    values = md.CustomField.read(["Opportunity.Loss_Reason__c"]).valueSet.valueSetDefinition.value
    assert [(v.fullName, v.isActive is not False) for v in values] == [
        ("Price", True),
        ("pricing", True),
        ("Lost to Competitor", False),
        ("Other", False),
        ("No Decision / Non-Responsive", False),
    ]
    describe = org.client().Opportunity.describe()
    loss = next(f for f in describe["fields"] if f["name"] == "Loss_Reason__c")
    assert [v["active"] for v in loss["picklistValues"]] == [True, True, False, False, False]


def test_missing_required_fields_fail_that_component_only(org: Org) -> None:
    md = org.client().mdapi
    good = md.CustomField.read(["Opportunity.Loss_Reason__c"])
    good.inlineHelpText = "Saved."
    bad = md.CustomField.read(["Lead.Lead_Score__c"])
    bad.label = None
    results = org.metadata().call("updateMetadata", [bad, good])
    assert [(r.fullName, r.success) for r in results] == [
        ("Lead.Lead_Score__c", False),
        ("Opportunity.Loss_Reason__c", True),
    ]
    assert results[0].errors[0].statusCode == "REQUIRED_FIELD_MISSING"
    assert md.CustomField.read(["Opportunity.Loss_Reason__c"]).inlineHelpText == "Saved."


def test_standard_fields_carry_no_value_set(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Lead.Status"])
    field.inlineHelpText = "Where the lead stands."
    md.CustomField.update([field])  # help text on a standard field is fine
    field.valueSet = md.ValueSet(
        valueSetDefinition=md.ValueSetValuesDefinition(
            sorted=False, value=[md.CustomValue(fullName="New", default=False, label="New")]
        )
    )
    with pytest.raises(Exception, match="StandardValueSet"):
        md.CustomField.update([field])
    status = next(f for f in org.client().Lead.describe()["fields"] if f["name"] == "Status")
    assert status["inlineHelpText"] == "Where the lead stands."


def test_stage_and_status_values_need_their_attributes(org: Org) -> None:
    md = org.client().mdapi
    stages = md.StandardValueSet.read(["OpportunityStage"])
    stages.standardValue.append(md.StandardValue(fullName="Discovery", default=False, label="Discovery"))
    with pytest.raises(Exception, match="closed, won, forecastCategory, probability"):
        md.StandardValueSet.update([stages])
    statuses = md.StandardValueSet.read(["LeadStatus"])
    statuses.standardValue.append(md.StandardValue(fullName="Nurture", default=False, label="Nurture"))
    with pytest.raises(Exception, match="converted"):
        md.StandardValueSet.update([statuses])
    statuses.standardValue[-1].converted = False
    md.StandardValueSet.update([statuses])
    lead_status = next(f for f in org.client().Lead.describe()["fields"] if f["name"] == "Status")
    assert lead_status["picklistValues"][-1]["value"] == "Nurture"


def test_record_type_values_come_back_partly_url_encoded(org: Org) -> None:
    md = org.client().mdapi
    record_type = md.RecordType.read(["Opportunity.Renewal"])
    reasons = [v.fullName for v in record_type.picklistValues[0].values]
    assert reasons == ["pricing", "No Decision %2F Non-Responsive"]
    md.RecordType.update([record_type])  # deploying the encoded names back is accepted
    record_type.picklistValues[0].values.append(md.PicklistValue(fullName="No Such Reason", default=False))
    with pytest.raises(Exception, match="No Such Reason"):
        md.RecordType.update([record_type])


# --- business processes (docs/salesforce.md#sf-business-processes) -------------------------------------


def test_a_record_type_holds_no_stage_values_and_refuses_them(org: Org) -> None:
    md = org.client().mdapi
    record_type = md.RecordType.read(["Opportunity.Renewal"])
    assert record_type.businessProcess == "Renewal Process"
    assert [p.picklist for p in record_type.picklistValues] == ["Loss_Reason__c"]
    stages = md.RecordTypePicklistValue(
        picklist="StageName", values=[md.PicklistValue(fullName="Prospecting", default=False)]
    )
    record_type.picklistValues.append(stages)
    with pytest.raises(Exception, match="StageName cannot be set on a record type"):
        md.RecordType.update([record_type])
    record_type.picklistValues.pop()
    record_type.businessProcess = "No Such Process"
    with pytest.raises(Exception, match="no BusinessProcess named No Such Process"):
        md.RecordType.update([record_type])


def test_a_sales_process_holds_exactly_the_stages_it_is_saved_with(org: Org) -> None:
    md = org.client().mdapi
    process = md.BusinessProcess.read(["Opportunity.Renewal Process"])
    assert process.isActive is True
    assert [v.fullName for v in process.values] == [
        "Qualification",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    ]
    process.values.append(md.PicklistValue(fullName="Prospecting", default=False))
    md.BusinessProcess.update([process])
    process = md.BusinessProcess.read(["Opportunity.Renewal Process"])
    assert process.values[-1].fullName == "Prospecting"
    process.values = process.values[1:]  # a value left out leaves the process (the strict reading)
    md.BusinessProcess.update([process])
    assert "Qualification" not in [
        v.fullName for v in md.BusinessProcess.read(["Opportunity.Renewal Process"]).values
    ]
    everything = md.BusinessProcess.read(["Opportunity.Standard Sales Process"])
    assert len(everything.values) == 10  # the other process is untouched


def test_a_sales_process_refuses_unknown_stages_a_default_and_no_stage(org: Org) -> None:
    md = org.client().mdapi
    process = md.BusinessProcess.read(["Opportunity.Renewal Process"])
    process.values.append(md.PicklistValue(fullName="Nope", default=False))
    with pytest.raises(
        Exception, match=r"Picklist value: Nope in picklist: Opportunity\.StageName not found"
    ):
        md.BusinessProcess.update([process])
    process.values.pop()
    process.values[0].default = True
    with pytest.raises(Exception, match="cannot have a default stage"):
        md.BusinessProcess.update([process])
    process.values = []
    with pytest.raises(Exception, match="at least one value"):
        md.BusinessProcess.update([process])


def test_create_custom_field_then_duplicate(org: Org) -> None:
    md = org.client().mdapi
    value = md.CustomValue(fullName="Gold", default=False, label="Gold")
    field = md.CustomField(
        fullName="Opportunity.Tier__c",
        label="Tier",
        type="Picklist",
        valueSet=md.ValueSet(valueSetDefinition=md.ValueSetValuesDefinition(sorted=False, value=[value])),
    )
    md.CustomField.create([field])
    tier = next(f for f in org.client().Opportunity.describe()["fields"] if f["name"] == "Tier__c")
    assert [v["value"] for v in tier["picklistValues"]] == ["Gold"]
    with pytest.raises(Exception, match="DUPLICATE_DEVELOPER_NAME"):
        md.CustomField.create([field])


def test_global_value_set_changes_show_on_every_field_using_it(org: Org) -> None:
    md = org.client().mdapi
    competitors = md.GlobalValueSet.read(["Competitors"])
    competitors.customValue.append(md.CustomValue(fullName="Hooli", default=False, label="Hooli"))
    md.GlobalValueSet.update([competitors])
    opportunity = org.client().Opportunity.describe()["fields"]
    lead = org.client().Lead.describe()["fields"]
    for fields, name in ((opportunity, "Primary_Competitor__c"), (lead, "Current_Vendor__c")):
        field = next(f for f in fields if f["name"] == name)
        assert field["picklistValues"][-1]["value"] == "Hooli"


def test_changes_persist_in_the_state_file(org: Org) -> None:
    md = org.client().mdapi
    field = md.CustomField.read(["Lead.Fit_Score__c"])
    field.inlineHelpText = "Persisted."
    md.CustomField.update([field])
    reopened = SandboxState.open(org.folder / "state", lambda: {})
    assert reopened.data["salesforce"]["metadata"]["CustomField"]["Lead.Fit_Score__c"]["inlineHelpText"] == (
        "Persisted."
    )
    assert org.log.count(api="salesforce", action="updateMetadata") == 1


def test_plain_http_is_not_served(org: Org) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(org.url.replace("https", "http") + "/services/data/", timeout=5)


def test_path_assistant_create_and_read(org: Org) -> None:
    md = org.client().mdapi
    step = md.PathAssistantStep(picklistValueName="Qualification", info="<p>Confirm the pain.</p>")
    path = md.PathAssistant(
        fullName="Opportunity_Stages",
        active=True,
        entityName="Opportunity",
        fieldName="StageName",
        masterLabel="Opportunity stages",
        recordTypeName="New_Business",
        pathAssistantSteps=[step],
    )
    md.PathAssistant.create([path])
    read = md.PathAssistant.read(["Opportunity_Stages"])
    assert read.pathAssistantSteps[0].info == "<p>Confirm the pain.</p>"
    read.masterLabel = None
    with pytest.raises(Exception, match="masterLabel"):
        md.PathAssistant.update([read])


def a_second_master_path(org: Org) -> object:
    md = org.client().mdapi
    return md.PathAssistant(
        fullName="crmdefs_Opportunity_Master",
        active=True,
        entityName="Opportunity",
        fieldName="StageName",
        masterLabel="Stages (master record type)",
        recordTypeName="__MASTER__",
        pathAssistantSteps=[],
    )


def test_only_one_path_per_record_type(org: Org) -> None:
    # docs/salesforce.md#sf-path-one-per-record-type: the seeded org has a master Path already.
    [result] = org.metadata().call("createMetadata", [a_second_master_path(org)])
    assert result.success is False
    assert result.errors[0].statusCode == "FIELD_INTEGRITY_EXCEPTION"
    assert "Opportunity_Sales_Path" in result.errors[0].message
    names = [
        p.fullName
        for p in org.client().mdapi.list_metadata(
            [org.client().mdapi.ListMetadataQuery(type="PathAssistant")]
        )
    ]
    assert names == ["Opportunity_Sales_Path"]


def test_a_paths_object_field_and_record_type_cannot_change(org: Org) -> None:
    md = org.client().mdapi
    for key, value in (("entityName", "Lead"), ("fieldName", "Amount"), ("recordTypeName", "Renewal")):
        path = md.PathAssistant.read(["Opportunity_Sales_Path"])
        setattr(path, key, value)
        [result] = org.metadata().call("updateMetadata", [path])
        assert result.success is False and key in result.errors[0].message
    path = md.PathAssistant.read(["Opportunity_Sales_Path"])
    path.pathAssistantSteps[0].info = "<p>Steps can change.</p>"
    assert org.metadata().call("updateMetadata", [path])[0].success is True


def test_list_metadata_names_each_component_of_a_type(org: Org) -> None:
    md = org.client().mdapi
    found = md.list_metadata(
        [md.ListMetadataQuery(type="PathAssistant"), md.ListMetadataQuery(type="GlobalValueSet")]
    )
    assert [(p.type, p.fullName, p.fileName) for p in found] == [
        ("PathAssistant", "Opportunity_Sales_Path", "pathAssistants/Opportunity_Sales_Path.pathAssistant"),
        ("GlobalValueSet", "Competitors", "globalValueSets/Competitors.globalValueSet"),
    ]
    assert found[0].createdDate is not None and found[0].id
    with pytest.raises(zeep.exceptions.Fault) as caught:
        md.list_metadata([md.ListMetadataQuery(type="Nope")])
    assert caught.value.code == "sf:INVALID_TYPE"
