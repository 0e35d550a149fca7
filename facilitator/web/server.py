"""The participant, assistant and remote-control pages and the JSON/SSE API, served by
aiohttp in the app's own loop.

Routes (see shared/DESIGN.md, "Contracts", and issue 3):
    GET  /                          the participant page (one self-contained HTML file)
    GET  /assist                    the assistants' page (assistant token)
    GET  /remote                    the mødeleder's remote control (control token)
    GET  /api/state                 the meeting's state
    GET  /api/events                Server-Sent Events: `state` on every change
    GET  /api/flipovers             the open flip-overs (marks null while hidden, "mine" per card)
    POST /api/flipovers             assistant token: {group, heading, proposals[]}
    PUT  /api/flipovers/{id}        assistant token: {group, heading, proposals[]}
    POST /api/flipovers/{id}/photo  assistant token: the raw image (JPEG, PNG or WebP)
    GET  /api/flipovers/{id}/photo  assistant or control token
    GET  /api/groups                assistant or control token: the room's groups now
    POST /api/votes                 {flipover_id}: one mark from this device
    DELETE /api/votes               {flipover_id}: take one mark back
    GET  /api/votes/mine            this device's marks and what it has left
    GET  /api/choice                "brænder for": the options and this device's pick
    POST /api/choice                {key}: this device's pick (null clears it)
    POST /api/control/ACTION        control token: start, pause, toggle, next, previous,
                                    extend {minutes}, goto {index}, reveal (end the vote now;
                                    reopening asks first, so only the TUI reopens)

A phone is known by the anonymous device id in the httpOnly cookie ``fac_device``; marks and
picks are rate-limited per device here, the budget itself is enforced by the engine.
No access log is written (a token may travel in a query string), bodies are size-limited
and every text reaches the pages as JSON, which they insert with textContent.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import hmac
import ipaddress
import json
import math
import time
import weakref
from collections.abc import Callable
from importlib import resources
from typing import Any

from aiohttp import web

from facilitator.engine import (
    MAX_PHOTO,
    MAX_PROPOSALS,
    EngineError,
    MeetingEngine,
    StorageError,
    TextRefused,
    VoteRefused,
    default_flipover_kind,
)
from facilitator.web.guard import GuardedAppRunner
from facilitator.web.net import lan_address, url_for
from facilitator.web.security import (
    IDEMPOTENCY_HEADER,
    BadBody,
    DeviceIds,
    bounded_int,
    install_log_scrubber,
    parse_json_body,
    register_secrets,
    script_hashes,
    valid_idempotency_key,
)
from facilitator.web.settings import WebSettings

DEFAULT_PORT = 8765
MAX_BODY = 64 * 1024
KEEPALIVE_S = 15.0
DEVICE_COOKIE = "fac_device"
DEVICE_MAX_AGE = 7 * 24 * 3600
VOTE_BURST = 10  # marks and picks a device may send ...
VOTE_WINDOW_S = 5.0  # ... per this many seconds (token bucket)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
AUTO = object()  # lan_address not given: look it up


# Scripts run only when their hash is listed (no 'unsafe-inline' for scripts): see _csp().
CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CSP_PLAIN = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
# The assistants' page shows photos it fetched itself (blob: URLs) and scales them (canvas).
CSP_ASSIST = CSP.replace("img-src 'self' data:", "img-src 'self' data: blob:")
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

GROUPING_LABELS = {
    "interview": "3-mandsgrupper (interview)",
    "fours": "Grupper på 4",
    "wishes": "Grupper pr. ønske",
}

_KEY_PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
font-size:18px;line-height:1.4;margin:0;padding:24px 16px;max-width:560px}}
h1{{font-size:24px}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""


@functools.lru_cache(maxsize=8)
def _page(name: str) -> bytes:
    return (resources.files("facilitator") / "web" / "static" / name).read_bytes()


@functools.lru_cache(maxsize=8)
def _csp(name: str, template: str) -> str:
    """The page's CSP, allowing exactly its own inline scripts by their hashes."""
    return template.format(scripts=script_hashes(_page(name)))


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return _json({"error": message, **extra}, status=status)


