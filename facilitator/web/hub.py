"""The web's fan-out: one engine listener for every open event stream (SSE).

The hub listens to the engine once, however many phones are connected. Each snapshot
is encoded to the bytes of one SSE message once (``payload``), and the same bytes go to
every stream that should have it. A stream belongs to one ``Channel``: the phones', or
the staff pages' (assistants, remote control, and the wall display: not a phone, and it
follows every event at once). A channel keeps only its latest bytes and a number that
grows with each; every stream's loop waits on the channel's one ``asyncio.Event``, wakes
when the number moves, and writes the latest bytes. A slow phone therefore skips the
versions it had no time for and never holds up the others, and no task or timer is made
per stream or per event.

What the phones get, and when:
- ``phones`` events (a phone came or went) are for the projector: not sent to the
  phones. The count rides along in the state of the next event they do get.
- Board events (marks, flip-overs, themes, picks, ...) are coalesced: at most one every
  ``COALESCE_S``, carrying the latest state. A room of phones marking at once would
  otherwise make every phone refetch the board for every mark.
- Every other event (a phase, the clock, a turn, the vote's end) goes out at once.
Staff pages get every event at once.

Idle streams get a keep-alive comment from one hub timer. Time and timers come from an
injectable ``scheduler`` (``now()``, ``call_later(delay, callback)``), so tests drive
them without waiting.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

# The engine's event kinds after which the phones refetch the flip-overs.
BOARD_KINDS = frozenset(
    {
        "vote",
        "flipover_added",
        "flipover_edited",
        "flipover_deleted",
        "theme",
        "priority",
        "choice",
        "photo",
        "confidential",
    }
)
NOT_FOR_PHONES = frozenset({"phones"})
COALESCE_S = 0.5
KEEPALIVE_S = 15.0
RETRY = b"retry: 2000\n\n"  # EventSource reconnects after 2 s
KEEPALIVE = b": keepalive\n\n"


def sse_message(state_json: str) -> bytes:
    """One ``state`` message of the event stream."""
    return b"event: state\ndata: " + state_json.encode("utf-8") + b"\n\n"


class Handle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def now(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle: ...


class LoopScheduler:
    """The running asyncio loop's time and timers."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        return asyncio.get_running_loop().call_later(delay, callback)


SHARDS = 16  # a channel's streams wake in this many groups, one group per turn of the loop


class Stream:
    """One open event stream: where it writes, and what it has written."""

    __slots__ = ("response", "channel", "task", "number", "beats", "shard")

    def __init__(self, response: web.StreamResponse, channel: Channel) -> None:
        self.response = response
        self.channel = channel
        self.task = asyncio.current_task()
        self.number = channel.number
        self.beats = channel.beats
        self.shard = channel.next_shard()

    async def run(self) -> None:
        """Write the channel's latest bytes whenever they change, until cancelled."""
        channel, write = self.channel, self.response.write
        while True:
            if channel.number != self.number:
                self.number, self.beats = channel.number, channel.beats
                await write(channel.payload)
            elif channel.beats != self.beats:
                self.beats = channel.beats
                await write(KEEPALIVE)
            else:
                await channel.changed(self.shard)


