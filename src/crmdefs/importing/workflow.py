"""`crmdefs import` against a live target: list and read the fields, leave out those already bound, write
the bindings file (never over an existing one without ``force``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crmdefs.adapters.base import NO_WAITS, Progress, Waits
from crmdefs.config import Settings
from crmdefs.connect import Connected, open_target, target_crms
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.definitions.yamlsource import iter_paths
from crmdefs.errors import OptionsError, OutputError
from crmdefs.files import write_atomic
from crmdefs.importing.emit import import_file
from crmdefs.plan.read import read_states
from crmdefs.plan.state import DesiredField, FieldState

HUBSPOT_OBJECT_TYPES = ("contacts", "companies", "deals", "tickets", "products", "line_items", "quotes")


def parse_object(text: str, crms: set[Crm]) -> tuple[Crm, str]:
    """``salesforce:Opportunity``, ``hubspot:deals``, or a bare name: HubSpot's standard object types are
    lower-case plurals (contacts, deals…), Salesforce API names are not (Opportunity, Invoice__c)."""
    prefix, sep, name = text.strip().partition(":")
    if sep:
        if prefix not in ("salesforce", "hubspot") or not name:
            raise OptionsError(
                f"'{text}' is not an object — write Opportunity, hubspot:deals or salesforce:Lead"
            )
        return Crm(prefix), name
    if len(crms) == 1:
        return next(iter(crms)), text.strip()
    return (Crm.HUBSPOT if text.strip() in HUBSPOT_OBJECT_TYPES else Crm.SALESFORCE), text.strip()


def bound_fields(settings: Settings) -> dict[FieldAddress, str]:
    """Fields the definitions already bind (→ where), so an import never binds a field twice. A project
    with no definitions yet has none."""
    root = settings.definitions_dir
    if not root.is_dir() or next(iter_paths(root), None) is None:
        return {}
    glossary, _ = settings.load_glossary()
    return {b.address: str(b.source) for b in glossary.bindings}


def schema_ref(settings: Settings, out: Path) -> str | None:
    schema = settings.project_root / "crmdefs.schema.json"
    if not schema.is_file():
        return None
    return Path(os.path.relpath(schema.resolve(), out.resolve().parent)).as_posix()


def collect(
    connected: Connected,
    addresses: Sequence[FieldAddress],
    objects: Sequence[tuple[Crm, str]],
    bound: dict[FieldAddress, str],
    progress: Progress,
    note: Callable[[str], None],
) -> list[FieldState]:
    listed: list[FieldAddress] = []
    for crm, name in objects:
        fields = connected.adapter(crm).list_fields(name, progress)
        listed += [FieldAddress(crm, name, f) for f in fields]
    wanted = list(dict.fromkeys([*addresses, *listed]))
    for address in [a for a in wanted if a in bound]:
        note(f"note: {address} is already bound at {bound[address]}; not imported again")
    wanted = [a for a in wanted if a not in bound]
    if not wanted:
        raise OptionsError("nothing to import: every field named is already bound in the definitions")
    states = read_states(connected, [DesiredField(a) for a in wanted], progress)
    missing = [a for a in addresses if a in states and not states[a].exists]
    if missing:
        raise OptionsError(
            f"not in the CRM: {', '.join(map(str, missing))} — check the API names (Object.Field__c / "
            "objectType.property); nothing was written"
        )
    for address in [a for a in listed if a in states and not states[a].exists]:
        note(f"note: {address} is listed by the CRM but its metadata cannot be read; skipped")
    return [states[a] for a in wanted if states[a].exists]


@dataclass(frozen=True)
class Imported:
    text: str
    path: Path | None  # None: written to stdout by the command
    fields: int

    @property
    def reviews(self) -> int:
        return self.text.count("# REVIEW")


def import_fields(
    settings: Settings,
    target: str | None,
    addresses: Sequence[str],
    objects: Sequence[str],
    out: Path | None,
    *,
    force: bool,
    progress: Progress,
    note: Callable[[str], None],
    waits: Waits = NO_WAITS,
) -> Imported:
    """Bindings for ``addresses`` and the fields of ``objects`` on ``target``; written to ``out`` (default
    <definitions>/imported-<target>.yaml) unless ``out`` is '-'."""
    chosen = settings.target(target)
    path = out if out is not None else settings.definitions_dir / f"imported-{chosen.name}.yaml"
    to_stdout = str(path) == "-"
    if not to_stdout and path.exists() and not force:
        raise OutputError(f"{display_path(path)} already exists — choose another --out, or pass --force")
    states = read_fields(settings, chosen.name, addresses, objects, progress, note, waits)
    today = dt.date.today().isoformat()
    text = import_file(
        states, target=chosen.name, today=today, schema=None if to_stdout else schema_ref(settings, path)
    )
    if to_stdout:
        return Imported(text, None, len(states))
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"cannot write {display_path(path)}: {exc.strerror or exc} — check --out") from exc
    return Imported(text, path, len(states))


def read_fields(
    settings: Settings,
    target: str,
    addresses: Sequence[str],
    objects: Sequence[str],
    progress: Progress,
    note: Callable[[str], None],
    waits: Waits = NO_WAITS,
) -> list[FieldState]:
    """The CRM's state of ``addresses`` and of the fields of ``objects`` on ``target``, leaving out the
    fields the definitions already bind. Reads only."""
    chosen = settings.target(target)
    crms = target_crms(chosen)
    wanted = [parse_address(a) for a in addresses]
    object_names = [parse_object(o, crms) for o in objects]
    needed = {a.crm for a in wanted} | {crm for crm, _ in object_names}
    if needed - crms:
        absent = ", ".join(sorted(c.value for c in needed - crms))
        raise OptionsError(f"target '{chosen.name}' has no {absent} section — add it in crmdefs.yaml")
    bound = bound_fields(settings)
    with open_target(settings, chosen.name, needed, read_only=True, waits=waits) as connected:
        return collect(connected, wanted, object_names, bound, progress, note)
