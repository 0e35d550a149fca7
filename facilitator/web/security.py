"""What keeps the web side honest: signed device ids, idempotency keys, safe JSON bodies,
the pages' script sources for the CSP, and log lines that never carry a token.

See SECURITY.md for the promises these make and the tests that hold them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from facilitator.text import has_surrogate

# ------------------------------------------------------------------ device ids
_DEVICE_RE = re.compile(r"^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$")


class DeviceIds:
    """Anonymous device ids that the server issues and signs (HMAC-SHA256 with the
    meeting's own secret). An id the server did not sign, or one from another meeting,
    is not a device: it is never counted."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a device secret is needed")
        self._key = secret.encode("utf-8")

    def _sign(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")

    def issue(self) -> str:
        return self.signed(secrets.token_urlsafe(16))  # 22 characters, 128 random bits

    def signed(self, nonce: str) -> str:
        """The id for a given 22-character nonce (tests and load generators name phones)."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{22}", nonce):
            raise ValueError("a nonce is 22 URL-safe characters")
        return f"{nonce}.{self._sign(nonce)}"

    def verify(self, value: str | None) -> str | None:
        """The id if the server signed it, else None."""
        if not value or len(value) != 45:
            return None
        match = _DEVICE_RE.match(value)
        if match is None:
            return None
        nonce, signature = match.groups()
        return value if hmac.compare_digest(self._sign(nonce), signature) else None


# ------------------------------------------------------------------ idempotency keys
IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


def valid_idempotency_key(value: str) -> bool:
    return _KEY_RE.match(value) is not None


# ------------------------------------------------------------------ JSON bodies
MAX_INT = 2**31 - 1  # ids and numbers the database can hold


class BadBody(ValueError):
    """A body that is not acceptable JSON; the message is Danish."""


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body as JSON, refusing what would break further in: invalid
    UTF-8, deep nesting, lone surrogates (they cannot be stored or encoded)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("Ugyldig tekst (ikke UTF-8).") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadBody("JSON'en er for dybt indlejret.") from None
    except ValueError:  # includes a number of more than 4,300 digits
        raise BadBody("Ugyldig JSON.") from None
    if _has_bad_text(data, depth=0):
        raise BadBody("Teksten indeholder et ugyldigt tegn.")
    return data


def _has_bad_text(value: Any, depth: int) -> bool:
    if depth > 32:
        return True  # no body of ours is this deep
    if isinstance(value, str):
        return has_surrogate(value)
    if isinstance(value, dict):
        return any(
            _has_bad_text(k, depth + 1) or _has_bad_text(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_bad_text(v, depth + 1) for v in value)
    return False


def bounded_int(value: Any) -> int | None:
    """An integer a database column can hold, else None (bools are not integers)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if -MAX_INT <= value <= MAX_INT else None


# ------------------------------------------------------------------ CSP
_SCRIPT_RE = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def script_hashes(page: bytes) -> str:
    """The CSP source list that allows exactly the page's own inline scripts."""
    hashes = []
    for body in _SCRIPT_RE.findall(page):
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return " ".join(hashes) or "'none'"


_SCRIPT_FILE_RE = re.compile(rb'<script src="/[^"]*"></script>')


def script_sources(page: bytes) -> str:
    """The page's CSP script-src: its own inline scripts by their hashes, and 'self' when
    it loads a script file from this server (the pages' common script)."""
    hashes = script_hashes(page)
    if _SCRIPT_FILE_RE.search(page) is None:
        return hashes
    return "'self'" if hashes == "'none'" else f"'self' {hashes}"


# ------------------------------------------------------------------ logs
_TOKEN_PATTERNS = (
    re.compile(r"(token=)[^&\s'\"\\]+", re.IGNORECASE),
    re.compile(r"(bearer\s+)[^\s'\"\\]+", re.IGNORECASE),
    re.compile(r"(/(?:assist|remote)/)[A-Za-z0-9_-]{8,}"),
)


# The live tokens, from every server of this process: scrubbed wherever they appear
# (a malformed request may carry one in any header).
_SECRETS: list[weakref.WeakMethod] = []


def register_secrets(provider: Callable[[], Iterable[str]]) -> None:
    """A bound method giving tokens that must never appear in a log line (held weakly:
    a server that is gone drops out)."""
    _SECRETS[:] = [ref for ref in _SECRETS if ref() is not None]
    _SECRETS.append(weakref.WeakMethod(provider))


def scrub(text: str) -> str:
    """The text with anything that looks like a token, or is one, replaced by ***."""
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1***", text)
    for ref in list(_SECRETS):
        provider = ref()
        if provider is None:
            continue
        try:
            tokens = list(provider())
        except Exception:  # noqa: BLE001 - a log line is never lost for a scrubber's fault
            continue
        for token in tokens:
            if token and len(token) >= 8:
                text = text.replace(token, "***")
    return text


class TokenScrubber(logging.Filter):
    """A log filter: a record's message and its exception (aiohttp logs the raw request
    line of a malformed request, query string and all) pass through :func:`scrub`; the
    traceback of a malformed request is reduced to its one scrubbed line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is still logged, scrubbed
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if isinstance(exc, HttpProcessingError):
                # A malformed request: one line is enough, and its text is the raw request.
                message = f"{message}: {type(exc).__name__}: {exc}"
                record.exc_info = None
                record.exc_text = None
            else:
                record.exc_text = scrub(_FORMATTER.formatException(record.exc_info))
        record.msg = scrub(message)
        record.args = ()
        return True


_FORMATTER = logging.Formatter()
_SCRUBBER = TokenScrubber()
_LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.access", "aiohttp.internal", "asyncio")


def install_log_scrubber() -> None:
    """Put the scrubber on the loggers aiohttp and asyncio write to (once)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _SCRUBBER not in logger.filters:
            logger.addFilter(_SCRUBBER)
