"""`crmdefs import`: start the definitions from what a CRM holds today. Read-only against the CRM; writes
one new file (never overwrites without --force)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from crmdefs import exitcodes
from crmdefs.adapters.base import Progress
from crmdefs.apply.execute import read_states
from crmdefs.commands.options import project_options, quiet_option, target_option
from crmdefs.config import Settings
from crmdefs.connect import Connected, open_target, target_crms
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.importer import import_file
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.definitions.yamlsource import iter_paths
from crmdefs.errors import CrmdefsError
from crmdefs.files import write_atomic
from crmdefs.plan.state import DesiredField, FieldState

HUBSPOT_OBJECT_TYPES = ("contacts", "companies", "deals", "tickets", "products", "line_items", "quotes")


def parse_object(text: str, crms: set[Crm]) -> tuple[Crm, str]:
    """``salesforce:Opportunity``, ``hubspot:deals``, or a bare name: HubSpot's standard object types are
    lower-case plurals (contacts, deals…), Salesforce API names are not (Opportunity, Invoice__c)."""
    prefix, sep, name = text.strip().partition(":")
    if sep:
        if prefix not in ("salesforce", "hubspot") or not name:
            raise CrmdefsError(
                f"'{text}' is not an object — write Opportunity, hubspot:deals or salesforce:Lead"
            )
        return Crm(prefix), name
    if len(crms) == 1:
        return next(iter(crms)), text.strip()
    return (Crm.HUBSPOT if text.strip() in HUBSPOT_OBJECT_TYPES else Crm.SALESFORCE), text.strip()


def _bound(settings: Settings) -> dict[FieldAddress, str]:
    """Fields the definitions already bind (→ where), so an import never binds a field twice. A project
    with no definitions yet has none."""
    root = settings.definitions_dir
    if not root.is_dir() or next(iter_paths(root), None) is None:
        return {}
    glossary, _ = settings.load_glossary()
    return {b.address: str(b.source) for b in glossary.bindings}


def _schema_ref(settings: Settings, out: Path) -> str | None:
    schema = settings.project_root / "crmdefs.schema.json"
    if not schema.is_file():
        return None
    return Path(os.path.relpath(schema.resolve(), out.resolve().parent)).as_posix()


def _collect(
    connected: Connected,
    addresses: Sequence[FieldAddress],
    objects: Sequence[tuple[Crm, str]],
    bound: dict[FieldAddress, str],
    note: Progress,
) -> list[FieldState]:
    listed: list[FieldAddress] = []
    for crm, name in objects:
        fields = connected.adapter(crm).list_fields(name, note)
        listed += [FieldAddress(crm, name, f) for f in fields]
    wanted = list(dict.fromkeys([*addresses, *listed]))
    for address in [a for a in wanted if a in bound]:
        click.echo(f"note: {address} is already bound at {bound[address]}; not imported again", err=True)
    wanted = [a for a in wanted if a not in bound]
    if not wanted:
        raise CrmdefsError("nothing to import: every field named is already bound in the definitions")
    states = read_states(connected, [DesiredField(a) for a in wanted], note)
    missing = [a for a in addresses if a in states and not states[a].exists]
    if missing:
        raise CrmdefsError(
            f"not in the CRM: {', '.join(map(str, missing))} — check the API names (Object.Field__c / "
            "objectType.property); nothing was written"
        )
    for address in [a for a in listed if a in states and not states[a].exists]:
        click.echo(f"note: {address} is listed by the CRM but its metadata cannot be read; skipped", err=True)
    return [states[a] for a in wanted if states[a].exists]


@click.command(
    "import",
    epilog="""\b
Examples:
  crmdefs import salesforce:Opportunity.StageName hubspot:deals.dealtype
  crmdefs import --object Opportunity --object hubspot:deals --target production
  crmdefs import --object Lead --out definitions/fields/lead.yaml
""",
)
@project_options
@target_option
@click.argument("addresses", nargs=-1, metavar="[ADDRESS]...")
@click.option(
    "--object",
    "objects",
    multiple=True,
    metavar="OBJECT",
    help="Import the custom fields and picklists of this object (repeatable): Opportunity, hubspot:deals.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=None,
    help="File to write ('-' for stdout). Default: <definitions>/imported-<target>.yaml.",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@quiet_option
def import_(
    settings: Settings,
    target: str | None,
    addresses: tuple[str, ...],
    objects: tuple[str, ...],
    out: Path | None,
    force: bool,
    quiet: bool,
) -> int:
    """Write field bindings for what the CRM holds today (labels, help text, descriptions, picklist
    values with descriptions), with comments marking what to review. Planning with the new file shows
    no changes until you edit it. Reads the CRM only."""
    if not addresses and not objects:
        raise click.UsageError(
            "name fields (salesforce:Object.Field, hubspot:objectType.property) or --object"
        )
    chosen = settings.target(target)
    crms = target_crms(chosen)
    wanted = [parse_address(a) for a in addresses]
    object_names = [parse_object(o, crms) for o in objects]
    needed = {a.crm for a in wanted} | {crm for crm, _ in object_names}
    if needed - crms:
        absent = ", ".join(sorted(c.value for c in needed - crms))
        raise CrmdefsError(f"target '{chosen.name}' has no {absent} section — add it in crmdefs.yaml")
    path = out if out is not None else settings.definitions_dir / f"imported-{chosen.name}.yaml"
    to_stdout = str(path) == "-"
    if not to_stdout and path.exists() and not force:
        raise CrmdefsError(f"{display_path(path)} already exists — choose another --out, or pass --force")
    bound = _bound(settings)

    def note(message: str) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"… {message}", err=True)

    with open_target(settings, chosen.name, needed, read_only=True) as connected:
        states = _collect(connected, wanted, object_names, bound, note)
    today = dt.date.today().isoformat()
    text = import_file(
        states, target=chosen.name, today=today, schema=None if to_stdout else _schema_ref(settings, path)
    )
    if to_stdout:
        click.echo(text, nl=False)
        return exitcodes.OK
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise CrmdefsError(f"cannot write {display_path(path)}: {exc.strerror or exc} — check --out") from exc
    reviews = text.count("# REVIEW")
    click.echo(
        f"wrote {display_path(path)}: {len(states)} field{'s' if len(states) != 1 else ''}, "
        f"{reviews} note{'s' if reviews != 1 else ''} marked '# REVIEW'. Next: review it, then "
        "`crmdefs validate` and `crmdefs plan`.",
        err=True,
    )
    return exitcodes.OK
