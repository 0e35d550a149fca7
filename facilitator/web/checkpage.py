"""The pre-meeting phone check: GET /check (a tiny page) and GET /api/check (the arrivals).

A phone that opens /check is counted at once, once: the page's answer sets a random id in
the cookie ``fac_check`` and the id is counted the first time it is seen (a phone that
refuses cookies is counted at each visit; a preview that only asks HEAD is not counted).
No script is needed on the page, so a phone with JavaScript off is counted too.

``GET /api/check`` says ``{"kind": "facilitator-check", "server": "meeting" | "check",
"meeting": ID | null, "code": CODE | null, "check_url": URL | null, "count": N}``: the marker
by which ``facilitator check`` knows what holds the port (a meeting's own server, and which
meeting, or another check's small server), the /check address phones use on it (null when
the server has no network), and the count.
With ``?after=N`` it waits (up to ``?wait=`` seconds, at most 25) until the count differs
from N: a long poll, so another process sees a phone arrive at once.

The same routes serve in the meeting's WebServer and in the check's own small server
(facilitator.preflight); the arrivals are kept on the server object (``check_arrivals``).
A server with an ``engine`` is a meeting's; without, the check's own.

New ids are limited per client address (a few a minute, as the phones' device ids): a
script that opens /check thousands of times without a cookie (or with made-up ones) still
gets the page, but is counted only a few times.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from facilitator.web.limits import RateLimiter
from facilitator.web.pages import static_file

CHECK_KIND = "facilitator-check"
CHECK_COOKIE = "fac_check"
CHECK_PAGE = "check.html"
CHECK_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
MAX_PHONES = 10_000  # distinct ids kept (a script inventing phones costs no more memory)
MAX_WAIT_S = 25.0
NEW_IDS_PER_MINUTE = 5  # new phones one client address may be counted as, per minute
SERVER_MEETING = "meeting"  # /api/check's "server": a meeting's own WebServer
SERVER_CHECK = "check"  # ... or the small server of a running `facilitator check`
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class Arrivals:
    """The distinct phones that opened /check; listeners hear of each new one at once."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._listeners: list[Callable[[int], None]] = []
        self._event: asyncio.Event | None = None
        self.closed = False

    @property
    def count(self) -> int:
        return len(self._seen)

    def known(self, phone_id: str) -> bool:
        return phone_id in self._seen

    def arrive(self, phone_id: str) -> bool:
        """Count a phone by its id. True when it is new."""
        if phone_id in self._seen or len(self._seen) >= MAX_PHONES:
            return False
        self._seen.add(phone_id)
        self._changed()
        return True

    def listen(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call ``callback(count)`` on every new phone; returns the function that stops it."""
        self._listeners.append(callback)

        def stop() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return stop

    async def wait_change(self, seen: int, timeout: float) -> int:
        """The count, once it differs from ``seen`` (or after ``timeout`` seconds)."""
        if self.count != seen or self.closed or timeout <= 0:
            return self.count
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        return self.count

    def close(self) -> None:
        """Wake every waiter (the server is stopping)."""
        self.closed = True
        self._wake()

    def _changed(self) -> None:
        self._wake()
        count = self.count
        for callback in list(self._listeners):
            callback(count)

    def _wake(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None


def arrivals_of(server: Any) -> Arrivals:
    """The server's arrivals, made the first time they are asked for."""
    arrivals = getattr(server, "check_arrivals", None)
    if arrivals is None:
        arrivals = Arrivals()
        server.check_arrivals = arrivals
    return arrivals


class CheckRoutes:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.arrivals = arrivals_of(server)
        self.new_ids = RateLimiter(burst=NEW_IDS_PER_MINUTE, window_s=60.0)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/check", self.page, allow_head=False),
            web.get("/api/check", self.status, allow_head=False),
        ]

    async def page(self, request: web.Request) -> web.Response:
        response = web.Response(
            body=static_file(CHECK_PAGE), content_type="text/html", charset="utf-8"
        )
        response.headers["Content-Security-Policy"] = CHECK_CSP
        phone = request.cookies.get(CHECK_COOKIE)
        if phone is not None and _ID.match(phone) and self.arrivals.known(phone):
            return response  # counted already
        if not self.new_ids.allow(request.remote or "?"):
            return response  # the page, but not counted: this address has had its share
        if phone is None or not _ID.match(phone):
            phone = secrets.token_urlsafe(16)
            response.set_cookie(
                CHECK_COOKIE, phone, max_age=24 * 3600, path="/", httponly=True, samesite="Lax"
            )
        self.arrivals.arrive(phone)
        return response

    def identity(self) -> dict[str, Any]:
        """Whose server this is: a meeting's (its id, code and the /check address phones
        use, null with no network) or a check's own."""
        engine = getattr(self.server, "engine", None)
        if engine is None:
            return {"server": SERVER_CHECK, "meeting": None, "code": None, "check_url": None}
        participant = getattr(self.server, "participant_url", None)
        return {
            "server": SERVER_MEETING,
            "meeting": engine.meeting_id,
            "code": engine.code,
            "check_url": f"{participant}check" if participant else None,
        }

    async def status(self, request: web.Request) -> web.Response:
        count = self.arrivals.count
        after = request.query.get("after")
        if after is not None:
            try:
                seen = int(after)
                wait = min(MAX_WAIT_S, max(0.0, float(request.query.get("wait", MAX_WAIT_S))))
            except ValueError:
                raise web.HTTPBadRequest() from None
            count = await self.arrivals.wait_change(seen, wait)
        return web.json_response({"kind": CHECK_KIND, **self.identity(), "count": count})
