"""The timeline's timers run on an injected scheduler: tests move a fake clock and fire
what is due, so no test waits real seconds; and the live path reads nothing from the
database on the loop."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from tests.conftest import settle

INTERVIEW, FLIPOVER, VOTE = 1, 2, 4  # phases of the built-in dialogmoede-1
TURN_S = 300


@pytest.fixture
def timed(store, fake_clock, fake_scheduler, user_agenda_dir):
    scheduler = fake_scheduler
    meeting = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Timere", groups=3
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock, scheduler=scheduler)
    yield engine, scheduler
    engine.release()


async def test_turn_changes_and_the_phase_end_are_announced_by_the_scheduled_timer(
    timed, fake_clock
):
    engine, scheduler = timed
    seen: list[tuple[str, dict]] = []
    engine.add_listener(lambda s: seen.append((s.event.kind, s.event.data)))
    await engine.goto(INTERVIEW)
    await engine.start()
    turns = engine.clock.turn_count
    assert turns > 1
    for _ in range(turns - 1):
        fake_clock.advance(TURN_S + 0.02)
        assert scheduler.run_due() == 1
        await settle(engine)
    fake_clock.advance(engine.clock.remaining(fake_clock()) + 1)
    assert scheduler.run_due() == 1
    await settle(engine)
    assert [kind for kind, _ in seen] == ["phase", "clock"] + ["turn"] * (turns - 1) + ["phase_end"]
    assert [data["index"] for kind, data in seen if kind == "turn"] == list(range(1, turns))


async def test_a_paused_clock_schedules_nothing(timed, fake_clock):
    engine, scheduler = timed
    await engine.goto(INTERVIEW)
    await engine.start()
    await engine.pause()
    fake_clock.advance(3 * TURN_S)
    assert scheduler.run_due() == 0


async def test_marks_state_and_ranking_read_nothing_on_the_loop(timed, store):
    engine, _scheduler = timed
    await engine.goto(FLIPOVER)
    wishes = [await engine.add_flipover(g, f"Ønske {g}") for g in (1, 2, 3)]
    await engine.goto(VOTE)
    loop_thread = threading.get_ident()
    on_loop: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if threading.get_ident() == loop_thread:
            on_loop.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        for phone in range(30):
            await engine.vote(f"telefon-{phone:04d}", wishes[phone % 3].id)
            engine.state()
            engine.ranking()
            engine.flipover_counts()
            engine.device_marks(f"telefon-{phone:04d}")
            engine.idempotent("en-nøgle-der-ikke-findes")
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert on_loop == []
    assert [f.marks for f in engine.flipovers()] == [10, 10, 10]
