"""Broken definitions, part 1: YAML syntax and documents, keys, value types and formats, and terms
(ids, dates, changelogs, relations). Run by tests/test_validate_errors.py.

The valid pieces (TERM, TERM_SQL) are small on purpose, so each case shows only what it breaks.
"""

from __future__ import annotations

TERM = """\
kind: term
id: mql
name: Marketing Qualified Lead
status: approved
summary: Ready for a rep to review.
definition: A lead that marketing judges ready for sales follow-up.
"""
TERM_SQL = TERM.replace("id: mql", "id: sql").replace("Marketing", "Sales")
LONG = "x" * 600


DOCUMENT_CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "yaml syntax error",
        {"a.yaml": "kind: term\nid: [mql\nname: x\n"},
        [
            "definitions/a.yaml:3:5: YAML syntax error: expected ',' or ']', but got ':' — fix the YAML syntax "
            "(indentation, quotes, colons)"
        ],
    ),
    (
        "unknown key with a suggestion, no second error for the missing key",
        {"a.yaml": TERM.replace("summary:", "sumary:")},
        ["definitions/a.yaml:5:1: unknown key 'sumary' in a term — did you mean 'summary'?"],
    ),
    (
        "unknown key without a close match lists the allowed keys",
        {"a.yaml": TERM + "colour: red\n"},
        [
            "definitions/a.yaml:7:1: unknown key 'colour' in a term — allowed keys: kind, id, name, abbreviation, "
            "category, funnel_stage, status, owner, reviewers, last_reviewed, review_every, summary, definition, "
            "criteria, disqualifiers, example, related, synonyms, changelog"
        ],
    ),
    (
        "missing required key",
        {"a.yaml": TERM.replace("definition: A lead that marketing judges ready for sales follow-up.\n", "")},
        ["definitions/a.yaml:1:1: a term is missing the required key 'definition' — add 'definition: …'"],
    ),
    (
        "a list where text is expected",
        {"a.yaml": TERM.replace("name: Marketing Qualified Lead", "name: [a, b]")},
        ["definitions/a.yaml:3:7: 'name' must be text, not a list — write a single text value"],
    ),
    (
        "a YAML boolean where text is expected",
        {"a.yaml": TERM.replace("name: Marketing Qualified Lead", "name: yes")},
        [
            "definitions/a.yaml:3:7: 'name' must be text, not the boolean true — put it in quotes: YAML reads "
            "yes/no/on/off/true/false as booleans"
        ],
    ),
    (
        "text where a list is expected",
        {"a.yaml": TERM + "reviewers: sales-ops@example.com\n"},
        [
            "definitions/a.yaml:7:12: 'reviewers' must be a list of text items, not text — write it as [a, b] or "
            "one '- item' per line"
        ],
    ),
    (
        "status not in the allowed set",
        {"a.yaml": TERM.replace("status: approved", "status: aproved")},
        [
            "definitions/a.yaml:4:9: 'status' must be one of draft, approved, deprecated, not 'aproved' — did you "
            "mean 'approved'?"
        ],
    ),
    (
        "id that is not a slug",
        {"a.yaml": TERM.replace("id: mql", "id: MQL Stage")},
        [
            "definitions/a.yaml:2:5: 'id' has an invalid value 'MQL Stage' — use lowercase letters, digits and "
            "single hyphens, e.g. 'closed-lost'"
        ],
    ),
    (
        "summary too long for a picklist value description",
        {"a.yaml": TERM.replace("summary: Ready for a rep to review.", "summary: " + "y" * 300)},
        ["definitions/a.yaml:5:10: 'summary' is 300 characters; the limit is 255 — shorten it"],
    ),
    (
        "date that does not exist",
        {"a.yaml": TERM + "last_reviewed: 2026-02-30\n"},
        [
            "definitions/a.yaml:7:16: 'last_reviewed' is not a real date: '2026-02-30' — write it as YYYY-MM-DD, "
            "e.g. 2026-09-30"
        ],
    ),
    (
        "date with a time",
        {"a.yaml": TERM + "last_reviewed: 2026-02-03 10:00:00\n"},
        ["definitions/a.yaml:7:16: 'last_reviewed' must be a date without a time — write it as YYYY-MM-DD"],
    ),
    (
        "review period that does not parse",
        {"a.yaml": TERM + "review_every: sometimes\n"},
        [
            "definitions/a.yaml:7:15: 'review_every' is not a review period: 'sometimes' — write a number and a "
            "unit (days, weeks, months, years), e.g. '6 months', or monthly / quarterly / yearly"
        ],
    ),
    (
        "changelog entry without a reason",
        {"a.yaml": TERM + "changelog:\n  - {date: 2026-01-05, change: Adopted}\n"},
        ["definitions/a.yaml:8:5: a changelog entry is missing the required key 'reason' — add 'reason: …'"],
    ),
    (
        "duplicate term id across files",
        {"a.yaml": TERM, "b/b.yaml": TERM},
        [
            "definitions/b/b.yaml:2:5: duplicate term id 'mql' (first defined at definitions/a.yaml:2) — give each "
            "one a unique id"
        ],
    ),
    (
        "related term that does not exist, with a suggestion",
        {"a.yaml": TERM + "related: [sqll]\n", "b.yaml": TERM_SQL},
        ["definitions/a.yaml:7:11: unknown term 'sqll' — did you mean 'sql'?"],
    ),
    (
        "term related to itself",
        {"a.yaml": TERM + "related: [mql]\n"},
        ["definitions/a.yaml:7:11: term 'mql' lists itself as related — remove it from 'related'"],
    ),
    (
        "document without kind",
        {"a.yaml": TERM.replace("kind: term\n", "")},
        [
            "definitions/a.yaml:1:1: document has no 'kind' — add 'kind: term', 'kind: picklist' or 'kind: field'"
        ],
    ),
    (
        "unknown kind",
        {"a.yaml": TERM.replace("kind: term", "kind: terms")},
        ["definitions/a.yaml:1:7: unknown kind 'terms' — did you mean 'term'?"],
    ),
    (
        "duplicate YAML key",
        {"a.yaml": TERM + "name: Again\n"},
        [
            "definitions/a.yaml:7:1: duplicate key 'name' (first at line 3) — keep one of them; YAML would silently "
            "drop the first"
        ],
    ),
    (
        "YAML alias",
        {"a.yaml": TERM.replace("summary: Ready", "summary: &s Ready") + "example: *s\n"},
        [
            "definitions/a.yaml:7:10: YAML anchors and aliases (&name / *name) are not allowed — write the value out "
            "in full"
        ],
    ),
    (
        "Python tag",
        {
            "a.yaml": TERM.replace(
                "name: Marketing Qualified Lead", "name: !!python/object/apply:os.system [ls]"
            )
        },
        [
            "definitions/a.yaml:3:7: YAML tag '!!python/object/apply:os.system' is not allowed — remove the tag; "
            "plain YAML values only"
        ],
    ),
    (
        "empty file",
        {"a.yaml": "# nothing yet\n", "b.yaml": TERM},
        ["definitions/a.yaml:1:1: is empty — add a definition (see README 'Definitions') or delete the file"],
    ),
]
