"""A flood of connections cannot lock the room out (issue 6, item 2).

Every simulated client has its own loopback address (127.x.y.z), as phones on the venue's Wi-Fi
each have their own: the flooder is 127.0.0.2 (or a few 127.0.2.N), the phones 127.0.1.N. The
server is the real one on a real socket, in-process with short timeouts injected, or
`facilitator serve` in a subprocess with the open-file limit of a Mac (256).
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.server import WebServer
from facilitator.web.settings import WebSettings
from storage.repo import Store

ROOT = Path(__file__).resolve().parent.parent
FLOODER = "127.0.0.2"
HALF_REQUEST = b"GET /api/sta"  # half a request line, never finished


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def flood_engine(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/flood.db")
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Flodmøde", groups=3)
    engine = MeetingEngine(store, mid)
    yield engine
    engine.release()
    store.close()


@pytest.fixture
async def serve(flood_engine):
    """Start the real WebServer on 127.0.0.1 with the given settings; stopped afterwards."""
    servers: list[WebServer] = []

    async def start(**settings: float) -> WebServer:
        server = WebServer(
            flood_engine,
            host="127.0.0.1",
            port=free_port(),
            lan_address="127.0.0.1",
            settings=WebSettings(**settings),
        )
        await server.start()
        assert server.bound == ["127.0.0.1"], server.error
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


# ---------------------------------------------------------------------- clients
async def connect(port: int, source: str, data: bytes = b""):
    """One raw TCP connection from ``source``; None if it could not even be made."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 2.0
        )
    except (TimeoutError, OSError):
        return None
    if data:
        writer.write(data)
    return reader, writer


async def flood(port: int, count: int, sources: list[str], data: bytes = HALF_REQUEST) -> list:
    """``count`` connections, round-robin over ``sources``, in batches (the listen backlog)."""
    connections = []
    for start in range(0, count, 50):
        batch = [
            connect(port, sources[i % len(sources)], data)
            for i in range(start, min(count, start + 50))
        ]
        connections += [c for c in await asyncio.gather(*batch) if c is not None]
    return connections


async def closed(connection, within: float) -> bool:
    """Whether the server closes this connection within ``within`` seconds."""
    reader, _writer = connection
    try:
        async with asyncio.timeout(within):
            while await reader.read(65536):  # whatever it still answers, then the end
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


async def count_open(connections: list, within: float = 0.05) -> int:
    results = await asyncio.gather(*(closed(c, within) for c in connections))
    return sum(1 for r in results if not r)


def hang_up(connections: list) -> None:
    for _reader, writer in connections:
        writer.transport.abort()


async def phone(port: int, number: int, path: str = "/api/state") -> tuple[int, float]:
    """A phone with its own address 127.0.1.N: (status, seconds); status 0 when it failed."""
    began = time.monotonic()
    connector = aiohttp.TCPConnector(local_addr=(f"127.0.1.{number}", 0), force_close=True)
    timeout = aiohttp.ClientTimeout(total=2.0)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                await response.read()
                status = response.status
    except (TimeoutError, aiohttp.ClientError):
        status = 0
    return status, time.monotonic() - began


async def phones(port: int, count: int) -> list[tuple[int, float]]:
    return await asyncio.gather(*(phone(port, n) for n in range(1, count + 1)))


# ---------------------------------------------------------------------- in-process server
async def test_phones_are_answered_while_one_address_floods(serve):
    server = await serve(header_timeout_s=0.5)  # 64 connections per address, the default
    flooding = asyncio.create_task(flood(server.port, 300, [FLOODER]))
    answers = await phones(server.port, 20)
    connections = await flooding
    try:
        assert [status for status, _ in answers] == [200] * 20
        assert max(seconds for _, seconds in answers) < 2.0
        # Over the cap, a connection is closed at once: the flooder holds 64 at most.
        assert len(connections) >= 250
        assert await count_open(connections) <= 64
        # ... and its half-sent requests are closed once the header timeout has passed.
        await asyncio.sleep(0.6)
        assert await count_open(connections) == 0
        # The phones still get answers afterwards.
        assert [status for status, _ in await phones(server.port, 5)] == [200] * 5
    finally:
        hang_up(connections)


