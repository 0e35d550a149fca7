"""The wall display (GET /wall): the projector's view in a browser.

Through aiohttp's test client: served without a token, with its CSP, and nothing it fetches
carries a token or the særskilt spor; its event stream is not a phone. In a real headless
Chromium (Debian's) at 1920×1080 and 1280×720: it follows the meeting within a second, asks
no host but the laptop's server, is readable from the back of the room (the countdown a
fifth of the height, running text 32 px) and cuts nothing; it flashes and says a signal,
shows the wrap-up's word, the phone count and the board screens the TUI opens.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.qr import svg_qr
from facilitator.web.server import WebServer
from storage.repo import Store

try:  # the HTTP tests run without Playwright too
    from tests.test_participant_browser import CHROMIUM, playwright_api
except pytest.skip.Exception:
    CHROMIUM = playwright_api = None

SECRET = "Særskilt: chefen råber"  # a flip-over on særskilt spor: never on the wall
SIZES = [(1920, 1080), (1280, 720)]


class Clock:
    """Real time plus an offset the test moves (the engine's turn and phase timers)."""

    def __init__(self, start: float | None = None) -> None:
        self.fixed = start
        self.offset = 0.0

    def __call__(self) -> float:
        return (self.fixed if self.fixed is not None else time.time()) + self.offset


async def board_meeting(engine: MeetingEngine) -> None:
    """Three wishes (one on særskilt spor), marks on two, one prioritised."""
    await engine.goto(2)
    a = await engine.add_flipover(1, "Mere sparring", ["Faste møder", "Makkerpar"])
    b = await engine.add_flipover(2, "Ro til opgaverne", ["Stille rum"])
    c = await engine.add_flipover(3, SECRET, ["Noget personligt"])
    await engine.set_confidential(c.id)
    await engine.set_hand_marks(a.id, 4)
    await engine.set_hand_marks(b.id, 2)
    await engine.set_priorities([f"f{a.id}"])


def make_engine(db_url: str, clock: Clock) -> tuple[Store, MeetingEngine]:
    store = Store(db_url)
    mid = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Møde på Ærø", groups=3
    )
    return store, MeetingEngine(store, mid, clock=clock)


# ---------------------------------------------------------------------- HTTP
@pytest.fixture
async def client(db_url):
    store, engine = make_engine(db_url, Clock(1_800_000_000.0))
    server = WebServer(engine, lan_address="127.0.0.1")
    server.participant_url = "http://192.168.1.23:8765/"  # as start() sets it on a LAN
    async with TestClient(TestServer(server.app)) as c:
        c.server_obj = server  # type: ignore[attr-defined]
        c.engine = engine  # type: ignore[attr-defined]
        yield c
    engine.release()
    store.close()


async def first_sse_state(client, url: str) -> tuple[dict, object]:
    response = await client.get(url)
    event = None
    while True:
        line = (await response.content.readline()).decode()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "state":
            return json.loads(line[5:]), response


async def test_wall_is_served_without_a_token_with_its_csp(client):
    response = await client.get("/wall")
    assert response.status == 200
    assert response.content_type == "text/html"
    html = await response.text()
    assert 'lang="da"' in html and "/api/events?role=wall" in html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "'sha256-" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    # No external asset: every link is the server's own.
    for marker in ('src="http', "src='http", 'href="http', "@import", "//cdn", "url("):
        assert marker not in html
    engine = client.engine
    assert engine.assistant_token not in html and engine.control_token not in html


