"""What `crmdefs init` needs to know — which CRMs, the target's name, how to sign in and which variables
hold the secrets — taken from the command line, else asked (on a terminal), else a default; and the
crmdefs.yaml those answers make, with a comment on each key."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmdefs.config import (
    AUTH_NEEDS,
    DEFAULT_API_VERSION,
    MAX_API_VERSION,
    SANDBOX,
    HubSpotTarget,
    SalesforceTarget,
    url_problem,
)
from crmdefs.errors import OptionsError

CRMS = ("salesforce", "hubspot", "both")
AUTH_MODES = tuple(AUTH_NEEDS)
DEFAULT_TARGET = "production"
SF_DEFAULTS = SalesforceTarget()
HS_DEFAULTS = HubSpotTarget()

# Each answer: its command-line option, its crmdefs.yaml key, and the question asked on a terminal.
OPTIONS = {
    "instance_url": ("--instance-url", "the org's URL, e.g. https://acme.my.salesforce.com"),
    "username": ("--username", "the Salesforce user crmdefs signs in as"),
    "key_file": ("--key-file", "the JWT private key file (PEM), relative to crmdefs.yaml"),
    "sf_alias": ("--sf-alias", "the alias of your `sf org login` session"),
    "domain": ("--domain", "the login domain: login, test (a sandbox org) or your My Domain, e.g. acme.my"),
    "access_token_env": ("--salesforce-token-env", "the variable holding the Salesforce access token"),
    "password_env": ("--password-env", "the variable holding the Salesforce password"),
    "security_token_env": ("--security-token-env", "the variable holding the security token"),
    "client_id_env": ("--client-id-env", "the variable holding the connected app's client id"),
}
# The other keys each auth mode reads (asked on a terminal, with the default offered).
MODE_KEYS = {
    "access_token": ("access_token_env",),
    "password": ("domain", "password_env", "security_token_env"),
    "jwt": ("domain", "client_id_env"),
    "sf_cli": (),
}

Ask = Callable[[str, "str | None", "Sequence[str] | None"], str]  # question, default, choices → answer


@dataclass(frozen=True)
class Answers:
    target: str
    salesforce: Mapping[str, str] | None  # crmdefs.yaml keys → values, auth and api_version included
    hubspot: Mapping[str, str] | None
    ca_bundle: str | None = None
    missing: list[str] = field(default_factory=list)  # options to pass, when nobody could be asked


def gather(flags: Mapping[str, Any], ask: Ask | None) -> Answers:
    """The answers from ``flags`` (the command's options, None when not given), asking ``ask`` for the
    rest when there is someone to ask. Refused, naming every option to pass, when an answer with no
    default is missing and nobody can be asked."""
    missing: list[str] = []
    crm = _answer(flags, "crm", ask, "Which CRMs", None, CRMS, missing)
    target = _answer(flags, "target_name", ask, "Name of the target", DEFAULT_TARGET, None, missing)
    salesforce = _salesforce(flags, ask, missing) if crm in ("salesforce", "both") else None
    if not crm:  # also say what Salesforce would need, so that one message lists everything
        missing += [f"with Salesforce, {m}" for m in _missing_for_salesforce(flags)]
    hubspot = None
    if crm in ("hubspot", "both"):
        token = flags.get("hubspot_token_env") or (
            ask("Variable holding the HubSpot service key", HS_DEFAULTS.access_token_env, None)
            if ask
            else HS_DEFAULTS.access_token_env
        )
        hubspot = {
            "base_url": flags.get("hubspot_base_url") or HS_DEFAULTS.base_url,
            "access_token_env": token,
            "api_version": HS_DEFAULTS.api_version,
        }
    if missing:
        raise OptionsError(
            "crmdefs init cannot ask without a terminal (or under CI), and these answers have no default: "
            + "; ".join(missing)
            + " — pass them as options (crmdefs init --help)"
        )
    answers = Answers(target, salesforce, hubspot, flags.get("ca_bundle"))
    check(answers, flags)
    return answers


def _answer(
    flags: Mapping[str, Any],
    name: str,
    ask: Ask | None,
    question: str,
    default: str | None,
    choices: Sequence[str] | None,
    missing: list[str],
    option: str | None = None,
) -> str:
    given = flags.get(name)
    if given:
        return str(given)
    if ask is not None:
        return ask(question, default, choices)
    if default is None:
        about = ", ".join(choices) if choices else question[0].lower() + question[1:]
        missing.append(f"{option or '--' + name.replace('_', '-')} ({about})")
        return ""
    return default


def _salesforce(flags: Mapping[str, Any], ask: Ask | None, missing: list[str]) -> dict[str, str]:
    auth = _answer(flags, "salesforce_auth", ask, "Salesforce sign-in", SF_DEFAULTS.auth, AUTH_MODES, missing)
    section = {"auth": auth}
    for key in (*AUTH_NEEDS.get(auth, ()), *MODE_KEYS.get(auth, ())):
        option, question = OPTIONS[key]
        default = getattr(SF_DEFAULTS, key) if key not in AUTH_NEEDS[auth] else None
        section[key] = _answer(
            flags, key, ask, question[0].upper() + question[1:], default, None, missing, option
        )
    section["api_version"] = flags.get("api_version") or SF_DEFAULTS.api_version
    return section


SALESFORCE_FLAGS = {"salesforce_auth", "api_version", *OPTIONS}
HUBSPOT_FLAGS = {"hubspot_token_env", "hubspot_base_url"}


def _missing_for_salesforce(flags: Mapping[str, Any]) -> list[str]:
    missing: list[str] = []
    _salesforce(flags, None, missing)
    return missing


def check(answers: Answers, flags: Mapping[str, Any]) -> None:
    """What the config would refuse, and options the answers do not use, said in terms of the options."""
    used = set(HUBSPOT_FLAGS if answers.hubspot is not None else ())
    if answers.salesforce is not None:
        used |= {"salesforce_auth", "api_version", *answers.salesforce}
    unused = sorted(
        OPTIONS[k][0] if k in OPTIONS else "--" + k.replace("_", "-")
        for k in (SALESFORCE_FLAGS | HUBSPOT_FLAGS) - used
        if flags.get(k)
    )
    if unused:
        it, belongs = ("it", "it belongs") if len(unused) == 1 else ("them", "they belong")
        raise OptionsError(
            f"{', '.join(unused)}: not used by the CRMs and sign-in chosen (--crm, --salesforce-auth) — drop "
            f"{it}, or choose the CRM or sign-in {belongs} to"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]+", answers.target) or answers.target == SANDBOX:
        raise OptionsError(
            f"'{answers.target}' cannot name a target — use letters, digits, '-' and '_' (and not "
            "'sandbox', the built-in demo org's name)"
        )
    sf = answers.salesforce or {}
    urls = [
        ("--instance-url", sf.get("instance_url")),
        ("--hubspot-base-url", (answers.hubspot or {}).get("base_url")),
    ]
    for option, url in urls:
        if url and (problem := url_problem(url)):
            raise OptionsError(f"{option} {url}: {problem[0]} — {problem[1]}")
    version = sf.get("api_version", DEFAULT_API_VERSION)
    if not re.fullmatch(r"\d{2}\.0", version) or float(version) > float(MAX_API_VERSION):
        raise OptionsError(
            f"--api-version {version}: write a Salesforce API version such as '{DEFAULT_API_VERSION}', at "
            f"most '{MAX_API_VERSION}' (newer Metadata elements could not be saved back)"
        )
