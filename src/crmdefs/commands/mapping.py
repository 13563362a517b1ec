"""`crmdefs suggest-mapping`: group a free-text property's values and propose standard codes for review."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from crmdefs import exitcodes
from crmdefs.commands.options import project_options, quiet_option, target_option
from crmdefs.config import Settings
from crmdefs.connect import open_target
from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress, Picklist
from crmdefs.definitions.yamlsource import load_file
from crmdefs.errors import CrmdefsError, Problem, ProblemsError
from crmdefs.files import write_atomic
from crmdefs.migration.mapping import TextMapping, from_document, mapping_target, suggest, to_yaml


def text_capable(adapter: Any, address: FieldAddress) -> Any:
    if not hasattr(adapter, "distinct_values"):
        raise CrmdefsError(f"{address}: free-text mapping is available for HubSpot properties")
    return adapter


def code_picklist(settings: Settings, target: FieldAddress) -> Picklist:
    """The picklist bound to the code property: it decides which codes exist."""
    glossary, _ = settings.load_glossary()
    for binding in glossary.bindings:
        if binding.address == target and binding.picklist is not None:
            return binding.picklist
    raise CrmdefsError(
        f"no definition binds a picklist to {target} — bind the code property first "
        "(see the starter definitions/fields/hubspot.yaml)"
    )


def load_mapping(settings: Settings, path: Path) -> TextMapping:
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


@click.command(
    "suggest-mapping",
    epilog="""\b
Examples:
  crmdefs suggest-mapping --from hubspot:deals.closed_lost_reason \\
      --to hubspot:deals.closed_lost_reason_code --out lost-reason-mapping.yaml
  # review the file, then:
  crmdefs apply --migrate-records --mapping lost-reason-mapping.yaml
""",
)
@project_options
@target_option
@click.option("--from", "source", required=True, metavar="ADDRESS", help="The free-text property.")
@click.option("--to", "to", required=True, metavar="ADDRESS", help="The code property (bound to a picklist).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the mapping here.")
@quiet_option
def suggest_mapping(
    settings: Settings,
    target: str | None,
    source: str,
    to: str,
    out: Path | None,
    quiet: bool,
) -> int:
    """Propose standard codes for the texts of a free-text property, for a person to review."""
    source_address, target_address = parse_address(source), parse_address(to)
    picklist = code_picklist(settings, target_address)
    with open_target(settings, target, {source_address.crm}, read_only=True) as connected:
        adapter = text_capable(connected.adapter(source_address.crm), source_address)
        texts = adapter.distinct_values(source_address, lambda _m: None)
    entries = suggest(texts, picklist)
    allowed = [v.value_in(Crm.HUBSPOT) for v in picklist.values]
    text = to_yaml(TextMapping(str(source_address), str(target_address), picklist.id, entries), allowed)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text)
        matched = sum(1 for e in entries if e.code)
        click.echo(
            f"Wrote {display_path(out)}: {len(entries)} distinct texts, {matched} with an exact match, "
            f"{len(entries) - matched} to decide. Review it before applying."
        )
    return exitcodes.OK
