"""Quality report → text for terminals and CI logs, laid out like `crmdefs drift`. PURE: returns a string.

Layout (fixed width, so it reads the same in a terminal, a log and a test)::

    crmdefs quality report, 2026-06-01T05:00:00Z — records since … (--since 90d), target "sandbox"

    Closed-lost reasons
      SF  salesforce:Opportunity.Loss_Reason__c on "sandbox", bound at definitions/fields/sf.yaml:40
          120 records, 95.0% filled, catch-all 25.0%
          requirement Closed Lost → Loss_Reason__c: 40 matching records, 6 missing, 85.0% filled
          ! breach: "Other" holds 25.0% of records, over the 10% allowed
                    (max_share set at definitions/fields/sf.yaml:44)
      HS  hubspot:deals.closed_lost_reason_code …

          value                                    SF             HS
          Price                             48  40.0%      30  37.5%
          Other                             30  25.0%       4   5.0%   catch-all
          (no value)                         6   5.0%       0   0.0%

    Skipped (not counted):
      # salesforce:Lead.Status: why

    Quality: 2 fields counted, 1 breach (5 aggregate calls).
"""

from __future__ import annotations

from crmdefs.quality.model import FieldQuality, QualityGroup, QualityReport
from crmdefs.quality.views import (
    Cell,
    Row,
    breach_said,
    breach_where,
    columns,
    field_facts,
    headline,
    quote,
    requirement_texts,
    rows,
    window,
)
from crmdefs.words import noun

RED, YELLOW, DIM, MAGENTA, RESET = (f"\x1b[{n}m" for n in (31, 33, 2, 35, 0))
TITLE_WIDTH = 34  # the value column; a longer value has a line of its own
CELL_WIDTH = 15  # "   1234  100.0%"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color else text


def _cell(cell: Cell | None) -> str:
    if cell is None:
        return f"{'-':>7} {'-':>6}".rjust(CELL_WIDTH)
    return f"{cell.records:>7} {cell.share:>5.1f}%".rjust(CELL_WIDTH)


def _row(row: Row, color: bool) -> list[str]:
    """A value's line; a value too long for its column has a line of its own, its numbers below it."""
    title = " ".join(row.title.split())
    lines = [f"      {title}"] if len(title) > TITLE_WIDTH else []
    line = f"{'' if lines else title:<{TITLE_WIDTH}}" + "".join(_cell(c) for c in row.cells)
    if row.notes:
        line += "   " + _paint("; ".join(map(str, row.notes)), YELLOW, color)
    return [*lines, "      " + line]


def _field(key: str, f: FieldQuality, color: bool) -> list[str]:
    lines = [
        f"  {key:<4}{f.crm}:{f.address} on {quote(f.target)}, bound at {f.binding}",
        f"      {field_facts(f)}",
    ]
    lines += [f"      requirement {text}" for text in requirement_texts(f)]
    for b in f.breaches:  # the sentence, then where its threshold is set: each fits the 100 columns
        lines.append(_paint(f"      ! breach: {breach_said(b)}", MAGENTA, color))
        lines.append(_paint(f"                ({breach_where(b)})", MAGENTA, color))
    return lines


def _group(group: QualityGroup, color: bool) -> list[str]:
    keys = columns(group)
    lines = [group.title]
    for key, f in zip(keys, group.fields, strict=True):
        lines += _field(key, f, color)
    lines.append("")
    header = f"{'value':<{TITLE_WIDTH}}" + "".join(f"{k:>{CELL_WIDTH}}" for k in keys)
    lines.append(_paint(f"      {header}", DIM, color))
    for r in rows(group):
        lines += _row(r, color)
    lines.append("")
    return lines


def render_quality(report: QualityReport, *, color: bool = False) -> str:
    targets = ", ".join(quote(t) for t in report.targets)
    lines = [
        f"crmdefs quality report, {report.generated_at} — {window(report)}, "
        f"{noun(len(report.targets), 'target')} {targets}",
        "",
    ]
    for group in report.groups:
        lines += _group(group, color)
    if not report.groups:
        lines += ["No bound picklist was counted.", ""]
    if report.skipped:
        lines.append("Skipped (not counted):")
        lines += [_paint(f"  # {a}: {why}", DIM, color) for a, why in report.skipped.items()]
        lines.append("")
    summary = headline(report)
    lines.append(_paint(summary, RED, color) if report.breaches else summary)
    return "\n".join(lines) + "\n"
