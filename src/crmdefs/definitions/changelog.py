"""Changelog discipline (``crmdefs validate --since GIT_REF``): a term whose definition, summary or
criteria changed since a git ref needs a new changelog entry: one that was not there at the ref and is
dated no earlier than the newest entry then (rewording an old entry does not count). A term that is new
since the ref needs at least one entry.

The comparison is pure (:func:`changelog_problems`); reading the old files from git is at the edge
(:func:`terms_at_ref`). Text is compared with whitespace collapsed, so re-wrapping a folded paragraph is
not a change.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from crmdefs.definitions.schema import Checker
from crmdefs.definitions.yamlsource import Document, iter_paths, load_file, load_text
from crmdefs.errors import CrmdefsError, Problem

WATCHED = ("summary", "definition", "criteria")  # what a reader of the glossary relies on


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _entries(data: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    entries = data.get("changelog")
    if not isinstance(entries, list):
        return set()
    return {
        (str(e.get("date")), _norm(str(e.get("change", ""))), _norm(str(e.get("reason", ""))))
        for e in entries
        if isinstance(e, dict)
    }


def _has_new_entry(data: Mapping[str, Any], before: Mapping[str, Any] | None) -> bool:
    """An entry was added, dated no earlier than the newest one at the ref. An entry that replaces an old
    one of the same date is that entry reworded, not a new one."""
    now, then = _entries(data), _entries(before) if before is not None else set()
    reworded = Counter(date for date, _, _ in then - now)
    added = []
    for date, _, _ in sorted(now - then):
        if reworded[date]:
            reworded[date] -= 1
        else:
            added.append(date)
    newest = max((date for date, _, _ in then), default="")
    return any(date >= newest for date in added)


def term_documents(documents: Iterable[Document]) -> dict[str, tuple[Document, dict[str, Any]]]:
    """Term id → (document, data) for every term document."""
    found: dict[str, tuple[Document, dict[str, Any]]] = {}
    for doc in documents:
        data = doc.data
        if isinstance(data, dict) and data.get("kind") == "term" and isinstance(data.get("id"), str):
            found.setdefault(data["id"], (doc, data))
    return found


def changelog_problems(
    current: Mapping[str, tuple[Document, dict[str, Any]]],
    old: Mapping[str, Mapping[str, Any]],
    ref: str,
) -> list[Problem]:
    """A problem for each term whose watched text changed since ``ref`` (or that is new) with no new
    changelog entry. ``old`` holds the terms' data at ``ref``."""
    problems: list[Problem] = []
    for term_id, (doc, data) in sorted(current.items()):
        before = old.get(term_id)
        c = Checker(doc)
        if _has_new_entry(data, before):
            continue
        if before is None:
            if not _entries(data):
                c.report(
                    ("id",),
                    f"term '{term_id}' is new since {ref} and has no changelog entry",
                    f"add 'changelog:' with an entry dated {dt.date.today()} saying what it defines and why",
                )
        else:
            changed = [key for key in WATCHED if _norm(data.get(key)) != _norm(before.get(key))]
            if changed:
                c.report(
                    (changed[0],),
                    f"term '{term_id}': {' and '.join(changed)} changed since {ref} without a new "
                    "changelog entry",
                    f"add an entry under 'changelog:' (date: {dt.date.today()}, change: what changed, "
                    "reason: why); rewording an older entry does not count",
                )
        problems += c.problems
    return problems


def current_terms(root: Path, display: Callable[[Path], str]) -> dict[str, tuple[Document, dict[str, Any]]]:
    documents: list[Document] = []
    for path in iter_paths(root):
        docs, _ = load_file(path, display(path))
        documents += docs
    return term_documents(documents)


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False, timeout=60
        )
    except FileNotFoundError as exc:
        raise CrmdefsError("--since needs git, which is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise CrmdefsError(
            f"git {args[0]} took longer than 60 s — check the repository, then run again"
        ) from exc
    if done.returncode != 0:
        raise _GitFailed(done.stderr.strip())
    return done.stdout


class _GitFailed(Exception):
    pass


def terms_at_ref(root: Path, ref: str) -> dict[str, dict[str, Any]]:
    """The data of every term under ``root`` as committed at git ``ref`` (files that did not exist then
    are simply absent). Raises :class:`CrmdefsError` when ``root`` is not in a repository or ``ref`` is
    unknown."""
    if ref.startswith("-") or not ref.strip():
        raise CrmdefsError(
            f"'{ref}' is not a git ref — pass a branch, tag or commit, e.g. --since origin/main"
        )
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    except _GitFailed as exc:
        raise CrmdefsError(
            f"--since needs the definitions in a git repository, and {root} is not in one"
        ) from exc
    try:
        commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except _GitFailed as exc:
        raise CrmdefsError(
            f"unknown git ref '{ref}' — fetch it first (in GitHub Actions: actions/checkout with "
            "fetch-depth: 0), or name a branch, tag or commit that exists"
        ) from exc
    try:
        folder = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError as exc:  # e.g. a symlink to a folder outside the repository
        raise CrmdefsError(
            f"--since compares files in git, and {root} resolves to a folder outside the repository {top}"
        ) from exc
    listed = _git(top, "ls-tree", "-r", "-z", "--name-only", commit, "--", folder or ".")
    old: dict[str, dict[str, Any]] = {}
    for name in sorted(p for p in listed.split("\0") if p.endswith((".yaml", ".yml"))):
        try:
            text = _git(top, "show", f"{commit}:{name}")
        except _GitFailed:
            continue
        docs, _ = load_text(text, f"{ref}:{name}")  # an unreadable old file simply has no terms
        old.update(
            {term_id: data for term_id, (_, data) in term_documents(docs).items() if term_id not in old}
        )
    return old
