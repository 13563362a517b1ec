"""One YAML mistake, one message (step 11, point 5): a file that does not parse reports only its syntax error,
in plain words, and references into it from other files are not reported as unknown terms. Driven through the
real CLI on a copy of the starter glossary, as a user would meet it."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import REPO, RunCli, write_files

SANDBOX_LINE = "target sandbox — the built-in demo org, not your CRM"
FUNNEL = "definitions/terms/funnel.yaml"


def starter(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path / FUNNEL


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line and line != SANDBOX_LINE]


def test_a_tab_gives_one_message_naming_the_tab(run_cli: RunCli, tmp_path: Path) -> None:
    funnel = starter(tmp_path)
    lines = funnel.read_text(encoding="utf-8").split("\n")
    assert lines[12].startswith("  A new person record")  # line 13: inside raw-lead's summary
    lines[12] = "\t" + lines[12].lstrip()
    funnel.write_text("\n".join(lines), encoding="utf-8")
    for args in (("validate",), ("plan", "--detailed-exitcode")):
        result = run_cli(*args)
        assert result.code == 1, result.err
        assert error_lines(result.err) == [
            f"{FUNNEL}:13:1: line 13 is indented with a tab; YAML needs spaces — replace the tab with spaces "
            "(and set your editor to indent YAML with spaces)",
            "crmdefs: 1 error, 0 warnings in definitions — fix them and run the command again",
        ]
        assert result.out == ""


def test_a_missing_colon_gives_one_plain_message(run_cli: RunCli, tmp_path: Path) -> None:
    funnel = starter(tmp_path)
    funnel.write_text(funnel.read_text(encoding="utf-8").replace("id: mql\n", "id mql\n"), encoding="utf-8")
    line = funnel.read_text(encoding="utf-8").split("\n").index("id mql") + 1
    result = run_cli("validate")
    assert result.code == 1
    assert error_lines(result.err) == [
        f"{FUNNEL}:{line}:1: line {line} has no ':' after its key ('id mql') — write it as 'key: value', "
        "with a colon and a space after the key",
        "crmdefs: 1 error, 0 warnings in definitions — fix them and run the command again",
    ]
    assert "Traceback" not in result.err and "unknown term" not in result.err


def test_errors_that_do_not_depend_on_the_broken_file_are_still_reported(
    run_cli: RunCli, tmp_path: Path
) -> None:
    funnel = starter(tmp_path)
    funnel.write_text(funnel.read_text(encoding="utf-8").replace("\nname: Raw Lead", "\n\tname: Raw Lead"))
    write_files(
        tmp_path,
        {
            "definitions/fields/extra.yaml": (
                "kind: field\nsalesforce: Lead.Rating\nhelp_text: {term: mql, use: summary}\n"
                "description: {term: no-such-term, use: summary}\n"
            )
        },
    )
    result = run_cli("validate")
    assert result.code == 1
    lines = error_lines(result.err)
    # 'mql' lives in the broken file: not reported; 'no-such-term' lives nowhere: still reported.
    assert lines[0] == (
        "definitions/fields/extra.yaml:4:21: unknown term 'no-such-term' — define a term with id 'no-such-term' "
        "or fix the reference"
    )
    assert lines[1].startswith(f"{FUNNEL}:4:1: line 4 is indented with a tab; YAML needs spaces")
    assert lines[2:] == ["crmdefs: 2 errors, 0 warnings in definitions — fix them and run the command again"]
