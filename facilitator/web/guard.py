"""What keeps one client from locking the room out of the web server (issue 6, item 2).

One machine on the venue's Wi-Fi that opens connections and never finishes a request would
otherwise hold every file the process may open, and no phone could connect. The guards:

- **Header timeout.** A request whose headers have not arrived ``header_timeout_s`` after the
  connection opened (or after the previous response on a kept-alive connection) is closed.
  aiohttp (3.14.4 and later) does this itself with ``keepalive_timeout``: ``RequestHandler``
  arms that timer in ``connection_made``, and when it fires while the handler still waits for
  a request (a half-sent one included) it closes the connection. Arriving bytes do not push it
  back, so a request line that trickles in is closed all the same; a request being handled
  (an event stream) is never cut. ``GuardedAppRunner`` sets it from the settings.
- **Connections per address.** ``GuardedServer`` counts open connections per client address
  (loopback like any other) and closes one over ``max_connections_per_address`` at once,
  before any of it is read.
- **Open files.** ``raise_open_file_limit`` lifts the soft RLIMIT_NOFILE towards the hard one
  (macOS starts processes at 256).
- **Room when files run short.** Past what the open-file limit leaves room for (a flood from
  many addresses, each under its cap), the connections that have not yet sent a request head
  are closed, oldest first (``ConnectionCap.max_open``).
- **Quiet refusals.** When the files run out all the same, asyncio logs
  "socket.accept() out of system resource" with a traceback, up to 128 times per wake-up, and
  retries a second later, for as long as the flood lasts (the 188 MB a minute of issue 6);
  ``AcceptLogFilter`` lets one line of each such message through a minute.

``GuardedAppRunner`` puts them together: it is ``web.AppRunner`` with the settings added.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from facilitator.web.settings import WebSettings

# The soft open-file limit asked for at start: far more than a meeting room needs.
OPEN_FILES_WANTED = 65536
# macOS refuses a soft limit above OPEN_MAX when the hard limit is "unlimited".
OPEN_FILES_MACOS = 10240


def raise_open_file_limit(wanted: int = OPEN_FILES_WANTED) -> int | None:
    """Raise the soft limit on open files to min(hard limit, ``wanted``); never lower it.

    Returns the soft limit in force afterwards (None where the platform has none). A refusal
    leaves the limit as it was: the other guards still hold.
    """
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return soft
    target = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
    for candidate in (target, min(target, OPEN_FILES_MACOS)):
        if candidate <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (candidate, hard))
        except (ValueError, OSError):
            continue
        return candidate
    return soft


class AcceptLogFilter(logging.Filter):
    """Lets asyncio's refused-accept message through at most once per ``interval_s``.

    The one that passes is made a single line (the error, no traceback) and says how many
    were left out since the last one. Every other record passes untouched.
    """

    MESSAGES = (
        "socket.accept() out of system resource",
        "Error on transport creation for incoming connection",
        # CPython 3.11's accept loop goes on after EMFILE: up to `backlog` (128) tracebacks
        # per wake-up, each scheduling a retry a second later; retries still due when the
        # server closes fail on the closed socket, one traceback each.
        "Exception in callback BaseSelectorEventLoop._start_serving",
    )

    def __init__(
        self, interval_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.clock = clock
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.msg if isinstance(record.msg, str) else ""
        kind = next((m for m in self.MESSAGES if text.startswith(m)), None)
        if kind is None:
            return True
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval_s:
            self._left_out[kind] = self._left_out.get(kind, 0) + 1
            return False
        self._last[kind] = now
        line = kind
        if record.exc_info and record.exc_info[1] is not None:
            line += f": {record.exc_info[1]}"
        left_out = self._left_out.pop(kind, 0)
        if left_out:
            line += f" ({left_out} more since the last such line)"
        record.msg, record.args = line, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


_accept_filter: AcceptLogFilter | None = None


def install_accept_log_filter() -> AcceptLogFilter:
    """Put one ``AcceptLogFilter`` on the ``asyncio`` logger (once per process)."""
    global _accept_filter
    if _accept_filter is None:
        _accept_filter = AcceptLogFilter()
        logging.getLogger("asyncio").addFilter(_accept_filter)
    return _accept_filter


def client_address(transport: asyncio.BaseTransport) -> str:
    """The peer's IP address as a string ('' when there is none, as on a Unix socket)."""
    peer = transport.get_extra_info("peername")
    if not isinstance(peer, (tuple, list)) or not peer:
        return ""
    address = str(peer[0])
    if address.startswith("::ffff:") and "." in address:  # IPv4 on a dual-stack socket
        address = address[len("::ffff:") :]
    return address


