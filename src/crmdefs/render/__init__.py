"""Plan renderers, chosen once by ``--format``: ``render(plan, fmt, color=…)`` returns the whole output.

Every renderer is pure (a string out, nothing printed) and has the same signature, so command bodies
never branch on the format.
"""

from __future__ import annotations

from typing import Protocol

from crmdefs.errors import CrmdefsError
from crmdefs.plan.changes import Plan
from crmdefs.render import jsonout, markdown, text


class Renderer(Protocol):
    def __call__(self, plan: Plan, *, color: bool) -> str: ...


RENDERERS: dict[str, Renderer] = {
    "text": text.render_plan,
    "json": jsonout.render_plan,
    "markdown": markdown.render_plan,
}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str) -> Renderer:
    try:
        return RENDERERS[fmt]
    except KeyError:
        raise CrmdefsError(f"unknown output format {fmt!r} — use one of: {', '.join(FORMATS)}") from None


def render(plan: Plan, fmt: str, *, color: bool = False) -> str:
    """The plan in ``fmt`` (text | json | markdown); ``color`` adds ANSI colors where the format has them."""
    return renderer(fmt)(plan, color=color)
