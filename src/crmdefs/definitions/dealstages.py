"""HubSpot deal stages as definitions: how a value's ``closed`` / ``won`` / ``probability`` become a stage's
state, and the rules `validate` applies to a ``deals.dealstage`` binding with ``pipeline:``.

A HubSpot deal stage has a probability (0.0–1.0) and ``isClosed``, and no "won" flag: a closed stage at 1.0
is closed won, one at 0.0 closed lost (docs/hubspot.md#hs-stage-metadata). So, in percent as for
Salesforce:

- ``won: true`` → closed, probability 100 (a probability, if given, must be 100);
- ``closed: true`` without ``won: true`` → closed lost, probability 0 (if given, it must be 0);
- otherwise the stage is open and needs a probability between 1 and 99 — 0 and 100 would read as lost or
  won. HubSpot requires a probability on every deal stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmdefs.definitions.model import FieldBinding, PicklistValue
from crmdefs.definitions.schema import Checker
from crmdefs.definitions.yamlsource import PathKey
from crmdefs.errors import Severity

DEAL_STAGE_FIELD = "deals.dealstage"


def deal_stage_attributes(value: PicklistValue) -> dict[str, Any]:
    """The stage state a value asks for: ``closed`` and, where known, ``probability`` in percent."""
    closed = bool(value.closed) or bool(value.won)
    probability = 100 if value.won else 0 if closed else value.probability
    attributes: dict[str, Any] = {"closed": closed}
    if probability is not None:
        attributes["probability"] = probability
    return attributes


def check_pipeline_binding(
    c: Checker, data: Mapping[str, Any], b: FieldBinding, pc: Checker, pat: PathKey
) -> None:
    """A ``pipeline:`` binding: on deals.dealstage, with values, never hiding stages; each value a stage
    HubSpot can hold without contradiction."""
    if b.pipeline is None:
        return
    if b.address.dotted != DEAL_STAGE_FIELD:
        c.report(("pipeline",), "'pipeline' applies to deals.dealstage only", "remove it from this binding")
        return
    if b.picklist is None:
        c.report(
            ("pipeline",),
            "'pipeline' needs a picklist: its values are the pipeline's stages",
            "add 'picklist:' with one value per stage",
        )
        return
    if b.unlisted_values == "deactivate":
        c.report(
            ("unlisted_values",),
            "HubSpot deal stages cannot be hidden, and crmdefs never deletes one",
            "remove 'unlisted_values' (stages the list does not name are kept as they are)",
        )
    for i, value in enumerate(b.picklist.values):
        _check_stage(pc, (*pat, "values", i), value, str(b.address))


def _check_stage(pc: Checker, at: PathKey, value: PicklistValue, bound: str) -> None:
    name, p = value.value, value.probability
    where = f"(bound to {bound})"
    if value.won and value.closed is False:
        pc.report((*at, "won"), f"stage '{name}' is won but not closed {where}", "set closed: true")
    elif value.won and p not in (None, 100):
        pc.report(
            (*at, "probability"),
            f"stage '{name}' is won but has probability {p}: a won HubSpot deal stage is at 100 % {where}",
            "remove 'probability' or set it to 100",
        )
    elif value.closed and not value.won and p not in (None, 0):
        pc.report(
            (*at, "probability"),
            f"stage '{name}' is closed and not won but has probability {p}: a closed HubSpot deal stage is "
            f"won at 100 % or lost at 0 % {where}",
            "set won: true for a won stage, or probability 0 (or none) for a lost one",
        )
    elif not value.closed and not value.won and p is None:
        pc.report(
            at,
            f"stage '{name}' has no probability: HubSpot requires one on every deal stage {where}",
            "add probability (1–99) to an open stage, or closed: true (and won: true) to a closed one",
        )
    elif not value.closed and not value.won and p in (0, 100):
        pc.report(
            (*at, "probability"),
            f"open stage '{name}' has probability {p}: HubSpot reads 0 % as closed lost and 100 % as closed "
            f"won {where}",
            "choose 1–99, or mark the stage closed: true (with won: true for 100)",
        )
    elif p is not None and p % 10:
        # docs/hubspot.md#hs-stage-metadata: "between 0.0 and 1.0 in increments of 0.1"
        pc.report(
            (*at, "probability"),
            f"stage '{name}' has probability {p}: HubSpot documents deal stage probabilities in steps of "
            f"10 % {where}",
            "round it to a multiple of 10, or HubSpot may refuse it",
            severity=Severity.WARNING,
        )
