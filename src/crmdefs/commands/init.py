"""`crmdefs init`: a new project for your own CRMs. Every answer can be an option; on a terminal (and not
under CI) crmdefs asks for the ones not given. Writes nothing if any file it would write exists."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from crmdefs import exitcodes
from crmdefs.commands.console import TerminalConsole
from crmdefs.commands.options import build_runtime, quiet_option, settings_for_config
from crmdefs.config import CONFIG_FILE
from crmdefs.scaffold.answers import AUTH_MODES, CRMS, gather
from crmdefs.scaffold.configfile import config_text
from crmdefs.scaffold.report import report_lines
from crmdefs.scaffold.workflow import create_project

VAR = "VAR"


@click.command(
    epilog="""\b
Examples:
  crmdefs init                                   on a terminal: asks what it needs
  crmdefs init --crm salesforce --salesforce-auth sf_cli --sf-alias acme
  crmdefs init --crm both --instance-url https://acme.my.salesforce.com --import Opportunity,deals
  crmdefs init revops-definitions --crm hubspot --hubspot-token-env ACME_HUBSPOT_KEY
""",
)
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--crm", type=click.Choice(CRMS), help="Which CRMs the project defines fields for.")
@click.option("--target-name", metavar="NAME", help="The target's name in crmdefs.yaml (default production).")
@click.option(
    "--salesforce-auth", type=click.Choice(AUTH_MODES), help="How to sign in (default access_token)."
)
@click.option("--instance-url", metavar="URL", help="access_token: the org's URL (My Domain).")
@click.option("--username", help="password, jwt: the Salesforce user crmdefs signs in as.")
@click.option("--domain", help="password, jwt: login (default), test, or a My Domain such as acme.my.")
@click.option("--key-file", metavar="PEM", help="jwt: the private key file, relative to DIRECTORY.")
@click.option("--sf-alias", metavar="ALIAS", help="sf_cli: the alias of an `sf org login` session.")
@click.option(
    "--salesforce-token-env", "access_token_env", metavar=VAR, help="access_token: the token's variable."
)
@click.option("--password-env", metavar=VAR, help="password: the password's variable.")
@click.option("--security-token-env", metavar=VAR, help="password: the security token's variable.")
@click.option("--client-id-env", metavar=VAR, help="jwt: the connected app's client id variable.")
@click.option("--api-version", metavar="VERSION", help="Salesforce Metadata API version (default 62.0).")
@click.option(
    "--hubspot-token-env", metavar=VAR, help="The service key's variable (default HUBSPOT_ACCESS_TOKEN)."
)
@click.option(
    "--hubspot-base-url", metavar="URL", help="HubSpot's API address (default https://api.hubapi.com)."
)
@click.option("--ca-bundle", metavar="PEM", help="Certificate authorities to trust, relative to DIRECTORY.")
@click.option(
    "--import",
    "imports",
    multiple=True,
    metavar="OBJECT[,OBJECT…]",
    help="Start bindings from these objects' fields in the org (repeatable): Opportunity, hubspot:deals.",
)
@quiet_option
def init(directory: Path, imports: tuple[str, ...], quiet: bool, **flags: Any) -> int:
    """Start a project for your own Salesforce org and/or HubSpot portal: crmdefs.yaml (with a comment on
    each key), the editor schema and the starter glossary's terms, binding no field unless --import
    starts bindings from what the org holds. Refuses to overwrite anything."""
    interactive = sys.stdin.isatty() and not build_runtime().ci
    answers = gather(flags, _ask if interactive else None)
    root = directory.resolve()
    config = config_text(answers)
    settings = settings_for_config(config, root / CONFIG_FILE)
    console = TerminalConsole(settings, quiet=quiet)
    objects = [name.strip() for item in imports for name in item.split(",") if name.strip()]
    written = create_project(
        root, config, settings, objects, progress=console.progress, note=console.note, waits=console
    )
    for line in report_lines(written, settings, Path.cwd()):
        click.echo(line)
    return exitcodes.OK


def _ask(question: str, default: str | None, choices: Sequence[str] | None) -> str:
    kind = click.Choice(list(choices)) if choices else None
    return str(click.prompt(question, default=default, type=kind))
