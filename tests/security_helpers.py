"""What the security tests share: recognisable secrets, a started sandbox org and a project configured for
it, a session that keeps everything the commands showed, and the search for secrets (or unredacted
credentials) in that output and in every file crmdefs wrote.

Test modules import this module's fixtures as ``x_fixture as x_fixture``: pytest looks a fixture up by its name
(``name=``) in the test module, and the redundant alias marks the import as a deliberate re-export.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmdefs.sandbox.service import Sandbox, SandboxInfo

from .conftest import REPO, Result, RunCli

SF_TOKEN = "SECRET-TOKEN-9f2c41d7-salesforce"
HS_TOKEN = "pat-na1-9f2c41d7-5e0b-SECRET-hubspot"  # shaped like a HubSpot private app token
PASSWORD = "SECRET-PASSWORD-9f2c-correct-horse"
SECURITY_TOKEN = "SECRET-SECTOKEN-9f2c41d7"
# Credentials that slipped past every filter: a Bearer value, a SOAP session header, a token parameter.
UNREDACTED = re.compile(
    r"(?i)\bbearer\s+(?!\*\*\*)[\w.!-]{6,}|sessionId>(?!\*\*\*<)[^<]+<|access_token=(?!\*\*\*)[^&\s]+"
)
SANDBOX_OWN = ("org/state.json", "org/sandbox.json")  # the sandbox keeps its token there, by design


@pytest.fixture(name="org")
def org_fixture(tmp_path: Path) -> Iterator[SandboxInfo]:
    """The sandbox as a configured target would meet it: its own process state, its requests.log."""
    sandbox = Sandbox(tmp_path / "org")
    yield sandbox.start()
    sandbox.stop()


def project(tmp_path: Path, info: SandboxInfo, ca_bundle: Path | None = None) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "definitions", dirs_exist_ok=True)
    ca = ca_bundle if ca_bundle is not None else info.ca_bundle
    (tmp_path / "crmdefs.yaml").write_text(
        "targets:\n  prod:\n"
        f"    salesforce: {{instance_url: '{info.instance_url}'}}\n"
        f"    hubspot: {{base_url: '{info.base_url}'}}\n"
        f"    ca_bundle: {ca}\n",
        encoding="utf-8",
    )


class Session:
    """Runs commands and keeps everything they showed, to search it for secrets afterwards."""

    def __init__(self, run_cli: RunCli, debug: bool) -> None:
        self.run_cli, self.debug = run_cli, debug
        self.shown: dict[str, str] = {}

    def run(self, *args: str) -> Result:
        result = self.run_cli(*(("--debug",) if self.debug else ()), *args)
        self.shown[" ".join(args)] = result.out + result.err
        if not self.debug:  # with --debug, the cause of an error comes with its (redacted) traceback
            assert "Traceback" not in result.err, result.err
        return result


def leaks(
    secrets: list[str], shown: dict[str, str], root: Path, ignore: tuple[str, ...] = SANDBOX_OWN
) -> list[str]:
    """Where any of ``secrets`` (or an unredacted credential) appears: in what commands showed, and in
    every file under ``root`` except ``ignore`` (the sandbox's own state)."""
    texts = {f"output of `crmdefs {command}`": text for command, text in shown.items()}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and name not in ignore:
            texts[name] = path.read_bytes().decode("utf-8", "replace")
    found = [
        f"{where}: {secret[:12]}…" for where, text in texts.items() for secret in secrets if secret in text
    ]
    found += [
        f"{where}: {m.group(0)[:20]}…" for where, text in texts.items() for m in UNREDACTED.finditer(text)
    ]
    return found


def written_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "org" not in p.parts}


TERM_AND_BINDING = (
    "kind: term\nid: a\nname: A\nstatus: approved\nsummary: S.\ndefinition: d\n---\n"
    "kind: field\nsalesforce: Lead.Status\nhelp_text: {term: a}\n"
)
