"""Safe YAML loading that remembers where every key and value came from.

PyYAML's ``safe_load`` forgets line numbers, silently keeps the last of two duplicate keys and expands
aliases (an "alias bomb" can take minutes). So we stop at PyYAML's *composition* step (syntax only,
nothing constructed, no Python tags executed) and build plain Python values ourselves, recording the
``line:column`` of each key and value. Aliases, merge keys and non-standard tags are refused: a
definitions file never needs them, and refusing them makes hostile input harmless.

Each node's :class:`Span` (start and end offset in the text, and its style) is recorded too, so that
`crmdefs adopt` can rewrite exactly the characters of one scalar and leave every other byte alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crmdefs.errors import Problem

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40

PathKey = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


# A node's style as written: scalars plain, single ('…'), double ("…"), literal (|) or folded (>);
# collections flow ({…} / […]) or block.
_STYLES = {None: "plain", "": "plain", "'": "single", '"': "double", "|": "literal", ">": "folded"}


@dataclass(frozen=True)
class Span:
    """Where a node is written: ``text[start:end]`` (character offsets) and its style. The end of a block
    scalar or block collection is PyYAML's end mark, which runs on over the line breaks (and, for a
    collection, comments) after its last content; quoted, plain and flow nodes end exactly."""

    start: int
    end: int
    style: str


@dataclass
class Document:
    """One YAML document of a file: its data plus the position of every value and mapping key, and the
    span of every value."""

    path: str
    data: Any
    start: Mark
    values: dict[PathKey, Mark] = field(default_factory=dict)
    keys: dict[PathKey, Mark] = field(default_factory=dict)
    spans: dict[PathKey, Span] = field(default_factory=dict)

    def where(self, at: PathKey, *, key: bool = False) -> Mark:
        """The mark of the value (or, with ``key``, the key) at ``at``, else of its nearest parent."""
        if key and at in self.keys:
            return self.keys[at]
        probe = at
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), self.start)


class _Refused(Exception):
    def __init__(self, node: yaml.Node | yaml.Event, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = _mark(node)
        self.message = message
        self.hint = hint


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases where they are written, before they can be expanded."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(
                self.peek_event(),  # type: ignore[no-untyped-call]
                "YAML anchors and aliases (&name / *name) are not allowed",
                "write the value out in full",
            )
        return super().compose_node(parent, index)


# libyaml's composer (when PyYAML was built with it). It cannot refuse an alias where it is written, but
# it never copies one either: an alias is the same node object again, which _convert refuses on first
# reuse, so an "alias bomb" is as harmless as with the pure-Python loader. Any problem it reports is read
# again by the pure-Python loader, so both give the same located messages (tests/test_yaml_loaders.py).
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _mark(node: yaml.Node | yaml.Event) -> Mark:
    start = node.start_mark
    return Mark(start.line + 1, start.column + 1) if start is not None else Mark(0, 0)


def _line_col_of_offset(raw: bytes, offset: int) -> Mark:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Mark(line, column)


def load_file(path: Path, display: str) -> tuple[list[Document], list[Problem]]:
    """Read ``path`` (shown to users as ``display``) into documents, or problems saying why not."""

    def fail(message: str, hint: str, mark: Mark = Mark(0, 0)) -> tuple[list[Document], list[Problem]]:
        return [], [Problem(display, mark.line, mark.column, message, hint)]

    if path.is_dir():
        return fail("is a directory, not a YAML file", "rename it so it does not end in .yaml/.yml")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return fail(f"cannot be read ({exc.strerror or exc})", "check that the file exists and is readable")
    if len(raw) > MAX_FILE_BYTES:
        return fail(
            f"is {len(raw):,} bytes; definition files are limited to {MAX_FILE_BYTES:,}",
            "split it into several files",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8",
            _line_col_of_offset(raw, exc.start),
        )
    return load_text(text, display)


def load_text(text: str, display: str) -> tuple[list[Document], list[Problem]]:
    """Parse YAML text into documents; syntax errors and refused constructs become problems.

    libyaml composes about 10× faster; when it finds anything wrong, the pure-Python loader reads the file
    again, so every message and position is the same whichever PyYAML build is installed."""
    if _FAST_LOADER is not None and _shallow(text):
        documents, problems = _compose(text, display, _FAST_LOADER)
        if not problems:
            return documents, problems
    return _compose(text, display, _Loader)


def _shallow(text: str) -> bool:
    """True when ``text`` cannot nest deeper than 2 × MAX_DEPTH. libyaml's composer recurses in C with no
    limit and crashes the interpreter on very deep nesting, so such text goes to the pure-Python loader,
    which refuses it politely. Each nesting level costs at least one leading space, '-', '?' or ':' on its
    line, or one '[' / '{': an overestimate only means the slower loader."""
    block = max((len(line) - len(line.lstrip(" -?:")) for line in text.splitlines()), default=0)
    flow = depth = 0
    for char in text:
        if char in "[{":
            depth += 1
            flow = max(flow, depth)
        elif char in "]}":
            depth -= 1
    return block + flow <= 2 * MAX_DEPTH


def _compose(text: str, display: str, loader: Any) -> tuple[list[Document], list[Problem]]:
    documents: list[Document] = []
    try:
        for node in yaml.compose_all(text, Loader=loader):
            if node is None or (node.tag == f"{_STD}null" and isinstance(node, yaml.ScalarNode)):
                continue  # an empty document, e.g. a trailing '---'
            doc = Document(display, None, _mark(node))
            doc.data = _convert(node, (), doc, set(), 0)
            documents.append(doc)
    except yaml.MarkedYAMLError as exc:
        return [], [syntax_problem(exc, text, display)]
    except yaml.reader.ReaderError as exc:  # control characters YAML does not allow
        where = _line_col_of_offset(text.encode(), len(text[: exc.position].encode()))
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return [], [
            Problem(
                display,
                where.line,
                where.column,
                f"contains a control character (U+{ord(char):04X}) that YAML does not allow",
                "delete it or write it as an escape inside double quotes",
            )
        ]
    except _Refused as exc:
        return [], [Problem(display, exc.mark.line, exc.mark.column, exc.message, exc.hint)]
    except RecursionError:
        return [], [
            Problem(
                display,
                0,
                0,
                "is nested too deeply to be a definitions file",
                f"keep nesting under {MAX_DEPTH} levels",
            )
        ]
    if not documents:
        return [], [
            Problem(
                display, 1, 1, "is empty", "add a definition (see README 'Definitions') or delete the file"
            )
        ]
    return documents, []


def syntax_problem(exc: yaml.MarkedYAMLError, text: str, display: str) -> Problem:
    """One plain message for a file that does not parse. The two mistakes people make most get their own
    words: a tab (YAML forbids tabs in indentation, and PyYAML anywhere a token could start) and a key
    without its colon; anything else keeps PyYAML's description."""
    mark = exc.problem_mark or exc.context_mark
    where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(0, 0)
    lines = text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    if where.column and line[where.column - 1 : where.column] == "\t":
        indent = line[: where.column - 1].strip(" \t") == ""
        return Problem(
            display,
            where.line,
            where.column,
            f"line {where.line} is indented with a tab; YAML needs spaces"
            if indent
            else f"line {where.line} has a tab at column {where.column}, where YAML needs spaces",
            "replace the tab with spaces (and set your editor to indent YAML with spaces)",
        )
    if exc.problem == "could not find expected ':'" and exc.context_mark is not None:
        key = exc.context_mark
        written = lines[key.line].strip() if key.line < len(lines) else ""
        return Problem(
            display,
            key.line + 1,
            key.column + 1,
            f"line {key.line + 1} has no ':' after its key ({written!r})",
            "write it as 'key: value', with a colon and a space after the key",
        )
    return Problem(
        display,
        where.line,
        where.column,
        f"YAML syntax error: {exc.problem or 'invalid YAML'}",
        "fix the YAML syntax (indentation, quotes, colons)",
    )


