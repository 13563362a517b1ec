"""The dictionary as one CSV file: a row per field, the object in its own columns, picklist values in one
cell (``value (label): description``, one per line). PURE.

Text that a spreadsheet would take for a formula — starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return — is written with a leading apostrophe, OWASP's advice against CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection): CRM texts are typed by many people, and this file
is meant to be opened in Excel or Google Sheets.
"""

from __future__ import annotations

import csv
import io

from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.dictionary.model import Dictionary
from crmdefs.dictionary.views import COLUMNS, row

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("CRM", "Object", *COLUMNS, "Counted")


def inert(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_csv(dictionary: Dictionary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(HEADER)
    for obj in dictionary.objects:
        for entry in obj.fields:
            cells = (CRM_NAMES[obj.crm], obj.object, *row(entry), "yes" if entry.counted else "no")
            writer.writerow([inert(c) for c in cells])
    return buffer.getvalue()
