"""Free text → standard codes. PURE: suggestions and the mapping file's format; no I/O.

`crmdefs suggest-mapping` groups the texts reps typed into a free-text property (HubSpot's
``closed_lost_reason``), proposes a code for each only when the text, normalized, is exactly a value, a
label or one of the value's ``synonyms`` — never a guess presented as fact — and writes a mapping file a
person reviews. `apply --migrate-records --mapping FILE` then fills the code property from the reviewed
file; the free-text property itself is never modified.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import Crm, FieldAddress, Picklist
from crmdefs.definitions.yamlsource import Document, PathKey
from crmdefs.errors import CrmdefsError, Problem, ProblemsError

MAPPING_FORMAT = 1


def normalize(text: str) -> str:
    """Case, accents, punctuation and spacing do not count: "  Pricing!! " → "pricing"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", folded)).strip()


@dataclass(frozen=True)
class Entry:
    text: str  # exactly as stored in the free-text property
    records: int
    code: str | None  # the code property's internal value; None = a person must choose
    match: str  # "value", "label", "synonym", "renamed" (a renamed_from spelling) or "none"


@dataclass(frozen=True)
class TextMapping:
    source: str  # hubspot:deals.closed_lost_reason
    target: str  # hubspot:deals.closed_lost_reason_code
    picklist: str
    entries: tuple[Entry, ...]


def suggest(texts: Mapping[str, int], picklist: Picklist, crm: Crm = Crm.HUBSPOT) -> tuple[Entry, ...]:
    """One entry per distinct text, most used first; a code only for an exact normalized match."""
    index: dict[str, tuple[str, str]] = {}
    for value in picklist.values:
        code = value.value_in(crm)
        for kind, words in (
            ("synonym", value.synonyms),
            ("renamed", value.renamed_from),
            ("label", (value.label_in(crm),)),
            ("value", (code,)),
        ):
            for word in words:
                index[normalize(word)] = (code, kind)
    entries = []
    for text, count in sorted(texts.items(), key=lambda item: (-item[1], item[0])):
        found = index.get(normalize(text))
        entries.append(Entry(text, count, found[0], found[1]) if found else Entry(text, count, None, "none"))
    return tuple(entries)


def to_yaml(mapping: TextMapping, allowed: list[str]) -> str:
    """The file a person reviews: comments say what to check and which codes exist."""
    import yaml

    lines = [
        "# crmdefs mapping: free text -> standard code. Review every entry: set `code` to one of",
        *(f"#   {line}" for line in textwrap.wrap(", ".join(allowed), 96)),
        "# (or leave it null to skip those records), then run",
        "#   crmdefs apply --migrate-records --mapping THIS_FILE",
        "# Suggestions are exact matches only (a value, label, synonym or renamed_from spelling, ignoring",
        "# case and punctuation); `match: none` entries need a person's choice.",
        yaml.safe_dump(
            {
                "kind": "mapping",
                "format": MAPPING_FORMAT,
                "source": mapping.source,
                "target": mapping.target,
                "picklist": mapping.picklist,
            },
            sort_keys=False,
        ).rstrip(),
        "entries:",
    ]
    for e in mapping.entries:
        flow = yaml.safe_dump(
            {"text": e.text, "records": e.records, "code": e.code, "match": e.match},
            default_flow_style=True,
            width=10_000,
            sort_keys=False,
        ).strip()
        note = "  # no exact match: choose a code" if e.code is None else ""
        lines.append(f"  - {flow}{note}")
    return "\n".join(lines) + "\n"


HINT = "fix the file, or make a new one with `crmdefs suggest-mapping`"


def mapping_target(doc: Document) -> FieldAddress:
    """The code property a reviewed mapping file fills; every problem with its header, located."""
    problems = _header_problems(doc)
    if problems:
        raise ProblemsError(problems, doc.path)
    return parse_address(doc.data["target"])


def from_document(doc: Document, allowed: set[str]) -> TextMapping:
    """A reviewed mapping file; every problem is reported at once, at its file:line:column."""
    data = doc.data
    problems = _header_problems(doc)
    raw_entries = data.get("entries") if isinstance(data, dict) else None
    if raw_entries is not None and not isinstance(raw_entries, list):
        problems.append(_problem(doc, ("entries",), "'entries' must be a list of {text, records, code}"))
        raw_entries = None
    entries = []
    for i, raw in enumerate(raw_entries or []):
        at = ("entries", i)
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            problems.append(_problem(doc, at, f"entry {i + 1} needs a text"))
            continue
        records = raw.get("records") or 0
        if isinstance(records, bool) or not isinstance(records, int):
            message = f"entry {i + 1} ({raw['text']!r}): records must be a whole number"
            problems.append(_problem(doc, (*at, "records"), message))
            continue
        code = raw.get("code")
        if code is not None and (not isinstance(code, str) or code not in allowed):
            codes = ", ".join(sorted(allowed))
            message = f"entry {i + 1} ({raw['text']!r}): code {code!r} is not one of {codes}"
            problems.append(_problem(doc, (*at, "code"), message, "choose one of them, or null to skip"))
            continue
        entries.append(Entry(raw["text"], records, code, str(raw.get("match", "reviewed"))))
    if problems:
        raise ProblemsError(problems, doc.path)
    return TextMapping(
        str(data.get("source")), str(data.get("target")), str(data.get("picklist")), tuple(entries)
    )


def _header_problems(doc: Document) -> list[Problem]:
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != "mapping":
        message = "is not a crmdefs mapping file (it has no 'kind: mapping')"
        return [_problem(doc, ("kind",), message, "write one with `crmdefs suggest-mapping`")]
    problems = []
    if data.get("format", MAPPING_FORMAT) != MAPPING_FORMAT:
        found = data.get("format")
        message = f"mapping format {found!r} is not supported (this crmdefs reads {MAPPING_FORMAT})"
        problems.append(_problem(doc, ("format",), message, "make a new one with `crmdefs suggest-mapping`"))
    for key in ("source", "target"):
        value = data.get(key)
        try:
            address = parse_address(value) if isinstance(value, str) else None
        except CrmdefsError:
            address = None
        if address is None or address.crm is not Crm.HUBSPOT:
            message = f"'{key}' must be a HubSpot property address such as hubspot:deals.closed_lost_reason"
            problems.append(_problem(doc, (key,), f"{message}, not {value!r}"))
    return problems


def _problem(doc: Document, at: PathKey, message: str, hint: str = HINT) -> Problem:
    mark = doc.where(at)
    return Problem(doc.path, mark.line, mark.column, message, hint)