async def test_nothing_the_wall_fetches_carries_a_token_or_the_saerskilt_spor(client):
    engine, server = client.engine, client.server_obj
    await board_meeting(engine)
    engine.set_display("galleri")
    bodies = {}
    for path in (
        "/wall",
        "/static/common.js",
        "/api/wall",
        "/api/qr.svg",
        "/api/state",
        "/api/flipovers",
        "/api/ranking",
        "/api/choice",
        "/api/bruttoliste",
    ):
        response = await client.get(path)
        assert response.status == 200, path
        bodies[path] = await response.text()
    state, stream = await first_sse_state(client, "/api/events?role=wall")
    stream.close()
    bodies["/api/events?role=wall"] = json.dumps(state, ensure_ascii=False)
    assert state["display"] == "galleri"
    for path, body in bodies.items():
        assert engine.assistant_token not in body, path
        assert engine.control_token not in body, path
        assert SECRET not in body and "Noget personligt" not in body, path
    # The address line and the QR code: the participant page, never a staff link.
    assert json.loads(bodies["/api/wall"]) == {"url": "http://192.168.1.23:8765/"}
    assert bodies["/api/qr.svg"] == svg_qr(server.participant_url)
    ranking = json.loads(bodies["/api/ranking"])
    assert [(i["title"], i["marks"], i["priority"]) for i in ranking["items"]] == [
        ("Mere sparring", 4, 1),
        ("Ro til opgaverne", 2, None),
    ]


async def test_the_wall_says_no_network_and_has_no_qr_then(client):
    client.server_obj.participant_url = None
    assert await (await client.get("/api/wall")).json() == {"url": None}
    assert (await client.get("/api/qr.svg")).status == 404
    assert "Ingen netværk" in await (await client.get("/wall")).text()


async def test_the_ranking_hides_what_a_vote_hides(client):
    engine = client.engine
    await board_meeting(engine)
    await engine.goto(4)  # the vote (reveal at the end): totals hidden while it runs
    await engine.start()
    ranking = await (await client.get("/api/ranking")).json()
    assert ranking["visible"] is False
    assert {i["marks"] for i in ranking["items"]} == {None}
    assert {i["rank"] for i in ranking["items"]} == {None}


async def test_the_walls_stream_is_not_a_phone(client):
    engine = client.engine
    wall_state, wall = await first_sse_state(client, "/api/events?role=wall")
    assert wall_state["meeting"]["phones"] == 0
    assert engine.phones == 0
    _phone_state, phone = await first_sse_state(client, "/api/events")
    assert engine.phones == 1
    wall.close()
    phone.close()


def test_wall_urls_local_first_then_the_lan(db_url):
    store, engine = make_engine(db_url, Clock(1_800_000_000.0))
    try:
        server = WebServer(engine, port=8777, lan_address=None)
        server.bound = ["127.0.0.1"]
        assert server.wall_urls() == ["http://127.0.0.1:8777/wall"]  # no network
        server.participant_url = "http://192.168.1.23:8777/"
        assert server.wall_urls() == [
            "http://127.0.0.1:8777/wall",
            "http://192.168.1.23:8777/wall",
        ]
    finally:
        engine.release()
        store.close()


# ---------------------------------------------------------------------- Chromium
browser_only = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium or Playwright on this machine"
)
expect = playwright_api.expect if playwright_api else None


@pytest.fixture
async def live(tmp_path, unused_tcp_port):
    clock = Clock()
    store, engine = make_engine(f"sqlite:///{tmp_path}/wall.db", clock)
    engine.test_clock = clock  # type: ignore[attr-defined]
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    assert server.participant_url, server.error
    engine.start_timers()
    yield engine, server
    await server.stop()
    engine.release()
    store.close()


# The page's EventSource, wrapped so a test can break the stream and let it come back
# (as the browser does by itself after a network break or a locked screen), at once and
# without waiting for the browser's retry: __streams[i].drop() loses the connection (the
# page sees an error, the stream "reconnecting"), .reconnect() opens it again. __states
# counts the state messages the page got.
STREAM_STUB = """
(() => {
  const Real = window.EventSource;
  window.__streams = [];
  window.__states = 0;
  class Stream {
    constructor(url) {
      this.url = url; this.listeners = []; this.readyState = 0;
      this.onopen = null; this.onerror = null;
      window.__streams.push(this);
      this.connect();
    }
    connect() {
      const es = this.real = new Real(this.url);
      es.onopen = (e) => { this.readyState = 1; if (this.onopen) this.onopen(e); };
      es.onerror = (e) => { this.readyState = es.readyState; if (this.onerror) this.onerror(e); };
      es.addEventListener('state', () => { window.__states++; });
      for (const [type, fn] of this.listeners) es.addEventListener(type, fn);
    }
    addEventListener(type, fn) {
      this.listeners.push([type, fn]);
      this.real.addEventListener(type, fn);
    }
    close() { this.readyState = 2; this.real.close(); }
    drop() {
      this.real.close();
      this.readyState = 0;
      if (this.onerror) this.onerror(new Event('error'));
    }
    reconnect() { this.connect(); }
  }
  window.EventSource = Stream;
})();
"""
LAST_STREAM = "window.__streams[window.__streams.length - 1]"


