"""The room's signals in the engine: the wrap-up warning before a phase's end (agenda
``warning_minutes``), the state's ``signal`` the projector, wall and phones flash on at a
turn change, a warning and a phase end, and ``display``: the board screen the TUI has open.

Timers run on the fake scheduler: the engine schedules its own timers and the test moves
the fake clock through them, so nothing waits real seconds. The tests that use a database
run on SQLite and PostgreSQL (this module's own ``pytest_generate_tests`` below).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facilitator.agenda import AgendaError, load_agenda, parse_agenda
from facilitator.clock import PhaseClock, warning_text
from facilitator.engine import MeetingEngine, Snapshot, create_meeting
from tests.conftest import BACKENDS, BOTH_DATABASES

INFO_S = 15 * 60  # dialogmoede-1's first phase, "Fælles intro", no turns
INTERVIEW = 1  # dialogmoede-1's interview: 25 min, three turns of 300 s, then open time
WARN_S = 120  # the default warning, 2 minutes


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses a database on both, as the modules in conftest's
    BOTH_DATABASES do (once this module is listed there, this hook steps aside)."""
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_DATABASES or "db_backend" not in metafunc.fixturenames:
        return
    metafunc.parametrize("db_backend", list(BACKENDS), indirect=True, scope="function")


HEADER = """\
format = 1
title = "Signaler"
method = "test"
language = "da"
"""


def without_phase(signal: dict | None) -> dict | None:
    """A signal without the index of its phase (asserted on its own where it matters)."""
    return None if signal is None else {k: v for k, v in signal.items() if k != "phase"}


def agenda_text(*phases: str) -> str:
    return HEADER + "".join(f"\n[[phase]]\n{body}" for body in phases)


@pytest.fixture
def room(store, fake_clock, fake_scheduler, user_agenda_dir):
    """A 1. dialogmøde on the fake clock and scheduler; every snapshot published kept."""
    meeting = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Signaler", groups=3
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock, scheduler=fake_scheduler)
    seen: list[Snapshot] = []
    engine.add_listener(seen.append)
    yield engine, seen
    engine.release()


def own_meeting(store, fake_clock, fake_scheduler, text: str) -> tuple[MeetingEngine, list]:
    meeting = create_meeting(store, parse_agenda(text, "signaler.toml"), "signaler", "Signaler")
    engine = MeetingEngine(store, meeting, clock=fake_clock, scheduler=fake_scheduler)
    seen: list[Snapshot] = []
    engine.add_listener(seen.append)
    return engine, seen


def kinds(seen: list[Snapshot]) -> list[str]:
    return [s.event.kind for s in seen]


# ------------------------------------------------------------------ the wrap-up warning


async def test_the_warning_comes_when_two_minutes_are_left_and_not_before(
    room, fake_clock, fake_scheduler
):
    engine, seen = room
    state = engine.state()
    assert state["phase"]["warning_s"] == WARN_S
    assert state["phase"]["warning"] is False  # not started: no wrap-up
    assert state["signal"] is None
    await engine.start()
    started = fake_clock()
    await fake_scheduler.advance(INFO_S - WARN_S - 0.05, engine)
    assert kinds(seen) == ["clock"]  # not a moment early
    assert engine.state()["phase"]["warning"] is False
    await fake_scheduler.advance(0.1, engine)
    assert kinds(seen) == ["clock", "warning"]
    warning = seen[-1]
    assert warning.event.data == {"index": 0, "seconds": WARN_S}
    assert INFO_S - WARN_S <= warning.event.at - started < INFO_S - WARN_S + 0.1
    assert warning.state["phase"]["warning"] is True
    assert without_phase(warning.state["signal"]) == {
        "seq": 1,
        "kind": "warning",
        "text": "2 min tilbage",
    }
    assert json.loads(warning.json)["signal"]["text"] == "2 min tilbage"  # what the pages get
    assert engine.signal == warning.state["signal"]
    # once: the wrap-up goes on, and the next thing announced is the end
    await fake_scheduler.advance(WARN_S - 1, engine)
    assert kinds(seen) == ["clock", "warning"]
    assert engine.state()["phase"]["warning"] is True
    await fake_scheduler.advance(2, engine)
    assert kinds(seen) == ["clock", "warning", "phase_end"]
    end = seen[-1].state
    assert end["phase"]["warning"] is False  # over is over, not wrap-up
    assert without_phase(end["signal"]) == {"seq": 2, "kind": "phase_end", "text": "Tiden er gået"}


