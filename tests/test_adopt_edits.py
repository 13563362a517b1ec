"""adopt/edits.py: span edits of YAML text, pure. Each edit reads back as the new value, keeps the style
it replaces where the text allows, and leaves every other character of the file as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from crmdefs.adopt.edits import Edit, EditRefused, edit_text, verify
from crmdefs.definitions import yamlsource
from crmdefs.definitions.yamlsource import load_text

SOURCE = """\
# a comment that must survive
kind: field   # trailing comment
salesforce: Opportunity.StageName
label: Stage
plain: Where the deal stands
single: 'It''s fine'
double: "Say \\"hi\\""
literal: |-
  first line
  second line

# a comment after a block
folded: >-
  A long text that is folded over
  two lines.
flow: {label: Old label, term: x}
values:
  - {value: A, label: Alpha}   # first
  - value: B
    label: Beta
    description: >-
      Bee.
# the end
"""


def edited(text: str, *edits: Edit) -> str:
    docs, problems = load_text(text, "t.yaml")
    assert not problems
    return edit_text(text, docs, list(edits), "t.yaml")


def read(text: str) -> Any:
    docs, problems = load_text(text, "t.yaml")
    assert not problems, problems
    return docs[0].data


def outside_unchanged(before: str, after: str, path: tuple[str, ...]) -> None:
    """Every line but those of the edited scalar is byte-identical."""
    docs, _ = load_text(before, "t.yaml")
    span = docs[0].spans[path]
    first = before.count("\n", 0, span.start)  # the line the scalar starts on
    last = before.count("\n", 0, len(before[: span.end].rstrip()))  # the line its content ends on
    old, new = before.split("\n"), after.split("\n")
    assert old[:first] == new[:first]
    tail = old[last + 1 :]
    assert new[len(new) - len(tail) :] == tail


@pytest.mark.parametrize(
    ("key", "text", "written"),
    [
        ("plain", "Where it stands now", "plain: Where it stands now\n"),
        ("plain", "Stage: see the playbook", "plain: 'Stage: see the playbook'\n"),
        ("plain", "Number #1 reason", "plain: 'Number #1 reason'\n"),
        ("plain", "- a dash first", "plain: '- a dash first'\n"),
        ("plain", "yes", "plain: 'yes'\n"),
        ("plain", "42", "plain: '42'\n"),
        ("plain", "  leading spaces", "plain: '  leading spaces'\n"),
        ("plain", "two\nlines", 'plain: "two\\nlines"\n'),
        ("plain", "Déjà vu — 😀", "plain: Déjà vu — 😀\n"),
        ("single", "It's 'quoted'", "single: 'It''s ''quoted'''\n"),
        ("single", "a\nb", 'single: "a\\nb"\n'),
        ("double", 'He said "no" \\ then', 'double: "He said \\"no\\" \\\\ then"\n'),
        ("double", "line\u2028sep", 'double: "line\\Lsep"\n'),
    ],
)
def test_an_inline_scalar_keeps_its_style_where_the_text_allows(key: str, text: str, written: str) -> None:
    after = edited(SOURCE, Edit(0, (key,), "set", text, key))
    assert written in after
    assert read(after)[key] == text
    outside_unchanged(SOURCE, after, (key,))


def test_a_literal_block_stays_a_block_with_its_header_indentation_and_what_follows() -> None:
    after = edited(SOURCE, Edit(0, ("literal",), "set", "one: #1\n  indented\n\nlast", "literal"))
    assert "literal: |-\n  one: #1\n    indented\n\n  last\n\n# a comment after a block\n" in after
    assert read(after)["literal"] == "one: #1\n  indented\n\nlast"
    outside_unchanged(SOURCE, after, ("literal",))


def test_a_folded_block_is_rewrapped_and_falls_back_to_a_literal_one_for_indented_lines() -> None:
    words = " ".join(["word"] * 40)
    after = edited(SOURCE, Edit(0, ("folded",), "set", words + "\nnext paragraph", "folded"))
    assert after.count("\n  word") >= 2  # wrapped at the block's width (at least 80)
    assert all(len(line) <= 80 for line in after.split("\n"))
    assert read(after)["folded"] == words + "\nnext paragraph"
    indented = edited(SOURCE, Edit(0, ("folded",), "set", "a\n  b", "folded"))
    assert "folded: |-\n  a\n    b\nflow:" in indented
    first_indented = edited(SOURCE, Edit(0, ("folded",), "set", " a", "folded"))
    assert 'folded: " a"\nflow:' in first_indented


def test_a_scalar_in_a_flow_mapping_is_quoted_when_it_holds_a_flow_indicator() -> None:
    after = edited(SOURCE, Edit(0, ("flow", "label"), "set", "New, better", "label"))
    assert "flow: {label: 'New, better', term: x}\n" in after
    assert read(after)["flow"] == {"label": "New, better", "term": "x"}


def test_entries_are_appended_in_the_style_of_the_last_one_with_a_comment() -> None:
    after = edited(
        SOURCE,
        Edit(0, ("values",), "append", {"value": "C", "description": "See: x"}, "C", "REVIEW: added"),
        Edit(0, ("values",), "append", {"value": "D"}, "D", "REVIEW: added"),
    )
    assert (
        "    description: >-\n      Bee.\n"
        "  - value: C  # REVIEW: added\n    description: >-\n      See: x\n"
        "  - value: D  # REVIEW: added\n# the end\n"
    ) in after
    assert [v["value"] for v in read(after)["values"]] == ["A", "B", "C", "D"]
    flow = "values:\n  - {value: A, label: Alpha}  # first\n"
    after = edited(flow, Edit(0, ("values",), "append", {"value": "B, or not", "label": "Bé"}, "B", "REVIEW"))
    assert after == flow + '  - {value: "B, or not", label: Bé}  # REVIEW\n'


def test_a_changelog_is_created_at_the_end_of_its_document() -> None:
    text = "kind: term\nid: x\nsummary: S.\n# trailing\n---\nkind: term\nid: y\n"
    entry = {"date": dt.date(2026, 11, 29), "change": "adopted from sandbox: x", "reason": "because"}
    after = edited(text, Edit(0, (), "add_key", {"changelog": [entry]}, "changelog"))
    assert after.startswith(
        "kind: term\nid: x\nsummary: S.\nchangelog:\n"
        '  - date: 2026-11-29\n    change: "adopted from sandbox: x"\n    reason: because\n# trailing\n---\n'
    )
    assert read(after)["changelog"] == [entry]


def test_line_endings_and_a_missing_final_newline_are_kept() -> None:
    crlf = "a: old\r\nb: kept\r\n"
    assert edited(crlf, Edit(0, ("a",), "set", "new", "a")) == "a: new\r\nb: kept\r\n"
    bare = "values:\n  - value: A"
    after = edited(bare, Edit(0, ("values",), "append", {"value": "B"}, "B"))
    assert read(after)["values"] == [{"value": "A"}, {"value": "B"}]


def test_edits_that_cannot_be_written_are_refused() -> None:
    with pytest.raises(EditRefused, match="touch the same text"):
        edited(SOURCE, Edit(0, ("plain",), "set", "x", "one"), Edit(0, ("plain",), "set", "y", "two"))
    with pytest.raises(EditRefused, match="is not written as a text here"):
        edited(SOURCE, Edit(0, ("flow",), "set", "x", "flow"))
    with pytest.raises(EditRefused, match=r"written inline \(\[…\]\)"):
        edited("values: [{value: A}]\n", Edit(0, ("values",), "append", {"value": "B"}, "B"))


def test_verification_finds_any_other_value_that_moved() -> None:
    docs, _ = load_text(SOURCE, "t.yaml")
    edit = Edit(0, ("plain",), "set", "new", "plain")
    good = SOURCE.replace("plain: Where the deal stands", "plain: new")
    assert verify(docs, good, "t.yaml", [edit]) is None
    assert verify(docs, good.replace("label: Beta", "label: Bet"), "t.yaml", [edit]) == (
        "document 1 reads differently at values.1.label"
    )
    assert verify(docs, good.replace("kind: field", "kind: [field"), "t.yaml", [edit]) is not None


@pytest.mark.skipif(getattr(yaml, "CSafeLoader", None) is None, reason="PyYAML built without libyaml")
def test_both_loaders_record_the_same_spans() -> None:
    fast, _ = yamlsource._compose(SOURCE, "t.yaml", yaml.CSafeLoader)
    slow, _ = yamlsource._compose(SOURCE, "t.yaml", yamlsource._Loader)
    assert fast[0].spans == slow[0].spans
