"""Plan ⇄ JSON. The JSON form is what `plan -o FILE` saves, `apply FILE` executes and `--format json`
prints. Schema (README "Plan format"): ``format_version`` (major.minor; a reader refuses another major),
``target``, ``definitions_digest``, ``created_at``, ``summary``, ``read_fingerprints`` and ``fields``.
A saved plan's id is the digest of its file (:func:`plan_id`): no field of its own, so plans of every
format version have one, and a copy of a plan is the same plan.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from crmdefs.definitions.addresses import parse_address
from crmdefs.definitions.model import CreateSpec
from crmdefs.errors import CrmdefsError, PlanFileError
from crmdefs.files import each, json_object, located, mapping, unusable
from crmdefs.plan.changes import (
    FORMAT_VERSION,
    AccessChange,
    Action,
    AttributeChange,
    DependencyChange,
    DependencyRow,
    FieldPlan,
    Migration,
    PathChange,
    Plan,
    ProcessChange,
    RecordTypeChange,
    RuleChange,
    Skip,
    ValueChange,
    ValueChangeKind,
)
from crmdefs.plan.state import ValueState, field_state_from_json


def plan_to_json(plan: Plan) -> dict[str, Any]:
    summary = plan.summary()
    return {
        "format_version": plan.format_version,
        "target": plan.target,
        "definitions_digest": plan.definitions_digest,
        "created_at": plan.created_at,
        "summary": dataclasses.asdict(summary),
        "read_fingerprints": dict(plan.read_fingerprints),
        "migrate_records": plan.migrate_records,
        "fields": [_field_to_json(f) for f in plan.fields],
        "before": {address: state.to_json() for address, state in plan.before.items()},
    }


def _field_to_json(f: FieldPlan) -> dict[str, Any]:
    return {
        "address": str(f.address),
        "action": f.action.value,
        "fingerprint": f.fingerprint,
        "attributes": [dataclasses.asdict(a) for a in f.attributes],
        "value_changes": [{**dataclasses.asdict(v), "kind": v.kind.value} for v in f.value_changes],
        "record_types": [{"record_type": r.record_type, "add": list(r.add)} for r in f.record_types],
        "business_processes": [{"process": p.process, "add": list(p.add)} for p in f.business_processes],
        "skips": [dataclasses.asdict(s) for s in f.skips],
        "warnings": list(f.warnings),
        "target_values": None
        if f.target_values is None
        else [dataclasses.asdict(v) for v in f.target_values],
        "create": None if f.create is None else dataclasses.asdict(f.create),
        "migrations": [dataclasses.asdict(m) for m in f.migrations],
        "path_changes": [dataclasses.asdict(p) for p in f.path_changes],
        "access": None if f.access is None else dataclasses.asdict(f.access),
        "usage": dict(f.usage),
        **({"pipeline": f.pipeline} if f.pipeline is not None else {}),  # 1.2: only where set
        **({"dependency": _dependency_to_json(f.dependency)} if f.dependency is not None else {}),  # 1.3
        **({"rules": [_rule_to_json(r) for r in f.rules]} if f.rules else {}),  # 1.4: only where any
    }


def _dependency_to_json(d: DependencyChange) -> dict[str, Any]:
    rows = [{"value": r.value, "before": list(r.before), "after": list(r.after)} for r in d.rows]
    return {"controlling_field": d.controlling_field, "rows": rows, "columns": list(d.columns), "new": d.new}


def _dependency(data: dict[str, Any] | None) -> DependencyChange | None:
    if data is None:
        return None
    rows = tuple(DependencyRow(str(r["value"]), tuple(r["before"]), tuple(r["after"])) for r in data["rows"])
    columns = tuple(str(c) for c in data.get("columns", []))
    return DependencyChange(str(data["controlling_field"]), rows, columns, bool(data.get("new", False)))


def _rule_to_json(r: RuleChange) -> dict[str, Any]:
    before = None if r.before is None else dict(r.before)
    return {"name": r.name, "kind": r.kind, "before": before, "after": dict(r.after), "when": list(r.when),
            "require": list(r.require), "violations": r.violations}  # fmt: skip


def _rule_from_json(data: dict[str, Any]) -> RuleChange:
    before = data.get("before")
    violations = data.get("violations")
    return RuleChange(
        str(data["name"]),
        None if before is None else dict(before),
        dict(data["after"]),
        tuple(str(v) for v in data.get("when", [])),
        tuple(str(v) for v in data.get("require", [])),
        None if violations is None else int(violations),
    )


def dumps(plan: Plan) -> str:
    return json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def plan_id(text: str) -> str:
    """The id of the saved plan whose file holds ``text``: apply records it, so the same plan is not
    applied twice."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_plan(path: Path, source: str) -> tuple[Plan, str]:
    """The saved plan in ``path`` (named ``source`` in messages) and its id."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(
            f"cannot read plan file {source} ({exc}) — make one with `crmdefs plan -o FILE`"
        ) from exc
    return loads(text, source), plan_id(text)


def _minor(version: str) -> int:
    minor = version.split(".")[1] if "." in version else "0"
    return int(minor) if minor.isdigit() else 0


def loads(text: str, source: str) -> Plan:
    """Parse a saved plan; any damage is a :class:`PlanFileError` naming ``source``."""
    try:
        data = json_object(text)
        version = str(data["format_version"])
        if version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise PlanFileError(
                f"{source}: plan format {version} is not supported (this crmdefs reads "
                f"{FORMAT_VERSION.split('.')[0]}.x) — make a new plan with `crmdefs plan -o`"
            )
        if _minor(version) > _minor(FORMAT_VERSION):
            # A newer minor may carry changes this crmdefs does not know (1.1 added business processes and
            # field access, 1.2 deal pipelines, 1.3 dependent picklists, 1.4 validation rules): applying the
            # rest would silently leave them out, or worse.
            raise PlanFileError(
                f"{source}: plan format {version} was written by a newer crmdefs (this one reads up to "
                f"{FORMAT_VERSION}) and may hold changes it cannot make — upgrade crmdefs, or make a new "
                "plan with `crmdefs plan -o`"
            )
        return Plan(
            target=str(data["target"]),
            definitions_digest=str(data["definitions_digest"]),
            created_at=str(data["created_at"]),
            fields=each("fields", data["fields"], _field_from_json),
            format_version=version,
            read_fingerprints=located("'read_fingerprints'", _strings, data.get("read_fingerprints", {})),
            before={
                str(k): located(f"before[{k!r}]", field_state_from_json, v)
                for k, v in located("'before'", mapping, data.get("before", {})).items()
            },
            migrate_records=bool(data.get("migrate_records", False)),
        )
    except PlanFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, CrmdefsError) as exc:
        raise PlanFileError(
            f"{unusable(source, 'crmdefs plan', exc)} — make a new one with `crmdefs plan -o FILE`"
        ) from exc


ACTIONS = tuple(a.value for a in Action)


def _strings(data: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(data).items()}


def _field_from_json(data: dict[str, Any]) -> FieldPlan:
    values = data.get("target_values")
    create = data.get("create")
    access = data.get("access")
    if data["action"] not in ACTIONS:  # apply must never guess what an unknown action means
        raise ValueError(f"action {data['action']!r} is not one of {', '.join(ACTIONS)}")
    return FieldPlan(
        address=parse_address(data["address"]),
        action=Action(data["action"]),
        fingerprint=str(data["fingerprint"]),
        attributes=tuple(AttributeChange(**a) for a in data.get("attributes", [])),
        value_changes=tuple(
            ValueChange(ValueChangeKind(v["kind"]), v["value"], v.get("before"), v.get("after"))
            for v in data.get("value_changes", [])
        ),
        record_types=tuple(
            RecordTypeChange(r["record_type"], tuple(r["add"])) for r in data.get("record_types", [])
        ),
        business_processes=tuple(
            ProcessChange(p["process"], tuple(p["add"])) for p in data.get("business_processes", [])
        ),
        skips=tuple(Skip(**s) for s in data.get("skips", [])),
        warnings=tuple(data.get("warnings", [])),
        target_values=None if values is None else tuple(ValueState(**v) for v in values),
        create=None if create is None else CreateSpec(**create),
        migrations=tuple(Migration(**m) for m in data.get("migrations", [])),
        path_changes=tuple(PathChange(**p) for p in data.get("path_changes", [])),
        access=None if access is None else AccessChange(**access),
        usage={str(k): int(v) for k, v in dict(data.get("usage", {})).items()},
        pipeline=None if data.get("pipeline") is None else str(data["pipeline"]),
        dependency=_dependency(data.get("dependency")),
        rules=tuple(_rule_from_json(r) for r in data.get("rules", [])),
    )