async def test_a_paused_phase_in_its_wrap_up_stays_in_it(room, fake_clock, fake_scheduler):
    engine, seen = room
    await engine.start()
    await fake_scheduler.advance(INFO_S - 60, engine)
    await engine.pause()
    assert engine.state()["phase"]["paused"] is True
    assert engine.state()["phase"]["warning"] is True
    await fake_scheduler.advance(3600, engine)
    assert kinds(seen) == ["clock", "warning", "clock"]  # nothing runs out while paused
    assert engine.signal["kind"] == "warning"


async def test_extending_above_the_warning_ends_the_wrap_up_and_it_warns_again(
    room, fake_clock, fake_scheduler
):
    engine, seen = room
    await engine.start()
    await fake_scheduler.advance(INFO_S - 30, engine)  # 30 s left, warned at 120 s
    assert kinds(seen) == ["clock", "warning"]
    await engine.extend(1)  # 90 s left: still the wrap-up, no new warning
    assert engine.state()["phase"]["warning"] is True
    await engine.extend(5)  # 390 s left: the wrap-up is over
    state = engine.state()
    assert state["phase"]["warning"] is False
    assert state["signal"]["seq"] == 1  # a clock command is not a signal
    assert kinds(seen) == ["clock", "warning", "clock", "clock"]
    await fake_scheduler.advance(390 - WARN_S - 0.05, engine)
    assert kinds(seen)[-1] == "clock"
    await fake_scheduler.advance(0.1, engine)
    assert kinds(seen)[-1] == "warning"
    assert without_phase(seen[-1].state["signal"]) == {
        "seq": 2,
        "kind": "warning",
        "text": "2 min tilbage",
    }
    assert seen[-1].state["phase"]["warning"] is True


async def test_warning_minutes_zero_turns_the_warning_off(store, fake_clock, fake_scheduler):
    text = agenda_text('kind = "info"\ntitle = "Uden"\nminutes = 5\nwarning_minutes = 0\n')
    engine, seen = own_meeting(store, fake_clock, fake_scheduler, text)
    try:
        assert engine.phase.warning_seconds == 0
        await engine.start()
        assert fake_scheduler.due_times() == [pytest.approx(fake_clock() + 300, abs=0.1)]
        await fake_scheduler.advance(299, engine)
        state = engine.state()
        assert state["phase"]["warning_s"] == 0 and state["phase"]["warning"] is False
        assert state["signal"] is None
        await fake_scheduler.advance(2, engine)
        assert kinds(seen) == ["clock", "phase_end"]
    finally:
        engine.release()


async def test_an_agenda_warning_length_is_used_in_seconds(store, fake_clock, fake_scheduler):
    text = agenda_text('kind = "info"\ntitle = "Kort"\nminutes = 5\nwarning_minutes = 0.5\n')
    engine, seen = own_meeting(store, fake_clock, fake_scheduler, text)
    try:
        await engine.start()
        await fake_scheduler.advance(300 - 30 - 0.05, engine)
        assert kinds(seen) == ["clock"]
        await fake_scheduler.advance(0.1, engine)
        assert seen[-1].event.data == {"index": 0, "seconds": 30}
        assert seen[-1].state["phase"]["warning_s"] == 30
        assert seen[-1].state["signal"]["text"] == "1 min tilbage"
    finally:
        engine.release()


