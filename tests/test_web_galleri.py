"""Galleri and prioritering over HTTP: marks and "brænder for" from phones, the assistants'
page (flip-overs, edits, photos), the remote control, tokens, and `facilitator links`.

Everything through aiohttp's test client against a real engine, on SQLite and on PostgreSQL
(the ``db_url`` fixture in conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import zlib

import pytest
from aiohttp.test_utils import TestClient, TestServer

from facilitator import cli
from facilitator.agenda import load_agenda, parse_agenda
from facilitator.engine import MAX_PHOTO, MeetingEngine, create_meeting
from facilitator.qr import qr_matrix
from facilitator.web.security import DeviceIds
from facilitator.web.server import DEVICE_COOKIE, RateLimiter, WebServer
from storage.repo import Store

START = 1_800_000_000.0

# Phases: 0 flip-overs, 1 vote (5 marks, at most 2 per card, totals live), 2 choose, 3 info.
LIVE_AGENDA = """
format = 1
title = "Prøve"
method = "anerkendende-interview"
language = "da"

[[phase]]
kind = "flipover"
title = "Grupper på 4: vælg ét ønske"
minutes = 10
max_proposals = 3

[[phase]]
kind = "vote"
title = "Markeringer"
minutes = 5
marks = 5
cap_per_card = 2
reveal = "live"

[[phase]]
kind = "choose"
title = "Hvem brænder for hvad"
minutes = 5

