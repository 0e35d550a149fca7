"""SVG snapshots of the projector (80×24 and 160×45) and of the flip-over entry screen.

Nothing of the machine reaches the picture: the clock is frozen at a fixed instant and
read in UTC, the meeting code is fixed, the LAN address is given and no web server runs.
Update with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

import storage.repo
from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting

LAN = "192.168.1.20"


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.fixture
def interview_app(store, fake_clock, user_agenda_dir, utc, monkeypatch):
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
    engine.goto(1)
    engine.start()
    engine.add_flipover(1, "Vi hjælper hinanden", ["Altid en hånd", "Godt humør"])
    engine.add_flipover(1, "Faglig stolthed", ["Vi deler viden"])
    engine.add_flipover(3, "Kort vej til lederen", [])
    fake_clock.advance(83)
    return FacilitatorApp(store, engine=engine, web=False, lan_address=LAN)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause(0.3)


def test_projector_160x45(snap_compare, interview_app):
    assert snap_compare(interview_app, terminal_size=(160, 45), run_before=settle)


def test_projector_80x24(snap_compare, interview_app):
    assert snap_compare(interview_app, terminal_size=(80, 24), run_before=settle)


def test_flipover_entry_160x45(snap_compare, interview_app):
    async def type_a_flipover(pilot) -> None:
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"Plads til grin", "enter", *"Fredagskage")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    assert snap_compare(interview_app, terminal_size=(160, 45), run_before=type_a_flipover)
