"""Word-level diff and wrapping for the long texts in a plan (help text, descriptions). PURE.

A line diff of a 200-word description hides a one-word edit; a word diff marks just the words that
change. Plain output uses git's ``--word-diff`` markers (``[-removed-]{+added+}``) so it survives CI logs
and copy-paste; colored output drops the markers and paints removed words red and added words green.

Line breaks are words too (``BREAK``): a kept break breaks the output line; a removed one shows as a
marked ``¶`` (the new text has no break there); an added one shows as a marked ``¶`` and breaks the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Kind = Literal["same", "removed", "added"]

BREAK = "\n"
PILCROW = "¶"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
RESET = "\x1b[0m"
_COLORS = {"removed": RED, "added": GREEN}
_MARKERS = {"same": ("", ""), "removed": ("[-", "-]"), "added": ("{+", "+}")}


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive words that the two texts share, or that only one of them has."""

    kind: Kind
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Unit:
    text: str
    kind: Kind
    glue: bool  # no space before it: the added half of a replacement, right after the removed half


def words(text: str) -> list[str]:
    """Whitespace-separated words, with each line break kept as a ``BREAK`` token."""
    tokens: list[str] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            tokens.append(BREAK)
        tokens.extend(line.split())
    return tokens


def same_words(before: str, after: str) -> bool:
    """True when the texts differ only in spacing (which a word diff cannot show)."""
    return words(before) == words(after)


def diff_words(before: str, after: str) -> list[Chunk]:
    old, new = words(before), words(after)
    chunks: list[Chunk] = []
    # autojunk off: with it, words as common as "the" count as junk in texts over 200 words and the
    # diff jumps around instead of marking the edit.
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            chunks.append(Chunk("same", tuple(old[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(Chunk("removed", tuple(old[i1:i2])))
        if j2 > j1:
            chunks.append(Chunk("added", tuple(new[j1:j2])))
    return chunks


def word_diff(before: str, after: str, *, color: bool, width: int) -> list[str]:
    """``before`` → ``after`` as lines of at most ``width`` visible characters, changed words marked."""
    return _layout(diff_words(before, after), color=color, width=width)


def wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width``, keeping its own line breaks (an empty string is a blank line)."""
    return wrap_tokens(words(text), width)


def wrap_tokens(tokens: Sequence[str], width: int) -> list[str]:
    """Tokens joined by spaces and wrapped at ``width``; a token is never split, even if it has spaces."""
    return _layout([Chunk("same", tuple(tokens))], color=False, width=width)


def _layout(chunks: Sequence[Chunk], *, color: bool, width: int) -> list[str]:
    return [_paint(line, color) for line in _wrap(_units(chunks, color), width)]


def _items(chunk: Chunk) -> list[str | None]:
    """The chunk's words with line breaks made visible (None = break the output line here)."""
    items: list[str | None] = []
    for word in chunk.words:
        if word != BREAK:
            items.append(word)
        elif chunk.kind == "same":
            items.append(None)
        else:
            items += [PILCROW] if chunk.kind == "removed" else [PILCROW, None]
    return items


def _units(chunks: Sequence[Chunk], color: bool) -> list[_Unit | None]:
    units: list[_Unit | None] = []
    for chunk in chunks:
        start, end = ("", "") if color else _MARKERS[chunk.kind]
        run: list[str] = []
        for item in [*_items(chunk), None]:
            if item is not None:
                run.append(item)
                continue
            if run:  # each output line's part of a change is marked on its own, so every line reads alone
                last = units[-1] if units else None
                glue = not color and chunk.kind == "added" and last is not None and last.kind == "removed"
                texts = [start + run[0], *run[1:]]
                texts[-1] += end
                units += [_Unit(t, chunk.kind, glue and n == 0) for n, t in enumerate(texts)]
            units.append(None)
            run = []
        units.pop()  # the sentinel's break
    return units


def _wrap(units: Sequence[_Unit | None], width: int) -> list[list[_Unit]]:
    lines: list[list[_Unit]] = [[]]
    length = 0
    for unit in units:
        if unit is None:
            lines.append([])
            length = 0
            continue
        gap = 0 if unit.glue or not lines[-1] else 1
        if lines[-1] and not unit.glue and length + gap + len(unit.text) > width:
            lines.append([])
            length = gap = 0
        lines[-1].append(unit)
        length += gap + len(unit.text)
    return lines


def _paint(line: Sequence[_Unit], color: bool) -> str:
    """One output line; in color, each change is one colored span, reset before the line ends."""
    out: list[str] = []
    current: Kind = "same"
    for index, unit in enumerate(line):
        gap = "" if index == 0 or unit.glue else " "
        if color and unit.kind != current:
            out.append((RESET if current != "same" else "") + gap + _COLORS.get(unit.kind, ""))
            gap = ""
            current = unit.kind
        out.append(gap + unit.text)
    if color and current != "same":
        out.append(RESET)
    return "".join(out)
