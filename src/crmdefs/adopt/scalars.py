"""PURE: one text written as a YAML scalar in a given style, as close to the style it replaces as the
text allows.

- **plain** stays plain when the text is safe plain (it reads back as the same string: no ``: `` or
  `` #``, no leading indicator, not a number, date, bool or null, no flow indicator inside ``{…}``/``[…]``);
  otherwise it is quoted;
- **single** quotes stay single (``'`` doubled) unless the text has a line break or a character YAML cannot
  hold raw; then double quotes, escaped;
- **double** quotes are escaped as JSON escapes them (every JSON escape is a YAML one), plus the line
  separators YAML would otherwise fold;
- **literal** ``|`` and **folded** ``>`` blocks keep their header (chomping, indentation indicator) and the
  indentation of their content; a folded block is re-wrapped at the width of the block it replaces.

Each function returns the candidates in order of preference: the caller keeps the first that reads back
as the text (adopt/edits.py verifies by parsing), so a rule missed here costs a quote, never a wrong value.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import yaml

_STR = "tag:yaml.org,2002:str"
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW = set(",[]{}")
# What YAML cannot hold raw in a scalar (PyYAML's Reader.NON_PRINTABLE), and the characters it reads as
# line breaks; both are written as escapes inside double quotes.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAKS = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
MIN_WIDTH = 80  # a folded block is wrapped at least this wide (at the widest line of the one it replaces)


def plain_ok(text: str, *, flow: bool) -> bool:
    """Whether ``text`` written plain reads back as the same string."""
    if not text or text != text.strip() or "\n" in text or "\t" in text or "\r" in text:
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(c in _FLOW for c in text):
        return False
    if _NON_PRINTABLE.search(text) or any(c in text for c in _BREAKS):
        return False
    resolved = yaml.resolver.Resolver().resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, text, (True, False)
    )
    return bool(resolved == _STR)


def single_quoted(text: str) -> str | None:
    if "\n" in text or "\r" in text or _NON_PRINTABLE.search(text) or any(c in text for c in _BREAKS):
        return None
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str) -> str:
    escaped = json.dumps(text, ensure_ascii=False)
    for char, escape in _BREAKS.items():
        escaped = escaped.replace(char, escape)
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


def inline_candidates(text: str, style: str, *, flow: bool) -> list[str]:
    """Renderings of ``text`` on one line, best first, for a scalar written ``style``."""
    single = single_quoted(text)
    found = []
    if style == "plain" and plain_ok(text, flow=flow):
        found.append(text)
    if style in ("plain", "single") and single is not None:
        found.append(single)
    found.append(double_quoted(text))
    return found


def plain_value(value: str | dt.date | bool | int, *, flow: bool) -> str:
    """A new value in an entry crmdefs appends: a date, flag or number as YAML writes it, a text plain where
    safe, else in double quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, int)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value if plain_ok(value, flow=flow) else double_quoted(value)


def block_candidates(text: str, header: str, indent: int, width: int, newline: str) -> list[str]:
    """Renderings of ``text`` as a block scalar with ``header`` (``|-``, ``>``, ``>2-``…) whose content is
    indented ``indent`` spaces, best first; a quoted one last, for text no block can hold."""
    found = []
    if header.startswith(">"):
        folded = _folded(text, width - indent)
        if folded is not None:
            found.append(_block(header, folded, indent, newline))
        header = "|" + header[1:]
    if _block_ok(text):
        found.append(_block(header, text.split("\n"), indent, newline))
    found.append(double_quoted(text))
    return found


def block_header(original: str) -> str:
    """The header of the block scalar written ``original`` (``>-`` of ``>-\\n  text``)."""
    return original.split("\n", 1)[0].split("#", 1)[0].rstrip(" \r")


def content_indent(original: str) -> int | None:
    """The indentation of the first non-empty content line of the block scalar ``original``."""
    for line in original.split("\n")[1:]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return None


def widest(original: str) -> int:
    lines = original.split("\n")[1:]
    return max([MIN_WIDTH, *(len(line.rstrip("\r")) for line in lines)])


def _block_ok(text: str) -> bool:
    """A block can hold ``text``: no leading space on its first line (it would set the indentation), no
    character YAML cannot hold raw, and no carriage return (it would be read as a line break)."""
    return (
        bool(text)
        and text[0] not in " \t"
        and not _NON_PRINTABLE.search(text)
        and "\r" not in text
        and not any(c in text for c in _BREAKS)
    )


def _block(header: str, lines: list[str], indent: int, newline: str) -> str:
    pad = " " * indent
    return header + "".join(newline + (pad + line if line else "") for line in lines)


def _folded(text: str, width: int) -> list[str] | None:
    """The content lines of a folded block reading as ``text``, wrapped at ``width``: each paragraph (a line
    of ``text``) wrapped at single spaces between words, paragraphs apart by one empty line per line
    break. None when folding cannot hold the text (a line with leading or trailing spaces, a tab)."""
    if not _block_ok(text) or "\t" in text:
        return None
    out: list[str] = []
    paragraphs = text.split("\n")
    for i, paragraph in enumerate(paragraphs):
        if not paragraph:
            continue  # counted below as one more empty line before the next paragraph
        if paragraph != paragraph.strip():
            return None
        if out:
            breaks = 1
            while not paragraphs[i - breaks]:
                breaks += 1
            out += [""] * breaks
        out += _wrap(paragraph, max(width, 20))
    return out


def _wrap(paragraph: str, width: int) -> list[str]:
    """Greedy wrap, breaking only at a single space between two words: folding turns that line break back
    into exactly that space."""
    words = re.split(r"(?<=\S) (?=\S)", paragraph)
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines
