"""libyaml (when present) and the pure-Python loader read definitions identically: same data, same
line:column of every key and value, same messages for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crmdefs.definitions import yamlsource
from crmdefs.definitions.yamlsource import iter_paths

from .conftest import REPO

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")

STARTER = sorted(iter_paths(REPO / "definitions"))


def both(text: str) -> tuple[object, object]:
    fast = yamlsource._compose(text, "f.yaml", yaml.CSafeLoader)
    pure = yamlsource._compose(text, "f.yaml", yamlsource._Loader)
    return fast, pure


@pytest.mark.parametrize("path", STARTER, ids=lambda p: p.name)
def test_the_starter_files_read_the_same_with_both_loaders(path: Path) -> None:
    (fast_docs, fast_problems), (pure_docs, pure_problems) = both(path.read_text(encoding="utf-8"))
    assert fast_problems == pure_problems == []
    assert [(d.data, d.values, d.keys, d.start) for d in fast_docs] == [
        (d.data, d.values, d.keys, d.start) for d in pure_docs
    ]


@pytest.mark.parametrize(
    "text",
    ["a: &x 1\nb: *x\n", "a: [1, 2\n", "a: 1\na: 2\n", "a: !!python/name:os.system x\n", "[" * 5000],
    ids=["alias", "unclosed", "duplicate", "tag", "deep"],
)
def test_a_broken_file_gets_the_pure_loaders_message_and_position(text: str) -> None:
    docs, problems = yamlsource.load_text(text, "f.yaml")
    assert docs == [] and problems and problems == yamlsource._compose(text, "f.yaml", yamlsource._Loader)[1]