async def test_headers_must_arrive_within_the_header_timeout(serve):
    server = await serve(header_timeout_s=0.5)
    # A request line that trickles in, one byte at a time, is closed all the same.
    trickle = await connect(server.port, "127.0.0.3")
    began = time.monotonic()
    for byte in b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n":
        if trickle[0].at_eof():
            break
        trickle[1].write(bytes([byte]))
        await asyncio.sleep(0.03)
    assert await closed(trickle, 0.5)
    assert 0.4 < time.monotonic() - began < 1.2
    # A connection that sends nothing at all is closed too.
    silent = await connect(server.port, "127.0.0.3")
    assert not await closed(silent, 0.3)
    assert await closed(silent, 0.5)
    # A request sent in time is answered, and its kept-alive connection closed when idle.
    prompt = await connect(
        server.port, "127.0.0.3", b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    head = await asyncio.wait_for(prompt[0].readuntil(b"\r\n\r\n"), 1.0)
    assert head.startswith(b"HTTP/1.1 200")
    assert await closed(prompt, 1.0)
    hang_up([trickle, silent, prompt])


async def test_the_event_stream_outlives_the_header_timeout(serve):
    server = await serve(header_timeout_s=0.3)
    connector = aiohttp.TCPConnector(local_addr=("127.0.1.1", 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        url = f"http://127.0.0.1:{server.port}/api/events"
        async with session.get(url) as response:
            assert response.status == 200
            await asyncio.wait_for(response.content.readline(), 1.0)  # the first state
            await asyncio.sleep(0.8)
            assert not response.content.at_eof()
            assert response.connection is not None and not response.connection.closed


async def test_the_cap_counts_loopback_and_resets_when_connections_close(serve):
    server = await serve(max_connections_per_address=4, header_timeout_s=5.0)
    held = [await connect(server.port, "127.0.0.1") for _ in range(4)]
    assert await count_open(held, 0.1) == 4
    over = await connect(server.port, "127.0.0.1")
    assert await closed(over, 0.5)  # at once, nothing read
    # Another address is not affected by this one's cap.
    assert (await phone(server.port, 7))[0] == 200
    # Two close: two new ones from the same address are served.
    hang_up(held[:2])
    await asyncio.sleep(0.1)
    again = [await connect(server.port, "127.0.0.1") for _ in range(2)]
    for connection in again:
        connection[1].write(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = await asyncio.wait_for(connection[0].readuntil(b"\r\n\r\n"), 1.0)
        assert head.startswith(b"HTTP/1.1 200")
    assert await closed(await connect(server.port, "127.0.0.1"), 0.5)  # full again
    hang_up(held[2:] + again + [over])


# ---------------------------------------------------------------------- guard pieces
def test_room_is_made_from_connections_that_never_sent_a_request():
    from facilitator.web.guard import ConnectionCap, max_open_connections

    cap = ConnectionCap(max_per_address=2, max_open=3)
    phone_, a, b, c, d, e = (object() for _ in range(6))
    assert cap.open(phone_, "10.0.0.1") == []
    cap.requested(phone_)  # its request is being answered (an event stream): never closed
    assert cap.open(a, "10.0.0.2") == []
    assert cap.open(b, "10.0.0.2") == []
    assert cap.open(c, "10.0.0.2") == [c]  # over the address's cap: itself, at once
    assert cap.open(d, "10.0.0.3") == [a]  # over the total: the oldest without a request
    assert cap.open(e, "10.0.0.4") == [b]
    assert (cap.refused, cap.evicted) == (1, 2)
    for gone in (a, b, c):
        cap.close(gone)
    assert cap.open_from("10.0.0.2") == 0 and cap.open_from("10.0.0.1") == 1
    # 256 files (a Mac): room for 96 connections besides one accept burst and our own files.
    assert max_open_connections(256) == 96
    assert max_open_connections(65536) == 65376
    assert max_open_connections(None) is None


class StepClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def accept_record(message: str = "socket.accept() out of system resource") -> logging.LogRecord:
    try:
        raise OSError(24, "Too many open files")
    except OSError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "asyncio", logging.ERROR, __file__, 1, f"{message}\nsocket: <fd=7>", None, exc_info
    )


def test_refused_accepts_are_logged_at_most_once_a_minute():
    from facilitator.web.guard import AcceptLogFilter

    clock = StepClock()
    log_filter = AcceptLogFilter(interval_s=60.0, clock=clock)
    first = accept_record()
    assert log_filter.filter(first)
    # One line, no traceback: the errno says what happened.
    assert first.exc_info is None
    assert "\n" not in first.getMessage()
    assert "Too many open files" in first.getMessage()
    passed = 0
    for _ in range(1000):
        clock.t += 0.05  # 1000 refusals in 50 s
        passed += log_filter.filter(accept_record())
    assert passed == 0
    clock.t += 11
    later = accept_record()
    assert log_filter.filter(later)
    assert "1000" in later.getMessage()  # how many were left out
    # asyncio's retries that fall due after the server closed are kept down the same way.
    stale = accept_record("Exception in callback BaseSelectorEventLoop._start_serving(...)")
    assert log_filter.filter(stale) and "\n" not in stale.getMessage()
    assert not log_filter.filter(
        accept_record("Exception in callback BaseSelectorEventLoop._start_serving")
    )
    # Other asyncio messages pass untouched.
    other = logging.LogRecord(
        "asyncio", logging.ERROR, __file__, 1, "Task was destroyed", None, None
    )
    assert log_filter.filter(other) and log_filter.filter(other)


def test_the_open_file_limit_is_raised_towards_the_hard_limit():
    from facilitator.web.guard import raise_open_file_limit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 512:
        pytest.skip("the hard limit is too low to lower and raise again")
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        raise_open_file_limit(wanted=4096)
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == min(hard, 4096)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# ---------------------------------------------------------------------- facilitator serve
def limited_to_256() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


class Served:
    """A running `facilitator serve`; ``stop()`` ends it and returns what it wrote on stderr."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.communicate(timeout=10)[1].decode(errors="replace")
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()[1].decode(errors="replace")


@pytest.fixture
def serve_256(tmp_path):
    """`facilitator serve --max-connections 50` with 256 open files at most, as on a Mac."""
    url = f"sqlite:///{tmp_path}/serve.db"
    store = Store(url)
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Flod", groups=3)
    store.close()
    port = free_port()
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "serve", str(mid), "--db", url]
        + ["--host", "127.0.0.1", "--port", str(port), "--max-connections", "50"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=limited_to_256,
    )
    served = Served(process, port)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start: {served.stop()}")
            time.sleep(0.05)
    yield served
    served.stop()


def assert_small(stderr: str) -> None:
    """A few lines at most, and never a traceback per refused accept."""
    assert len(stderr.splitlines()) <= 5, stderr[:3000]
    assert "Traceback" not in stderr, stderr[:3000]


async def test_serve_with_256_files_answers_phones_through_a_flood(serve_256):
    connections = await flood(serve_256.port, 300, [FLOODER])
    try:
        answers = await phones(serve_256.port, 20)
        assert [status for status, _ in answers] == [200] * 20
        assert max(seconds for _, seconds in answers) < 2.0
        assert await count_open(connections) <= 50  # --max-connections 50
    finally:
        hang_up(connections)
    assert_small(serve_256.stop())


async def test_serve_with_256_files_answers_phones_through_a_flood_from_many_addresses(
    serve_256,
):
    # 300 connections from six addresses, each within its cap (50): more than 256 files. The
    # connections that never sent a request head are closed, oldest first, to make room.
    sources = [f"127.0.2.{n}" for n in range(1, 7)]
    connections = await flood(serve_256.port, 300, sources)
    try:
        answers = await phones(serve_256.port, 20)
        assert [status for status, _ in answers] == [200] * 20
        assert max(seconds for _, seconds in answers) < 2.0
        assert len(connections) >= 250
        assert await count_open(connections) <= 256
    finally:
        hang_up(connections)
    assert_small(serve_256.stop())


ACCEPTING = """
import asyncio, sys
if sys.argv[2] == "filtered":
    from facilitator.web.guard import install_accept_log_filter
    install_accept_log_filter()

held = []

async def main():
    server = await asyncio.start_server(
        lambda r, w: held.append(w), "127.0.0.1", int(sys.argv[1])
    )
    print("ready", flush=True)
    await asyncio.sleep(0.6)
    server.close()
    await asyncio.sleep(1.0)  # asyncio's retries, a second after running out, find it closed

asyncio.run(main())
"""


async def test_asyncio_refused_accepts_are_one_line_a_minute_in_a_real_process():
    """asyncio's own words for running out of files, with the filter and without (control)."""

    async def run(mode: str) -> str:
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            ACCEPTING,
            str(port),
            mode,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)),
        )
        assert await asyncio.wait_for(process.stdout.readline(), 10) == b"ready\n"
        connections = await flood(port, 150, [FLOODER])
        try:
            _out, err = await asyncio.wait_for(process.communicate(), 10)
        finally:
            hang_up(connections)
        return err.decode(errors="replace")

    filtered, plain = await asyncio.gather(run("filtered"), run("plain"))
    assert "Traceback" in plain and len(plain.splitlines()) > 100  # the problem is real
    assert_small(filtered)
    assert filtered.count("socket.accept() out of system resource: [Errno 24]") == 1, filtered


