"""Phones against a flood of half-sent requests, with and without the flood guards.

`facilitator`'s web server runs in a child process limited to 256 open files (soft and hard,
as a Mac starts it), on a temporary SQLite meeting. A flooder opens connections and sends half
a request line on each, from one loopback address (127.0.0.2) or from several (127.0.2.N);
meanwhile 30 phones, each with its own address (127.0.1.N), ask for /api/state every 0.25 s.
Each scenario runs once with the guards (the default) and once with aiohttp's plain runner.

Prints per scenario: the phones' answers, p50/p95/max latency, flood connections made and
closed by the server, connections refused over the per-address cap, connections closed before
their request head to make room ("evicted"), and what the server wrote on stderr (lines,
bytes). Loopback only; every scenario is bounded (about 8 s).

    .venv/bin/python bench/flood.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
OPEN_FILES = 256
PHONES = 30
PHONE_INTERVAL_S = 0.25
MEASURE_S = 4.0
FLOOD_SETUP_S = 3.0
HALF_REQUEST = b"GET /api/sta"


# ---------------------------------------------------------------------- the server (child)
def child(port: int, url: str, meeting: int, guarded: bool) -> None:
    from aiohttp import web

    import facilitator.web.guard as guard
    from facilitator.engine import MeetingEngine
    from facilitator.web.server import WebServer
    from storage.repo import Store

    if not guarded:

        class PlainRunner(web.AppRunner):  # what WebServer used before the guards
            def __init__(self, app: web.Application, settings: object, **kwargs: object) -> None:
                super().__init__(app, **kwargs)  # type: ignore[arg-type]

        guard.GuardedAppRunner = PlainRunner  # type: ignore[misc, assignment]

    async def main() -> None:
        store = Store(url)
        engine = MeetingEngine(store, meeting)
        server = WebServer(engine, host="127.0.0.1", port=port, lan_address="127.0.0.1")
        await server.start()
        print("ready", flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        cap = getattr(server._runner, "cap", None)
        figures = {"refused": cap.refused, "evicted": cap.evicted} if cap else {}
        print(json.dumps(figures), flush=True)
        await server.stop()
        engine.release()

    asyncio.run(main())


def limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


def start_server(url: str, meeting: int, guarded: bool) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [sys.executable, __file__, "--child", str(port), url, str(meeting)]
    process = subprocess.Popen(
        args + ([] if guarded else ["--unguarded"]),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit_open_files,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"ready":
        process.kill()
        raise SystemExit(f"the server did not start: {process.communicate()[1].decode()}")
    return process, port


# ---------------------------------------------------------------------- the clients
class Flood:
    def __init__(self) -> None:
        self.writers: list[asyncio.StreamWriter] = []
        self.closed = 0
        self.watchers: list[asyncio.Task] = []

    async def one(self, port: int, source: str) -> None:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 1.5
            )
        except (OSError, TimeoutError):
            return
        writer.write(HALF_REQUEST)
        self.writers.append(writer)
        self.watchers.append(asyncio.create_task(self.watch(reader)))

    async def watch(self, reader: asyncio.StreamReader) -> None:
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            pass
        self.closed += 1

    async def open(self, port: int, count: int, sources: list[str]) -> None:
        try:
            async with asyncio.timeout(FLOOD_SETUP_S):
                for start in range(0, count, 100):
                    await asyncio.gather(
                        *(
                            self.one(port, sources[i % len(sources)])
                            for i in range(start, min(count, start + 100))
                        )
                    )
        except TimeoutError:
            pass

    def stop(self) -> None:
        for task in self.watchers:
            task.cancel()
        for writer in self.writers:
            writer.transport.abort()


async def phone(port: int, number: int, until: float) -> list[float | None]:
    """Requests every PHONE_INTERVAL_S until ``until``: latencies, None for a failure."""
    results: list[float | None] = []
    url = f"http://127.0.0.1:{port}/api/state"
    timeout = aiohttp.ClientTimeout(total=3.0)
    while time.monotonic() < until:
        began = time.monotonic()
        connector = aiohttp.TCPConnector(local_addr=(f"127.0.1.{number}", 0), force_close=True)
        try:
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
                async with session.get(url) as response:
                    await response.read()
                    ok = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        took = time.monotonic() - began
        results.append(took if ok else None)
        await asyncio.sleep(max(0.0, PHONE_INTERVAL_S - took))
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def scenario(url: str, meeting: int, count: int, sources: list[str], guarded: bool) -> dict:
    process, port = start_server(url, meeting, guarded)
    flood = Flood()
    try:
        began = time.monotonic()
        if count:
            await flood.open(port, count, sources)
        until = time.monotonic() + MEASURE_S
        answers = await asyncio.gather(*(phone(port, n, until) for n in range(1, PHONES + 1)))
        elapsed = time.monotonic() - began
    finally:
        flood.stop()
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    latencies = [t for results in answers for t in results if t is not None]
    total = sum(len(results) for results in answers)
    stats = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {}
    return {
        "answered": f"{len(latencies)}/{total}",
        "p50": statistics.median(latencies) * 1000 if latencies else None,
        "p95": percentile(latencies, 0.95) * 1000 if latencies else None,
        "max": max(latencies) * 1000 if latencies else None,
        "flood": len(flood.writers),
        "closed": flood.closed,
        "refused": stats.get("refused"),
        "evicted": stats.get("evicted"),
        "log_lines": len(err.splitlines()),
        "log_bytes": len(err),
        "seconds": elapsed,
    }


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


async def main(quick: bool) -> None:
    from facilitator.agenda import load_agenda
    from facilitator.engine import create_meeting
    from facilitator.web.guard import raise_open_file_limit
    from storage.repo import Store

    raise_open_file_limit()  # the flooder's own files
    folder = tempfile.mkdtemp(prefix="fac-flood-")
    url = f"sqlite:///{folder}/flood.db"
    store = Store(url)
    meeting = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Flod", groups=3)
    store.close()
    scenarios = [
        ("no flood", 0, ["127.0.0.2"]),
        ("300 from one address", 300, ["127.0.0.2"]),
        ("1100 from one address", 1100, ["127.0.0.2"]),
        ("1100 from 20 addresses", 1100, [f"127.0.2.{n}" for n in range(1, 21)]),
    ]
    if quick:
        scenarios = scenarios[:2]
    print(
        f"Server limited to {OPEN_FILES} open files; {PHONES} phones, each asking every "
        f"{PHONE_INTERVAL_S} s for {MEASURE_S:.0f} s; latency in ms."
    )
    header = (
        f"{'scenario':<24} {'server':<10} {'answered':>9} {'p50':>6} {'p95':>6} {'max':>6} "
        f"{'flood':>6} {'closed':>6} {'refused':>7} {'evicted':>7} {'log lines':>9} "
        f"{'log bytes':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, count, sources in scenarios:
        for guarded in (True, False):
            r = await scenario(url, meeting, count, sources, guarded)
            refused = "–" if r["refused"] is None else str(r["refused"])
            evicted = "–" if r["evicted"] is None else str(r["evicted"])
            print(
                f"{name:<24} {'guarded' if guarded else 'plain':<10} {r['answered']:>9} "
                f"{ms(r['p50']):>6} {ms(r['p95']):>6} {ms(r['max']):>6} {r['flood']:>6} "
                f"{r['closed']:>6} {refused:>7} {evicted:>7} {r['log_lines']:>9} "
                f"{r['log_bytes']:>10}",
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), "--unguarded" not in sys.argv)
    else:
        os.chdir(ROOT)
        asyncio.run(main("--quick" in sys.argv))
