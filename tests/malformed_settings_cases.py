"""Malformed inputs, part 1: crmdefs.yaml (kinds beyond tests/test_config.py), the environment and the
command line, and definitions (kinds beyond tests/test_validate_errors.py and tests/test_hostile_files.py).
Run by tests/test_malformed_inputs.py.
"""

from __future__ import annotations

from .malformed_cases import SF_PLAN, Case

SETTINGS_CASES = [
    # --- crmdefs.yaml (kinds beyond tests/test_config.py) -------------------------------------------
    Case(
        "config: an empty crmdefs.yaml",
        ("validate",),
        "crmdefs.yaml:1:1: is empty — add 'targets:' (see README 'Configuration and credentials') or delete it "
        "to use the defaults",
        {"crmdefs.yaml": "# nothing yet\n"},
    ),
    Case(
        "config: a target name with a slash",
        ("validate",),
        "crmdefs.yaml:2:3: 'prod/eu' is not a valid name in targets — use letters, digits, '-' and '_'",
        {"crmdefs.yaml": "targets:\n  prod/eu:\n    hubspot: {}\n"},
    ),
    Case(
        "config: a target named ..",
        ("validate",),
        "crmdefs.yaml:2:3: '..' is not a valid name in targets — use letters, digits, '-' and '_'",
        {"crmdefs.yaml": "targets:\n  '..':\n    hubspot: {}\n"},
    ),
    Case(
        "config: a target that is null",
        ("validate",),
        "crmdefs.yaml:2:8: 'targets.prod' must be a mapping (a target), not nothing (null) — write 'key: value' "
        "lines indented under it",
        {"crmdefs.yaml": "targets:\n  prod:\n"},
    ),
    Case(
        "config: a URL holding a user name and password",
        ("validate",),
        "crmdefs.yaml:3:32: a URL must not hold a user name or password — remove them; credentials come only "
        "from environment variables",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {instance_url: 'https://ops:pw@acme.my.salesforce.com'}\n"
        },
    ),
    Case(
        "config: a ca_bundle that does not exist",
        SF_PLAN,
        "crmdefs: error: target 'prod': ca_bundle 'certs/corp.pem' cannot be read (No such file or directory) — "
        "fix 'ca_bundle:' in crmdefs.yaml (paths are relative to crmdefs.yaml)",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {instance_url: 'https://a.my.salesforce.com'}\n"
            "    ca_bundle: certs/corp.pem\n"
        },
        env={"SALESFORCE_ACCESS_TOKEN": "t0ken-value"},
    ),
    Case(
        "config: a ca_bundle that holds no certificate",
        SF_PLAN,
        "crmdefs: error: target 'prod': ca_bundle 'notes.txt' is not a PEM file of certificates — fix "
        "'ca_bundle:' in crmdefs.yaml",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {instance_url: 'https://a.my.salesforce.com'}\n"
            "    ca_bundle: notes.txt\n",
            "notes.txt": "ask IT for the proxy certificate\n",
        },
        env={"SALESFORCE_ACCESS_TOKEN": "t0ken-value"},
    ),
    Case(
        "config: a JWT key_file that does not exist",
        SF_PLAN,
        "crmdefs: error: target 'prod': key_file 'server.key' cannot be read (No such file or directory) — fix "
        "'key_file:' in crmdefs.yaml (paths are relative to crmdefs.yaml)",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {auth: jwt, username: ops@example.com, key_file: "
            "server.key}\n"
        },
        env={"SALESFORCE_CLIENT_ID": "3MVG9connectedapp"},
    ),
    Case(
        "config: a JWT key_file that is a certificate, not a private key",
        SF_PLAN,
        "crmdefs: error: target 'prod': key_file 'server.crt' is not a PEM private key — fix 'key_file:' in "
        "crmdefs.yaml",
        {
            "crmdefs.yaml": "targets:\n  prod:\n    salesforce: {auth: jwt, username: ops@example.com, key_file: "
            "server.crt}\n",
            "server.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        },
        env={"SALESFORCE_CLIENT_ID": "3MVG9connectedapp"},
    ),
    # --- the environment and the command line -------------------------------------------------------
    Case(
        "env: CRMDEFS_MAX_RETRIES that is not a number",
        SF_PLAN,
        "crmdefs: error: CRMDEFS_MAX_RETRIES must be a whole number from 0 to 20, not 'five'",
        env={"CRMDEFS_MAX_RETRIES": "five"},
    ),
    Case(
        "cli: --only with an address that names no CRM",
        ("plan", "--only", "Lead.Status"),
        "crmdefs: error: 'Lead.Status' is not a field address — write salesforce:Object.Field or "
        "hubspot:objectType.property",
    ),
    Case(
        "cli: --definitions naming a file",
        ("validate", "--definitions", "definitions/a.yaml"),
        "crmdefs: error: 'definitions/a.yaml' is not a directory — point --definitions at the folder holding "
        "your *.yaml definitions",
    ),
    # --- definitions (kinds beyond tests/test_validate_errors.py and test_hostile_files.py) -----------
    Case(
        "definitions: a tab used for indentation",
        ("validate",),
        "definitions/b.yaml:2:1: line 2 is indented with a tab; YAML needs spaces — replace the tab with spaces "
        "(and set your editor to indent YAML with spaces)",
        {"definitions/b.yaml": "kind: term\n\tid: b\n"},
    ),
    Case(
        "definitions: picklist values that are not a list",
        ("validate",),
        "definitions/b.yaml:4:9: 'values' must be a list of mapping (a picklist value) items, not the number 5 — write it as "
        "[a, b] or one '- item' per line",
        {"definitions/b.yaml": "kind: picklist\nid: b\nname: B\nvalues: 5\n"},
    ),
]
