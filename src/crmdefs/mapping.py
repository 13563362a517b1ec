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
from typing import Any

from .errors import CrmdefsError
from .model import Crm, Picklist

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


def from_data(data: Any, allowed: set[str], source_name: str) -> TextMapping:
    """A reviewed mapping file; every problem is an error naming the file and the entry."""
    problems = []
    if not isinstance(data, dict) or data.get("kind") != "mapping":
        raise CrmdefsError(
            f"{source_name} is not a crmdefs mapping file — write one with `crmdefs suggest-mapping`"
        )
    entries = []
    for i, raw in enumerate(data.get("entries") or []):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            problems.append(f"entry {i + 1} needs a text")
            continue
        records = raw.get("records") or 0
        if isinstance(records, bool) or not isinstance(records, int):
            problems.append(f"entry {i + 1} ({raw['text']!r}): records must be a whole number")
            continue
        code = raw.get("code")
        if code is not None and (not isinstance(code, str) or code not in allowed):
            problems.append(
                f"entry {i + 1} ({raw['text']!r}): code {code!r} is not one of {', '.join(sorted(allowed))}"
            )
            continue
        entries.append(Entry(raw["text"], records, code, str(raw.get("match", "reviewed"))))
    if problems:
        raise CrmdefsError(f"{source_name}: " + "; ".join(problems) + " — fix the file and run again")
    return TextMapping(
        str(data.get("source")), str(data.get("target")), str(data.get("picklist")), tuple(entries)
    )
