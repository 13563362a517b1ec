"""`crmdefs --debug` (or CRMDEFS_DEBUG=1): what crmdefs does over HTTP, on stderr, with secrets redacted.

For the length of one command, one stderr handler is attached to crmdefs' own logger and to those of the
libraries underneath (urllib3, requests, zeep's transport, simple-salesforce, the HubSpot SDK). Its filter
rewrites every record — message, arguments and traceback — before any handler formats it, so nothing a
library logs can carry a credential out: Authorization / Bearer headers, ``access_token=``-style pairs,
passwords and client secrets, Salesforce session ids (also inside SOAP ``<sessionId>`` headers, which
zeep logs with every envelope), ``sid`` cookies, HubSpot private-app tokens (``pat-…``) and the exact
value of every :class:`crmdefs.config.Secret` created so far.

One line per HTTP request (method, URL with secret-looking query values redacted, status, duration) comes
from wrapping ``urllib3``'s ``HTTPConnectionPool.urlopen`` while debug is on: both CRMs' clients end
there (requests for Salesforce, the HubSpot SDK's pool manager directly), and urllib3 has no hook of its
own. The wrapper is removed again when the command ends.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from crmdefs.words import plural

LOGGER = logging.getLogger("crmdefs")
REDACTED = "***"
MAX_MESSAGE = 4000  # zeep logs whole Metadata API answers; the first part says enough

# Names whose values are credentials, in query strings, form bodies, JSON, YAML and headers.
SECRET_NAMES = (
    r"access_token|refresh_token|id_token|client_secret|password|passwd|security_token|session_?id|sid"
    r"|assertion|hapikey|api_?key|token|secret|x-sfdc-session"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # <sessionId>…</sessionId>, <urn:sessionId>, <ns0:sessionId>, and the login call's <n1:password>.
    (
        re.compile(
            r"<(?P<p>(?:[\w.-]+:)?)(?P<n>sessionId|password|securityToken)>[^<]*</(?P=p)(?P=n)>", re.I
        ),
        rf"<\g<p>\g<n>>{REDACTED}</\g<p>\g<n>>",
    ),
    # Authorization: <anything>, 'Authorization': 'Basic …'; and Bearer / OAuth tokens wherever they are.
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n,}]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)\b(bearer|oauth)(\s+)[\w.~+/=!$%-]{6,}"), rf"\1\2{REDACTED}"),
    # access_token=…, "password": "…", sid=…; (a cookie), client_secret: …
    (
        re.compile(rf"(?i)(?<![\w-])([\"']?)({SECRET_NAMES})\1(\s*[:=]\s*)([\"']?)[^\"'&\s,;}}<>]+"),
        rf"\1\2\1\3\4{REDACTED}",
    ),
    (re.compile(r"\bpat-[a-z0-9]{2,5}-[\w-]{6,}"), f"pat-{REDACTED}"),  # HubSpot private app token
    (re.compile(r"\b00D\w{12,15}![\w.]{8,}"), f"00D{REDACTED}"),  # Salesforce session id (org id!…)
)
_known: set[str] = set()
_lock = threading.Lock()


def remember_secret(value: str) -> None:
    """Redact this exact value (and its URL-encoded form) wherever it appears. Called for every Secret."""
    if len(value) >= 6:  # shorter values would mangle ordinary words; the patterns still apply
        with _lock:
            _known.update({value, quote(value, safe="")})


def redact(text: str) -> str:
    """``text`` with every credential it holds replaced by ``***``."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # longest first: a value may contain another
    for value in known:
        text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def safe_url(url: str) -> str:
    """A URL for a log line: the values of secret-looking query parameters replaced, then redacted."""
    parts = urlsplit(url)
    names = re.compile(rf"(?i)^({SECRET_NAMES})$")
    query = [
        (k, REDACTED if names.match(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return redact(urlunsplit(parts._replace(query=urlencode(query, safe="*"))))


class RedactingFilter(logging.Filter):
    """Rewrites each record in place, so every handler after this one sees only the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: show what there is rather than fail
            message = f"{record.msg} {record.args}"
        message = redact(message)
        if len(message) > MAX_MESSAGE:  # after redacting: cutting first could split a secret from its mark
            message = f"{message[:MAX_MESSAGE]}… ({plural(len(message) - MAX_MESSAGE, 'more character')})"
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # belt and braces: the whole line once more


# Loggers that get the handler, and the level each must have for its debug records to be made at all.
# The HubSpot SDK resets "urllib3" to WARNING whenever it builds a client, so urllib3's children are
# set one by one. zeep.transports logs every SOAP envelope, session header included (redacted here).
_HANDLED = ("crmdefs", "urllib3", "requests", "zeep", "simple_salesforce", "hubspot")
_LEVELS = {
    "crmdefs": logging.DEBUG,
    "urllib3.connectionpool": logging.DEBUG,
    "urllib3.util.retry": logging.DEBUG,
    "requests": logging.DEBUG,
    "zeep.transports": logging.DEBUG,
    "simple_salesforce": logging.DEBUG,
}


class _Session:
    def __init__(self) -> None:
        self.handler = logging.StreamHandler(sys.stderr)
        self.handler.addFilter(RedactingFilter())
        self.handler.setFormatter(_RedactingFormatter("debug: %(name)s: %(message)s"))
        self.saved: list[tuple[logging.Logger, int, bool]] = []
        self.restore_urlopen = _log_each_request()
        for name in sorted({*_HANDLED, *_LEVELS}):
            logger = logging.getLogger(name)
            self.saved.append((logger, logger.level, logger.propagate))
            if name in _LEVELS:
                logger.setLevel(_LEVELS[name])
            if name in _HANDLED:
                logger.addHandler(self.handler)
                logger.propagate = False  # only through the redacting handler, never printed twice

    def close(self) -> None:
        self.restore_urlopen()
        for logger, level, propagate in self.saved:
            logger.setLevel(level)
            logger.propagate = propagate
            logger.removeHandler(self.handler)
        self.handler.flush()


_session: _Session | None = None


def enable() -> None:
    """Turn debug logging on until :func:`disable` (``__main__.main`` calls it when the command ends)."""
    global _session
    if _session is None:
        _session = _Session()
        from crmdefs import __version__

        LOGGER.debug(
            "crmdefs %s on Python %s; credentials in this output are replaced by %s",
            __version__,
            sys.version.split()[0],
            REDACTED,
        )


def disable() -> None:
    global _session
    if _session is not None:
        _session.close()
        _session = None


def active() -> bool:
    return _session is not None


def log_exception(exc: BaseException, message: str = "the error came from here") -> None:
    """With --debug, the (redacted) traceback of ``exc`` and of what caused it; otherwise nothing."""
    if _session is not None:
        LOGGER.debug(message, exc_info=exc)


# --- one line per HTTP request -------------------------------------------------------------------------


def _log_each_request() -> Callable[[], None]:
    """Wrap urllib3's ``HTTPConnectionPool.urlopen``; returns the function that unwraps it. Retries recurse
    into urlopen, so only the outermost call of a thread logs (urllib3's own lines show each attempt)."""
    from urllib3.connectionpool import HTTPConnectionPool

    original = HTTPConnectionPool.urlopen
    depth = threading.local()
    log = logging.getLogger("crmdefs.http")

    @functools.wraps(original)
    def urlopen(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        outer = getattr(depth, "level", 0) == 0
        depth.level = getattr(depth, "level", 0) + 1
        started = time.monotonic()
        outcome = "failed"
        try:
            response = original(pool, method, url, *args, **kwargs)
            retries = getattr(getattr(response, "retries", None), "history", ()) or ()
            outcome = str(response.status) + (
                f" after {plural(len(retries), 'retry', 'retries')}" if retries else ""
            )
            return response
        except Exception as exc:
            outcome = f"failed: {type(exc).__name__}"
            raise
        finally:
            depth.level -= 1
            if outer:
                full = url if "://" in url else f"{pool.scheme}://{pool.host}:{pool.port}{url}"
                elapsed = (time.monotonic() - started) * 1000
                log.debug("%s %s → %s (%.0f ms)", method, safe_url(full), outcome, elapsed)

    setattr(HTTPConnectionPool, "urlopen", urlopen)  # noqa: B010 - mypy: assigning to a method
    return lambda: setattr(HTTPConnectionPool, "urlopen", original)
