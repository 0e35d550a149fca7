"""The participant, assistant and remote-control pages and the JSON/SSE API, served by
aiohttp in the app's own loop.

Routes (see shared/DESIGN.md, "Contracts", and issue 3):
    GET  /                          the participant page (one HTML file and the common script)
    GET  /static/common.js          the script the three pages share
    GET  /assist                    the assistants' page (assistant token)
    GET  /remote                    the mødeleder's remote control (control token)
    GET  /wall                      the wall display: the projector's view in a browser
                                    (no token; its stream is /api/events?role=wall)
    GET  /api/wall                  the wall's address line: {url} (the participant page)
    GET  /api/qr.svg                the participant page's QR code (404 with no network)
    GET  /api/ranking               the prioritering as the projector shows it (marks
                                    hidden while a vote hides them; no særskilt spor)
    GET  /api/state                 the meeting's state
    GET  /api/events                Server-Sent Events: `state` on every change (a phone
                                    gets board changes at most twice a second and no
                                    event for the phone count; see hub.py). role=staff
                                    and role=wall: not a phone, every event at once
    GET  /api/flipovers             the open flip-overs (marks null while hidden, "mine" per card)
    GET  /api/bruttoliste           the forløb's previous meeting's wishes, ranked (no
                                    særskilt spor; no token: it is what the room sees)
    POST /api/flipovers             assistant token: {group, heading, proposals[], wish?};
                                    a proposal is a text or {text, level}
    PUT  /api/flipovers/{id}        assistant token: as POST
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

The routes live by who uses them: ``pages`` (the three pages and their common script),
``phones`` (state, events, flip-overs, marks, picks), ``assistants`` (flip-overs typed in,
photos, groups) and ``control`` (the remote). ``access`` checks the staff tokens for all of
them, ``middleware`` the Host, Origin and errors, ``hub`` fans the engine's events out to
the open event streams.

A phone is known by the anonymous device id in the httpOnly cookie ``fac_device``; marks and
picks are rate-limited per device, the budget itself is enforced by the engine.
No access log is written (a token may travel in a query string), bodies are size-limited
and every text reaches the pages as JSON, which they insert with textContent.
"""

from __future__ import annotations

import errno
from typing import Any

from aiohttp import web

from facilitator.engine import MeetingEngine
from facilitator.web.access import ASSISTANT, CONTROL, token_check
from facilitator.web.assistants import AssistantRoutes
from facilitator.web.checkpage import CheckRoutes
from facilitator.web.control import ACTIONS, ControlRoutes
from facilitator.web.guard import GuardedAppRunner
from facilitator.web.hub import KEEPALIVE_S, EventHub
from facilitator.web.limits import VOTE_BURST, VOTE_WINDOW_S, RateLimiter
from facilitator.web.middleware import LOCAL_HOSTS, front_door, host_name
from facilitator.web.net import lan_address, url_for
from facilitator.web.pages import CSP, CSP_ASSIST, PageRoutes
from facilitator.web.pages import page as _page
from facilitator.web.phones import PhoneRoutes
from facilitator.web.replies import MAX_BODY
from facilitator.web.security import DeviceIds, install_log_scrubber, register_secrets
from facilitator.web.settings import WebSettings

__all__ = [
    "ACTIONS",
    "AUTO",
    "CSP",
    "CSP_ASSIST",
    "DEFAULT_PORT",
    "DEVICE_COOKIE",
    "KEEPALIVE_S",
    "MAX_BODY",
    "VOTE_BURST",
    "VOTE_WINDOW_S",
    "RateLimiter",
    "WebServer",
    "_page",
    "host_name",
]

DEFAULT_PORT = 8765
DEVICE_COOKIE = "fac_device"
DEVICE_MAX_AGE = 7 * 24 * 3600
AUTO = object()  # lan_address not given: look it up


def cookie_value(header: str | None, name: str) -> str | None:
    """One cookie's value from a Cookie header, read without building every cookie (the
    stdlib parser costs a phone's every request more than the page itself). The device
    id is URL-safe base64 and a signature: no quotes or escapes to undo."""
    if not header:
        return None
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip('"') or None
    return None


class WebServer:
    """Owns the aiohttp runner, the event hub and the phones' devices of one meeting."""

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
        self.hub = EventHub(engine)
        self.vote_limiter = RateLimiter()
        # New device ids per client address (a script inventing phones gets no more).
        per_minute = max(1, self.settings.new_devices_per_minute)
        self.device_limiter = RateLimiter(burst=per_minute, window_s=60.0)
        self._devices: DeviceIds | None = None
        self._hosts: set[str] | None = None  # see _served_hosts
        install_log_scrubber()
        register_secrets(self._tokens)
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

    def wall_urls(self) -> list[str]:
        """The wall page's addresses: this laptop's own first (for the browser on the
        projector), then the LAN one when there is network (another machine's browser)."""
        urls = []
        local = ("127.0.0.1", "0.0.0.0", "::")
        if not self.bound or any(host in local for host in self.bound):
            urls.append(url_for("127.0.0.1", self.port, "/wall"))
        if self.participant_url is not None:
            lan = f"{self.participant_url}wall"
            if lan not in urls:
                urls.append(lan)
        return urls

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

    def _wildcard(self) -> bool:
        return self.host in ("0.0.0.0", "::")

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
            return (
                f"Port {self.port} er optaget – telefonerne kan ikke komme på (vælg en anden port)"
            )
        if exc.errno in (errno.EADDRNOTAVAIL, errno.ENETUNREACH):
            return f"Adressen {host} findes ikke på denne maskine"
        if exc.errno == errno.EACCES:
            return f"Ingen adgang til port {self.port} (vælg en over 1024)"
        return f"Webserveren kunne ikke starte på {host}:{self.port} ({exc.strerror or exc})"

    async def stop(self) -> None:
        self.hub.shut()  # open event streams end at once: quitting must not stall on them
        arrivals = getattr(self, "check_arrivals", None)
        if arrivals is not None:
            arrivals.close()  # and so do the pre-meeting check's waiting requests
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.bound = []
        self._hosts = None

    # ------------------------------------------------------------------ app
    def make_app(self) -> web.Application:
        tokens = {
            ASSISTANT: lambda: self.engine.assistant_token,
            CONTROL: lambda: self.engine.control_token,
        }
        app = web.Application(
            client_max_size=MAX_BODY,
            middlewares=[front_door(self._served_hosts, self._wildcard, token_check(tokens))],
        )
        for group in (PageRoutes, PhoneRoutes, AssistantRoutes, ControlRoutes, CheckRoutes):
            app.router.add_routes(group(self).routes())
        return app

    # ------------------------------------------------------------------ devices
    @property
    def devices(self) -> DeviceIds:
        if self._devices is None:
            self._devices = DeviceIds(self.engine.device_secret or self.engine.assistant_token)
        return self._devices

    def device_id(self, request: web.Request) -> str | None:
        """The phone's device id, if the server issued and signed it for this meeting."""
        return self.devices.verify(cookie_value(request.headers.get("Cookie"), DEVICE_COOKIE))

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
