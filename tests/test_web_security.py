"""Issue 6, items 3–7: a phone is who the server says it is, no 500s, requests from
elsewhere are refused, no token in a log line, and a retry never doubles."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.security import DeviceIds, script_hashes, script_sources
from facilitator.web.server import DEVICE_COOKIE, WebServer, _page
from facilitator.web.settings import WebSettings
from storage.repo import Store

JSON = {"Content-Type": "application/json"}


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def _engine(url: str) -> MeetingEngine:
    store = Store(url)
    meetings = store.list_meetings()
    if meetings:
        mid = meetings[-1].id
    else:
        mid = create_meeting(
            store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Møde på Ærø", groups=3
        )
    engine = MeetingEngine(store, mid, clock=Clock())
    return engine


@pytest.fixture
def db(db_url):
    """SQLite and the real PostgreSQL server (see conftest)."""
    return db_url


@pytest.fixture
async def engine(db):
    """A 1. dialogmøde in its vote phase with three wishes."""
    eng = _engine(db)
    await eng.goto(2)
    for group, heading in enumerate(["Mere sparring", "Ro til opgaverne", "Fælles kaffe"], 1):
        await eng.add_flipover(group, heading, ["Et forslag"])
    await eng.goto(4)
    yield eng
    eng.release()
    eng.store.close()


async def _client(engine, settings: WebSettings | None = None) -> TestClient:
    server = WebServer(engine, lan_address="127.0.0.1", settings=settings)
    client = TestClient(TestServer(server.app), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    client.server_obj = server  # type: ignore[attr-defined]
    return client


@pytest.fixture
async def client(engine):
    c = await _client(engine)
    yield c
    await c.close()


def wishes(engine) -> list[int]:
    return [f.id for f in engine.flipovers() if f.kind == "wish"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------ 3. signed device ids
async def test_an_invented_device_id_is_never_counted(client, engine):
    card = wishes(engine)[0]
    for invented in ("a" * 22, "x" * 45, "A" * 22 + "." + "B" * 22):
        client.session.cookie_jar.clear()
        response = await client.post(
            "/api/votes",
            json={"flipover_id": card},
            headers={"Cookie": f"{DEVICE_COOKIE}={invented}"},
        )
        assert response.status == 400
        assert (await response.json())["code"] == "no_device"
        # ... and the answer hands the phone a real one.
        fresh = response.cookies[DEVICE_COOKIE].value
        assert client.server_obj.devices.verify(fresh) == fresh
    assert sum(f.marks for f in engine.flipovers()) == 0


async def test_a_phone_with_an_issued_id_votes(client, engine):
    card = wishes(engine)[0]
    page = await client.get("/")  # the phone opens the page: the server issues its id
    assert DEVICE_COOKIE in page.cookies
    response = await client.post("/api/votes", json={"flipover_id": card})
    assert response.status == 200
    assert (await response.json())["left"] == 2
    assert engine.vote_progress() == (1, 1)


async def test_an_id_from_another_meeting_is_not_this_meetings_device(client, engine):
    other = DeviceIds("another meeting's secret").issue()
    response = await client.post(
        "/api/votes",
        json={"flipover_id": wishes(engine)[0]},
        headers={"Cookie": f"{DEVICE_COOKIE}={other}"},
    )
    assert response.status == 400 and (await response.json())["code"] == "no_device"


async def test_new_device_ids_per_address_are_rate_limited(engine):
    client = await _client(engine, WebSettings(new_devices_per_minute=3))
    try:
        issued = []
        for _ in range(5):
            client.session.cookie_jar.clear()
            response = await client.get("/")
            assert response.status == 200  # the page itself always loads
            issued.append(DEVICE_COOKIE in response.cookies)
        assert issued == [True, True, True, False, False]
        client.session.cookie_jar.clear()
        refused = await client.post("/api/votes", json={"flipover_id": wishes(engine)[0]})
        assert refused.status == 429
        assert "telefoner" in (await refused.json())["error"]
        assert engine.vote_progress() == (0, 0)
    finally:
        await client.close()


async def test_a_script_inventing_phones_spends_no_more_than_the_limit(engine):
    """1,000 invented cookies spend nothing; fresh ids stop at the per-address limit."""
    client = await _client(engine, WebSettings(new_devices_per_minute=5))
    card = wishes(engine)[0]
    try:
        for n in range(60):
            client.session.cookie_jar.clear()
            await client.post(
                "/api/votes",
                json={"flipover_id": card},
                headers={"Cookie": f"{DEVICE_COOKIE}={n:022d}.{n:022d}"},
            )
        # Each refused invention may have handed out a real id (5 at most): used once each.
        assert engine.vote_progress()[0] == 0
    finally:
        await client.close()


# ------------------------------------------------------------------ 4. no 500s
async def _raw(client: TestClient, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    return data


async def test_a_non_utf8_authorization_header_gets_403_not_500(client):
    head = (
        b"GET /api/groups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer \xff\xfe\xc3\x28\r\nConnection: close\r\n\r\n"
    )
    answer = await _raw(client, head)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:200]


async def test_a_lone_surrogate_gets_400(client, engine):
    body = '{"group": 1, "heading": "Mindre st\\ud800j", "proposals": []}'
    response = await client.post(
        "/api/flipovers", data=body, headers={**bearer(engine.assistant_token), **JSON}
    )
    assert response.status == 400
    assert (await response.json())["error"]
    assert all("\ud800" not in f.heading for f in engine.flipovers())


async def test_deep_json_and_huge_numbers_get_4xx(client, engine):
    await client.get("/")
    deep = "[" * 2000 + "]" * 2000
    digits = "9" * 5000
    bodies = [
        deep,
        '{"flipover_id": ' + deep + "}",
        '{"flipover_id": ' + digits + "}",
        '{"flipover_id": ' + "9" * 4000 + "}",
        '{"flipover_id": -1e999}',
    ]
    for body in bodies:
        response = await client.post("/api/votes", data=body, headers=JSON)
        assert 400 <= response.status < 500, body[:40]
        assert (await response.json())["error"]
    token = bearer(engine.assistant_token)
    for path in (f"/api/flipovers/{digits}", f"/api/flipovers/{'9' * 30}"):
        response = await client.put(path, json={"group": 1, "heading": "x"}, headers=token)
        assert 400 <= response.status < 500
    response = await client.post(
        "/api/flipovers", json={"group": int(digits[:4000]), "heading": "x"}, headers=token
    )
    assert 400 <= response.status < 500


async def test_a_nul_never_reaches_the_database(client, engine):
    response = await client.post(
        "/api/flipovers",
        json={"group": 1, "heading": "Mere\u0000 ro", "proposals": ["a\u0000b"]},
        headers=bearer(engine.assistant_token),
    )
    assert response.status == 201
    body = await response.json()
    assert body["heading"] == "Mere ro" and body["proposals"] == ["ab"]


# ------------------------------------------------------------------ 5. requests from elsewhere
async def test_a_mark_must_be_json(client, engine):
    await client.get("/")
    form = await client.post(
        "/api/votes",
        data=f"flipover_id={wishes(engine)[0]}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status == 415
    plain = await client.post(
        "/api/votes",
        data=json.dumps({"flipover_id": wishes(engine)[0]}),
        headers={"Content-Type": "text/plain"},
    )
    assert plain.status == 415
    assert engine.vote_progress() == (0, 0)


async def test_a_page_on_another_origin_cannot_spend_marks(client, engine):
    await client.get("/")
    card = wishes(engine)[0]
    host = f"{client.server.host}:{client.server.port}"
    for origin in (f"http://{client.server.host}:9999", "http://evil.example", "null"):
        refused = await client.post(
            "/api/votes", json={"flipover_id": card}, headers={"Origin": origin}
        )
        assert refused.status == 403, origin
    same = await client.post(
        "/api/votes", json={"flipover_id": card}, headers={"Origin": f"http://{host}"}
    )
    assert same.status == 200
    assert engine.vote_progress() == (1, 1)


async def test_a_host_the_server_does_not_serve_is_refused(client):
    for host in ("evil.example", "evil.example:8765", "attacker.test."):
        response = await client.get("/api/state", headers={"Host": host})
        assert response.status == 421, host
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765"):
        assert (await client.get("/api/state", headers={"Host": host})).status == 200


async def test_scripts_run_only_by_their_hash(client, engine):
    """Inline scripts run by their hashes, and the one script file is this server's own
    common script ('self'); nothing else runs."""
    for path in (
        "/",
        f"/assist?token={engine.assistant_token}",
        f"/remote?token={engine.control_token}",
    ):
        response = await client.get(path)
        page = await response.read()
        csp = response.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "unsafe-inline" not in script_src
        assert script_src == f"'self' {script_hashes(page)}"
        assert "sha256-" in script_src
        assert script_sources(page) == script_src
        tags = re.findall(rb"<script[^>]*>", page)
        assert len(tags) == 2 and tags[1] == b"<script>", tags
        link = re.fullmatch(rb'<script src="(/static/common\.js\?v=[0-9a-f]+)">', tags[0])
        assert link is not None, tags[0]
        common = await client.get(link.group(1).decode())
        assert common.status == 200 and common.content_type == "text/javascript"
        assert common.headers["X-Content-Type-Options"] == "nosniff"
    assert "unsafe-inline" not in script_sources(_page("assist.html"))


# ------------------------------------------------------------------ 6. no token in a log line
async def test_no_token_in_any_log_line(client, engine, caplog):
    token = engine.assistant_token
    caplog.set_level(logging.DEBUG)
    requests = [
        f"GET /assist?token={token} HTTP/1.1\x00\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        f"GET /assist?token={token}\r\n\r\n".encode(),
        f"G\x01T /assist?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        f"GET /api/groups HTTP/1.1\r\nAuthorization: Bearer {token}\r\nHost: \x00\r\n\r\n".encode(),
        f"GET /api/groups HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x{token}\r\n\r\n".encode(),
    ]
    for raw in requests:
        try:
            await _raw(client, raw)
        except (ConnectionError, TimeoutError):
            pass
    await asyncio.sleep(0.05)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records) + caplog.text
    assert token not in logged


# ------------------------------------------------------------------ 7. a retry never doubles
async def test_a_retried_flipover_is_stored_once(client, engine):
    headers = {**bearer(engine.assistant_token), "Idempotency-Key": "k-flip-0001"}
    body = {"group": 2, "heading": "Faste møder", "proposals": ["Hver mandag"]}
    first = await client.post("/api/flipovers", json=body, headers=headers)
    again = await client.post("/api/flipovers", json=body, headers=headers)
    assert first.status == again.status == 201
    assert (await first.json())["id"] == (await again.json())["id"]
    assert [f.heading for f in engine.flipovers()].count("Faste møder") == 1


async def test_a_retried_mark_counts_once(client, engine):
    await client.get("/")
    card = wishes(engine)[0]
    headers = {"Idempotency-Key": "k-mark-0001"}
    answers = [
        await client.post("/api/votes", json={"flipover_id": card}, headers=headers)
        for _ in range(3)
    ]
    assert [a.status for a in answers] == [200, 200, 200]
    assert [(await a.json())["left"] for a in answers] == [2, 2, 2]
    assert engine.vote_progress() == (1, 1)


async def test_a_key_survives_a_restart(db, engine):
    """The key is stored with the write: after the server dies and comes back, the retry
    gets the first answer and nothing is stored twice."""
    headers = {**bearer(engine.assistant_token), "Idempotency-Key": "k-restart-01"}
    body = {"group": 1, "heading": "Tid til sparring"}
    client = await _client(engine)
    try:
        first = await (await client.post("/api/flipovers", json=body, headers=headers)).json()
    finally:
        await client.close()
    engine.release()
    again_engine = _engine(db)
    client = await _client(again_engine)
    try:
        retry = await client.post("/api/flipovers", json=body, headers=headers)
        assert retry.status == 201
        assert (await retry.json())["id"] == first["id"]
        headings = [f.heading for f in again_engine.flipovers()]
        assert headings.count("Tid til sparring") == 1
    finally:
        await client.close()
        again_engine.release()
        again_engine.store.close()


async def test_bad_or_reused_keys_are_refused(client, engine):
    await client.get("/")
    card = wishes(engine)[0]
    bad = await client.post(
        "/api/votes", json={"flipover_id": card}, headers={"Idempotency-Key": "short"}
    )
    assert bad.status == 400
    key = {"Idempotency-Key": "k-reused-0001"}
    assert (await client.post("/api/votes", json={"flipover_id": card}, headers=key)).status == 200
    other = await client.post(
        "/api/flipovers",
        json={"group": 1, "heading": "Andet"},
        headers={**key, **bearer(engine.assistant_token)},
    )
    assert other.status == 422
    assert "Andet" not in [f.heading for f in engine.flipovers()]


async def test_a_running_server_refuses_a_foreign_host_too(engine, unused_tcp_port):
    """The served names are fixed when the server starts (no address lookup per request)."""
    import aiohttp

    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port, lan_address="127.0.0.1")
    await server.start()
    try:
        url = f"http://127.0.0.1:{unused_tcp_port}/api/state"
        async with aiohttp.ClientSession() as session:
            async with session.get(url, headers={"Host": "evil.example"}) as refused:
                assert refused.status == 421
            async with session.get(url) as served:
                assert served.status == 200
    finally:
        await server.stop()
