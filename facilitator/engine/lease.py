"""The lease: one live process per meeting, kept alive by a heartbeat."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from facilitator.engine.core import EngineCore
from facilitator.engine.errors import MeetingBusy
from storage.db import StorageError
from storage.repo import LeaseHeld

HEARTBEAT_S = 30.0
LEASE_WAIT_S = 5.0  # how long `run`/`serve` waits for the previous run on this machine to close
LEASE_POLL_S = 0.2


class Lease(EngineCore):
    _lease_pid: int | None = None
    _heartbeat: object = None

    def acquire(
        self,
        where: str = "",
        *,
        wait: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Take the meeting for this process (raises MeetingBusy) and keep it alive.

        When a live process on this machine holds it (the previous run, still closing
        after its terminal was shut), poll the lease for up to ``wait`` seconds before
        giving up; ``on_wait(where)`` is called once when the waiting begins. A holder on
        another machine is not waited for. This blocks: call it before the loop runs.
        """
        pid = os.getpid()
        label = where or f"pid {pid} på {socket.gethostname()}"
        deadline: float | None = None
        while True:
            try:
                self.store.acquire_lease(self.meeting_id, pid, label, self.now())
                break
            except LeaseHeld as exc:
                busy = MeetingBusy(f"mødet {self.meeting_id} kører allerede ({exc.where})")
                if wait <= 0 or not exc.local:
                    raise busy from None
                now = monotonic()
                if deadline is None:
                    deadline = now + wait
                    if on_wait is not None:
                        on_wait(exc.where)
                elif now >= deadline:
                    raise busy from None
                sleep(max(0.0, min(LEASE_POLL_S, deadline - now)))
        self._lease_pid = pid
        self._schedule_heartbeat()

    def release(self) -> None:
        """Give the meeting up, finish the queued writes and stop every timer. Safe to
        call twice."""
        self.stop_timers()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        self.writer.close()
        if self._lease_pid is not None:
            try:
                self.store.release_lease(self.meeting_id, self._lease_pid)
            except StorageError:
                pass  # the lease goes stale on its own
            self._lease_pid = None
        self._fanout.close()

    def _schedule_heartbeat(self) -> None:
        if self._heartbeat is not None or self._lease_pid is None:
            return
        store, meeting_id, pid = self.store, self.meeting_id, self._lease_pid

        def beat() -> None:
            self._heartbeat = None
            if self._lease_pid is None:
                return
            self._spawn(self._beat(store, meeting_id, pid))
            self._schedule_heartbeat()

        self._heartbeat = self._schedule(HEARTBEAT_S, beat)

    async def _beat(self, store, meeting_id: int, pid: int) -> None:  # noqa: ANN001
        try:
            await self._commit(lambda: store.heartbeat(meeting_id, pid, self.now()))
        except StorageError:
            pass  # the next beat tries again