# ---------------------------------------------------------------------- the options
def test_the_caps_are_options_of_run_serve_and_demo(capsys):
    from facilitator.cli import build_parser, web_settings

    parser = build_parser()
    for command in (["serve", "1"], ["run", "1"], ["demo"]):
        args = parser.parse_args([*command, "--max-connections", "200", "--max-new-phones", "500"])
        assert web_settings(args) == WebSettings(
            max_connections_per_address=200, new_devices_per_minute=500
        )
    assert web_settings(parser.parse_args(["serve", "1"])) == WebSettings()
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--help"])
    assert "NAT" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["serve", "run"])
@pytest.mark.parametrize("option", ["--max-connections", "--max-new-phones"])
@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_cap_below_one_is_one_line_and_status_2(tmp_path, capsys, command, option, value):
    from facilitator.cli import main

    url = f"sqlite:///{tmp_path}/caps.db"
    store = Store(url)
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Caps", groups=3)
    store.close()
    assert main([command, str(mid), option, value, "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option in err and "mindst 1" in err


def test_run_hands_the_caps_to_the_app(tmp_path, monkeypatch):
    import facilitator.app
    from facilitator.cli import main

    url = f"sqlite:///{tmp_path}/run.db"
    store = Store(url)
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Kør", groups=3)
    store.close()
    seen: dict = {}

    class FakeApp:
        return_code = 0

        def __init__(self, *args, **kwargs) -> None:
            seen.update(kwargs)

        def run(self) -> None:
            pass

    monkeypatch.setattr(facilitator.app, "FacilitatorApp", FakeApp)
    assert main(["run", str(mid), "--max-connections", "7", "--db", url]) == 0
    assert seen["web_settings"].max_connections_per_address == 7
