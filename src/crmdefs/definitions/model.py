"""The glossary as frozen data. Built by :mod:`crmdefs.definitions.load`; read by everything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from crmdefs.words import plural


class Crm(str, Enum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


class Status(str, Enum):
    DRAFT = "draft"
    APPROVED = "approved"
    DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Source:
    """Where something was defined, for messages: ``definitions/funnel.yaml:12``."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class ChangeEntry:
    date: dt.date
    change: str
    reason: str


@dataclass(frozen=True)
class ReviewPeriod:
    count: int
    unit: str  # day | week | month | year

    def __str__(self) -> str:
        return plural(self.count, self.unit)


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    status: Status
    summary: str
    definition: str
    source: Source
    abbreviation: str | None = None
    category: str | None = None
    funnel_stage: int | None = None
    owner: str | None = None
    reviewers: tuple[str, ...] = ()
    last_reviewed: dt.date | None = None
    review_every: ReviewPeriod | None = None
    criteria: tuple[str, ...] = ()
    disqualifiers: tuple[str, ...] = ()
    example: str | None = None
    related: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    changelog: tuple[ChangeEntry, ...] = ()

    @property
    def short_name(self) -> str:
        return self.abbreviation or self.name


@dataclass(frozen=True)
class TextSpec:
    """Literal text, or text composed from terms (``use`` = summary | definition | name)."""

    literal: str | None = None
    terms: tuple[str, ...] = ()
    use: str = "summary"
    intro: str | None = None
    composed_list: bool = False  # written as 'terms: [...]' (one line per term) rather than 'term: x'


@dataclass(frozen=True)
class PicklistValue:
    value: str
    label: str | None = None  # None: the YAML does not say (new values get the value as label)
    description: str | None = None
    term: str | None = None
    default: bool | None = None  # None: the YAML does not say; the CRM's default is left alone
    synonyms: tuple[str, ...] = ()
    renamed_from: tuple[str, ...] = ()  # old stored values whose records move to this value
    overrides: Mapping[Crm, Mapping[str, str]] = field(default_factory=dict)
    # Salesforce standard value set attributes (OpportunityStage / LeadStatus), and closed / won / probability
    # of a HubSpot deal stage; None = not given.
    closed: bool | None = None
    won: bool | None = None
    probability: int | None = None
    forecast_category: str | None = None
    converted: bool | None = None

    def value_in(self, crm: Crm) -> str:
        return self.overrides.get(crm, {}).get("value", self.value)

    def label_in(self, crm: Crm) -> str:
        """The label this value has in ``crm`` once created: when none is given, the definition's own value
        ("No Decision"), never the CRM's internal name for it (``hubspot: {value: no_decision}``) — reps
        see labels."""
        return self.explicit_label_in(crm) or self.value

    def explicit_label_in(self, crm: Crm) -> str | None:
        """The label the YAML sets for ``crm``, or None (an existing value then keeps its CRM label)."""
        label = self.overrides.get(crm, {}).get("label", self.label)
        return label.strip() if label else None


@dataclass(frozen=True)
class Picklist:
    id: str
    name: str
    values: tuple[PicklistValue, ...]
    source: Source
    description: str | None = None
    term: str | None = None
    sorted: bool = False
    inline: bool = False  # defined inside one field binding rather than shared


@dataclass(frozen=True)
class FieldAddress:
    crm: Crm
    object: str
    field: str

    def __str__(self) -> str:
        return f"{self.crm.value}:{self.object}.{self.field}"

    @property
    def dotted(self) -> str:
        return f"{self.object}.{self.field}"


@dataclass(frozen=True)
class CreateSpec:
    label: str
    type: str
    field_type: str | None = None  # HubSpot
    group: str | None = None  # HubSpot
    group_label: str | None = None  # HubSpot
    restricted: bool = False  # Salesforce
    permission_set: str | None = None  # Salesforce


@dataclass(frozen=True)
class FieldBinding:
    address: FieldAddress
    source: Source
    label: TextSpec | None = None
    help_text: TextSpec | None = None
    description: TextSpec | None = None
    picklist: Picklist | None = None
    unlisted_values: str = "keep"  # keep | deactivate
    record_types: tuple[str, ...] | None = None  # None = none named; ("*",) = all active record types
    business_processes: tuple[str, ...] | None = None  # None = none named; ("*",) = all in use
    path_guidance: tuple[str, ...] | None = None  # Path record types: ("__MASTER__",), names, or ("*",)
    document_only: bool = False
    create: CreateSpec | None = None
    pipeline: str | None = (
        None  # HubSpot deals.dealstage: the pipeline (id or label) whose stages are the values
    )


@dataclass(frozen=True)
class Glossary:
    terms: Mapping[str, Term]
    picklists: Mapping[str, Picklist]
    bindings: tuple[FieldBinding, ...]

    def summary(self) -> str:
        counts = (
            (len(self.terms), "term"),
            (len(self.picklists), "picklist"),
            (len(self.bindings), "field binding"),
        )
        return ", ".join(plural(n, word) for n, word in counts)
