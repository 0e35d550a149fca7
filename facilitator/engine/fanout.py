"""The fan-out: every subscriber of a live meeting gets the newest snapshot.

Each subscription is a "latest" slot: a slow subscriber gets the newest state when it is
ready and never stalls the others. Listeners are called synchronously on the loop (the
TUI posts a message from its listener; the web's hub encodes once for every phone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from facilitator.engine.events import Snapshot

Listener = Callable[[Snapshot], None]


class Subscription:
    """A subscriber's latest-state slot. ``await get()`` returns the newest snapshot."""

    def __init__(self, fanout: FanOut):
        self._fanout = fanout
        self._latest: Snapshot | None = None
        self._ready = asyncio.Event()
        self.closed = False

    def offer(self, snapshot: Snapshot) -> None:
        self._latest = snapshot
        self._ready.set()

    def take(self) -> Snapshot | None:
        """The newest snapshot not yet taken, without waiting."""
        snapshot, self._latest = self._latest, None
        self._ready.clear()
        return snapshot

    async def get(self) -> Snapshot | None:
        """Wait for the next snapshot; None once the subscription is closed."""
        while True:
            await self._ready.wait()
            if self.closed:
                return None
            snapshot = self.take()
            if snapshot is not None:
                return snapshot

    def close(self) -> None:
        self.closed = True
        self._fanout.unsubscribe(self)
        self._ready.set()


class FanOut:
    def __init__(self, first: Snapshot) -> None:
        self.latest = first
        self._subscribers: set[Subscription] = set()
        self._listeners: list[Listener] = []

    def subscribe(self) -> Subscription:
        """A new subscriber; it gets the current state at once."""
        sub = Subscription(self)
        self._subscribers.add(sub)
        sub.offer(self.latest)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    def add_listener(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def remove_listener(self, callback: Listener) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def publish(self, snapshot: Snapshot) -> None:
        self.latest = snapshot
        for sub in self._subscribers:
            sub.offer(snapshot)
        for listener in list(self._listeners):
            listener(snapshot)

    def close(self) -> None:
        for sub in list(self._subscribers):
            sub.close()
