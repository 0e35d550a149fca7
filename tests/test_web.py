"""The participant page and the HTTP API, through aiohttp's test client."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.server import WebServer
from storage.repo import Store


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def web_engine(db_url):
    store = Store(db_url)  # SQLite and PostgreSQL (conftest.py)
    mid = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Møde i Ærø Kommune", groups=3
    )
    clock = Clock()
    engine = MeetingEngine(store, mid, clock=clock)
    engine.test_clock = clock  # type: ignore[attr-defined]
    yield engine
    engine.release()
    store.close()


@pytest.fixture
async def client(web_engine):
    server = WebServer(web_engine, lan_address="127.0.0.1")
    async with TestClient(TestServer(server.app)) as c:
        c.server_obj = server  # type: ignore[attr-defined]
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def read_sse_states(response, count: int) -> list[dict]:
    states: list[dict] = []
    event = None
    while len(states) < count:
        line = (await response.content.readline()).decode()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "state":
            states.append(json.loads(line[5:]))
    return states


async def test_participant_page_is_self_contained_danish_html(client):
    response = await client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    html = await response.text()
    assert 'lang="da"' in html
    # No external assets: everything the phone needs comes from this server.
    for marker in ('src="http', "src='http", 'href="http', "@import", "//cdn"):
        assert marker not in html
    assert "/api/events" in html and "textContent" in html
    assert "fac_device" in response.headers.get("Set-Cookie", "")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_state_follows_the_contract(client, web_engine):
    state = await (await client.get("/api/state")).json()
    assert set(state["meeting"]) >= {"id", "title", "elapsed_s", "planned_s", "phones"}
    assert state["meeting"]["title"] == "Møde i Ærø Kommune"
    assert state["meeting"]["planned_s"] == 115 * 60
    phase = state["phase"]
    assert phase["index"] == 0 and phase["count"] == 6
    assert phase["title"] == "Fælles intro" and phase["kind"] == "info"
    assert phase["started"] is False and phase["paused"] is False
    assert phase["remaining_s"] == 15 * 60 and phase["overrun_s"] == 0
    assert state["turn"] is None

    await web_engine.next_phase()
    await web_engine.start()
    web_engine.test_clock.t += 301
    state = await (await client.get("/api/state")).json()
    assert state["phase"]["title"] == "Interview i 3-mandsgrupper"
    assert "Hvad giver dig mest energi i vores daglige arbejde?" in state["phase"]["questions"]
    assert state["turn"]["index"] == 1 and state["turn"]["count"] == 3
    assert state["turn"]["remaining_s"] == pytest.approx(299)
    assert state["turn"]["label"] == "2 interviewer 3"


async def test_sse_client_receives_a_phase_change(client, web_engine):
    response = await client.get("/api/events")
    assert response.headers["Content-Type"].startswith("text/event-stream")
    first = await asyncio.wait_for(read_sse_states(response, 1), 3)
    assert first[0]["phase"]["title"] == "Fælles intro"
    assert web_engine.phones == 1  # the projector counts the connected phone

    await web_engine.next_phase()
    changed = await asyncio.wait_for(read_sse_states(response, 1), 3)
    assert changed[0]["phase"]["index"] == 1
    assert changed[0]["phase"]["title"] == "Interview i 3-mandsgrupper"
    response.close()
    for _ in range(50):
        if web_engine.phones == 0:
            break
        await asyncio.sleep(0.02)
    assert web_engine.phones == 0


async def test_sse_client_ends_on_the_newest_state(client, web_engine):
    """Three changes in a row: the phone reads them in order (or skips some, when it is
    slow: tests/test_web_fanout.py) and ends on the newest; nothing older comes after."""
    response = await client.get("/api/events")
    await asyncio.wait_for(read_sse_states(response, 1), 3)
    for _ in range(3):
        await web_engine.next_phase()
    seen: list[int] = []
    while not seen or seen[-1] != 3:
        state = (await asyncio.wait_for(read_sse_states(response, 1), 3))[0]
        seen.append(state["phase"]["index"])
    assert seen == sorted(seen) and len(seen) <= 3
    assert state["phase"]["title"] == "Galleri"


async def test_control_needs_the_control_token(client, web_engine):
    assert (await client.post("/api/control/next")).status == 401
    wrong = await client.post("/api/control/next", headers=bearer(web_engine.assistant_token))
    assert wrong.status == 403
    assert "Nøglen" in (await wrong.json())["error"]
    assert web_engine.index == 0

    ok = await client.post("/api/control/next", headers=bearer(web_engine.control_token))
    assert ok.status == 200 and web_engine.index == 1
    via_link = await client.post(f"/api/control/start?token={web_engine.control_token}")
    assert via_link.status == 200 and web_engine.clock.running
    await client.post("/api/control/pause", headers=bearer(web_engine.control_token))
    assert web_engine.clock.paused
    ext = await client.post(
        "/api/control/extend", json={"minutes": 5}, headers=bearer(web_engine.control_token)
    )
    assert ext.status == 200
    assert (await ext.json())["phase"]["remaining_s"] == 30 * 60
    goto = await client.post(
        "/api/control/goto", json={"index": 4}, headers=bearer(web_engine.control_token)
    )
    assert goto.status == 200 and web_engine.index == 4
    bad = await client.post(
        "/api/control/goto", json={"index": 99}, headers=bearer(web_engine.control_token)
    )
    assert bad.status == 409 and web_engine.index == 4
    unknown = await client.post("/api/control/explode", headers=bearer(web_engine.control_token))
    assert unknown.status == 404


async def test_assistant_posts_a_flipover_that_reaches_the_engine(client, web_engine):
    await web_engine.goto(2)  # Grupper på 4: drømme og ønsker
    body = {"group": 2, "heading": "Mere tid til faglig sparring", "proposals": ["Fast møde"]}
    assert (await client.post("/api/flipovers", json=body)).status == 401
    response = await client.post(
        "/api/flipovers", json=body, headers=bearer(web_engine.assistant_token)
    )
    assert response.status == 201
    saved = web_engine.store.flipovers(web_engine.meeting_id)
    assert [(f.group, f.heading, f.proposals, f.kind) for f in saved] == [
        (2, "Mere tid til faglig sparring", ("Fast møde",), "wish")
    ]
    listed = await (await client.get("/api/flipovers")).json()
    assert listed["flipovers"][0]["heading"] == "Mere tid til faglig sparring"
    assert listed["flipovers"][0]["marks"] == 0


async def test_participant_link_can_never_write(client, web_engine):
    body = {"group": 1, "heading": "x", "proposals": []}
    for headers in ({}, bearer("not-the-token"), bearer(web_engine.control_token)):
        response = await client.post("/api/flipovers", json=body, headers=headers)
        assert response.status in (401, 403)
    assert web_engine.store.flipovers(web_engine.meeting_id) == []


async def test_bad_bodies_are_refused_with_a_message(client, web_engine):
    headers = bearer(web_engine.assistant_token)
    cases = [
        (b"\xff\xfe\xfd", 400),
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({"group": "one", "heading": "x"}).encode(), 400),
        (json.dumps({"group": 1, "heading": "   "}).encode(), 422),
        (json.dumps({"group": 1, "heading": "x" * 70_000}).encode(), 413),
    ]
    for raw, status in cases:
        response = await client.post("/api/flipovers", data=raw, headers=headers)
        assert response.status == status, raw[:30]
        assert (await response.json())["error"]
    assert web_engine.store.flipovers(web_engine.meeting_id) == []


async def test_headings_travel_as_data_not_markup(client, web_engine):
    heading = "<script>alert('æøå')</script>"
    await client.post(
        "/api/flipovers",
        json={"group": 1, "heading": heading, "proposals": ["<b>fed</b>"]},
        headers=bearer(web_engine.assistant_token),
    )
    response = await client.get("/api/flipovers")
    assert response.content_type == "application/json"
    data = await response.json()
    assert data["flipovers"][0]["heading"] == heading  # unchanged data; the page uses textContent


async def test_marks_are_hidden_during_a_silent_vote(client, web_engine):
    await web_engine.goto(2)
    await web_engine.add_flipover(1, "Ønske")
    await web_engine.goto(4)  # Udvælgelse af vigtige drømme: reveal = "end"
    await web_engine.start()
    listed = await (await client.get("/api/flipovers")).json()
    assert listed["flipovers"][0]["marks"] is None
    web_engine.test_clock.t += 15 * 60 + 1
    listed = await (await client.get("/api/flipovers")).json()
    assert listed["flipovers"][0]["marks"] == 0


async def test_busy_port_is_reported_not_raised(web_engine, unused_tcp_port):
    first = WebServer(web_engine, host="127.0.0.1", port=unused_tcp_port)
    await first.start()
    assert first.bound == ["127.0.0.1"] and first.error is None
    assert first.participant_url == f"http://127.0.0.1:{unused_tcp_port}/"
    second = WebServer(web_engine, host="127.0.0.1", port=unused_tcp_port)
    await second.start()  # must not raise
    assert second.bound == []
    assert f"Port {unused_tcp_port} er optaget" in second.error
    await second.stop()
    await first.stop()


async def test_no_network_means_no_participant_address(web_engine, unused_tcp_port):
    server = WebServer(web_engine, port=unused_tcp_port, lan_address=None)
    await server.start()
    assert server.no_network and server.participant_url is None
    assert server.bound == ["127.0.0.1"]  # the laptop itself still reaches the page
    await server.stop()


async def test_stop_closes_open_event_streams(web_engine, unused_tcp_port):
    import aiohttp

    server = WebServer(web_engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    async with aiohttp.ClientSession() as session:
        response = await session.get(f"http://127.0.0.1:{unused_tcp_port}/api/events")
        await asyncio.wait_for(read_sse_states(response, 1), 3)
        await asyncio.wait_for(server.stop(), 3)  # quitting must not stall on the stream
        response.close()
