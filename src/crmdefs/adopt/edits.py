"""PURE: edits of a YAML file as replacements of exact character spans, verified by parsing the result.

Why span edits from our own parser (definitions/yamlsource.py records every node's span and style) and
not a round-trip library such as ruamel.yaml: no new dependency, and a round-trip library re-emits whole
documents (sequence indentation, line width, flow-mapping spacing, quoting) unless tuned, while a span
edit touches only the characters of the changed scalar — comments, key order and wrapping elsewhere are
untouched by construction.

Three kinds of :class:`Edit`: ``set`` (a scalar rewritten in place, in its own style where the text
allows: adopt/scalars.py), ``append`` (an entry added at the end of a list, in the style of the list's
last entry, with an optional trailing comment) and ``add_key`` (a key added at the end of a document's
top-level mapping, e.g. a term's first ``changelog``). :func:`edit_text` applies them all and then
**verifies**: the new text is parsed with our loader, and every document must read exactly as before
except at the edited paths, which must read the new values. A text that does not verify is refused
(:class:`EditRefused`), never written.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmdefs.adopt import scalars
from crmdefs.definitions.yamlsource import Document, PathKey, Span, load_text
from crmdefs.errors import CrmdefsError

Scalar = str | dt.date | bool | int


@dataclass(frozen=True)
class Edit:
    """One change to document ``doc`` of a file. ``value``: the new text (``set``); the new entry, a
    mapping of scalars (``append``, to the list at ``path``); ``{key: [entry]}`` (``add_key``, at
    ``path`` ()). ``what`` names it in messages."""

    doc: int
    path: PathKey
    kind: str
    value: Any
    what: str
    comment: str | None = None


class EditRefused(CrmdefsError):
    """An edit could not be written so that the file reads back as intended."""


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str
    what: str


def edit_text(text: str, docs: Sequence[Document], edits: Sequence[Edit], display: str) -> str:
    """``text`` with every edit made, verified; :class:`EditRefused` naming the edit that cannot be."""
    newline = "\r\n" if "\r\n" in text else "\n"
    splices = _merged(sorted((_splice(text, docs, e, newline, display) for e in edits), key=_order))
    for first, second in itertools.pairwise(splices):
        if second.start < first.end:
            raise EditRefused(f"{display}: {first.what} and {second.what} touch the same text — adopt one")
    result = text
    for s in reversed(splices):
        result = result[: s.start] + s.text + result[s.end :]
    why = verify(docs, result, display, edits)
    if why is not None:
        raise EditRefused(f"{display}: the edited file would not read back as intended ({why})")
    return result


def _order(splice: _Splice) -> tuple[int, int]:
    return splice.start, splice.end


def _merged(splices: list[_Splice]) -> list[_Splice]:
    """Insertions at one place (entries appended to one list) become one, in the order they were asked."""
    merged: list[_Splice] = []
    for splice in splices:
        last = merged[-1] if merged else None
        if last is not None and last.start == last.end == splice.start == splice.end:
            second = splice.text.lstrip("\r\n") if last.text.endswith("\n") else splice.text
            merged[-1] = _Splice(last.start, last.end, last.text + second, f"{last.what} and {splice.what}")
        else:
            merged.append(splice)
    return merged


def verify(before: Sequence[Document], text: str, display: str, edits: Sequence[Edit]) -> str | None:
    """Why ``text`` is not ``before`` with ``edits`` made (None: it is)."""
    after, problems = load_text(text, display)
    if problems:
        return problems[0].render()
    if len(after) != len(before):
        return f"{len(after)} documents instead of {len(before)}"
    for index, doc in enumerate(before):
        expected = copy.deepcopy(doc.data)
        for e in (e for e in edits if e.doc == index):
            _make(expected, e)
        where = _first_difference(after[index].data, expected, ())
        if where is not None:
            return f"document {index + 1} reads differently at {'.'.join(map(str, where)) or 'its top'}"
    return None


def _make(data: Any, edit: Edit) -> None:
    """What ``edit`` does to the data of its document."""
    *parent, last = edit.path if edit.path else (None,)
    holder = data
    for key in parent:
        holder = holder[key]
    if edit.kind == "set":
        holder[last] = edit.value
    elif edit.kind == "append":
        holder[last].append(dict(edit.value))
    else:
        target = holder if last is None else holder[last]
        target.update(copy.deepcopy(dict(edit.value)))


def _first_difference(actual: Any, expected: Any, at: PathKey) -> PathKey | None:
    """The first path where the two differ. Texts compare without trailing line breaks: a block scalar
    with clip chomping reads with one."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(actual) != list(expected):
            return at
        for key in expected:
            found = _first_difference(actual[key], expected[key], (*at, key))
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return at
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found = _first_difference(a, e, (*at, i))
            if found is not None:
                return found
        return None
    if isinstance(expected, str) and isinstance(actual, str):
        return None if actual.rstrip("\n") == expected.rstrip("\n") else at
    return None if type(actual) is type(expected) and actual == expected else at


def _splice(text: str, docs: Sequence[Document], edit: Edit, newline: str, display: str) -> _Splice:
    doc = docs[edit.doc]
    if edit.kind == "set":
        return _set(text, docs, edit, newline, display)
    if edit.kind == "append":
        return _append(text, doc, edit, newline)
    return _add_key(text, doc, edit, newline)


