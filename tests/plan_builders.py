"""Hand-built plans for the renderer tests: two field addresses, update and plan shorthands, a long help
text and its one-word edit and a plan with one change of each kind.
"""

from __future__ import annotations

from typing import Any

from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.changes import AttributeChange, FieldPlan, Plan, Skip, ValueChange, ValueChangeKind

SF = FieldAddress(Crm.SALESFORCE, "Opportunity", "Loss_Reason__c")
HS = FieldAddress(Crm.HUBSPOT, "deals", "reason")
K = ValueChangeKind
LONG_OLD = (
    "A deal is closed lost when the buyer tells us they will not buy from us, or when the opportunity "
    "has had no logged activity for ninety days and the owner agrees it is gone."
)
LONG_NEW = LONG_OLD.replace("ninety", "sixty")


def update(*, address: FieldAddress = SF, **changes: Any) -> FieldPlan:
    return FieldPlan(address, "update", "sha256:x", **changes)


def plan_of(*fields: FieldPlan, target: str = "sandbox") -> Plan:
    return Plan(target, "sha256:d", "2024-05-01T12:00:00+00:00", fields)


def rich_plan() -> Plan:
    return plan_of(
        FieldPlan(HS, "create", "", attributes=(AttributeChange("label", None, "Reason"),)),
        update(
            attributes=(AttributeChange("description", LONG_OLD, LONG_NEW),),
            value_changes=(
                ValueChange(K.ADD, "Competitor", None, "Competitor"),
                ValueChange(K.DEACTIVATE, "pricing", True, False),
                ValueChange(K.RELABEL, "Price", "price", "Price"),
            ),
            warnings=("values live in the global value set Reasons",),
            skips=(Skip("help_text", "read-only"),),
        ),
    )
