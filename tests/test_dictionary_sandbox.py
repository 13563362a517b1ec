"""What `crmdefs dictionary` reads, served by the sandbox as a real org serves it: a custom field that comes
with an installed package (in the recorded Account describe, never saved through the Metadata API) reads
back through readMetadata like any custom field — with its label, help text and values — not as nil."""

from __future__ import annotations

from .salesforce_sandbox import Org
from .salesforce_sandbox import org_fixture as org_fixture
from .salesforce_sandbox import running_org_fixture as running_org_fixture


def test_a_packaged_custom_field_reads_back_through_read_metadata(org: Org) -> None:
    describe = org.client().Account.describe()
    packaged = {f["name"]: f for f in describe["fields"] if f["custom"]}
    assert "npsp__Sustainer__c" in packaged

    read = org.metadata().read("CustomField", ["Account.npsp__Sustainer__c"])
    component = read[0] if isinstance(read, list) else read

    field = packaged["npsp__Sustainer__c"]
    assert component.fullName == "Account.npsp__Sustainer__c"
    assert component.label == field["label"]
    assert component.inlineHelpText == field["inlineHelpText"]
    values = [v.fullName for v in component.valueSet.valueSetDefinition.value]
    assert values == [v["value"] for v in field["picklistValues"]]
