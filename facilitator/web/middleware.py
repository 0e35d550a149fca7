"""The checks every request passes: refusals said in Danish JSON, the safety headers,
and requests from elsewhere (a Host we do not serve, a write from another origin, a
phone's mark that is not JSON)."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from facilitator.engine import StorageError, TextRefused
from facilitator.web.replies import error
from facilitator.web.security import BadBody

# aiohttp's own refusals (no such page, wrong method, ...), said in Danish.
HTTP_WORDS = {
    400: "Forespørgslen kan ikke læses.",
    404: "Siden findes ikke.",
    405: "Den handling findes ikke her.",
    413: "For meget data på én gang.",
    415: "Forkert dataformat.",
}
# Phones' marks and picks: JSON only (a form post from another site cannot send it).
JSON_ONLY = frozenset({"/api/votes", "/api/choice"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def front_door(
    served_hosts: Callable[[], set[str]],
    wildcard: Callable[[], bool],
    check_token: Callable[[web.Request, Any], Awaitable[web.StreamResponse]],
) -> Any:
    """The one middleware every request passes (one layer, not three: each layer costs
    every request a coroutine): requests from elsewhere are refused, the route's token is
    checked, refusals are said in Danish JSON, and every answer gets the safety headers."""

    @web.middleware
    async def door(request: web.Request, handler: Any) -> web.StreamResponse:
        response = foreign(request, served_hosts(), wildcard())
        if response is None:
            response = await _answer(request, check_token, handler)
        headers = response.headers
        headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return door


async def _answer(request: web.Request, check_token: Any, handler: Any) -> web.StreamResponse:
    """The handler's answer, with its refusals and faults said in Danish."""
    try:
        return await check_token(request, handler)
    except web.HTTPRequestEntityTooLarge:
        return error(413, "For meget data på én gang.")
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return error(exc.status, HTTP_WORDS.get(exc.status, "Forespørgslen kan ikke bruges."))
        raise
    except StorageError as exc:
        return error(503, f"Kunne ikke gemme – prøv igen. ({exc})")
    except (BadBody, TextRefused) as exc:
        return error(400, str(exc))


def host_name(raw: str) -> str | None:
    """The name part of a Host header ("127.0.0.1:8765", "[::1]:80", "localhost")."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise ValueError(raw)
        return raw[1:end] or None
    name = raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw
    return name.rstrip(".") or None


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def same_origin(request: web.Request, origin: str) -> bool:
    host = request.headers.get("Host")
    return host is not None and origin.lower() in (
        f"http://{host}".lower(),
        f"https://{host}".lower(),
    )


def host_allowed(raw: str | None, served: set[str], wildcard: bool) -> bool:
    """Whether a request's Host header names this server (DNS rebinding names another)."""
    if raw is None:
        return True  # HTTP/1.0 without a Host: no name to rebind
    try:
        name = host_name(raw)
    except ValueError:
        return False
    if name is None:
        return False
    if name in served:
        return True
    # A wildcard bind serves every address of this machine.
    return wildcard and is_ip(name)


def foreign(request: web.Request, served: set[str], wildcard: bool) -> web.Response | None:
    """The refusal of a request from elsewhere: a Host we do not serve (DNS rebinding), a
    write from another origin (a page on another port of the laptop), a phone's mark that
    is not JSON (a plain form post from another site). None: it may go on."""
    if not host_allowed(request.headers.get("Host"), served, wildcard):
        return error(421, "Den adresse hører ikke til denne server.")
    if request.method in WRITES:
        origin = request.headers.get("Origin")
        if origin is not None and not same_origin(request, origin):
            return error(403, "Forespørgslen kommer fra en anden side.")
        if request.path in JSON_ONLY and request.content_type != "application/json":
            return error(415, "Forventede JSON (Content-Type: application/json).")
    return None
