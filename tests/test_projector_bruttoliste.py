"""The 2nd dialogmøde's bruttoliste on the projector, and the help contacts (issue 9,
parts 2 and 4).

A forløb holds a 1st meeting whose groups wrote wishes that the room marked, one of them
moved to særskilt spor, some given a vurdering; the 2nd meeting in the same forløb opens
with a ``bruttoliste`` phase that shows those wishes ranked by marks, with the marks in
digits, the vurdering's status and begrundelse, on pages turned with ↓/↑ (PageDown and
PageUp stay next/previous phase). A 2nd meeting whose forløb has no 1st meeting says so
instead of showing an empty list. The Afrunding shows the forløb's help contacts.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import facilitator
import storage.repo
from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.course.service import Course
from facilitator.engine import MeetingEngine, create_meeting
from screens.components import Countdown
from screens.projector import ProjectorScreen
from tests.screen import drawn, on_top, screen_text, settled, steady

LAN = "192.168.1.20"
AGENDAS = Path(facilitator.__file__).parent / "agendas"
WISHES_PHASE, VOTE_PHASE = 2, 4  # dialogmoede-1: "Grupper på 4", "Udvælgelse"
AFRUNDING = 6  # dialogmoede-2's last phase
# Ten wishes of the 1st meeting with their marks: 10 marks for the first, 1 for the last.
WISHES = [
    ("Ro til kerneopgaven", 10),
    ("Bedre overlevering", 9),
    ("Stabil bemanding", 8),
    ("Mere sparring", 7),
    ("Fælles frokost", 6),
    ("Kurser i konflikthåndtering", 5),
    ("Nyt personalerum", 4),
    ("Faste mødetider", 3),
    ("Cykelparkering [bold]nu[/]", 2),  # markup in a heading is text
    ("Kaffemaskine", 1),
]
SECRET = "Chikane fra en kollega"  # særskilt spor: never on the wall
CONTACTS = ["Tillidsrepræsentant Hanne Jensen, tlf. 2233 4455", "Arbejdstilsynet: 70 12 12 88"]
REASON = "Vi tager det op på personalemødet i marts."


@pytest.fixture
def course(store) -> Course:
    return Course(store)


async def first_meeting(store, course: Course, clock, forloeb_id: int) -> dict[str, int]:
    """The 1st meeting of the forløb: ten wishes marked 10…1, one in særskilt spor with
    the most marks of all, two assessed. Heading → flip-over id."""
    meeting = create_meeting(
        store,
        load_agenda("dialogmoede-1"),
        "dialogmoede-1",
        "1. dialogmøde på Ærø",
        groups=3,
        forloeb_id=forloeb_id,
    )
    engine = MeetingEngine(store, meeting, clock=clock)
    try:
        await engine.goto(WISHES_PHASE)
        ids = {}
        for n, (heading, _marks) in enumerate([*WISHES, (SECRET, 0)]):
            flip = await engine.add_flipover(n % 3 + 1, heading, [f"Forslag til {heading}"])
            ids[heading] = flip.id
        await engine.goto(VOTE_PHASE)
        for heading, marks in [*WISHES, (SECRET, 12)]:
            await engine.set_hand_marks(ids[heading], marks)
        await engine.set_confidential(ids[SECRET])
    finally:
        engine.release()
    course.assess(ids["Ro til kerneopgaven"], "work_on", REASON)
    course.assess(ids["Stabil bemanding"], "cannot_now", "Kræver en ny vagtplan.")
    return ids


async def second_meeting(store, clock, forloeb_id: int) -> MeetingEngine:
    meeting = create_meeting(
        store,
        load_agenda("dialogmoede-2"),
        "dialogmoede-2",
        "2. dialogmøde på Ærø",
        groups=4,
        forloeb_id=forloeb_id,
    )
    engine = MeetingEngine(store, meeting, clock=clock)
    await engine.load_course()
    return engine


@pytest.fixture
async def room(store, course, fake_clock, user_agenda_dir):
    """A 2nd meeting (on its bruttoliste phase) whose forløb holds the 1st meeting."""
    forloeb_id = course.create_forloeb("Ærø Kommune", help_contacts=CONTACTS)
    ids = await first_meeting(store, course, fake_clock, forloeb_id)
    engine = await second_meeting(store, fake_clock, forloeb_id)
    engine.ids = ids  # type: ignore[attr-defined]
    yield engine
    engine.release()


def app_for(store, engine: MeetingEngine) -> FacilitatorApp:
    return FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)


def in_order(text: str, *words: str) -> bool:
    """Whether ``words`` are all on screen, each after the one before."""
    places = [text.find(word) for word in words]
    return all(p >= 0 for p in places) and places == sorted(places)


def row_of(text: str, word: str) -> str:
    return next(line for line in text.splitlines() if word in line)


# ---------------------------------------------------------------------- the list
async def test_the_projector_shows_the_previous_meeting_s_wishes_ranked_with_marks_and_status(
    store, room
):
    assert room.phase.kind == "bruttoliste"
    async with app_for(store, room).run_test(size=(160, 45)) as pilot:
        await on_top(pilot, ProjectorScreen)
        text = await drawn(pilot, "Fremlæggelse af bruttolisten", "Side 1 af 2", "10 ønsker")
        headings = [heading for heading, _ in WISHES[:8]]
        assert in_order(text, *headings), text  # ranked by marks, most first
        first = row_of(text, "Ro til kerneopgaven")
        assert first.split()[0] == "1."  # the rank
        assert " 10 " in first  # the marks in digits
        assert "Arbejdes videre med" in first  # the vurdering's status, in words
        assert REASON in text  # and its begrundelse
        assert "Kan ikke ændres nu" in row_of(text, "Stabil bemanding")
        assert "Ikke vurderet" in row_of(text, "Mere sparring")
        assert " 8 " in row_of(text, "Stabil bemanding")
        assert "Kaffemaskine" not in text  # page 2
        assert SECRET not in text


async def test_a_list_read_after_the_first_frame_gets_the_room_it_needs(
    store, course, fake_clock, user_agenda_dir
):
    """The app reads the forløb when its timers start, after the first frame ("hentes
    …"): when the list arrives, the countdown makes room for it (it was sized for the
    one line that said "hentes"). One page, so no page keys come and redo the layout by
    the way."""
    source = (AGENDAS / "dialogmoede-2.toml").read_text(encoding="utf-8")
    assert "page_size = 8" in source
    (user_agenda_dir / "en-side.toml").write_text(
        source.replace("page_size = 8", "page_size = 12"), encoding="utf-8"
    )
    forloeb_id = course.create_forloeb("Ærø Kommune", help_contacts=CONTACTS)
    await first_meeting(store, course, fake_clock, forloeb_id)
    meeting = create_meeting(
        store,
        load_agenda("en-side"),
        "en-side",
        "2. dialogmøde på Ærø",
        groups=4,
        forloeb_id=forloeb_id,
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    read, arrive = engine.load_course, asyncio.Event()

    async def later():  # the forløb is read once the first frame is on the wall
        await arrive.wait()
        return await read()

    engine.load_course = later  # type: ignore[method-assign]
    try:
        async with app_for(store, engine).run_test(size=(160, 45)) as pilot:
            screen = await on_top(pilot, ProjectorScreen)
            await drawn(pilot, "Bruttolisten hentes")
            await steady(pilot)
            loading = screen.stage_plan.clock[1]  # the countdown's rows
            arrive.set()
            await drawn(pilot, "10 ønsker", "Kaffemaskine", REASON)
            await settled(pilot, lambda: screen.stage_plan.clock[1] < loading)
    finally:
        engine.release()


async def test_down_and_up_turn_the_page_and_pagedown_stays_next_phase(store, room):
    async with app_for(store, room).run_test(size=(160, 45)) as pilot:
        await on_top(pilot, ProjectorScreen)
        await drawn(pilot, "Side 1 af 2", "↓ Side frem")
        await pilot.press("down")
        text = await drawn(pilot, "Side 2 af 2", "Kaffemaskine")
        assert room.bruttoliste_paging() == (2, 2)  # the phones follow the engine's page
        assert in_order(text, "Cykelparkering [bold]nu[/]", "Kaffemaskine")
        assert "9." in row_of(text, "Cykelparkering") and "10." in row_of(text, "Kaffemaskine")
        assert "Ro til kerneopgaven" not in text
        assert SECRET not in text
        await pilot.press("down")  # the last page: it stays, and says so
        await settled(pilot, lambda: room.bruttoliste_paging() == (2, 2))
        await pilot.press("up")
        text = await drawn(pilot, "Side 1 af 2", "Ro til kerneopgaven")
        assert "Kaffemaskine" not in text
        assert room.index == 0
        await pilot.press("pagedown")  # the presenter's clicker: the next phase
        await settled(pilot, lambda: room.index == 1)


async def test_the_page_keys_are_in_the_footer_and_palette_only_while_there_are_pages(store, room):
    app = app_for(store, room)
    async with app.run_test(size=(160, 45)) as pilot:
        await on_top(pilot, ProjectorScreen)
        await drawn(pilot, "↓ Side frem", "↑ Side tilbage")
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Bruttolisten: næste side (↓)", "Bruttolisten: forrige side (↑)"} <= titles
        run = {c.title: c for c in app.get_system_commands(app.screen)}
        run["Bruttolisten: næste side (↓)"].callback()
        await drawn(pilot, "Side 2 af 2")
        await pilot.press("right")  # the next phase has no list: no page keys
        await settled(pilot, lambda: "Side frem" not in screen_text(pilot.app))
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert not any(title.startswith("Bruttolisten") for title in titles)


async def test_a_confidential_wish_is_never_drawn_on_any_page(store, room):
    assert room.ids[SECRET] not in {w.id for w in room.bruttoliste().wishes}
    async with app_for(store, room).run_test(size=(80, 24)) as pilot:
        await on_top(pilot, ProjectorScreen)
        seen = await drawn(pilot, "Side 1 af 2")
        await pilot.press("down")
        seen += await drawn(pilot, "Side 2 af 2")
        assert "Kaffemaskine" in seen
        assert SECRET not in seen
        assert "Chikane" not in seen


async def test_at_80x24_the_title_countdown_and_first_wishes_show(store, room):
    async with app_for(store, room).run_test(size=(80, 24)) as pilot:
        screen = await on_top(pilot, ProjectorScreen)
        text = await drawn(pilot, "Fremlæggelse af bruttolisten", "Klar", "Side 1 af 2")
        assert in_order(text, "Ro til kerneopgaven", "Bedre overlevering", "Stabil bemanding")
        assert " 10 " in row_of(text, "Ro til kerneopgaven")
        countdown = screen.query_one(Countdown)
        assert countdown.display and countdown.region.height >= 3  # the digits are drawn
        assert countdown.region.bottom <= 24


async def test_no_first_meeting_is_said_instead_of_an_empty_list(
    store, course, fake_clock, user_agenda_dir
):
    forloeb_id = course.create_forloeb("Marstal Skole")
    engine = await second_meeting(store, fake_clock, forloeb_id)
    try:
        missing = engine.bruttoliste_missing()
        assert missing and engine.bruttoliste() is None
        async with app_for(store, engine).run_test(size=(160, 45)) as pilot:
            await on_top(pilot, ProjectorScreen)
            text = await drawn(pilot, "Fremlæggelse af bruttolisten", "intet 1. dialogmøde")
            flat = " ".join(text.split())
            assert " ".join(missing.split())[:60] in flat
            assert "ønsker" not in row_of(text, "intet 1. dialogmøde")
            assert "↓ Side frem" not in text  # nothing to page
    finally:
        engine.release()


# ---------------------------------------------------------------------- help contacts
async def test_the_afrunding_shows_the_forloeb_s_help_contacts(store, room):
    await room.goto(AFRUNDING)
    assert room.phase.help_contacts
    async with app_for(store, room).run_test(size=(160, 45)) as pilot:
        await on_top(pilot, ProjectorScreen)
        text = await drawn(pilot, "Afrunding", "Her kan du få hjælp", *CONTACTS)
        assert in_order(text, "Her kan du få hjælp", *CONTACTS)
        await pilot.press("left")  # a phase without help_contacts: not shown
        await settled(pilot, lambda: "Her kan du få hjælp" not in screen_text(pilot.app))


async def test_help_contacts_are_drawn_as_typed_at_80x24(
    store, course, fake_clock, user_agenda_dir
):
    lines = ["HR: Lise [bold]Holm[/], lise@example.dk"]
    forloeb_id = course.create_forloeb("Ærø Kommune", help_contacts=lines)
    engine = await second_meeting(store, fake_clock, forloeb_id)
    try:
        await engine.goto(AFRUNDING)
        async with app_for(store, engine).run_test(size=(80, 24)) as pilot:
            await on_top(pilot, ProjectorScreen)
            await drawn(pilot, "Afrunding", "Her kan du få hjælp", lines[0])
    finally:
        engine.release()


# ---------------------------------------------------------------------- snapshots
@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.fixture
async def wall(store, course, fake_clock, user_agenda_dir, utc, monkeypatch):
    """The 2nd meeting's bruttoliste phase with a fixed meeting code, a theme-free list
    and one prioritised wish: nothing of the machine in the picture."""
    monkeypatch.setattr(storage.repo, "new_code", lambda length=6: "K7QX2M")
    forloeb_id = course.create_forloeb("Ærø Kommune", help_contacts=CONTACTS)
    await first_meeting(store, course, fake_clock, forloeb_id)
    engine = await second_meeting(store, fake_clock, forloeb_id)
    yield app_for(store, engine)
    engine.release()


async def settle(pilot) -> None:
    await drawn(pilot, "Side 1 af 2")
    await steady(pilot)


def test_bruttoliste_160x45(snap_compare, wall):
    assert snap_compare(wall, terminal_size=(160, 45), run_before=settle)


def test_bruttoliste_80x24(snap_compare, wall):
    assert snap_compare(wall, terminal_size=(80, 24), run_before=settle)
