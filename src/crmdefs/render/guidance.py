"""Salesforce Path guidance ("Guidance for Success") for people: the HTML a Path step holds as text, and
the steps whose guidance is the same on several record types shown once. PURE.

A step's guidance is rich text, stored as HTML (docs/salesforce.md#sf-path-assistant): ``<p>`` paragraphs,
``<ul>``/``<ol>`` lists, ``<br>``, inline ``<b>``/``<i>``/``<a>``. The text and Markdown views show it as a
person reads it in the Path (paragraphs as lines, list items as "• item"); the plan file and JSON keep
the exact HTML that is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from crmdefs.plan.changes import PathChange
from crmdefs.render.worddiff import wrap

MASTER = "__MASTER__"  # the master record type's Path (docs/salesforce.md#sf-path-assistant)
BULLET = "• "
# Tags that end a line: a paragraph, a division, a heading, a list item, a table row.
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote"}
_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r" *(?:• |\d+\. )")  # what _marker() puts at the start of a list item


class _Text(HTMLParser):
    """Collects lines: block tags end the current line, ``<br>`` breaks it, list items start with a
    bullet (a number in an ``<ol>``), other tags are dropped and their text kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # &amp; &lt; &nbsp; … become the characters they name
        self.lines: list[str] = []
        self._line: list[str] = []
        self._lists: list[list[int]] = []  # per open list: [next number] for <ol>, [] for <ul>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._end_line(keep_empty=True)
        elif tag in ("ul", "ol"):
            self._end_line()
            self._lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            self._end_line()
            self._line.append(self._marker())
        elif tag in _BLOCKS and not self._only_marker():  # <li><p>text</p></li>: the text is the item's
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag in _BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        self._line.append(data)

    def close(self) -> None:
        super().close()
        self._end_line()

    def _only_marker(self) -> bool:
        return _MARKER.fullmatch("".join(self._line)) is not None

    def _marker(self) -> str:
        indent = "  " * max(0, len(self._lists) - 1)
        if self._lists and self._lists[-1]:
            number = self._lists[-1][0]
            self._lists[-1][0] += 1
            return f"{indent}{number}. "
        return indent + BULLET

    def _end_line(self, *, keep_empty: bool = False) -> None:
        raw = "".join(self._line)
        self._line = []
        marker = _MARKER.match(raw)
        lead = marker.group(0) if marker else ""
        text = _SPACE.sub(" ", raw[len(lead) :].replace("\xa0", " ")).strip()
        if text or keep_empty:
            self.lines.append(lead + text if text else "")
        elif lead:  # an empty list item still shows as one
            self.lines.append(lead.rstrip())


def guidance_text(html: str) -> str:
    """The guidance as a person reads it: one line per paragraph or line break, "• item" per list item.
    Text that is not HTML comes back with its spaces tidied, as the Path would show it."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = parser.lines
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def record_type_name(record_type: str) -> str:
    return "master" if record_type == MASTER else record_type


@dataclass(frozen=True)
class PathGroup:
    """One stage's guidance change, the same on each of ``record_types`` (plan order)."""

    stage: str
    record_types: tuple[str, ...]
    before: str | None
    after: str

    @property
    def where(self) -> str:
        """Where it applies: "master", "record type Renewal", "record types: master, Renewal"."""
        names = [record_type_name(r) for r in self.record_types]
        if len(names) == 1:
            return names[0] if self.record_types[0] == MASTER else f"record type {names[0]}"
        return "record types: " + ", ".join(names)


def group_path_changes(changes: Sequence[PathChange]) -> list[PathGroup]:
    """The changes with the same stage, guidance before and guidance after are one group, listing their
    record types: a guidance written to three record types is read once. Groups follow the stages in
    plan order (the Path's order), each stage's groups in the order their first record type comes."""
    groups: dict[tuple[str, str | None, str], list[str]] = {}
    rank: dict[str, int] = {}
    for change in changes:
        rank.setdefault(change.stage, len(rank))
        groups.setdefault((change.stage, change.before, change.after), []).append(change.record_type)
    ordered = sorted(groups.items(), key=lambda item: rank[item[0][0]])
    return [PathGroup(stage, tuple(types), before, after) for (stage, before, after), types in ordered]


def wrap_guidance(text: str, width: int) -> list[str]:
    """``text`` (from :func:`guidance_text`) wrapped at ``width``; a list item's next lines hang under its
    first word, so each item reads as one."""
    out: list[str] = []
    for line in text.split("\n"):
        marker = _MARKER.match(line)
        hang = " " * len(marker.group(0)) if marker else ""
        nested = " " * (len(line) - len(line.lstrip(" ")))  # an item of a list inside a list
        wrapped = wrap(line, width - len(hang)) if line.strip() else [""]
        out += [nested + wrapped[0], *(hang + rest for rest in wrapped[1:])]
    return out
