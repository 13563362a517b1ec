"""The crmdefs.yaml `crmdefs init` writes: the answers, each key with a comment saying what it is and what
else it could be, so the file explains itself to the next person who opens it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from crmdefs.config import MAX_API_VERSION
from crmdefs.scaffold.answers import Answers

HEADER = """\
# crmdefs.yaml: where the definitions live and which CRMs they go to. Written by `crmdefs init`; README
# "Configuration and credentials" describes every key and "Connect your org" how to sign in.
# Secrets never go in this file, only the names of the environment variables that hold them.

# The definitions folder, relative to this file.
definitions: definitions
# The target commands use when --target is not given.
default_target: {target}
# true: an approved term needs a reviewer other than its owner (validate and plan refuse otherwise).
require_reviewer_not_owner: false
# Named CRM environments; add one per org or portal (e.g. staging) and pick it with --target.
targets:
  {target}:
"""

SALESFORCE_COMMENTS = {
    "auth": "How crmdefs signs in: access_token (a token from the environment), password (user, password\n"
    "and security token), jwt (a connected app's JWT bearer flow: for CI), sf_cli (an `sf org login`).",
    "instance_url": "The org's address, as Setup > My Domain shows it.",
    "username": "The Salesforce user crmdefs signs in as (it needs the permissions in README).",
    "domain": "Where to log in: login (production), test (a sandbox org) or your My Domain, e.g. acme.my.",
    "key_file": "The private key of the connected app's certificate (PEM), relative to this file.",
    "sf_alias": "The alias of a session made with `sf org login web --alias …`.",
    "access_token_env": "The environment variable holding the access token.",
    "password_env": "The environment variable holding the user's password.",
    "security_token_env": "The environment variable holding the user's security token (may be unset\n"
    "when the org trusts your IP range).",
    "client_id_env": "The environment variable holding the connected app's consumer key (client id).",
    "api_version": f'The Metadata API version: at most "{MAX_API_VERSION}" (newer elements could not be '
    "saved back).",
}
HUBSPOT_COMMENTS = {
    "base_url": "HubSpot's API address.",
    "access_token_env": "The environment variable holding the service key (HubSpot: Development > Keys >\n"
    "Service keys; the scopes it needs are in README 'Connect your org').",
    "api_version": '"2026-03" for HubSpot\'s dated APIs, or "v3" for the numbered ones (unsupported from\n'
    "September 2027).",
}
CA_COMMENT = (
    "Certificate authorities to trust for this target's CRMs (a PEM file); verification is never off."
)

PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./:@-]*")
YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def config_text(answers: Answers) -> str:
    """The crmdefs.yaml for ``answers``."""
    text = HEADER.format(target=answers.target)
    for crm, section, comments in (
        ("salesforce", answers.salesforce, SALESFORCE_COMMENTS),
        ("hubspot", answers.hubspot, HUBSPOT_COMMENTS),
    ):
        if section is not None:
            text += f"    {crm}:\n" + _section(section, comments)
    if answers.ca_bundle is not None:
        text += _comment(CA_COMMENT, "    ") + f"    ca_bundle: {scalar(answers.ca_bundle)}\n"
    return text


def _section(values: Mapping[str, str], comments: Mapping[str, str]) -> str:
    lines = ""
    for key in comments:  # the comments' order: sign-in first, API version last
        if key in values:
            lines += _comment(comments[key], "      ") + f"      {key}: {scalar(values[key])}\n"
    return lines


def _comment(text: str, indent: str) -> str:
    return "".join(f"{indent}# {line}\n" for line in text.splitlines())


def scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same string: plain when it safely can be, else
    double-quoted (a JSON string is a valid YAML one). Versions are always quoted: 62.0 is a number."""
    if PLAIN.fullmatch(value) and value.lower() not in YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)