[[phase]]
kind = "info"
title = "Afrunding"
minutes = 5
"""


class Clock:
    def __init__(self, start: float = START) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def make_engine(db_url: str, agenda: str = "dialogmoede-1"):
    store = Store(db_url)
    if agenda == "live":
        parsed, name = parse_agenda(LIVE_AGENDA, "prøve"), "prøve"
    else:
        parsed, name = load_agenda(agenda), agenda
    mid = create_meeting(store, parsed, name, "Galleri på Ærø", groups=3, participants=12)
    clock = Clock()
    engine = MeetingEngine(store, mid, clock=clock)
    engine.test_clock = clock  # type: ignore[attr-defined]
    return store, engine


@pytest.fixture
async def engine(db_url):
    """1. dialogmøde: a strength from the interview, three wishes, now in the vote phase
    (3 marks, at most 3 per card, totals shown only when the phase is over)."""
    store, eng = make_engine(db_url)
    await eng.goto(1)
    await eng.add_flipover(1, "Vi hjælper hinanden")  # a strength: not votable
    await eng.goto(2)
    for group, heading in enumerate(["Mere sparring", "Ro til opgaverne", "Fælles kaffe"], 1):
        await eng.add_flipover(group, heading, ["Et forslag"])
    await eng.goto(4)
    yield eng
    eng.release()
    store.close()


@pytest.fixture
async def live_engine(db_url):
    """A small agenda: two wishes written, then a live vote and a choose phase."""
    store, eng = make_engine(db_url, "live")
    await eng.add_flipover(1, "Mere sparring", ["Fast møde", "Mentorordning"])
    await eng.add_flipover(2, "Ro til opgaverne", ["Stille rum"])
    await eng.goto(1)
    yield eng
    eng.release()
    store.close()


async def client_for(engine) -> TestClient:
    server = WebServer(engine, lan_address="127.0.0.1")
    _SIGNER[:] = [server.devices]
    client = TestClient(TestServer(server.app))
    await client.start_server()
    client.server_obj = server  # type: ignore[attr-defined]
    return client


@pytest.fixture
async def client(engine):
    c = await client_for(engine)
    yield c
    await c.close()


@pytest.fixture
async def live_client(live_engine):
    c = await client_for(live_engine)
    yield c
    await c.close()


def phone(name: str) -> dict[str, str]:
    """The cookie header of one phone: a device id the server issued for this meeting
    (signed with the meeting's secret, as the server signs the ids it hands out)."""
    return {"Cookie": f"{DEVICE_COOKIE}={_SIGNER[0].signed(f'{name:_<22}')}"}


JSON = {"Content-Type": "application/json"}
_SIGNER: list[DeviceIds] = []  # the current test's meeting (set by client_for)


def device(name: str) -> str:
    """The device id behind phone(name)."""
    return _SIGNER[0].signed(f"{name:_<22}")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wish_ids(engine) -> list[int]:
    return [f.id for f in engine.flipovers() if f.kind == "wish"]


def strength_id(engine) -> int:
    return next(f.id for f in engine.flipovers() if f.kind == "strength")


# ---------------------------------------------------------------------- marks
async def test_a_phone_spends_its_marks_and_is_told_when_they_are_spent(client, engine):
    first, second, _ = wish_ids(engine)
    a = phone("anna")
    lefts = []
    for card in (first, first, second):
        response = await client.post("/api/votes", json={"flipover_id": card}, headers=a)
        assert response.status == 200
        lefts.append((await response.json())["left"])
    assert lefts == [2, 1, 0]

    refused = await client.post("/api/votes", json={"flipover_id": second}, headers=a)
    assert refused.status == 409
    body = await refused.json()
    assert body["error"] == "Du har brugt alle dine 3 markeringer."
    assert body["mine"] == {str(first): 2, str(second): 1} and body["left"] == 0

    mine = await (await client.get("/api/votes/mine", headers=a)).json()
    assert mine == {"mine": {str(first): 2, str(second): 1}, "left": 0}
    assert {f.id: f.marks for f in engine.flipovers()}[first] == 2


async def test_budgets_are_per_device(client, engine):
    card = wish_ids(engine)[0]
    for name in ("anna", "bo", "carl"):
        for expected_left in (2, 1, 0):
            response = await client.post(
                "/api/votes", json={"flipover_id": card}, headers=phone(name)
            )
            assert (await response.json())["left"] == expected_left
    assert {f.id: f.marks for f in engine.flipovers()}[card] == 9
    assert engine.state()["board"]["vote"]["voters"] == 3


async def test_the_cap_per_card_holds(live_client, live_engine):
    first, second = wish_ids(live_engine)
    a = phone("anna")
    for _ in range(2):
        assert (
            await live_client.post("/api/votes", json={"flipover_id": first}, headers=a)
        ).status == 200
    capped = await live_client.post("/api/votes", json={"flipover_id": first}, headers=a)
    assert capped.status == 409
    assert (await capped.json())["error"] == "Højst 2 markeringer på samme ønske."
    other = await live_client.post("/api/votes", json={"flipover_id": second}, headers=a)
    assert other.status == 200 and (await other.json())["left"] == 2


async def test_a_mark_can_be_taken_back(client, engine):
    first, second, _ = wish_ids(engine)
    a = phone("anna")
    for card in (first, first, second):
        await client.post("/api/votes", json={"flipover_id": card}, headers=a)
    back = await client.delete("/api/votes", json={"flipover_id": first}, headers=a)
    assert back.status == 200
    assert await back.json() == {"mine": {str(first): 1, str(second): 1}, "left": 1}
    nothing = await client.delete(
        "/api/votes", json={"flipover_id": wish_ids(engine)[2]}, headers=a
    )
    assert nothing.status == 409
    assert (await nothing.json())["error"] == "Du har ingen markering på det ønske."
    # Another phone cannot take Anna's marks away.
    other = await client.delete("/api/votes", json={"flipover_id": second}, headers=phone("bo"))
    assert other.status == 409
    assert {f.id: f.marks for f in engine.flipovers()}[second] == 1


async def test_marks_are_refused_outside_a_vote_and_on_the_wrong_card(client, engine):
    a = phone("anna")
    unknown = await client.post("/api/votes", json={"flipover_id": 9999}, headers=a)
    assert unknown.status == 404 and "findes ikke" in (await unknown.json())["error"]
    strength = await client.post("/api/votes", json={"flipover_id": strength_id(engine)}, headers=a)
    assert strength.status == 409
    assert (await strength.json())["error"] == "Der stemmes kun på ønsker."
    await engine.goto(3)  # Galleri: looking, not voting
    closed = await client.post("/api/votes", json={"flipover_id": wish_ids(engine)[0]}, headers=a)
    assert closed.status == 409
    assert (await closed.json())["error"] == "Der stemmes ikke lige nu."
    assert sum(f.marks for f in engine.flipovers()) == 0


async def test_bad_vote_requests_get_400_or_413(client, engine):
    card = wish_ids(engine)[0]
    # No device cookie: refused, and the answer hands the phone one to retry with.
    bare = await client.post(
        "/api/votes", json={"flipover_id": card}, headers={"Cookie": f"{DEVICE_COOKIE}=short"}
    )
    assert bare.status == 400
    assert (await bare.json())["code"] == "no_device"
    cookie = bare.cookies[DEVICE_COOKIE]
    assert len(cookie.value) >= 16 and cookie["httponly"] and cookie["samesite"] == "Lax"
    a = phone("anna")
    for raw in (b"\xff\xfe", b"{nope", b"[1]", b'{"flipover_id": "1"}', b'{"flipover_id": true}'):
        response = await client.post("/api/votes", data=raw, headers={**a, **JSON})
        assert response.status == 400, raw
        assert (await response.json())["error"]
    huge = await client.post(
        "/api/votes",
        data=json.dumps({"flipover_id": card, "x": "y" * 70_000}),
        headers={**a, **JSON},
    )
    assert huge.status == 413
    assert (await huge.json())["error"] == "For meget data på én gang."
    assert sum(f.marks for f in engine.flipovers()) == 0


async def test_marks_per_device_are_rate_limited(client, engine):
    server = client.server_obj
    tick = Clock(0.0)
    server.vote_limiter = RateLimiter(burst=10, window_s=5.0, clock=tick)
    card = wish_ids(engine)[0]
    a = phone("anna")
    statuses = []
    for _ in range(11):
        response = await client.post("/api/votes", json={"flipover_id": card}, headers=a)
        statuses.append(response.status)
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:10]) == {409}
    assert statuses[10] == 429
    limited = await client.post("/api/votes", json={"flipover_id": card}, headers=a)
    assert limited.status == 429
    assert (await limited.json())["error"].startswith("Du trykker for hurtigt")
    assert int(limited.headers["Retry-After"]) >= 1
    # Another phone is not slowed down by Anna, and Anna may act again a moment later.
    other = await client.post("/api/votes", json={"flipover_id": card}, headers=phone("bo"))
    assert other.status == 200
    tick.t += 1.0
    back = await client.delete("/api/votes", json={"flipover_id": card}, headers=a)
    assert back.status == 200


