"""crmdefs.yaml + the environment → one frozen, keyword-only :class:`Settings`, built at the edge (the
commands' ``project_options``). The only module that reads the environment, and it reads it once, into
:class:`Runtime`; the core receives values.

Secrets come only from environment variables, are wrapped in :class:`Secret` (whose repr is redacted) and
are never printed, logged or written.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crmdefs.debuglog import remember_secret
from crmdefs.definitions.format import CONFIG
from crmdefs.definitions.load import display_path, load_glossary
from crmdefs.definitions.model import Glossary
from crmdefs.definitions.schema import Checker
from crmdefs.definitions.yamlsource import Document, load_file, load_text
from crmdefs.errors import ConfigError, Problem, ProblemsError
from crmdefs.runtime import Runtime, read_runtime

CONFIG_FILE = "crmdefs.yaml"
SANDBOX = "sandbox"
DEFAULT_API_VERSION = "62.0"
# The newest api_version crmdefs can read and save without losing content: the Metadata endpoint answers in
# the configured version, and simple-salesforce's bundled WSDL (zeep's view of the types) is 63.0; elements
# of newer versions would be dropped on the way back (docs/salesforce.md#sf-metadata-endpoint-version,
# docs/salesforce.md#sf-zeep-raw-elements). tests/test_config.py checks it against the bundled WSDL.
MAX_API_VERSION = "63.0"
# What each Salesforce auth mode needs in its target section (besides the variables of
# adapters/credentials.needed_variables).
AUTH_NEEDS: Mapping[str, tuple[str, ...]] = {
    "access_token": ("instance_url",),
    "password": ("username",),
    "jwt": ("username", "key_file"),
    "sf_cli": ("sf_alias",),
}
log = logging.getLogger(__name__)


class Secret:
    """A credential. ``repr``/``str`` never show it; call :meth:`reveal` only where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember_secret(value)  # so that --debug output never shows it, whatever library logs it

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("secrets cannot be pickled or serialized")


@dataclass(frozen=True)
class SalesforceTarget:
    instance_url: str | None = None
    api_version: str = DEFAULT_API_VERSION
    auth: str = "access_token"  # access_token | password | jwt | sf_cli
    access_token_env: str = "SALESFORCE_ACCESS_TOKEN"
    username: str | None = None
    password_env: str = "SALESFORCE_PASSWORD"
    security_token_env: str = "SALESFORCE_SECURITY_TOKEN"
    domain: str = "login"
    client_id_env: str = "SALESFORCE_CLIENT_ID"
    key_file: Path | None = None
    sf_alias: str | None = None


# The HubSpot API families crmdefs speaks: the dated 2026-03 APIs (the default) and the numbered v3 ones,
# unsupported from September 2027 (docs/hubspot.md#hs-dated-apis).
HUBSPOT_API_VERSIONS = ("2026-03", "v3")
HUBSPOT_API_VERSION = HUBSPOT_API_VERSIONS[0]


@dataclass(frozen=True)
class HubSpotTarget:
    base_url: str = "https://api.hubapi.com"
    access_token_env: str = "HUBSPOT_ACCESS_TOKEN"
    api_version: str = HUBSPOT_API_VERSION


@dataclass(frozen=True)
class Target:
    name: str
    salesforce: SalesforceTarget | None = None
    hubspot: HubSpotTarget | None = None
    ca_bundle: Path | None = None
    description: str | None = None
    builtin_sandbox: bool = False


