"""Where a HubSpot user makes a property required: HubSpot has no API for it
(docs/hubspot.md#hs-stage-required-properties), so a binding's ``requirements:`` become one plan skip each,
saying where to set it — a deal or ticket pipeline's stage for a ``pipeline:`` binding, the object's
conditional property logic (or its forms) for any other. `crmdefs quality` checks them through the data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from crmdefs.definitions.model import FieldAddress
from crmdefs.plan.state import RULES_ELSEWHERE, DesiredField, FieldState

_OBJECT_WORDS = {"deals": "Deal", "tickets": "Ticket", "contacts": "Contact", "companies": "Company"}


def where_required(wanted: DesiredField) -> str:
    """The steps in HubSpot's settings that make the required properties required."""
    singular = _OBJECT_WORDS.get(wanted.address.object, wanted.address.object)
    logic = f"Settings > Properties > {singular} properties > Conditional logic"
    if wanted.pipeline is not None:
        return (
            f"HubSpot has no API for it — set it in HubSpot: Settings > Objects > {singular}s > Pipelines > "
            f"{wanted.pipeline}, edit the stage and add them to its conditional stage properties (also "
            f"listed under {logic})"
        )
    return (
        f"HubSpot has no API for it — set it in HubSpot: {logic} (Professional and Enterprise), required "
        f"when {wanted.address.field} has that value; on forms, mark the fields required"
    )


def mark(
    fields: Sequence[DesiredField], states: Mapping[FieldAddress, FieldState]
) -> dict[FieldAddress, FieldState]:
    """``states`` with where each binding's requirements are set, for the bindings that have any."""
    out = dict(states)
    for wanted in fields:
        state = out.get(wanted.address)
        if wanted.rules and state is not None and state.exists:
            read_only = {**state.read_only, RULES_ELSEWHERE: where_required(wanted)}
            out[wanted.address] = dataclasses.replace(state, read_only=read_only)
    return out
