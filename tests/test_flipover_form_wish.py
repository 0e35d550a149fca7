"""The flip-over form in a 2nd dialogmøde (issue 9, part 2).

"Grupper på 4: vælg ét ønske": one key (ctrl+o) opens the previous meeting's bruttoliste,
and the wish picked becomes the flip-over's heading; the saved flip-over records the wish
(``wish_id``). "Gruppearbejde om handling": one key (ctrl+l) steps the focused proposal's
level on (personalegruppen → lederen → samarbejdspartnere/kunder → none), written beside
the proposal, and the saved flip-over has those levels. A save that fails puts back the
text, the wish and the levels.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, OptionList

from facilitator.app import FacilitatorApp
from facilitator.course.service import Course
from facilitator.engine import StorageError
from screens.flipover_entry import FlipoverEntryScreen, WishPicker
from screens.projector import ProjectorScreen
from tests.screen import drawn, on_top, screen_text, settled
from tests.test_projector_bruttoliste import CONTACTS, LAN, first_meeting, second_meeting

PICK, CHOOSE, ACTION = 2, 3, 4  # dialogmoede-2: vælg ét ønske, brænder for, handling
BIG = (160, 45)


@pytest.fixture
async def room(store, fake_clock, user_agenda_dir):
    """A 2nd meeting whose forløb holds the 1st meeting (ten wishes, marked 10…1)."""
    course = Course(store)
    forloeb_id = course.create_forloeb("Ærø Kommune", help_contacts=CONTACTS)
    ids = await first_meeting(store, course, fake_clock, forloeb_id)
    engine = await second_meeting(store, fake_clock, forloeb_id)
    engine.ids = ids  # type: ignore[attr-defined]
    yield engine
    engine.release()


def app_for(store, engine) -> FacilitatorApp:
    return FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)


async def open_entry(pilot) -> FlipoverEntryScreen:
    await on_top(pilot, ProjectorScreen)
    await pilot.press("f")
    return await on_top(pilot, FlipoverEntryScreen)


def saved(store, engine) -> list:
    return store.flipovers(engine.meeting_id)


# ---------------------------------------------------------------------- vælg ét ønske
async def test_a_wish_picked_from_the_bruttoliste_is_the_heading_and_is_recorded(store, room):
    await room.goto(PICK)
    assert room.wish_mode() == "pick"
    async with app_for(store, room).run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        await drawn(pilot, "Ønske fra listen", "ctrl+o: tag gruppens ønske")
        titles = {c.title for c in pilot.app.get_system_commands(entry)}
        assert "Tag et ønske fra bruttolisten som overskrift (^o)" in titles
        await pilot.press("ctrl+o")
        picker = await on_top(pilot, WishPicker)
        text = await drawn(pilot, "Vælg gruppens ønske fra bruttolisten", "Kaffemaskine")
        order = [
            text.find(h) for h in ("Ro til kerneopgaven", "Bedre overlevering", "Mere sparring")
        ]
        assert order == sorted(order) and order[0] >= 0  # ranked, as on the wall
        assert "Chikane" not in text  # særskilt spor is not offered
        options = picker.query_one(OptionList)
        await settled(pilot, lambda: options.has_focus and options.highlighted == 0)
        await pilot.press("down", "down", "enter")  # the 3rd: Stabil bemanding
        await on_top(pilot, FlipoverEntryScreen)
        assert entry.form.heading.value == "Stabil bemanding"
        await drawn(pilot, "Ønske fra bruttolisten: 3. Stabil bemanding")
        assert isinstance(pilot.app.screen.focused, Input)  # the first proposal, to type on
        await pilot.press(*"Plan", "tab", *"Afløsere")
        await pilot.press("ctrl+s")
        rows = await settled(pilot, lambda: saved(store, room) or False)
        assert [(r.heading, r.proposals, r.wish_id) for r in rows] == [
            ("Stabil bemanding", ("Plan", "Afløsere"), room.ids["Stabil bemanding"])
        ]
        # The form is ready for the next group: no wish carried over.
        assert entry.form.wish_id is None
        assert "Ønske fra bruttolisten: 3." not in screen_text(pilot.app)


async def test_escape_in_the_picker_keeps_what_was_typed(store, room):
    await room.goto(PICK)
    async with app_for(store, room).run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        await pilot.press(*"Eget ønske")
        await pilot.press("ctrl+o")
        await on_top(pilot, WishPicker)
        await pilot.press("escape")
        await on_top(pilot, FlipoverEntryScreen)
        assert entry.form.heading.value == "Eget ønske"
        assert entry.form.wish_id is None


async def test_a_failed_save_puts_back_the_wish_with_the_text(store, room, monkeypatch):
    await room.goto(PICK)

    def full(*args: Any, **kwargs: Any) -> None:
        raise StorageError("kunne ikke gemme: database or disk is full")

    async with app_for(store, room).run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        await pilot.press("ctrl+o")
        await on_top(pilot, WishPicker)
        await settled(pilot, lambda: pilot.app.screen.query_one(OptionList).has_focus)
        await pilot.press("enter")  # the first: Ro til kerneopgaven
        await on_top(pilot, FlipoverEntryScreen)
        await pilot.press(*"Ro")
        monkeypatch.setattr(store, "add_flipover", full)
        await pilot.press("ctrl+s")
        await drawn(pilot, "database or disk is full")
        assert entry.form.heading.value == "Ro til kerneopgaven"
        assert entry.form.proposal_inputs()[0].value == "Ro"
        assert entry.form.wish_id == room.ids["Ro til kerneopgaven"]
        await drawn(pilot, "Ønske fra bruttolisten: 1. Ro til kerneopgaven")
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        rows = await settled(pilot, lambda: saved(store, room) or False)
        assert [(r.heading, r.wish_id) for r in rows] == [
            ("Ro til kerneopgaven", room.ids["Ro til kerneopgaven"])
        ]


async def test_the_picker_key_is_offered_only_where_a_wish_can_be_picked(store, room):
    await room.goto(ACTION)  # the action work: levels, no picker
    async with app_for(store, room).run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        text = await drawn(pilot, "Niveau")
        assert "Ønske fra listen" not in text
        titles = {c.title for c in pilot.app.get_system_commands(entry)}
        assert any(title.startswith("Forslagets niveau") for title in titles)
        assert not any("bruttolisten som overskrift" in title for title in titles)
        await pilot.press("ctrl+o")  # nothing opens
        assert isinstance(pilot.app.screen, FlipoverEntryScreen)


# ---------------------------------------------------------------------- levels
async def action_room(room) -> None:
    """Four wishes chosen in "vælg ét ønske", three of them picked in "brænder for"."""
    await room.goto(PICK)
    keys = []
    for group, title in enumerate(["Stabil bemanding", "Mere sparring", "Faste mødetider"], 1):
        flip = await room.add_flipover(group, title, ["a", "b", "c"])
        keys.append(f"f{flip.id}")
    await room.goto(CHOOSE)
    await room.start()
    for n, key in enumerate(keys):
        await room.hand_choice(key, +1 + n)
    await room.goto(ACTION)
    assert room.wish_mode() == "action"


async def test_each_proposal_gets_a_level_with_one_key(store, room):
    await action_room(room)
    async with app_for(store, room).run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        await drawn(pilot, "Niveau")
        await pilot.press(*"Weekend", "enter")
        await pilot.press(*"Bytte", "ctrl+l")
        await drawn(pilot, "Personalegruppen")
        await pilot.press("tab", *"Plan", "ctrl+l", "ctrl+l")
        await drawn(pilot, "Lederen")
        await pilot.press("tab", *"Vikar", "ctrl+l", "ctrl+l", "ctrl+l")
        await drawn(pilot, "Samarbejdspartnere/kunder")
        await pilot.press("tab", *"Løst", "ctrl+l", "ctrl+l", "ctrl+l", "ctrl+l")
        assert entry.form.levels()[:4] == ["personalegruppe", "leder", "samarbejdspartnere", ""]
        await pilot.press("ctrl+s")
        rows = await settled(pilot, lambda: saved(store, room) or False)
        row = rows[-1]
        assert row.heading == "Weekend"
        assert row.lines == (
            ("Bytte", "personalegruppe"),
            ("Plan", "leder"),
            ("Vikar", "samarbejdspartnere"),
            ("Løst", ""),
        )
        assert row.wish_id == room.chosen_wishes()[0][0]  # group 1 works on its wish
        assert entry.form.levels()[:3] == ["", "", ""]  # the next one starts without


async def test_levels_come_back_when_a_flipover_is_edited_and_after_a_failed_save(
    store, room, monkeypatch
):
    await action_room(room)
    flip = await room.add_flipover(
        2, "Sparring hver uge", [("Makkerpar", "personalegruppe"), ("Tid i planen", "leder")]
    )

    def full(*args: Any, **kwargs: Any) -> None:
        raise StorageError("kunne ikke gemme: database or disk is full")

    async with app_for(store, room).run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        entry._load(entry._flip(flip.id))
        await drawn(pilot, "Retter flip-over", "Personalegruppen", "Lederen")
        assert entry.form.levels()[:2] == ["personalegruppe", "leder"]
        entry.form.proposal_inputs()[1].focus()
        await pilot.press("ctrl+l")  # leder → samarbejdspartnere
        monkeypatch.setattr(store, "edit_flipover", full)
        await pilot.press("ctrl+s")
        await drawn(pilot, "database or disk is full", "Samarbejdspartnere/kunder")
        assert entry.editing == flip.id
        assert entry.form.levels()[:2] == ["personalegruppe", "samarbejdspartnere"]
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await settled(
            pilot,
            lambda: (
                room._find_flipover(flip.id).levels == ("personalegruppe", "samarbejdspartnere")
            ),
        )
        stored = next(r for r in saved(store, room) if r.id == flip.id)
        assert stored.levels == ("personalegruppe", "samarbejdspartnere")
        assert stored.wish_id == flip.wish_id
