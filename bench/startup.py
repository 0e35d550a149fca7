"""From a command to its first frame: `facilitator demo` and `facilitator run` (web on)
against a bare Textual app that imports sqlmodel and shows a ``Digits``.

Each command runs in a fresh pseudo-terminal of 160×45 (TERM=xterm-256color) and the
clock stops when the first phase's title ("Fælles intro") arrives in what it writes to the
terminal: the same for the app and for the floor (bench/baselines/bare_tui.py), from
process start (the interpreter's own start included). Then the process gets SIGHUP, as
when its terminal closes. Fresh data, cache and config folders per start (XDG_*), so
`demo` makes its database anew (migrations run) the first time and resumes it after.
The commands take turns, 5 rounds; each figure is the best of its 5 (the least disturbed
by other work on the machine).

What the rest costs is measured by the steps between: the floor with the app's modules
imported too (imports alone), `demo --no-web` (database, engine, the projector's widgets),
`demo` (the web server on top).

    .venv/bin/python -m bench --only startup
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench.common import FACILITATOR, ROOT, Row, free_port, new_meeting, secs

MARKER = "Fælles intro".encode()
FLOOR = str(ROOT / "bench" / "baselines" / "bare_tui.py")
COLUMNS, LINES = 160, 45


def first_frame(args: list[str], env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from starting ``args`` in a new pty until MARKER is written to it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    began = time.perf_counter()
    proc = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(slave)
    seen = b""
    took: float | None = None
    try:
        while took is None:
            left = began + timeout - time.perf_counter()
            ready, _, _ = select.select([master], [], [], max(0.0, left))
            if not ready:
                raise RuntimeError(f"no first frame within {timeout:.0f} s: {args}")
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                data = b""
            if not data:
                raise RuntimeError(f"{args} ended before its first frame: {seen[-2000:]!r}")
            seen = seen[-len(MARKER) :] + data
            if MARKER in seen:
                took = time.perf_counter() - began
        return took
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGHUP)  # its terminal closed
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 1 << 16)  # let it write its goodbye
                except OSError:
                    pass
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FACILITATOR_"))}
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    return env


def plus(seconds: float) -> str:
    return f"{seconds:+.2f} s"


def run(workdir: Path, quick: bool) -> list[Row]:
    runs = 1 if quick else 5
    url = f"sqlite:///{workdir / 'run.db'}"
    meeting = new_meeting(url, "Opstart")
    times: dict[str, list[float]] = {
        k: [] for k in ("floor", "imports", "no_web", "demo", "demo_new", "run")
    }
    first_frame([sys.executable, FLOOR], environment(workdir))  # warm the page cache
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(prefix="home-", dir=workdir))
        env = environment(home)
        demo = [FACILITATOR, "demo"]
        times["floor"].append(first_frame([sys.executable, FLOOR], env))
        times["demo_new"].append(first_frame(demo + ["--port", str(free_port())], env))
        times["demo"].append(first_frame(demo + ["--port", str(free_port())], env))
        times["no_web"].append(first_frame(demo + ["--no-web"], env))
        times["imports"].append(first_frame([sys.executable, FLOOR, "--import-app"], env))
        run_args = [FACILITATOR, "run", str(meeting), "--db", url, "--port", str(free_port())]
        times["run"].append(first_frame(run_args, env))
        shutil.rmtree(home, ignore_errors=True)
    m = {k: min(v) for k, v in times.items()}  # the best: least disturbed by other work
    floor = m["floor"]
    base = f"{secs(floor)} bare Textual + sqlmodel + Digits"
    note = f"best of {runs}"
    return [
        Row("`facilitator demo` (web on) → first frame", secs(m["demo"]), base,
            m["demo"] / floor, "≤ 1.3×", m["demo"] / floor <= 1.3, note),
        Row("`facilitator run MEETING` (web on) → first frame", secs(m["run"]), base,
            m["run"] / floor, "≤ 1.3×", m["run"] / floor <= 1.3, note),
        Row("  the rest: importing the app's modules", plus(m["imports"] - floor),
            note="the floor, importing the app's modules too"),
        Row("  the rest: database, engine, projector", plus(m["no_web"] - m["imports"]),
            note="`demo --no-web` minus the imports step"),
        Row("  the rest: the web server", plus(m["demo"] - m["no_web"]),
            note="`demo` minus `demo --no-web`"),
        Row("`facilitator demo`, new demo database → first frame", secs(m["demo_new"]), base,
            m["demo_new"] / floor, note="migrations run"),
    ]  # fmt: skip
