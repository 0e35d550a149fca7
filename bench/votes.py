"""Marks from a room of phones: 80 devices × 3 marks against a real server on 127.0.0.1.

Prints the latency of POST /api/votes (median, 95th percentile, max), the wall time for the
whole room, and how long the engine's fan-out (what the projector listens to) lags the last
answer. A temporary SQLite file with synchronous=FULL, as in a real meeting.

    .venv/bin/python bench/votes.py [devices]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time

import aiohttp

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.server import WebServer
from storage.repo import Store

PORT = 18777


async def main(devices: int) -> None:
    folder = tempfile.mkdtemp(prefix="fac-votes-")
    store = Store(f"sqlite:///{folder}/votes.db")
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Bench", groups=5)
    engine = MeetingEngine(store, mid)
    engine.goto(2)
    ids = [engine.add_flipover(g % 5 + 1, f"Ønske {g}").id for g in range(12)]
    engine.goto(4)
    engine.start()
    server = WebServer(engine, host="127.0.0.1", port=PORT)
    await server.start()
    last_event = 0.0

    def listener(snapshot) -> None:  # noqa: ANN001
        nonlocal last_event
        if snapshot.event.kind == "vote":
            last_event = time.perf_counter()

    engine.add_listener(listener)
    latencies: list[float] = []

    async def phone(n: int) -> None:
        # Each phone has its own loopback address (the per-address caps apply to it as to
        # a real phone) and the device id the server issues when the page is opened.
        address = f"127.0.{1 + n // 250}.{1 + n % 250}"
        connector = aiohttp.TCPConnector(local_addr=(address, 0))
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as session:
            async with session.get(f"http://127.0.0.1:{PORT}/") as page:
                assert page.status == 200 and "fac_device" in page.cookies
            for k in range(3):
                start = time.perf_counter()
                async with session.post(
                    f"http://127.0.0.1:{PORT}/api/votes", json={"flipover_id": ids[(n + k) % 12]}
                ) as response:
                    assert response.status == 200, await response.text()
                latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(phone(n) for n in range(devices)))
    done = time.perf_counter()
    await server.stop()
    engine.release()
    latencies.sort()
    cast = sum(f.marks for f in engine.flipovers())
    print(f"{devices} phones × 3 marks = {cast} marks in {done - start:.2f} s")
    print(
        f"POST /api/votes: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    print(f"fan-out after the last answer: {max(0.0, last_event - done) * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 80))
