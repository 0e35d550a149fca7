"""Writes off the event loop: one writer thread, in order, grouped; memory follows disk."""

from __future__ import annotations

import asyncio
import threading

import pytest

from facilitator.engine.writer import Writer
from storage.db import StorageError


class FakeStore:
    """Records the batches the writer runs (no database)."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.batches: list[int] = []
        self.threads: set[int] = set()
        self.gate = gate

    def run_batch(self, works):
        if self.gate is not None:
            self.gate.wait(5)
        self.batches.append(len(works))
        self.threads.add(threading.get_ident())
        results = []
        for work in works:
            try:
                results.append(work())
            except Exception as exc:  # noqa: BLE001
                results.append(exc)
        return results


async def test_writes_run_in_order_off_the_loop_and_waiting_ones_share_a_batch():
    gate, holding = threading.Event(), threading.Event()
    store = FakeStore()
    writer = Writer(store)
    done: list[int] = []

    def slow_first() -> None:  # a write that waits for the disk
        holding.set()
        gate.wait(5)
        done.append(0)

    first = asyncio.ensure_future(writer.submit(slow_first))
    await asyncio.sleep(0)
    await asyncio.to_thread(holding.wait, 5)
    rest = [asyncio.ensure_future(writer.submit(lambda i=i: done.append(i))) for i in range(1, 51)]
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, *rest)
    writer.close()
    assert done == list(range(51))
    assert threading.get_ident() not in store.threads
    assert writer.jobs_done == 51
    assert writer.batches == 2  # the first alone, the 50 that waited for it together
    assert store.batches == [50]


async def test_apply_runs_on_the_loop_after_the_write_even_if_the_caller_left():
    store = FakeStore(threading.Event())
    writer = Writer(store)
    applied: list[tuple[str, int]] = []
    task = asyncio.ensure_future(
        writer.submit(lambda: "saved", lambda r: applied.append((r, threading.get_ident())))
    )
    await asyncio.sleep(0.01)
    task.cancel()  # the phone hung up while its mark was being written
    store.gate.set()
    for _ in range(100):
        if applied:
            break
        await asyncio.sleep(0.01)
    writer.close()
    assert applied == [("saved", threading.get_ident())]


async def test_a_failed_write_is_the_commands_error_and_the_next_write_goes_on():
    writer = Writer(FakeStore())

    def broken():
        raise StorageError("kunne ikke gemme: disken er fuld")

    with pytest.raises(StorageError, match="disken er fuld"):
        await writer.submit(broken, lambda _r: pytest.fail("applied a failed write"))
    assert await writer.submit(lambda: 7, lambda r: r * 6) == 42
    writer.close()


async def test_the_moedeleders_command_goes_before_the_rooms_queued_marks():
    gate, holding = threading.Event(), threading.Event()
    writer = Writer(FakeStore())
    done: list[str] = []

    def slow_first() -> None:
        holding.set()
        gate.wait(5)

    first = asyncio.ensure_future(writer.submit(slow_first))
    await asyncio.to_thread(holding.wait, 5)
    marks = [
        asyncio.ensure_future(writer.submit(lambda i=i: done.append(f"mark {i}")))
        for i in range(200)
    ]
    key = asyncio.ensure_future(writer.submit(lambda: done.append("key"), urgent=True))
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, key, *marks)
    writer.close()
    assert done[0] == "key"
    assert done[1:] == [f"mark {i}" for i in range(200)]
