"""crmdefs.yaml and credentials: defaults, located errors, and secrets that never show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import simple_salesforce

from crmdefs.adapters.credentials import hubspot_credentials, salesforce_credentials
from crmdefs.config import MAX_API_VERSION, SANDBOX, Secret, load_settings
from crmdefs.errors import ConfigError, CredentialsError

from .conftest import RunCli, write_files

TERM = "kind: term\nid: a\nname: A\nstatus: draft\nsummary: s\ndefinition: d\n"
TOKEN = "00Dxx0000001gPL!AR8AQJXg5oKpQmUvS3cr3tv2"


def test_without_a_config_file_the_sandbox_is_the_default(tmp_path: Path) -> None:
    settings = load_settings(config=None, definitions=None, cwd=tmp_path, environ={})
    assert settings.definitions_dir == tmp_path / "definitions"
    assert settings.default_target == SANDBOX
    assert settings.target(None).builtin_sandbox


def test_config_names_the_definitions_directory_relative_to_itself(run_cli: RunCli, tmp_path: Path) -> None:
    write_files(tmp_path / "project", {"crmdefs.yaml": "definitions: glossary\n", "glossary/a.yaml": TERM})
    result = run_cli("validate", "--config", "project/crmdefs.yaml")
    assert result.code == 0, result.err
    assert result.out == "project/glossary: 1 term, 0 picklists, 0 field bindings — valid\n"


def test_targets_are_parsed_with_defaults(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": """\
        targets:
          production:
            salesforce: {instance_url: "https://acme.my.salesforce.com"}
            hubspot: {}
            ca_bundle: certs/ca.pem
    """
        },
    )
    settings = load_settings(config=None, definitions=None, cwd=tmp_path, environ={})
    target = settings.target(None)
    assert settings.default_target == "production"
    assert target.salesforce is not None and target.salesforce.api_version == "62.0"
    assert target.hubspot is not None and target.hubspot.base_url == "https://api.hubapi.com"
    assert target.ca_bundle == tmp_path / "certs" / "ca.pem"
    with pytest.raises(ConfigError, match="unknown target 'staging' — known targets: production, sandbox"):
        settings.target("staging")


BROKEN_CONFIGS = [
    (
        "target:\n  prod: {}\n",
        ["crmdefs.yaml:1:1: unknown key 'target' in crmdefs.yaml — did you mean 'targets'?"],
    ),
    (
        "targets:\n  prod:\n    salesforce: {instance_url: 'http://acme.my.salesforce.com'}\n",
        [
            "crmdefs.yaml:3:32: plain http:// is allowed only for localhost; credentials would travel unencrypted — "
            "use https://"
        ],
    ),
    (
        "targets:\n  sandbox:\n    hubspot: {}\n",
        [
            "crmdefs.yaml:2:3: the target name 'sandbox' is reserved for the built-in sandbox — choose another name"
        ],
    ),
    (
        "default_target: prod\n",
        ["crmdefs.yaml:1:17: default_target 'prod' is not a target — name one of: sandbox"],
    ),
    (
        "targets:\n  prod:\n    salesforce: {auth: password}\n",
        ["crmdefs.yaml:3:17: auth 'password' needs 'username' — add 'username:' to the salesforce section"],
    ),
    (
        "targets:\n  prod:\n    salesforce: {instance_url: 'https://a.my.salesforce.com', api_version: 62.0}\n",
        [
            "crmdefs.yaml:3:76: 'targets.prod.salesforce.api_version' must be text, not the number 62.0 — put it in "
            "quotes: '62.0'"
        ],
    ),
    (
        "targets:\n  prod:\n    salesforce: {instance_url: 'https://a.my.salesforce.com', api_version: '64.0'}\n",
        [
            "crmdefs.yaml:3:76: api_version '64.0' is newer than crmdefs can write back without losing content "
            "(its Salesforce client knows the Metadata API up to 63.0; newer elements would be dropped when a "
            "component is saved) — use '63.0' or lower"
        ],
    ),
    (
        "targets:\n  prod:\n    description: nothing here\n",
        ["crmdefs.yaml:3:5: target 'prod' names no CRM — add a 'salesforce:' and/or 'hubspot:' section"],
    ),
    (
        "targets:\n  prod:\n    hubspot: {access_token: pat-na1-123}\n",
        [
            "crmdefs.yaml:3:15: unknown key 'access_token' in a HubSpot target — did you mean 'access_token_env'?"
        ],
    ),
    (
        "targets: [prod]\n",
        [
            "crmdefs.yaml:1:10: 'targets' must be a mapping of targets, not a list — write 'name:' "
            "lines indented under it"
        ],
    ),
    (
        "---\ndefinitions: a\n---\ndefinitions: b\n",
        ["crmdefs.yaml:4:1: holds more than one YAML document — keep a single document in crmdefs.yaml"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN_CONFIGS)
def test_broken_config_is_reported_with_its_location(
    run_cli: RunCli, tmp_path: Path, text: str, expected: list[str]
) -> None:
    write_files(tmp_path, {"crmdefs.yaml": text, "definitions/a.yaml": TERM})
    result = run_cli("validate")
    assert result.code == 1
    assert result.err.splitlines()[:-1] == expected
    assert result.err.splitlines()[-1].startswith("crmdefs: ")
    assert "Traceback" not in result.err


def test_a_config_path_that_does_not_exist(run_cli: RunCli) -> None:
    result = run_cli("validate", "--config", "nope.yaml")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: config file 'nope.yaml' not found — run `crmdefs init` to write one (README "
        "'Connect your org'), or drop --config to use the defaults\n"
    )


def test_missing_token_names_the_variable_and_what_to_do(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": """\
        targets:
          prod:
            salesforce: {instance_url: "https://acme.my.salesforce.com", access_token_env: PROD_SF_TOKEN}
            hubspot: {}
    """
        },
    )
    target = load_settings(config=None, definitions=None, cwd=tmp_path, environ={}).target("prod")
    with pytest.raises(CredentialsError) as caught:
        salesforce_credentials(target, {})
    assert str(caught.value) == (
        "target 'prod': the Salesforce access token is missing — set the environment variable PROD_SF_TOKEN "
        "(or name another variable in crmdefs.yaml)"
    )
    with pytest.raises(CredentialsError, match="HUBSPOT_ACCESS_TOKEN"):
        hubspot_credentials(target, {"HUBSPOT_ACCESS_TOKEN": "   "})


def test_secrets_never_appear_in_reprs(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": """\
        targets:
          prod:
            salesforce: {instance_url: "https://acme.my.salesforce.com"}
            hubspot: {}
    """
        },
    )
    target = load_settings(config=None, definitions=None, cwd=tmp_path, environ={}).target("prod")
    env = {"SALESFORCE_ACCESS_TOKEN": TOKEN, "HUBSPOT_ACCESS_TOKEN": "pat-na1-11111111-2222"}
    sf = salesforce_credentials(target, env)
    hs = hubspot_credentials(target, env)
    assert sf.access_token is not None and sf.access_token.reveal() == TOKEN
    for shown in (repr(sf), str(sf), repr(hs), f"{hs}", repr(sf.access_token)):
        assert TOKEN not in shown and "pat-na1" not in shown
        assert "***" in shown
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(Secret("x"))


def test_the_newest_api_version_allowed_is_the_one_the_bundled_metadata_wsdl_describes() -> None:
    # Past it, Salesforce answers with elements zeep does not know and would not send back
    # (docs/salesforce.md#sf-metadata-endpoint-version): keep the limit in step with simple-salesforce.
    wsdl = (Path(simple_salesforce.__file__).parent / "metadata.wsdl").read_text(encoding="utf-8")
    found = re.search(r'soap:address location="[^"]*/services/Soap/m/(\d+\.\d+)"', wsdl)
    assert found is not None and found.group(1) == MAX_API_VERSION