@pytest.mark.parametrize("generous", [True, False], ids=["no-rate-limit", "rate-limited"])
async def test_a_race_of_marks_from_one_phone_never_exceeds_its_budget(client, engine, generous):
    if generous:
        client.server_obj.vote_limiter = RateLimiter(burst=1000, window_s=1.0)
    card = wish_ids(engine)[0]
    a = phone("anna")

    async def one() -> int:
        response = await client.post("/api/votes", json={"flipover_id": card}, headers=a)
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(one() for _ in range(20)))
    assert statuses.count(200) == 3  # exactly the budget, never more
    assert set(statuses) - {200} <= ({409} if generous else {409, 429})
    assert engine.store.device_votes(engine.meeting_id, device("anna"), engine.index) == {card: 3}


async def test_totals_stay_hidden_during_a_silent_vote_until_the_time_is_up(client, engine):
    card = wish_ids(engine)[0]
    a = phone("anna")
    await engine.start()
    await client.post("/api/votes", json={"flipover_id": card}, headers=a)
    await client.post("/api/votes", json={"flipover_id": card}, headers=phone("bo"))
    listed = await (await client.get("/api/flipovers", headers=a)).json()
    row = next(f for f in listed["flipovers"] if f["id"] == card)
    assert row["marks"] is None  # the room votes in silence ...
    assert row["mine"] == 1 and listed["left"] == 2  # ... but each phone sees its own
    assert engine.state()["board"]["vote"]["visible"] is False

    engine.test_clock.t += 15 * 60 + 1  # the phase's time is up
    listed = await (await client.get("/api/flipovers", headers=a)).json()
    row = next(f for f in listed["flipovers"] if f["id"] == card)
    assert row["marks"] == 2
    assert engine.state()["board"]["vote"]["visible"] is True


