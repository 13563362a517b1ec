"""Synthetic orgs for the benchmark: N custom picklist fields over 20 Salesforce objects and M enumeration
properties over 4 HubSpot object types, seeded into a sandbox state, plus definitions binding every one.

The definitions differ from the org in one help text (Salesforce) or description (HubSpot) per field, and
in one value description, so `plan` has work for every field and `apply` writes every field.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from crmdefs.sandbox.service import seed
from crmdefs.sandbox.state import STATE_FILE, new_state

SF_OBJECTS = [f"Bench{i:02d}__c" for i in range(1, 21)]
HS_TYPES = ["contacts", "companies", "deals", "tickets"]
VALUES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


def sf_names(count: int) -> list[str]:
    """``count`` field names spread evenly over the 20 objects."""
    return [f"{SF_OBJECTS[i % len(SF_OBJECTS)]}.Field{i // len(SF_OBJECTS) + 1:04d}__c" for i in range(count)]


def hs_names(count: int) -> list[tuple[str, str]]:
    return [(HS_TYPES[i % len(HS_TYPES)], f"bench_prop_{i // len(HS_TYPES) + 1:04d}") for i in range(count)]


def _sf_field(full_name: str) -> dict[str, Any]:
    return {
        "fullName": full_name,
        "externalId": False,
        "label": full_name.split(".")[1].removesuffix("__c").replace("Field", "Field "),
        "required": False,
        "trackFeedHistory": False,
        "trackHistory": False,
        "trackTrending": False,
        "type": "Picklist",
        "inlineHelpText": "Old help text.",
        "description": "Old description.",
        "valueSet": {
            "restricted": False,
            "valueSetDefinition": {
                "sorted": False,
                "value": [{"fullName": v, "default": False, "label": v} for v in VALUES],
            },
        },
    }


def _hs_property(name: str, template: dict[str, Any]) -> dict[str, Any]:
    prop = copy.deepcopy(template)
    prop.update(
        {
            "name": name,
            "label": name.replace("_", " ").title(),
            "description": "Old description.",
            "groupName": "benchinformation",
            "hubspotDefined": False,
            "fieldType": "select",
            "options": [
                {"label": v, "value": v.lower(), "displayOrder": i, "hidden": False}
                for i, v in enumerate(VALUES)
            ],
        }
    )
    prop.pop("hubspotDefined")  # absent, not false, on custom (docs/hubspot.md#hs-custom-vs-defined-keys)
    prop["modificationMetadata"] = {
        "archivable": True,
        "readOnlyDefinition": False,
        "readOnlyOptions": False,
        "readOnlyValue": False,
    }
    return prop


def write_state(state_dir: Path, sf_count: int, hs_count: int) -> None:
    """A sandbox state: the seeded demo org plus the synthetic fields and properties."""
    data = new_state(seed)
    metadata = data["salesforce"]["metadata"]
    for obj in SF_OBJECTS:
        label = obj.removesuffix("__c")
        metadata.setdefault("CustomObject", {})[obj] = {"fullName": obj, "label": label, "pluralLabel": label}
    fields = metadata["CustomField"]
    for name in sf_names(sf_count):
        fields[name] = _sf_field(name)
    hub = data["hubspot"]
    template = hub["properties"]["deals"]["dealtype"]
    for object_type in HS_TYPES:
        hub["properties"].setdefault(object_type, {})
        hub["groups"].setdefault(object_type, {})["benchinformation"] = {
            "name": "benchinformation",
            "label": "Bench information",
            "displayOrder": -1,
            "archived": False,
        }
    for object_type, name in hs_names(hs_count):
        hub["properties"][object_type][name] = _hs_property(name, template)
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE_FILE).write_text(json.dumps(data), encoding="utf-8")


def write_definitions(folder: Path, sf_count: int, hs_count: int, *, hs_changed: int | None = None) -> None:
    """Bindings for every synthetic field; the first ``hs_changed`` HubSpot ones (default all) differ."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for name in sf_names(sf_count):
        docs.append(
            f"kind: field\nsalesforce: {name}\nhelp_text: What {name} means, as the glossary defines it.\n"
            "picklist:\n  values:\n"
            + "".join(
                f"    - {{value: {v}, description: '{v} as defined.'}}\n"
                if i == 0
                else f"    - {{value: {v}}}\n"
                for i, v in enumerate(VALUES)
            )
        )
    for i, (object_type, name) in enumerate(hs_names(hs_count)):
        changed = hs_changed is None or i < hs_changed
        text = f"What {name} means, as the glossary defines it." if changed else "Old description."
        docs.append(f"kind: field\nhubspot: {object_type}.{name}\ndescription: {text}\n")
    (folder / "bench.yaml").write_text("---\n".join(docs), encoding="utf-8")