class Channel:
    """One audience's latest bytes, their number, and the event that wakes its streams."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.number = 0  # bytes put so far
        self.beats = 0  # keep-alive ticks that found the channel quiet
        self.payload = b""
        self.quiet = True  # nothing put since the last tick
        self.streams: set[Stream] = set()
        self._wakes = [asyncio.Event() for _ in range(SHARDS)]
        self._shard = 0

    def put(self, payload: bytes) -> None:
        self.number += 1
        self.payload = payload
        self.quiet = False
        self._ring()

    def beat(self) -> None:
        if self.quiet and self.streams:
            self.beats += 1
            self._ring()
        self.quiet = True

    def next_shard(self) -> int:
        """The wake-up group of a new stream (round robin)."""
        self._shard = (self._shard + 1) % SHARDS
        return self._shard

    def changed(self, shard: int = 0) -> Any:
        """An awaitable that completes at the next put or keep-alive tick."""
        return self._wakes[shard].wait()

    def _ring(self) -> None:
        """Wake the streams one group per turn of the loop: a thousand phones written to
        in one turn would stall the countdown and the keys for as long as that takes."""
        wakes, self._wakes = self._wakes, [asyncio.Event() for _ in range(SHARDS)]
        loop = asyncio.get_running_loop()

        def ring(shard: int) -> None:
            wakes[shard].set()
            if shard + 1 < SHARDS:
                loop.call_soon(ring, shard + 1)

        ring(0)


class EventHub:
    """The one engine listener of the web, and the channels it feeds."""

    def __init__(self, engine: Any, scheduler: Scheduler | None = None) -> None:
        self.engine = engine
        self.scheduler: Scheduler = scheduler or LoopScheduler()
        self.phones = Channel("phones")
        self.staff = Channel("staff")
        self.latest: Any = None  # the newest snapshot seen
        self._encoded: tuple[Any, bytes] | None = None
        self._listening = False
        self._flush: Handle | None = None  # the coalesced board update, when one is due
        self._keepalive: Handle | None = None
        self._phones_sent_at = -math.inf

    @property
    def streams(self) -> set[Stream]:
        return self.phones.streams | self.staff.streams

    # ------------------------------------------------------------------ encoding
    def encode(self, snapshot: Any) -> bytes:
        return sse_message(snapshot.json)

    def payload(self, snapshot: Any) -> bytes:
        """The snapshot's SSE bytes, encoded once however many channels send them."""
        if self._encoded is None or self._encoded[0] is not snapshot:
            self._encoded = (snapshot, self.encode(snapshot))
        return self._encoded[1]

    # ------------------------------------------------------------------ engine events
    def on_snapshot(self, snapshot: Any) -> None:
        """The engine's listener: called on the loop with every snapshot it publishes."""
        self.latest = snapshot
        kind = snapshot.event.kind
        if self.staff.streams:
            self.staff.put(self.payload(snapshot))
        if kind in NOT_FOR_PHONES or not self.phones.streams:
            return
        if kind in BOARD_KINDS:
            self._board_changed()
        else:
            self._send_phones()

    def _board_changed(self) -> None:
        if self._flush is not None:
            return  # an update is due already; it will carry this change
        wait = self._phones_sent_at + COALESCE_S - self.scheduler.now()
        if wait <= 0:
            self._send_phones()
        else:
            self._flush = self.scheduler.call_later(wait, self._send_phones)

    def _send_phones(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        self._phones_sent_at = self.scheduler.now()
        if self.latest is not None and self.phones.streams:
            self.phones.put(self.payload(self.latest))

    def _beat(self) -> None:
        self._keepalive = self.scheduler.call_later(KEEPALIVE_S, self._beat)
        self.phones.beat()
        self.staff.beat()

    # ------------------------------------------------------------------ streams
    def open(self, response: web.StreamResponse, *, staff: bool) -> Stream:
        """Count a stream in; from now on it gets what its channel gets."""
        stream = Stream(response, self.staff if staff else self.phones)
        stream.channel.streams.add(stream)
        if not self._listening:
            self._listening = True
            self.latest = self.engine.latest
            self.engine.add_listener(self.on_snapshot)
            self._keepalive = self.scheduler.call_later(KEEPALIVE_S, self._beat)
        return stream

    def close(self, stream: Stream) -> None:
        stream.channel.streams.discard(stream)
        if self._listening and not self.phones.streams and not self.staff.streams:
            self._stop_listening()

    def _stop_listening(self) -> None:
        self._listening = False
        self.engine.remove_listener(self.on_snapshot)
        for handle in (self._flush, self._keepalive):
            if handle is not None:
                handle.cancel()
        self._flush = self._keepalive = None

    def shut(self) -> None:
        """End every open stream (the server is stopping)."""
        for stream in list(self.streams):
            if stream.task is not None:
                stream.task.cancel()
