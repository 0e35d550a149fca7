"""Writes off the event loop: one writer thread, in order, grouped.

A command hands its storage work (a plain function) to :meth:`Writer.submit` together with
what to do on the loop once the work has committed (``apply``: change the read model and
publish). The writer thread takes every job waiting, runs them in one transaction with one
commit (``Store.run_batch``: each job in its own SAVEPOINT, one fsync for all), and hands
each result back to the loop. ``apply`` runs on the loop even if the command that waited
for it was cancelled (a phone that hung up), so memory always follows the disk.

A locked or slow database delays the writes waiting for it, never the countdown, the keys
or the reads: those never wait for the writer. The mødeleder's commands are ``urgent``: they
go before the room's queued marks, in a transaction of their own, so a key pressed while
300 phones mark answers in one commit's time, not after the room's.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from storage.repo import Store

T = TypeVar("T")
# (work, apply, loop, future): what to write, what to do once it is on disk, and whom to tell.
Job = tuple[Callable[[], Any], Callable[[Any], Any] | None, Any, Any]
MAX_BATCH = 500  # jobs in one transaction, at most


class Writer:
    def __init__(self, store: Store, *, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._max_batch = max_batch
        self._jobs: deque[Job] = deque()  # the room's marks and picks, in order
        self._urgent: deque[Job] = deque()  # the mødeleder's commands, in order
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0  # transactions committed (for the curious and the benchmarks)
        self.jobs_done = 0

    async def submit(
        self,
        work: Callable[[], T],
        apply: Callable[[T], Any] | None = None,
        *,
        urgent: bool = False,
    ) -> Any:
        """Run ``work`` on the writer thread; once it has committed, ``apply(result)`` on
        the loop; return what ``apply`` returned (or the result). Raises what ``work`` or
        ``apply`` raised, or the StorageError of a failed commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._put(work, apply, loop, future, urgent)
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    # ------------------------------------------------------------------ the thread
    def _put(self, work, apply, loop, future, urgent: bool = False) -> None:  # noqa: ANN001
        with self._wake:
            if self._closed:
                raise RuntimeError("the writer is closed")
            (self._urgent if urgent else self._jobs).append((work, apply, loop, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="facilitator-writer", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._jobs and not self._urgent and not self._closed:
                    self._wake.wait()
                queue = self._urgent or self._jobs
                if not queue:
                    return
                batch = [queue.popleft() for _ in range(min(len(queue), self._max_batch))]
            results = self._execute([work for work, *_ in batch])
            self.batches += 1
            self.jobs_done += len(batch)
            for (_work, apply, loop, future), result in zip(batch, results, strict=True):
                try:
                    loop.call_soon_threadsafe(_finish, apply, future, result)
                except RuntimeError:
                    pass  # the loop is closed: nobody waits any more

    def _execute(self, works: list[Callable[[], Any]]) -> list[Any]:
        run_batch = getattr(self._store, "run_batch", None)
        if run_batch is not None and len(works) > 1:
            return run_batch(works)
        results: list[Any] = []
        for work in works:
            try:
                results.append(work())
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting command
                results.append(exc)
        return results


def _finish(apply: Callable[[Any], Any] | None, future: asyncio.Future, result: Any) -> None:
    """On the loop: apply a committed result to memory, then answer the command."""
    if isinstance(result, BaseException):
        if not future.done():
            future.set_exception(result)
        return
    try:
        value = apply(result) if apply is not None else result
    except BaseException as exc:  # noqa: BLE001 - the command's own refusal, say
        if not future.done():
            future.set_exception(exc)
        return
    if not future.done():
        future.set_result(value)