def _set(text: str, docs: Sequence[Document], edit: Edit, newline: str, display: str) -> _Splice:
    """The first rendering of the new text that reads back as it (verified alone), in the place of the
    old scalar's characters — for a block scalar, up to the end of its last content line."""
    doc = docs[edit.doc]
    span = doc.spans[edit.path]
    original = text[span.start : span.end]
    if span.style in ("literal", "folded"):
        end = _content_end(text, span)
        header = scalars.block_header(original)
        indent = scalars.content_indent(original) or _column(text, span.start) + 2
        candidates = scalars.block_candidates(edit.value, header, indent, scalars.widest(original), newline)
    elif span.style in ("plain", "single", "double"):
        end = span.end
        candidates = scalars.inline_candidates(edit.value, span.style, flow=_in_flow(doc, edit.path))
    else:
        raise EditRefused(f"{display}: {edit.what} is not written as a text here, so it cannot be rewritten")
    for candidate in candidates:
        trial = text[: span.start] + candidate + text[end:]
        if verify(docs, trial, display, [edit]) is None:
            return _Splice(span.start, end, candidate, edit.what)
    raise EditRefused(f"{display}: {edit.what} could not be written so that it reads back as the CRM's text")


def _append(text: str, doc: Document, edit: Edit, newline: str) -> _Splice:
    """A new entry after the last one of the block list at ``edit.path``, in that entry's style."""
    span = doc.spans[edit.path]
    items = sorted(p[-1] for p in doc.spans if len(p) == len(edit.path) + 1 and p[:-1] == edit.path)
    if span.style != "block" or not items:
        raise EditRefused(
            f"{doc.path}: {edit.what}: the list at line {doc.where(edit.path).line} is written inline "
            "([…]); adopt writes to block lists ('- …' lines) only — add it by hand"
        )
    last = (*edit.path, items[-1])
    start = doc.spans[last].start
    dash = text.rfind("-", _line_start(text, start), start)
    indent = " " * (dash - _line_start(text, dash))
    entry = _entry(text, doc, last, edit.value, newline)
    comment = f"  # {edit.comment}" if edit.comment else ""
    first, *rest = entry.split(newline, 1)
    lines = indent + "- " + first + comment + (newline + rest[0] if rest else "")
    return _insertion(text, _content_end_of(text, doc, last), lines, newline, edit.what)


def _add_key(text: str, doc: Document, edit: Edit, newline: str) -> _Splice:
    """New keys at the end of the document's top-level mapping, each a block list of mappings."""
    root = doc.spans[()]
    indent = " " * _column(text, root.start)
    lines = []
    for key, entries in dict(edit.value).items():
        lines.append(f"{indent}{key}:")
        for entry in entries:
            body = _block_entry(entry, indent + "    ", newline)
            lines.append(f"{indent}  - {body}")
    return _insertion(text, _content_end_of(text, doc, ()), newline.join(lines), newline, edit.what)


def _entry(text: str, doc: Document, last: PathKey, entry: Mapping[str, Scalar], nl: str) -> str:
    """``entry`` as the list's last entry is written: a flow mapping on one line, or block keys under the
    dash (a key the last entry writes as a block scalar written as one too)."""
    if doc.spans[last].style == "flow":
        inner = ", ".join(f"{k}: {scalars.plain_value(v, flow=True)}" for k, v in entry.items())
        return "{" + inner + "}"
    return _block_entry(entry, " " * _column(text, doc.spans[last].start), nl, text, doc, last)


def _block_entry(
    entry: Mapping[str, Scalar],
    key_indent: str,
    newline: str,
    text: str = "",
    doc: Document | None = None,
    last: PathKey = (),
) -> str:
    lines = []
    for key, value in entry.items():
        span = doc.spans.get((*last, key)) if doc is not None else None
        if isinstance(value, str) and span is not None and span.style in ("literal", "folded"):
            original = text[span.start : span.end]
            rendered = scalars.block_candidates(
                value,
                scalars.block_header(original),
                len(key_indent) + 2,
                scalars.widest(original),
                newline,
            )[0]
        else:
            rendered = scalars.plain_value(value, flow=False)
        lines.append(f"{key}: {rendered}")
    return newline.join(lines[:1] + [key_indent + line for line in lines[1:]])


def _insertion(text: str, after: int, lines: str, newline: str, what: str) -> _Splice:
    """``lines`` on new lines after the line holding offset ``after`` (and its trailing comment)."""
    end = text.find("\n", after)
    if end == -1:
        return _Splice(len(text), len(text), newline + lines + newline, what)
    return _Splice(end + 1, end + 1, lines + newline, what)


def _content_end(text: str, span: Span) -> int:
    """Where a block scalar's last content line ends (its span runs on over the line breaks after it)."""
    last = span.start + len(text[span.start : span.end].rstrip())
    end = text.find("\n", last)
    end = span.end if end == -1 or end > span.end else end
    return end - 1 if end > span.start and text[end - 1] == "\r" else end


def _content_end_of(text: str, doc: Document, at: PathKey) -> int:
    """Where the last content of the node at ``at`` ends: a block collection's own end mark runs on over
    the comments and blank lines after it."""
    span = doc.spans[at]
    if span.style in ("literal", "folded"):
        return _content_end(text, span)
    if span.style != "block":
        return span.end
    inside = [p for p in doc.spans if len(p) > len(at) and p[: len(at)] == at]
    return max(
        (_content_end_of(text, doc, p) for p in inside if doc.spans[p].style != "block"), default=span.end
    )


def _in_flow(doc: Document, at: PathKey) -> bool:
    return any(doc.spans[at[:k]].style == "flow" for k in range(len(at)) if at[:k] in doc.spans)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _column(text: str, offset: int) -> int:
    return offset - _line_start(text, offset)
