"""The SOQL of the Salesforce sandbox, as text: tokens, the token cursor its parsers share and Salesforce's
framing of query errors. The statement is parsed in sfselect.py (SELECT … LIMIT) and sfwhere.py (the WHERE
condition); what it means against the org (fields, records, pages) is sfquery.py's, whose docstring gives
the SOQL subset the sandbox answers and the sources.

Tokens: 'strings' (backslash escapes), words (names, keywords, date literals such as TODAY), dates
(2026-11-29) and datetimes (2026-11-29T00:00:00Z, …+01:00, fractions of seconds allowed), whole numbers, and
the operators = != <> < <= > >= ( ) , . : — anything else is an unexpected token.
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
    kind: str  # "word", "string", "date", "number", "op", "other", "end"
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


_DATE = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?(?![\w:.])"
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<date>" + _DATE + r")|(?P<number>\d+(?![\w.]))"
    r"|(?P<op>!=|<>|<=|>=|=|<|>|\(|\)|,|\.|:)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>\S))",
    re.DOTALL,
)
_RESERVED = (
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "LIMIT", "ASC", "DESC", "NULLS", "FIRST", "LAST",
    "AND", "OR", "NOT", "IN", "NULL", "INCLUDES", "EXCLUDES", "LIKE", "HAVING", "OFFSET", "WITH",
)  # fmt: skip
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


class Parser:
    """A cursor over the tokens of one query; ``fail`` makes the MALFORMED_QUERY error at a token."""

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

    def number(self) -> int:
        token = self.take()
        if token.kind != "number":
            raise self.fail(token)
        return int(token.text)

    def at(self, *words: str) -> bool:
        """Whether the next token is one of the keywords ``words``."""
        return self.peek().upper in words

    def at_op(self, text: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text == text


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
