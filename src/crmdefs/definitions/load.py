"""definitions/*.yaml → :class:`Glossary`, collecting every problem (file:line:column) before raising.

Three passes: read each file (syntax, refused constructs); check each document against its spec
(:mod:`crmdefs.definitions.format`) and build the model; then check what spans documents — duplicate ids,
references, and the CRM rules in :mod:`crmdefs.definitions.checks`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmdefs.definitions import checks, rules
from crmdefs.definitions.crmfacts import standard_spelling
from crmdefs.definitions.format import DOCUMENT_KINDS, binding_spec
from crmdefs.definitions.model import (
    ChangeEntry,
    CreateSpec,
    Crm,
    FieldAddress,
    FieldBinding,
    Glossary,
    Picklist,
    PicklistValue,
    ReviewPeriod,
    Source,
    Status,
    Term,
    TextSpec,
)
from crmdefs.definitions.schema import Checker, parse_duration, suggest
from crmdefs.definitions.text_limits import CRM_NAMES
from crmdefs.definitions.yamlsource import Document, PathKey, declared_ids, iter_paths, load_file
from crmdefs.errors import ConfigError, Problem, ProblemsError, Severity

KINDS = ("term", "picklist", "field")


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when that is shorter."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def load_glossary(root: Path, *, require_reviewer_not_owner: bool = False) -> tuple[Glossary, list[Problem]]:
    """Load every definitions file under ``root``.

    ``require_reviewer_not_owner`` (crmdefs.yaml) makes an approved term without a reviewer other than
    its owner an error: four eyes on every definition that reaches a CRM.

    Returns the glossary and its warnings; raises :class:`ProblemsError` with every problem (errors and
    warnings) when there is at least one error, or :class:`ConfigError` when ``root`` is unusable.
    """
    if not root.exists():
        raise ConfigError(
            f"definitions directory '{display_path(root)}' not found — create it, or set "
            "'definitions:' in crmdefs.yaml / pass --definitions DIR"
        )
    if not root.is_dir():
        raise ConfigError(
            f"'{display_path(root)}' is not a directory — point --definitions at the folder "
            "holding your *.yaml definitions"
        )
    paths = list(iter_paths(root))
    if not paths:
        raise ConfigError(
            f"no definition files (*.yaml, *.yml) in '{display_path(root)}' — add one "
            "(see README 'Definitions')"
        )
    builder = _Builder(require_reviewer_not_owner=require_reviewer_not_owner)
    for path in paths:
        documents, problems = load_file(path, display_path(path))
        builder.problems.extend(problems)
        if problems and not documents:  # its ids are unknown, not missing: no "unknown term" cascade
            builder.unreadable |= declared_ids(path)
        for doc in documents:
            builder.add(doc)
    glossary = builder.finish()
    problems = sorted(set(builder.problems))
    if any(p.severity is Severity.ERROR for p in problems):
        raise ProblemsError(problems)
    return glossary, problems


@dataclass
class _Pending:
    """A binding document that passed its spec check; linked once every term and picklist is known."""

    doc: Document
    data: dict[str, Any]


@dataclass
class _Builder:
    problems: list[Problem] = field(default_factory=list)
    terms: dict[str, Term] = field(default_factory=dict)
    picklists: dict[str, Picklist] = field(default_factory=dict)
    # id → (document, data) for every id seen, valid or not, so one bad term does not cascade into
    # "unknown term" errors everywhere it is referenced.
    term_ids: dict[str, Document] = field(default_factory=dict)
    picklist_ids: dict[str, Document] = field(default_factory=dict)
    term_docs: list[tuple[Document, dict[str, Any]]] = field(default_factory=list)
    picklist_docs: list[tuple[Document, dict[str, Any], Picklist]] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    require_reviewer_not_owner: bool = False
    # Ids that files which did not parse seem to define: references to them are not reported.
    unreadable: set[str] = field(default_factory=set)

    def known(self, registry: dict[str, Document]) -> set[str]:
        return set(registry) | self.unreadable

    def add(self, doc: Document) -> None:
        c = Checker(doc)
        data = doc.data
        if not isinstance(data, dict):
            c.report(
                (),
                "a definitions document must be a mapping starting with 'kind:'",
                "start it with 'kind: term', 'kind: picklist' or 'kind: field'",
            )
        elif "kind" not in data:
            c.report((), "document has no 'kind'", "add 'kind: term', 'kind: picklist' or 'kind: field'")
        elif data["kind"] not in KINDS:
            close = suggest(str(data["kind"]), list(KINDS))
            c.report(
                ("kind",),
                f"unknown kind '{data['kind']}'",
                f"did you mean '{close}'?" if close else "use term, picklist or field",
            )
        elif data["kind"] == "field":
            if binding_spec(data).check(data, (), c):
                self.pending.append(_Pending(doc, data))
        else:
            self._add_named(doc, data, c)
        self.problems.extend(c.problems)

    def _add_named(self, doc: Document, data: dict[str, Any], c: Checker) -> None:
        kind = data["kind"]
        ok = DOCUMENT_KINDS[kind].check(data, (), c)
        ident = data.get("id")
        registry = self.term_ids if kind == "term" else self.picklist_ids
        if isinstance(ident, str):
            if ident in registry:
                first = registry[ident]
                c.report(
                    ("id",),
                    f"duplicate {kind} id '{ident}' (first defined at "
                    f"{first.path}:{first.where(('id',)).line})",
                    "give each one a unique id",
                )
                return
            registry[ident] = doc
        if not ok or not isinstance(ident, str):
            return
        if kind == "term":
            self.terms[ident] = _term(doc, data)
            self.term_docs.append((doc, data))
        else:
            picklist = _picklist(doc, data, ident, inline=False)
            self.picklists[ident] = picklist
            self.picklist_docs.append((doc, data, picklist))

    def finish(self) -> Glossary:
        known_terms = self.known(self.term_ids)
        for doc, data in self.term_docs:
            c = Checker(doc)
            for i, ref in enumerate(data.get("related", [])):
                if ref == data["id"]:
                    c.report(
                        ("related", i), f"term '{ref}' lists itself as related", "remove it from 'related'"
                    )
                else:
                    checks.reference(c, ("related", i), ref, known_terms, "term")
            if self.require_reviewer_not_owner:
                checks.independent_reviewer(c, data)
            self.problems.extend(c.problems)
        for doc, data, picklist in self.picklist_docs:
            c = Checker(doc)
            checks.picklist(c, (), data, picklist, known_terms)
            self.problems.extend(c.problems)
        bindings: list[FieldBinding] = []
        # Addresses compare in any case, as the CRMs match API names: two bindings that differ only in case
        # bind one field (docs/salesforce.md#sf-api-names-case-insensitive).
        seen: dict[FieldAddress, tuple[Document, FieldBinding]] = {}
        for item in self.pending:
            c = Checker(item.doc)
            binding = self._binding(item, c)
            if binding is not None:
                if binding.address in seen:
                    first, earlier = seen[binding.address]
                    key = binding.address.crm.value
                    where = f"{first.path}:{first.where((key,)).line}"
                    c.report(
                        (key,),
                        f"{binding.address} is bound twice (first at {where})"
                        if str(binding.address) == str(earlier.address)
                        else f"{binding.address} and {earlier.address} (at {where}) differ only in case: "
                        f"{CRM_NAMES[binding.address.crm]} reads them as the same field",
                        "merge the two bindings into one",
                    )
                else:
                    seen[binding.address] = (item.doc, binding)
                    bindings.append(binding)
            self.problems.extend(c.problems)
        return Glossary(terms=dict(self.terms), picklists=dict(self.picklists), bindings=tuple(bindings))

    def _binding(self, item: _Pending, c: Checker) -> FieldBinding | None:
        data, doc = item.data, item.doc
        crm = Crm.HUBSPOT if "hubspot" in data else Crm.SALESFORCE
        written = data[crm.value]
        obj, _, name = (standard_spelling(written) if crm is Crm.SALESFORCE else written).partition(".")
        address = FieldAddress(crm, obj, name)
        picklist: Picklist | None = None
        ref = data.get("picklist")
        if isinstance(ref, str):
            if checks.reference(c, ("picklist",), ref, self.known(self.picklist_ids), "picklist"):
                picklist = self.picklists.get(ref)
        elif isinstance(ref, dict):
            picklist = _picklist(doc, ref, str(address), inline=True, at=("picklist",))
            checks.picklist(c, ("picklist",), ref, picklist, self.known(self.term_ids))
        binding = FieldBinding(
            address=address,
            source=Source(doc.path, doc.start.line),
            address_source=Source(doc.path, doc.where((crm.value,)).line),
            label=_text(data.get("label")),
            help_text=_text(data.get("help_text")),
            description=_text(data.get("description")),
            picklist=picklist,
            unlisted_values=data.get("unlisted_values", "keep"),
            record_types=_names_or_all(data.get("record_types")),
            business_processes=_names_or_all(data.get("business_processes")),
            document_only=data.get("document_only", False),
            create=_create(data.get("create")),
            path_guidance=_path_record_types(data.get("path_guidance")),
            pipeline=data["pipeline"].strip() if "pipeline" in data else None,
            requirements=rules.requirements(doc, data.get("requirements"), _text),
            depends_on=rules.dependency(doc, data.get("depends_on")),
            quality=rules.thresholds(doc, data.get("quality")),
        )
        # Problems with a shared picklist's values are reported where the values are written.
        picklist_doc = self.picklist_ids.get(ref) if isinstance(ref, str) else doc
        picklist_c = Checker(picklist_doc) if picklist_doc is not None else c
        checks.binding(
            c,
            data,
            binding,
            self.terms,
            self.known(self.term_ids),
            picklist_c,
            ("picklist",) if isinstance(ref, dict) else (),
        )
        rules.check(c, binding)
        if picklist_c is not c:
            self.problems.extend(picklist_c.problems)
        return binding


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())


def _term(doc: Document, data: dict[str, Any]) -> Term:
    period = parse_duration(data["review_every"]) if "review_every" in data else None
    return Term(
        id=data["id"],
        name=data["name"].strip(),
        status=Status(data["status"]),
        summary=data["summary"].strip(),
        definition=data["definition"].strip(),
        source=Source(doc.path, doc.start.line),
        abbreviation=data.get("abbreviation"),
        category=data.get("category"),
        funnel_stage=data.get("funnel_stage"),
        owner=data.get("owner"),
        reviewers=tuple(data.get("reviewers", ())),
        last_reviewed=_date(data["last_reviewed"]) if "last_reviewed" in data else None,
        review_every=ReviewPeriod(*period) if period else None,
        criteria=tuple(data.get("criteria", ())),
        disqualifiers=tuple(data.get("disqualifiers", ())),
        example=data.get("example"),
        related=tuple(data.get("related", ())),
        synonyms=tuple(data.get("synonyms", ())),
        changelog=tuple(
            ChangeEntry(_date(e["date"]), e["change"], e["reason"]) for e in data.get("changelog", ())
        ),
    )


def _picklist(doc: Document, data: dict[str, Any], ident: str, *, inline: bool, at: PathKey = ()) -> Picklist:
    values = tuple(
        PicklistValue(
            value=v["value"].strip(),
            label=v.get("label"),
            description=v.get("description"),
            term=v.get("term"),
            default=v.get("default"),
            synonyms=tuple(v.get("synonyms", ())),
            renamed_from=tuple(r.strip() for r in v.get("renamed_from", ())),
            overrides={crm: dict(v[crm.value]) for crm in Crm if crm.value in v},
            closed=v.get("closed"),
            won=v.get("won"),
            probability=v.get("probability"),
            forecast_category=v.get("forecast_category"),
            converted=v.get("converted"),
            catch_all=v.get("catch_all", False),
        )
        for v in data["values"]
    )
    return Picklist(
        id=ident,
        name=data.get("name", ident),
        values=values,
        source=Source(doc.path, doc.where(at).line),
        description=data.get("description"),
        term=data.get("term"),
        sorted=data.get("sorted", False),
        inline=inline,
    )


def _text(value: Any) -> TextSpec | None:
    if value is None:
        return None
    if isinstance(value, str):
        return TextSpec(literal=value)
    listed = "terms" in value
    return TextSpec(
        terms=tuple(value["terms"]) if listed else (value["term"],),
        use=value.get("use", "summary"),
        intro=value.get("intro"),
        composed_list=listed,
    )


def _create(value: Any) -> CreateSpec | None:
    if value is None:
        return None
    return CreateSpec(
        label=value["label"],
        type=value["type"],
        field_type=value.get("field_type"),
        group=value.get("group"),
        group_label=value.get("group_label"),
        restricted=value.get("restricted", False),
        permission_set=value.get("permission_set"),
    )


def digest_definitions(root: Path) -> str:
    """A digest of every definitions file (names and bytes), so a saved plan made from other definitions
    is refused by `apply`."""
    import hashlib

    digest = hashlib.sha256()
    for path in iter_paths(root):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:32]


def _names_or_all(value: Any) -> tuple[str, ...] | None:
    """``all`` → ("*",); a list → its names; nothing (or an empty list) → None."""
    return ("*",) if value == "all" else (tuple(value) if value else None)


def _path_record_types(value: Any) -> tuple[str, ...] | None:
    """``master`` → the master record type's path (``__MASTER__``, as PathAssistant names it)."""
    if value is None:
        return None
    if value == "master":
        return ("__MASTER__",)
    return ("*",) if value == "all" else tuple(value)
