"""Review cadence: which terms are due, which drafts are stale, what is unowned or unbound. Pure.

A term is due ``review_every`` after ``last_reviewed`` (README "Review"); a draft's age counts from its
first changelog entry, the day it was proposed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from crmdefs.definitions.model import Glossary, ReviewPeriod, Status, Term
from crmdefs.definitions.termindex import TermUse, term_uses


def add_period(day: dt.date, period: ReviewPeriod) -> dt.date:
    """``day`` plus ``period``; month arithmetic keeps the day of month, clamped (Jan 31 + 1 month =
    Feb 28/29), the way calendars and people count it."""
    if period.unit == "day":
        return day + dt.timedelta(days=period.count)
    if period.unit == "week":
        return day + dt.timedelta(weeks=period.count)
    months = period.count * (12 if period.unit == "year" else 1)
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(term: Term) -> dt.date | None:
    """When ``term`` is next due: None when it has no cadence or was never reviewed."""
    if term.review_every is None or term.last_reviewed is None:
        return None
    return add_period(term.last_reviewed, term.review_every)


def proposed_on(term: Term) -> dt.date | None:
    """The day a term was first written down: its earliest changelog entry."""
    return min((entry.date for entry in term.changelog), default=None)


@dataclass(frozen=True)
class Overdue:
    term: Term
    due: dt.date | None  # None: has a cadence but was never reviewed
    days: int  # days past due (0 when never reviewed)


@dataclass(frozen=True)
class StaleDraft:
    term: Term
    since: dt.date
    days: int


@dataclass(frozen=True)
class DeprecatedUse:
    term: Term
    use: TermUse


@dataclass(frozen=True)
class ReviewReport:
    as_of: dt.date
    draft_days: int
    overdue: tuple[Overdue, ...]
    stale_drafts: tuple[StaleDraft, ...]
    no_owner: tuple[Term, ...]
    no_cadence: tuple[Term, ...]
    unbound: tuple[Term, ...]
    deprecated_uses: tuple[DeprecatedUse, ...]

    @property
    def needs_action(self) -> bool:
        """Overdue reviews or stale drafts: what a scheduled job should fail on (exit 2)."""
        return bool(self.overdue or self.stale_drafts)

    @property
    def has_findings(self) -> bool:
        return bool(
            self.needs_action or self.no_owner or self.no_cadence or self.unbound or self.deprecated_uses
        )


def review(glossary: Glossary, as_of: dt.date, draft_days: int = 30) -> ReviewReport:
    """What needs a reviewer's attention on ``as_of``. Deprecated terms need no review; they are
    reported only where a field still carries them."""
    live = [
        t for t in sorted(glossary.terms.values(), key=lambda t: t.id) if t.status is not Status.DEPRECATED
    ]
    overdue: list[Overdue] = []
    for term in live:
        due = next_review(term)
        if due is not None and due < as_of:
            overdue.append(Overdue(term, due, (as_of - due).days))
        elif due is None and term.review_every is not None:
            overdue.append(Overdue(term, None, 0))
    stale: list[StaleDraft] = []
    for term in live:
        since = proposed_on(term) or term.last_reviewed
        if term.status is Status.DRAFT and since is not None and (as_of - since).days > draft_days:
            stale.append(StaleDraft(term, since, (as_of - since).days))
    uses = term_uses(glossary)
    deprecated = [
        DeprecatedUse(glossary.terms[term_id], use)
        for term_id, places in sorted(uses.items())
        if glossary.terms[term_id].status is Status.DEPRECATED
        for use in places
    ]
    return ReviewReport(
        as_of=as_of,
        draft_days=draft_days,
        overdue=tuple(sorted(overdue, key=lambda o: (o.due or dt.date.min, o.term.id))),
        stale_drafts=tuple(stale),
        no_owner=tuple(t for t in live if not t.owner),
        no_cadence=tuple(t for t in live if t.review_every is None),
        unbound=tuple(t for t in live if not uses[t.id]),
        deprecated_uses=tuple(deprecated),
    )
