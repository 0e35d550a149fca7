"""Fremlæggelse follows the room (issue 7, item 2).

In the 2. dialogmøde the room forms new groups in "brænder for": one per wish chosen by
at least one person. The fremlæggelse after the action work has one turn per such group,
named by its wish ("Gruppe 2: Stabil bemanding"), fixed when the phase starts and stored,
and it grows (at the agenda's turn length) when the groups need more than its minutes.
Before anyone has chosen, the turns come from the meeting's group setting, as before.
"""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from textual.widgets import Select

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.server import WebServer
from screens.flipover_entry import FlipoverEntryScreen
from screens.projector import ProjectorScreen
from tests.screen import drawn, until

# The phases of the built-in dialogmoede-2.
PICK, CHOOSE, ACTION, PRESENT = 2, 3, 4, 5
TURN_S = 180  # the present phase's turn_seconds
PRESENT_S = 15 * 60  # and its minutes
BIG = (160, 45)

# The groups of four's wishes, in the order they were written (the options' order).
WISHES = ["Ro til kerneopgaven", "Bedre overlevering", "Stabil bemanding", "Mere sparring"]


def phone(n: int) -> str:
    return f"telefon-{n:016d}"


def second_meeting(store, clock, groups: int = 4) -> MeetingEngine:
    mid = create_meeting(
        store, load_agenda("dialogmoede-2"), "dialogmoede-2", "2. dialogmøde", groups=groups
    )
    return MeetingEngine(store, mid, clock=clock)


async def write_wishes(engine: MeetingEngine, titles=WISHES) -> list[str]:
    """The groups of four write their one wish each; returns the options' keys."""
    await engine.goto(PICK)
    ids = [
        (await engine.add_flipover(g, title, ["Forslag 1", "Forslag 2", "Forslag 3"])).id
        for g, title in enumerate(titles, 1)
    ]
    return [f"f{i}" for i in ids]


async def choose_three(engine: MeetingEngine, keys: list[str]) -> None:
    """Phones and hands choose wishes 1, 3 and 4; nobody chooses "Bedre overlevering"."""
    await engine.goto(CHOOSE)
    await engine.start()
    await engine.choose(phone(1), keys[0])
    await engine.choose(phone(2), keys[0])
    await engine.hand_choice(keys[2], +1)  # only hands for "Stabil bemanding"
    await engine.choose(phone(3), keys[3])
    await engine.hand_choice(keys[3], +1)


EXPECTED = [
    "Gruppe 1: Ro til kerneopgaven",
    "Gruppe 2: Stabil bemanding",
    "Gruppe 3: Mere sparring",
]


async def labels_through_the_phase(engine: MeetingEngine, clock) -> list[str]:
    """Start the present phase and read each turn's label from engine.turn and the state."""
    await engine.goto(PRESENT)
    await engine.start()
    seen = []
    for _ in range(engine.clock.turn_count):
        turn = engine.turn()
        label = engine.turn_label(turn)
        assert engine.state()["turn"]["label"] == label
        assert engine.state()["turn"]["count"] == turn.count
        seen.append(label)
        clock.advance(TURN_S)
    return seen


@pytest.fixture
async def room(store, fake_clock, user_agenda_dir):
    """A 2. dialogmøde with --groups 4, 4 wishes written, 3 of them chosen."""
    engine = second_meeting(store, fake_clock)
    engine.keys = await write_wishes(engine)  # type: ignore[attr-defined]
    await choose_three(engine, engine.keys)  # type: ignore[attr-defined]
    yield engine
    engine.release()


# ---------------------------------------------------------------------- the turns
async def test_one_turn_per_chosen_wish_named_by_it(room, fake_clock):
    assert [n for _, n in room.choice_counts()] == [2, 0, 1, 2]
    await room.goto(ACTION)
    await room.goto(PRESENT)
    assert room.clock.turn_count == 3  # not the 4 of --groups 4
    assert await labels_through_the_phase(room, fake_clock) == EXPECTED


async def test_turn_change_event_names_the_wish(room, fake_clock):
    await room.goto(PRESENT)
    await room.start()
    assert await room.check_timers() is None
    fake_clock.advance(TURN_S)
    event = (await room.check_timers()).event
    assert event.kind == "turn"
    assert event.data["label"] == "Gruppe 2: Stabil bemanding"
    assert event.data["count"] == 3


