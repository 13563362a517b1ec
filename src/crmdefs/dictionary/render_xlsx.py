"""The dictionary as an Excel workbook (openpyxl): a "Coverage" sheet first, then one sheet per object with
a bold, frozen header row and wrapped text. Returns the file's bytes. PURE.

Every cell from the CRM is stored as a string, never as a formula — openpyxl would otherwise store text
starting with ``=`` as one — so a help text such as ``=HYPERLINK(…)`` shows as written (CSV injection,
https://owasp.org/www-community/attacks/CSV_Injection). Sheet names follow Excel's rules: at most 31
characters, none of ``[]:*?/\\``, unique regardless of case.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.dictionary.model import Dictionary, coverage
from crmdefs.dictionary.views import COLUMNS, coverage_sentence, row, title

SUMMARY = "Coverage"
SUMMARY_COLUMNS = (
    "CRM",
    "Object",
    "Sheet",
    "Coverage (%)",
    "Fields counted",
    "With help text",
    "With a description",
    "Picklist values",
    "Values with a description",
    "Left out (maintained by the CRM)",
    "In words",
)
MAX_SHEET_NAME = 31
WIDTHS = (28, 30, 16, 50, 50, 50, 18, 40)  # characters, per column of COLUMNS
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_names(wanted: Sequence[str], taken: Sequence[str] = (SUMMARY,)) -> list[str]:
    """Excel-safe, unique names for ``wanted``, in order: shortened, forbidden characters replaced, and a
    " (2)" added where two would be the same (Excel compares sheet names in any case)."""
    used = {t.casefold() for t in taken}
    names = []
    for name in wanted:
        base = (_FORBIDDEN.sub("_", name).strip("'") or "Sheet")[:MAX_SHEET_NAME]
        candidate, number = base, 1
        while candidate.casefold() in used:
            number += 1
            suffix = f" ({number})"
            candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(candidate.casefold())
        names.append(candidate)
    return names


def _put(sheet: Worksheet, values: Sequence[object], *, bold: bool = False) -> None:
    sheet.append([None] * len(values))
    line = sheet.max_row
    for column, value in enumerate(values, 1):
        target = sheet.cell(row=line, column=column)
        if isinstance(value, str):
            target.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            target.data_type = "s"  # a string, even when it starts with "="
        else:
            target.value = value
        target.alignment = _WRAP
        if bold:
            target.font = Font(bold=True)


def render_xlsx(dictionary: Dictionary) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY
    names = sheet_names([title(o) if _both(dictionary) else o.object for o in dictionary.objects])
    _put(summary, SUMMARY_COLUMNS, bold=True)
    for obj, name in zip(dictionary.objects, names, strict=True):
        c = coverage(obj)
        percent = None if c.percent is None else round(c.percent, 1)
        _put(
            summary,
            (CRM_NAMES[obj.crm], obj.object, name, percent, c.fields, c.help_text, c.description, c.values,
             c.described_values, c.left_out, coverage_sentence(obj)),
        )  # fmt: skip
        sheet = book.create_sheet(name)
        _put(sheet, COLUMNS, bold=True)
        for entry in obj.fields:
            _put(sheet, row(entry))
        sheet.freeze_panes = "A2"
        for column, width in enumerate(WIDTHS, 1):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    summary.freeze_panes = "A2"
    for column in range(1, len(SUMMARY_COLUMNS) + 1):
        summary.column_dimensions[summary.cell(row=1, column=column).column_letter].width = 16
    summary.column_dimensions["K"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _both(dictionary: Dictionary) -> bool:
    """Sheets are named after the object alone unless the dictionary holds both CRMs."""
    return len({o.crm for o in dictionary.objects}) > 1
