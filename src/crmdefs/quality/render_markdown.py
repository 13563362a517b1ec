"""Quality report → Markdown for an issue, a PR comment or a chat: a heading with the counts, a section per
group with the fields' facts and one table, Salesforce and HubSpot side by side. PURE: returns a string.
Every text from the CRM or the definitions is escaped (``glossary.markdown.text``), so it shows as written."""

from __future__ import annotations

from crmdefs.glossary.markdown import code, text
from crmdefs.quality.model import FieldQuality, QualityGroup, QualityReport
from crmdefs.quality.views import (
    NO_VALUE,
    Cell,
    Row,
    breach_text,
    crm_name,
    field_facts,
    headline,
    requirement_texts,
    rows,
    window,
)
from crmdefs.words import noun


def _code(value: str) -> str:
    return code(value).replace("|", "\\|")  # a table cell ends at any unescaped pipe, even in code


def _field_name(f: FieldQuality) -> str:
    return f"{crm_name(f.crm)} {_code(f.address)}"


def _cell(cell: Cell | None) -> str:
    return "—" if cell is None else f"{cell.records} ({cell.share:.1f}%)"


def _row(row: Row) -> str:
    title = f"_{NO_VALUE[1:-1]}_" if row.empty else text(row.title)
    if row.notes:
        title += " — " + "; ".join(f"**{text(str(n))}**" for n in row.notes)
    return f"| {title} | " + " | ".join(_cell(c) for c in row.cells) + " |"


def _field(f: FieldQuality) -> list[str]:
    lines = [
        f"- {_field_name(f)} on {_code(f.target)} (bound at {_code(f.binding)}): {text(field_facts(f))}."
    ]
    lines += [f"  - Requirement {text(r)}." for r in requirement_texts(f)]
    lines += [f"  - **Breach:** {text(breach_text(b))}." for b in f.breaches]
    return lines


def _group(group: QualityGroup) -> list[str]:
    lines = [f"### {text(group.title)}", ""]
    for f in group.fields:
        lines += _field(f)
    lines += [
        "",
        "| value | " + " | ".join(_field_name(f) for f in group.fields) + " |",
        "|---|" + "---:|" * len(group.fields),
    ]
    lines += [_row(r) for r in rows(group)]
    lines.append("| **records** | " + " | ".join(str(f.total) for f in group.fields) + " |")
    return [*lines, ""]


def render_quality(report: QualityReport, *, color: bool = False) -> str:
    targets = ", ".join(_code(t) for t in report.targets)
    lines = [
        f"## crmdefs quality: {headline(report).removeprefix('Quality: ')}",
        "",
        f"_Generated {report.generated_at}; {text(window(report))}; "
        f"{noun(len(report.targets), 'target')} {targets}._",
        "",
    ]
    for group in report.groups:
        lines += _group(group)
    if report.skipped:
        lines += ["<details><summary>Skipped (not counted)</summary>", "", "| field | why |", "|---|---|"]
        lines += [f"| {_code(a)} | {text(why)} |" for a, why in report.skipped.items()]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