async def wall_page(browser, server, size, *, init: str = "", clock: bool = False):
    """The wall at a screen size; every request the page makes is recorded (CDP). init:
    a script run before the page's own; clock: Playwright's clock installed."""
    width, height = size
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    if init:
        await page.add_init_script(init)
    if clock:
        await page.clock.install()
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    await page.goto(server.wall_urls()[0])
    return page


MEASURE = """() => {
  const box = id => document.getElementById(id).getBoundingClientRect();
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const running = ['phase-text', 'address', 'phones', 'phase-counter']
    .map(id => document.getElementById(id))
    .concat(Array.from(document.querySelectorAll('#questions li')));
  const cut = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || s.display === 'none' || s.visibility === 'hidden') continue;
    if (el.id === 'banner') continue;
    if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1 || r.left < -1 || r.top < -1)
      cut.push(el.id || el.tagName);
    if (el.scrollWidth > el.clientWidth + 1 && s.overflow !== 'visible')
      cut.push('x:' + (el.id || el.tagName));
  }
  return {
    countdown: box('countdown').height,
    smallest: Math.min(...running.map(px)),
    texts: running.length,
    scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight,
    w: innerWidth, h: innerHeight, cut: cut,
  };
}"""


def only_local(page, server) -> None:
    own = urlsplit(server.wall_urls()[0]).netloc
    assert page.requests, "the page asked for nothing?"
    elsewhere = [u for u in page.requests if urlsplit(u).netloc != own or u.startswith("https")]
    assert elsewhere == [], elsewhere


@browser_only
@pytest.mark.parametrize("size", SIZES, ids=["1920x1080", "1280x720"])
async def test_the_wall_follows_the_meeting_readable_and_uncut(live, browser, size):
    engine, server = live
    page = await wall_page(browser, server, size)
    title = page.locator("#phase-title")
    await expect(title).to_have_text("Fælles intro", timeout=5000)
    await expect(page.locator("#phase-counter")).to_have_text("Fase 1 af 6")
    await expect(page.locator("#countdown")).to_have_text("15:00")
    await expect(page.locator("#status")).to_have_text("Klar")
    await expect(page.locator("#qr")).to_be_visible()
    assert await page.evaluate("document.getElementById('qr').naturalWidth") > 0
    await expect(page.locator("#address")).to_have_text(server.participant_url)

    # The mødeleder moves on and starts the interview: the wall follows within a second.
    await page.evaluate("window.__noReload = 1")
    started = time.monotonic()
    await engine.next_phase()
    await expect(title).to_have_text("Interview i 3-mandsgrupper", timeout=1000)
    assert time.monotonic() - started < 1.0
    await engine.start()
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=1000)
    await expect(page.locator("#status")).to_have_text("Kører")
    await expect(page.locator("#questions li")).to_have_count(4)
    assert await page.evaluate("window.__noReload") == 1
    # It counts down by itself between events.
    await expect(page.locator("#countdown")).to_have_text("24:58", timeout=3000)

    m = await page.evaluate(MEASURE)
    width, height = size
    assert (m["w"], m["h"]) == (width, height)
    if size == (1920, 1080):
        assert m["countdown"] >= 1080 / 5, m
        assert m["smallest"] >= 32, m
    assert m["scrollW"] <= width and m["scrollH"] <= height, m
    assert m["cut"] == [], m
    only_local(page, server)
    assert page.errors == []


