"""The dictionary as Markdown: a section per object with its coverage line and a table of every field.
No timestamp, so it can be committed and reviewed. PURE."""

from __future__ import annotations

from crmdefs.dictionary.model import Dictionary, ObjectFields
from crmdefs.dictionary.views import COLUMNS, coverage_sentence, row, title
from crmdefs.render.markdown import cell, code


def render_markdown(dictionary: Dictionary) -> str:
    out = [f"# Field dictionary — target {code(dictionary.target)}", ""]
    for obj in dictionary.objects:
        out += _object(obj)
    return "\n".join(out).rstrip("\n") + "\n"


def _object(obj: ObjectFields) -> list[str]:
    lines = [f"## {cell(title(obj))}", "", cell(coverage_sentence(obj)), ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for entry in obj.fields:
        cells = [cell(c) for c in row(entry)]
        cells[1] = code(entry.name, in_table=True)
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]
