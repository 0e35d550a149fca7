"""What the benchmarks share: processes, a lean HTTP/1.1 client for simulated phones, the
table's rows, the machine's description.

Simulated phones talk raw HTTP/1.1 over asyncio streams (keep-alive, Content-Length or
chunked bodies) rather than through aiohttp's client: a thousand phones in one load process
on a small machine would otherwise measure the client more than the server. Each phone
connects from its own loopback address (127.B.x.y, see ``phone_address``), so the server's
per-address caps apply to it as to a real phone, and it keeps the device id the server
issued on ``GET /`` (the ``fac_device`` cookie) and sends it back.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FACILITATOR = str(BIN / "facilitator")
HOST = "127.0.0.1"
DEVICE_COOKIE = "fac_device"
VOTE_PHASE = 4  # dialogmoede-1: "Udvælgelse af vigtige drømme", 3 marks, cap 3 per card
FLIPOVER_PHASE = 2  # dialogmoede-1: "Grupper på 4: drømme og ønsker"
AGENDA = "dialogmoede-1"

# Every process started from here runs the app from this tree (ROOT), even a copy of the
# tree elsewhere (the editable install's finder comes after PYTHONPATH).
if os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] != str(ROOT):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )


# ---------------------------------------------------------------------- numbers
def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 1,000 samples is the 990th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def secs(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds:.2f} s"


# ---------------------------------------------------------------------- the table
@dataclass
class Row:
    """One line of the table. ``ratio`` is measured/baseline (None: no baseline);
    ``ok`` is whether the target is met (None: no target, a figure for information)."""

    figure: str
    measured: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}×"
        ok = {True: "yes", False: "NO", None: ""}[self.ok]
        figure = f"{self.figure} ({self.note})" if self.note else self.figure
        return [figure, self.measured, self.baseline, ratio, self.target, ok]


HEADER = ["figure", "measured", "baseline (same run)", "ratio", "target", "ok?"]


def table(rows: list[Row], markdown: bool) -> str:
    cells = [HEADER] + [row.cells() for row in rows]
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells[1:]]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in cells) for i in range(len(HEADER))]
    out = []
    for n, r in enumerate(cells):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


# ---------------------------------------------------------------------- the machine
def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    versions = subprocess.run(
        [
            sys.executable,
            "-c",
            "import aiohttp, textual, sqlmodel, sqlite3; "
            "print(f'aiohttp {aiohttp.__version__}, textual {textual.__version__}, "
            "sqlmodel {sqlmodel.__version__}, SQLite {sqlite3.sqlite_version}')",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "load": load_average(),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "ram": ram,
        "python": f"Python {platform.python_version()}",
        "os": system,
        "libraries": versions,
    }


def load_average() -> str:
    """The 1-minute load average: other work on the machine shows in every figure."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


