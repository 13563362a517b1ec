"""`crmdefs adopt`: read the target as `drift` does, choose what to adopt (select.py), place it in the
definitions (locate.py), edit every file and verify it (edits.py), then write them all — or, with
``--dry-run``, show the unified diff and write nothing.

All or nothing: every new text is computed and verified before the first file is written; a file that
changed on disk since adopt read it is refused (someone edited it meanwhile); each file is written to a
sibling first and renamed over the original only once every sibling is written (files.py's atomic write).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crmdefs.adapters.base import NO_WAITS, Waits
from crmdefs.adopt.edits import EditRefused, edit_text
from crmdefs.adopt.locate import Context, Outcome, Place, SourceFile, Sources, place_all
from crmdefs.adopt.select import FieldSelection, select
from crmdefs.apply.applied_state import load_applied, state_path
from crmdefs.apply.interrupt import ctrl_c_while_reading
from crmdefs.config import Settings
from crmdefs.connect import open_target
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import display_path
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.definitions.yamlsource import Document, load_text
from crmdefs.errors import CrmdefsError
from crmdefs.plan.desired import desired_fields, only_addresses
from crmdefs.plan.diff import compute_plan
from crmdefs.plan.not_kept import hold_not_kept
from crmdefs.plan.resolve import read_bound


@dataclass
class Written:
    """A file's text before and after."""

    source: SourceFile
    after: str
    docs: list[Document] = field(default_factory=list)


@dataclass
class AdoptResult:
    target: str
    outcome: Outcome
    selections: list[FieldSelection]
    files: list[Written]
    dry_run: bool
    classified: bool

    def diff(self) -> str:
        return "".join(unified_diff(w.source.display, w.source.text, w.after) for w in self.files)

    def line(self, place: Place) -> str:
        """``file:line`` of ``place`` in the edited file (its line may have moved)."""
        for written in self.files:
            if written.source is place.file and written.docs:
                return f"{place.file.display}:{written.docs[place.doc].where(place.path).line}"
        return place.where()


def unified_diff(display: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{display}", f"b/{display}"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def run_adopt(
    settings: Settings,
    target: str | None,
    only: Sequence[str],
    *,
    dry_run: bool,
    today: dt.date,
    progress: Callable[[str], None] = lambda _message: None,
    waits: Waits = NO_WAITS,
) -> AdoptResult:
    """Adopt what the CRM changed (or, with ``only``, those fields' CRM versions) into the definitions."""
    glossary, _warnings = settings.load_glossary()  # invalid definitions are refused before any CRM call
    desired = desired_fields(glossary)
    wanted = only_addresses(only, [f.address for f in desired])
    if wanted:
        desired = [f for f in desired if f.address in wanted]
    sources = Sources(settings.definitions_dir)
    crms = {f.address.crm for f in desired}
    with (
        open_target(settings, target, crms, read_only=True, waits=waits) as connected,
        ctrl_c_while_reading(connected.target, writes=True),
    ):
        desired, states = read_bound(connected, desired, progress)
        name = connected.target
    applied = load_applied(state_path(settings.project_root, name))
    not_kept = {parse_address(a): f.not_kept for a, f in (applied or {}).items() if f.not_kept}
    plan = compute_plan(
        hold_not_kept(desired, states, not_kept, CRM_NAMES),
        states,
        target=name,
        definitions_digest="",  # adopt keeps no plan
        created_at="",
    )
    bindings = {b.address: b for b in glossary.bindings}
    selections = select(plan, states, bindings, applied, wanted)
    outcome = place_all(selections, Context(glossary, sources, states, name, today))
    files = _edited(sources, outcome)
    if not dry_run:
        write_all(files)
    return AdoptResult(name, outcome, selections, files, dry_run, applied is not None)


def _edited(sources: Sources, outcome: Outcome) -> list[Written]:
    """Every file's new text, verified; all refusals at once, before anything is written."""
    files: list[Written] = []
    refused: list[str] = []
    for source in sources.files:
        edits = outcome.edits.get(source.display)
        if not edits:
            continue
        try:
            after = edit_text(source.text, source.docs, edits, source.display)
        except EditRefused as exc:
            refused.append(str(exc))
            continue
        files.append(Written(source, after, load_text(after, source.display)[0]))
    if refused:
        raise CrmdefsError(
            "adopt wrote nothing: " + "; ".join(refused) + " — edit these by hand, or adopt the other "
            "fields with --only"
        )
    return files


def write_all(files: Sequence[Written]) -> None:
    """Refuse a file changed on disk since it was read; write every file to a sibling, then rename each
    over its original, so a failure leaves every file whole (and, before the renames, all of them old)."""
    for written in files:
        if written.source.path.read_bytes() != _encoded(written.source, written.source.text):
            raise CrmdefsError(
                f"{written.source.display} changed on disk while adopt ran — adopt wrote nothing; run it "
                "again"
            )
    temporary: list[tuple[Path, Path]] = []
    try:
        for written in files:
            tmp = written.source.path.with_name(written.source.path.name + ".adopt.tmp")
            tmp.write_bytes(_encoded(written.source, written.after))
            temporary.append((tmp, written.source.path))
    except OSError as exc:
        for tmp, _ in temporary:
            tmp.unlink(missing_ok=True)
        raise CrmdefsError(
            f"cannot write {display_path(tmp)} ({exc.strerror or exc}) — adopt wrote nothing"
        ) from exc
    for tmp, path in temporary:
        tmp.replace(path)


def _encoded(source: SourceFile, text: str) -> bytes:
    return (b"\xef\xbb\xbf" if source.bom else b"") + text.encode("utf-8")
