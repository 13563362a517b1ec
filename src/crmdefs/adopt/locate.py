"""Where each adopted difference is written in the definitions, as edits (adopt/edits.py).

- A binding's literal ``label`` / ``help_text`` / ``description``: that scalar, rewritten in place.
- A value's ``label`` / ``description`` written literally, in the shared picklist document or inline: that
  scalar; the label of the per-CRM override (``salesforce: {label: …}``) when the value has one there.
- A value added in the CRM: appended to the picklist's ``values:`` (the shared picklist document when the
  binding names one, else the inline list), in the style of its last entry, with its label (when it is not
  the value) and description, and a ``# REVIEW: added in <CRM> (<target>) <date>`` comment.
- Text **composed from terms** is never rewritten: the report names each term and the file:line of the
  key to edit (``summary``, ``definition`` or ``name``), with the CRM's text.
- Each adopted change to what an approved term governs (a binding whose texts compose from it, a picklist
  or value whose ``term:`` it is) appends a dated entry to that term's ``changelog`` (created at the end of
  the term's document when missing), so `crmdefs validate --since` stays green.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmdefs.adopt.edits import Edit
from crmdefs.adopt.select import TEXTS, FieldSelection, Found, NotAdopted
from crmdefs.definitions.crmfacts import standard_spelling
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm, FieldAddress, FieldBinding, Glossary, Status
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.definitions.yamlsource import Document, PathKey, iter_paths, load_text
from crmdefs.errors import CrmdefsError
from crmdefs.plan.state import STAGE_ATTRIBUTES, FieldState, ValueState, normalize_text


@dataclass
class SourceFile:
    path: Path
    display: str
    text: str
    docs: list[Document]
    bom: bool = False


@dataclass(frozen=True)
class Place:
    """A document of a definitions file, and a path in it."""

    file: SourceFile
    doc: int
    path: PathKey = ()

    def at(self, *more: str | int) -> Place:
        return Place(self.file, self.doc, (*self.path, *more))

    def data(self) -> Any:
        data = self.file.docs[self.doc].data
        for key in self.path:
            data = data[key]
        return data

    def where(self) -> str:
        return f"{self.file.display}:{self.file.docs[self.doc].where(self.path).line}"


class Sources:
    """Every definitions file's text and documents, with the document of each binding, picklist and term."""

    def __init__(self, root: Path) -> None:
        self.files: list[SourceFile] = []
        self.bindings: dict[FieldAddress, Place] = {}
        self.picklists: dict[str, Place] = {}
        self.terms: dict[str, Place] = {}
        for path in iter_paths(root):
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig")
            docs, problems = load_text(text, display_path(path))
            if problems:  # the glossary loaded, so only a file changed since can get here
                raise CrmdefsError(
                    f"{problems[0].render()} — the file changed while adopt read it; run again"
                )
            source = SourceFile(path, display_path(path), text, docs, raw.startswith(b"\xef\xbb\xbf"))
            self.files.append(source)
            for index, doc in enumerate(docs):
                self._index(Place(source, index), doc.data)

    def _index(self, place: Place, data: Any) -> None:
        if not isinstance(data, dict):
            return
        if data.get("kind") == "field":
            crm = Crm.HUBSPOT if "hubspot" in data else Crm.SALESFORCE
            written = str(data.get(crm.value, ""))
            obj, _, name = (standard_spelling(written) if crm is Crm.SALESFORCE else written).partition(".")
            self.bindings[FieldAddress(crm, obj, name)] = place
        elif data.get("kind") in ("picklist", "term"):
            (self.picklists if data["kind"] == "picklist" else self.terms)[str(data.get("id"))] = place


@dataclass(frozen=True)
class Adopted:
    address: FieldAddress
    what: str
    place: Place  # where it is written (its line is read again from the edited file)
    appended: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Composed:
    address: FieldAddress
    what: str
    terms: tuple[tuple[str, str], ...]  # (term id, file:line of the key to edit)
    crm_text: str


@dataclass
class Outcome:
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    adopted: list[Adopted] = field(default_factory=list)
    composed: list[Composed] = field(default_factory=list)
    unplaced: list[tuple[FieldAddress, NotAdopted]] = field(default_factory=list)
    changelog: list[tuple[str, Place]] = field(default_factory=list)  # (term id, its changelog)
    governed: dict[str, list[str]] = field(default_factory=dict)  # term id → what was adopted


@dataclass(frozen=True)
class Context:
    glossary: Glossary
    sources: Sources
    states: Mapping[FieldAddress, FieldState]
    target: str
    today: dt.date


