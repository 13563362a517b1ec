"""Credentials for one target: the secrets its variables hold (read once, into Runtime.secrets), as
:class:`Secret` values (whose repr is redacted), with messages that name the target and the variable."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from crmdefs.config import Secret, Target
from crmdefs.definitions.load import display_path
from crmdefs.definitions.model import Crm
from crmdefs.errors import ConfigError, CredentialsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SalesforceCredentials:
    auth: str
    instance_url: str | None = None
    access_token: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    security_token: Secret | None = None
    client_id: Secret | None = None
    key_file: Path | None = None
    domain: str = "login"
    sf_alias: str | None = None


@dataclass(frozen=True)
class HubSpotCredentials:
    base_url: str
    access_token: Secret


@dataclass(frozen=True)
class Variable:
    """An environment variable a target's sign-in needs: which CRM, what it holds, the crmdefs.yaml key
    that names it."""

    crm: Crm
    name: str
    what: str
    key: str


SF_TOKEN = "the Salesforce access token"
SF_PASSWORD = "the Salesforce password"
SF_CLIENT_ID = "the connected app's client id"
HS_TOKEN = "the HubSpot service key (or an existing private app's access token)"


def needed_variables(target: Target) -> list[Variable]:
    """Every variable ``target`` must find set to sign in to each of its CRMs. The security token is not
    among them: an org that trusts the caller's IP range takes the password alone."""
    found: list[Variable] = []
    sf = target.salesforce
    if sf is not None and sf.auth == "access_token":
        found.append(Variable(Crm.SALESFORCE, sf.access_token_env, SF_TOKEN, "access_token_env"))
    elif sf is not None and sf.auth == "password":
        found.append(Variable(Crm.SALESFORCE, sf.password_env, SF_PASSWORD, "password_env"))
    elif sf is not None and sf.auth == "jwt":
        found.append(Variable(Crm.SALESFORCE, sf.client_id_env, SF_CLIENT_ID, "client_id_env"))
    if target.hubspot is not None:
        found.append(Variable(Crm.HUBSPOT, target.hubspot.access_token_env, HS_TOKEN, "access_token_env"))
    return found


def check_variables(target: Target, secrets: Mapping[str, str], crms: Collection[Crm]) -> None:
    """Before any sign-in: when a CRM in ``crms`` lacks a variable, one error names every variable the
    target lacks, for all its CRMs, so that one run says everything there is to set."""
    unset = [v for v in needed_variables(target) if not secrets.get(v.name, "").strip()]
    if not any(v.crm in crms for v in unset):
        return
    missing = [v for i, v in enumerate(unset) if v.name not in {u.name for u in unset[:i]}]  # each once
    if len(missing) == 1:
        raise CredentialsError(_missing(target.name, missing[0].name, missing[0].what))
    listed = "; ".join(f"{v.name}: {v.what}" for v in missing)
    keys = ", ".join(dict.fromkeys(f"{v.crm.value}.{v.key}" for v in missing))
    raise CredentialsError(
        f"target '{target.name}': {len(missing)} credentials are missing — set each of these environment "
        f"variables ({listed}), or name other variables in crmdefs.yaml ({keys}); README 'Connect your "
        "org' says where each one comes from"
    )


def _env(secrets: Mapping[str, str], name: str, target: str, what: str) -> Secret:
    value = secrets.get(name, "").strip()
    if not value:
        raise CredentialsError(_missing(target, name, what))
    return Secret(value)


def _missing(target: str, name: str, what: str) -> str:
    return (
        f"target '{target}': {what} is missing — set the environment variable {name} "
        f"(or name another variable in crmdefs.yaml)"
    )


def _pem_file(target: str, key: str, path: Path, marker: bytes, what: str) -> None:
    """``path`` must be a readable PEM file holding ``marker``: found now rather than as a TLS error or a
    traceback from the JWT library later. Only the markers are looked at; nothing of the file is shown."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"target '{target}': {key} '{display_path(path)}' cannot be read ({exc.strerror or exc}) — "
            f"fix '{key}:' in crmdefs.yaml (paths are relative to crmdefs.yaml)"
        ) from exc
    if marker not in content:
        raise ConfigError(
            f"target '{target}': {key} '{display_path(path)}' is not {what} — fix '{key}:' in crmdefs.yaml"
        )


def _check_ca_bundle(target: Target) -> None:
    if target.ca_bundle is not None:
        certificate = b"-----BEGIN CERTIFICATE-----"
        _pem_file(target.name, "ca_bundle", target.ca_bundle, certificate, "a PEM file of certificates")


def salesforce_credentials(target: Target, secrets: Mapping[str, str]) -> SalesforceCredentials:
    """Read the Salesforce secrets of ``target`` from ``secrets``; a clear error names what is missing."""
    sf = target.salesforce
    if sf is None:
        raise ConfigError(f"target '{target.name}' has no Salesforce org — add a 'salesforce:' section")
    name = target.name
    _check_ca_bundle(target)
    where = sf.instance_url or f"domain {sf.domain}"
    log.debug("target %s: Salesforce sign-in with %s (%s)", name, sf.auth, where)
    if sf.auth == "access_token":
        token = _env(secrets, sf.access_token_env, name, SF_TOKEN)
        return SalesforceCredentials("access_token", sf.instance_url, access_token=token)
    if sf.auth == "password":
        return SalesforceCredentials(
            "password",
            sf.instance_url,
            username=sf.username,
            domain=sf.domain,
            password=_env(secrets, sf.password_env, name, SF_PASSWORD),
            security_token=Secret(secrets.get(sf.security_token_env, "")),
        )
    if sf.auth == "jwt":
        if sf.key_file is not None:
            _pem_file(name, "key_file", sf.key_file, b"PRIVATE KEY-----", "a PEM private key")
        return SalesforceCredentials(
            "jwt",
            sf.instance_url,
            username=sf.username,
            domain=sf.domain,
            key_file=sf.key_file,
            client_id=_env(secrets, sf.client_id_env, name, SF_CLIENT_ID),
        )
    return SalesforceCredentials("sf_cli", sf.instance_url, sf_alias=sf.sf_alias)


def hubspot_credentials(target: Target, secrets: Mapping[str, str]) -> HubSpotCredentials:
    """Read the HubSpot access token of ``target`` from ``secrets``."""
    hs = target.hubspot
    if hs is None:
        raise ConfigError(f"target '{target.name}' has no HubSpot portal — add a 'hubspot:' section")
    _check_ca_bundle(target)
    log.debug("target %s: HubSpot at %s, token from $%s", target.name, hs.base_url, hs.access_token_env)
    token = _env(secrets, hs.access_token_env, target.name, HS_TOKEN)
    return HubSpotCredentials(hs.base_url, token)
