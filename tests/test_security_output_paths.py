"""Security proofs for what crmdefs writes, each with the real CLI: every output path is exactly the one
the user named, and a target name that could name a path is refused.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from crmdefs.sandbox.service import SandboxInfo

from .conftest import REPO, RunCli, write_files
from .security_helpers import TERM_AND_BINDING, project, written_files
from .security_helpers import org_fixture as org_fixture  # pytest fixture

# --- output paths ------------------------------------------------------------------------------------


def test_docs_out_writes_only_the_file_named(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    before = written_files(tmp_path)
    assert run_cli("docs", "--out", "public/glossary/terms.md").code == 0
    assert run_cli("docs", "--format", "html", "--out", "site/").code == 0
    assert written_files(tmp_path) - before == {"public/glossary/terms.md", "site/glossary.html"}


@pytest.mark.parametrize("name", ["../../outside", "prod/eu", ".hidden", "a\\b", "c:d", "..", "prod eu"])
def test_target_names_that_could_name_a_path_are_refused(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    # Backups and state files are named after the target (.crmdefs/backups/<target>/, .crmdefs/state/<target>.json).
    write_files(tmp_path, {"definitions/a.yaml": TERM_AND_BINDING})
    (tmp_path / "crmdefs.yaml").write_text(f"targets:\n  {json.dumps(name)}:\n    hubspot: {{}}\n")
    result = run_cli("apply", "--auto-approve", "--target", name)
    assert result.code == 1
    assert "is not a valid name in targets — use letters, digits, '-' and '_'" in result.err
    assert not (tmp_path / ".crmdefs").exists()


def test_every_output_path_is_exactly_the_one_named(
    run_cli: RunCli, tmp_path: Path, org: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", org.access_token)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", org.access_token)
    project(tmp_path, org)
    mapping = ("--from", "hubspot:deals.closed_lost_reason", "--to", "hubspot:deals.closed_lost_reason_code")
    for args, path in [
        (("plan", "-o", "plans/prod.json"), "plans/prod.json"),
        (("drift", "--out", "reports/drift.md"), "reports/drift.md"),
        (("drift", "--write-baseline", "known/baseline.json"), "known/baseline.json"),
        (
            ("import", "--object", "Lead", "--definitions", "fresh", "--out", "imports/lead.yaml"),
            "imports/lead.yaml",
        ),
        (("suggest-mapping", *mapping, "--out", "review/mapping.yaml"), "review/mapping.yaml"),
    ]:
        before = written_files(tmp_path)
        assert run_cli(*args).code in (0, 2)
        assert written_files(tmp_path) - before == {path}, args

    before = written_files(tmp_path)
    assert run_cli("apply", "--auto-approve").code == 0
    new = written_files(tmp_path) - before
    assert {n for n in new if not n.startswith(".crmdefs/backups/prod/")} == {".crmdefs/state/prod.json"}
    assert len(new) == 2 and all(re.fullmatch(r"[\w.]+\.json", Path(n).name) for n in new)
