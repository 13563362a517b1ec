"""Files that are not definitions at all: each gets one clear, located message — no traceback, no hang."""

from __future__ import annotations

import time
from pathlib import Path

from .conftest import RunCli

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _validate_one(run_cli: RunCli, tmp_path: Path, name: str, content: bytes) -> list[str]:
    folder = tmp_path / "definitions"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    result = run_cli("validate")
    assert result.code == 1
    assert "Traceback" not in result.err
    return result.err.splitlines()


def test_alias_bomb_is_refused_quickly(run_cli: RunCli, tmp_path: Path) -> None:
    started = time.monotonic()
    lines = _validate_one(run_cli, tmp_path, "bomb.yaml", BILLION_LAUGHS.encode())
    assert time.monotonic() - started < 5  # a generous bound: expanding it would take minutes and GBs
    assert lines[0] == (
        "definitions/bomb.yaml:2:8: YAML anchors and aliases (&name / *name) are not allowed — "
        "write the value out in full"
    )


def test_invalid_utf8_names_the_line_and_byte(run_cli: RunCli, tmp_path: Path) -> None:
    lines = _validate_one(run_cli, tmp_path, "latin1.yaml", "kind: term\nname: Caf\xe9\n".encode("latin-1"))
    assert lines[0] == "definitions/latin1.yaml:2:10: is not valid UTF-8 (byte 0xe9) — save the file as UTF-8"


def test_a_directory_named_like_a_yaml_file(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "definitions" / "old.yaml").mkdir(parents=True)
    (tmp_path / "definitions" / "ok.yaml").write_text(
        "kind: term\nid: a\nname: A\nstatus: draft\nsummary: s\ndefinition: d\n", encoding="utf-8"
    )
    result = run_cli("validate")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "definitions/old.yaml: is a directory, not a YAML file — rename it so it does not end in .yaml/.yml"
    )


def test_deep_nesting_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    lines = _validate_one(run_cli, tmp_path, "deep.yaml", b"a: " + b"[" * 100_000)
    assert lines[0] == (
        "definitions/deep.yaml: is nested too deeply to be a definitions file — keep nesting under 40 levels"
    )


def test_oversized_file_is_refused_before_parsing(run_cli: RunCli, tmp_path: Path) -> None:
    lines = _validate_one(run_cli, tmp_path, "huge.yaml", b"# " + b"x" * 3_000_000 + b"\n")
    assert lines[0] == (
        "definitions/huge.yaml: is 3,000,003 bytes; definition files are limited to 2,000,000 — split it into "
        "several files"
    )


def test_control_character(run_cli: RunCli, tmp_path: Path) -> None:
    lines = _validate_one(run_cli, tmp_path, "ctl.yaml", b"kind: term\nname: a\x07b\n")
    assert lines[0] == (
        "definitions/ctl.yaml:2:8: contains a control character (U+0007) that YAML does not allow — delete it "
        "or write it as an escape inside double quotes"
    )


def test_a_document_that_is_a_list(run_cli: RunCli, tmp_path: Path) -> None:
    lines = _validate_one(run_cli, tmp_path, "list.yaml", b"- kind: term\n")
    assert lines[0] == (
        "definitions/list.yaml:1:1: a definitions document must be a mapping starting with 'kind:' — start it "
        "with 'kind: term', 'kind: picklist' or 'kind: field'"
    )


def test_byte_order_mark_is_accepted(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "bom.yaml").write_bytes(
        "\ufeffkind: term\nid: a\nname: A\nstatus: draft\nsummary: s\ndefinition: d\n".encode()
    )
    result = run_cli("validate")
    assert result.code == 0, result.err


def test_missing_and_empty_definitions_directory(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("validate")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: definitions directory 'definitions' not found — create it, or set 'definitions:' in "
        "crmdefs.yaml / pass --definitions DIR\n"
    )
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "notes.txt").write_text("not yaml", encoding="utf-8")
    result = run_cli("validate")
    assert result.code == 1
    assert result.err == (
        "crmdefs: error: no definition files (*.yaml, *.yml) in 'definitions' — add one (see README "
        "'Definitions')\n"
    )
