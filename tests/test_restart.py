"""The real restart: a process runs the meeting, dies by SIGKILL, and a new one takes over.

A helper script runs in its own Python process: it opens the database, builds the engine,
takes the lease, drives the meeting and then kills itself with SIGKILL, as a power cut or a
`kill -9` would. The test then opens the same file in this process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from facilitator.agenda import parse_agenda
from facilitator.engine import MeetingEngine, create_meeting
from storage.repo import Store

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"

HELPER = r"""
import asyncio, json, os, signal, sys, time
from facilitator.engine import MeetingEngine
from storage.repo import Store

url, meeting_id, *steps = sys.argv[1:]
fake = None
if steps and steps[0].startswith("fake:"):
    fake = [float(steps.pop(0).split(":", 1)[1])]
clock = (lambda: fake[0]) if fake else time.time
store = Store(url)
engine = MeetingEngine(store, int(meeting_id), clock=clock)
engine.acquire("helper-processen")


async def drive():
    for step in steps:
        name, _, arg = step.partition(":")
        if name == "goto":
            await engine.goto(int(arg))
        elif name == "start":
            await engine.start()
        elif name == "pause":
            await engine.pause()
        elif name == "extend":
            await engine.extend(float(arg))
        elif name == "advance":
            fake[0] += float(arg)


asyncio.run(drive())
report = {"pid": os.getpid(), "running_since": engine.clock.running_since}
print(json.dumps(report), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def run_and_die(tmp_path: Path, db_url: str, meeting_id: int, *steps: str) -> dict:
    script = tmp_path / "live_meeting.py"
    script.write_text(HELPER, encoding="utf-8")
    python = PYTHON if PYTHON.exists() else Path(sys.executable)
    proc = subprocess.run(
        [str(python), str(script), db_url, str(meeting_id), *steps],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's code, however installed
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_running_phase_survives_kill_9(tmp_path, db_url, meeting_id):
    t0 = 1_800_000_000.0
    report = run_and_die(tmp_path, db_url, meeting_id, f"fake:{t0}", "goto:2", "start")
    assert report["running_since"] == t0
    dead_s = 7.5  # the app is dead for a while; that time still counts

    store = Store(db_url)
    try:
        assert store.get_meeting(meeting_id).lease_pid == report["pid"]  # the dead one's
        engine = MeetingEngine(store, meeting_id, clock=lambda: t0 + dead_s)
        try:
            phase = engine.state()["phase"]
            assert phase["index"] == 2
            assert phase["title"] == "Grupper på 4: drømme og ønsker"
            assert phase["started"] is True and phase["paused"] is False
            assert engine.clock.running
            assert phase["remaining_s"] == 35 * 60 - dead_s
            assert engine.clock.remaining(t0 + dead_s) == 35 * 60 - dead_s

            began = time.monotonic()
            engine.acquire("den nye proces")  # the dead pid's lease is taken over at once
            assert time.monotonic() - began < 1.0
            meeting = store.get_meeting(meeting_id)
            assert (meeting.lease_pid, meeting.lease_where) == (os.getpid(), "den nye proces")
        finally:
            engine.release()
    finally:
        store.close()


def test_a_paused_phase_survives_kill_9_with_exactly_its_time(tmp_path, db_url, meeting_id):
    t0 = 1_800_000_000.0
    run_and_die(
        tmp_path, db_url, meeting_id, f"fake:{t0}", "goto:1", "start", "advance:437.25", "pause"
    )
    store = Store(db_url)
    try:
        later = t0 + 86_400  # the next morning
        engine = MeetingEngine(store, meeting_id, clock=lambda: later)
        state = engine.state()
        assert state["phase"]["index"] == 1
        assert state["phase"]["paused"] is True
        assert state["phase"]["remaining_s"] == round(25 * 60 - 437.25, 1)
        assert engine.clock.remaining(later) == 25 * 60 - 437.25  # exactly, not approximately
        assert state["turn"]["index"] == 1  # the second interview, 162.75 s left
        assert engine.clock.turn(later).remaining_s == 600 - 437.25
        engine.acquire()
        engine.release()
    finally:
        store.close()


def test_an_extended_turn_survives_kill_9(tmp_path, db_url, meeting_id):
    t0 = 1_800_000_000.0
    run_and_die(
        tmp_path,
        db_url,
        meeting_id,
        f"fake:{t0}",
        "goto:1",
        "start",
        "advance:400",
        "extend:1",
        "advance:50",
        "pause",
    )
    store = Store(db_url)
    try:
        engine = MeetingEngine(store, meeting_id, clock=lambda: t0 + 9_999)
        assert engine.clock.turn(t0 + 9_999) == (1, 3, 600 + 60 - 450)
        assert engine.clock.remaining(t0 + 9_999) == 1500 + 60 - 450
        # earlier phases left behind keep their state too: the intro was never started
        assert not engine.clocks[0].started
    finally:
        store.close()


async def test_the_previous_phase_keeps_its_time_across_a_restart(tmp_path, db_url, meeting_id):
    t0 = 1_800_000_000.0
    run_and_die(
        tmp_path, db_url, meeting_id, f"fake:{t0}", "start", "advance:300", "goto:1", "advance:5"
    )
    store = Store(db_url)
    try:
        engine = MeetingEngine(store, meeting_id, clock=lambda: t0 + 5_000)
        assert engine.index == 1
        await engine.previous_phase()
        phase = engine.state()["phase"]
        assert (phase["index"], phase["paused"], phase["remaining_s"]) == (0, True, 600)
    finally:
        store.close()


QUICK = """\
format = 1
title = "Hurtig runde"
method = "test"
language = "da"

[[phase]]
kind = "info"
title = "Intro"
minutes = 1

[[phase]]
kind = "rounds"
title = "Runde"
minutes = 0.07      # 4 s
speakers = 2
turn_seconds = 1
"""


async def test_after_a_restart_the_engine_announces_the_phase_end_itself(
    tmp_path, db_url, store, fake_clock, fake_scheduler
):
    """A running phase that ends after the restart is announced without any command."""
    meeting = create_meeting(store, parse_agenda(QUICK, "quick.toml"), "quick", "Hurtigt")
    t0 = fake_clock()
    report = run_and_die(tmp_path, db_url, meeting, f"fake:{t0}", "goto:1", "start")
    assert report["running_since"] == t0
    fake_clock.advance(1.5)  # the restart took a while: the second turn has begun
    engine = MeetingEngine(store, meeting, clock=fake_clock, scheduler=fake_scheduler)
    seen = []
    engine.add_listener(lambda snapshot: seen.append(snapshot.event.kind))
    try:
        engine.acquire()
        engine.start_timers()  # what the app's on_mount and `serve` call
        assert fake_scheduler.due_times()  # the engine scheduled the phase's next boundary
        ends = t0 + engine.clock.duration_s
        await fake_scheduler.advance(ends - fake_clock() - 0.005, engine)
        assert "phase_end" not in seen  # not before its time
        await fake_scheduler.advance(0.1, engine)
        assert seen[-1] == "phase_end"
        assert engine.state()["phase"]["remaining_s"] == 0
    finally:
        engine.release()