@browser_only
async def test_a_turn_change_flashes_the_wall_and_says_it(live, browser):
    engine, server = live
    await engine.goto(1)
    await engine.start()
    page = await wall_page(browser, server, (1920, 1080))
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=5000)
    await expect(page.locator("#banner")).to_be_hidden()
    assert "flash" not in (await page.get_attribute("body", "class") or "")

    engine.test_clock.offset += 300  # the first turn's five minutes are up
    await engine.check_timers()
    banner = page.locator("#banner")
    await expect(banner).to_have_text("Skift: 2 interviewer 3", timeout=1000)
    await expect(banner).to_have_attribute("role", "alert")
    await expect(page.locator("body")).to_have_class(re.compile(r"\bflash\b"), timeout=1000)
    flashed = await page.evaluate("getComputedStyle(document.body).filter")
    assert "invert" in flashed
    await expect(page.locator("body")).not_to_have_class(
        re.compile(r"\bflash\b"), timeout=2500
    )  # ~1 s
    await expect(page.locator("#turn")).to_contain_text("2 interviewer 3")
    only_local(page, server)


@browser_only
async def test_the_wrap_up_and_the_overrun_in_words(live, browser):
    engine, server = live
    await engine.goto(1)  # 25 minutes, a 2-minute wrap-up
    await engine.start()
    page = await wall_page(browser, server, (1920, 1080))
    await expect(page.locator("#status")).to_have_text("Kører", timeout=5000)
    normal = await page.evaluate(
        "getComputedStyle(document.getElementById('clock')).backgroundColor"
    )

    engine.test_clock.offset += 15 * 60  # the three turns are done: open time
    await engine.check_timers()
    engine.test_clock.offset += 10 * 60 - 110  # 1:50 left: the wrap-up begins
    await engine.check_timers()
    await expect(page.locator("#status")).to_have_text("2 min tilbage", timeout=1000)
    await expect(page.locator("body")).to_have_class(re.compile(r"\bwarn\b"))
    warned = await page.evaluate(
        "getComputedStyle(document.getElementById('clock')).backgroundColor"
    )
    assert warned != normal
    await expect(page.locator("#banner")).to_have_text("2 min tilbage")

    engine.test_clock.offset += 110 + 133  # 2:13 over
    await engine.check_timers()
    # +02:13 and the seconds the test took (the clock is real time plus the offset)
    await expect(page.locator("#countdown")).to_have_text(
        re.compile(r"^\+02:[12]\d$"), timeout=2000
    )
    await expect(page.locator("#status")).to_have_text("over tid")
    await expect(page.locator("#banner")).to_have_text("Tiden er gået")
    await expect(page.locator("body")).not_to_have_class(re.compile(r"\bwarn\b"))


@browser_only
async def test_phone_count_and_the_board_screens(live, browser):
    engine, server = live
    await board_meeting(engine)
    page = await wall_page(browser, server, (1280, 720))
    phones = page.locator("#phones")
    await expect(phones).to_have_text("0 telefoner forbundet", timeout=5000)
    phone = await (await browser.new_context()).new_page()
    await phone.goto(server.participant_url)
    await expect(phones).to_have_text("1 telefon forbundet", timeout=3000)
    assert engine.phones == 1  # the wall itself is not a phone

    engine.set_display("galleri")
    cards = page.locator("#galleri-list .card")
    await expect(cards).to_have_count(2, timeout=2000)
    await expect(page.locator("#galleri-part")).to_be_visible()
    await expect(cards.first).to_contain_text("Mere sparring")
    await expect(cards.first).to_contain_text("Faste møder")
    await expect(cards.first).to_contain_text("4 markeringer")
    await expect(page.locator("#phase-part")).to_be_hidden()

    engine.set_display("prioritering")
    rows = page.locator("#ranking-list li")
    await expect(rows).to_have_count(2, timeout=2000)
    await expect(page.locator("#ranking-part")).to_be_visible()
    await expect(page.locator("#galleri-part")).to_be_hidden()
    await expect(rows.first).to_contain_text("1. plads")
    await expect(rows.first).to_contain_text("★ Prioriteret 1")
    await expect(rows.nth(1)).not_to_contain_text("Prioriteret")

    engine.set_display("choose")
    bars = page.locator("#choose-list li")
    await expect(bars).to_have_count(1, timeout=2000)
    await expect(page.locator("#choose-part")).to_be_visible()
    await expect(page.locator("#ranking-part")).to_be_hidden()
    await expect(bars.first).to_contain_text("Mere sparring")
    await expect(bars.first).to_contain_text("0 personer")

    engine.set_display(None)
    await expect(page.locator("#phase-part")).to_be_visible(timeout=2000)
    text = await page.locator("body").inner_text()
    assert SECRET not in text
    m = await page.evaluate(MEASURE)
    assert m["cut"] == [] and m["scrollH"] <= 720, m
    only_local(page, server)


