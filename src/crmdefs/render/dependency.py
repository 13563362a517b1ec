"""A dependent picklist's matrix in a plan (docs/salesforce.md#sf-dependent-matrix): rows are this field's
values, columns the controlling values, ``✓`` where a value is offered, ``·`` where it is not, and
``before → after`` in a cell that changes. Too wide for the page, it becomes one line per value. PURE.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from crmdefs.plan.changes import DependencyChange, DependencyRow

ON, OFF, ARROW = "✓", "·", " → "
Line = tuple[str, int, str]  # (style: "+" / "~", indent below the change line, text)


def matrix_lines(change: DependencyChange, width: int) -> list[Line]:
    """The change as lines of at most ``width`` characters (after their indent)."""
    symbol = "+" if change.new else "~"
    field = change.controlling_field
    new = " (new)" if change.new else ""
    head = f"{symbol} depends on {field}{new}: the {field} values that offer each value"
    labels = [_quote(r.value) for r in change.rows]
    label_width = max(len(label) for label in labels) + 2
    cells = [[_cell(r, c, change.new) for c in change.columns] for r in change.rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(change.columns)]
    if not change.columns or 4 + label_width + sum(w + 2 for w in widths) > width:
        return [(symbol, 0, head), *_listed(change.rows, field)]
    header = " " * (4 + label_width) + "  ".join(
        c.center(w) for c, w in zip(change.columns, widths, strict=True)
    )
    lines: list[Line] = [(symbol, 0, head), (symbol, 0, header.rstrip())]
    for row, label, row_cells in zip(change.rows, labels, cells, strict=True):
        mark = _mark(row)
        text = "  ".join(c.center(w) for c, w in zip(row_cells, widths, strict=True))
        lines.append((mark, 4, f"{mark} {label.ljust(label_width)}{text}".rstrip()))
    return lines


def _cell(row: DependencyRow, column: str, new: bool) -> str:
    """A new dependency shows where values will be offered (before it, every value was offered for all)."""
    before = column.casefold() in {b.casefold() for b in row.before}
    after = column.casefold() in {a.casefold() for a in row.after}
    if before == after or new:
        return ON if after else OFF
    return (ON if before else OFF) + ARROW + (ON if after else OFF)


def _listed(rows: Sequence[DependencyRow], field: str) -> list[Line]:
    return [(_mark(r), 4, f"{_mark(r)} {_quote(r.value)}: {offered_text(r, field)}") for r in rows]


def _mark(row: DependencyRow) -> str:
    """``+`` for a row that had no settings, ``~`` for one whose settings change."""
    return "+" if not row.before else "~"


def offered_text(row: DependencyRow, field: str) -> str:
    """'offered when StageName is "Closed Lost" (was: none)'."""
    return f"offered when {field} is {_names(row.after)} (was: {_names(row.before)})"


def _names(values: Sequence[str]) -> str:
    return " or ".join(_quote(v) for v in values) if values else "none"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