async def test_prioritised_wishes_keep_their_order(store, fake_clock, user_agenda_dir):
    engine = second_meeting(store, fake_clock)
    keys = await write_wishes(engine)
    await engine.goto(CHOOSE)
    await engine.set_priorities([keys[3], keys[2], keys[0]])  # the room's order of the options
    await engine.choose(phone(1), keys[0])
    await engine.choose(phone(2), keys[3])
    await engine.hand_choice(keys[2], +1)
    assert await labels_through_the_phase(engine, fake_clock) == [
        "Gruppe 1: Mere sparring",
        "Gruppe 2: Stabil bemanding",
        "Gruppe 3: Ro til kerneopgaven",
    ]
    engine.release()


async def test_before_the_start_the_plan_follows_the_choices(room):
    await room.goto(PRESENT)
    assert not room.clock.started
    assert room.clock.turn_count == 3
    assert room.state()["turn"]["label"] == "Gruppe 1: Ro til kerneopgaven"
    await room.goto(CHOOSE)
    await room.hand_choice(room.keys[1], +1)  # a late hand for "Bedre overlevering"
    await room.goto(PRESENT)
    assert room.clock.turn_count == 4
    assert room.state()["turn"]["count"] == 4


async def test_the_turns_are_fixed_when_the_phase_starts(room, fake_clock):
    await room.goto(PRESENT)
    await room.start()
    fake_clock.advance(10)
    await room.goto(CHOOSE)
    await room.hand_choice(room.keys[1], +1)  # a later choice...
    await room.choose(phone(1), room.keys[1])
    await room.goto(PRESENT)
    assert room.clock.turn_count == 3  # ...changes nothing
    await room.start()
    assert room.turn_label(room.turn()) == "Gruppe 1: Ro til kerneopgaven"
    assert room.clock.elapsed(fake_clock()) == pytest.approx(10)
    fake_clock.advance(TURN_S)
    assert room.state()["turn"]["label"] == "Gruppe 2: Stabil bemanding"


async def test_the_fixed_turns_are_stored(room, store, fake_clock):
    await room.goto(PRESENT)
    await room.start()
    fake_clock.advance(TURN_S + 5)
    run = next(r for r in store.phase_runs(room.meeting_id) if r.phase_index == PRESENT)
    assert json.loads(run.turn_names) == [
        "Ro til kerneopgaven",
        "Stabil bemanding",
        "Mere sparring",
    ]
    room.release()
    # Someone chooses after the restart (a hand count typed late): the turns stay.
    again = MeetingEngine(store, room.meeting_id, clock=fake_clock)
    assert again.index == PRESENT
    assert again.clock.turn_count == 3
    turn = again.turn()
    assert turn.index == 1
    assert again.turn_label(turn) == "Gruppe 2: Stabil bemanding"
    assert await again.check_timers() is None  # no turn change announced by the restart itself
    await again.hand_choice(room.keys[1], +1)
    again.release()
    third = MeetingEngine(store, room.meeting_id, clock=fake_clock)
    assert third.clock.turn_count == 3
    assert third.state()["turn"]["label"] == "Gruppe 2: Stabil bemanding"
    assert third.clock.duration_s == PRESENT_S
    third.release()


async def test_nobody_chose_falls_back_to_the_group_setting(store, fake_clock, user_agenda_dir):
    engine = second_meeting(store, fake_clock)
    await write_wishes(engine)
    await engine.goto(CHOOSE)
    await engine.start()
    await engine.goto(ACTION)
    assert engine.group_count() == 4  # the four options, as before
    await engine.goto(PRESENT)
    assert engine.clock.turn_count == 4
    await engine.start()
    assert engine.state()["turn"]["label"] == "Gruppe 1 af 4"
    assert engine.clock.duration_s == PRESENT_S
    run = next(r for r in store.phase_runs(engine.meeting_id) if r.phase_index == PRESENT)
    assert json.loads(run.turn_names) == []  # fixed as the group setting's turns
    engine.release()


async def test_more_groups_than_fit_make_the_phase_longer(store, fake_clock, user_agenda_dir):
    six = [*WISHES, "Fælles pauser", "Klare roller"]
    engine = second_meeting(store, fake_clock)
    keys = await write_wishes(engine, six)
    await engine.goto(CHOOSE)
    now = fake_clock()
    planned, end = engine.meeting_planned(), engine.expected_end(now)
    assert engine.clocks[PRESENT].duration_s == PRESENT_S  # 4 turns of 3 min fit in 15
    for n, key in enumerate(keys):
        await engine.choose(phone(n), key)
    grown = 6 * TURN_S  # 18 minutes: the turns keep their 3 minutes, no open time
    assert engine.clocks[PRESENT].duration_s == grown
    assert engine.clocks[PRESENT].turn_count == 6
    assert engine.meeting_planned() == planned + grown - PRESENT_S
    assert engine.expected_end(now) == end + grown - PRESENT_S
    assert engine.state()["meeting"]["planned_s"] == planned + grown - PRESENT_S
    await engine.goto(PRESENT)
    await engine.start()
    assert engine.clock.duration_s == grown
    assert engine.clock.remaining(fake_clock()) == grown
    fake_clock.advance(5 * TURN_S)
    assert engine.state()["turn"]["label"] == "Gruppe 6: Klare roller"
    assert engine.state()["turn"]["remaining_s"] == TURN_S
    engine.release()
    again = MeetingEngine(store, engine.meeting_id, clock=fake_clock)
    assert again.clock.duration_s == grown
    assert again.clock.turn_count == 6
    assert again.meeting_planned() == planned + grown - PRESENT_S
    again.release()


