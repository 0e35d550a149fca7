"""The participant page and the JSON/SSE API, served by aiohttp in the app's own loop.

Routes (see shared/DESIGN.md, "Contracts"):
    GET  /                     the participant page (one self-contained HTML file)
    GET  /api/state            the meeting's state
    GET  /api/events           Server-Sent Events: `state` on every change
    GET  /api/flipovers        the open flip-overs (marks null while hidden)
    POST /api/flipovers        assistant token: {group, heading, proposals[]}
    POST /api/control/ACTION   control token: start, pause, next, previous, extend, goto

No access log is written (a token may travel in a query string), bodies are size-limited
and every text reaches the page as JSON, which the page inserts with textContent.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import json
import secrets
import weakref
from importlib import resources
from typing import Any

from aiohttp import web

from facilitator.engine import EngineError, MeetingEngine, StorageError
from facilitator.web.net import lan_address, url_for

DEFAULT_PORT = 8765
MAX_BODY = 64 * 1024
KEEPALIVE_S = 15.0
DEVICE_COOKIE = "fac_device"
AUTO = object()  # lan_address not given: look it up

ENGINE_KEY = web.AppKey("engine", MeetingEngine)

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"
)


def _page(name: str) -> bytes:
    return (resources.files("facilitator") / "web" / "static" / name).read_bytes()


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status=status)


def device_id(request: web.Request) -> str | None:
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if 16 <= len(value) <= 64 and value.isascii() else None


class WebServer:
    """Owns the aiohttp runner and the open SSE streams of one meeting."""

    def __init__(
        self,
        engine: MeetingEngine,
        host: str | None = None,
        port: int = DEFAULT_PORT,
        lan_address: Any = AUTO,
    ) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self._lan = lan_address
        self.error: str | None = None
        self.participant_url: str | None = None
        self.bound: list[str] = []
        self._runner: web.AppRunner | None = None
        self._streams: weakref.WeakSet[web.StreamResponse] = weakref.WeakSet()
        self._phones: dict[str, int] = {}  # device id (or connection key) -> open streams
        self.app = self.make_app()

    # ------------------------------------------------------------------ addresses
    @property
    def no_network(self) -> bool:
        return self.participant_url is None

    def public_host(self) -> str | None:
        """The address phones use: --host if given (and not a wildcard), else the LAN IP."""
        if self.host and self.host not in ("0.0.0.0", "::"):
            return self.host
        if self._lan is AUTO:
            return lan_address()
        return self._lan

    def bind_hosts(self) -> list[str]:
        public = self.public_host()
        hosts = [self.host] if self.host else ([public] if public else [])
        if "127.0.0.1" not in hosts and "0.0.0.0" not in hosts:
            hosts.append("127.0.0.1")
        return hosts

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Bind and serve. Never raises: a failure is kept in ``self.error`` for the UI."""
        self.error = None
        public = self.public_host()
        self._runner = web.AppRunner(
            self.app, access_log=None, shutdown_timeout=0.5, handler_cancellation=True
        )
        await self._runner.setup()
        for host in self.bind_hosts():
            site = web.TCPSite(self._runner, host, self.port)
            try:
                await site.start()
            except OSError as exc:
                self.error = self._bind_error(host, exc)
                continue
            self.bound.append(host)
        if public and public in self.bound or (public and "0.0.0.0" in self.bound):
            self.participant_url = url_for(public, self.port)
        else:
            self.participant_url = None
        if not self.bound:
            await self._runner.cleanup()
            self._runner = None

    def _bind_error(self, host: str, exc: OSError) -> str:
        if exc.errno == errno.EADDRINUSE:
            return f"Port {self.port} er optaget – telefonerne kan ikke komme på (brug --port)"
        if exc.errno in (errno.EADDRNOTAVAIL, errno.ENETUNREACH):
            return f"Adressen {host} findes ikke på denne maskine"
        if exc.errno == errno.EACCES:
            return f"Ingen adgang til port {self.port} (vælg en over 1024)"
        return f"Webserveren kunne ikke starte på {host}:{self.port} ({exc.strerror or exc})"

    async def stop(self) -> None:
        for stream in list(self._streams):
            task = getattr(stream, "_fac_task", None)
            if task is not None:
                task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.bound = []

    # ------------------------------------------------------------------ app
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._errors])
        app[ENGINE_KEY] = self.engine
        app.router.add_get("/", self.index)
        app.router.add_get("/api/state", self.api_state)
        app.router.add_get("/api/events", self.api_events)
        app.router.add_get("/api/flipovers", self.api_flipovers)
        app.router.add_post("/api/flipovers", self.api_add_flipover)
        app.router.add_post("/api/control/{action}", self.api_control)
        return app

    @web.middleware
    async def _errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "For meget data på én gang.")
        except web.HTTPException as exc:
            if exc.status >= 400 and exc.content_type != "application/json":
                return _error(exc.status, exc.reason)
            raise
        except StorageError as exc:
            return _error(503, f"Kunne ikke gemme – prøv igen. ({exc})")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    async def index(self, request: web.Request) -> web.Response:
        response = web.Response(
            body=_page("participant.html"), content_type="text/html", charset="utf-8"
        )
        response.headers["Content-Security-Policy"] = CSP
        if device_id(request) is None:
            response.set_cookie(
                DEVICE_COOKIE,
                secrets.token_urlsafe(16),
                max_age=7 * 24 * 3600,
                httponly=True,
                samesite="Strict",
            )
        return response

    async def api_state(self, request: web.Request) -> web.Response:
        return _json(self.engine.state())

    async def api_events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        response._fac_task = asyncio.current_task()  # type: ignore[attr-defined]
        self._streams.add(response)
        phone = device_id(request) or f"conn-{id(response)}"
        self._phone_joined(phone)
        subscription = self.engine.subscribe()
        subscription.take()  # the first message is a fresh state, not the last event's
        try:
            await response.write(b"retry: 2000\n\n")
            await self._send(response, json.dumps(self.engine.state(), ensure_ascii=False))
            while True:
                try:
                    snapshot = await asyncio.wait_for(subscription.get(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if snapshot is None:
                    break
                await self._send(response, snapshot.json)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            subscription.close()
            self._phone_left(phone)
        return response

    @staticmethod
    async def _send(response: web.StreamResponse, payload: str) -> None:
        await response.write(f"event: state\ndata: {payload}\n\n".encode())

    def _phone_joined(self, phone: str) -> None:
        self._phones[phone] = self._phones.get(phone, 0) + 1
        self.engine.set_phones(len(self._phones))

    def _phone_left(self, phone: str) -> None:
        left = self._phones.get(phone, 1) - 1
        if left <= 0:
            self._phones.pop(phone, None)
        else:
            self._phones[phone] = left
        self.engine.set_phones(len(self._phones))

    # ------------------------------------------------------------------ flip-overs
    def marks_hidden(self) -> bool:
        """Marks stay hidden during a vote phase with reveal = "end" until it is over."""
        phase, clock = self.engine.phase, self.engine.clock
        return (
            phase.kind == "vote" and phase.reveal == "end" and not clock.is_over(self.engine.now())
        )

    async def api_flipovers(self, request: web.Request) -> web.Response:
        hidden = self.marks_hidden()
        rows = [
            {
                "id": flip.id,
                "group": flip.group,
                "kind": flip.kind,
                "heading": flip.heading,
                "proposals": list(flip.proposals),
                "marks": None if hidden else flip.marks,
                "theme": None,
            }
            for flip in self.engine.flipovers()
        ]
        return _json({"flipovers": rows})

    async def api_add_flipover(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.assistant_token)
        if denied is not None:
            return denied
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        group, heading, proposals = (
            body.get("group"),
            body.get("heading"),
            body.get("proposals", []),
        )
        if not isinstance(group, int) or isinstance(group, bool):
            return _error(400, "Vælg en gruppe (et nummer fra 1).")
        if not isinstance(heading, str):
            return _error(400, "Overskriften mangler.")
        if not isinstance(proposals, list) or not all(isinstance(p, str) for p in proposals):
            return _error(400, "Forslagene skal være en liste af tekster.")
        try:
            flip = self.engine.add_flipover(group, heading, proposals)
        except EngineError as exc:
            return _error(422, str(exc))
        return _json(
            {
                "id": flip.id,
                "group": flip.group,
                "heading": flip.heading,
                "proposals": list(flip.proposals),
            },
            status=201,
        )

    # ------------------------------------------------------------------ control
    async def api_control(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.control_token)
        if denied is not None:
            return denied
        action = request.match_info["action"]
        body: Any = {}
        if request.can_read_body:
            body = await self._body(request)
            if isinstance(body, web.Response):
                return body
        engine = self.engine
        try:
            if action == "start":
                engine.start()
            elif action == "pause":
                engine.pause()
            elif action == "toggle":
                engine.toggle()
            elif action == "next":
                engine.next_phase()
            elif action == "previous":
                engine.previous_phase()
            elif action == "extend":
                minutes = body.get("minutes", 1)
                if not isinstance(minutes, int | float) or isinstance(minutes, bool):
                    return _error(400, "minutes skal være et tal.")
                engine.extend(minutes)
            elif action == "goto":
                index = body.get("index")
                if not isinstance(index, int) or isinstance(index, bool):
                    return _error(400, "index skal være et heltal.")
                engine.goto(index)
            else:
                return _error(404, f"Ukendt handling: {action}")
        except EngineError as exc:
            return _error(409, str(exc))
        return _json(engine.state())

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _check_token(request: web.Request, expected: str) -> web.Response | None:
        given = ""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            given = header[7:].strip()
        else:
            given = request.query.get("token", "")
        if not given:
            return _error(401, "Adgang kræver et link med nøgle.")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return _error(403, "Nøglen passer ikke til dette møde.")
        return None

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any] | web.Response:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "For meget data på én gang.")
        if not raw:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _error(400, "Ugyldig JSON.")
        if not isinstance(data, dict):
            return _error(400, "Forventede et JSON-objekt.")
        return data
