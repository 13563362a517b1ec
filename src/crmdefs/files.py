"""Writing files so that a crash never leaves half of one: write a sibling, then rename it over the target
(``os.replace`` is atomic on POSIX and Windows). Used for plans, backups, state files and reports; and
reading the JSON ones back, with a message that says where and why one cannot be used."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from crmdefs.errors import CrmdefsError


def write_atomic(path: Path, text: str | bytes) -> None:
    """``text`` as UTF-8, or ``bytes`` as they are (an xlsx workbook)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_output(path: Path, text: str | bytes, option: str = "--out") -> None:
    """A file the user named on the command line (``option``), whole or not at all; a path that cannot be
    written (no such folder, no permission, a directory, an empty name) is one clear message, not a
    traceback. Bytes are written as they are."""
    if not path.name:  # Path("") is ".": no file to write, and no sibling name for the temporary one
        raise CrmdefsError(f"{option} names no file — point {option} at a file you can write to")
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise CrmdefsError(
            f"cannot write {path} ({exc.strerror or exc}) — point {option} at a file you can write to"
        ) from exc


def write_json(path: Path, data: Any) -> None:
    """Indented for people and diffs. Streamed to the file: json.dumps with an indent builds the whole
    text in memory, which was the peak of a 5,000-field apply (bench/)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    tmp.replace(path)


T = TypeVar("T")
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}


def json_object(text: str) -> dict[str, Any]:
    """The JSON object in ``text``; ValueError when it is not JSON, TypeError when it is not an object."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError(f"it holds {_JSON_TYPES.get(type(data), 'a number')}, not a JSON object")
    return data


class Damaged(ValueError):
    """A part of a JSON file cannot be used; the message says which part and why."""


def located(where: str, load: Callable[..., T], *args: Any) -> T:
    """``load(*args)``; a failure becomes :class:`Damaged` naming ``where`` (the innermost part wins)."""
    try:
        return load(*args)
    except Damaged:
        raise
    except KeyError as exc:
        raise Damaged(f"{where} lacks the key {exc.args[0]!r}") from exc
    except (TypeError, AttributeError) as exc:
        raise Damaged(f"{where} holds a value of the wrong type") from exc
    except (ValueError, CrmdefsError) as exc:
        raise Damaged(f"{where}: {str(exc).split(' — ')[0]}") from exc


def check_version(data: dict[str, Any], supported: str) -> str:
    """The file's ``format_version``, refused (:class:`Damaged`) when its major version is not the one this
    crmdefs reads. A file without one is taken as ``supported`` (every writer has always stamped it)."""
    version = str(data.get("format_version", supported))
    major = supported.split(".")[0]
    if version.split(".")[0] != major:
        raise Damaged(f"format_version {version} is not {major}.x")
    return version


def mapping(data: Any) -> dict[str, Any]:
    """A JSON object's items (TypeError/ValueError when ``data`` is not one), for :func:`located`."""
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    return data


def each(where: str, items: Any, load: Callable[[Any], T]) -> tuple[T, ...]:
    """``load`` applied to every item of the JSON array ``items``, each failure naming its index (and the
    item's ``address`` when it has one)."""
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise Damaged(f"'{where}' must be a JSON array")
    return tuple(located(_item(where, i, item), load, item) for i, item in enumerate(items))


def _item(where: str, index: int, item: Any) -> str:
    address = item.get("address") if isinstance(item, dict) else None
    return f"{where}[{index}]" + (f" ({address})" if isinstance(address, str) else "")


def unusable(source: str, what: str, exc: BaseException) -> str:
    """``source[:line:column]: not a usable WHAT (why)``, for a JSON file that failed to load with ``exc``."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{source}:{exc.lineno}:{exc.colno}: not a usable {what} (not valid JSON: {exc.msg})"
    if isinstance(exc, OSError):
        why = f"it cannot be read: {exc.strerror or exc}"
    elif isinstance(exc, UnicodeDecodeError):
        why = "not UTF-8 text"
    elif isinstance(exc, KeyError):
        why = f"the key {exc.args[0]!r} is missing"
    elif isinstance(exc, Damaged) or (isinstance(exc, TypeError) and str(exc).startswith("it holds")):
        why = str(exc)
    elif isinstance(exc, CrmdefsError):  # e.g. a malformed field address: its own words, without its hint
        why = str(exc).split(" — ")[0]
    else:
        why = f"a value has the wrong type or form ({exc})"
    return f"{source}: not a usable {what} ({why})"


def process_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine: the holder of a lock or of ``sandbox.json`` has ended.
    A process of another user still counts as running."""
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
