"""The layout a newcomer relies on (README "Architecture"): stage folders, thin commands that never import
each other, no import cycle, small modules, the environment read at the edge only, facts cited from docs/.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "src" / "crmdefs"
SEED_DATA = {"sandbox/hubspot_seed.py", "sandbox/salesforce_seed.py", "sandbox/records_seed.py"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
TOP_LEVEL_LIMIT = 10


def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {m for m in found if m in known and m != name}


def python_files() -> Iterator[Path]:
    for folder in ("src", "tests", "bench"):
        yield from sorted((REPO / folder).rglob("*.py"))


def test_the_package_is_folders_named_for_the_pipeline_with_few_top_level_modules() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_LIMIT, top
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"definitions", "plan", "apply", "adapters", "drift", "review", "glossary", "render"} <= folders
    assert {"commands", "sandbox"} <= folders
    assert {p.name for p in (PACKAGE / "adapters").iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "salesforce",
        "hubspot",
    }


def test_no_command_module_imports_another() -> None:
    known = modules()
    shared = {"crmdefs.commands", "crmdefs.commands.options", "crmdefs.commands.console"}
    commands = {m for m in known if m.startswith("crmdefs.commands.") and m not in shared}
    offenders = {m: sorted(imports(m, known[m], known) & commands) for m in commands}
    assert {m: i for m, i in offenders.items() if i} == {}


def test_there_is_no_import_cycle() -> None:
    known = modules()
    graph = {m: imports(m, p, known) for m, p in known.items()}
    # A package's __init__ is imported by its submodules' import machinery, not by their code: only
    # edges a module's own code makes count.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_sandbox_and_the_adapters_never_import_each_other() -> None:
    known = modules()
    for name, path in known.items():
        found = imports(name, path, known)
        if name.startswith("crmdefs.sandbox"):
            assert not {m for m in found if m.startswith("crmdefs.adapters")}, name
        if name.startswith("crmdefs.adapters"):
            assert not {m for m in found if m.startswith("crmdefs.sandbox")}, name


def _seed_data(path: Path) -> bool:
    return path.is_relative_to(PACKAGE) and str(path.relative_to(PACKAGE)) in SEED_DATA


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_modules_are_small_enough_to_read_in_one_sitting() -> None:
    big = {
        str(path.relative_to(REPO)): _lines(path)
        for path in python_files()
        if _lines(path) > MAX_MODULE_LINES and not _seed_data(path)
    }
    assert big == {}


def test_no_function_is_longer_than_sixty_lines() -> None:
    long = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(REPO)}:{node.lineno} {node.name}"] = length
    assert long == {}


ENVIRONMENT = re.compile(r"os\.environ|os\.getenv|environ\.get")
# runtime.py reads the environment once (config.py its secrets); commands/options.py hands it over; the sandbox's own
# options parse its knobs (called from config).
READS_ENVIRONMENT = {"config.py", "runtime.py", "commands/options.py", "sandbox/options.py"}


def test_only_the_edge_reads_the_environment() -> None:
    readers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if ENVIRONMENT.search(path.read_text(encoding="utf-8"))
    }
    assert readers <= READS_ENVIRONMENT


CITATION = re.compile(r"docs/(\w+)\.md#([a-z0-9-]+)")


def test_every_fact_the_code_cites_is_in_docs_and_nothing_points_outside_the_repository() -> None:
    outside = "../" + "shared"  # spelled apart so this file does not match itself
    anchors = {
        (doc.stem, m.group(1))
        for doc in (REPO / "docs").glob("*.md")
        for m in re.finditer(r"^#+ +([a-z0-9-]+)\s*$", doc.read_text(encoding="utf-8"), re.MULTILINE)
    }
    missing, pointing_out = [], []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        if outside in text or "shared" + "/reference" in text:
            pointing_out.append(str(path.relative_to(REPO)))
        missing += [
            f"{path.relative_to(REPO)}: docs/{doc}.md#{anchor}"
            for doc, anchor in CITATION.findall(text)
            if (doc, anchor) not in anchors
        ]
    assert pointing_out == []
    assert missing == []


@pytest.mark.parametrize("doc", ["salesforce", "hubspot"])
def test_each_fact_in_docs_names_its_public_source(doc: str) -> None:
    text = (REPO / "docs" / f"{doc}.md").read_text(encoding="utf-8")
    entries = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    assert entries
    # A URL, a recorded fixture (whose .source.txt names where it came from), or an honest "not documented".
    sourced = re.compile(r"Source: .*(https?://|tests/fixtures/|not documented)", re.DOTALL)
    unsourced = [e.splitlines()[0] for e in entries if not sourced.search(e)]
    assert unsourced == []