@dataclass(frozen=True, kw_only=True)
class Settings:
    definitions_dir: Path
    targets: Mapping[str, Target]
    default_target: str
    project_root: Path  # where crmdefs.yaml is, else the working directory; .crmdefs/ lives here
    config_path: Path | None = None
    require_reviewer_not_owner: bool = False
    glossary_title: str | None = None  # `crmdefs docs` title (default glossary.outline.TITLE)
    runtime: Runtime = field(default_factory=Runtime)
    # Without crmdefs.yaml, the CRM credential variables that are set: the demo org is then not used by
    # default, since the user evidently means their own CRM (see target()).
    credentials_without_config: tuple[str, ...] = ()

    @property
    def sandbox_dir(self) -> Path:
        return self.project_root / ".crmdefs" / "sandbox"

    def load_glossary(self) -> tuple[Glossary, list[Problem]]:
        """The project's definitions, with the project's approval rule (see definitions.load_glossary)."""
        return load_glossary(self.definitions_dir, require_reviewer_not_owner=self.require_reviewer_not_owner)

    def target(self, name: str | None) -> Target:
        chosen = name or self.default_target
        if name is None and chosen == SANDBOX and self.credentials_without_config:
            found = " and ".join(self.credentials_without_config)
            verb = "is" if len(self.credentials_without_config) == 1 else "are"
            raise ConfigError(
                f"there is no crmdefs.yaml here, but {found} {verb} set: crmdefs will not use its built-in "
                "demo org in place of your CRM — run `crmdefs init` to write a crmdefs.yaml with a target "
                "for your org (README 'Connect your org'), or pass --target sandbox to try the demo"
            )
        if chosen not in self.targets:
            known = ", ".join(sorted(self.targets))
            raise ConfigError(
                f"unknown target '{chosen}' — known targets: {known} (define targets in crmdefs.yaml)"
            )
        return self.targets[chosen]


SANDBOX_TARGET = Target(
    name=SANDBOX,
    salesforce=SalesforceTarget(),
    hubspot=HubSpotTarget(),
    description="the built-in local sandbox (no credentials needed)",
    builtin_sandbox=True,
)


def load_settings(
    *, config: Path | None, definitions: Path | None, cwd: Path, environ: Mapping[str, str]
) -> Settings:
    """Settings from ``config`` (or ``cwd/crmdefs.yaml`` when present); ``definitions`` overrides the dir.
    ``environ`` is read here and nowhere else."""
    return _with_environment(_from_file(config, definitions, cwd), environ)


def settings_from_text(text: str, *, path: Path, environ: Mapping[str, str]) -> Settings:
    """Settings as they will be once ``text`` is written to ``path`` (`crmdefs init` checks and uses a
    crmdefs.yaml before it writes anything)."""
    documents, problems = load_text(text, display_path(path))
    return _with_environment(_from_documents(documents, problems, path, None), environ)


def _with_environment(settings: Settings, environ: Mapping[str, str]) -> Settings:
    names = [name for target in settings.targets.values() for name in _secret_names(target)]
    runtime = read_runtime(environ, names)
    found: tuple[str, ...] = ()
    if settings.config_path is None:  # no crmdefs.yaml: the targets are the built-in sandbox alone
        found = tuple(n for n in dict.fromkeys(_secret_names(SANDBOX_TARGET)) if environ.get(n))
    return dataclasses.replace(settings, runtime=runtime, credentials_without_config=found)


def _secret_names(target: Target) -> list[str]:
    names: list[str] = []
    if target.salesforce is not None:
        sf = target.salesforce
        names += [sf.access_token_env, sf.password_env, sf.security_token_env, sf.client_id_env]
    if target.hubspot is not None:
        names.append(target.hubspot.access_token_env)
    return names


def _from_file(config: Path | None, definitions: Path | None, cwd: Path) -> Settings:
    path = config if config is not None else cwd / CONFIG_FILE
    if config is None and not path.exists():
        return Settings(
            definitions_dir=definitions or cwd / "definitions",
            targets={SANDBOX: SANDBOX_TARGET},
            default_target=SANDBOX,
            project_root=cwd,
        )
    if not path.is_file():
        raise ConfigError(
            f"config file '{display_path(path)}' not found — run `crmdefs init` to write one (README "
            "'Connect your org'), or drop --config to use the defaults"
        )
    documents, problems = load_file(path, display_path(path))
    return _from_documents(documents, problems, path, definitions)


def _from_documents(
    documents: list[Document], problems: list[Problem], path: Path, definitions: Path | None
) -> Settings:
    if problems:
        empty = "add 'targets:' (see README 'Configuration and credentials') or delete it to use the defaults"
        problems = [dataclasses.replace(p, hint=empty) if p.message == "is empty" else p for p in problems]
        raise ProblemsError(problems, CONFIG_FILE)
    if len(documents) != 1:
        raise ProblemsError(
            [
                Problem(
                    display_path(path),
                    documents[1].start.line,
                    1,
                    "holds more than one YAML document",
                    "keep a single document in crmdefs.yaml",
                )
            ],
            CONFIG_FILE,
        )
    return _settings(documents[0], path, definitions)


