"""What every view of the dictionary says the same way: the coverage sentence, a field's values and what
governs it, as plain text. PURE."""

from __future__ import annotations

from crmdefs.definitions.model import Crm
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.dictionary.model import (
    Dictionary,
    FieldEntry,
    ObjectFields,
    ValueEntry,
    coverage,
    percent_text,
)
from crmdefs.words import plural

NOT_BOUND = "not bound"
COLUMNS = ("Label", "API name", "Type", "Help text", "Description", "Picklist values", "State", "Governed by")


def title(obj: ObjectFields) -> str:
    return f"{CRM_NAMES[obj.crm]} {obj.object}"


def coverage_sentence(obj: ObjectFields) -> str:
    """``Coverage 40.0%: of 10 fields counted, 4 have help text and 1 has a description; 3 of 12 picklist
    values have a description. 5 fields Salesforce maintains itself are listed, not counted.``"""
    c = coverage(obj)
    salesforce = obj.crm is Crm.SALESFORCE
    word, many = ("field", "fields") if salesforce else ("property", "properties")
    if salesforce:
        texts = f"{_have(c.help_text, 'help text')} and {_have(c.description, 'a description')}"
    else:
        texts = f"{_have(c.help_text, 'a description')} (HubSpot shows it as help text)"
    line = (
        f"Coverage {percent_text(c.percent)}: of {plural(c.fields, word, many)} counted, {texts}; "
        f"{c.described_values} of {plural(c.values, 'picklist value')} {_verb(c.described_values)} a "
        "description."
    )
    if c.left_out:
        line += (
            f" {plural(c.left_out, word, many)} {CRM_NAMES[obj.crm]} maintains itself "
            f"{'is' if c.left_out == 1 else 'are'} listed, not counted."
        )
    return line


def _verb(count: int) -> str:
    return "has" if count == 1 else "have"


def _have(count: int, what: str) -> str:
    return f"{count} {_verb(count)} {what}"


def value_text(value: ValueEntry) -> str:
    """``value (label): description``, the label only when it differs, and [inactive] when not offered."""
    text = value.value if value.label == value.value else f"{value.value} ({value.label})"
    if value.description:
        text += f": {value.description}"
    return text if value.active else f"{text} [inactive]"


def values_lines(entry: FieldEntry) -> list[str]:
    lines = [value_text(v) for v in entry.values]
    return [*lines, entry.values_note] if entry.values_note else lines


def governed(entry: FieldEntry) -> str:
    """``definitions/fields/salesforce.yaml:20; terms: closed-won (value Closed Won)``, or "not bound"."""
    if entry.binding is None:
        return NOT_BOUND
    return entry.binding + (f"; terms: {', '.join(entry.terms)}" if entry.terms else "")


def row(entry: FieldEntry, sep: str = "\n") -> tuple[str, ...]:
    """The cells of a field in :data:`COLUMNS` order (values joined with ``sep``)."""
    return (
        entry.label,
        entry.name,
        entry.type,
        entry.help_text or "",
        entry.description or "",
        sep.join(values_lines(entry)),
        entry.state,
        governed(entry),
    )


def headline(dictionary: Dictionary) -> str:
    """One line for stderr: the objects and their coverage, and those under the minimum."""
    parts = [f"{title(o)} {percent_text(coverage(o).percent)}" for o in dictionary.objects]
    fields = sum(len(o.fields) for o in dictionary.objects)
    count = f"{plural(len(dictionary.objects), 'object')}, {plural(fields, 'field')}"
    line = f"{count}; coverage: {', '.join(parts)}."
    below = dictionary.below()
    if below:
        minimum = dictionary.min_coverage
        assert minimum is not None  # below() is empty without one
        names = ", ".join(f"{title(o)} ({_under(coverage(o).percent, minimum)})" for o in below)
        line += f" Under the minimum of {minimum:g}%: {names}."
    return line


def _under(percent: float | None, minimum: float) -> str:
    """``percent`` with the decimals that show it is under ``minimum``: 2.56%, not 2.6%, under 2.6%."""
    if percent is None:  # never under a minimum (Dictionary.below)
        return percent_text(percent)
    digits = 1
    while round(percent, digits) >= minimum and digits < 4:
        digits += 1
    return f"{percent:.{digits}f}%"
