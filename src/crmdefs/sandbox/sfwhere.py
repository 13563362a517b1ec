"""The WHERE condition of the sandbox's SOQL: parsed from tokens (sfsoql.py), checked against the fields of
the object, and compiled into a test of one record. sfquery.py's docstring lists the subset and sources.

    cond := term {AND term} | term {OR term}        (AND and OR mixed only inside parentheses)
    term := NOT term | ( cond ) | F op value | F [NOT] IN (value, …) | F INCLUDES|EXCLUDES ('v', …)
    op := = | != | <> | < | <= | > | >=
    value := 'text' | null | 2026-11-29 | 2026-11-29T00:00:00Z | TODAY | YESTERDAY | TOMORROW
           | LAST_90_DAYS | LAST_N_DAYS:n | NEXT_N_DAYS:n | N_DAYS_AGO:n
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from crmdefs.sandbox import sfdates
from crmdefs.sandbox.sfdates import Days
from crmdefs.sandbox.sfsoql import Parser, QueryError, Token, frame, unescape

Json = dict[str, Any]
Test = Callable[[Json], bool]

_MULTI_OPERATOR = "invalid operator on multipicklist field"
_NOT_MULTI = "includes or excludes operator only valid on multipicklist field"
# docs/salesforce.md#sf-soql-dates: a date value is written bare, and only on a field of its own type.
_WRONG_TYPE = (
    "value of filter criterion for field '{}' must be of type {} and should not be enclosed in quotes"
)
_STRING_TYPE = (
    "value of filter criterion for field '{}' must be of type string and should be enclosed in quotes"
)
_DATE_TYPES = {"date": "date", "datetime": "dateTime"}


@dataclass
class Value:
    kind: str  # "string", "null", "date", "datetime", "days"
    token: Token
    text: str | None = None  # the string, or the date / datetime as written
    days: Days | None = None


@dataclass
class Compare:
    field: Token
    operator: str  # "=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "INCLUDES", "EXCLUDES"
    values: list[Value]


@dataclass
class Logic:
    operator: str  # "AND", "OR"
    parts: list[Condition]


@dataclass
class Not:
    part: Condition


Condition = Compare | Logic | Not


# --------------------------------------------------------------------------------------------- parsing


def parse(parser: Parser) -> Condition:
    """``cond`` after WHERE. Salesforce requires parentheses whenever AND and OR are mixed and refuses the
    second operator otherwise (docs/salesforce.md#sf-soql-logical-operators)."""
    first = _term(parser)
    parts, operator = [first], None
    while parser.at("AND", "OR"):
        token = parser.take()
        if operator is not None and token.upper != operator:
            raise parser.fail(token)
        operator = token.upper
        parts.append(_term(parser))
    return Logic(operator, parts) if operator else first


def _term(parser: Parser) -> Condition:
    if parser.at("NOT"):
        parser.take()
        return Not(_term(parser))
    if parser.at_op("("):
        parser.take()
        inner = parse(parser)
        parser.op(")")
        return inner
    name = parser.word()
    token = parser.take()
    operator = token.upper
    if operator == "NOT":
        parser.keyword("IN")
        operator = "NOT IN"
    if operator in ("IN", "NOT IN", "INCLUDES", "EXCLUDES"):
        parser.op("(")
        values = [_value(parser)]
        while parser.at_op(","):
            parser.take()
            values.append(_value(parser))
        parser.op(")")
        return Compare(name, operator, values)
    if token.kind != "op" or token.text not in ("=", "!=", "<>", "<", "<=", ">", ">="):
        raise parser.fail(token)
    return Compare(name, "!=" if token.text == "<>" else token.text, [_value(parser)])


def _value(parser: Parser) -> Value:
    token = parser.take()
    if token.kind == "string":
        return Value("string", token, unescape(token, parser))
    if token.upper == "NULL":
        return Value("null", token)
    if token.kind == "date":
        return Value("datetime" if "T" in token.text else "date", token, token.text)
    if sfdates.fixed_literal(token.upper):
        return Value("days", token, days=Days.of(token.upper, None))
    if sfdates.literal_with_n(token.upper):
        parser.op(":")
        return Value("days", token, days=Days.of(token.upper, parser.number()))
    raise parser.fail(token)


# ------------------------------------------------------------------------------------------- compiling


@dataclass
class Field:
    name: str  # as Salesforce spells it
    type: str  # the describe's type: picklist, multipicklist, date, datetime, string, …


def compile_condition(condition: Condition, resolve: Callable[[Token], Field], soql: str, on: date) -> Test:
    """The test of one record for ``condition``; ``resolve`` names a field or raises INVALID_FIELD; date
    literals count from the day ``on``."""
    if isinstance(condition, Not):
        inner = compile_condition(condition.part, resolve, soql, on)
        return lambda record: not inner(record)
    if isinstance(condition, Logic):
        parts = [compile_condition(part, resolve, soql, on) for part in condition.parts]
        if condition.operator == "AND":
            return lambda record: all(test(record) for test in parts)
        return lambda record: any(test(record) for test in parts)
    return _compare(condition, resolve(condition.field), soql, on)


def _refuse(code: str, soql: str, token: Token, message: str) -> QueryError:
    return QueryError(code, frame(soql, token.pos, message))


def _check(compare: Compare, field: Field, soql: str) -> None:
    multi = field.type == "multipicklist"
    allowed = (
        ("=", "!=", "INCLUDES", "EXCLUDES") if multi else ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN")
    )
    if compare.operator not in allowed:
        message = _MULTI_OPERATOR if multi else _NOT_MULTI
        raise _refuse("INVALID_QUERY_FILTER_OPERATOR", soql, compare.field, message)
    dated = _DATE_TYPES.get(field.type)
    for value in compare.values:
        if value.kind == "null":
            continue
        if dated is not None and value.kind not in (field.type, "days"):
            raise _refuse("INVALID_FIELD", soql, compare.field, _WRONG_TYPE.format(field.name, dated))
        if dated is None and value.kind != "string":
            raise _refuse("INVALID_FIELD", soql, compare.field, _STRING_TYPE.format(field.name))


def _compare(compare: Compare, field: Field, soql: str, on: date) -> Test:
    _check(compare, field, soql)
    name, operator = field.name, compare.operator
    if field.type in _DATE_TYPES:
        tests = [_dated(name, field.type == "datetime", operator, value, on) for value in compare.values]
        if operator in ("IN", "NOT IN"):
            return lambda record: any(test(record) for test in tests) == (operator == "IN")
        return tests[0]
    if field.type == "multipicklist":
        return _multi(name, operator, [v.text for v in compare.values])
    targets = [None if v.kind == "null" else _fold(v.text) for v in compare.values]
    if operator in ("IN", "NOT IN"):
        listed = set(targets)
        return lambda record: (_folded(record, name) in listed) == (operator == "IN")
    return lambda record: _ordered(_folded(record, name), operator, targets[0])


def _fold(value: Any) -> str:
    return str(value).casefold()


def _folded(record: Json, name: str) -> str | None:
    value = record.get(name)
    return None if value is None else _fold(value)


def _ordered(value: Any, operator: str, target: Any) -> bool:
    """``value operator target``; null equals only null, and ``!=`` holds between null and a value."""
    if value is None or target is None:
        equal = value is None and target is None
        return {"=": equal, "!=": not equal}.get(operator, False)
    return bool({
        "=": value == target, "!=": value != target, "<": value < target, "<=": value <= target,
        ">": value > target, ">=": value >= target,
    }[operator])  # fmt: skip


def _dated(name: str, datetime_field: bool, operator: str, value: Value, on: date) -> Test:
    read = sfdates.instant if datetime_field else sfdates.day
    equality = "=" if operator in ("IN", "NOT IN") else operator
    if value.kind == "days":
        assert value.days is not None
        low, high = sfdates.bounds(value.days, on, datetime_field)

        def within(record: Json) -> bool:
            held = read(record.get(name))
            return equality == "!=" if held is None else sfdates.in_range(held, equality, low, high)

        return within
    target = None if value.kind == "null" else read(value.text)
    return lambda record: _ordered(read(record.get(name)), equality, target)


def _selection(value: Any) -> frozenset[str]:
    """The values selected in a multi-select picklist value ``a;b;c``."""
    return frozenset(_fold(v).strip() for v in str(value).split(";") if v.strip())


def _multi(name: str, operator: str, targets: list[str | None]) -> Test:
    """docs/salesforce.md#sf-multiselect-not-groupable: ``=`` is the whole selection in any order; each
    INCLUDES string is one alternative and 'a;b' in it means a and b both."""
    wanted = [_selection(t) for t in targets if t is not None and _selection(t)]

    def test(record: Json) -> bool:
        value = record.get(name)
        held = _selection(value) if value is not None else frozenset()
        if operator in ("INCLUDES", "EXCLUDES"):
            return any(w <= held for w in wanted) == (operator == "INCLUDES")
        target = targets[0]
        equal = value is None and target is None
        if value is not None and target is not None:
            equal = held == _selection(target)
        return equal if operator == "=" else not equal

    return test