def _settings(doc: Document, path: Path, definitions: Path | None) -> Settings:
    c = Checker(doc)
    if not CONFIG.check(doc.data, (), c):
        raise ProblemsError(c.problems, CONFIG_FILE)
    data: dict[str, Any] = doc.data
    base = path.parent
    targets: dict[str, Target] = {SANDBOX: SANDBOX_TARGET}
    for name, raw in data.get("targets", {}).items():
        if name == SANDBOX:
            c.report(
                ("targets", name),
                "the target name 'sandbox' is reserved for the built-in sandbox",
                "choose another name",
                key=True,
            )
            continue
        targets[name] = _target(c, name, raw, base)
    default = data.get("default_target") or (next(iter(data.get("targets", {})), None) or SANDBOX)
    if default not in targets:
        c.report(
            ("default_target",),
            f"default_target '{default}' is not a target",
            "name one of: " + ", ".join(sorted(targets)),
        )
    if c.problems:
        raise ProblemsError(c.problems, CONFIG_FILE)
    definitions_dir = definitions or base / data.get("definitions", "definitions")
    log.debug("%s: definitions %s, targets %s, default %s", path, definitions_dir, sorted(targets), default)
    return Settings(
        definitions_dir=definitions_dir,
        targets=targets,
        default_target=default,
        project_root=base,
        config_path=path,
        require_reviewer_not_owner=data.get("require_reviewer_not_owner", False),
        glossary_title=data.get("glossary_title"),
    )


def url_problem(url: str) -> tuple[str, str] | None:
    """Why crmdefs will not send credentials or reports to ``url`` and what to do, or None."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        return (
            "a URL must not hold a user name or password",
            "remove them; credentials come only from environment variables",
        )
    if parts.scheme == "https":
        return None
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return None
    return "plain http:// is allowed only for localhost; credentials would travel unencrypted", "use https://"


def _target(c: Checker, name: str, raw: dict[str, Any], base: Path) -> Target:
    at = ("targets", name)
    if "salesforce" not in raw and "hubspot" not in raw:
        c.report(at, f"target '{name}' names no CRM", "add a 'salesforce:' and/or 'hubspot:' section")
    sf = raw.get("salesforce")
    hs = raw.get("hubspot")
    for crm, section, url_key in (("salesforce", sf, "instance_url"), ("hubspot", hs, "base_url")):
        if section and url_key in section and (problem := url_problem(section[url_key])):
            c.report((*at, crm, url_key), *problem)
    sf_target = None
    if sf is not None:
        auth = sf.get("auth", "access_token")
        for key in AUTH_NEEDS[auth]:
            if key not in sf:
                c.report(
                    (*at, "salesforce"),
                    f"auth '{auth}' needs '{key}'",
                    f"add '{key}:' to the salesforce section",
                )
        _check_api_version(c, at, sf)
        fields = {k: v for k, v in sf.items() if k != "key_file"}
        key_file = base / sf["key_file"] if "key_file" in sf else None
        sf_target = SalesforceTarget(**fields, key_file=key_file)
    hs_target = HubSpotTarget(**hs) if hs is not None else None
    ca = base / raw["ca_bundle"] if "ca_bundle" in raw else None
    return Target(name, sf_target, hs_target, ca, raw.get("description"))


def _check_api_version(c: Checker, at: tuple[str, str], sf: dict[str, Any]) -> None:
    version = str(sf.get("api_version", DEFAULT_API_VERSION))
    if float(version) > float(MAX_API_VERSION):
        c.report(
            (*at, "salesforce", "api_version"),
            f"api_version '{version}' is newer than crmdefs can write back without losing content (its "
            f"Salesforce client knows the Metadata API up to {MAX_API_VERSION}; newer elements would be "
            "dropped when a component is saved)",
            f"use '{MAX_API_VERSION}' or lower",
        )
