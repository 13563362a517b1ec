"""Plan → JSON for machines: exactly the saved plan file (``planfile.dumps``), so what ``--format json``
prints can be given to ``apply`` and read by the same schema (``format_version``)."""

from __future__ import annotations

from crmdefs.plan import planfile
from crmdefs.plan.changes import Plan


def render_plan(plan: Plan, *, color: bool = False) -> str:
    """``color`` is accepted for the common renderer signature; JSON is never colored."""
    return planfile.dumps(plan)