@browser_only
async def test_a_wall_that_reconnects_replays_no_signal_and_reloads_its_address(live, browser):
    engine, server = live
    url = server.participant_url
    server.participant_url = None  # no network when the wall opened
    await engine.goto(1)
    await engine.start()
    page = await wall_page(browser, server, (1920, 1080), init=STREAM_STUB)
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=5000)
    await expect(page.locator("#no-net")).to_be_visible()
    await expect(page.locator("#qr")).to_be_hidden()

    await page.evaluate(f"{LAST_STREAM}.drop()")  # the stream breaks
    await expect(page.locator("#offline")).to_be_visible()
    server.participant_url = url  # meanwhile the network came (the app's new server)
    engine.test_clock.offset += 300  # and the turn changed
    await engine.check_timers()
    await page.evaluate(f"{LAST_STREAM}.reconnect()")
    await expect(page.locator("#turn")).to_contain_text("2 interviewer 3", timeout=2000)
    await expect(page.locator("#offline")).to_be_hidden()
    # The turn change happened while the wall was away: not flashed, not said, now.
    await expect(page.locator("#banner")).to_be_hidden()
    assert "flash" not in (await page.get_attribute("body", "class") or "")
    # The address and the QR code came with the reconnect.
    await expect(page.locator("#address")).to_have_text(url, timeout=2000)
    await expect(page.locator("#qr")).to_be_visible()
    await expect(page.locator("#no-net")).to_be_hidden()

    engine.test_clock.offset += 300  # the next change, on the open stream: said
    await engine.check_timers()
    await expect(page.locator("#banner")).to_have_text("Skift: 3 interviewer 1", timeout=1000)
    assert page.errors == []


@browser_only
async def test_the_wall_looks_for_the_network_again_every_15_seconds(live, browser):
    engine, server = live
    url = server.participant_url
    server.participant_url = None
    page = await wall_page(browser, server, (1920, 1080), clock=True)
    await expect(page.locator("#no-net")).to_be_visible(timeout=5000)
    await expect(page.locator("#phase-title")).to_have_text("Fælles intro")
    server.participant_url = url  # the network came; the stream never broke
    await page.clock.fast_forward(16_000)
    await expect(page.locator("#address")).to_have_text(url, timeout=2000)
    await expect(page.locator("#qr")).to_be_visible()
    await expect(page.locator("#no-net")).to_be_hidden()


@browser_only
async def test_a_failed_board_fetch_is_tried_again(live, browser):
    engine, server = live
    await board_meeting(engine)
    page = await wall_page(browser, server, (1920, 1080))
    await expect(page.locator("#phase-title")).to_have_text(
        "Grupper på 4: drømme og ønsker", timeout=5000
    )
    asked: list[str] = []

    async def first_fails(route):
        asked.append(route.request.url)
        if len(asked) == 1:
            await route.fulfill(status=503, body="laptop busy")
        else:
            await route.continue_()

    await page.route("**/api/flipovers*", first_fails)
    engine.set_display("galleri")
    await expect(page.locator("#galleri-list .card")).to_have_count(2, timeout=4000)
    assert len(asked) == 2


