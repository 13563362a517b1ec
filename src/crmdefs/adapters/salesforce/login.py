"""Signing in to a Salesforce org, in the mode the target names: an access token, username and password,
the JWT bearer flow, or the session of an `sf org login` (the Salesforce CLI). Secrets come from the
environment the run read once (``Runtime.secrets``) and never appear in a message."""

from __future__ import annotations

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from crmdefs.adapters.base import NO_WAITS, Waits
from crmdefs.adapters.credentials import SalesforceCredentials, salesforce_credentials
from crmdefs.adapters.salesforce.client import (
    SalesforceClient,
    client_with_token,
    crm_session,
    salesforce_client,
)
from crmdefs.adapters.salesforce.sf_cli import sf_cli_login
from crmdefs.adapters.salesforce.transport import CrmSession
from crmdefs.config import Secret, Target
from crmdefs.errors import CredentialsError, CrmdefsError
from crmdefs.runtime import Runtime


def sign_in(target: Target, runtime: Runtime, waits: Waits = NO_WAITS) -> SalesforceClient:
    """A client on the org of ``target``, signed in as its ``auth:`` says; ``waits`` hears of retries."""
    assert target.salesforce is not None
    creds = salesforce_credentials(target, runtime.secrets)
    version = target.salesforce.api_version
    session = crm_session(
        target.ca_bundle, retries=runtime.max_retries, read_timeout=runtime.http_timeout, waits=waits
    )
    if creds.auth == "access_token" and creds.access_token is not None and creds.instance_url:
        return client_with_token(creds.instance_url, creds.access_token, session=session, version=version)
    if creds.auth == "sf_cli":
        url, token = sf_cli_login(target.name, creds.sf_alias or "")
        return client_with_token(url, token, session=session, version=version)
    return _login(target.name, creds, session, version)


def _login(target: str, creds: SalesforceCredentials, session: CrmSession, version: str) -> SalesforceClient:
    """Username and password, or the JWT bearer flow: simple-salesforce signs in, then the client wraps it."""
    try:
        if creds.auth == "password":
            rest = Salesforce(
                username=creds.username,
                password=_reveal(creds.password),
                security_token=_reveal(creds.security_token),
                domain=creds.domain,
                session=session,
                version=version,
            )
        else:  # jwt
            rest = Salesforce(
                username=creds.username,
                consumer_key=_reveal(creds.client_id),
                privatekey_file=str(creds.key_file),
                domain=creds.domain,
                session=session,
                version=version,
            )
    except SalesforceAuthenticationFailed as exc:
        raise CredentialsError(
            f"target '{target}': Salesforce refused the {creds.auth} login "
            f"({exc.code or 'no reason given'}) — check the username, domain and secrets in the environment"
        ) from exc
    except requests.exceptions.SSLError as exc:
        raise CrmdefsError(
            f"target '{target}': the Salesforce login server's certificate is not trusted — if a "
            "corporate proxy inspects TLS, set 'ca_bundle:' for this target in crmdefs.yaml"
        ) from exc
    except requests.RequestException as exc:
        raise CrmdefsError(
            f"target '{target}': the Salesforce {creds.auth} login could not be completed "
            f"({type(exc).__name__}) — check 'domain:' and the network, then run again"
        ) from exc
    return salesforce_client(rest, session)


def _reveal(secret: Secret | None) -> str:
    return secret.reveal() if secret is not None else ""