def place_all(selections: list[FieldSelection], context: Context) -> Outcome:
    """The edits and report entries for every selection, and the changelog entries they call for."""
    outcome = Outcome()
    bindings = {b.address: b for b in context.glossary.bindings}
    for selection in selections:
        binding = bindings[selection.address]
        appended: dict[PathKey, int] = {}
        for found in selection.adopt:
            if found.added is not None:
                _add_value(found, binding, context, outcome, appended)
            elif found.value is None:
                _binding_text(found, binding, context, outcome)
            else:
                _value_text(found, binding, context, outcome)
    _changelog(outcome, context, any(s.forced for s in selections))
    return outcome


def _edit(
    outcome: Outcome, place: Place, kind: str, value: Any, what: str, comment: str | None = None
) -> None:
    outcome.edits.setdefault(place.file.display, []).append(
        Edit(place.doc, place.path, kind, value, what, comment)
    )


def _binding_text(found: Found, binding: FieldBinding, context: Context, outcome: Outcome) -> None:
    spec = getattr(binding, found.attribute)
    what = f"{found.attribute} of {binding.address}"
    if spec is None or spec.literal is None:
        terms, use = (spec.terms, spec.use) if spec is not None else ((), "summary")
        _composed(outcome, context, binding.address, what, terms, use, found.crm_text)
        return
    place = context.sources.bindings[binding.address].at(found.attribute)
    _edit(outcome, place, "set", found.crm_text, what)
    outcome.adopted.append(Adopted(binding.address, found.attribute, place))
    _govern(outcome, context, _binding_terms(binding), what)


def _value_text(found: Found, binding: FieldBinding, context: Context, outcome: Outcome) -> None:
    crm = binding.address.crm
    state = context.states[binding.address]
    assert binding.picklist is not None and found.value is not None
    index = next(
        (
            i
            for i, v in enumerate(binding.picklist.values)
            if state.value_key(v.value_in(crm)) == state.value_key(found.value)
        ),
        None,
    )
    what = f"{found.attribute} of value {found.value!r} of {binding.address}"
    if index is None:
        outcome.unplaced.append((binding.address, NotAdopted(what, "not found in the definitions")))
        return
    value = binding.picklist.values[index]
    place = _values_place(binding, context).at(index)
    written = place.data()
    if found.attribute == "label" and "label" in written.get(crm.value, {}):
        place = place.at(crm.value, "label")
    elif found.attribute in written:
        place = place.at(found.attribute)
    elif found.attribute == "description" and value.term is not None:
        _composed(outcome, context, binding.address, what, (value.term,), "summary", found.crm_text)
        return
    else:
        outcome.unplaced.append((binding.address, NotAdopted(what, "not written in the definitions")))
        return
    _edit(outcome, place, "set", found.crm_text, what)
    # A per-CRM override is this CRM's alone; a text shared by every binding of the picklist changes theirs.
    notes = (
        ()
        if place.path[-2:] == (crm.value, "label")
        else _shared_notes(binding, context, f"the new {found.attribute} of {found.value!r}")
    )
    adopted = Adopted(binding.address, f"{found.attribute} of value {found.value!r}", place, notes=notes)
    outcome.adopted.append(adopted)
    _govern(outcome, context, (value.term, binding.picklist.term), what)


def _add_value(
    found: Found, binding: FieldBinding, context: Context, outcome: Outcome, appended: dict[PathKey, int]
) -> None:
    added = found.added
    assert added is not None and binding.picklist is not None
    crm = CRM_NAMES[binding.address.crm]
    entry: dict[str, Any] = {"value": added.value}
    label = normalize_text(added.label)
    if label and label != added.value:
        entry["label"] = label
    if normalize_text(added.description):
        entry["description"] = str(normalize_text(added.description))
    entry.update(_attributes(added, binding))
    place = _values_place(binding, context)
    count = appended.get(place.path, len(place.data()))
    appended[place.path] = count + 1
    comment = f"REVIEW: added in {crm} ({context.target}) {context.today.isoformat()}"
    what = f"value {added.value!r} added to {binding.address}"
    _edit(outcome, place, "append", entry, what, comment)
    notes = _shared_notes(binding, context, repr(added.value)) + _offer_notes(binding, context, added.value)
    outcome.adopted.append(Adopted(binding.address, f"value {added.value!r}", place.at(count), True, notes))
    _govern(outcome, context, (binding.picklist.term,), what)


def _attributes(added: ValueState, binding: FieldBinding) -> dict[str, Any]:
    """What a new value of a stage or status list must carry (definitions/crmfacts.py
    REQUIRED_VALUE_ATTRIBUTES), as the CRM holds it: Salesforce's attributes by their definitions names; a
    HubSpot deal stage's closed state and probability as won / closed / probability, the inverse of the
    mapping apply writes (docs/hubspot.md#hs-stage-metadata)."""
    held = dict(added.attributes)
    if binding.pipeline is None:
        return {k: held[k] for k in STAGE_ATTRIBUTES if k in held}
    probability = held.get("probability")
    if held.get("closed"):
        return {"won": True} if probability == 100 else {"closed": True}
    return {"probability": probability} if probability is not None else {}


