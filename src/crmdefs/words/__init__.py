"""How crmdefs says a count to a person: ``plural(1, "field")`` → "1 field", ``plural(2, "field")`` →
"2 fields". Every count printed goes through it (tests/test_output_words.py keeps it so), so no message
says "1 fields" or "2 field". Imports nothing: any module may use it."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, the word in the plural unless the count is exactly one. ``many`` is the
    plural where adding "s" is wrong ("category" → "categories")."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def noun(count: int, word: str, many: str | None = None) -> str:
    """The word alone, singular or plural for ``count``: "record type" / "record types"."""
    return word if count == 1 else many or word + "s"