async def test_a_warning_as_long_as_the_phase_gives_no_wrap_up_until_it_is_extended(
    store, fake_clock, fake_scheduler
):
    text = agenda_text('kind = "break"\ntitle = "Stræk ben"\nminutes = 2\n')  # default 2 min
    engine, seen = own_meeting(store, fake_clock, fake_scheduler, text)
    try:
        await engine.start()
        assert engine.state()["phase"]["warning"] is False  # a 2-minute break is not all warning
        await fake_scheduler.advance(60, engine)
        assert engine.state()["phase"]["warning"] is False
        await engine.extend(1)  # 2 min left of 3: the wrap-up now has a start to cross
        assert engine.state()["phase"]["warning"] is True
        await fake_scheduler.advance(121, engine)
        assert kinds(seen) == ["clock", "clock", "phase_end"]  # extended inside it: no signal
    finally:
        engine.release()


async def test_moving_to_another_phase_never_warns_for_the_old_one(
    room, fake_clock, fake_scheduler
):
    engine, seen = room
    await engine.start()
    await fake_scheduler.advance(INFO_S - WARN_S - 10, engine)  # 10 s before the warning
    await engine.next_phase()
    await fake_scheduler.advance(3600, engine)
    assert kinds(seen) == ["clock", "phase"]
    assert engine.state()["signal"] is None
    assert engine.state()["phase"]["warning"] is False  # the interview is not started


async def test_going_back_to_a_phase_in_its_wrap_up_shows_it_but_does_not_signal(
    room, fake_clock, fake_scheduler
):
    engine, seen = room
    await engine.start()
    await fake_scheduler.advance(INFO_S - 60, engine)  # warned; 60 s left
    await engine.next_phase()
    await engine.previous_phase()
    state = engine.state()
    assert state["phase"]["index"] == 0 and state["phase"]["paused"] is True
    assert state["phase"]["warning"] is True
    await engine.start()
    await fake_scheduler.advance(59, engine)
    assert kinds(seen) == ["clock", "warning", "phase", "phase", "clock"]
    await fake_scheduler.advance(2, engine)
    assert kinds(seen)[-1] == "phase_end"
    assert seen[-1].state["signal"]["seq"] == 2


async def test_a_late_timer_announces_the_warning_and_the_turn_it_finds(
    store, fake_clock, fake_scheduler
):
    text = agenda_text(
        'kind = "rounds"\ntitle = "Runde"\nminutes = 10\nspeakers = 2\nturn_seconds = 300\n'
    )
    engine, seen = own_meeting(store, fake_clock, fake_scheduler, text)
    try:
        await engine.start()
        fake_clock.advance(490)  # the laptop slept through the turn change and the warning
        await engine.check_timers()
        assert kinds(seen) == ["clock", "warning", "turn"]
        assert without_phase(seen[1].state["signal"]) == {
            "seq": 1,
            "kind": "warning",
            "text": "2 min tilbage",
        }
        # the signal left in the state (all a page may see) is the turn the room acts on,
        # and it says the wrap-up too
        assert without_phase(seen[-1].state["signal"]) == {
            "seq": 2,
            "kind": "turn",
            "text": "Skift: Person 2 af 2 · 2 min tilbage",
        }
        assert seen[-1].state["phase"]["warning"] is True
        assert seen[-1].state["turn"]["index"] == 1
    finally:
        engine.release()


async def test_a_turn_ending_as_the_wrap_up_begins_gives_both_the_turn_last(
    store, fake_clock, fake_scheduler
):
    # two turns of 3 min in 8 min: the ring ends with 2 min left, as the warning comes
    text = agenda_text(
        'kind = "rounds"\ntitle = "Runde"\nminutes = 8\nspeakers = 2\nturn_seconds = 180\n'
    )
    engine, seen = own_meeting(store, fake_clock, fake_scheduler, text)
    try:
        await engine.start()
        await fake_scheduler.advance(360 - 0.05, engine)
        assert kinds(seen) == ["clock", "turn"]
        await fake_scheduler.advance(0.1, engine)
        assert kinds(seen) == ["clock", "turn", "warning", "turn"]
        assert without_phase(engine.signal) == {
            "seq": 3,
            "kind": "turn",
            "text": "Skift: Tid til opsamling · 2 min tilbage",
        }
        assert engine.state()["phase"]["warning"] is True
        await fake_scheduler.advance(121, engine)
        assert kinds(seen)[-1] == "phase_end"
        assert without_phase(engine.signal) == {
            "seq": 4,
            "kind": "phase_end",
            "text": "Tiden er gået",
        }
    finally:
        engine.release()


