"""The definitions keys that make a definition hold (step 12): ``requirements`` (a field that must be
filled at some values of this one — a Salesforce validation rule), ``depends_on`` (a Salesforce dependent
picklist) and ``quality`` (thresholds the quality report checks against the records). format.py composes
them into the bindings; model.py holds what load.py builds from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmdefs.definitions.schema import Bool, Checker, Spec, Str
from crmdefs.definitions.shapes import Key, ListOf, MapOf, Obj
from crmdefs.definitions.yamlsource import PathKey

PERCENT_PATTERN = r"\d{1,3}(?:\.\d+)?\s*%"
PERCENT_HINT = "write a percentage from 0% to 100%, e.g. 95%"


@dataclass(frozen=True)
class Percent(Str):
    """A share written ``95%``; a bare number is refused with that hint rather than "put it in quotes"."""

    def check(self, value: Any, at: PathKey, c: Checker) -> bool:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._wrong_type(value, at, c, f"write {value:g}% (with the percent sign)")
        return super().check(value, at, c)


PERCENT = Percent(
    "A share of records in percent, e.g. 95%.", pattern=PERCENT_PATTERN, pattern_hint=PERCENT_HINT
)
# Salesforce ValidationRule names: letters, digits and single underscores, starting with a letter, not
# ending with one; at most 40 characters (docs/salesforce.md#sf-validation-rule).
RULE_NAME = Str(
    "The validation rule's name (default: crmdefs_<Field>_<values>).",
    pattern=r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)",
    pattern_hint="use letters, digits and single underscores, starting with a letter, e.g. Reason_Required",
    max_len=40,
)
FIELD_NAME = Str(
    "A field on the same object: Salesforce API name or HubSpot internal property name.",
    pattern=r"[A-Za-z][A-Za-z0-9_]*",
    pattern_hint="write the field's API name, e.g. Loss_Reason__c or closed_lost_reason",
)
VALUE_LIST = ListOf("Values of this field, as the definitions write them.", item=Str(), min_items=1)


def requirements(text: Spec) -> ListOf:
    """``requirements:`` — ``text`` is the composed-text spec of format.py (no import cycle)."""
    return ListOf(
        "Fields that must be filled when this field holds some values. Salesforce: one validation rule "
        "each; HubSpot: shown as a step to take in the pipeline's stage settings, checked by `quality`.",
        item=Obj(
            "One requirement.",
            what="a requirement",
            keys={
                "when": Key(VALUE_LIST, required=True),
                "require": Key(
                    ListOf("Fields that must then be filled.", item=FIELD_NAME, min_items=1), required=True
                ),
                "message": Key(text),  # ≤ 255 characters once composed (Salesforce errorMessage)
                "name": Key(RULE_NAME),
                "active": Key(
                    Bool("false: create the rule inactive, e.g. until the records that fail it are cleaned.")
                ),
                "min_filled": Key(
                    Percent(
                        "Quality report: at least this share of the matching records have every required "
                        "field filled.",
                        pattern=PERCENT_PATTERN,
                        pattern_hint=PERCENT_HINT,
                    )
                ),
            },
        ),
        min_items=1,
    )


DEPENDS_ON = Obj(
    "Salesforce: this field's values are offered only when another picklist on the object holds some "
    "values (a dependent picklist).",
    what="a 'depends_on'",
    keys={
        "field": Key(
            Str(
                "The controlling picklist (or checkbox) on the same object.",
                pattern=r"[A-Za-z][A-Za-z0-9_]*",
                pattern_hint="write the controlling field's API name, e.g. StageName",
            ),
            required=True,
        ),
        "show_when": Key(
            ListOf(
                "The controlling field's values at which the listed values are offered.",
                item=Str(),
                min_items=1,
            ),
            required=True,
        ),
    },
)

QUALITY = Obj(
    "Thresholds for `crmdefs quality`; a breach makes it exit 2.",
    what="a 'quality'",
    keys={
        "max_share": Key(
            MapOf(
                "At most this share of the records in the window may hold the value, e.g. {Other: 10%}.",
                what="values and percentages",
                key_pattern=r"\S(?:.*\S)?",
                key_hint="write the value as the definitions list it",
                value=PERCENT,
            )
        ),
        "min_filled": Key(PERCENT),
    },
)

CATCH_ALL = Bool("A catch-all such as 'Other': the quality report shows how often it is chosen.")
