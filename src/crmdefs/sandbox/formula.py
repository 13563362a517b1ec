"""The Salesforce formula subset the sandbox understands in validation rules: checked when a rule is saved
(as Salesforce compiles it then) and evaluated on every record write while the rule is active.

Subset: ``AND(…)``, ``OR(…)``, ``NOT(x)``, ``ISPICKVAL(picklist, "v")``, ``ISBLANK(x)``, ``TEXT(x)``,
``INCLUDES(multi-select, "v")``, ``=`` / ``==``, ``<>`` / ``!=``, field references (any case), ``"text"`` or
``'text'`` literals, numbers, ``TRUE`` / ``FALSE`` and parentheses. Anything else is a syntax error.

Rules (docs/salesforce.md#sf-formula-picklist-functions): a picklist is only accepted by ISPICKVAL, TEXT (and
CASE, not in this subset); a multi-select picklist by INCLUDES and ISBLANK. Anywhere else — ISBLANK on a
picklist, ``StageName = "x"`` — the save is refused with "Field X is a picklist field. Picklist fields are
only supported in certain functions."; an unknown field with "Field X does not exist. Check spelling.".
Blank text compares as "" (Salesforce's "treat blank fields as blanks").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PICKLIST, MULTI = "picklist", "multipicklist"
_TOKEN = re.compile(
    r"\s*(?:(?P<string>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|<>|=|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<other>\S))"
)


class FormulaError(ValueError):
    """A formula Salesforce would not save; the message is Salesforce's wording."""


@dataclass(frozen=True)
class Node:
    kind: str  # "call", "field", "text", "number", "bool", "compare"
    name: str = ""  # function, field (as the org spells it) or operator
    args: tuple[Node, ...] = ()
    value: Any = None


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            break
        kind = match.lastgroup or "other"
        found.append((kind, match.group(kind)))
        position = match.end()
    return [*found, ("end", "")]


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, str]) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.fields = {name.casefold(): name for name in fields}

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect(self, text: str) -> None:
        kind, got = self.take()
        if got != text:
            raise FormulaError(f"Syntax error. Missing '{text}'" if kind == "end" else "Syntax error.")

    def expression(self) -> Node:
        left = self.primary()
        kind, text = self.tokens[self.index]
        if kind == "op" and text in ("=", "==", "!=", "<>"):
            self.take()
            operator = "=" if text in ("=", "==") else "<>"
            return Node("compare", operator, (left, self.primary()))
        return left

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "string":
            return Node("text", value=re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "number":
            return Node("number", value=float(text))
        if kind == "op" and text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if kind != "word":
            raise FormulaError("Syntax error." if kind != "end" else "Syntax error. Missing ')'")
        if text.upper() in ("TRUE", "FALSE"):
            return Node("bool", value=text.upper() == "TRUE")
        if self.tokens[self.index] == ("op", "("):
            self.take()
            args: list[Node] = []
            while self.tokens[self.index] != ("op", ")"):
                args.append(self.expression())
                if self.tokens[self.index] == ("op", ","):
                    self.take()
                elif self.tokens[self.index] != ("op", ")"):
                    raise FormulaError("Syntax error. Missing ')'")
            self.take()
            return Node("call", text.upper(), tuple(args))
        if text.casefold() not in self.fields:
            raise FormulaError(f"Field {text} does not exist. Check spelling.")
        return Node("field", self.fields[text.casefold()])


def parse(text: str, fields: Mapping[str, str]) -> Node:
    """The formula as a checked tree; ``fields``: the object's fields, name → describe type (picklist,
    multipicklist, string, boolean, double, date, reference, …). Raises :class:`FormulaError`."""
    parser = _Parser(text, fields)
    node = parser.expression()
    if parser.tokens[parser.index][0] != "end":
        raise FormulaError("Syntax error. Extra " + parser.tokens[parser.index][1])
    if _type(node, fields) != "boolean":
        raise FormulaError(
            "Formula result is data type (Text), incompatible with expected data type (true/false)."
        )
    return node


_ARITY = {"NOT": 1, "ISPICKVAL": 2, "ISBLANK": 1, "TEXT": 1, "INCLUDES": 2}


def _picklist_error(node: Node) -> FormulaError:
    return FormulaError(
        f"Field {node.name} is a picklist field. Picklist fields are only supported in certain functions."
    )


def _plain(node: Node, fields: Mapping[str, str]) -> str:
    """The type of ``node`` where a picklist is not accepted."""
    kind = _type(node, fields)
    if kind in (PICKLIST, MULTI):
        raise _picklist_error(node)
    return kind


def _type(node: Node, fields: Mapping[str, str]) -> str:
    if node.kind == "field":
        return fields[node.name]
    if node.kind in ("text", "number"):
        return "string" if node.kind == "text" else "double"
    if node.kind in ("bool", "compare"):
        for arg in node.args:
            _plain(arg, fields)
        return "boolean"
    name, args = node.name, node.args
    if name not in ("AND", "OR") and name not in _ARITY:
        raise FormulaError(f"Unknown function {name}. Check spelling.")
    if name in _ARITY and len(args) != _ARITY[name]:
        raise FormulaError(
            f"Incorrect number of parameters for function '{name}()'. Expected {_ARITY[name]}, "
            f"received {len(args)}"
        )
    if name in ("ISPICKVAL", "INCLUDES"):
        wanted = PICKLIST if name == "ISPICKVAL" else MULTI
        if args[0].kind != "field" or fields[args[0].name] != wanted:
            expected = "Picklist" if name == "ISPICKVAL" else "Multi-Select Picklist"
            raise FormulaError(f"Incorrect parameter type for function '{name}()'. Expected {expected}")
        _plain(args[1], fields)
        return "boolean"
    if name == "TEXT":
        _type(args[0], fields)  # a picklist is what TEXT is for
        return "string"
    if name == "ISBLANK":
        if _type(args[0], fields) == PICKLIST:
            raise _picklist_error(args[0])
        return "boolean"
    for arg in args:  # AND, OR, NOT
        _plain(arg, fields)
    return "boolean"


def evaluate(node: Node, record: Mapping[str, Any]) -> Any:
    """``node`` on ``record`` (field name → value; a field the record lacks is blank)."""
    if node.kind == "field":
        return next((v for k, v in record.items() if k.casefold() == node.name.casefold()), None)
    if node.kind in ("text", "number", "bool"):
        return node.value
    values = [evaluate(arg, record) for arg in node.args]
    if node.kind == "compare":
        left, right = ("" if v is None else v for v in values)
        return (left == right) if node.name == "=" else (left != right)
    name = node.name
    if name == "AND":
        return all(bool(v) for v in values)
    if name == "OR":
        return any(bool(v) for v in values)
    if name == "NOT":
        return not values[0]
    if name == "ISPICKVAL":
        return (values[0] or "") == values[1]
    if name == "INCLUDES":
        return str(values[1]) in str(values[0] or "").split(";")
    if name == "ISBLANK":
        return values[0] is None or values[0] == ""
    return "" if values[0] is None else str(values[0])  # TEXT