async def test_flipovers_carry_mine_theme_priority_and_photo(live_client, live_engine):
    first, second = wish_ids(live_engine)
    a = phone("anna")
    before = await (await live_client.get("/api/flipovers", headers=a)).json()
    assert [f["marks"] for f in before["flipovers"]] == [0, 0]  # reveal = "live"
    await live_client.post("/api/votes", json={"flipover_id": first}, headers=a)
    await live_client.post("/api/votes", json={"flipover_id": first}, headers=phone("bo"))
    await live_engine.create_theme("Arbejdsro og sparring", [first, second])
    await live_engine.set_photo(second, "image/jpeg", b"\xff\xd8jpeg")
    listed = await (await live_client.get("/api/flipovers", headers=a)).json()
    assert listed["version"] == live_engine.state()["board"]["version"]
    rows = {f["id"]: f for f in listed["flipovers"]}
    assert rows[first]["marks"] == 2 and rows[first]["mine"] == 1 and rows[second]["mine"] == 0
    assert rows[first]["theme"] == rows[second]["theme"] == "Arbejdsro og sparring"
    assert rows[second]["has_photo"] is True and rows[first]["has_photo"] is False
    assert rows[first]["proposals"] == ["Fast møde", "Mentorordning"]
    theme_key = live_engine.ranking()[0].key
    await live_engine.set_priorities([theme_key])
    listed = await (await live_client.get("/api/flipovers", headers=a)).json()
    assert all(f["priority"] == 1 for f in listed["flipovers"])
    # Another phone sees the same totals but its own marks.
    other = await (await live_client.get("/api/flipovers", headers=phone("carl"))).json()
    assert [f["mine"] for f in other["flipovers"]] == [0, 0] and other["left"] == 5


# ---------------------------------------------------------------------- brænder for
async def test_a_phone_picks_one_wish_and_a_new_pick_replaces_it(live_client, live_engine):
    first, second = wish_ids(live_engine)
    await live_engine.goto(2)  # Hvem brænder for hvad
    a = phone("anna")
    offered = await (await live_client.get("/api/choice", headers=a)).json()
    assert offered["open"] is True and offered["mine"] is None
    assert [(o["key"], o["title"], o["count"]) for o in offered["options"]] == [
        (f"f{first}", "Mere sparring", 0),
        (f"f{second}", "Ro til opgaverne", 0),
    ]
    chose = await live_client.post("/api/choice", json={"key": f"f{first}"}, headers=a)
    assert chose.status == 200 and (await chose.json())["mine"] == f"f{first}"
    await live_client.post("/api/choice", json={"key": f"f{first}"}, headers=phone("bo"))
    changed = await live_client.post("/api/choice", json={"key": f"f{second}"}, headers=a)
    body = await changed.json()
    assert body["mine"] == f"f{second}"
    assert [o["count"] for o in body["options"]] == [1, 1]  # Anna's first pick is gone
    assert live_engine.device_choice(device("anna")) == f"f{second}"
    cleared = await live_client.post("/api/choice", json={"key": None}, headers=a)
    assert (await cleared.json())["mine"] is None
    assert [c for _, c in live_engine.choice_counts()] == [1, 0]


async def test_bad_picks_are_refused(live_client, live_engine):
    a = phone("anna")
    first = wish_ids(live_engine)[0]
    early = await live_client.post("/api/choice", json={"key": f"f{first}"}, headers=a)
    assert early.status == 409 and (await early.json())["error"] == "Der vælges ikke lige nu."
    await live_engine.goto(2)
    for key, status in ((f"f{first + 99}", 404), ("x1", 404), (7, 400), (["f1"], 400)):
        response = await live_client.post("/api/choice", json={"key": key}, headers=a)
        assert response.status == status, key
        assert (await response.json())["error"]
    nocookie = await live_client.post(
        "/api/choice", json={"key": f"f{first}"}, headers={"Cookie": f"{DEVICE_COOKIE}=x"}
    )
    assert nocookie.status == 400 and (await nocookie.json())["code"] == "no_device"
    assert [c for _, c in live_engine.choice_counts()] == [0, 0]


