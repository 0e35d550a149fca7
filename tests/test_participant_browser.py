"""The participant page in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import shutil

import pytest

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.server import WebServer
from storage.repo import Store

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def live(tmp_path, unused_tcp_port):
    store = Store(f"sqlite:///{tmp_path}/browser.db")
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Møde på Ærø")
    engine = MeetingEngine(store, mid)
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    assert server.participant_url, server.error
    engine.start_timers()
    yield engine, server
    await server.stop()
    engine.release()
    store.close()


@pytest.fixture
async def page():
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        yield await context.new_page()
        await browser.close()


async def test_phone_page_follows_the_meeting_live(live, page):
    engine, server = live
    await page.goto(server.participant_url)
    title = page.locator("#phase-title")
    await playwright_api.expect(title).to_have_text("Fælles intro", timeout=5000)
    await playwright_api.expect(page.locator("#phase-counter")).to_contain_text("1 af 6")
    await playwright_api.expect(page.locator("#countdown")).to_have_text("15:00")
    await playwright_api.expect(page.locator("#status")).to_contain_text("Klar")
    for _ in range(50):  # the projector counts the phone once its event stream is open
        if engine.phones:
            break
        await page.wait_for_timeout(50)
    assert engine.phones == 1

    # The mødeleder presses → on the laptop: the phone changes without a reload.
    await page.evaluate("window.__noReload = 1")
    await engine.next_phase()
    await playwright_api.expect(title).to_have_text("Interview i 3-mandsgrupper", timeout=5000)
    assert await page.evaluate("window.__noReload") == 1  # same document, not reloaded
    questions = page.locator("#questions li")
    await playwright_api.expect(questions.first).to_have_text(
        "Hvad giver dig mest energi i vores daglige arbejde?"
    )
    assert await questions.count() == 4

    # Space: the clock runs on the phone too, with the interview turn.
    await engine.start()
    await playwright_api.expect(page.locator("#status")).not_to_contain_text("Klar", timeout=5000)
    await playwright_api.expect(page.locator("#turn")).to_contain_text("1 interviewer 2")
    await page.wait_for_timeout(1300)
    countdown = await page.locator("#countdown").text_content()
    assert countdown in ("24:59", "24:58", "24:57")


async def test_text_is_shown_as_text_never_as_markup(live, page):
    engine, server = live
    # An agenda phase title cannot carry markup, but a meeting title typed by a person can.
    engine._meeting.title = "<img src=x onerror=alert(1)>Ærø"
    await engine.next_phase()
    await page.goto(server.participant_url)
    meeting_title = page.locator("#meeting-title")
    await playwright_api.expect(meeting_title).to_have_text("<img src=x onerror=alert(1)>Ærø")
    assert await page.locator("img").count() == 0
