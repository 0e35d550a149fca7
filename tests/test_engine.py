"""MeetingEngine: commands in, one event out each, time owned by the engine."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from facilitator.agenda import parse_agenda
from facilitator.engine import EngineError, MeetingBusy, MeetingEngine, create_meeting
from storage.db import StorageError
from storage.repo import Store

INTRO, INTERVIEW, DREAMS = 0, 1, 2


@pytest.fixture
def events(engine):
    """Every snapshot the engine publishes, in order."""
    seen = []
    engine.add_listener(seen.append)
    return seen


def phase_state(engine):
    return engine.state()["phase"]


# ------------------------------------------------------------------ opening


def test_a_new_meeting_opens_on_the_first_phase_not_started(engine, fake_clock):
    state = engine.state()
    assert state["phase"]["index"] == 0
    assert state["phase"]["title"] == "Fælles intro"
    assert state["phase"]["started"] is False and state["phase"]["paused"] is False
    assert state["phase"]["remaining_s"] == 15 * 60
    assert state["meeting"]["elapsed_s"] == 0


async def test_nothing_starts_by_itself(engine, fake_clock, events):
    fake_clock.advance(3 * 3600)
    assert await engine.check_timers() is None
    assert events == []
    assert phase_state(engine)["remaining_s"] == 15 * 60
    assert not engine.clock.started
    await engine.next_phase()
    fake_clock.advance(3600)
    assert await engine.check_timers() is None
    assert phase_state(engine)["remaining_s"] == 25 * 60


def test_unknown_meeting_is_refused(store):
    with pytest.raises(EngineError):
        MeetingEngine(store, 4711)


# ------------------------------------------------------------------ one event per command


async def test_each_command_publishes_exactly_one_event(engine, fake_clock, events):
    commands = [
        (engine.start, "clock"),
        (lambda: engine.extend(1), "clock"),
        (engine.pause, "clock"),
        (engine.toggle, "clock"),
        (engine.next_phase, "phase"),
        (engine.previous_phase, "phase"),
        (lambda: engine.goto(DREAMS), "phase"),
        (lambda: engine.add_flipover(1, "Mere ro", ["Stillerum"]), "flipover_added"),
        (lambda: engine.edit_flipover(events[-1].event.data["id"], 2, "Ro"), "flipover_edited"),
        (lambda: engine.delete_flipover(events[-1].event.data["id"]), "flipover_deleted"),
    ]
    for number, (command, kind) in enumerate(commands, start=1):
        fake_clock.advance(5)
        await command()
        assert len(events) == number, f"{kind} published {len(events) - number + 1} events"
        assert events[-1].event.kind == kind
        assert events[-1].event.version == number
        assert events[-1].event.at == fake_clock()
    assert [e.event.data.get("action") for e in events[:4]] == ["start", "extend", "pause", "start"]


async def test_an_event_carries_the_state_serialised_once(engine, events):
    await engine.start()
    snapshot = events[-1]
    assert snapshot.state["phase"]["started"] is True
    assert json.loads(snapshot.json) == snapshot.state
    assert "Ærø" in snapshot.json  # UTF-8 as is, for the phones
    assert engine.latest is snapshot


async def test_a_refused_command_publishes_nothing(engine, events):
    for bad in (
        lambda: engine.extend(0),
        lambda: engine.extend(-1),
        lambda: engine.extend(500),
        lambda: engine.goto(6),
        lambda: engine.goto(-1),
        engine.previous_phase,
    ):
        with pytest.raises(EngineError):
            await bad()
    await engine.goto(5)
    with pytest.raises(EngineError):
        await engine.next_phase()
    assert [e.event.kind for e in events] == ["phase"]


async def test_a_failed_write_changes_nothing_and_publishes_nothing(engine, events, monkeypatch):
    def disk_full(*args, **kwargs):
        raise StorageError("kunne ikke gemme: disk I/O error")

    monkeypatch.setattr(engine.store, "save_clock", disk_full)
    with pytest.raises(StorageError):
        await engine.start()
    assert not engine.clock.started
    with pytest.raises(StorageError):
        await engine.next_phase()
    assert engine.index == 0
    assert events == []


# ------------------------------------------------------------------ subscribers


async def test_a_subscriber_gets_the_current_state_at_once(engine):
    await engine.start()
    sub = engine.subscribe()
    snapshot = sub.take()
    assert snapshot is engine.latest
    assert snapshot.state["phase"]["started"] is True
    assert sub.take() is None


async def test_a_slow_subscriber_sees_only_the_newest_state(engine):
    slow, fast = engine.subscribe(), engine.subscribe()
    slow.take(), fast.take()
    seen_fast = []
    for _ in range(3):
        await engine.next_phase()
        seen_fast.append(fast.take().state["phase"]["index"])
    assert seen_fast == [1, 2, 3]  # a fast one sees every change
    newest = slow.take()
    assert newest.state["phase"]["index"] == 3  # the slow one skips to the newest
    assert newest.state["phase"]["title"] == "Galleri"
    assert slow.take() is None  # and nothing older is queued behind it


async def test_awaiting_a_subscription_returns_the_newest(engine):
    sub = engine.subscribe()
    assert (await sub.get()).event.kind == "opened"
    await engine.start()
    await engine.pause()
    await engine.next_phase()
    snapshot = await asyncio.wait_for(sub.get(), 2)  # three changes: the newest only
    assert snapshot.event.kind == "phase"
    assert sub.take() is None
    assert snapshot.state["phase"]["index"] == 1


async def test_a_closed_subscription_ends_and_gets_no_more(engine):
    sub = engine.subscribe()
    sub.take()
    sub.close()
    await engine.start()
    assert await asyncio.wait_for(sub.get(), 1) is None
    other = engine.subscribe()
    engine.release()  # quitting closes every stream
    assert await asyncio.wait_for(other.get(), 1) is None


# ------------------------------------------------------------------ phases


async def test_next_enters_the_next_phase_not_started_with_full_time(engine, fake_clock):
    await engine.start()
    fake_clock.advance(200)
    await engine.next_phase()
    phase = phase_state(engine)
    assert phase["index"] == INTERVIEW
    assert phase["started"] is False and phase["paused"] is False
    assert phase["remaining_s"] == 25 * 60
    turn = engine.state()["turn"]
    assert (turn["index"], turn["count"], turn["remaining_s"]) == (0, 3, 300)
    fake_clock.advance(100)
    assert phase_state(engine)["remaining_s"] == 25 * 60  # → never starts the clock


async def test_previous_returns_with_the_time_it_had_left_paused(engine, fake_clock):
    await engine.start()
    fake_clock.advance(200)
    await engine.next_phase()
    fake_clock.advance(600)  # time in the next phase does not count for the intro
    await engine.previous_phase()
    phase = phase_state(engine)
    assert phase["index"] == INTRO
    assert phase["started"] is True and phase["paused"] is True
    assert phase["remaining_s"] == 15 * 60 - 200
    fake_clock.advance(1000)
    assert phase_state(engine)["remaining_s"] == 15 * 60 - 200
    await engine.start()
    fake_clock.advance(50)
    assert phase_state(engine)["remaining_s"] == 15 * 60 - 250


async def test_leaving_and_returning_keeps_each_phase_its_own_time(engine, fake_clock):
    await engine.goto(INTERVIEW)
    await engine.start()
    fake_clock.advance(400)
    await engine.goto(DREAMS)
    await engine.start()
    fake_clock.advance(100)
    await engine.goto(INTERVIEW)
    assert phase_state(engine)["remaining_s"] == 1500 - 400
    assert engine.state()["turn"]["index"] == 1
    await engine.goto(DREAMS)
    assert phase_state(engine)["remaining_s"] == 35 * 60 - 100
    assert engine.state()["meeting"]["elapsed_s"] == 500


async def test_extend_by_one_and_five_minutes(engine, fake_clock, events):
    planned = engine.state()["meeting"]["planned_s"]
    await engine.start()
    fake_clock.advance(100)
    await engine.extend(1)
    assert phase_state(engine)["remaining_s"] == 900 - 100 + 60
    await engine.extend(5)
    assert phase_state(engine)["remaining_s"] == 900 - 100 + 360
    assert engine.state()["meeting"]["planned_s"] == planned + 360
    assert [e.event.data.get("minutes") for e in events[1:]] == [1, 5]


async def test_plus_one_minute_during_a_turn_lengthens_that_turn(engine, fake_clock):
    await engine.goto(INTERVIEW)
    await engine.start()
    fake_clock.advance(400)  # the second interview, 200 s left
    await engine.extend(1)
    assert engine.state()["turn"]["index"] == 1
    assert engine.state()["turn"]["remaining_s"] == 260
    fake_clock.advance(259)
    assert engine.state()["turn"]["index"] == 1
    fake_clock.advance(1)
    assert engine.state()["turn"]["index"] == 2


async def test_overrun_counts_up_and_phase_end_is_announced_once(engine, fake_clock, events):
    await engine.start()
    fake_clock.advance(899)
    assert (await engine.check_timers()).event.kind == "warning"  # the wrap-up came at 780 s
    assert await engine.check_timers() is None
    fake_clock.advance(1)
    snapshot = await engine.check_timers()
    assert snapshot is not None and snapshot.event.kind == "phase_end"
    assert snapshot.state["phase"]["remaining_s"] == 0
    fake_clock.advance(133)
    assert await engine.check_timers() is None  # announced once, not every tick
    phase = phase_state(engine)
    assert phase["remaining_s"] == 0 and phase["overrun_s"] == 133
    await engine.extend(1)  # when over: one more minute from now
    assert phase_state(engine)["remaining_s"] == 60
    assert phase_state(engine)["overrun_s"] == 0
    fake_clock.advance(60)
    assert (await engine.check_timers()).event.kind == "phase_end"  # the new end is announced too
    assert [e.event.kind for e in events].count("phase_end") == 2


async def test_turn_changes_are_announced_via_check_timers(engine, fake_clock):
    await engine.goto(INTERVIEW)
    await engine.start()
    t0 = fake_clock()
    fake_clock.advance(120)
    assert await engine.check_timers() is None  # nothing between boundaries
    announced = []
    for step in (180, 300, 300, 300, 300):  # to 300, 600, 900, 1200, 1500 s
        fake_clock.advance(step)
        snapshot = await engine.check_timers()
        if snapshot is not None:
            data = snapshot.event.data
            kind, at = snapshot.event.kind, snapshot.event.at - t0
            announced.append((at, kind, data.get("index"), data.get("label")))
    assert announced == [
        (300, "turn", 1, "2 interviewer 3"),
        (600, "turn", 2, "3 interviewer 1"),
        (900, "turn", None, "Tid til opsamling"),  # the ring is done: open time to sum up
        (1500, "phase_end", INTERVIEW, None),
    ]


async def test_a_paused_turn_announces_nothing(engine, fake_clock):
    await engine.goto(INTERVIEW)
    await engine.start()
    fake_clock.advance(100)
    await engine.pause()
    fake_clock.advance(10_000)
    assert await engine.check_timers() is None
    assert engine.state()["turn"] == {
        "index": 0,
        "count": 3,
        "remaining_s": 200,
        "label": "1 interviewer 2",
    }


# ------------------------------------------------------------------ the real loop schedules


QUICK = """\
format = 1
title = "Hurtig runde"
method = "test"
language = "da"

