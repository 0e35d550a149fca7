"""Galleri and prioritering in a real headless Chromium (Debian's), driven by Playwright:
three phones spend their marks, a phone picks what it "brænder for", an assistant types and
photographs a flip-over, and the mødeleder drives the meeting from the remote page."""

from __future__ import annotations

import pytest

from facilitator.agenda import load_agenda, parse_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.qr import png_qr
from facilitator.web.server import WebServer
from storage.repo import Store
from tests.test_participant_browser import CHROMIUM, playwright_api
from tests.test_web_galleri import LIVE_AGENDA

expect = playwright_api.expect
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
PHONE = {"width": 390, "height": 844}


async def serve(tmp_path, port, agenda_name="dialogmoede-1"):
    store = Store(f"sqlite:///{tmp_path}/browser-galleri.db")
    if agenda_name == "live":
        agenda, name = parse_agenda(LIVE_AGENDA, "prøve"), "prøve"
    else:
        agenda, name = load_agenda(agenda_name), agenda_name
    mid = create_meeting(store, agenda, name, "Galleri på Ærø", groups=3, participants=12)
    engine = MeetingEngine(store, mid)
    server = WebServer(engine, host="127.0.0.1", port=port)
    await server.start()
    assert server.participant_url, server.error
    engine.start_timers()
    return store, engine, server


@pytest.fixture
async def live(tmp_path, unused_tcp_port):
    """1. dialogmøde with a strength and three wishes, shown in the Galleri phase."""
    store, engine, server = await serve(tmp_path, unused_tcp_port)
    await engine.goto(1)
    await engine.add_flipover(1, "Vi hjælper hinanden")
    await engine.goto(2)
    for group, heading in enumerate(["Mere sparring", "Ro til opgaverne", "Fælles kaffe"], 1):
        await engine.add_flipover(group, heading, ["Et forslag", "Et andet forslag"])
    await engine.goto(3)
    yield engine, server
    await server.stop()
    engine.release()
    store.close()


async def phone_page(browser, url):
    """A new device: its own browser context, so its own cookie and its own marks."""
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(url)
    return page


async def until(page, check, what: str, tries: int = 100) -> None:
    for _ in range(tries):
        if check():
            return
        await page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for: {what}")


def marks(engine) -> dict[str, int]:
    return {f.heading: f.marks for f in engine.flipovers() if f.kind == "wish"}


async def test_three_phones_spend_their_own_marks(live, browser):
    engine, server = live
    anna, bo, carl = [await phone_page(browser, server.participant_url) for _ in range(3)]
    for page in (anna, bo, carl):
        await expect(page.locator("#phase-title")).to_have_text("Galleri", timeout=5000)
        await expect(page.locator("#vote")).to_be_hidden()

    await engine.goto(4)  # the mødeleder moves on: the phones turn into ballots without a reload
    for page in (anna, bo, carl):
        await expect(page.locator("#phase-title")).to_have_text("Udvælgelse af vigtige drømme")
        await expect(page.locator("#vote-left")).to_have_text("Du har 3 af 3 markeringer tilbage")
        await expect(page.locator("#cards > li")).to_have_count(3)  # wishes only
    first = anna.locator("#cards > li").filter(has_text="Mere sparring")
    await expect(first.locator("h3")).to_have_text("Mere sparring")
    await expect(first.locator("ul li")).to_have_text(["Et forslag", "Et andet forslag"])

    plus = first.locator("button.plus")
    for left in (2, 1, 0):
        await plus.click()
        await expect(anna.locator("#vote-left")).to_have_text(
            f"Du har {left} af 3 markeringer tilbage"
        )
    await expect(first.locator(".dots")).to_have_text("●●●")
    await plus.click()  # one too many: the server says no, in Danish
    await expect(anna.locator("#vote-msg")).to_have_text("Du har brugt alle dine 3 markeringer.")
    await expect(anna.locator("#vote-left")).to_have_text("Du har 0 af 3 markeringer tilbage")
    await expect(first.locator(".total")).to_have_text("")  # reveal = "end": totals hidden

    # Bo's phone has its own budget, untouched by Anna's.
    await expect(bo.locator("#vote-left")).to_have_text("Du har 3 af 3 markeringer tilbage")
    await bo.locator("#cards > li").filter(has_text="Fælles kaffe").locator("button.plus").click()
    await expect(bo.locator("#vote-left")).to_have_text("Du har 2 af 3 markeringer tilbage")

    # Carl changes his mind: two marks, one taken back.
    ro = carl.locator("#cards > li").filter(has_text="Ro til opgaverne")
    await ro.locator("button.plus").click()
    await ro.locator("button.plus").click()
    await expect(ro.locator(".dots")).to_have_text("●●")
    await ro.locator("button.minus").click()
    await expect(carl.locator("#vote-left")).to_have_text("Du har 2 af 3 markeringer tilbage")
    await expect(ro.locator(".dots")).to_have_text("●")

    await until(anna, lambda: marks(engine)["Ro til opgaverne"] == 1, "Carl's mark")
    assert marks(engine) == {"Mere sparring": 3, "Ro til opgaverne": 1, "Fælles kaffe": 1}
    assert engine.state()["board"]["vote"]["voters"] == 3

    # A reload keeps the phone's marks: the device id is a cookie.
    await anna.reload()
    await expect(anna.locator("#vote-left")).to_have_text("Du har 0 af 3 markeringer tilbage")
    await expect(first.locator(".dots")).to_have_text("●●●")

    await engine.goto(5)  # Afrunding: the ballot goes away
    await expect(anna.locator("#vote")).to_be_hidden()