# ---------------------------------------------------------------------- assistants
async def test_the_assistant_edits_what_was_typed(live_client, live_engine):
    token = bearer(live_engine.assistant_token)
    await live_engine.goto(0)
    made = await live_client.post(
        "/api/flipovers", json={"group": 3, "heading": "Mere ro", "proposals": []}, headers=token
    )
    assert made.status == 201
    flip_id = (await made.json())["id"]
    edit = {"group": 2, "heading": "Mere ro i frokosten", "proposals": ["Stille rum", " "]}
    response = await live_client.put(f"/api/flipovers/{flip_id}", json=edit, headers=token)
    assert response.status == 200
    assert await response.json() == {
        "id": flip_id,
        "group": 2,
        "grouping": "fours",
        "kind": "wish",
        "heading": "Mere ro i frokosten",
        "proposals": ["Stille rum"],
        "levels": [""],
        "wish": None,
    }
    saved = next(f for f in live_engine.flipovers() if f.id == flip_id)
    assert (saved.group, saved.heading, saved.proposals) == (
        2,
        "Mere ro i frokosten",
        ("Stille rum",),
    )

    too_many = {"group": 2, "heading": "x", "proposals": ["a", "b", "c", "d"]}
    refused = await live_client.put(f"/api/flipovers/{flip_id}", json=too_many, headers=token)
    assert refused.status == 422 and "Højst 3 forslag" in (await refused.json())["error"]
    missing = await live_client.put("/api/flipovers/9999", json=edit, headers=token)
    assert missing.status == 404
    assert (await live_client.put(f"/api/flipovers/{flip_id}", json=edit)).status == 401
    wrong = await live_client.put(
        f"/api/flipovers/{flip_id}", json=edit, headers=bearer(live_engine.control_token)
    )
    assert wrong.status == 403
    listed = await (await live_client.get("/api/flipovers", headers=token)).json()
    assert listed["flipovers"][-1]["grouping"] == "fours"
    assert (await live_client.get("/api/flipovers", headers=bearer("nope"))).status == 403


async def test_headings_with_markup_come_back_as_data(live_client, live_engine):
    token = bearer(live_engine.assistant_token)
    flip_id = wish_ids(live_engine)[0]
    heading = "<script>alert('æøå')</script>"
    await live_client.put(
        f"/api/flipovers/{flip_id}",
        json={"group": 1, "heading": heading, "proposals": ["<img src=x onerror=alert(1)>"]},
        headers=token,
    )
    listed = await live_client.get("/api/flipovers")
    assert listed.content_type == "application/json"
    row = next(f for f in (await listed.json())["flipovers"] if f["id"] == flip_id)
    assert row["heading"] == heading and row["proposals"] == ["<img src=x onerror=alert(1)>"]
    await live_engine.goto(2)
    options = await (await live_client.get("/api/choice")).json()
    assert options["options"][0]["title"] == heading


async def test_groups_follow_the_room(client, engine, live_engine, tmp_path):
    token = bearer(engine.assistant_token)
    assert (await client.get("/api/groups")).status == 401
    assert (await client.get("/api/groups", headers=bearer("x" * 22))).status == 403
    await engine.goto(2)
    groups = await (await client.get("/api/groups", headers=token)).json()
    assert groups["grouping"] == "fours" and groups["count"] == 3 and groups["labels"] is None
    assert groups["kind"] == "wish" and groups["max_proposals"] == 5
    await engine.goto(1)
    interview = await (await client.get("/api/groups", headers=token)).json()
    assert interview["grouping"] == "interview" and interview["count"] == 4  # 12 people in 3s
    assert interview["kind"] == "strength"
    # After a "brænder for" phase the room works in one group per chosen wish.
    await live_engine.goto(3)
    live = await client_for(live_engine)
    try:
        wishes = await (
            await live.get("/api/groups", headers=bearer(live_engine.assistant_token))
        ).json()
    finally:
        await live.close()
    assert wishes["grouping"] == "wishes" and wishes["count"] == 2
    assert wishes["labels"] == ["Mere sparring", "Ro til opgaverne"]