# ---------------------------------------------------------------------- processes
def raise_open_files() -> None:
    """A load process holds a socket per phone: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 65536
    if soft != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    """The process's resident memory (VmRSS) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phone_address(block: int, n: int) -> str:
    """Phone ``n``'s own loopback address in address block ``block`` (one block per
    scenario, so a server's per-address limits start afresh for each)."""
    return f"127.{block}.{n // 250}.{n % 250 + 1}"


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    """`facilitator ARGS` as a subprocess; its standard output."""
    done = subprocess.run(
        [FACILITATOR, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"facilitator {' '.join(args[:2])}: {done.stderr.strip()}")
    return done.stdout


def new_meeting(url: str, title: str = "Bench", groups: int = 10) -> int:
    """A new dialogmoede-1 meeting made by `facilitator new`; its id."""
    out = cli("new", "--agenda", AGENDA, "--title", title, "--groups", str(groups), "--db", url)
    return int(out.strip().splitlines()[-1])


def tokens(url: str, meeting: int) -> tuple[str, str]:
    """(assistant token, control token), from `facilitator links`."""
    out = cli("links", str(meeting), "--db", url, "--host", HOST, "--port", "1")
    assistant = re.search(r"/assist\?token=([\w-]+)", out)
    control = re.search(r"/remote\?token=([\w-]+)", out)
    assert assistant and control, out
    return assistant.group(1), control.group(1)


class Process:
    """A server subprocess (its output to a log file), stopped with SIGTERM."""

    def __init__(self, args: list[str], log: Path, name: str, stdin: bool = False) -> None:
        self.name = name
        self.log = log
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_http(self, port: int, path: str = "/api/state", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): {self.tail()}")
            try:
                status, _ = http(port, "GET", path, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s: {self.tail()}")

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self._out.close()
        return self.proc.returncode

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def serve(url: str, meeting: int, port: int, log: Path) -> Process:
    """`facilitator serve` on 127.0.0.1 (the real command, its default limits)."""
    args = [FACILITATOR, "serve", str(meeting), "--db", url, "--host", HOST, "--port", str(port)]
    process = Process(args, log, "facilitator serve")
    process.wait_http(port)
    return process


def http(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    timeout: float = 30.0,
) -> tuple[int, bytes]:
    """One request from the orchestrator (blocking): (status, body)."""
    conn = HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Host": f"{HOST}:{port}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def http_json(port: int, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    status, data = http(port, method, path, body, token)
    if status >= 300:
        raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
    return json.loads(data)


def prepare_vote(port: int, assistant: str, control: str, wishes: int = 12) -> list[int]:
    """Through the app's HTTP API: write ``wishes`` flip-overs in the flip-over phase, then
    go to the vote phase (not started). Returns the flip-overs' ids."""
    http_json(port, "POST", "/api/control/goto", {"index": FLIPOVER_PHASE}, control)
    ids = []
    for n in range(wishes):
        flip = http_json(
            port,
            "POST",
            "/api/flipovers",
            {
                "group": n % 10 + 1,
                "heading": f"Ønske {n + 1}: bedre akustik i frokoststuen",
                "proposals": ["Lydabsorberende plader", "Færre stole", "Musik om fredagen"],
            },
            assistant,
        )
        ids.append(flip["id"])
    http_json(port, "POST", "/api/control/goto", {"index": VOTE_PHASE}, control)
    return ids


# ---------------------------------------------------------------------- the phones' client
class HttpError(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)


class Conn:
    """One keep-alive HTTP/1.1 connection from a phone's own loopback address."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            HOST, self.port, local_addr=(self.address, 0)
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()
            self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PUT", "DELETE"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise HttpError("connection closed") from None
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        answer_headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
            answer_headers[name] = value
        if "content-length" in answer_headers:
            data = await self.reader.readexactly(int(answer_headers["content-length"]))
        elif answer_headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        else:
            data = await self.reader.read()
            self.close()
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, answer_headers, data, cookies)


class Phone:
    """A simulated phone: its own address, the device id the server issued it."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.device: str | None = None
        self.conn = Conn(port, address)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.device:
            headers["Cookie"] = f"{DEVICE_COOKIE}={self.device}"
        return headers

    async def open_page(self) -> None:
        """GET / as a phone opening the participant link: keeps the issued device id."""
        for attempt in range(3):
            try:
                answer = await self.conn.request("GET", "/", headers=self.headers())
                break
            except (HttpError, OSError):
                self.conn.close()
                if attempt == 2:
                    raise
        if answer.status != 200:
            raise HttpError(f"GET / answered {answer.status}")
        self.device = answer.cookies.get(DEVICE_COOKIE, self.device)  # none from bare_http
        self.conn.close()  # the page is loaded; a kept-alive idle connection would time out

    async def mark(self, flipover_id: int) -> tuple[Answer, int]:
        """One mark, as the page sends it: JSON, its own Idempotency-Key, and sent again
        with the same key on a new connection when the connection drops before the answer.
        Returns (the answer, how many times it was resent)."""
        body = json.dumps({"flipover_id": flipover_id}).encode()
        headers = self.headers(
            {
                "Content-Type": "application/json",
                "Origin": f"http://{HOST}:{self.port}",
                "Idempotency-Key": secrets.token_urlsafe(16),
            }
        )
        for resent in range(5):
            try:
                return await self.conn.request("POST", "/api/votes", body, headers), resent
            except (HttpError, OSError):
                self.conn.close()
        raise HttpError("no answer to a mark after 5 tries")


_PHASE_INDEX = re.compile(rb'"index":\s*(\d+)')


class EventStream(asyncio.Protocol):
    """A phone's open `GET /api/events`: notes when each `state` event arrives and the
    phase index it carries. Cheap on purpose (a regex, no JSON parse), so a thousand of
    them in one process time the server, not the parsing."""

    def __init__(self, port: int, device: str | None, staff: bool = False) -> None:
        self.port = port
        self.device = device
        self.path = "/api/events" + ("?role=staff" if staff else "")
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.events: list[tuple[float, int | None]] = []  # (arrival, phase index)
        self.first = asyncio.get_running_loop().create_future()
        self.closed = False
        self.status: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        cookie = f"Cookie: {DEVICE_COOKIE}={self.device}\r\n" if self.device else ""
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Accept: text/event-stream\r\n{cookie}\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        if self.status is None:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            self.status = int(head.split(b" ", 2)[1])
            self.buffer = rest
        while True:
            end = self.buffer.find(b"\n\n")
            if end < 0:
                break
            chunk, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            if b"event: state" not in chunk:
                continue
            start = chunk.find(b'"phase"')
            found = _PHASE_INDEX.search(chunk, start) if start >= 0 else None
            self.events.append((now, int(found.group(1)) if found else None))
            if not self.first.done():
                self.first.set_result(now)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.first.done():
            self.first.set_exception(HttpError(f"event stream closed (status {self.status})"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def open_stream(port: int, address: str, device: str | None) -> EventStream:
    loop = asyncio.get_running_loop()
    _, stream = await loop.create_connection(
        lambda: EventStream(port, device), HOST, port, local_addr=(address, 0)
    )
    return stream


async def join_room(
    port: int, block: int, count: int, parallel: int = 100
) -> tuple[list[Phone], list[EventStream], float]:
    """``count`` phones open the page (device id issued) and its event stream, ``parallel``
    at a time, as fast as they can. Returns the phones, their streams and the seconds
    until the last stream had its first event."""
    phones = [Phone(port, phone_address(block, n)) for n in range(count)]
    streams: list[EventStream | None] = [None] * count
    gate = asyncio.Semaphore(parallel)
    began = time.perf_counter()

    async def join(n: int) -> None:
        async with gate:
            phone = phones[n]
            await phone.open_page()
            stream = await open_stream(port, phone.address, phone.device)
            streams[n] = stream
            await asyncio.wait_for(stream.first, 60)

    await asyncio.gather(*(join(n) for n in range(count)))
    return phones, [s for s in streams if s is not None], time.perf_counter() - began


# ---------------------------------------------------------------------- JSON lines
def emit(kind: str, data: Any = None) -> None:
    """One line to the orchestrator: `KIND JSON`."""
    sys.stdout.write(f"{kind} {json.dumps(data)}\n")
    sys.stdout.flush()


async def read_line() -> str:
    """The next line from the orchestrator on stdin (without blocking the loop)."""
    return (await asyncio.to_thread(sys.stdin.readline)).strip()


_LOADS: list[LoadProcess] = []


def stop_loads() -> None:
    """Kill the load generators still running (after a benchmark failed half-way)."""
    while _LOADS:
        load = _LOADS.pop()
        if load.proc.poll() is None:
            load.proc.kill()
            load.proc.wait()


class LoadProcess:
    """A load generator (`python -m bench.load ...`) in its own process."""

    def __init__(self, args: list[str], log: Path) -> None:
        _LOADS.append(self)
        self._err = open(log, "ab")  # noqa: SIM115 - closed in finish()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.load", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
        )
        self.log = log

    def expect(self, kind: str, timeout: float = 600.0) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"load process ended: {self.log.read_text()[-3000:]}")
        got, _, data = line.partition(" ")
        if got != kind:
            raise RuntimeError(f"load process said {line!r}, expected {kind}")
        return json.loads(data)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self) -> None:
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._err.close()
