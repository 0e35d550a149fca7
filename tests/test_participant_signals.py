"""The phone notices the room's signals, in a real headless Chromium (Debian's): at a turn
change it buzzes (navigator.vibrate, stubbed in the page through CDP before it loads) and
shows a banner; in the wrap-up its countdown says "2 min tilbage" in another style. A page
opened after a signal does not repeat it, nor does a phone whose stream broke and came back
(a locked screen), nor a signal of another phase than the one shown."""

from __future__ import annotations

import re

import pytest

from tests.test_participant_browser import CHROMIUM, playwright_api
from tests.test_wall import LAST_STREAM, STREAM_STUB, Clock, make_engine

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
expect = playwright_api.expect

# navigator.vibrate recorded, not felt (and present, as on an Android phone).
VIBRATE_STUB = """
window.__buzz = [];
Object.defineProperty(Navigator.prototype, 'vibrate', {
  configurable: true,
  value: function (pattern) { window.__buzz.push(JSON.stringify(pattern)); return true; }
});
"""


@pytest.fixture
async def live(tmp_path, unused_tcp_port):
    from facilitator.web.server import WebServer

    clock = Clock()
    store, engine = make_engine(f"sqlite:///{tmp_path}/signals.db", clock)
    engine.test_clock = clock  # type: ignore[attr-defined]
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    assert server.participant_url, server.error
    engine.start_timers()
    yield engine, server
    await server.stop()
    engine.release()
    store.close()


async def phone(browser, url, *, init: str = ""):
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Page.enable")
    await cdp.send(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": VIBRATE_STUB + init, "runImmediately": True},
    )
    await page.goto(url)
    return page


async def buzzes(page) -> list[str]:
    return await page.evaluate("window.__buzz")


async def test_a_turn_change_buzzes_the_phone_and_shows_a_banner(live, browser):
    engine, server = live
    await engine.goto(1)
    await engine.start()
    engine.test_clock.offset += 300  # a signal before the phone arrives: not repeated
    await engine.check_timers()
    assert engine.signal["text"] == "Skift: 2 interviewer 3"
    page = await phone(browser, server.participant_url)
    await expect(page.locator("#turn")).to_contain_text("2 interviewer 3", timeout=5000)
    banner = page.locator("#banner")
    await expect(banner).to_be_hidden()
    assert await buzzes(page) == []

    engine.test_clock.offset += 300  # the next turn
    await engine.check_timers()
    await expect(banner).to_be_visible(timeout=1000)
    await expect(banner).to_have_text("Skift: 3 interviewer 1")
    await expect(banner).to_have_attribute("role", "alert")
    assert await buzzes(page) == ["[200,100,200]"]
    await expect(banner).to_be_hidden(timeout=6000)  # about four seconds
    assert await buzzes(page) == ["[200,100,200]"]  # once per signal


async def test_the_wrap_up_word_and_style_on_the_phone(live, browser):
    engine, server = live
    await engine.goto(1)  # 25 minutes, a 2-minute wrap-up
    await engine.start()
    page = await phone(browser, server.participant_url)
    status = page.locator("#status")
    await expect(status).to_have_text("Kører", timeout=5000)
    clock_style = "getComputedStyle(document.getElementById('clock')).backgroundColor"
    normal = await page.evaluate(clock_style)

    engine.test_clock.offset += 15 * 60  # the three turns are done: open time
    await engine.check_timers()
    await expect(page.locator("#banner")).to_have_text("Skift: Tid til opsamling", timeout=1000)
    # and it stays said under the clock after the banner has gone, with no turn time
    await expect(page.locator("#turn")).to_be_visible()
    await expect(page.locator("#turn")).to_have_text("Tid til opsamling", use_inner_text=True)
    engine.test_clock.offset += 10 * 60 - 100  # 1:40 left: the wrap-up began
    await engine.check_timers()
    await expect(status).to_have_text("2 min tilbage", timeout=1000)
    await expect(page.locator("body")).to_have_class(re.compile(r"\bwarn\b"))
    assert await page.evaluate(clock_style) != normal
    await expect(page.locator("#banner")).to_have_text("2 min tilbage")
    assert await buzzes(page) == ["[200,100,200]", "[120]"]

    await engine.pause()  # paused counts too, and says so
    await expect(status).to_have_text("Pause – 2 min tilbage", timeout=1000)

    await engine.extend(5)  # +5 min lifts it out of the wrap-up
    await expect(status).to_have_text("Pause", timeout=1000)
    await expect(page.locator("body")).not_to_have_class(re.compile(r"\bwarn\b"))


async def test_a_phone_without_vibrate_still_shows_the_banner(live, browser):
    engine, server = live
    await engine.goto(1)
    await engine.start()
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.add_init_script("delete Navigator.prototype.vibrate;")  # as on an iPhone
    await page.goto(server.participant_url)
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=5000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    engine.test_clock.offset += 300
    await engine.check_timers()
    await expect(page.locator("#banner")).to_have_text("Skift: 2 interviewer 3", timeout=1000)
    assert errors == []


async def test_a_phone_that_comes_back_does_not_replay_what_it_missed(live, browser):
    engine, server = live
    await engine.goto(1)
    await engine.start()
    page = await phone(browser, server.participant_url, init=STREAM_STUB)
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=5000)

    await page.evaluate(f"{LAST_STREAM}.drop()")  # the screen locks: the stream breaks
    await expect(page.locator("#offline")).to_be_visible()
    engine.test_clock.offset += 25 * 60  # meanwhile the phase ran out
    await engine.check_timers()
    assert engine.signal["kind"] == "phase_end"
    await engine.next_phase()  # and the mødeleder moved on
    await page.evaluate(f"{LAST_STREAM}.reconnect()")  # the phone wakes
    await expect(page.locator("#phase-title")).to_have_text(
        "Grupper på 4: drømme og ønsker", timeout=2000
    )
    await expect(page.locator("#offline")).to_be_hidden()
    await expect(page.locator("#banner")).to_be_hidden()
    assert await buzzes(page) == []

    await engine.start()  # a signal on the open stream is news again
    engine.test_clock.offset += 60 * 60
    await engine.check_timers()
    await expect(page.locator("#banner")).to_have_text("Tiden er gået", timeout=1000)
    assert await buzzes(page) == ["[200,100,200]"]


async def test_a_signal_of_another_phase_is_not_news(live, browser, monkeypatch):
    engine, server = live
    await engine.goto(1)
    await engine.start()
    page = await phone(browser, server.participant_url)
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=5000)

    original = engine._set_signal

    def of_phase_0(kind: str, text: str) -> None:
        original(kind, text)
        engine._signal["phase"] = 0  # as a signal left over from the phase before

    monkeypatch.setattr(engine, "_set_signal", of_phase_0)
    engine.test_clock.offset += 300
    await engine.check_timers()
    await expect(page.locator("#turn")).to_contain_text("2 interviewer 3", timeout=2000)
    await expect(page.locator("#banner")).to_be_hidden()
    assert await buzzes(page) == []

    monkeypatch.undo()  # the phase's own signal: said
    engine.test_clock.offset += 300
    await engine.check_timers()
    assert engine.signal["phase"] == 1
    await expect(page.locator("#banner")).to_have_text("Skift: 3 interviewer 1", timeout=1000)
    assert await buzzes(page) == ["[200,100,200]"]
