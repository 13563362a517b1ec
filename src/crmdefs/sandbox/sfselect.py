"""The statement of the sandbox's SOQL, parsed from tokens (sfsoql.py); the WHERE condition is sfwhere.py's.
sfquery.py's docstring lists the subset and sources.

    SELECT item {, item} FROM O [WHERE cond] [GROUP BY F] [ORDER BY key {, key}] [LIMIT n]
    SELECT COUNT() FROM O [WHERE cond] [LIMIT n]
    item := F | Rel.F | COUNT(Id)
    key := (F | Rel.F | COUNT(Id)) [ASC | DESC] [NULLS FIRST | NULLS LAST]
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdefs.sandbox import sfwhere
from crmdefs.sandbox.sfsoql import Parser, Token


@dataclass
class Path:
    """A field (``[F]``), a parent's field (``[Rel, F]``), or COUNT(Id) (``[]``, at ``token``)."""

    parts: list[Token]
    token: Token

    @property
    def text(self) -> str:
        return ".".join(part.text for part in self.parts)


@dataclass
class OrderKey:
    path: Path
    descending: bool
    nulls_last: bool


@dataclass
class Soql:
    items: list[Path]
    count_rows: bool  # SELECT COUNT(): the number of matching rows, no records
    obj: Token
    where: sfwhere.Condition | None
    group_by: Token | None
    order_by: list[OrderKey]
    limit: int | None

    @property
    def count_at(self) -> int | None:
        """The index of COUNT(Id) in the select list."""
        return next((i for i, item in enumerate(self.items) if not item.parts), None)


def parse(soql: str) -> tuple[Parser, Soql]:
    parser = Parser(soql)
    parser.keyword("SELECT")
    following = "".join(token.text for token in parser.tokens[parser.index : parser.index + 3])
    if following.upper() == "COUNT()":  # COUNT() must be alone in the select list
        parser.index += 3
        return parser, _count_rows(parser)
    items = [_item(parser)]
    while parser.at_op(","):
        parser.take()
        items.append(_item(parser))
    if sum(1 for item in items if not item.parts) > 1:
        raise parser.fail(next(item.token for item in items[1:] if not item.parts))
    parser.keyword("FROM")
    obj = parser.word()
    where = _where(parser)
    group_by = None
    if parser.at("GROUP"):
        parser.take()
        parser.keyword("BY")
        group_by = parser.word()
    order_by = _order_by(parser)
    limit = _limit(parser)
    _end(parser)
    return parser, Soql(items, False, obj, where, group_by, order_by, limit)


def _count_rows(parser: Parser) -> Soql:
    """The rest of ``SELECT COUNT() FROM O [WHERE cond] [LIMIT n]``: COUNT() takes LIMIT but not ORDER BY
    or GROUP BY (SOQL guide, "COUNT() and COUNT(fieldName)")."""
    parser.keyword("FROM")
    obj = parser.word()
    where = _where(parser)
    limit = _limit(parser)
    _end(parser)
    return Soql([], True, obj, where, None, [], limit)


def _item(parser: Parser) -> Path:
    token = parser.word()
    if token.upper == "COUNT" and parser.at_op("("):
        parser.take()
        inner = parser.word()
        if inner.upper != "ID":
            raise parser.fail(inner)
        parser.op(")")
        return Path([], token)
    parts = [token]
    while parser.at_op("."):
        parser.take()
        parts.append(parser.word())
    return Path(parts, token)


def _where(parser: Parser) -> sfwhere.Condition | None:
    if not parser.at("WHERE"):
        return None
    parser.take()
    return sfwhere.parse(parser)


def _order_by(parser: Parser) -> list[OrderKey]:
    if not parser.at("ORDER"):
        return []
    parser.take()
    parser.keyword("BY")
    keys = [_order_key(parser)]
    while parser.at_op(","):
        parser.take()
        keys.append(_order_key(parser))
    return keys


def _order_key(parser: Parser) -> OrderKey:
    path = _item(parser)
    descending = False
    if parser.at("ASC", "DESC"):
        descending = parser.take().upper == "DESC"
    nulls_last = False  # "By default, null values are sorted first" (docs/salesforce.md#sf-soql-order-by)
    if parser.at("NULLS"):
        parser.take()
        token = parser.take()
        if token.upper not in ("FIRST", "LAST"):
            raise parser.fail(token)
        nulls_last = token.upper == "LAST"
    return OrderKey(path, descending, nulls_last)


def _limit(parser: Parser) -> int | None:
    if not parser.at("LIMIT"):
        return None
    parser.take()
    return parser.number()


def _end(parser: Parser) -> None:
    end = parser.take()
    if end.kind != "end":
        raise parser.fail(end)