# ------------------------------------------------------------------ the signal


async def test_turns_warning_and_end_give_numbered_signals_with_danish_texts(
    room, fake_clock, fake_scheduler
):
    engine, seen = room
    await engine.goto(INTERVIEW)
    await engine.start()
    await fake_scheduler.advance(25 * 60 + 1, engine)
    # after the ring the groups sum up: said in the state, as the projector says it
    open_time = [s.state["phase"]["open_time"] for s in seen if s.event.kind == "turn"]
    assert open_time == [None, None, "Tid til opsamling"]
    assert engine.state()["phase"]["open_time"] is None  # over time: not open time any more
    signals = [s.state["signal"] for s in seen if s.event.kind in ("turn", "warning", "phase_end")]
    assert {signal["phase"] for signal in signals} == {INTERVIEW}  # the phase they belong to
    signals = [without_phase(signal) for signal in signals]
    assert signals == [
        {"seq": 1, "kind": "turn", "text": "Skift: 2 interviewer 3"},
        {"seq": 2, "kind": "turn", "text": "Skift: 3 interviewer 1"},
        {"seq": 3, "kind": "turn", "text": "Skift: Tid til opsamling"},
        {"seq": 4, "kind": "warning", "text": "2 min tilbage"},
        {"seq": 5, "kind": "phase_end", "text": "Tiden er gået"},
    ]
    assert kinds(seen) == ["phase", "clock", "turn", "turn", "turn", "warning", "phase_end"]
    # the signal stays the latest one until the next: a page that connects later sees it
    await engine.extend(1)
    await engine.next_phase()
    assert without_phase(engine.state()["signal"]) == signals[-1]
    assert engine.state()["signal"]["phase"] == INTERVIEW  # not the phase it is read in
    assert without_phase(json.loads(engine.latest.json)["signal"]) == signals[-1]


async def test_a_restarted_engine_starts_without_a_signal_and_does_not_warn_for_the_past(
    store, room, fake_clock, fake_scheduler
):
    engine, seen = room
    await engine.start()
    await fake_scheduler.advance(INFO_S - 60, engine)  # warned
    assert engine.signal["kind"] == "warning"
    again = MeetingEngine(store, engine.meeting_id, clock=fake_clock, scheduler=fake_scheduler)
    try:
        state = again.state()
        assert state["signal"] is None
        assert state["display"] is None
        assert state["phase"]["warning"] is True and state["phase"]["warning_s"] == WARN_S
        later: list[Snapshot] = []
        again.add_listener(later.append)
        engine.stop_timers()  # the old process is gone
        assert await again.check_timers() is None  # no warning for the past
        again.start_timers()
        await fake_scheduler.advance(61, again)
        timed = [s for s in later if s.event.kind != "course"]  # the forløb read at start
        assert kinds(timed) == ["phase_end"]
        assert without_phase(timed[0].state["signal"]) == {
            "seq": 1,
            "kind": "phase_end",
            "text": "Tiden er gået",
        }
    finally:
        again.stop_timers()
        again.release()


# ------------------------------------------------------------------ display


async def test_the_display_is_published_only_when_it_changes(room):
    engine, seen = room
    assert engine.state()["display"] is None and engine.display is None
    engine.set_display("galleri")
    assert kinds(seen) == ["display"]
    assert seen[-1].event.data == {"view": "galleri"}
    assert seen[-1].state["display"] == "galleri"
    assert json.loads(seen[-1].json)["display"] == "galleri"
    engine.set_display("galleri")
    assert kinds(seen) == ["display"]  # no change, no event
    engine.set_display("prioritering")
    engine.set_display("choose")
    engine.set_display(None)
    assert [s.event.data["view"] for s in seen] == ["galleri", "prioritering", "choose", None]
    assert engine.state()["display"] is None
    assert engine.state()["signal"] is None  # a display change is not a signal


