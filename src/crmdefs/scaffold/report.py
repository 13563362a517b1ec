"""What `crmdefs init` says when it is done: the files it wrote and the commands to run next."""

from __future__ import annotations

import os
from pathlib import Path

from crmdefs.adapters.credentials import needed_variables
from crmdefs.config import Settings
from crmdefs.scaffold.workflow import Written, import_path
from crmdefs.words import plural


def report_lines(written: Written, settings: Settings, cwd: Path) -> list[str]:
    target = settings.target(settings.default_target)
    crms = " and ".join(
        name for name, section in (("Salesforce", target.salesforce), ("HubSpot", target.hubspot)) if section
    )
    inside = written.root == cwd or cwd in written.root.parents
    where = Path(os.path.relpath(written.root, cwd)).as_posix() if inside else str(written.root)
    lines = [f"Wrote a crmdefs project for {crms} (target '{target.name}') in {where}/:"]
    for name in written.files:
        if name == import_path(target.name):
            name += (
                f": {plural(written.imported, 'field')}, {plural(written.reviews, 'note')} marked '# REVIEW'"
            )
        lines.append(f"  {name}")
    if not written.imported:
        example = "Opportunity" if target.salesforce is not None else "deals"
        lines.append(
            "The definitions bind no field yet, so a plan changes nothing: bind fields in "
            "definitions/fields/ (README 'Field bindings'), or start from what the org holds: "
            f"crmdefs import --object {example}"
        )
    lines.append("Next:")
    if where != ".":
        lines.append(f"  cd {where}")
    if target.salesforce is not None and target.salesforce.auth == "sf_cli":
        lines.append(f"  sf org login web --alias {target.salesforce.sf_alias}")
    for variable in needed_variables(target):
        if variable.name not in settings.runtime.secrets:
            lines.append(f"  export {variable.name}=…   # {variable.what}: README 'Connect your org'")
    lines += ["  crmdefs validate", "  crmdefs plan"]
    return lines
