"""Who may call what: the staff tokens, checked in one place.

A route says which tokens open it with the ``needs`` decorator; ``token_middleware``
reads that from the matched route and answers 401 (no token) or 403 (a wrong one) before
the handler runs. A page answers with a short Danish page instead of JSON. A route whose
token is optional (the flip-overs, read by phones and staff alike) serves a request that
carries none as a phone's, and one that carries the right token as staff's
(``request["staff"]``).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from facilitator.web.replies import error

ASSISTANT = "assistant"
CONTROL = "control"
# True when the request carried a staff token.
STAFF = web.RequestKey("staff", bool)

CSP_PLAIN = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

_KEY_PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
font-size:18px;line-height:1.4;margin:0;padding:24px 16px;max-width:560px}}
h1{{font-size:24px}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""
_KEY_WORDS = {
    401: (
        "Linket mangler sin nøgle",
        "Siden kræver hele linket – det med nøglen til sidst. "
        "Bed mødelederen om linket; det står i <b>facilitator links</b>.",
    ),
    403: (
        "Nøglen passer ikke",
        "Nøglen i linket hører ikke til dette møde. "
        "Bed mødelederen om et nyt link – det står i <b>facilitator links</b>.",
    ),
}
_JSON_WORDS = {
    401: "Adgang kræver et link med nøgle.",
    403: "Nøglen passer ikke til dette møde.",
}


@dataclass(frozen=True)
class Needs:
    roles: tuple[str, ...]
    optional: bool = False  # no token at all: served as to a phone
    page: bool = False  # a refusal is a page, not JSON


def needs(*roles: str, optional: bool = False, page: bool = False) -> Callable[[Any], Any]:
    """Mark a handler as opened by any of these roles' tokens."""

    def mark(handler: Any) -> Any:
        handler.needs = Needs(roles, optional, page)
        return handler

    return mark


def given_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    if not header.isascii():
        return "\x00"  # never a token: refused with 403
    if header.startswith("Bearer "):
        return header[7:].strip()
    return request.query.get("token", "")


def has_token(request: web.Request) -> bool:
    return bool(given_token(request) or request.headers.get("Authorization"))


def token_status(request: web.Request, expected: list[str]) -> int | None:
    """None when the request carries one of the expected tokens, else 401 or 403."""
    given = given_token(request)
    if not given:
        return 401
    if not given.isascii() or len(given) > 256:
        return 403
    ok = False
    for token in expected:
        ok |= hmac.compare_digest(given.encode(), token.encode())
    return None if ok else 403


def refusal(status: int, page: bool) -> web.Response:
    if not page:
        return error(status, _JSON_WORDS[status])
    title, text = _KEY_WORDS[status]
    response = web.Response(
        text=_KEY_PAGE.format(title=title, text=text),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )
    response.headers["Content-Security-Policy"] = CSP_PLAIN
    return response


def token_check(tokens: Mapping[str, Callable[[], str]]) -> Any:
    """The check of every route's ``needs`` (the front door runs it); ``tokens`` gives
    each role's current token (they may be rotated while the meeting runs)."""

    async def check_token(request: web.Request, handler: Any) -> web.StreamResponse:
        spec: Needs | None = getattr(request.match_info.route.handler, "needs", None)
        request[STAFF] = False
        if spec is not None:
            if spec.optional and not has_token(request):
                return await handler(request)
            status = token_status(request, [tokens[role]() for role in spec.roles])
            if status is not None:
                return refusal(status, spec.page)
            request[STAFF] = True
        return await handler(request)

    return check_token
