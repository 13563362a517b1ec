"""`crmdefs init` (step 11, point 2): a project for your own CRMs, written from options (or answers on a
terminal), that validates and plans at once, binds nothing it was not told to, and overwrites nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO, RunCli

STARTER = REPO / "src" / "crmdefs" / "scaffold" / "starter"
DEMO_ONLY = ("create:", "record_types", "business_processes", "path_guidance", "unlisted_values")
# Child processes run this checkout's crmdefs, whatever is installed.
CHILD_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
}
SALESFORCE = ("--crm", "salesforce", "--instance-url", "https://acme.my.salesforce.com")


def tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_init_with_options_in_an_empty_folder_writes_a_project_that_validates(
    run_cli: RunCli, tmp_path: Path
) -> None:
    result = run_cli("init", "--crm", "both", "--instance-url", "https://acme.my.salesforce.com")
    assert result.code == 0, result.err
    assert result.out.startswith("Wrote a crmdefs project for Salesforce and HubSpot (target 'production')")
    for line in ("  crmdefs.yaml", "  crmdefs.schema.json", "  definitions/terms/funnel.yaml", "Next:"):
        assert line + "\n" in result.out
    assert result.out.endswith("  crmdefs validate\n  crmdefs plan\n")
    config = (tmp_path / "crmdefs.yaml").read_text(encoding="utf-8")
    assert "      auth: access_token\n" in config and "# How crmdefs signs in:" in config
    assert "access_token_env: SALESFORCE_ACCESS_TOKEN" in config and "access_token_env: HUBSPOT" in config
    keys = [line for line in config.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    lines = config.splitlines()
    for key in keys:  # every key that is not a section says what it is
        if not key.endswith(":"):
            assert lines[lines.index(key) - 1].lstrip().startswith("#"), key
    validated = run_cli("validate")
    assert validated.code == 0, validated.err
    assert "46 terms, 1 picklist, 0 field bindings — valid" in validated.out


def test_the_definitions_bind_nothing_demo_specific_and_carry_the_schema_modeline(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert run_cli("init", *SALESFORCE).code == 0
    assert not (tmp_path / "definitions" / "fields").exists(), "no field is bound without --import"
    schema = tmp_path / "crmdefs.schema.json"
    assert schema.read_text(encoding="utf-8") == run_cli("schema").out
    files = sorted((tmp_path / "definitions").rglob("*.yaml"))
    assert len(files) == 9
    for path in files:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        assert (path.parent / first.partition("$schema=")[2]).resolve() == schema.resolve()
        assert not [word for word in DEMO_ONLY if word in text], path


def test_the_packaged_starter_is_the_shipped_glossary() -> None:
    """The terms and picklists init writes are definitions/ as shipped (copy them after editing those)."""
    for folder in ("terms", "picklists"):
        shipped = {p.name: p.read_bytes() for p in (REPO / "definitions" / folder).glob("*.yaml")}
        packaged = {p.name: p.read_bytes() for p in (STARTER / folder).glob("*.yaml")}
        assert packaged == shipped, f"copy definitions/{folder}/ to src/crmdefs/scaffold/starter/{folder}/"


def test_init_refuses_to_overwrite_and_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    mine = tmp_path / "definitions" / "terms" / "funnel.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine\n", encoding="utf-8")
    (tmp_path / "crmdefs.yaml").write_text("targets: {}\n", encoding="utf-8")
    before = tree(tmp_path)
    result = run_cli("init", *SALESFORCE)
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: crmdefs init wrote nothing: crmdefs.yaml, definitions/terms/funnel.yaml already exist "
        "— init starts a new project; run it in an empty folder (crmdefs init DIRECTORY) or move these files "
        "away\n"
    )
    assert tree(tmp_path) == before and mine.read_text(encoding="utf-8") == "mine\n"


def test_init_does_not_add_the_starter_to_existing_definitions(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "ours.yaml").write_text("kind: term\n", encoding="utf-8")
    result = run_cli("init", *SALESFORCE)
    assert result.code == 1
    assert "crmdefs init wrote nothing: definitions/ours.yaml already exists" in result.err
    assert tree(tmp_path) == ["definitions", "definitions/ours.yaml"]


def test_without_a_terminal_one_error_lists_every_answer_to_pass(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("init")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: crmdefs init cannot ask without a terminal (or under CI), and these answers have no "
        "default: --crm (salesforce, hubspot, both); with Salesforce, --instance-url (the org's URL, e.g. "
        "https://acme.my.salesforce.com) — pass them as options (crmdefs init --help)\n"
    )
    jwt = run_cli("init", "--crm", "salesforce", "--salesforce-auth", "jwt")
    assert "--username (the Salesforce user crmdefs signs in as); --key-file (the JWT private key" in jwt.err
    unused = run_cli("init", "--crm", "hubspot", "--username", "ops@acme.com")
    assert unused.err == (
        "crmdefs: error: --username: not used by the CRMs and sign-in chosen (--crm, --salesforce-auth) — "
        "drop it, or choose the CRM or sign-in it belongs to\n"
    )
    assert tree(tmp_path) == []


def on_a_terminal(project: Path, env: dict[str, str], answers: list[str]) -> tuple[int, str]:
    """`crmdefs init` with a pseudo-terminal as stdin and stdout, typing ``answers`` at its prompts."""
    import pty
    import select

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "crmdefs", "init"], cwd=project, stdin=follower, stdout=follower,
        stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    pending = list(answers)
    while process.poll() is None or select.select([leader], [], [], 0.2)[0]:
        if not select.select([leader], [], [], 0.2)[0]:
            continue
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        seen += chunk
        if pending and seen.rstrip().endswith(b":"):
            os.write(leader, pending.pop(0).encode() + b"\n")
    process.wait(timeout=30)
    os.close(leader)
    return process.returncode, seen.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_is_asked_unless_ci_is_set(tmp_path: Path) -> None:
    env = {k: v for k, v in CHILD_ENV.items() if k != "CI"}
    asked = tmp_path / "asked"
    asked.mkdir()
    code, seen = on_a_terminal(asked, env, ["salesforce", "", "sf_cli", "acme"])
    assert code == 0, seen
    assert "Which CRMs (salesforce, hubspot, both):" in seen and "Salesforce sign-in" in seen
    config = (asked / "crmdefs.yaml").read_text(encoding="utf-8")
    assert "auth: sf_cli" in config and "sf_alias: acme" in config and "hubspot:" not in config
    assert "sf org login web --alias acme" in seen
    under_ci = tmp_path / "ci"
    under_ci.mkdir()
    code, seen = on_a_terminal(under_ci, {**env, "CI": "true"}, [])
    assert code == 1 and "cannot ask without a terminal (or under CI)" in seen
    assert "Which CRMs" not in seen and list(under_ci.iterdir()) == []


@pytest.fixture
def org(tmp_path: Path) -> Iterator[SandboxInfo]:
    sandbox = Sandbox(tmp_path / "org", log_to_file=False)
    yield sandbox.start()
    sandbox.stop()


def org_options(info: SandboxInfo) -> list[str]:
    return [
        "--crm", "both", "--instance-url", info.instance_url, "--hubspot-base-url", info.base_url,
        "--ca-bundle", str(info.ca_bundle),
    ]  # fmt: skip


def test_import_starts_the_bindings_from_the_org(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", org.access_token)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", org.access_token)
    result = run_cli("init", *org_options(org), "--import", "Opportunity,hubspot:deals", "--import", "Lead")
    assert result.code == 0, result.err
    imported = tmp_path / "definitions" / "fields" / "imported-production.yaml"
    assert "  definitions/fields/imported-production.yaml: " in result.out
    text = imported.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../crmdefs.schema.json\n")
    for field in (
        "salesforce: Opportunity.Loss_Reason__c",
        "salesforce: Lead.Status",
        "hubspot: deals.dealtype",
    ):
        assert f"\n{field}\n" in text
    assert "The definitions bind no field yet" not in result.out
    planned = run_cli("plan", "--detailed-exitcode")
    assert planned.code == 0, planned.err + planned.out
    assert 'No changes. Target "production" matches the definitions.' in planned.out


def test_an_import_that_cannot_sign_in_writes_nothing(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESFORCE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    result = run_cli("init", *org_options(org), "--import", "Opportunity")
    assert result.code == 1
    assert "2 credentials are missing" in result.err
    assert [p.name for p in tmp_path.iterdir()] == ["org"], "only the sandbox's own folder"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, object]]:
    """`crmdefs sandbox serve` in its own folder, as a user runs it; its connection details."""
    folder = tmp_path / "served"
    folder.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "crmdefs", "sandbox", "serve"], cwd=folder, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**CHILD_ENV, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Press Ctrl-C"):
            break
    info = subprocess.run(
        [sys.executable, "-m", "crmdefs", "sandbox", "info", "--json"], cwd=folder, capture_output=True,
        text=True, check=True, env=CHILD_ENV,
    )  # fmt: skip
    yield {**json.loads(info.stdout), "folder": folder}
    process.kill()
    process.wait()


def test_init_then_validate_and_plan_against_a_served_sandbox_through_crmdefs_yaml(
    served: dict[str, object], tmp_path: Path
) -> None:
    """The step's "Done when": in an empty folder, under CI with no stdin, init with options writes a project
    whose validate passes and whose plan runs against a crmdefs.yaml target (a running `sandbox serve`)."""
    project = tmp_path / "project"
    env = {**CHILD_ENV, "CI": "true", "ORG_TOKEN": str(served["access_token"])}
    env.pop("CRMDEFS_CONFIG", None)

    def crmdefs(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crmdefs", *args], cwd=project, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    project.mkdir()
    made = crmdefs(
        "init", "--crm", "both", "--target-name", "acme",
        "--instance-url", served["salesforce"]["instance_url"],  # type: ignore[index]
        "--hubspot-base-url", served["hubspot"]["base_url"],  # type: ignore[index]
        "--ca-bundle", str(served["ca_bundle"]),
        "--salesforce-token-env", "ORG_TOKEN", "--hubspot-token-env", "ORG_TOKEN", "--import", "Opportunity,deals",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert crmdefs("validate").returncode == 0
    log = Path(str(served["state_dir"])) / "requests.log"
    before = len(log.read_text(encoding="utf-8").splitlines())
    planned = crmdefs("plan", "--detailed-exitcode")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.startswith('No changes. Target "acme" matches the definitions.')
    assert "demo org" not in planned.stderr
    assert len(log.read_text(encoding="utf-8").splitlines()) > before, "the plan read the served org"
    assert not (project / ".crmdefs" / "sandbox").exists(), "no sandbox of its own was started"


def test_the_nightly_drift_job_signs_in_with_jwt() -> None:
    """Access tokens expire (docs/salesforce.md#sf-session-expiry): the scheduled example uses JWT, and
    the README's target for it is a valid crmdefs.yaml."""
    from crmdefs.config import settings_from_text

    workflow = (REPO / "examples" / "github-actions" / "crmdefs-drift.yml").read_text(encoding="utf-8")
    assert "SALESFORCE_ACCESS_TOKEN" not in workflow
    assert "SALESFORCE_CLIENT_ID: ${{ secrets.SALESFORCE_CLIENT_ID }}" in workflow
    assert "> secrets/salesforce-jwt.key" in workflow
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Scheduled jobs") :]
    yaml_text = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml"))]
    settings = settings_from_text(yaml_text, path=REPO / "crmdefs.yaml", environ={})
    target = settings.target("production")
    assert target.salesforce is not None and target.salesforce.auth == "jwt"
    assert target.salesforce.key_file == REPO / "secrets" / "salesforce-jwt.key"