class ConnectionCap:
    """Open connections per client address, and which of them may be closed to make room.

    ``max_open`` (from the open-file limit) bounds all connections together: past it, the
    connections that have not yet sent a request head are closed, oldest first. A flood from
    many addresses is made of those; a phone's connection sends its request at once, and a
    request being answered (an event stream) is never one of them.
    """

    def __init__(self, max_per_address: int, max_open: int | None = None) -> None:
        self.max_per_address = max_per_address
        self.max_open = max_open
        self.refused = 0  # over the per-address cap
        self.evicted = 0  # closed before their request head, to make room
        self._open: dict[str, int] = {}
        self._address: dict[RequestHandler, str] = {}
        self._waiting: dict[RequestHandler, None] = {}  # no request head yet, oldest first
        self._closing: set[RequestHandler] = set()

    def open(self, handler: RequestHandler, address: str) -> list[RequestHandler]:
        """Count a new connection; returns the connections to close (it, or older idle ones)."""
        count = self._open.get(address, 0) + 1
        self._open[address] = count
        self._address[handler] = address
        if count > self.max_per_address:
            self.refused += 1
            self._closing.add(handler)
            return [handler]
        self._waiting[handler] = None
        excess = len(self._address) - len(self._closing) - (self.max_open or len(self._address))
        victims = list(self._waiting)[: max(0, excess)]
        for victim in victims:
            del self._waiting[victim]
            self._closing.add(victim)
        self.evicted += len(victims)
        return victims

    def requested(self, handler: RequestHandler) -> None:
        """The connection's request head has arrived."""
        self._waiting.pop(handler, None)

    def close(self, handler: RequestHandler) -> None:
        self._waiting.pop(handler, None)
        self._closing.discard(handler)
        address = self._address.pop(handler, None)
        if address is None:
            return
        count = self._open[address] - 1
        if count:
            self._open[address] = count
        else:
            del self._open[address]

    def open_from(self, address: str) -> int:
        return self._open.get(address, 0)


class GuardedServer(web.Server):
    """aiohttp's low-level server, with a ``ConnectionCap`` deciding which connections close.

    ``RequestHandler`` reports each connection to its server (``connection_made``, before it
    reads anything) and its end (``connection_lost``), and asks the server's
    ``request_factory`` for each request once its head has arrived; those three calls keep
    the count. A close is deferred one loop step, so the handler has finished starting (its
    task exists) and stops cleanly instead of being torn down half made.
    """

    cap: ConnectionCap
    app_request_factory: Any

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        for victim in self.cap.open(handler, client_address(transport)):
            self._loop.call_soon(victim.force_close)

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        self.cap.close(handler)
        super().connection_lost(handler, exc)

    def noting_request_factory(self, message: Any, payload: Any, protocol: Any, *args: Any) -> Any:
        self.cap.requested(protocol)
        return self.app_request_factory(message, payload, protocol, *args)


def max_open_connections(open_files: int | None) -> int | None:
    """Connections that fit in ``open_files`` with room to spare.

    The room: asyncio accepts up to 128 connections (the listen backlog) in one go before any
    of them can be closed, and the process keeps files of its own (database, log, sockets).
    """
    if open_files is None or open_files < 0:  # no limit (RLIM_INFINITY is -1)
        return None
    return max(32, open_files - 128 - 32)


class GuardedAppRunner(web.AppRunner):
    """``web.AppRunner`` with the flood guards of ``settings`` (see the module's text)."""

    def __init__(self, app: web.Application, settings: WebSettings, **kwargs: Any) -> None:
        kwargs.setdefault("keepalive_timeout", settings.header_timeout_s)
        super().__init__(app, **kwargs)
        self.settings = settings
        self.cap = ConnectionCap(settings.max_connections_per_address)

    async def setup(self) -> None:
        self.cap.max_open = max_open_connections(raise_open_file_limit())
        install_accept_log_filter()
        await super().setup()

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()  # runs the app's startup, builds aiohttp's Server
        # aiohttp builds that Server inside Application._make_handler with no way to ask for a
        # subclass. GuardedServer adds overrides and two attributes, no state aiohttp knows
        # of, so the instance is made one in place.
        server.__class__ = GuardedServer
        assert isinstance(server, GuardedServer)
        server.cap = self.cap
        server.app_request_factory = server.request_factory
        server.request_factory = server.noting_request_factory
        return server