async def test_five_groups_fit_exactly(store, fake_clock, user_agenda_dir):
    engine = second_meeting(store, fake_clock)
    keys = await write_wishes(engine, [*WISHES, "Fælles pauser"])
    await engine.goto(CHOOSE)
    for key in keys:
        await engine.hand_choice(key, +1)
    assert engine.clocks[PRESENT].turn_count == 5
    assert engine.clocks[PRESENT].duration_s == PRESENT_S
    engine.release()


async def test_an_extension_before_the_start_is_kept_when_the_plan_grows(
    store, fake_clock, user_agenda_dir
):
    engine = second_meeting(store, fake_clock)
    keys = await write_wishes(engine, [*WISHES, "Fælles pauser", "Klare roller"])
    await engine.goto(PRESENT)
    await engine.extend(1)  # the mødeleder gives fremlæggelsen a minute more
    assert engine.clock.duration_s == PRESENT_S + 60
    await engine.goto(CHOOSE)
    for n, key in enumerate(keys):
        await engine.choose(phone(n), key)
    assert engine.clocks[PRESENT].duration_s == 6 * TURN_S + 60
    engine.release()


async def test_action_work_groups_are_the_chosen_wishes(room):
    await room.goto(ACTION)
    assert room.current_grouping() == "wishes"
    assert room.group_count() == 3
    assert room.group_labels() == ["Ro til kerneopgaven", "Stabil bemanding", "Mere sparring"]
    assert room.group_labels("fours") is None


# ---------------------------------------------------------------------- the phones
async def test_the_phones_read_the_group_and_its_wish(room, fake_clock):
    await room.goto(PRESENT)
    await room.start()
    fake_clock.advance(TURN_S + 1)
    server = WebServer(room, lan_address="127.0.0.1")
    async with TestClient(TestServer(server.app)) as client:
        state = await (await client.get("/api/state")).json()
    assert state["turn"]["label"] == "Gruppe 2: Stabil bemanding"
    assert state["turn"]["index"] == 1 and state["turn"]["count"] == 3


# ---------------------------------------------------------------------- the screens
async def test_projector_names_the_presenting_group(room, fake_clock):
    await room.goto(PRESENT)
    await room.start()
    fake_clock.advance(TURN_S + 30)  # the second turn
    app = FacilitatorApp(room.store, engine=room, web=False)
    async with app.run_test(size=BIG) as pilot:
        text = await drawn(pilot, "Gruppe 2: Stabil bemanding")
        assert isinstance(app.screen, ProjectorScreen)
        assert "af 4" not in text


async def test_projector_draws_a_wish_title_as_written(store, fake_clock, user_agenda_dir):
    engine = second_meeting(store, fake_clock)
    keys = await write_wishes(engine, ["Løn [/ bonus] og [b]tid[/b]", "Stabil bemanding"])
    await engine.goto(CHOOSE)
    await engine.hand_choice(keys[0], +1)
    await engine.hand_choice(keys[1], +1)
    await engine.goto(PRESENT)
    await engine.start()
    app = FacilitatorApp(store, engine=engine, web=False)
    async with app.run_test(size=BIG) as pilot:
        await drawn(pilot, "Gruppe 1: Løn [/ bonus] og [b]tid[/b]")


async def test_entry_group_picker_names_the_wishes(room):
    await room.goto(ACTION)
    app = FacilitatorApp(room.store, engine=room, web=False)
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FlipoverEntryScreen), "f opens entry")
        screen = app.screen
        group = screen.query_one("#group", Select)
        assert [(str(prompt), value) for prompt, value in group._options] == [
            ("Gruppe 1: Ro til kerneopgaven", 1),
            ("Gruppe 2: Stabil bemanding", 2),
            ("Gruppe 3: Mere sparring", 3),
        ]
        group.value = 2
        await drawn(pilot, "Gruppe 2: Stabil bemanding")