async def test_a_photo_is_kept_with_the_flipover(client, engine):
    flip_id = wish_ids(engine)[0]
    token = bearer(engine.assistant_token)
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4000  # ~1 MB
    url = f"/api/flipovers/{flip_id}/photo"
    sent = await client.post(url, data=jpeg, headers={**token, "Content-Type": "image/jpeg"})
    assert sent.status == 201 and (await sent.json())["bytes"] == len(jpeg)
    for reader in (token, bearer(engine.control_token)):
        got = await client.get(url, headers=reader)
        assert got.status == 200 and got.content_type == "image/jpeg"
        assert await got.read() == jpeg
    assert next(f for f in engine.flipovers() if f.id == flip_id).has_photo
    # Phones can neither see nor send photos.
    assert (await client.get(url)).status == 401
    assert (await client.get(url, headers=phone("anna"))).status == 401
    plain = await client.post(url, data=jpeg, headers={"Content-Type": "image/jpeg"})
    assert plain.status == 401
    assert (
        await client.get(f"/api/flipovers/{wish_ids(engine)[1]}/photo", headers=token)
    ).status == 404


async def test_bad_photos_are_refused(client, engine):
    flip_id = wish_ids(engine)[0]
    token = bearer(engine.assistant_token)
    url = f"/api/flipovers/{flip_id}/photo"
    for content_type in ("text/plain", "image/gif", "application/octet-stream"):
        response = await client.post(
            url, data=b"GIF89a", headers={**token, "Content-Type": content_type}
        )
        assert response.status == 415, content_type
        assert (await response.json())["error"] == "Billedet skal være JPEG, PNG eller WebP."
    big = b"\xff\xd8" + b"\0" * MAX_PHOTO
    too_big = await client.post(url, data=big, headers={**token, "Content-Type": "image/jpeg"})
    assert too_big.status == 413 and "for stort" in (await too_big.json())["error"]

    async def chunks():  # no Content-Length: the limit holds while streaming too
        for _ in range(MAX_PHOTO // 65536 + 2):
            yield b"\0" * 65536

    streamed = await client.post(url, data=chunks(), headers={**token, "Content-Type": "image/png"})
    assert streamed.status == 413
    empty = await client.post(url, data=b"", headers={**token, "Content-Type": "image/png"})
    assert empty.status == 400
    missing = await client.post(
        "/api/flipovers/9999/photo", data=b"\x89PNG", headers={**token, "Content-Type": "image/png"}
    )
    assert missing.status == 404
    assert engine.photo(flip_id) is None


# ---------------------------------------------------------------------- pages and tokens
async def test_the_assistant_and_remote_pages_need_their_own_key(client, engine):
    for path, token, other in (
        ("/assist", engine.assistant_token, engine.control_token),
        ("/remote", engine.control_token, engine.assistant_token),
    ):
        missing = await client.get(path)
        assert missing.status == 401 and missing.content_type == "text/html"
        assert "Linket mangler sin nøgle" in await missing.text()
        wrong = await client.get(f"{path}?token={other}")
        assert wrong.status == 403 and "Nøglen passer ikke" in await wrong.text()
        ok = await client.get(f"{path}?token={token}")
        assert ok.status == 200 and ok.content_type == "text/html"
        html = await ok.text()
        # What runs on the page: its own script and the common one it loads from here.
        source = re.search(r'<script src="(/static/common\.js[^"]*)"></script>', html)
        script = html + await (await client.get(source.group(1))).text()
        assert 'lang="da"' in html and "Bearer" in script and "textContent" in script
        assert "innerHTML" not in script
        for marker in ('src="http', 'href="http', "@import", "//cdn"):
            assert marker not in html
        csp = ok.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        via_header = await client.get(path, headers=bearer(token))
        assert via_header.status == 200
    assist = await (await client.get(f"/assist?token={engine.assistant_token}")).text()
    assert 'capture="environment"' in assist and 'accept="image/*"' in assist
    assert "1280" in assist and "0.7" in assist


async def test_the_participant_page_has_the_vote_ui_and_no_key(client):
    response = await client.get("/")
    html = await response.text()
    assert "/api/votes" in html and "/api/choice" in html and "markeringer tilbage" in html
    assert "token" not in html and "innerHTML" not in html
    assert "samesite=lax" in response.headers["Set-Cookie"].lower()


async def test_the_remote_drives_the_meeting(client, engine):
    token = bearer(engine.control_token)
    await engine.goto(0)
    started = await client.post("/api/control/toggle", headers=token)
    assert started.status == 200 and (await started.json())["phase"]["started"] is True
    assert engine.clock.running
    await client.post("/api/control/toggle", headers=token)
    assert engine.clock.paused
    more = await client.post("/api/control/extend", json={"minutes": 1}, headers=token)
    assert (await more.json())["phase"]["remaining_s"] == 16 * 60
    await client.post("/api/control/next", headers=token)
    assert engine.index == 1
    await client.post("/api/control/previous", headers=token)
    assert engine.index == 0
    first = await client.post("/api/control/previous", headers=token)
    assert first.status == 409 and (await first.json())["error"] == "det er første fase"
    for headers in ({}, phone("anna"), bearer(engine.assistant_token)):
        assert (await client.post("/api/control/next", headers=headers)).status in (401, 403)
    assert engine.index == 0


async def test_staff_pages_are_not_counted_as_phones(client, engine):
    staff = await client.get("/api/events?role=staff")
    await asyncio.wait_for(staff.content.readline(), 3)
    assert engine.phones == 0
    phone_stream = await client.get("/api/events", headers=phone("anna"))
    await asyncio.wait_for(phone_stream.content.readline(), 3)
    assert engine.phones == 1
    staff.close()
    phone_stream.close()


# ---------------------------------------------------------------------- facilitator links
@pytest.fixture
def meeting_db(db_url):
    url = db_url
    store = Store(url)
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Møde <på> Ærø")
    meeting = store.get_meeting(mid)
    store.close()
    return url, mid, meeting


def test_links_prints_the_three_addresses(meeting_db, capsys):
    url, mid, meeting = meeting_db
    code = cli.main(["links", str(mid), "--host", "10.0.0.5", "--port", "9000", "--db", url])
    assert code == 0
    out = capsys.readouterr().out
    assert "Deltagere (telefonerne, QR-koden): http://10.0.0.5:9000/\n" in out
    assert (
        f"Mødeassistenter (skriv flip-overs): http://10.0.0.5:9000/assist?token={meeting.assistant_token}"
        in out
    )
    assert (
        f"Fjernbetjening (mødelederens telefon): http://10.0.0.5:9000/remote?token={meeting.control_token}"
        in out
    )
    assert f"Mødekode: {meeting.code}" in out


def test_links_writes_a_printable_svg_card(meeting_db, tmp_path, capsys):
    url, mid, meeting = meeting_db
    card = tmp_path / "kort.svg"
    assert cli.main(["links", str(mid), "--host", "10.0.0.5", "--qr", str(card), "--db", url]) == 0
    svg = card.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "http://10.0.0.5:8765/" in svg and "Møde &lt;på&gt; Ærø" in svg
    assert "token" not in svg  # the card is for the tables: the participant address only
    assert f"Mødekode: {meeting.code}" in svg
    assert "QR-kort skrevet" in capsys.readouterr().out
    # The path draws exactly the dark modules of the participant address's QR code.
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    drawn = set()
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        drawn |= {(int(x) + i, int(y)) for i in range(int(run))}
    matrix = qr_matrix("http://10.0.0.5:8765/")
    assert drawn == {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


def _png_pixels(data: bytes) -> tuple[int, list[list[int]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        assert (
            zlib.crc32(kind + body)
            == struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        )
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (width, depth, colour) == (height, 1, 0)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows = zlib.decompress(idat), 1 + (width + 7) // 8, []
    for y in range(width):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0
        bits = "".join(f"{b:08b}" for b in line[1:])[:width]
        rows.append([int(c) for c in bits])
    return width, rows


def test_links_writes_a_png_without_pillow(meeting_db, tmp_path):
    url, mid, _ = meeting_db
    target = tmp_path / "kort.png"
    assert (
        cli.main(["links", str(mid), "--host", "10.0.0.5", "--qr", str(target), "--db", url]) == 0
    )
    width, rows = _png_pixels(target.read_bytes())
    matrix = qr_matrix("http://10.0.0.5:8765/")
    scale = width // len(matrix)
    assert width == scale * len(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert rows[y * scale][x * scale] == (0 if dark else 1)


def test_links_refuses_an_unwritable_or_unknown_file(meeting_db, tmp_path, capsys):
    url, mid, _ = meeting_db
    for target in (tmp_path / "mangler" / "kort.svg", tmp_path / "kort.pdf"):
        assert cli.main(["links", str(mid), "--qr", str(target), "--db", url]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("facilitator: ")
