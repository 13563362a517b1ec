"""`crmdefs validate --since GIT_REF`: a changed definition needs a new changelog entry. Each test builds
a real temporary git repository; nothing about git is faked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import RunCli, write_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TERM = """\
kind: term
id: mql
name: Marketing Qualified Lead
status: approved
summary: A lead marketing hands to sales.
definition: >-
  A lead whose score passed the threshold
  and whose fit was checked.
criteria:
  - Score of 60 or more
changelog:
  - date: 2026-01-05
    change: Adopted.
    reason: Sales and marketing counted MQLs differently.
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_files(tmp_path, {"definitions/terms.yaml": TERM})
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "glossary")
    return tmp_path


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "definitions/terms.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


ENTRY = """\
  - date: 2026-11-20
    change: Threshold raised to 70.
    reason: Too many MQLs were rejected by sales in Q3.
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "what"),
    [
        ("Score of 60 or more", "Score of 70 or more", 10, "criteria"),
        ("and whose fit", "and whose fit and timing", 6, "definition"),
        ("hands to sales.", "hands to sales after a check.", 5, "summary"),
    ],
)
def test_a_definition_edit_without_a_changelog_entry_fails_and_passes_with_one(
    repo: Path, run_cli: RunCli, old: str, new: str, line: int, what: str
) -> None:
    edit(repo, old, new)
    result = run_cli("validate", "--since", "main")
    assert result.code == 1
    assert (
        f"definitions/terms.yaml:{line}:" in result.err
        and f"term 'mql': {what} changed since main without a new changelog entry" in result.err
    )
    assert "Traceback" not in result.err

    (repo / "definitions/terms.yaml").write_text(
        (repo / "definitions/terms.yaml").read_text(encoding="utf-8") + ENTRY, encoding="utf-8"
    )
    result = run_cli("validate", "--since", "main")
    assert result.code == 0, result.err
    assert "every changed term has a changelog entry since main" in result.out


def test_rewrapping_a_paragraph_or_editing_other_keys_needs_no_entry(repo: Path, run_cli: RunCli) -> None:
    edit(repo, "threshold\n  and whose", "threshold and\n  whose")
    edit(repo, "status: approved", "status: approved\nsynonyms: [marketing lead]")
    assert run_cli("validate", "--since", "main").code == 0


def test_rewording_an_old_entry_or_backdating_a_new_one_does_not_count(repo: Path, run_cli: RunCli) -> None:
    edit(repo, "Score of 60", "Score of 70")
    edit(repo, "change: Adopted.", "change: Adopted; threshold now 70.")
    assert run_cli("validate", "--since", "main").code == 1
    backdated = ENTRY.replace("2026-11-20", "2025-12-31")  # older than the entry already there
    (repo / "definitions/terms.yaml").write_text(
        (repo / "definitions/terms.yaml").read_text(encoding="utf-8") + backdated, encoding="utf-8"
    )
    result = run_cli("validate", "--since", "main")
    assert result.code == 1 and "rewording an older entry does not count" in result.err


def test_a_new_term_needs_a_changelog_entry(repo: Path, run_cli: RunCli) -> None:
    new = TERM.replace("id: mql", "id: sql").replace("name: Marketing", "name: Sales").split("changelog:")[0]
    write_files(repo, {"definitions/more.yaml": new})
    result = run_cli("validate", "--since", "main")
    assert result.code == 1
    assert "definitions/more.yaml:2:5: term 'sql' is new since main and has no changelog entry" in result.err


def test_the_ref_can_be_any_commit_and_moved_terms_are_matched_by_id(repo: Path, run_cli: RunCli) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    (repo / "definitions/terms.yaml").rename(repo / "definitions/funnel.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "move")
    assert run_cli("validate", "--since", first).code == 0


def test_bad_refs_and_no_repository_are_clear_errors(
    repo: Path, run_cli: RunCli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run_cli("validate", "--since", "origin/main")
    assert result.code == 1
    assert "unknown git ref 'origin/main' — fetch it first" in result.err
    result = run_cli("validate", "--since", "--upload-pack=touch /tmp/x")
    assert result.code == 1 and "is not a git ref" in result.err
    elsewhere = tmp_path_factory.mktemp("plain")
    write_files(elsewhere, {"definitions/terms.yaml": TERM})
    result = run_cli("validate", "--definitions", str(elsewhere / "definitions"), "--since", "main")
    assert result.code == 1 and "needs the definitions in a git repository" in result.err
    assert "Traceback" not in result.err
