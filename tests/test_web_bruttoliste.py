"""The 2nd meeting on the web: GET /api/bruttoliste, the bruttoliste and help contacts in
/api/state, and flip-overs posted with a wish and proposals with levels. Særskilt spor
of the 1st meeting never reaches a phone. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from facilitator.engine.course import NO_FIRST_MEETING
from facilitator.web.server import WebServer
from tests.test_bruttoliste_phase import (
    CONTACTS,
    course,
    first_meeting,
    forloeb_of,
    second_meeting,
    set_help_contacts,
)

__all__ = ["course"]  # the fixture

PICK, CHOOSE, ACTION = 2, 3, 4


@pytest.fixture
async def second(store, fake_clock, course):
    first = await first_meeting(store, fake_clock, confidential=["Chikane fra en kollega"])
    set_help_contacts(store, first.meeting_id, CONTACTS)
    engine = await second_meeting(store, fake_clock, forloeb_of(store, first.meeting_id))
    yield engine
    engine.release()


async def serve(engine) -> TestClient:  # noqa: ANN001
    server = WebServer(engine, lan_address="127.0.0.1")
    return TestClient(TestServer(server.app))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_bruttoliste_is_served_ranked_without_a_token(second):
    async with await serve(second) as client:
        response = await client.get("/api/bruttoliste")
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        body = await response.json()
        wishes = body["wishes"]
        assert [w["heading"] for w in wishes] == [
            "Ros for små ting",
            "Mere tid til faglig sparring",
            "Færre afbrydelser",
            "Fælles frokost om fredagen",
        ]
        first = wishes[0]
        assert {"rank", "heading", "proposals", "marks", "theme", "status", "reason"} <= set(first)
        assert first["rank"] == 1 and first["marks"] == 7
        assert first["proposals"] == ["Ugens ros på tavlen"]
        assert first["status"] == "" and first["status_label"] == ""
        assert [w["rank"] for w in wishes] == [1, 2, 3, 3]
        assert body["missing"] is None
        text = await response.text()
        assert "Chikane" not in text and "Fortroligt" not in text
        # the same answer again comes from the one encoding kept
        assert await (await client.get("/api/bruttoliste")).text() == text


async def test_a_host_we_do_not_serve_gets_no_bruttoliste(second):
    async with await serve(second) as client:
        response = await client.get("/api/bruttoliste", headers={"Host": "evil.example"})
        assert response.status == 421


async def test_the_state_carries_the_page_and_never_the_confidential_item(second):
    async with await serve(second) as client:
        state = await (await client.get("/api/state")).json()
        brutto = state["phase"]["bruttoliste"]
        assert brutto["page"] == 1 and brutto["pages"] == 1 and len(brutto["wishes"]) == 4
        assert "Chikane" not in await (await client.get("/api/state")).text()
        assert "Chikane" not in await (await client.get("/api/flipovers")).text()


async def test_a_2nd_meeting_without_a_1st_says_so(store, fake_clock, course):
    engine = await second_meeting(store, fake_clock, None)
    async with await serve(engine) as client:
        body = await (await client.get("/api/bruttoliste")).json()
        assert body == {"wishes": [], "meeting": None, "missing": NO_FIRST_MEETING}
        state = await (await client.get("/api/state")).json()
        assert state["phase"]["bruttoliste"]["missing"] == NO_FIRST_MEETING
    engine.release()


async def test_help_contacts_in_the_closing_phase(second):
    await second.goto(second.phase_count - 1)
    async with await serve(second) as client:
        state = await (await client.get("/api/state")).json()
        assert state["phase"]["help_contacts"] == list(CONTACTS)
        assert "bruttoliste" not in state["phase"]


async def test_an_assistant_posts_a_wish_and_levels(second):
    engine = second
    await engine.goto(PICK)
    wish = next(w for w in engine.bruttoliste().wishes if w.heading == "Færre afbrydelser")
    headers = bearer(engine.assistant_token)
    async with await serve(engine) as client:
        groups = await (await client.get("/api/groups", headers=headers)).json()
        assert groups["wish_mode"] == "pick"
        response = await client.post(
            "/api/flipovers",
            json={"group": 1, "wish": wish.id, "proposals": ["Stilletimer"]},
            headers=headers,
        )
        assert response.status == 201, await response.text()
        saved = await response.json()
        assert saved["heading"] == "Færre afbrydelser" and saved["wish"] == wish.id
        picked = saved["id"]
        await engine.goto(CHOOSE)
        await engine.hand_choice(f"f{picked}")
        await engine.goto(ACTION)
        groups = await (await client.get("/api/groups", headers=headers)).json()
        assert groups["wish_mode"] == "action"
        assert groups["chosen"] == [{"id": picked, "title": "Færre afbrydelser"}]
        assert [lv["key"] for lv in groups["levels"]] == [
            "personalegruppe",
            "leder",
            "samarbejdspartnere",
        ]
        body = {
            "group": 1,
            "heading": "Ro på",
            "proposals": [
                {"text": "Vi holder stilletimer", "level": "personalegruppe"},
                {"text": "Lederen tager telefonen", "level": "leder"},
                "Uden niveau",
            ],
        }
        response = await client.post("/api/flipovers", json=body, headers=headers)
        assert response.status == 201, await response.text()
        action = await response.json()
        assert action["wish"] == picked  # the group's chosen wish
        assert action["levels"] == ["personalegruppe", "leder", ""]
        assert action["proposals"] == [
            "Vi holder stilletimer",
            "Lederen tager telefonen",
            "Uden niveau",
        ]
        body["proposals"] = [{"text": "Kunderne ringer før 10", "level": "samarbejdspartnere"}]
        response = await client.put(f"/api/flipovers/{action['id']}", json=body, headers=headers)
        assert response.status == 200, await response.text()
        assert (await response.json())["levels"] == ["samarbejdspartnere"]
        row = engine.model.flipover(action["id"])
        assert row.levels == ("samarbejdspartnere",) and row.wish_id == picked
        listed = await (await client.get("/api/flipovers", headers=headers)).json()
        mine = next(f for f in listed["flipovers"] if f["id"] == action["id"])
        assert mine["wish"] == picked and mine["levels"] == ["samarbejdspartnere"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"group": 1, "heading": "X", "wish": "tre"}, 400, "Ønsket"),
        ({"group": 1, "heading": "X", "wish": True}, 400, "Ønsket"),
        ({"group": 1, "heading": "X", "proposals": [{"level": "leder"}]}, 400, "Forslagene"),
        ({"group": 1, "heading": "X", "proposals": [{"text": 3}]}, 400, "Forslagene"),
        ({"group": 1, "heading": "X", "proposals": [{"text": "a", "level": "chef"}]}, 400, "leder"),
        ({"group": 1, "heading": "X", "proposals": [["a", "leder"]]}, 400, "Forslagene"),
        ({"group": 1, "heading": "X", "proposals": "a"}, 400, "Forslagene"),
        ({"group": 1, "wish": 987654}, 422, "bruttolisten"),
        ({"group": 1}, 400, "Overskriften"),
    ],
)
async def test_bad_shapes_are_refused_in_danish(second, body, status, words):
    engine = second
    await engine.goto(PICK)
    async with await serve(engine) as client:
        headers = bearer(engine.assistant_token)
        response = await client.post("/api/flipovers", json=body, headers=headers)
        assert response.status == status
        assert words in (await response.json())["error"]
    assert engine.flipovers() == []


async def test_a_wish_needs_the_assistant_token(second):
    await second.goto(PICK)
    async with await serve(second) as client:
        wish = second.bruttoliste().wishes[0].id
        response = await client.post("/api/flipovers", json={"group": 1, "wish": wish})
        assert response.status in (401, 403)


# ---------------------------------------------------------------------- in Chromium
@pytest.fixture
async def live_second(store, fake_clock, course, unused_tcp_port):
    """A 2nd meeting served on a real port, its course read as `serve` reads it (the
    pages are the same on either database: these run on SQLite only)."""
    from tests.test_participant_browser import CHROMIUM

    if CHROMIUM is None:
        pytest.skip("no chromium on this machine")
    first = await first_meeting(store, fake_clock)
    set_help_contacts(store, first.meeting_id, CONTACTS)
    engine = await second_meeting(store, fake_clock, forloeb_of(store, first.meeting_id))
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    assert server.participant_url, server.error
    yield engine, server
    await server.stop()
    engine.release()


@pytest.mark.sqlite_only
async def test_a_phone_shows_the_bruttoliste_page_by_page_and_the_help(live_second, browser):
    from tests.test_browser_galleri import phone_page
    from tests.test_participant_browser import playwright_api

    expect = playwright_api.expect
    engine, server = live_second
    engine.agenda = engine.agenda.__class__(
        **{
            **vars(engine.agenda),
            "phases": (
                engine.agenda.phases[0].__class__(
                    **{**vars(engine.agenda.phases[0]), "page_size": 3}
                ),
                *engine.agenda.phases[1:],
            ),
        }
    )  # three wishes a page, so four make two pages
    phone = await phone_page(browser, server.participant_url)
    await expect(phone.locator("#phase-title")).to_have_text("Fremlæggelse af bruttolisten")
    cards = phone.locator("#brutto-list > li")
    await expect(cards).to_have_count(3)
    await expect(cards.nth(0)).to_contain_text("Ros for små ting")
    await expect(cards.nth(0)).to_contain_text("Nr. 1 · 7 markeringer")
    await expect(phone.locator("#brutto-page")).to_have_text("Side 1 af 2 · 4 ønsker")
    await engine.bruttoliste_page(+1)  # the projector pages: the phone follows
    await expect(phone.locator("#brutto-page")).to_have_text("Side 2 af 2 · 4 ønsker")
    await expect(cards).to_have_count(1)
    await expect(cards.nth(0)).to_contain_text("Fælles frokost om fredagen")
    await phone.click("#brutto-all")  # or the whole list, to scroll
    await expect(cards).to_have_count(4)
    await expect(phone.locator("#help")).to_be_hidden()
    await engine.goto(engine.phase_count - 1)
    await expect(phone.locator("#brutto")).to_be_hidden()
    await expect(phone.locator("#help-list > li")).to_have_count(2)
    await expect(phone.locator("#help")).to_contain_text("Åse Ørnskov")


@pytest.mark.sqlite_only
async def test_an_assistant_picks_a_wish_and_gives_levels(live_second, browser):
    from tests.test_browser_galleri import phone_page
    from tests.test_participant_browser import playwright_api

    expect = playwright_api.expect
    engine, server = live_second
    await engine.goto(PICK)
    page = await phone_page(
        browser, f"{server.participant_url}assist?token={engine.assistant_token}"
    )
    await expect(page.locator("#phase")).to_contain_text("vælg ét ønske")
    await expect(page.locator("#wishpick")).to_be_visible()
    await expect(page.locator("#wish option")).to_have_count(5)  # "eget ønske" and four
    wish = next(w for w in engine.bruttoliste().wishes if w.heading == "Færre afbrydelser")
    await page.locator("#groups button", has_text="2").click()
    await page.select_option("#wish", str(wish.id))
    await expect(page.locator("#heading")).to_have_value("Færre afbrydelser")
    await expect(page.locator("#props select.level").first).to_be_hidden()
    await page.locator("#props input").nth(0).fill("Stilletimer hver formiddag")
    await page.click("#save")
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 2: Færre afbrydelser")
    saved = next(f for f in engine.flipovers() if f.heading == "Færre afbrydelser")
    assert saved.wish_id == wish.id and saved.group == 2
    await expect(page.locator("#heading")).to_have_value("")
    await expect(page.locator("#wish")).to_have_value("")

    await engine.goto(CHOOSE)
    await engine.hand_choice(f"f{saved.id}")
    await engine.goto(ACTION)
    await expect(page.locator("#phase")).to_contain_text("Gruppearbejde om handling")
    await expect(page.locator("#wishpick")).to_be_hidden()
    levels = page.locator("#props select.level")
    await expect(levels.first).to_be_visible()
    await page.locator("#groups button", has_text="1").click()
    await expect(page.locator("#group-label")).to_have_text("Gruppe 1: Færre afbrydelser")
    await page.fill("#heading", "Ro på")
    await page.locator("#props input").nth(0).fill("Vi holder stilletimer")
    await levels.nth(0).select_option("personalegruppe")
    await page.locator("#props input").nth(1).fill("Lederen tager telefonen")
    await levels.nth(1).select_option("leder")
    await page.locator("#props input").nth(2).fill("Uden niveau")
    await page.click("#save")
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 1: Ro på")
    action = next(f for f in engine.flipovers() if f.heading == "Ro på")
    assert action.wish_id == saved.id
    assert action.lines == (
        ("Vi holder stilletimer", "personalegruppe"),
        ("Lederen tager telefonen", "leder"),
        ("Uden niveau", ""),
    )
    item = page.locator("#list > li").filter(has_text="Ro på")
    await expect(item).to_contain_text("Lederen: Lederen tager telefonen")
    # correcting it shows its levels again
    await item.locator("button", has_text="Ret").click()
    await expect(levels.nth(1)).to_have_value("leder")
