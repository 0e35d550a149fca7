"""SVG snapshots of the projector (80×24 and 160×45; in a phase's wrap-up too), the
flip-over entry screen, the galleri (160×45 and 80×24) and the prioritering (160×45).

Nothing of the machine reaches the picture: the clock is frozen at a fixed instant and
read in UTC, the meeting code is fixed, the LAN address is given and no web server runs.
Update with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.widgets import Input

import storage.repo
from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting
from tests.screen import drawn, steady

LAN = "192.168.1.20"


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.fixture
async def interview_app(store, fake_clock, user_agenda_dir, utc, monkeypatch):
    """The interview phase, 1 min 23 s into the first interview, with three flip-overs."""
    monkeypatch.setattr(storage.repo, "new_code", lambda length=6: "K7QX2M")
    meeting = create_meeting(
        store,
        load_agenda("dialogmoede-1"),
        "dialogmoede-1",
        "1. dialogmøde på Ærø",
        groups=3,
        participants=12,
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    await engine.goto(1)
    await engine.start()
    await engine.add_flipover(1, "Vi hjælper hinanden", ["Altid en hånd", "Godt humør"])
    await engine.add_flipover(1, "Faglig stolthed", ["Vi deler viden"])
    await engine.add_flipover(3, "Kort vej til lederen", [])
    fake_clock.advance(83)
    return FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)


async def settle(pilot, *words: str) -> None:
    """Until `words` are drawn and the screen has stopped changing."""
    await pilot.pause()
    await drawn(pilot, *words)
    await steady(pilot)


def test_projector_160x45(snap_compare, interview_app):
    assert snap_compare(interview_app, terminal_size=(160, 45), run_before=settle)


def test_projector_80x24(snap_compare, interview_app):
    assert snap_compare(interview_app, terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_projector_wrap_up(
    snap_compare, store, fake_clock, user_agenda_dir, utc, monkeypatch, size
):
    """The interview's last 1:37 (issue 10): the countdown in the wrap-up's style, with its
    word "2 min tilbage" beside it."""
    monkeypatch.setattr(storage.repo, "new_code", lambda length=6: "K7QX2M")
    meeting = create_meeting(
        store,
        load_agenda("dialogmoede-1"),
        "dialogmoede-1",
        "1. dialogmøde på Ærø",
        groups=3,
        participants=12,
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    asyncio.run(engine.goto(1))
    asyncio.run(engine.start())
    fake_clock.advance(engine.clock.duration_s - 97)
    app = FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)

    async def wrapped_up(pilot) -> None:
        await settle(pilot, "2 min tilbage")

    assert snap_compare(app, terminal_size=size, run_before=wrapped_up)


def test_flipover_entry_160x45(snap_compare, interview_app):
    async def type_a_flipover(pilot) -> None:
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"Plads til grin", "enter", *"Fredagskage")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot, "Fredagskage")

    assert snap_compare(interview_app, terminal_size=(160, 45), run_before=type_a_flipover)


WISHES = [
    (1, "Mere tid til faglig sparring", ["Fast møde hver uge", "Mentorordning for nye"]),
    (1, "Ro til kerneopgaven", ["Færre afbrydelser", "Stillezoner"]),
    (2, "Bedre overlevering mellem vagter", ["Fælles tjekliste", "10 min overlap"]),
    (2, "Anerkendelse i hverdagen", ["Sig tak", "Fejr det der lykkes"]),
    (3, "Klar fordeling af opgaver", ["Tavle med hvem gør hvad"]),
    (3, "Mere faglig udvikling", ["Kurser", "Faglige oplæg på personalemøder"]),
    (4, "Et godt fysisk rum at mødes i", ["Nyt pauserum", "Planter og lys"]),
    (4, "Tid til at lære hinanden at kende", ["Fælles frokost fredag", "Sommerfest"]),
]
MARKS = [5, 3, 3, 0, 7, 2, 1, 4]


@pytest.fixture
async def galleri_engine(store, fake_clock, user_agenda_dir, utc, monkeypatch):
    """Eight wishes from four groups with hand-counted marks, a theme of two, on the
    galleri phase of a 1. dialogmøde."""
    monkeypatch.setattr(storage.repo, "new_code", lambda length=6: "K7QX2M")
    meeting = create_meeting(
        store,
        load_agenda("dialogmoede-1"),
        "dialogmoede-1",
        "1. dialogmøde på Ærø",
        groups=4,
        participants=16,
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    await engine.goto(2)
    ids = [(await engine.add_flipover(g, h, p)).id for g, h, p in WISHES]
    await engine.goto(3)
    for flip_id, marks in zip(ids, MARKS, strict=True):
        for _ in range(marks):
            await engine.hand_mark(flip_id)
    await engine.create_theme("Faglighed", [ids[0], ids[5]])
    await engine.start()
    fake_clock.advance(200)
    return engine


def test_galleri_160x45(snap_compare, galleri_engine):
    app = FacilitatorApp(galleri_engine.store, engine=galleri_engine, web=False, lan_address=LAN)

    async def open_galleri(pilot) -> None:
        await pilot.press("g")
        await pilot.press("right", "t", "right", "t")  # two cards picked for a theme
        await settle(pilot, "Galleri")

    assert snap_compare(app, terminal_size=(160, 45), run_before=open_galleri)


def test_galleri_80x24(snap_compare, galleri_engine):
    app = FacilitatorApp(galleri_engine.store, engine=galleri_engine, web=False, lan_address=LAN)

    async def open_galleri(pilot) -> None:
        await pilot.press("g", "down")
        await settle(pilot, "Galleri")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_galleri)


def test_prioritering_160x45(snap_compare, galleri_engine):
    engine = galleri_engine
    asyncio.run(engine.goto(5))  # after the vote: the totals are out
    for item in engine.ranking()[:2]:
        asyncio.run(engine.toggle_priority(item.key))
    app = FacilitatorApp(engine.store, engine=engine, web=False, lan_address=LAN)

    async def open_prioritering(pilot) -> None:
        await pilot.press("p", "down", "down")
        await settle(pilot, "prioriteret")

    assert snap_compare(app, terminal_size=(160, 45), run_before=open_prioritering)


# ---------------------------------------------------------------------- a crowded room (issue 7)
CROWDED_WISHES = [
    "Mere tid til faglig sparring med kollegerne",
    "Ro til kerneopgaven uden afbrydelser",
    "Bedre overlevering mellem vagterne",
    "Anerkendelse i hverdagen fra ledelsen",
    "Klar fordeling af opgaver på tavlen",
    "Mere faglig udvikling og kurser",
    "Et godt fysisk rum at mødes i",
    "Tid til at lære hinanden at kende",
    "Stabil bemanding i weekenderne",
]
SIZES = [(160, 45), (80, 24)]


def crowded_app(store, fake_clock, monkeypatch, agenda: str, groups: int) -> MeetingEngine:
    monkeypatch.setattr(storage.repo, "new_code", lambda length=6: "K7QX2M")
    title = "2. dialogmøde på Ærø" if agenda == "dialogmoede-2" else "1. dialogmøde på Ærø"
    meeting = create_meeting(
        store, load_agenda(agenda), agenda, title, groups=groups, participants=4 * groups
    )
    return MeetingEngine(store, meeting, clock=fake_clock)


@pytest.mark.parametrize("size", SIZES, ids=["160x45", "80x24"])
def test_projector_nine_questions(
    snap_compare, store, fake_clock, user_agenda_dir, utc, monkeypatch, size
):
    """ "Gruppearbejde om handling": all nine questions, or "+N mere"."""
    engine = crowded_app(store, fake_clock, monkeypatch, "dialogmoede-2", 4)
    asyncio.run(engine.goto(4))
    asyncio.run(engine.start())
    fake_clock.advance(83)
    app = FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=["160x45", "80x24"])
def test_projector_vote_nine_wishes(
    snap_compare, store, fake_clock, user_agenda_dir, utc, monkeypatch, size
):
    """A vote with nine wishes: every card, or page 1 of N with "+N mere"."""
    engine = crowded_app(store, fake_clock, monkeypatch, "dialogmoede-1", 5)
    asyncio.run(engine.goto(2))
    for number, heading in enumerate(CROWDED_WISHES):
        asyncio.run(engine.add_flipover(number % 5 + 1, heading, ["Et forslag"]))
    asyncio.run(engine.goto(4))
    asyncio.run(engine.start())
    fake_clock.advance(83)
    app = FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=["160x45", "80x24"])
def test_projector_ten_groups(
    snap_compare, store, fake_clock, user_agenda_dir, utc, monkeypatch, size
):
    """Ten groups' flip-over counts: every group on the line, or "+N mere"."""
    engine = crowded_app(store, fake_clock, monkeypatch, "dialogmoede-1", 10)
    asyncio.run(engine.goto(2))
    for group in range(1, 11):
        if group != 7:  # group 7 has not written yet: "7: 0"
            asyncio.run(engine.add_flipover(group, f"Ønske fra gruppe {group}", []))
    asyncio.run(engine.start())
    fake_clock.advance(83)
    app = FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)
    assert snap_compare(app, terminal_size=size, run_before=settle)