def _int(value: Any) -> int | None:
    return bounded_int(value)


def _refusal_status(exc: EngineError) -> int:
    """400 for text that cannot be stored at all, 422 for a refused command."""
    return 400 if isinstance(exc, TextRefused) else 422


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


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class RateLimiter:
    """A token bucket per key: ``burst`` actions, refilled evenly over ``window_s``."""

    def __init__(
        self,
        burst: int = VOTE_BURST,
        window_s: float = VOTE_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 20_000,
    ) -> None:
        self.burst = float(burst)
        self.rate = burst / window_s
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens = self._level(key, now)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self.max_keys:
            self._prune(now)
        return True

    def retry_after(self, key: str) -> int:
        tokens = self._level(key, self.clock())
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _prune(self, now: float) -> None:
        """Forget full buckets (they behave like new ones); if still too many, the oldest."""
        self._buckets = {k: v for k, v in self._buckets.items() if self._level(k, now) < self.burst}
        if len(self._buckets) > self.max_keys:
            newest = sorted(self._buckets.items(), key=lambda kv: kv[1][1])[-self.max_keys // 2 :]
            self._buckets = dict(newest)


class WebServer:
    """Owns the aiohttp runner and the open SSE streams of one meeting."""

    def __init__(
        self,
        engine: MeetingEngine,
        host: str | None = None,
        port: int = DEFAULT_PORT,
        lan_address: Any = AUTO,
        settings: WebSettings | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or WebSettings()
        self.host = host
        self.port = port
        self._lan = lan_address
        self.error: str | None = None
        self.participant_url: str | None = None
        self.bound: list[str] = []
        self._runner: web.AppRunner | None = None
        self._streams: weakref.WeakSet[web.StreamResponse] = weakref.WeakSet()
        self._phones: dict[str, int] = {}  # device id (or connection key) -> open streams
        self.vote_limiter = RateLimiter()
        # New device ids per client address (a script inventing phones gets no more).
        per_minute = max(1, self.settings.new_devices_per_minute)
        self.device_limiter = RateLimiter(burst=per_minute, window_s=60.0)
        self._devices: DeviceIds | None = None
        self._hosts: set[str] | None = None  # see _served_hosts
        install_log_scrubber()
        register_secrets(self._tokens)
        self._flip_cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self.app = self.make_app()

    def _tokens(self) -> tuple[str, str]:
        """The tokens no log line may carry."""
        return self.engine.assistant_token, self.engine.control_token

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

    def assistant_url(self) -> str | None:
        """The assistants' link (carries the assistant token); None with no network."""
        if self.participant_url is None:
            return None
        return f"{self.participant_url}assist?token={self.engine.assistant_token}"

    def remote_url(self) -> str | None:
        """The remote-control link (carries the control token); None with no network."""
        if self.participant_url is None:
            return None
        return f"{self.participant_url}remote?token={self.engine.control_token}"

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Bind and serve. Never raises: a failure is kept in ``self.error`` for the UI."""
        self.error = None
        public = self.public_host()

        self._runner = GuardedAppRunner(
            self.app,
            self.settings,
            access_log=None,
            shutdown_timeout=0.5,
            handler_cancellation=True,
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
        self._hosts = set(LOCAL_HOSTS) | {h.lower() for h in (self.host, public, *self.bound) if h}
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
        self._hosts = None

    # ------------------------------------------------------------------ app
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._errors, self._guard])
        add = app.router
        add.add_get("/", self.index)
        add.add_get("/favicon.ico", self.no_icon)
        add.add_get("/assist", self.assist_page)
        add.add_get("/remote", self.remote_page)
        add.add_get("/api/state", self.api_state)
        add.add_get("/api/events", self.api_events)
        add.add_get("/api/flipovers", self.api_flipovers)
        add.add_post("/api/flipovers", self.api_add_flipover)
        add.add_put(r"/api/flipovers/{id:\d{1,9}}", self.api_edit_flipover)
        add.add_post(r"/api/flipovers/{id:\d{1,9}}/photo", self.api_set_photo)
        add.add_get(r"/api/flipovers/{id:\d{1,9}}/photo", self.api_photo)
        add.add_get("/api/groups", self.api_groups)
        add.add_post("/api/votes", self.api_vote)
        add.add_delete("/api/votes", self.api_unvote)
        add.add_get("/api/votes/mine", self.api_votes_mine)
        add.add_get("/api/choice", self.api_choice)
        add.add_post("/api/choice", self.api_choose)
        add.add_post("/api/control/{action}", self.api_control)
        return app

    @web.middleware
    async def _errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "For meget data på én gang.")
        except web.HTTPException as exc:
            if exc.status >= 400 and exc.content_type != "application/json":
                words = HTTP_WORDS.get(exc.status, "Forespørgslen kan ikke bruges.")
                return _error(exc.status, words)
            raise
        except StorageError as exc:
            return _error(503, f"Kunne ikke gemme – prøv igen. ({exc})")
        except (BadBody, TextRefused) as exc:
            return _error(400, str(exc))
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Requests from elsewhere: a Host we do not serve (DNS rebinding), a write from
        another origin (a page on another port of the laptop), a phone's mark that is not
        JSON (a plain form post from another site)."""
        if not self._host_allowed(request):
            return _error(421, "Den adresse hører ikke til denne server.")
        if request.method in ("POST", "PUT", "DELETE", "PATCH"):
            origin = request.headers.get("Origin")
            if origin is not None and not self._same_origin(request, origin):
                return _error(403, "Forespørgslen kommer fra en anden side.")
            if request.path in JSON_ONLY and request.content_type != "application/json":
                return _error(415, "Forventede JSON (Content-Type: application/json).")
        return await handler(request)

    def _served_hosts(self) -> set[str]:
        """The host names requests may carry: set when the server starts (looking up the
        LAN address is I/O, not for every request); before that, worked out each time."""
        if self._hosts is not None:
            return self._hosts
        hosts = set(LOCAL_HOSTS)
        for host in (self.host, self.public_host(), *self.bound):
            if host:
                hosts.add(host.lower())
        return hosts

    def _host_allowed(self, request: web.Request) -> bool:
        raw = request.headers.get("Host")
        if raw is None:
            return True  # HTTP/1.0 without a Host: no name to rebind
        try:
            name = host_name(raw)
        except ValueError:
            return False
        if name is None:
            return False
        if name in self._served_hosts():
            return True
        # A wildcard bind serves every address of this machine.
        return self.host in ("0.0.0.0", "::") and _is_ip(name)

    @staticmethod
    def _same_origin(request: web.Request, origin: str) -> bool:
        host = request.headers.get("Host")
        return host is not None and origin.lower() in (
            f"http://{host}".lower(),
            f"https://{host}".lower(),
        )

    # ------------------------------------------------------------------ devices
    @property
    def devices(self) -> DeviceIds:
        if self._devices is None:
            self._devices = DeviceIds(self.engine.device_secret or self.engine.assistant_token)
        return self._devices

    def device_id(self, request: web.Request) -> str | None:
        """The phone's device id, if the server issued and signed it for this meeting."""
        return self.devices.verify(request.cookies.get(DEVICE_COOKIE))

    def set_device_cookie(self, request: web.Request, response: web.StreamResponse) -> bool:
        """Issue a new signed device id, unless this address has had its share for now."""
        if not self.device_limiter.allow(request.remote or "?"):
            return False
        # Lax, not Strict: a phone that scans the QR again (a cross-site navigation) must
        # keep its id, or it would lose sight of its marks and get a fresh budget.
        response.set_cookie(
            DEVICE_COOKIE,
            self.devices.issue(),
            max_age=DEVICE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="Lax",
        )
        return True

    # ------------------------------------------------------------------ pages
    @staticmethod
    def _html(name: str, csp: str = CSP) -> web.Response:
        response = web.Response(body=_page(name), content_type="text/html", charset="utf-8")
        response.headers["Content-Security-Policy"] = _csp(name, csp)
        return response

    async def index(self, request: web.Request) -> web.Response:
        response = self._html("participant.html")
        if self.device_id(request) is None:
            self.set_device_cookie(request, response)
        return response

    async def no_icon(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})

    async def assist_page(self, request: web.Request) -> web.Response:
        denied = self._page_denied(request, self.engine.assistant_token)
        return denied or self._html("assist.html", CSP_ASSIST)

    async def remote_page(self, request: web.Request) -> web.Response:
        denied = self._page_denied(request, self.engine.control_token)
        return denied or self._html("remote.html")

    def _page_denied(self, request: web.Request, expected: str) -> web.Response | None:
        status = self._token_status(request, expected)
        if status is None:
            return None
        if status == 401:
            title = "Linket mangler sin nøgle"
            text = (
                "Siden kræver hele linket – det med nøglen til sidst. "
                "Bed mødelederen om linket; det står i <b>facilitator links</b>."
            )
        else:
            title = "Nøglen passer ikke"
            text = (
                "Nøglen i linket hører ikke til dette møde. "
                "Bed mødelederen om et nyt link – det står i <b>facilitator links</b>."
            )
        response = web.Response(
            text=_KEY_PAGE.format(title=title, text=text),
            status=status,
            content_type="text/html",
            charset="utf-8",
        )
        response.headers["Content-Security-Policy"] = CSP_PLAIN
        return response

    # ------------------------------------------------------------------ state, events
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
        # The assistants' and the remote page say role=staff: they are not phones in the room.
        phone = None
        if request.query.get("role") != "staff":
            phone = self.device_id(request) or f"conn-{id(response)}"
            self._phone_joined(phone)
        subscription = self.engine.subscribe()
        subscription.take()  # the first message is a fresh state, not the last event's
        try:
            await response.write(b"retry: 2000\n\n")
            await self._send(response, _dumps(self.engine.state()))
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
            if phone is not None:
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
        return not self.engine.marks_visible()

    def _board_version(self) -> int | None:
        board = self.engine.latest.state.get("board")
        return board.get("version") if isinstance(board, dict) else None

    def _flip_rows(self, visible: bool, staff: bool) -> list[dict[str, Any]]:
        """The flip-overs as JSON-ready rows, built once per board version."""
        version = self._board_version()
        key = (version, visible, staff)
        if version is not None and self._flip_cache is not None and self._flip_cache[0] == key:
            return self._flip_cache[1]
        themes = {t.id: t for t in self.engine.themes()}
        rows = []
        for flip in self.engine.flipovers():
            theme = themes.get(flip.theme_id) if flip.theme_id is not None else None
            row = {
                "id": flip.id,
                "group": flip.group,
                "kind": flip.kind,
                "heading": flip.heading,
                "proposals": list(flip.proposals),
                "marks": flip.marks if visible else None,
                "theme": theme.name if theme else None,
                # A themed wish is prioritised with its theme.
                "priority": theme.priority if theme else flip.priority,
                "has_photo": flip.has_photo,
            }
            if staff:
                row["grouping"] = flip.grouping
                row["phase_index"] = flip.phase_index
            rows.append(row)
        self._flip_cache = (key, rows)
        return rows

    async def api_flipovers(self, request: web.Request) -> web.Response:
        staff = False
        if self._has_token(request):
            denied = self._check_token(
                request, self.engine.assistant_token, self.engine.control_token
            )
            if denied is not None:
                return denied
            staff = True
        rows = self._flip_rows(self.engine.marks_visible(), staff)
        device = self.device_id(request)
        mine: dict[int, int] = {}
        left = None
        if self.engine.phase.kind == "vote":  # a closed vote still shows a phone its marks
            mine, left = (
                self.engine.device_marks(device) if device else ({}, self.engine.phase.marks)
            )
        listed = [{**row, "mine": mine.get(row["id"], 0)} for row in rows]
        response = _json({"flipovers": listed, "version": self._board_version(), "left": left})
        if device is None and not staff:
            self.set_device_cookie(request, response)
        return response

    @staticmethod
    def _flipover_fields(body: dict[str, Any]) -> tuple[int, str, list[str]] | web.Response:
        group, heading, proposals = (
            body.get("group"),
            body.get("heading"),
            body.get("proposals", []),
        )
        if _int(group) is None:
            return _error(400, "Vælg en gruppe (et nummer fra 1).")
        if not isinstance(heading, str):
            return _error(400, "Overskriften mangler.")
        if not isinstance(proposals, list) or not all(isinstance(p, str) for p in proposals):
            return _error(400, "Forslagene skal være en liste af tekster.")
        return group, heading, proposals

    @staticmethod
    def _flip_json(flip: Any) -> dict[str, Any]:
        return {
            "id": flip.id,
            "group": flip.group,
            "grouping": flip.grouping,
            "kind": flip.kind,
            "heading": flip.heading,
            "proposals": list(flip.proposals),
        }

    async def api_add_flipover(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.assistant_token)
        if denied is not None:
            return denied
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        fields = self._flipover_fields(body)
        if isinstance(fields, web.Response):
            return fields
        key, answer = self._idempotent(request, "flipover_add", None)
        if answer is not None:
            return answer
        try:
            flip = self.engine.add_flipover(*fields, key=key)
        except EngineError as exc:
            return _error(_refusal_status(exc), str(exc))
        return _json(self._flip_json(flip), status=201)

    def _open_flipover(self, request: web.Request) -> int | web.Response:
        flipover_id = int(request.match_info["id"])
        if not any(f.id == flipover_id for f in self.engine.flipovers()):
            return _error(404, "Den flip-over findes ikke (længere).")
        return flipover_id

    async def api_edit_flipover(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.assistant_token)
        if denied is not None:
            return denied
        flipover_id = self._open_flipover(request)
        if isinstance(flipover_id, web.Response):
            return flipover_id
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        fields = self._flipover_fields(body)
        if isinstance(fields, web.Response):
            return fields
        key, answer = self._idempotent(request, "flipover_edit", None)
        if answer is not None:
            return answer
        try:
            flip = self.engine.edit_flipover(flipover_id, *fields, key=key)
        except EngineError as exc:
            return _error(_refusal_status(exc), str(exc))
        return _json(self._flip_json(flip))

    async def api_set_photo(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.assistant_token)
        if denied is not None:
            return denied
        flipover_id = self._open_flipover(request)
        if isinstance(flipover_id, web.Response):
            return flipover_id
        if request.content_type not in PHOTO_TYPES:
            return _error(415, "Billedet skal være JPEG, PNG eller WebP.")
        too_big = f"Billedet er for stort (højst {MAX_PHOTO // 1024} kB)."
        if request.content_length is not None and request.content_length > MAX_PHOTO:
            return _error(413, too_big)
        # Streamed with its own limit: the app's body limit is for JSON, a photo may be larger.
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > MAX_PHOTO:
                return _error(413, too_big)
            chunks.append(chunk)
        if not size:
            return _error(400, "Billedet er tomt.")
        try:
            self.engine.set_photo(flipover_id, request.content_type, b"".join(chunks))
        except EngineError as exc:
            return _error(_refusal_status(exc), str(exc))
        return _json({"id": flipover_id, "bytes": size}, status=201)

    async def api_photo(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.assistant_token, self.engine.control_token)
        if denied is not None:
            return denied
        flipover_id = self._open_flipover(request)
        if isinstance(flipover_id, web.Response):
            return flipover_id
        photo = self.engine.photo(flipover_id)
        if photo is None:
            return _error(404, "Der er intet foto af den flip-over.")
        content_type, data = photo
        response = web.Response(body=data, content_type=content_type)
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    async def api_groups(self, request: web.Request) -> web.Response:
        denied = self._check_token(request, self.engine.assistant_token, self.engine.control_token)
        if denied is not None:
            return denied
        engine = self.engine
        grouping = engine.current_grouping()
        phase = engine.phase
        labels = engine.group_labels(grouping)  # the wishes the room chose, else None
        limit = max(phase.max_proposals, 1) if phase.kind == "flipover" else MAX_PROPOSALS
        return _json(
            {
                "grouping": grouping,
                "grouping_label": GROUPING_LABELS.get(grouping, grouping),
                "count": engine.group_count(grouping),
                "labels": labels,
                "kind": default_flipover_kind(phase),
                "max_proposals": limit,
                "phase": {"index": engine.index, "kind": phase.kind, "title": phase.title},
            }
        )

    # ------------------------------------------------------------------ marks, picks
    async def _phone_action(self, request: web.Request) -> tuple[str, dict] | web.Response:
        """The common checks of a phone's mark or pick: body, device cookie, rate."""
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        device = self.device_id(request)
        if device is None:
            response = _error(
                400, "Telefonen mangler sin anonyme nøgle – prøv igen.", code="no_device"
            )
            if not self.set_device_cookie(request, response):
                response = _error(429, "For mange nye telefoner fra samme adresse – vent lidt.")
                response.headers["Retry-After"] = str(
                    self.device_limiter.retry_after(request.remote or "?")
                )
            return response
        if not self.vote_limiter.allow(device):
            response = _error(429, "Du trykker for hurtigt – vent et øjeblik og prøv igen.")
            response.headers["Retry-After"] = str(self.vote_limiter.retry_after(device))
            return response
        return device, body

    def _marks_json(self, device: str) -> dict[str, Any]:
        mine, left = self.engine.device_marks(device)
        return {"mine": {str(k): v for k, v in mine.items()}, "left": left}

    async def _mark(self, request: web.Request, add: bool) -> web.Response:
        checked = await self._phone_action(request)
        if isinstance(checked, web.Response):
            return checked
        device, body = checked
        flipover_id = _int(body.get("flipover_id"))
        if flipover_id is None:
            return _error(400, "flipover_id skal være et heltal.")
        key, answer = self._idempotent(request, "vote" if add else "unvote", device)
        if answer is not None:
            return answer
        try:
            if add:
                mine, left = self.engine.vote(device, flipover_id, key=key)
            else:
                mine, left = self.engine.unvote(device, flipover_id, key=key)
        except VoteRefused as exc:
            return _error(exc.status, str(exc), **self._marks_json(device))
        return _json({"mine": {str(k): v for k, v in mine.items()}, "left": left})

    async def api_vote(self, request: web.Request) -> web.Response:
        return await self._mark(request, add=True)

    async def api_unvote(self, request: web.Request) -> web.Response:
        return await self._mark(request, add=False)

    async def api_votes_mine(self, request: web.Request) -> web.Response:
        device = self.device_id(request)
        if device is not None:
            return _json(self._marks_json(device))
        response = _json({"mine": {}, "left": self.engine.phase.marks if self.engine.voting else 0})
        self.set_device_cookie(request, response)
        return response

    def _choice_json(self, device: str | None) -> dict[str, Any]:
        engine = self.engine
        return {
            "open": engine.phase.kind == "choose",
            "options": [
                {"key": item.key, "title": item.title, "count": count}
                for item, count in engine.choice_counts()
            ],
            "mine": engine.device_choice(device) if device else None,
        }

    async def api_choice(self, request: web.Request) -> web.Response:
        device = self.device_id(request)
        response = _json(self._choice_json(device))
        if device is None:
            self.set_device_cookie(request, response)
        return response

    async def api_choose(self, request: web.Request) -> web.Response:
        checked = await self._phone_action(request)
        if isinstance(checked, web.Response):
            return checked
        device, body = checked
        key = body.get("key")
        if key is not None and not (isinstance(key, str) and 2 <= len(key) <= 24):
            return _error(400, "key skal være et ønskes nøgle eller null.")
        if key is not None and (key[0] not in "ft" or not key[1:].isdigit()):
            return _error(404, "Det ønske kan ikke vælges.")
        idem, answer = self._idempotent(request, "choice", device)
        if answer is not None:
            return answer
        try:
            self.engine.choose(device, key, idem_key=idem)
        except VoteRefused as exc:
            return _error(exc.status, str(exc), **self._choice_json(device))
        return _json(self._choice_json(device))

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
                index = _int(body.get("index"))
                if index is None:
                    return _error(400, "index skal være et heltal.")
                engine.goto(index)
            elif action == "reveal":
                engine.reveal_now()
            else:
                return _error(404, f"Ukendt handling: {action}")
        except EngineError as exc:
            return _error(409, str(exc))
        return _json(engine.state())

    # ------------------------------------------------------------------ idempotency
    @staticmethod
    def _idempotency_key(request: web.Request) -> str | None | web.Response:
        """The submission's Idempotency-Key, if it sent one (the pages always do)."""
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return None
        if not valid_idempotency_key(key):
            return _error(400, "Idempotency-Key skal være 8–128 tegn af A–Z, a–z, 0–9, - og _.")
        return key

    def _idempotent(
        self, request: web.Request, scope: str, device: str | None
    ) -> tuple[str | None, web.Response | None]:
        """(the submission's key, an answer to give at once): a malformed key's 400, or
        the first answer again when this key's write is already stored."""
        key = self._idempotency_key(request)
        if isinstance(key, web.Response):
            return None, key
        return key, self._replay(key, scope, device)

    def _replay(self, key: str | None, scope: str, device: str | None) -> web.Response | None:
        """The first answer again, when this key's write is already stored (a retry after
        a lost answer); None when the key is new."""
        if key is None:
            return None
        prior = self.engine.idempotent(key)
        if prior is None:
            return None
        done, result = prior
        if done != scope:
            return _error(422, "Den Idempotency-Key er allerede brugt til noget andet.")
        if scope in ("flipover_add", "flipover_edit"):
            flipover_id = int(result)
            flips = self.engine.flipovers(include_confidential=True)
            flip = next((f for f in flips if f.id == flipover_id), None)
            body = self._flip_json(flip) if flip is not None else {"id": flipover_id}
            return _json({**body, "replayed": True}, status=201 if scope == "flipover_add" else 200)
        if scope == "choice":
            return _json({**self._choice_json(device), "replayed": True})
        return _json({**self._marks_json(device or ""), "replayed": True})

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _given_token(request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        if not header.isascii():
            return "\x00"  # never a token: refused with 403
        if header.startswith("Bearer "):
            return header[7:].strip()
        return request.query.get("token", "")

    @classmethod
    def _has_token(cls, request: web.Request) -> bool:
        return bool(cls._given_token(request) or request.headers.get("Authorization"))

    @classmethod
    def _token_status(cls, request: web.Request, *expected: str) -> int | None:
        """None when the request carries one of the expected tokens, else 401 or 403."""
        given = cls._given_token(request)
        if not given:
            return 401
        if not given.isascii() or len(given) > 256:
            return 403
        ok = False
        for token in expected:
            ok |= hmac.compare_digest(given.encode(), token.encode())
        return None if ok else 403

    @classmethod
    def _check_token(cls, request: web.Request, *expected: str) -> web.Response | None:
        status = cls._token_status(request, *expected)
        if status == 401:
            return _error(401, "Adgang kræver et link med nøgle.")
        if status == 403:
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
            data = parse_json_body(raw)
        except (BadBody, TextRefused) as exc:
            return _error(400, str(exc))
        if not isinstance(data, dict):
            return _error(400, "Forventede et JSON-objekt.")
        return data
