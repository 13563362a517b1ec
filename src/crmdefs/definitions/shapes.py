"""The schema language's containers: lists, objects with known keys, maps and alternatives. Each checks
its items with their own spec and reports every problem at once (see schema.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crmdefs.definitions.schema import Checker, Spec, Str, name_of, suggest
from crmdefs.definitions.yamlsource import PathKey


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
        keyword = self._keyword_instead_of_a_list(option, value)
        if keyword is not None:
            # `record_types: Renewal` means [Renewal], not a misspelt `all`: say how to write the list.
            choices = " or ".join(keyword.choices)
            c.report(
                at, f"'{name_of(at)}' must be a list or {choices}, not '{value}'", f"write a list: [{value}]"
            )
            return False
        return option.check(value, at, c)

    def _keyword_instead_of_a_list(self, option: Spec, value: Any) -> Str | None:
        """The keyword spec (e.g. ``all``) when ``value`` is one text, not close to a keyword, where the key
        also takes a list."""
        lists = any(isinstance(o, ListOf) for o in self.options)
        if not (lists and isinstance(option, Str) and option.choices and value not in option.choices):
            return None
        return option if suggest(value, list(option.choices)) is None else None

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