async def test_a_phone_picks_what_it_burns_for(tmp_path, unused_tcp_port, browser):
    store, engine, server = await serve(tmp_path, unused_tcp_port, "live")
    try:
        await engine.add_flipover(1, "Mere sparring")
        await engine.add_flipover(2, "<b>Ro</b> til opgaverne")
        await engine.goto(2)
        page = await phone_page(browser, server.participant_url)
        await expect(page.locator("#choose-mine")).to_have_text("Du har ikke valgt endnu")
        options = page.locator("#opts button")
        await expect(options).to_have_count(2)
        await options.nth(1).click()
        await expect(page.locator("#choose-mine")).to_have_text(
            "Du brænder for: <b>Ro</b> til opgaverne"
        )
        await expect(options.nth(1)).to_have_attribute("aria-pressed", "true")
        assert await page.locator("#opts b").count() == 0  # shown as text, not markup
        await options.nth(0).click()  # a new pick replaces the old one
        await expect(options.nth(0)).to_have_attribute("aria-pressed", "true")
        await expect(options.nth(1)).to_have_attribute("aria-pressed", "false")
        await until(page, lambda: [c for _, c in engine.choice_counts()] == [1, 0], "the pick")
    finally:
        await server.stop()
        engine.release()
        store.close()


async def test_an_assistant_types_edits_and_photographs_a_flipover(live, browser, tmp_path):
    engine, server = live
    await engine.goto(2)  # Grupper på 4: drømme og ønsker
    page = await phone_page(
        browser, f"{server.participant_url}assist?token={engine.assistant_token}"
    )
    await expect(page.locator("#phase")).to_contain_text("drømme og ønsker", timeout=5000)
    await expect(page.locator("#groups button")).to_have_count(3)
    await expect(page.locator("#props input")).to_have_count(5)  # max_proposals = 5

    await page.locator("#groups button", has_text="2").click()
    await page.fill("#heading", "Bedre introduktion af nye kolleger")
    await page.locator("#props input").nth(0).fill("Makkerordning")
    await page.locator("#props input").nth(1).fill("Tjekliste til første uge")

    # The laptop is briefly unreachable: the message says so and nothing typed is lost.
    await page.route("**/api/flipovers", lambda route: route.abort())
    await page.click("#save")
    await expect(page.locator("#msg")).to_contain_text("Ingen forbindelse")
    await expect(page.locator("#heading")).to_have_value("Bedre introduktion af nye kolleger")
    await expect(page.locator("#props input").nth(1)).to_have_value("Tjekliste til første uge")
    await page.unroute("**/api/flipovers")

    await page.click("#save")
    await expect(page.locator("#ok")).to_have_text(
        "Gemt – gruppe 2: Bedre introduktion af nye kolleger"
    )
    saved = [f for f in engine.flipovers() if f.heading.startswith("Bedre introduktion")]
    assert [(f.group, f.kind, f.proposals) for f in saved] == [
        (2, "wish", ("Makkerordning", "Tjekliste til første uge"))
    ]
    await expect(page.locator("#heading")).to_have_value("")  # ready for the next one
    await expect(page.locator("#list > li").first).to_contain_text("Bedre introduktion")

    # A photo of the paper flip-over, straight from the "camera", scaled down on the phone.
    big = tmp_path / "flipover.png"
    big.write_bytes(png_qr("flip-over", scale=60))  # 29 modules: 1740 × 1740 px
    async with page.expect_file_chooser() as chooser:
        await page.click("#ok-photo")
    await (await chooser.value).set_files(str(big))
    await expect(page.locator("#photo-msg")).to_contain_text("Foto gemt", timeout=10000)
    content_type, data = engine.photo(saved[0].id)
    assert content_type == "image/jpeg" and data[:2] == b"\xff\xd8"
    assert max(jpeg_size(data)) == 1280

    # Edit it: fix the heading, move it to group 3.
    item = page.locator("#list > li").filter(has_text="Bedre introduktion")
    await expect(item).to_contain_text("med foto")
    await item.locator("button", has_text="Ret").click()
    await expect(page.locator("#save")).to_have_text("Gem rettelse")
    await page.locator("#groups button", has_text="3").click()
    await page.fill("#heading", "Bedre introduktion af nye kolleger og vikarer")
    await page.click("#save")
    await expect(page.locator("#ok")).to_have_text(
        "Rettet – gruppe 3: Bedre introduktion af nye kolleger og vikarer"
    )
    edited = next(f for f in engine.flipovers() if f.id == saved[0].id)
    assert (edited.group, edited.heading) == (3, "Bedre introduktion af nye kolleger og vikarer")
    assert len(engine.flipovers()) == 5

    # What is typed elsewhere (the laptop) shows up in the list live.
    await engine.add_flipover(1, "<script>alert(1)</script>")
    await expect(page.locator("#list > li").first).to_contain_text("<script>alert(1)</script>")


def jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos < len(data):
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        pos += 2 + length
    raise AssertionError("no JPEG frame header")


async def test_the_remote_drives_the_meeting(live, browser):
    engine, server = live
    await engine.goto(0)
    page = await phone_page(browser, f"{server.participant_url}remote?token={engine.control_token}")
    await expect(page.locator("#phase-title")).to_have_text("Fælles intro", timeout=5000)
    await expect(page.locator("#countdown")).to_have_text("15:00")
    await page.click("#toggle")
    await expect(page.locator("#toggle")).to_have_text("Pause")
    assert engine.clock.running
    await page.click("#extend")
    await until(page, lambda: engine.clock.duration_s == 16 * 60, "+1 min")
    await page.click("#next")
    await expect(page.locator("#phase-title")).to_have_text("Interview i 3-mandsgrupper")
    assert engine.index == 1
    await page.click("#previous")
    await expect(page.locator("#phase-title")).to_have_text("Fælles intro")
    await expect(page.locator("#toggle")).to_have_text("Fortsæt")  # left paused, time kept
    await engine.goto(5)  # the laptop moves too: the remote follows
    await expect(page.locator("#phase-title")).to_have_text("Afrunding")
    await expect(page.locator("#next")).to_be_disabled()
    assert engine.phones == 0  # the remote is not a phone in the room


async def test_a_link_without_its_key_is_refused(live, browser):
    engine, server = live
    page = await phone_page(browser, f"{server.participant_url}assist")
    await expect(page.locator("h1")).to_have_text("Linket mangler sin nøgle")
    await page.goto(f"{server.participant_url}remote?token={engine.assistant_token}")
    await expect(page.locator("h1")).to_have_text("Nøglen passer ikke")
