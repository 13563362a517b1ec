"""The field dictionary as data: what the adapters read of whole objects (:class:`ObjectFields`), what the
definitions add (the binding and terms that govern each field), and the coverage figures. PURE.

**Coverage** of an object, over the fields *counted*:

- counted: every field a person can set or define. Left out are the fields the CRM maintains itself,
  which nobody can document or fill in: on Salesforce the standard fields that are neither createable nor
  updateable (Id, IsDeleted, CreatedDate, CreatedById, LastModifiedDate, SystemModstamp, formula fields
  such as ExpectedRevenue, compound fields such as Address; docs/salesforce.md#sf-describe-field-access);
  on HubSpot the HubSpot-defined properties whose value is read-only or that are hidden
  (docs/hubspot.md#hs-read-only-value). Custom fields always count, formula ones too: an admin wrote them.
- help text: counted fields with the text their users see while filling them in — Salesforce's help text
  (``inlineHelpText``); HubSpot has none, it shows the property's description instead
  (docs/hubspot.md#hs-description-is-help-text), so there the description counts.
- description: counted fields with a description.
- value descriptions: the active values (Salesforce ``isActive``, HubSpot not ``hidden``) of counted
  picklists that have a description, of all such values.
- **overall** (what ``--min-coverage`` checks): documented fields / fields counted, where a field is
  documented when it has the text its users see (the help-text figure above). An object with no field
  counted has no figure and is never below a minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdefs.definitions.model import Crm


@dataclass(frozen=True)
class ValueEntry:
    value: str  # the API name / internal value
    label: str
    description: str | None
    active: bool  # Salesforce isActive; HubSpot: not hidden


@dataclass(frozen=True)
class FieldEntry:
    """One field as the CRM holds it, and (from the definitions) what governs it."""

    name: str  # API name / internal property name, the CRM's spelling
    label: str
    type: str  # Salesforce describe type; HubSpot "type / fieldType"
    help_text: str | None
    description: str | None
    values: tuple[ValueEntry, ...] = ()
    counted: bool = True  # False: the CRM maintains it itself (see the module docstring)
    state: str = ""  # e.g. "hidden", "formula", "set by Salesforce"
    values_note: str = ""  # where values live when not on the field (HubSpot externalOptions)
    binding: str | None = None  # file:line of the binding, None: not bound
    terms: tuple[str, ...] = ()  # "mql (value Marketing Qualified)", from definitions/termindex.py


@dataclass(frozen=True)
class ObjectFields:
    """Every field of one object, as an adapter reads it (``label``: the object's own label)."""

    crm: Crm
    object: str  # the CRM's spelling
    label: str
    fields: tuple[FieldEntry, ...]


@dataclass(frozen=True)
class Coverage:
    fields: int
    help_text: int
    description: int
    values: int
    described_values: int
    left_out: int  # fields the CRM maintains itself

    @property
    def documented(self) -> int:
        return self.help_text

    @property
    def percent(self) -> float | None:
        return None if not self.fields else 100.0 * self.documented / self.fields


def user_text(crm: Crm, entry: FieldEntry) -> str | None:
    """The text a user sees while filling the field in: help text, or HubSpot's description."""
    return entry.help_text if crm is Crm.SALESFORCE else entry.description


def coverage(obj: ObjectFields) -> Coverage:
    counted = [f for f in obj.fields if f.counted]
    values = [v for f in counted for v in f.values if v.active]
    return Coverage(
        fields=len(counted),
        help_text=sum(1 for f in counted if user_text(obj.crm, f)),
        description=sum(1 for f in counted if f.description),
        values=len(values),
        described_values=sum(1 for v in values if v.description),
        left_out=len(obj.fields) - len(counted),
    )


@dataclass(frozen=True)
class Dictionary:
    """The dictionary of one target: its objects in the order asked, with coverage, and the minimum
    coverage asked for (None: none)."""

    target: str
    objects: tuple[ObjectFields, ...]
    min_coverage: float | None = None

    def below(self) -> list[ObjectFields]:
        """Objects whose overall coverage is under ``min_coverage``."""
        if self.min_coverage is None:
            return []
        found = []
        for obj in self.objects:
            percent = coverage(obj).percent
            if percent is not None and percent < self.min_coverage:
                found.append(obj)
        return found


def percent_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"