[[phase]]
kind = "rounds"
title = "Runde"
minutes = 0.05      # 3 s
speakers = 2
turn_seconds = 1

[[phase]]
kind = "info"
title = "Slut"
minutes = 1
"""


@pytest.fixture
def quick(store, fake_clock, fake_scheduler):
    """A 3-second round of two 1-second turns, its timers on the fake scheduler."""
    mid = create_meeting(store, parse_agenda(QUICK, "quick.toml"), "quick", "Hurtigt møde")
    engine = MeetingEngine(store, mid, clock=fake_clock, scheduler=fake_scheduler)
    seen = []
    engine.add_listener(seen.append)
    yield engine, seen
    engine.release()


async def test_the_engine_schedules_turn_changes_and_phase_end_itself(
    quick, fake_clock, fake_scheduler
):
    engine, seen = quick
    await engine.start()
    started = seen[0].event.at
    # Nobody calls check_timers here: only the timers the engine scheduled fire.
    for want in (1.0, 2.0, 3.0):
        before = len(seen)
        await fake_scheduler.advance(started + want - 0.005 - fake_clock(), engine)
        assert len(seen) == before  # not a moment early
        await fake_scheduler.advance(0.1, engine)
        assert len(seen) == before + 1
    kinds = [(s.event.kind, s.event.data.get("index")) for s in seen]
    assert kinds == [("clock", None), ("turn", 1), ("turn", None), ("phase_end", 0)]
    offsets = [s.event.at - started for s in seen[1:]]
    for got, want in zip(offsets, [1.0, 2.0, 3.0], strict=True):
        assert want <= got < want + 0.1
    assert seen[1].state["turn"]["label"] == "Person 2 af 2"
    assert seen[-1].state["phase"]["remaining_s"] == 0
    assert fake_scheduler.due_times() == []  # the phase is over: nothing more to fire


async def test_pausing_cancels_the_scheduled_turn_change(quick, fake_clock, fake_scheduler):
    engine, seen = quick
    await engine.start()
    assert fake_scheduler.due_times()  # the first turn change is scheduled
    await fake_scheduler.advance(0.3, engine)
    await engine.pause()
    assert fake_scheduler.due_times() == []
    assert await fake_scheduler.advance(60, engine) == 0
    assert [s.event.kind for s in seen] == ["clock", "clock"]


# ------------------------------------------------------------------ flip-overs


async def test_an_empty_heading_is_refused_and_nothing_is_written(engine, events):
    await engine.goto(DREAMS)
    for heading in ("", "   ", "\n\t"):
        with pytest.raises(EngineError) as info:
            await engine.add_flipover(1, heading, ["et forslag"])
        assert "Overskriften" in str(info.value)
    assert engine.store.flipovers(engine.meeting_id) == []
    assert [e.event.kind for e in events] == ["phase"]


@pytest.mark.parametrize(
    ("group", "proposals"),
    [(0, []), (-1, []), (201, []), (1, [f"forslag {i}" for i in range(6)]), (1, ["x" * 501])],
)
async def test_bad_flipovers_are_refused(engine, group, proposals):
    await engine.goto(DREAMS)  # max_proposals = 5 in the dreams phase
    with pytest.raises(EngineError):
        await engine.add_flipover(group, "Overskrift", proposals)
    assert engine.store.flipovers(engine.meeting_id) == []


async def test_a_flipover_is_committed_when_add_returns(engine, db_url):
    await engine.goto(DREAMS)
    row = await engine.add_flipover(
        2, "  Mere   tid til  faglig sparring ", ["Fast møde", " ", "Mentor"]
    )
    assert row.heading == "Mere tid til faglig sparring"
    assert row.proposals == ("Fast møde", "Mentor")
    other = Store(db_url)  # another connection, as a second process would see it
    try:
        [stored] = other.flipovers(engine.meeting_id)
    finally:
        other.close()
    assert (stored.group, stored.heading, stored.proposals, stored.kind) == (
        2,
        "Mere tid til faglig sparring",
        ("Fast møde", "Mentor"),
        "wish",
    )


async def test_flipover_counts_per_group(engine):
    await engine.goto(DREAMS)
    assert engine.flipover_counts() == {1: 0, 2: 0, 3: 0}  # groups = 3
    await engine.add_flipover(1, "A", [])
    await engine.add_flipover(1, "B", [])
    await engine.add_flipover(3, "C", [])
    assert engine.flipover_counts() == {1: 2, 2: 0, 3: 1}
    await engine.delete_flipover(engine.flipovers()[0].id)
    assert engine.flipover_counts() == {1: 1, 2: 0, 3: 1}


async def test_interview_flipovers_are_strengths_of_the_threes(engine):
    await engine.goto(INTERVIEW)
    assert engine.flipover_counts() == {1: 0, 2: 0, 3: 0, 4: 0}  # 12 people in threes
    row = await engine.add_flipover(4, "Vi hjælper hinanden", [])
    assert (row.kind, row.grouping) == ("strength", "interview")
    assert engine.flipover_counts() == {1: 0, 2: 0, 3: 0, 4: 1}
    await engine.goto(DREAMS)
    assert engine.flipover_counts() == {1: 0, 2: 0, 3: 0}


async def test_edit_and_delete_of_an_unknown_flipover_are_refused(engine, events):
    with pytest.raises(EngineError):
        await engine.edit_flipover(999, 1, "x")
    with pytest.raises(EngineError):
        await engine.delete_flipover(999)
    assert events == []


# ------------------------------------------------------------------ the /api/state contract


async def test_state_matches_the_api_contract(engine, fake_clock):
    state = engine.state()
    assert set(state) >= {"meeting", "phase", "turn"}
    assert set(state["meeting"]) >= {"id", "title", "elapsed_s", "planned_s", "phones"}
    assert set(state["phase"]) >= {
        "index",
        "count",
        "kind",
        "title",
        "text",
        "questions",
        "started",
        "paused",
        "remaining_s",
        "overrun_s",
    }
    assert state["meeting"]["title"] == "1. dialogmøde på Ærø"
    assert state["meeting"]["planned_s"] == 115 * 60
    assert state["meeting"]["phones"] == 0
    assert state["phase"]["count"] == 6 and state["phase"]["kind"] == "info"
    assert isinstance(state["phase"]["questions"], list)
    assert state["turn"] is None

    await engine.goto(INTERVIEW)
    await engine.start()
    fake_clock.advance(301)
    state = engine.state()
    assert set(state["turn"]) >= {"index", "count", "remaining_s"}
    assert (state["turn"]["index"], state["turn"]["count"]) == (1, 3)
    assert state["turn"]["remaining_s"] == 299
    assert state["meeting"]["elapsed_s"] == 301
    json.dumps(state)  # plain data all the way down


def test_phones_are_counted_with_one_event_per_change(engine, events):
    engine.set_phones(3)
    engine.set_phones(3)
    assert engine.state()["meeting"]["phones"] == 3
    assert [e.event.kind for e in events] == ["phones"]


# ------------------------------------------------------------------ the lease through the engine


def test_acquire_refuses_a_meeting_held_by_a_live_process(engine, store, fake_clock):
    store.acquire_lease(engine.meeting_id, os.getppid(), "tmux på projektor-pc", fake_clock())
    with pytest.raises(MeetingBusy) as info:
        engine.acquire()
    assert "tmux på projektor-pc" in str(info.value)


def test_release_lets_the_next_process_in(engine, store, fake_clock):
    engine.acquire("her")
    assert store.get_meeting(engine.meeting_id).lease_pid == os.getpid()
    engine.release()
    assert store.get_meeting(engine.meeting_id).lease_pid is None
    store.acquire_lease(engine.meeting_id, os.getppid(), "næste", fake_clock())


async def test_lease_heartbeat_runs_when_taken_before_the_loop(store, meeting_id, monkeypatch):
    """The CLI takes the lease before the app's loop runs; the heartbeat must still beat,
    or another machine would take a live meeting over as stale.

    This is about the default scheduler (the running loop's call_later), so the engine
    has no fake one: the heartbeat comes due almost at once and the test waits for the beat."""
    import facilitator.engine.lease as lease_module

    monkeypatch.setattr(lease_module, "HEARTBEAT_S", 0.01)
    clock = [1000.0]
    engine = MeetingEngine(store, meeting_id, clock=lambda: clock[0])
    try:
        await asyncio.to_thread(engine.acquire, "here")  # no running loop in that thread
        engine.start_timers()
        clock[0] = 2000.0
        for _ in range(500):
            if store.get_meeting(meeting_id).lease_heartbeat == 2000.0:
                break
            await asyncio.sleep(0.01)
        assert store.get_meeting(meeting_id).lease_heartbeat == 2000.0
    finally:
        engine.release()
