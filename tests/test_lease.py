"""One live process per meeting, and starting again at once after the terminal closed.

A killed app under tmux stays a zombie until its parent reaps it: a zombie is dead, and
its lease is taken over at once. A holder on this machine that is still closing is
waited for (a few seconds, said on stderr) instead of refused. SIGHUP (the terminal
closed) ends `serve` and `run` cleanly, giving the lease up.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facilitator.agenda import load_agenda
from facilitator.engine import LEASE_WAIT_S, MeetingBusy, MeetingEngine, create_meeting
from storage import lease as repo  # the lease and process checks live in storage.lease
from storage.lease import _pid_alive
from storage.repo import Store

LINUX = Path("/proc/self/stat").exists()
HOST = socket.gethostname()


@pytest.fixture
def db(tmp_path: Path, user_agenda_dir: Path) -> str:
    return f"sqlite:///{tmp_path}/lease.db"


@pytest.fixture
def mid(db: str) -> int:
    store = Store(db)
    try:
        return create_meeting(
            store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Lease", groups=3
        )
    finally:
        store.close()


def lease_of(db: str, meeting_id: int) -> int | None:
    store = Store(db)
    try:
        return store.get_meeting(meeting_id).lease_pid
    finally:
        store.close()


def zombie() -> int:
    """A child that has exited and is not reaped: a zombie, until the caller reaps it."""
    pid = os.fork()
    if pid == 0:  # the child
        os._exit(0)
    deadline = time.monotonic() + 5
    while repo._proc_state(pid) != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    return pid


class FakeTime:
    """monotonic() and sleep() for a waiting engine: sleeping moves the clock, and
    ``at(seconds, do)`` runs ``do`` once the clock has reached that instant."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []
        self._events: list[tuple[float, object]] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.t += seconds
        for when, do in list(self._events):
            if self.t >= when:
                self._events.remove((when, do))
                do()

    def at(self, seconds: float, do) -> None:  # noqa: ANN001
        self._events.append((seconds, do))


# ---------------------------------------------------------------------- the zombie
@pytest.mark.skipif(not LINUX, reason="zombies are read from /proc")
def test_a_zombie_is_dead():
    pid = zombie()
    try:
        os.kill(pid, 0)  # the old check: signal 0 succeeds on a zombie
        assert repo._proc_state(pid) == "Z"
        assert _pid_alive(pid) is False
    finally:
        os.waitpid(pid, 0)
    assert _pid_alive(pid) is False  # reaped: gone
    assert _pid_alive(os.getpid()) is True


def test_alive_without_proc_falls_back_to_signal_0(monkeypatch):
    monkeypatch.setattr(repo, "_proc_state", lambda pid: None)  # as on macOS
    assert _pid_alive(os.getpid()) is True
    assert _pid_alive(0) is False and _pid_alive(-1) is False


@pytest.mark.skipif(not LINUX, reason="zombies are read from /proc")
def test_a_zombie_holders_lease_is_taken_over_at_once(db, mid):
    pid = zombie()
    try:
        store = Store(db)
        store.acquire_lease(mid, pid, f"pid {pid} på {HOST}", time.time())
        engine = MeetingEngine(store, mid)
        told: list[str] = []
        fake = FakeTime()
        engine.acquire(
            "den nye",
            wait=LEASE_WAIT_S,
            on_wait=told.append,
            sleep=fake.sleep,
            monotonic=fake.monotonic,
        )
        assert lease_of(db, mid) == os.getpid()
        assert told == [] and fake.sleeps == []  # no waiting at all
        engine.release()
        store.close()
    finally:
        os.waitpid(pid, 0)


# ---------------------------------------------------------------------- waiting
def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_holder_that_closes_within_the_wait_is_waited_for(db, mid):
    holder = sleeper()
    try:
        store = Store(db)
        store.acquire_lease(mid, holder.pid, f"pid {holder.pid} på {HOST}", time.time())
        engine = MeetingEngine(store, mid)
        fake = FakeTime()

        def holder_exits() -> None:
            holder.kill()
            holder.wait()

        fake.at(1.0, holder_exits)  # the old run finishes closing a second later
        told: list[str] = []
        engine.acquire(
            "den nye",
            wait=LEASE_WAIT_S,
            on_wait=told.append,
            sleep=fake.sleep,
            monotonic=fake.monotonic,
        )
        assert lease_of(db, mid) == os.getpid()
        assert told == [f"pid {holder.pid} på {HOST}"]  # said once, naming the holder
        assert 1.0 <= fake.t <= 1.5  # polled, and went on soon after it closed
        engine.release()
        store.close()
    finally:
        holder.kill()
        holder.wait()


