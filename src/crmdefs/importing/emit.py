"""CRM fields → a definitions file to start from (``crmdefs import``). Pure: FieldState in, YAML text out.

The file binds each field to exactly what the CRM holds, so a plan with it shows no changes; comments
mark what a person should review (literal texts to move into terms, values without a description). What
crmdefs would not manage is left out, so it stays as it is: inactive/hidden values (listed in a
comment), read-only HubSpot texts, record types and Path guidance.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence

import yaml

from crmdefs.definitions.model import Crm
from crmdefs.plan.state import FieldState
from crmdefs.words import plural

WRAP = 100  # folded text lines; YAML folds them back into one line with single spaces

# Plain YAML scalars we write unquoted: start with a letter, no ': ' or ' #', nothing YAML 1.1 reads as
# a bool, null, number or date (checked by loading it back).
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 _.,()/&+'-]*$")


def scalar(text: str) -> str:
    """``text`` as a YAML scalar that loads back as exactly ``text``."""
    if _PLAIN.match(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)  # JSON strings are valid YAML double-quoted scalars


def _text(key: str, text: str, indent: str = "") -> list[str]:
    """``key: text``; long single-line prose as a folded block (``>-``) wrapped at WRAP columns."""
    line = f"{indent}{key}: {scalar(text)}"
    # Folding joins lines with one space, so only text with single spaces and no tabs or newlines folds
    # back to itself.
    foldable = not re.search(r"\s\s|[\t\n\r]", text) and text == text.strip()
    if len(line) <= WRAP or not foldable:
        return [line]
    width = WRAP - len(indent) - 2
    body = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    return [f"{indent}{key}: >-", *(f"{indent}  {part}" for part in body)]


def binding_document(state: FieldState) -> list[str]:
    """One ``kind: field`` document (without the ``---`` separator) binding ``state`` as it is."""
    crm = state.address.crm
    lines = ["kind: field", f"{crm.value}: {state.address.dotted}"]
    review: list[str] = []
    read_only = [a for a in ("label", "description") if a in state.read_only]
    values_read_only = "values" in state.read_only
    if values_read_only:
        lines.append("document_only: true  # the CRM does not let its values be changed through the API")
    if read_only:
        which = " and ".join(f"the {a}" for a in read_only)
        lines.append(
            f"# {which} {'are' if len(read_only) > 1 else 'is'} read-only in {_crm_name(crm)}; left out"
        )
    if state.label and "label" not in state.read_only:
        lines += _text("label", state.label)
    if crm is Crm.SALESFORCE:
        if state.help_text:
            lines += _text("help_text", state.help_text)
        else:
            review.append("no help text in the CRM: add help_text so people see the definition as they type")
    if state.description and "description" not in state.read_only:
        lines += _text("description", state.description)
    elif "description" not in state.read_only and crm is Crm.HUBSPOT:
        review.append("no description in HubSpot (shown as the property's help): add one")
    if any(line.startswith(("label:", "help_text:", "description:")) for line in lines):
        review.append("texts are the CRM's own, as literals; where a term defines this, use {term: <id>}")
    if state.values is not None:
        lines += _values(state)
    return [f"# REVIEW: {note}" for note in review] + lines


def _values(state: FieldState) -> list[str]:
    crm = state.address.crm
    active = [v for v in state.values or () if v.active]
    inactive = [v.value for v in state.values or () if not v.active]
    word = "inactive" if crm is Crm.SALESFORCE else "hidden"
    if not active:
        return [f"# picklist left out: every value is {word} in the CRM ({', '.join(inactive)})"]
    lines = ["picklist:", "  values:"]
    for value in active:
        note = "" if value.description else "  # REVIEW: no description"
        lines.append(f"    - value: {scalar(value.value)}{note}")
        if value.label != value.value:
            lines += _text("label", value.label, "      ")
        if value.description:
            lines += _text("description", value.description, "      ")
        if crm is Crm.SALESFORCE and value.default:
            lines.append("      default: true")
        for attribute, setting in sorted(value.attributes.items()):
            lines.append(f"      {attribute}: {_attribute(setting)}")
    if inactive:
        shown = ", ".join(inactive)
        lines.append(f"# {word} in the CRM, left as they are (crmdefs never deletes values): {shown}")
    return lines


def _attribute(setting: object) -> str:
    if isinstance(setting, bool):
        return "true" if setting else "false"
    if isinstance(setting, int):
        return str(setting)
    return scalar(str(setting))


def _crm_name(crm: Crm) -> str:
    return "Salesforce" if crm is Crm.SALESFORCE else "HubSpot"


def import_file(states: Sequence[FieldState], *, target: str, today: str, schema: str | None) -> str:
    """The whole file: a header saying where it came from and what to review, then one document per
    field, in the order given."""
    header = [f"# yaml-language-server: $schema={schema}"] if schema else []
    header += [
        f"# Imported by `crmdefs import` from target {scalar(target)} on {today}: "
        f"{plural(len(states), 'field')}.",
        "# Review every '# REVIEW' note, then commit. `crmdefs plan` with this file shows no changes",
        "# until you edit it; values the CRM has inactive or hidden are left out and stay as they are.",
    ]
    documents = ["\n".join(binding_document(state)) for state in states]
    return "\n".join(header) + "\n" + "\n---\n".join(documents) + "\n"
