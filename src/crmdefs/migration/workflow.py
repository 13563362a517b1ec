"""Free text → codes against a live target: propose a mapping (`suggest-mapping`), read a reviewed one,
and fill the code property from it (`apply --migrate-records --mapping`). The free-text property itself is
never modified, and the old (empty) codes go to a backup first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from crmdefs.adapters.base import NO_WAITS, Progress, Waits, records_failed
from crmdefs.apply.backup import backup_folder, backup_stamp, drop_backup_records, write_records_backup
from crmdefs.config import Settings
from crmdefs.connect import Connected, open_target
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress, Picklist
from crmdefs.definitions.yamlsource import load_file
from crmdefs.errors import MappingError, Problem, ProblemsError
from crmdefs.migration.mapping import TextMapping, from_document, mapping_target, suggest, to_yaml
from crmdefs.words import plural


def text_capable(adapter: Any, address: FieldAddress) -> Any:
    """The adapter, when it can list and fill free-text values (HubSpot's can)."""
    if not hasattr(adapter, "distinct_values"):
        raise MappingError(f"{address}: free-text mapping is available for HubSpot properties")
    return adapter


def code_picklist(settings: Settings, target: FieldAddress) -> Picklist:
    """The picklist bound to the code property: it decides which codes exist."""
    glossary, _ = settings.load_glossary()
    for binding in glossary.bindings:
        if binding.address == target and binding.picklist is not None:
            return binding.picklist
    raise MappingError(
        f"no definition binds a picklist to {target} — bind the code property first "
        "(see the starter definitions/fields/hubspot.yaml)"
    )


def suggest_mapping(
    settings: Settings, target: str | None, source: FieldAddress, to: FieldAddress, waits: Waits = NO_WAITS
) -> tuple[TextMapping, str]:
    """The texts of ``source`` with a code proposed for each exact match, and the mapping file's text.
    ``waits`` hears of the CRM's long waits."""
    picklist = code_picklist(settings, to)
    with open_target(settings, target, {source.crm}, read_only=True, waits=waits) as connected:
        adapter = text_capable(connected.adapter(source.crm), source)
        texts = adapter.distinct_values(source, lambda _m: None)
    made = TextMapping(str(source), str(to), picklist.id, suggest(texts, picklist))
    return made, to_yaml(made, [v.value_in(Crm.HUBSPOT) for v in picklist.values])


def load_mapping(settings: Settings, path: Path) -> TextMapping:
    """A reviewed mapping file, checked against the codes the bound picklist has."""
    shown = display_path(path)
    documents, problems = load_file(path, shown)
    if problems:  # a mapping file is written by suggest-mapping, so its YAML problems are few: show them
        hint = "write one with `crmdefs suggest-mapping`"
        problems = [replace(p, hint=hint) if p.message == "is empty" else p for p in problems]
        raise ProblemsError(problems, shown)
    if len(documents) != 1:
        extra = Problem(shown, documents[1].start.line, 1, "holds more than one YAML document", "keep one")
        raise ProblemsError([extra], shown)
    target = mapping_target(documents[0])
    allowed = {v.value_in(Crm.HUBSPOT) for v in code_picklist(settings, target).values}
    return from_document(documents[0], allowed)


def fill_from_mapping(
    settings: Settings,
    connected: Connected,
    mapping: TextMapping,
    progress: Progress,
    say: Callable[[str], None],
) -> bool:
    """Fill empty codes from the reviewed texts; the old (empty) codes go to a backup first. True when
    every record was written."""
    source, target = parse_address(mapping.source), parse_address(mapping.target)
    adapter = text_capable(connected.adapter(source.crm), source)
    codes = {e.text: e.code for e in mapping.entries if e.code}
    found = adapter.find_by_text(source, target, codes, progress)
    stamp = backup_stamp(dt.datetime.now(dt.timezone.utc))
    folder = backup_folder(settings.project_root, connected.target)
    backup = write_records_backup(folder, connected.target, stamp, found)
    failures = adapter.set_records(found, progress)
    drop_backup_records(backup, failures)  # the backup lists the records that changed (or may have)
    for failure in failures:
        say(f"✗ {failure}")
    failed = records_failed(failures)
    say(
        f"{plural(len(found) - failed, 'record')} given a {target.field} from the mapping ({failed} failed). "
        f"Backup: {display_path(backup)}"
    )
    return not failures