def test_a_holder_that_stays_is_refused_after_the_wait(db, mid):
    holder = sleeper()
    try:
        store = Store(db)
        store.acquire_lease(mid, holder.pid, "pid 7 på projektor-pc", time.time())
        engine = MeetingEngine(store, mid)
        fake = FakeTime()
        told: list[str] = []
        with pytest.raises(MeetingBusy, match="kører allerede \\(pid 7 på projektor-pc\\)"):
            engine.acquire(
                "den nye",
                wait=LEASE_WAIT_S,
                on_wait=told.append,
                sleep=fake.sleep,
                monotonic=fake.monotonic,
            )
        assert len(told) == 1
        assert LEASE_WAIT_S <= fake.t < LEASE_WAIT_S + 0.5
        assert lease_of(db, mid) == holder.pid
        store.close()
    finally:
        holder.kill()
        holder.wait()


def test_a_holder_on_another_machine_is_not_waited_for(db, mid, monkeypatch):
    store = Store(db)
    monkeypatch.setattr(repo.socket, "gethostname", lambda: "den-anden-pc")
    store.acquire_lease(mid, 4242, "pid 4242 på den-anden-pc", time.time())
    monkeypatch.undo()
    engine = MeetingEngine(store, mid)
    fake = FakeTime()
    with pytest.raises(MeetingBusy, match="den-anden-pc"):
        engine.acquire("her", wait=LEASE_WAIT_S, sleep=fake.sleep, monotonic=fake.monotonic)
    assert fake.sleeps == []  # its heartbeat decides, not a few seconds
    store.close()


def test_without_wait_a_live_holder_is_refused_at_once(db, mid):
    other = sleeper()
    try:
        store = Store(db)
        store.acquire_lease(mid, other.pid, "pid på bærbaren", time.time())
        fake = FakeTime()
        with pytest.raises(MeetingBusy):
            MeetingEngine(store, mid).acquire("her", sleep=fake.sleep, monotonic=fake.monotonic)
        assert fake.sleeps == []
        store.close()
    finally:
        other.kill()
        other.wait()


# ---------------------------------------------------------------------- the command
def facilitator(db: str, *args: str, **kwargs) -> subprocess.Popen:  # noqa: ANN003
    env = {**os.environ, "FACILITATOR_DB": db, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "facilitator", *args],
        env=env,
        text=True,
        **kwargs,
    )


def read_until(proc: subprocess.Popen, needle: str, timeout: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        assert time.monotonic() < deadline, f"never said {needle!r}; said {seen!r}"
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode} before {needle!r}: {seen!r}")
        seen += line
    return seen


def serve(db: str, mid: int) -> subprocess.Popen:
    return facilitator(
        db,
        "serve",
        str(mid),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_restarts_at_once_after_sighup(db, mid):
    first = serve(db, mid)
    second = None
    try:
        read_until(first, "Stop med Ctrl+C")
        assert lease_of(db, mid) == first.pid
        first.send_signal(signal.SIGHUP)  # the terminal closed
        second = serve(db, mid)  # at once, while the first may still be closing
        read_until(second, "Stop med Ctrl+C")
        assert first.wait(timeout=10) == 0  # a clean stop, not killed by the signal
        assert lease_of(db, mid) == second.pid
        stop(second)
        assert second.returncode == 0
        assert "kører allerede" not in second.stderr.read()
        assert lease_of(db, mid) is None
    finally:
        stop(first)
        if second is not None:
            stop(second)


def test_serve_waits_for_a_holder_that_is_closing_and_says_so(db, mid):
    # The holder: a live process on this machine that lets go of the meeting when told
    # (its stdin closed) — once `serve` has said that it waits, however long its start.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; sys.stdout.write('x\\n'); sys.stdout.flush(); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    proc = None
    try:
        holder.stdout.readline()
        Store(db).acquire_lease(mid, holder.pid, f"pid {holder.pid} på {HOST}", time.time())
        proc = serve(db, mid)
        said = proc.stderr.readline()
        assert "Venter op til 5 sekunder, hvis det er ved at lukke" in said
        released = time.monotonic()
        holder.stdin.close()
        holder.wait()
        read_until(proc, "Stop med Ctrl+C")
        assert time.monotonic() - released < LEASE_WAIT_S
        assert lease_of(db, mid) == proc.pid
        stop(proc)
        err = proc.stderr.read()
        assert "kører allerede" not in err and "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()
        if proc is not None:
            stop(proc)


@pytest.mark.skipif(not LINUX, reason="a pseudo-terminal for the TUI")
def test_run_gives_the_meeting_up_on_sighup(db, mid):
    """The TUI in a terminal; the terminal goes (SIGHUP); `run` at once takes the meeting."""
    master, slave = pty.openpty()
    env = {
        **os.environ,
        "FACILITATOR_DB": db,
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "run", str(mid), "--no-web"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        drawn = b""
        deadline = time.monotonic() + 30
        while b"Fase 1" not in drawn and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    drawn += os.read(master, 65536)
                except OSError:
                    break
        assert b"Fase 1" in drawn, drawn[-400:]
        assert lease_of(db, mid) == proc.pid
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    pass
        assert proc.poll() is not None, "the app did not end on SIGHUP"
        assert proc.returncode != -signal.SIGHUP  # it ended itself, cleanly
        assert lease_of(db, mid) is None  # and gave the meeting up
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
