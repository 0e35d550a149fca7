"""Issue 7, item 1, in a real headless Chromium: when the vote ends the phones say
"Afstemningen er slut" and their +/− go away; the remote control's "Vis resultatet" ends a
silent vote early."""

from __future__ import annotations

import time

import pytest

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.server import WebServer
from storage.repo import Store
from tests.conftest import FakeClock
from tests.test_browser_galleri import phone_page
from tests.test_participant_browser import CHROMIUM, playwright_api

expect = playwright_api.expect
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def room(tmp_path, unused_tcp_port):
    """A 1. dialogmøde on its silent vote (started), three wishes, on a clock the test moves."""
    store = Store(f"sqlite:///{tmp_path}/vote-closing.db")
    mid = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Afstemning", groups=3
    )
    clock = FakeClock(time.time())
    engine = MeetingEngine(store, mid, clock=clock)
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    assert server.participant_url, server.error
    await engine.goto(2)
    for group, heading in enumerate(["Mere sparring", "Ro til opgaverne", "Fælles kaffe"], 1):
        await engine.add_flipover(group, heading, ["Et forslag"])
    await engine.goto(4)
    await engine.start()
    yield engine, server, clock
    await server.stop()
    engine.release()
    store.close()


open_page = phone_page


async def test_the_phone_says_the_vote_is_over_when_the_time_is_up(room, browser):
    engine, server, clock = room
    phone = await open_page(browser, server.participant_url)
    card = phone.locator("#cards > li").filter(has_text="Mere sparring")
    await expect(phone.locator("#vote-left")).to_have_text("Du har 3 af 3 markeringer tilbage")
    await card.locator("button.plus").click()
    await expect(card.locator(".dots")).to_have_text("●")
    await expect(card.locator(".total")).to_have_text("")  # silent: totals hidden

    clock.advance(15 * 60)
    await engine.check_timers()  # the phase-end timer fires
    await expect(phone.locator("#vote-left")).to_have_text("Afstemningen er slut")
    await expect(card.locator("button.plus")).to_be_hidden()
    await expect(card.locator("button.minus")).to_be_hidden()
    await expect(card.locator(".dots")).to_have_text("●")  # its own mark still shown
    await expect(card.locator(".total")).to_have_text("I alt 1")

    await phone.reload()  # a reload does not bring the buttons back
    await expect(phone.locator("#vote-left")).to_have_text("Afstemningen er slut")
    await expect(card.locator("button.plus")).to_be_hidden()
    assert {f.heading: f.marks for f in engine.flipovers()}["Mere sparring"] == 1

    await engine.reopen_vote()  # the mødeleder reopens (the TUI asks first)
    await expect(phone.locator("#vote-left")).to_have_text("Du har 2 af 3 markeringer tilbage")
    await expect(card.locator("button.plus")).to_be_visible()


async def test_the_remote_control_reveals_the_result(room, browser):
    engine, server, _clock = room
    phone = await open_page(browser, server.participant_url)
    remote = await open_page(browser, server.remote_url())
    button = remote.locator("#reveal")
    await expect(button).to_have_text("Vis resultatet")
    await expect(button).to_be_visible()
    await expect(phone.locator("#vote-left")).to_have_text("Du har 3 af 3 markeringer tilbage")

    await button.click()
    await expect(button).to_be_hidden()
    await expect(remote.locator("#vote-state")).to_have_text("Afstemningen er slut")
    await expect(phone.locator("#vote-left")).to_have_text("Afstemningen er slut")
    await expect(phone.locator("#cards > li").first.locator(".total")).to_have_text("I alt 0")
    assert engine.vote_closed() is True


async def test_a_phone_that_missed_the_end_learns_it_from_the_refusal(room, browser):
    """From the trial: a phone whose live updates stalled still showed +/− after the end;
    its refused mark now fetches the state, and the page shows the vote as over."""
    engine, server, _clock = room
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    stalled = []
    await page.route("**/api/events", lambda route: stalled.append(route))  # never answered
    await page.goto(server.participant_url)
    card = page.locator("#cards > li").filter(has_text="Mere sparring")
    await expect(card.locator("button.plus")).to_be_visible()
    await engine.reveal_now()  # the page hears nothing of it
    await card.locator("button.plus").click()
    await expect(page.locator("#vote-msg")).to_have_text("Afstemningen er slut.")
    await expect(page.locator("#vote-left")).to_have_text("Afstemningen er slut")
    await expect(card.locator("button.plus")).to_be_hidden()
    assert sum(f.marks for f in engine.flipovers()) == 0
