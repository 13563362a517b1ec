"""A tiny declarative schema language: one description of each document type drives both the
validator (located, friendly messages, every problem at once) and ``crmdefs schema`` (JSON Schema for
editors). Keeping both in one place means the editor and the validator can never disagree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec = field(default_factory=Str)
    min_items: int = 0

    def expected(self) -> str:
        return (
            f"a list of {self.item.expected().removeprefix('a ').removeprefix('an ')} items"
            if not isinstance(self.item, Str)
            else "a list of text items"
        )

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if not isinstance(value, list):
            return self._wrong_type(value, at, c, "write it as [a, b] or one '- item' per line")
        if len(value) < self.min_items:
            c.report(at, f"'{name_of(at)}' needs at least {self.min_items} item(s)")
            return False
        results = [self.item.check(item, (*at, i), c) for i, item in enumerate(value)]
        return all(results)

    def json(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json()}
        if self.min_items:
            schema["minItems"] = self.min_items
        return self._doc(schema)


@dataclass(frozen=True)
class Key:
    spec: Spec
    required: bool = False


@dataclass(frozen=True)
class Obj(Spec):
    what: str = "mapping"  # how users call it: 'a term', 'a picklist value'
    keys: dict[str, Key] = field(default_factory=dict)
    unknown_hints: dict[str, str] = field(default_factory=dict)
    one_of_required: tuple[tuple[str, ...], ...] = ()

    def expected(self) -> str:
        return f"a mapping ({self.what})"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if not isinstance(value, dict):
            return self._wrong_type(value, at, c, "write 'key: value' lines indented under it")
        ok = True
        allowed = list(self.keys)
        suggested: set[str] = set()  # a typo of a required key is reported once, as the typo
        for key, item in value.items():
            spec = self.keys.get(key)
            if spec is None:
                close = suggest(key, [k for k in allowed if k not in value])
                if close:
                    suggested.add(close)
                hint = self.unknown_hints.get(key) or (
                    f"did you mean '{close}'?" if close else "allowed keys: " + ", ".join(allowed)
                )
                c.report((*at, key), f"unknown key '{key}' in {self.what}", hint, key=True)
                ok = False
            elif not spec.spec.check(item, (*at, key), c):
                ok = False
        for key, spec in self.keys.items():
            if spec.required and key not in value and key not in suggested:
                c.report(at, f"{self.what} is missing the required key '{key}'", f"add '{key}: …'")
                ok = False
        for group in self.one_of_required:
            present = [k for k in group if k in value]
            if len(present) != 1:
                what = "both " + " and ".join(present) if present else "none of " + ", ".join(group)
                c.report(
                    at,
                    f"{self.what} needs exactly one of {', '.join(group)}, found {what}",
                    f"keep one of: {', '.join(group)}",
                )
                ok = False
        return ok

    def json(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: key.spec.json() for name, key in self.keys.items()},
        }
        required = [name for name, key in self.keys.items() if key.required]
        if required:
            schema["required"] = required
        if self.one_of_required:
            schema["allOf"] = [
                {"oneOf": [{"required": [k]} for k in group]} for group in self.one_of_required
            ]
        return self._doc(schema)


@dataclass(frozen=True)
class Either(Spec):
    """A value that may take one of several shapes, chosen by its Python type (text, list or mapping)."""

    options: tuple[Spec, ...] = ()

    def expected(self) -> str:
        return " or ".join(option.expected() for option in self.options)

    def _pick(self, value: Any) -> Spec | None:
        for option in self.options:
            if isinstance(option, Obj) and isinstance(value, dict):
                return option
            if isinstance(option, ListOf) and isinstance(value, list):
                return option
            if isinstance(option, Str) and isinstance(value, str):
                return option
        return None

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        option = self._pick(value)
        if option is None:
            return self._wrong_type(value, at, c)
        return option.check(value, at, c)

    def json(self) -> dict[str, Any]:
        return self._doc({"oneOf": [option.json() for option in self.options]})


@dataclass(frozen=True)
class MapOf(Spec):
    """A mapping whose keys are names the user chooses (e.g. target names)."""

    what: str = "mapping"
    key_pattern: str = r"[A-Za-z0-9_-]+"
    key_hint: str = ""
    value: Spec = field(default_factory=Str)

    def expected(self) -> str:
        return f"a mapping of {self.what}"

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if not isinstance(value, dict):
            return self._wrong_type(value, at, c, "write 'name:' lines indented under it")
        ok = True
        for key, item in value.items():
            if not re.fullmatch(self.key_pattern, key):
                c.report((*at, key), f"'{key}' is not a valid name in {name_of(at)}", self.key_hint, key=True)
                ok = False
            if not self.value.check(item, (*at, key), c):
                ok = False
        return ok

    def json(self) -> dict[str, Any]:
        return self._doc(
            {
                "type": "object",
                "propertyNames": {"pattern": f"^(?:{self.key_pattern})$"},
                "additionalProperties": self.value.json(),
            }
        )
