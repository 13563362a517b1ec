"""The SOQL subset of the Salesforce sandbox, as text: tokens, a parser and Salesforce's framing of query
errors. What the parsed query means against the org (fields, records, pages) is sfquery.py's; its docstring
has the sources.

SOQL: exactly this subset (keywords case-insensitive, any whitespace), anything else is MALFORMED_QUERY:
    SELECT F, COUNT(Id) FROM O [WHERE cond] GROUP BY F
    SELECT COUNT() FROM O [WHERE cond]
    SELECT F1[, F2 ...] FROM O [WHERE cond]
    cond := F = 'v' | F != 'v' | F <> 'v' | F = null | F != null | F IN ('v1', 'v2', ...)
          | F INCLUDES ('v1', 'v2;v3', ...) | F EXCLUDES ('v1', ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WSDL = " Please reference your WSDL or the describe call for the appropriate names."
INVALID_TYPE = (
    "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the "
    "'__c' after the entity name." + _WSDL
)
INVALID_FIELD = (
    "No such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to append the "
    "'__c' after the custom field name." + _WSDL
)


class QueryError(Exception):
    """A refused record request (a query or an sObject Collections call): answered with
    ``[{"message", "errorCode"}]`` and ``status``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Token:
    kind: str  # "word", "string", "op", "end"
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op>!=|<>|=|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>\S))",
    re.DOTALL,
)
_RESERVED = ("SELECT", "FROM", "WHERE", "GROUP", "BY", "IN", "NULL", "INCLUDES", "EXCLUDES")
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def _tokens(soql: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(soql):
        match = _TOKEN.match(soql, position)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "other"
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "<EOF>", len(soql)))
    return tokens


@dataclass
class Condition:
    field: Token
    operator: str  # "=", "!=", "IN", "INCLUDES", "EXCLUDES"
    values: list[str | None]  # None = null


@dataclass
class Soql:
    fields: list[Token]
    count_at: int | None  # index of COUNT(Id) in the select list
    count_rows: bool  # SELECT COUNT(): the number of matching rows, no records
    obj: Token
    where: Condition | None
    group_by: Token | None


class Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = _tokens(soql)
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def fail(self, token: Token, text: str | None = None) -> QueryError:
        return QueryError(
            "MALFORMED_QUERY", frame(self.soql, token.pos, text or f"unexpected token: '{token.text}'")
        )

    def keyword(self, word: str) -> Token:
        token = self.take()
        if token.upper != word:
            raise self.fail(token)
        return token

    def op(self, text: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != text:
            raise self.fail(token)

    def word(self) -> Token:
        token = self.take()
        if token.kind != "word" or token.upper in _RESERVED:
            raise self.fail(token)
        return token

    def string(self) -> str:
        token = self.take()
        if token.kind != "string":
            raise self.fail(token)
        return unescape(token, self)

    def parse(self) -> Soql:
        self.keyword("SELECT")
        fields: list[Token] = []
        count_at: int | None = None
        while True:
            token = self.word()
            if token.upper == "COUNT" and self.peek().text == "(":
                self.op("(")
                if self.peek().text == ")" and not fields:  # COUNT() must be alone in the select list
                    self.take()
                    return self.count_rows()
                inner = self.word()
                if inner.upper != "ID" or count_at is not None:
                    raise self.fail(inner)
                self.op(")")
                count_at = len(fields)
            fields.append(token)
            if self.peek().text != ",":
                break
            self.take()
        self.keyword("FROM")
        obj = self.word()
        where = self.condition() if self.peek().upper == "WHERE" else None
        group_by = None
        if self.peek().upper == "GROUP":
            self.take()
            self.keyword("BY")
            group_by = self.word()
        end = self.take()
        if end.kind != "end":
            raise self.fail(end)
        return Soql(fields, count_at, False, obj, where, group_by)

    def count_rows(self) -> Soql:
        """The rest of ``SELECT COUNT() FROM O [WHERE cond]``."""
        self.keyword("FROM")
        obj = self.word()
        where = self.condition() if self.peek().upper == "WHERE" else None
        end = self.take()
        if end.kind != "end":
            raise self.fail(end)
        return Soql([], None, True, obj, where, None)

    def condition(self) -> Condition:
        self.keyword("WHERE")
        name = self.word()
        token = self.take()
        if token.upper in ("IN", "INCLUDES", "EXCLUDES"):
            self.op("(")
            values: list[str | None] = [self.string()]
            while self.peek().text == ",":
                self.take()
                values.append(self.string())
            self.op(")")
            return Condition(name, token.upper, values)
        if token.kind != "op" or token.text not in ("=", "!=", "<>"):
            raise self.fail(token)
        operator = "=" if token.text == "=" else "!="
        if self.peek().upper == "NULL":
            self.take()
            return Condition(name, operator, [None])
        return Condition(name, operator, [self.string()])


def unescape(token: Token, parser: Parser) -> str:
    text, out, i = token.text[1:-1], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            escaped = text[i + 1] if i + 1 < len(text) else ""
            if escaped not in _ESCAPES:
                message = f"Invalid string literal {token.text}. Illegal character sequence '\\{escaped}'"
                raise parser.fail(token, message + " in string literal.")
            out.append(_ESCAPES[escaped])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def frame(soql: str, pos: int, text: str) -> str:
    """A SOQL error message as Salesforce frames it: the query row, a caret, "ERROR at Row:r:Column:c"."""
    row = soql.count("\n", 0, pos) + 1
    line_start = soql.rfind("\n", 0, pos) + 1
    line_end = soql.find("\n", pos)
    line = soql[line_start : line_end if line_end >= 0 else len(soql)]
    column = pos - line_start
    return f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{text}"
