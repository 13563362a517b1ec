"""Malformed inputs, part 2: the files crmdefs wrote earlier and reads back — saved plans (apply PLANFILE),
backups (revert BACKUP), drift baselines (drift --baseline) — and mapping files (apply --mapping).
Run by tests/test_malformed_inputs.py.
"""

from __future__ import annotations

import json

from crmdefs.plan.changes import FORMAT_VERSION as PLAN_FORMAT

from .malformed_cases import (
    APPLY_PLAN,
    BACKUP,
    DRIFT,
    MAP,
    MAPPING_HEAD,
    PLAN,
    PLAN_FIELD,
    REVERT,
    Case,
    changed,
)

FILE_CASES = [
    # --- saved plans (apply PLANFILE) ------------------------------------------------------------------
    Case(
        "plan file: not JSON",
        APPLY_PLAN,
        "crmdefs: error: p.json:1:1: not a usable crmdefs plan (not valid JSON: Expecting value) — make a new "
        "one with `crmdefs plan -o FILE`",
        {"p.json": "Plan: 1 to add, 0 to change\n"},
    ),
    Case(
        "plan file: cut off",
        APPLY_PLAN,
        "crmdefs: error: p.json:4:25: not a usable crmdefs plan (not valid JSON: Unterminated string starting "
        "at) — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN)[:80]},
    ),
    Case(
        "plan file: not UTF-8",
        APPLY_PLAN,
        "crmdefs: error: cannot read plan file p.json ('utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte) — make one with `crmdefs plan -o FILE`",
        {"p.json": b"\xff\xfe{}"},
    ),
    Case(
        "plan file: an array",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (it holds an array, not a JSON object) — make a new "
        "one with `crmdefs plan -o FILE`",
        {"p.json": "[]"},
    ),
    Case(
        "plan file: another format_version",
        APPLY_PLAN,
        "crmdefs: error: p.json: plan format 2.0 is not supported (this crmdefs reads 1.x) — make a new plan "
        "with `crmdefs plan -o`",
        {"p.json": changed(PLAN, format_version="2.0")},
    ),
    Case(
        "plan file: a newer minor format_version",
        APPLY_PLAN,
        f"crmdefs: error: p.json: plan format 1.9 was written by a newer crmdefs (this one reads up to {PLAN_FORMAT}) "
        "and "
        "may hold changes it cannot make — upgrade crmdefs, or make a new plan with `crmdefs plan -o`",
        {"p.json": changed(PLAN, format_version="1.9")},
    ),
    Case(
        "plan file: the target missing",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (the key 'target' is missing) — make a new one with "
        "`crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, target=...)},
    ),
    Case(
        "plan file: fields that are not a list",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan ('fields' must be a JSON array) — make a new one "
        "with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields={"salesforce:Lead.Status": {}})},
    ),
    Case(
        "plan file: an action apply does not know",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (fields[0] (salesforce:Lead.Status): action 'delete' "
        "is not one of create, update, none) — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields=[{**PLAN_FIELD, "action": "delete"}])},
    ),
    Case(
        "plan file: a field without its fingerprint",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (fields[0] (salesforce:Lead.Status) lacks the key "
        "'fingerprint') — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields=[{"address": "salesforce:Lead.Status", "action": "update"}])},
    ),
    Case(
        "plan file: usage counts that are not numbers",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (fields[0] (salesforce:Lead.Status): invalid literal "
        "for int() with base 10: 'many') — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, fields=[{**PLAN_FIELD, "usage": {"New": "many"}}])},
    ),
    Case(
        "plan file: a before-state of the wrong type",
        APPLY_PLAN,
        "crmdefs: error: p.json: not a usable crmdefs plan (before['salesforce:Lead.Status'] holds a value of the "
        "wrong type) — make a new one with `crmdefs plan -o FILE`",
        {"p.json": changed(PLAN, before={"salesforce:Lead.Status": 7})},
    ),
    Case(
        "plan file: made for another target",
        (*APPLY_PLAN, "--target", "sandbox"),
        "crmdefs: error: p.json was made for target 'production', not 'sandbox' — drop --target or make a new "
        "plan for that target",
        {"p.json": changed(PLAN, target="production")},
    ),
    # --- backups (revert BACKUP) -----------------------------------------------------------------------
    Case(
        "backup: not JSON",
        REVERT,
        "crmdefs: error: b.json:1:1: not a usable crmdefs backup (not valid JSON: Expecting value) — pick a file "
        "from .crmdefs/backups/<target>/",
        {"b.json": "<html>Not found</html>"},
    ),
    Case(
        "backup: cut off",
        REVERT,
        "crmdefs: error: b.json:6:7: not a usable crmdefs backup (not valid JSON: Unterminated string starting at) — "
        "pick a file from .crmdefs/backups/<target>/",
        {"b.json": changed(BACKUP)[:100]},
    ),
    Case(
        "backup: the fields missing",
        REVERT,
        "crmdefs: error: b.json: not a usable crmdefs backup (the key 'fields' is missing) — pick a file from "
        ".crmdefs/backups/<target>/",
        {"b.json": changed(BACKUP, fields=...)},
    ),
    Case(
        "backup: picklist values of the wrong shape",
        REVERT,
        "crmdefs: error: b.json: not a usable crmdefs backup (fields[0] (salesforce:Lead.Status) holds a value "
        "of the wrong type) — pick a file from .crmdefs/backups/<target>/",
        {
            "b.json": changed(
                BACKUP, fields=[{"address": "salesforce:Lead.Status", "values": [{"name": "New"}]}]
            )
        },
    ),
    Case(
        "backup: a record with a malformed address",
        REVERT,
        "crmdefs: error: b.json: not a usable crmdefs backup (records[0] (Lead.Status): 'Lead.Status' is not a "
        "field address) — pick a file from .crmdefs/backups/<target>/",
        {
            "b.json": changed(
                BACKUP, records=[{"address": "Lead.Status", "id": "00Q1", "old": "a", "new": "b"}]
            )
        },
    ),
    Case(
        "backup: for a target that is not configured (a path, even)",
        REVERT,
        "crmdefs: error: unknown target '../../elsewhere' — known targets: sandbox (define targets in "
        "crmdefs.yaml)",
        {"b.json": changed(BACKUP, target="../../elsewhere")},
    ),
    Case(
        "backup: a file that does not exist",
        ("revert", "missing.json"),
        "crmdefs: error: cannot read backup missing.json (No such file or directory) — backups are in "
        ".crmdefs/backups/<target>/",
    ),
    # --- drift baselines (drift --baseline) ----------------------------------------------------------
    Case(
        "baseline: not JSON",
        DRIFT,
        "crmdefs: error: bl.json:1:2: not a usable drift baseline (not valid JSON: Expecting property name "
        "enclosed in double quotes) — write one with `crmdefs drift --write-baseline FILE`",
        {"bl.json": "{entries: []}"},
    ),
    Case(
        "baseline: no entries",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline (the key 'entries' is missing) — write one with "
        "`crmdefs drift --write-baseline FILE`",
        {"bl.json": '{"format_version": "1.0"}'},
    ),
    Case(
        "baseline: entries that are not a list",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline ('entries' must be a JSON array) — write one with "
        "`crmdefs drift --write-baseline FILE`",
        {"bl.json": '{"format_version": "1.0", "entries": "none"}'},
    ),
    Case(
        "baseline: an expiry date that does not exist",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline (entries[0] (salesforce:Lead.Status): month must "
        "be in 1..12) — write one with `crmdefs drift --write-baseline FILE`",
        {
            "bl.json": json.dumps(
                {
                    "format_version": "1.0",
                    "entries": [
                        {
                            "target": "sandbox",
                            "address": "salesforce:Lead.Status",
                            "item": "help_text",
                            "key": "k",
                            "expires": "2026-13-01",
                        }
                    ],
                }
            )
        },
    ),
    Case(
        "baseline: another format_version",
        DRIFT,
        "crmdefs: error: bl.json: not a usable drift baseline (format_version 2.0 is not 1.x) — write one with "
        "`crmdefs drift --write-baseline FILE`",
        {"bl.json": '{"format_version": "2.0", "entries": []}'},
    ),
    Case(
        "baseline: a file that does not exist",
        ("drift", "--baseline", "missing.json"),
        "crmdefs: error: cannot read the drift baseline missing.json (No such file or directory) — check "
        "--baseline, or write one with `crmdefs drift --write-baseline FILE`",
    ),
    # --- mapping files (apply --mapping) ---------------------------------------------------------------
    Case(
        "mapping: an empty file",
        MAP,
        "m.yaml:1:1: is empty — write one with `crmdefs suggest-mapping`",
        {"m.yaml": ""},
    ),
    Case(
        "mapping: not a mapping file",
        MAP,
        "m.yaml:1:1: is not a crmdefs mapping file (it has no 'kind: mapping') — write one with `crmdefs "
        "suggest-mapping`",
        {"m.yaml": "- Price\n- Timing\n"},
    ),
    Case(
        "mapping: another format",
        MAP,
        "m.yaml:2:9: mapping format 2 is not supported (this crmdefs reads 1) — make a new one with `crmdefs "
        "suggest-mapping`",
        {"m.yaml": MAPPING_HEAD.replace("format: 1", "format: 2") + "entries: []\n"},
    ),
    Case(
        "mapping: a source that is not an address",
        MAP,
        "m.yaml:3:9: 'source' must be a HubSpot property address such as hubspot:deals.closed_lost_reason, not "
        "'closed_lost_reason' — fix the file, or make a new one with `crmdefs suggest-mapping`",
        {"m.yaml": MAPPING_HEAD.replace("source: hubspot:deals.", "source: ") + "entries: []\n"},
    ),
    Case(
        "mapping: a Salesforce target",
        MAP,
        "m.yaml:4:9: 'target' must be a HubSpot property address such as hubspot:deals.closed_lost_reason, not "
        "'salesforce:Lead.Status' — fix the file, or make a new one with `crmdefs suggest-mapping`",
        {
            "m.yaml": MAPPING_HEAD.replace("hubspot:deals.closed_lost_reason_code", "salesforce:Lead.Status")
            + "entries: []\n"
        },
    ),
    Case(
        "mapping: entries that are not a list",
        MAP,
        "m.yaml:6:10: 'entries' must be a list of {text, records, code} — fix the file, or make a new one with "
        "`crmdefs suggest-mapping`",
        {"m.yaml": MAPPING_HEAD + "entries: 5\n"},
    ),
    Case(
        "mapping: a code the picklist does not have",
        MAP,
        "m.yaml:7:42: entry 1 ('Too pricey'): code 'expensive' is not one of price, timing — choose one of them, "
        "or null to skip",
        {"m.yaml": MAPPING_HEAD + "entries:\n  - {text: Too pricey, records: 3, code: expensive}\n"},
    ),
    Case(
        "mapping: two YAML documents",
        MAP,
        "m.yaml:8:1: holds more than one YAML document — keep one",
        {"m.yaml": MAPPING_HEAD + "entries: []\n---\n" + MAPPING_HEAD},
    ),
]