@pytest.mark.parametrize("view", ["Galleri", "", "særskilt", 1, "wall"])
def test_an_unknown_display_is_refused_and_changes_nothing(room, view):
    engine, seen = room
    engine.set_display("galleri")
    with pytest.raises(ValueError):
        engine.set_display(view)
    assert engine.display == "galleri"
    assert kinds(seen) == ["display"]


# ------------------------------------------------------------------ the clock and its word


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (120, "2 min tilbage"),
        (119.99, "2 min tilbage"),
        (61, "2 min tilbage"),
        (60, "1 min tilbage"),
        (30, "1 min tilbage"),
        (0.4, "1 min tilbage"),
        (0, "1 min tilbage"),
        (300, "5 min tilbage"),
    ],
)
def test_warning_text(remaining, text):
    assert warning_text(remaining) == text


def test_the_clock_is_in_its_wrap_up_only_when_started_and_not_over():
    t0 = 1000.0
    clock = PhaseClock(duration_s=600, warning_s=120)
    assert not clock.in_warning(t0 + 10_000)  # not started
    clock = clock.start(t0)
    assert clock.next_boundary(t0) == t0 + 480
    assert not clock.in_warning(t0 + 479.9)
    assert clock.in_warning(t0 + 480)
    assert clock.next_boundary(t0 + 480) == t0 + 600
    assert clock.in_warning(t0 + 599.9)
    assert not clock.in_warning(t0 + 600)  # over
    assert not PhaseClock(duration_s=600).start(t0).in_warning(t0 + 599)  # no warning set
    whole = PhaseClock(duration_s=60, warning_s=120).start(t0)  # longer than the phase
    assert not whole.in_warning(t0) and whole.next_boundary(t0) == t0 + 60
    assert not whole.in_warning(t0 + 59.9)


# ------------------------------------------------------------------ the agenda


def test_warning_minutes_defaults_to_two_and_takes_fractions(user_agenda_dir):
    for name in ("dialogmoede-1", "dialogmoede-2"):
        assert {p.warning_seconds for p in load_agenda(name).phases} == {WARN_S}
    text = agenda_text(
        'kind = "info"\ntitle = "A"\nminutes = 10\nwarning_minutes = 1.5\n',
        'kind = "info"\ntitle = "B"\nminutes = 10\nwarning_minutes = 0\n',
        'kind = "info"\ntitle = "C"\nminutes = 10\nwarning_minutes = 3\n',
    )
    assert [p.warning_seconds for p in parse_agenda(text).phases] == [90, 0, 180]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "må ikke være negativ"),
        ("-0.5", "må ikke være negativ"),
        ('"2"', "skal være et heltal eller et tal"),
        ("true", "skal være et heltal eller et tal"),
        ("[2]", "skal være et heltal eller et tal"),
        ("nan", "skal være mellem 0 og 600"),
        ("inf", "skal være mellem 0 og 600"),
        ("601", "skal være mellem 0 og 600"),
    ],
)
def test_a_bad_warning_names_file_line_and_field(tmp_path: Path, value, message):
    text = agenda_text(
        'kind = "info"\ntitle = "Fin"\nminutes = 10\n',
        f'kind = "info"\ntitle = "Forkert"\nminutes = 10\nwarning_minutes = {value}\n',
    )
    path = tmp_path / "min-dagsorden.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AgendaError) as info:
        load_agenda(str(path))
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("warning_minutes"))
    assert info.value.problems == [info.value.problems[0]]
    problem = info.value.problems[0]
    assert problem.startswith(f"{path}:{line}: phase[2].warning_minutes: ")
    assert message in problem


def test_the_warning_text_never_says_zero_minutes():
    assert all(warning_text(s / 10) != "0 min tilbage" for s in range(0, 2000))
