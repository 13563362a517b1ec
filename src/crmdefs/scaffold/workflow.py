"""`crmdefs init`: the files of a new project — crmdefs.yaml, the editor schema, the starter terms and
shared picklists, and (with ``--import``) bindings for what the org holds — written only when none of
them exists yet, and only once everything, the CRM reads included, has succeeded.

The starter definitions bind no field. An org nobody has looked at gets no guessed bindings: the demo's
picklist values, stage attributes, record types, Path guidance and created fields would all be proposals
to change someone's CRM that nobody chose. Bindings start from ``--import`` (which mirrors the org, so
the first plan changes nothing) or from a person writing them after looking at the org.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crmdefs.adapters.base import NO_WAITS, Progress, Waits
from crmdefs.config import CONFIG_FILE, Settings
from crmdefs.definitions.format import json_schema
from crmdefs.definitions.load import display_path
from crmdefs.definitions.yamlsource import iter_paths
from crmdefs.errors import OutputError
from crmdefs.importing.emit import import_file
from crmdefs.importing.workflow import read_fields

STARTER = Path(__file__).parent / "starter"
SCHEMA_FILE = "crmdefs.schema.json"
DEFINITIONS = "definitions"
SCHEMA_REF = "../../crmdefs.schema.json"  # from definitions/<folder>/<file>.yaml
SHOWN = 5  # existing files named in a refusal


@dataclass(frozen=True)
class Written:
    root: Path
    files: Sequence[str]  # relative to root, in the order written
    imported: int = 0  # fields the --import file binds
    reviews: int = 0  # '# REVIEW' notes in it


def schema_text() -> str:
    """The schema as `crmdefs schema` prints it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def starter_files() -> dict[str, str]:
    """The starter glossary's terms and shared picklists, as shipped with crmdefs."""
    return {
        f"{DEFINITIONS}/{path.relative_to(STARTER).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(STARTER.glob("*/*.yaml"))
    }


def import_path(target: str) -> str:
    return f"{DEFINITIONS}/fields/imported-{target}.yaml"


def create_project(
    root: Path,
    config: str,
    settings: Settings,
    imports: Sequence[str],
    *,
    progress: Progress,
    note: Callable[[str], None],
    waits: Waits = NO_WAITS,
) -> Written:
    """Write the project into ``root``: ``config`` as crmdefs.yaml (``settings`` are what it says), the
    schema, the starter definitions and, for ``imports`` (objects), the bindings of their fields on the
    default target. Nothing is written if any of these files exists or the CRM cannot be read."""
    files = {CONFIG_FILE: config, SCHEMA_FILE: schema_text(), **starter_files()}
    target = settings.default_target
    if imports:
        files[import_path(target)] = ""  # filled below, once nothing stands in the way
    refuse_existing(root, files)
    imported = 0
    if imports:
        states = read_fields(settings, target, (), imports, progress, note, waits)
        today = dt.date.today().isoformat()
        files[import_path(target)] = import_file(states, target=target, today=today, schema=SCHEMA_REF)
        imported = len(states)
    written = write_new(root, files)
    reviews = files.get(import_path(target), "").count("# REVIEW")
    return Written(root, written, imported=imported, reviews=reviews)


def refuse_existing(root: Path, files: Mapping[str, str]) -> None:
    """Nothing is overwritten, and starter terms do not land among existing definitions."""
    found = [name for name in files if _taken(root, name)]
    definitions = root / DEFINITIONS
    if definitions.is_dir():
        found += [
            display_path(p) for p in iter_paths(definitions) if p.relative_to(root).as_posix() not in files
        ]
    if found:
        names = ", ".join(dict.fromkeys(found[:SHOWN])) + (
            f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        )
        raise OutputError(
            f"crmdefs init wrote nothing: {names} already {'exists' if len(found) == 1 else 'exist'} — init "
            "starts a new project; run it in an empty folder (crmdefs init DIRECTORY) or move these files "
            "away"
        )


def _taken(root: Path, name: str) -> bool:
    """``name`` exists, or a file stands where one of its folders would go."""
    path = root / name
    if path.exists() or path.is_symlink():
        return True
    return any(parent.exists() and not parent.is_dir() for parent in path.parents if root in parent.parents)


def write_new(root: Path, files: Mapping[str, str]) -> list[str]:
    """Each file created, never replaced ('x' mode), in order."""
    written: list[str] = []
    for name, text in files.items():
        path = root / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as out:
                out.write(text)
        except OSError as exc:
            done = f" (already written: {', '.join(written)})" if written else ""
            raise OutputError(
                f"cannot write {display_path(path)}: {exc.strerror or exc}{done} — check the folder"
            ) from exc
        written.append(name)
    return written
