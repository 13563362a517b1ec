"""The HubSpot-only pieces of the definitions format (format.py composes them into the binding).

``pipeline`` makes a ``deals.dealstage`` binding manage one deal pipeline's stages: its values become the
stages (label, order, probability, closed), written stage by stage through the pipelines API
(docs/hubspot.md#hs-pipeline-put-overwrites).
"""

from __future__ import annotations

from crmdefs.definitions.schema import Str
from crmdefs.definitions.shapes import Key, Obj

HS_FIELD_TYPE_NAMES = ("select", "radio", "checkbox", "booleancheckbox", "text", "textarea", "number", "date")

HS_CREATE = Obj(
    "How to create the property if it does not exist.",
    what="a HubSpot 'create'",
    keys={
        "label": Key(Str(), required=True),
        "type": Key(
            Str(choices=("enumeration", "string", "number", "bool", "date", "datetime")), required=True
        ),
        "field_type": Key(Str(choices=HS_FIELD_TYPE_NAMES), required=True),
        "group": Key(
            Str(
                "Internal name of the property group.",
                pattern=r"[a-z][a-z0-9_]*",
                pattern_hint="use the group's internal name, e.g. dealinformation",
            ),
            required=True,
        ),
        "group_label": Key(Str("Label for the group if crmdefs has to create it.")),
    },
)

PIPELINE = Str(
    "deals.dealstage only: the deal pipeline whose stages the values are — its id ('default' for the "
    "first one) or its label as HubSpot shows it. Each value's label, order, probability and closed/won "
    "are written to its stage; a missing stage is created; stages not listed are kept.",
    pattern=r"\S(?:.*\S)?",
    pattern_hint="write the pipeline's id or its label, e.g. default or Sales Pipeline",
)
