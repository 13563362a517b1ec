"""The glossary as frozen data. Built by :mod:`crmdefs.definitions.load`; read by everything else."""

from __future__ import annotations

import builtins
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
    catch_all: bool = False  # a catch-all such as "Other": the quality report shows its share

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


@dataclass(frozen=True, eq=False)
class FieldAddress:
    """A CRM field. Two addresses that differ only in case are the same field, as the CRMs match API names
    (docs/salesforce.md#sf-api-names-case-insensitive, docs/hubspot.md#hs-property-name-case); ``str()``
    keeps the spelling as written — after a read, the CRM's own (plan/resolve.py)."""

    crm: Crm
    object: str
    field: str

    def _key(self) -> tuple[Crm, str, str]:
        return self.crm, self.object.casefold(), self.field.casefold()

    def __eq__(self, other: builtins.object) -> bool:  # ``object`` is a field here
        if not isinstance(other, FieldAddress):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

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
class Requirement:
    """Fields that must be filled when the bound picklist holds one of ``when`` (definitions' values, as
    written). Salesforce: one ValidationRule; HubSpot: a step to take in the CRM, checked by `quality`."""

    when: tuple[str, ...]
    require: tuple[str, ...]  # field API names / internal property names on the same object, as written
    source: Source
    message: TextSpec | None = None  # None: crmdefs words the error itself
    name: str | None = None  # the validation rule's name; None: crmdefs_<Field>_<values>
    active: bool = True
    min_filled: float | None = None  # percent (0-100) of matching records with every field filled


@dataclass(frozen=True)
class Dependency:
    """Salesforce dependent picklist: the bound field's listed values are offered only while ``field`` (a
    controlling picklist or checkbox on the same object) holds one of ``show_when``."""

    field: str
    show_when: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class QualityThresholds:
    """What `crmdefs quality` checks a bound field's records against; percentages from 0 to 100."""

    source: Source
    max_share: Mapping[str, float] = field(default_factory=dict)  # definitions' value → at most this share
    min_filled: float | None = None  # at least this share of records hold a value


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
    address_source: Source | None = field(default=None, compare=False)  # the line of its address
    requirements: tuple[Requirement, ...] = ()
    depends_on: Dependency | None = None
    quality: QualityThresholds | None = None


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
