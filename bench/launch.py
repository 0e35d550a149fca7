"""The app's server with probes on its own event loop (the one place the benchmarks run the
app in-process).

    python -m bench.launch run   --db URL --meeting ID --port N --out FILE.json
    python -m bench.launch serve --db URL --meeting ID --port N --out FILE.json

``run``: the TUI as `facilitator run` builds it (``FacilitatorApp`` with the web on, on
127.0.0.1), headless at 160×45 through Textual's ``run_test``. ``serve``: the real
`facilitator serve` entry point (``facilitator.cli.main``), with ``asyncio.run`` wrapped so
the probes start on its loop.

Probes, on the server's loop:
- **Loop lag**: a task sleeps 10 ms and notes how late it wakes.
- **Key to frame** (``run`` only): a thread, as a terminal driver's input thread does,
  sends the space key (start/pause) to the app every ``--key-interval`` seconds and notes
  the time; the next frame the app renders (Textual's ``App._display``, called after the
  compositor has rendered the update) whose text shows the clock's new state word ("Kører"
  after a start, "Pause" after a pause) stops the watch. One key at a time; a key not drawn
  within 5 s is a miss.

Commands on stdin, one a line: ``start NAME [keys]`` opens a measuring window (with key
presses), ``end NAME`` closes it, ``quit`` stops the server (``serve`` also stops on
SIGTERM). At exit the windows' figures are written to ``--out`` as JSON.

When the app's API changes (async engine commands, a split web module), adapt
``build_app`` and ``run_serve`` below; nothing else here touches the app's internals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.common import HOST, http, http_json, percentile

LAG_PERIOD_S = 0.010
KEY_TIMEOUT_S = 5.0
SIZE = (160, 45)


# ---------------------------------------------------------------------- the app's side
def build_app(url: str, meeting: int, port: int) -> Any:
    """The TUI as `facilitator run MEETING --host 127.0.0.1 --port N` builds it."""
    from facilitator.app import FacilitatorApp
    from facilitator.cli import open_store

    store = open_store(url)
    return FacilitatorApp(store, meeting, web=True, host=HOST, port=port, lan_address=HOST)


def run_serve(url: str, meeting: int, port: int, on_loop: Callable[[], Awaitable[None]]) -> int:
    """`facilitator serve MEETING --db URL --host 127.0.0.1 --port N`, with ``on_loop``
    awaited first on the loop it runs (``asyncio.run`` is wrapped for that)."""
    real_run = asyncio.run

    def run(main: Any, **kwargs: Any) -> Any:
        async def wrapped() -> Any:
            await on_loop()
            return await main

        return real_run(wrapped(), **kwargs)

    asyncio.run = run  # type: ignore[assignment]
    from facilitator.cli import main

    try:
        return main(["serve", str(meeting), "--db", url, "--host", HOST, "--port", str(port)])
    finally:
        asyncio.run = real_run  # type: ignore[assignment]


# ---------------------------------------------------------------------- the probes
class Windows:
    """Named measuring windows; every probe sample goes to each window open at the time."""

    def __init__(self) -> None:
        self.open: dict[str, bool] = {}  # name -> with keys
        self.lag: dict[str, list[float]] = {}
        self.keys: dict[str, list[float]] = {}
        self.misses: dict[str, int] = {}

    def command(self, line: str) -> bool:
        """Apply one command; True for quit."""
        words = line.split()
        if not words:
            return False
        if words[0] == "start" and len(words) > 1:
            self.open[words[1]] = "keys" in words[2:]
            self.lag.setdefault(words[1], [])
            self.keys.setdefault(words[1], [])
            self.misses.setdefault(words[1], 0)
        elif words[0] == "end" and len(words) > 1:
            self.open.pop(words[1], None)
        return words[0] == "quit"

    @property
    def keys_wanted(self) -> bool:
        return any(self.open.values())

    def lag_sample(self, lag: float) -> None:
        for name in self.open:
            self.lag[name].append(lag)

    def result(self) -> dict[str, Any]:
        out = {}
        for name, lags in self.lag.items():
            keys = self.keys[name]
            out[name] = {
                "lag_n": len(lags),
                "lag_p50_ms": percentile(lags, 0.5) * 1000,
                "lag_p99_ms": percentile(lags, 0.99) * 1000,
                "lag_max_ms": max(lags, default=float("nan")) * 1000,
                "keys_ms": [k * 1000 for k in keys],
                "key_misses": self.misses[name],
            }
        return out


async def lag_probe(windows: Windows) -> None:
    while True:
        began = time.perf_counter()
        await asyncio.sleep(LAG_PERIOD_S)
        windows.lag_sample(time.perf_counter() - began - LAG_PERIOD_S)


def listen_stdin(loop: asyncio.AbstractEventLoop, windows: Windows, quit: Callable[[], None]):
    """Commands from the orchestrator, applied on the loop."""

    def apply(line: str) -> None:
        if windows.command(line):
            quit()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(apply, line.strip())
        loop.call_soon_threadsafe(apply, "quit")  # the orchestrator is gone

    threading.Thread(target=read, daemon=True).start()


class KeyWatch:
    """The key presser (a thread) and the frame watcher (on the loop)."""

    def __init__(self, app: Any, windows: Windows, port: int, interval: float) -> None:
        self.app = app
        self.windows = windows
        self.port = port
        self.interval = interval
        self.pending: tuple[float, str, list[str]] | None = None  # (pressed, word, windows)
        self.drawn = threading.Event()
        self.stop = threading.Event()
        self.word: str | None = None  # the clock's state word now on screen

    def install(self) -> None:
        original = self.app._display

        def display(screen: Any, renderable: Any) -> None:
            drawn_at = time.perf_counter()
            original(screen, renderable)
            pending = self.pending
            if pending is None or renderable is None:
                return
            pressed, word, names = pending
            if word in renderable.render_segments(self.app.console):
                for name in names:
                    if name in self.windows.keys:
                        self.windows.keys[name].append(drawn_at - pressed)
                self.word = word
                self.pending = None
                self.drawn.set()

        self.app._display = display
        threading.Thread(target=self.press_loop, daemon=True).start()

    def clock_word(self) -> str:
        """The word the clock shows now, from the app's own /api/state."""
        phase = http_json(self.port, "GET", "/api/state")["phase"]
        return "Kører" if phase["started"] and not phase["paused"] else "Pause"

    def press_loop(self) -> None:
        from textual import events

        while not self.stop.is_set():
            if not self.windows.keys_wanted:
                time.sleep(0.05)
                continue
            time.sleep(self.interval)
            names = [n for n, keys in list(self.windows.open.items()) if keys]
            if not names:
                continue
            if self.word is None:
                self.word = self.clock_word()
            word = "Pause" if self.word == "Kører" else "Kører"
            self.drawn.clear()
            key = events.Key("space", " ")
            key.set_sender(self.app)
            self.pending = (time.perf_counter(), word, names)
            self.app._driver.send_message(key)  # thread-safe: as the input thread does
            if not self.drawn.wait(KEY_TIMEOUT_S):
                self.pending = None
                for name in names:
                    if name in self.windows.misses:
                        self.windows.misses[name] += 1
                self.word = None  # find out again


