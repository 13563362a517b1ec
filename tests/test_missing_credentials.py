"""All missing credentials at once (step 11, point 3): one run names every variable a target lacks, for
each of its CRMs, instead of one variable per run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO, RunCli, write_files

VARIABLES = ("SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "PROD_SF_CLIENT_ID", "PROD_HS_KEY")


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_both_crms_missing_are_named_in_one_error(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
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
    result = run_cli("plan", "--target", "prod")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: target 'prod': 2 credentials are missing — set each of these environment variables "
        "(SALESFORCE_ACCESS_TOKEN: the Salesforce access token; HUBSPOT_ACCESS_TOKEN: the HubSpot service key "
        "(or an existing private app's access token)), or name other variables in crmdefs.yaml "
        "(salesforce.access_token_env, hubspot.access_token_env); README 'Connect your org' says where each "
        "one comes from\n"
    )


def test_jwt_and_a_renamed_hubspot_variable_are_named_together(run_cli: RunCli, tmp_path: Path) -> None:
    key = tmp_path / "jwt.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n", encoding="utf-8")
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    write_files(
        tmp_path,
        {
            "crmdefs.yaml": """\
            targets:
              prod:
                salesforce: {auth: jwt, username: ci@acme.com, key_file: jwt.key, client_id_env: PROD_SF_CLIENT_ID}
                hubspot: {access_token_env: PROD_HS_KEY}
            """
        },
    )
    result = run_cli("drift", "--target", "prod")
    assert result.code == 1
    report = " ".join(result.out.split())  # the drift report wraps its lines
    assert 'Target "prod": could not be checked' in report
    assert "2 credentials are missing" in report
    assert "PROD_SF_CLIENT_ID: the connected app's client id" in report
    assert "PROD_HS_KEY: the HubSpot service key" in report
    assert "salesforce.client_id_env, hubspot.access_token_env" in report


@pytest.fixture
def org(tmp_path: Path) -> Iterator[SandboxInfo]:
    sandbox = Sandbox(tmp_path / "org", log_to_file=False)
    yield sandbox.start()
    sandbox.stop()


def test_a_crm_the_run_does_not_need_does_not_stop_it(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Definitions that bind only Salesforce fields plan without the HubSpot key."""
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", org.access_token)
    write_files(
        tmp_path,
        {
            "definitions/a.yaml": """\
            kind: term
            id: a
            name: A
            status: approved
            summary: Where the lead is.
            definition: d
            ---
            kind: field
            salesforce: Lead.Status
            help_text: {term: a}
            """,
            "crmdefs.yaml": f"""\
            targets:
              prod:
                salesforce: {{instance_url: "{org.instance_url}"}}
                hubspot: {{}}
                ca_bundle: {org.ca_bundle}
            """,
        },
    )
    result = run_cli("plan", "--target", "prod")
    assert result.code == 0, result.err
    assert "~ salesforce:Lead.Status" in result.out
