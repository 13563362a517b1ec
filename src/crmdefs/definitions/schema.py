"""A tiny declarative schema language: one description of each document type drives both the validator
(located, friendly messages, every problem at once) and ``crmdefs schema`` (JSON Schema for editors), so
the editor and the validator can never disagree. The checker and the scalar types live here; lists,
objects, maps and alternatives in shapes.py.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

from crmdefs.definitions.yamlsource import Document, PathKey
from crmdefs.errors import Problem, Severity

DURATION_RE = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)
DURATION_WORDS = {
    "monthly": (1, "month"),
    "quarterly": (3, "month"),
    "yearly": (1, "year"),
    "annually": (1, "year"),
    "weekly": (1, "week"),
}


def parse_duration(text: str) -> tuple[int, str] | None:
    """'6 months' → (6, 'month'); 'quarterly' → (3, 'month'); anything else → None."""
    word = DURATION_WORDS.get(text.strip().lower())
    if word:
        return word
    match = DURATION_RE.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    return int(match.group(1)), match.group(2).lower()


def describe_type(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def suggest(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


class Checker:
    """Collects problems for one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def report(
        self,
        at: PathKey,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> None:
        mark = self.doc.where(at, key=key)
        self.problems.append(Problem(self.doc.path, mark.line, mark.column, message, hint, severity))


def name_of(at: PathKey) -> str:
    """A readable name for a location: ('values', 2, 'label') → 'values[2].label'."""
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "document"


@dataclass(frozen=True)
class Spec:
    description: str = ""

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        raise NotImplementedError

    def expected(self) -> str:
        raise NotImplementedError

    def json(self) -> dict[str, Any]:
        raise NotImplementedError

    def _wrong_type(self, value: Any, at: PathKey, c: Checker, hint: str = "") -> bool:
        c.report(at, f"'{name_of(at)}' must be {self.expected()}, not {describe_type(value)}", hint)
        return False

    def _doc(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": self.description, **schema} if self.description else schema


@dataclass(frozen=True)
class Str(Spec):
    max_len: int | None = None
    pattern: str | None = None
    pattern_hint: str = ""
    choices: tuple[str, ...] = ()
    choice_hints: tuple[tuple[str, str], ...] = ()  # (wrong word, hint) for well-known mix-ups

    def expected(self) -> str:
        return "one of " + ", ".join(self.choices) if self.choices else "text"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if not isinstance(value, str):
            hint = "write a single text value"
            if isinstance(value, bool):
                hint = "put it in quotes: YAML reads yes/no/on/off/true/false as booleans"
            elif isinstance(value, (int, float, dt.date)):
                hint = f"put it in quotes: '{value}'"
            if self.choices:
                hint = "use one of " + ", ".join(self.choices)
            return self._wrong_type(value, at, c, hint)
        if not value.strip():
            c.report(at, f"'{name_of(at)}' is empty", "write the text or remove the key")
            return False
        if self.choices and value not in self.choices:
            close = suggest(value, list(self.choices))
            hint = dict(self.choice_hints).get(value) or (
                f"did you mean '{close}'?" if close else "use one of the values listed"
            )
            c.report(at, f"'{name_of(at)}' must be one of {', '.join(self.choices)}, not '{value}'", hint)
            return False
        if self.pattern and not re.fullmatch(self.pattern, value):
            c.report(at, f"'{name_of(at)}' has an invalid value '{value}'", self.pattern_hint)
            return False
        if self.max_len is not None and len(value.strip()) > self.max_len:
            c.report(
                at,
                f"'{name_of(at)}' is {len(value.strip())} characters; the limit is {self.max_len}",
                "shorten it",
            )
            return False
        return True

    def json(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern})$"
        if self.max_len:
            schema["maxLength"] = self.max_len
        return self._doc(schema)


@dataclass(frozen=True)
class Int(Spec):
    minimum: int | None = None
    maximum: int | None = None

    def expected(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return "a whole number"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return self._wrong_type(value, at, c)
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            c.report(at, f"'{name_of(at)}' must be {self.expected()}, not {value}")
            return False
        return True

    def json(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return self._doc(schema)


@dataclass(frozen=True)
class Bool(Spec):
    def expected(self) -> str:
        return "true or false"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        return True if isinstance(value, bool) else self._wrong_type(value, at, c, "write true or false")

    def json(self) -> dict[str, Any]:
        return self._doc({"type": "boolean"})


@dataclass(frozen=True)
class Date(Spec):
    def expected(self) -> str:
        return "a date (YYYY-MM-DD)"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if isinstance(value, dt.datetime):
            c.report(at, f"'{name_of(at)}' must be a date without a time", "write it as YYYY-MM-DD")
            return False
        if isinstance(value, dt.date):
            return True
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value.strip())
                return True
            except ValueError:
                c.report(
                    at,
                    f"'{name_of(at)}' is not a real date: '{value}'",
                    "write it as YYYY-MM-DD, e.g. 2026-09-30",
                )
                return False
        return self._wrong_type(value, at, c, "write it as YYYY-MM-DD, e.g. 2026-09-30")

    def json(self) -> dict[str, Any]:
        return self._doc({"type": "string", "format": "date"})


@dataclass(frozen=True)
class Duration(Spec):
    def expected(self) -> str:
        return "a period such as '6 months' or 'quarterly'"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if not isinstance(value, str):
            return self._wrong_type(value, at, c, "write e.g. '90 days', '6 months', '1 year' or 'quarterly'")
        if parse_duration(value) is None:
            c.report(
                at,
                f"'{name_of(at)}' is not a review period: '{value}'",
                "write a number and a unit (days, weeks, months, years), e.g. '6 months', or "
                "monthly / quarterly / yearly",
            )
            return False
        return True

    def json(self) -> dict[str, Any]:
        units = (
            r"^\s*(?:[1-9]\d*\s*(?:[dD]ay|[wW]eek|[mM]onth|[yY]ear)s?"
            r"|monthly|quarterly|yearly|annually|weekly)\s*$"
        )
        return self._doc({"type": "string", "pattern": units})