# ---------------------------------------------------------------------- modes
async def answering(port: int, timeout: float = 60.0) -> None:
    """Until the app's web server answers `GET /api/state`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if (await asyncio.to_thread(http, port, "GET", "/api/state", None, None, 5))[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the app's web server did not start")
        await asyncio.sleep(0.05)


async def main_run(args: argparse.Namespace, windows: Windows) -> None:
    app = build_app(args.db, args.meeting, args.port)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    async with app.run_test(headless=True, size=SIZE):
        await answering(args.port)
        probe = asyncio.create_task(lag_probe(windows))
        watch = KeyWatch(app, windows, args.port, args.key_interval)
        watch.install()
        listen_stdin(loop, windows, done.set)
        await done.wait()
        watch.stop.set()
        probe.cancel()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.launch")
    parser.add_argument("mode", choices=["run", "serve"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--meeting", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--key-interval", type=float, default=0.1)
    args = parser.parse_args()
    windows = Windows()
    try:
        if args.mode == "run":
            asyncio.run(main_run(args, windows))
            return 0

        async def on_loop() -> None:
            loop = asyncio.get_running_loop()
            asyncio.ensure_future(lag_probe(windows))
            # "quit" stops serve as Ctrl+C would.
            listen_stdin(loop, windows, lambda: loop.call_soon(_interrupt))

        return run_serve(args.db, args.meeting, args.port, on_loop)
    finally:
        with open(args.out, "w") as out:
            json.dump(windows.result(), out)


def _interrupt() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