def _convert(node: yaml.Node, at: PathKey, doc: Document, seen: set[int], depth: int) -> Any:
    if id(node) in seen:
        raise _Refused(
            node, "YAML anchors and aliases (&name / *name) are not allowed", "write the value out in full"
        )
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _Refused(node, f"nested more than {MAX_DEPTH} levels deep", "flatten the structure")
    doc.values[at] = _mark(node)
    doc.spans[at] = _span(node)
    if isinstance(node, yaml.MappingNode):
        return _convert_mapping(node, at, doc, seen, depth)
    if isinstance(node, yaml.SequenceNode):
        _check_tag(node, f"{_STD}seq")
        return [_convert(item, (*at, i), doc, seen, depth + 1) for i, item in enumerate(node.value)]
    return _convert_scalar(node)


def _span(node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    if isinstance(node, yaml.ScalarNode):
        style = _STYLES.get(node.style, "plain")
    else:
        style = "flow" if getattr(node, "flow_style", False) else "block"
    return Span(start.index if start else 0, end.index if end else 0, style)


def _convert_mapping(node: yaml.MappingNode, at: PathKey, doc: Document, seen: set[int], depth: int) -> Any:
    _check_tag(node, f"{_STD}map")
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == f"{_STD}merge":
            raise _Refused(key_node, "YAML merge keys (<<) are not allowed", "write the keys out in full")
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(key_node, "a mapping key must be a plain word", "use a simple key such as 'name'")
        _convert_scalar(key_node)  # refuses tags
        key = str(key_node.value)  # the text as written: 'yes' stays 'yes', not True
        key_at: PathKey = (*at, key)
        if key in result:
            first = doc.keys[key_at]
            raise _Refused(
                key_node,
                f"duplicate key '{key}' (first at line {first.line})",
                "keep one of them; YAML would silently drop the first",
            )
        doc.keys[key_at] = _mark(key_node)
        result[key] = _convert(value_node, key_at, doc, seen, depth + 1)
    return result


def _check_tag(node: yaml.Node, expected: str) -> None:
    if node.tag != expected:
        _refuse_tag(node)


def _refuse_tag(node: yaml.Node) -> None:
    shown = "!!" + node.tag.removeprefix(_STD) if node.tag.startswith(_STD) else node.tag
    raise _Refused(node, f"YAML tag '{shown}' is not allowed", "remove the tag; plain YAML values only")


def _convert_scalar(node: yaml.Node) -> Any:
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        _refuse_tag(node)
    value = node.value
    if tag == f"{_STD}str":
        return value
    try:
        return yaml.SafeLoader.yaml_constructors[tag](_NO_LOADER, node)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError):
        return value  # e.g. 2026-02-30 looks like a timestamp but is not a date: keep the text