# Every layout pass the wall's fit() makes reads the document's scrollHeight: counted.
LAYOUT_COUNTER = """
(() => {
  const d = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollHeight');
  window.__layouts = 0;
  Object.defineProperty(Element.prototype, 'scrollHeight', {
    configurable: true,
    get() { if (this === document.documentElement) window.__layouts++; return d.get.call(this); },
  });
})();
"""
SETTLE = "new Promise(r => requestAnimationFrame(() => setTimeout(r, 450)))"  # two ticks


@browser_only
async def test_a_mark_in_a_silent_vote_costs_the_wall_no_layout_pass(live, browser):
    engine, server = live
    await board_meeting(engine)
    await engine.goto(4)  # the vote: the marks hidden until it ends
    await engine.start()
    engine.set_display("galleri")
    page = await wall_page(browser, server, (1280, 720), init=STREAM_STUB + LAYOUT_COUNTER)
    await expect(page.locator("#galleri-list .card")).to_have_count(2, timeout=5000)
    await page.evaluate(SETTLE)
    layouts, states = await page.evaluate("[window.__layouts, window.__states]")
    assert layouts > 0  # the counter counts

    wish = next(f for f in engine.flipovers() if f.heading == "Mere sparring")
    async with page.expect_response(lambda r: "/api/flipovers" in r.url):
        await engine.vote("phone-1", wish.id)  # the wall is told, refetches: nothing to show
    await page.evaluate(SETTLE)
    assert await page.evaluate("window.__states") > states
    assert await page.evaluate("window.__layouts") == layouts

    engine.set_display("prioritering")  # what is shown changes: laid out again
    await expect(page.locator("#ranking-list li")).to_have_count(2, timeout=2000)
    assert await page.evaluate("window.__layouts") > layouts
    m = await page.evaluate(MEASURE)
    assert m["cut"] == [] and m["scrollH"] <= 720, m


@browser_only
async def test_the_blank_and_the_join_screen(live, browser):
    engine, server = live
    await engine.goto(1)
    await engine.start()
    page = await wall_page(browser, server, (1920, 1080))
    await expect(page.locator("#turn")).to_contain_text("1 interviewer 2", timeout=5000)

    engine.set_display("blank")  # b on the TUI: the room's screen goes black
    await expect(page.locator("body")).to_have_class(re.compile(r"\bblank\b"), timeout=1000)
    assert (await page.evaluate("document.body.innerText")).strip() == ""
    engine.test_clock.offset += 300  # a turn change while blank: no flash, no banner
    await engine.check_timers()
    await page.evaluate(SETTLE)
    assert (await page.evaluate("document.body.innerText")).strip() == ""
    await expect(page.locator("#banner")).to_be_hidden()
    assert "flash" not in (await page.get_attribute("body", "class") or "")
    assert await page.evaluate("getComputedStyle(document.body).filter") == "none"
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"

    engine.set_display("join")  # j: the QR code and the address, large (and no late banner)
    await expect(page.locator("body")).to_have_class(re.compile(r"\bjoin\b"), timeout=1000)
    await expect(page.locator("#qr")).to_be_visible()
    await expect(page.locator("#address")).to_have_text(server.participant_url)
    await expect(page.locator("#countdown")).to_be_hidden()
    await expect(page.locator("#phase-title")).to_be_hidden()
    await expect(page.locator("#banner")).to_be_hidden()
    qr = await page.locator("#qr").bounding_box()
    assert qr["height"] >= 0.6 * 1080 and qr["width"] >= 0.6 * 1080, qr
    size = await page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('address')).fontSize)"
    )
    assert size >= 64, size
    m = await page.evaluate(MEASURE)
    assert m["cut"] == [] and m["scrollH"] <= 1080, m

    engine.set_display(None)  # back to the phase
    await expect(page.locator("#phase-title")).to_have_text(
        "Interview i 3-mandsgrupper", timeout=1000
    )
    await expect(page.locator("#countdown")).to_be_visible()
    await expect(page.locator("#turn")).to_contain_text("2 interviewer 3")
    qr = await page.locator("#qr").bounding_box()
    assert qr["height"] < 0.4 * 1080, qr
    assert page.errors == []