def _values_place(binding: FieldBinding, context: Context) -> Place:
    assert binding.picklist is not None
    if binding.picklist.inline:
        return context.sources.bindings[binding.address].at("picklist", "values")
    return context.sources.picklists[binding.picklist.id].at("values")


def _shared_notes(binding: FieldBinding, context: Context, gets: str) -> tuple[str, ...]:
    """The other bindings of a shared picklist, which get what was adopted (``gets``) at their next apply."""
    assert binding.picklist is not None
    if binding.picklist.inline:
        return ()
    others = [
        str(b.address)
        for b in context.glossary.bindings
        if b.picklist is not None and b.picklist.id == binding.picklist.id and b.address != binding.address
    ]
    return tuple(
        f"the shared picklist {binding.picklist.id} is also bound to {other}: it gets {gets} at its next "
        "apply"
        for other in others
    )


def _offer_notes(binding: FieldBinding, context: Context, value: str) -> tuple[str, ...]:
    """What the next plan still writes for a value added in Setup: its dependency row (the binding's
    ``show_when``: docs/salesforce.md#sf-dependent-matrix) and the record types it is not offered on."""
    state = context.states[binding.address]
    notes = []
    if binding.depends_on is not None:
        row = state.dependency.matrix.get(value) if state.dependency is not None else None
        held = (
            ", ".join(row) if row else f"no {binding.depends_on.field} value (added without a dependency row)"
        )
        show_when = ", ".join(binding.depends_on.show_when)
        notes.append(
            f"depends on {binding.depends_on.field}: {CRM_NAMES[binding.address.crm]} offers it for {held}; "
            f"the next plan offers it for the binding's show_when ({show_when}) like every value listed — "
            "show_when cannot make an exception for one value"
        )
    named = binding.record_types if binding.record_types and binding.record_types != ("*",) else ()
    offered = {rt: {state.value_key(v) for v in values} for rt, values in state.record_types.items()}
    missing = [rt for rt in named if state.value_key(value) not in offered.get(rt, set())]
    if missing:
        notes.append(f"the next plan makes it available on record types {', '.join(missing)}")
    after = [v.value for v in state.values or ()]
    if value in after and after[-1] != value:
        notes.append(
            f"the next plan puts it where the definitions now list it, last (the CRM has it before "
            f"{after[after.index(value) + 1]!r}): move the entry if it belongs elsewhere"
        )
    return tuple(notes)


def _composed(
    outcome: Outcome,
    context: Context,
    address: FieldAddress,
    what: str,
    terms: tuple[str, ...],
    use: str,
    crm_text: str | None = "",
) -> None:
    key = use if use in ("summary", "definition", "name") else "summary"
    where = tuple(
        (
            f"the {key} of term {term}",
            context.sources.terms[term].at(key).where() if term in context.sources.terms else "?",
        )
        for term in terms
    )
    outcome.composed.append(Composed(address, what, where, crm_text or ""))


def _binding_terms(binding: FieldBinding) -> tuple[str | None, ...]:
    specs = (getattr(binding, a) for a in TEXTS)
    return tuple(t for spec in specs if spec is not None and spec.literal is None for t in spec.terms)


def _govern(outcome: Outcome, context: Context, terms: tuple[str | None, ...], what: str) -> None:
    for term in dict.fromkeys(t for t in terms if t is not None):
        found = context.glossary.terms.get(term)
        if found is not None and found.status is Status.APPROVED:
            outcome.governed.setdefault(term, []).append(what)


def _changelog(outcome: Outcome, context: Context, forced: bool) -> None:
    reason = (
        "the CRM's version, taken with `crmdefs adopt --only`"
        if forced
        else "edited in the CRM after the last apply; written back with `crmdefs adopt`"
    )
    for term, whats in sorted(outcome.governed.items()):
        place = context.sources.terms[term]
        entry = {
            "date": context.today,
            "change": f"adopted from {context.target}: {'; '.join(whats)}",
            "reason": reason,
        }
        log = place.data().get("changelog")
        what = f"changelog entry of term {term}"
        if isinstance(log, list) and log:
            _edit(outcome, place.at("changelog"), "append", entry, what)
            outcome.changelog.append((term, place.at("changelog", len(log))))
        elif log is not None:
            raise CrmdefsError(
                f"{place.at('changelog').where()}: the changelog of term {term} is empty, so adopt cannot "
                "tell how its entries are written — add one entry by hand, then run adopt again"
            )
        else:
            _edit(outcome, place, "add_key", {"changelog": [entry]}, what)
            outcome.changelog.append((term, place.at("changelog", 0)))