# The scalar constructors are methods that never touch the stream; an empty loader is enough.
_NO_LOADER: Any = yaml.SafeLoader("")


# An ``id`` line as people write it, also when it is what broke the file: a tab before it, no colon after it.
_ID_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?id[ \t]*(?::[ \t]*|[ \t]+)[\"']?([^\s\"'#,{}\[\]]+)", re.MULTILINE)


def declared_ids(path: Path) -> set[str]:
    """The ids a file that did not parse seems to define, read from its text line by line. References to
    them are not reported as unknown: the file's own error is the one to fix (one mistake, one message)."""
    try:
        text = path.read_bytes()[:MAX_FILE_BYTES].decode("utf-8", errors="replace")
    except OSError:
        return set()
    return set(_ID_LINE.findall(text))


def iter_paths(root: Path) -> Iterator[Path]:
    """Every ``*.yaml`` / ``*.yml`` below ``root``, sorted. Hidden and symlinked directories are skipped; a
    directory whose name ends in .yaml is yielded (not entered) so the loader can say it is not a file."""
    found: list[Path] = []
    suffixes = (".yaml", ".yml")
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        found.extend(Path(folder, name) for name in dirnames if name.endswith(suffixes))
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not d.endswith(suffixes)]
        found.extend(Path(folder, name) for name in filenames if name.endswith(suffixes))
    yield from sorted(found)
