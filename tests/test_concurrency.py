"""Concurrency: a room at once. 50 assistants post flip-overs at the same moment, and 100
phones send 500 marks at the same moment (3 each within the budget, 2 each that must be
refused). Everything acknowledged is stored, nothing more; no phone exceeds its budget;
and the API (`/api/state`, `/api/flipovers`) and the engine's view that the projector
draws (`engine.flipovers()`, `engine.vote_progress()`) agree afterwards.

Each phone and each assistant is its own client: its own loopback address (127.43.x.y,
as the per-address limits expect) and its own cookie jar, with the device id the server
issued (GET / first). Runs on SQLite and on PostgreSQL (conftest.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.text import clean_text
from facilitator.web.server import DEVICE_COOKIE, WebServer
from storage.repo import Store
from tests.conftest import FakeClock, report_tally

ASSISTANTS = 50
PHONES = 100
MARKS = 3  # dialogmoede-1's vote phase
TRIES = 5  # per phone: 3 within the budget, 2 over it
VOTE = 4
DREAMS = 2


def address(n: int) -> str:
    return f"127.43.{n // 250}.{n % 250 + 2}"


def client(n: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(address(n), 0)),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=60),
    )


@pytest.fixture
async def room(db_url, user_agenda_dir):
    store = Store(db_url)
    mid = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Samtidigt på Ærø", groups=4
    )
    clock = FakeClock()
    engine = MeetingEngine(store, mid, clock=clock)
    engine.test_clock = clock  # type: ignore[attr-defined]
    server = WebServer(engine, lan_address="127.0.0.1")
    test_server = TestServer(server.app, host="127.0.0.1")
    await test_server.start_server()
    engine.base = f"http://127.0.0.1:{test_server.port}"  # type: ignore[attr-defined]
    try:
        yield engine
    finally:
        await test_server.close()
        engine.release()
        store.close()


def report(capsys, line: str) -> None:
    report_tally(capsys.request, f"[concurrency] {line}")


async def test_fifty_assistants_post_at_once(room, capsys, db_backend):
    engine = room
    await engine.goto(DREAMS)
    headers = {"Authorization": f"Bearer {engine.assistant_token}"}
    sessions = [client(n) for n in range(ASSISTANTS)]
    headings = [f"Ønske {n} [fra assistent {n}] – mere ro\x1b[31m" for n in range(ASSISTANTS)]

    async def post(n: int) -> tuple[int, dict]:
        body = {"group": n % 4 + 1, "heading": headings[n], "proposals": [f"Forslag {n}", " "]}
        key = {"Idempotency-Key": f"assistant-{n:04d}-post"}
        async with sessions[n].post(
            engine.base + "/api/flipovers", json=body, headers={**headers, **key}
        ) as response:
            return response.status, await response.json()

    try:
        began = time.perf_counter()
        answers = await asyncio.gather(*(post(n) for n in range(ASSISTANTS)))
        took = time.perf_counter() - began
        async with sessions[0].get(engine.base + "/api/flipovers") as response:
            listed = await response.json()
        async with sessions[0].get(engine.base + "/api/state") as response:
            state = await response.json()
    finally:
        for session in sessions:
            await session.close()

    assert Counter(status for status, _ in answers) == {201: ASSISTANTS}
    ids = [answer["id"] for _, answer in answers]
    assert len(set(ids)) == ASSISTANTS
    for n, (_, answer) in enumerate(answers):
        assert answer["heading"] == clean_text(headings[n])
        assert answer["proposals"] == [f"Forslag {n}"]
    # The engine's view (what the projector draws) has each once, as acknowledged.
    stored = {f.id: f for f in engine.flipovers()}
    assert sorted(stored) == sorted(ids)
    assert Counter(f.heading for f in stored.values()) == Counter(clean_text(h) for h in headings)
    # ... and so do the phones' list and the database itself.
    assert sorted(f["id"] for f in listed["flipovers"]) == sorted(ids)
    assert len(engine.store.flipovers(engine.meeting_id)) == ASSISTANTS
    assert state["phase"]["index"] == DREAMS
    assert sum(engine.flipover_counts().values()) == ASSISTANTS
    report(
        capsys,
        f"{db_backend}: {ASSISTANTS} flip-overs posted at once in {took:.2f} s, all stored once",
    )


async def test_five_hundred_marks_from_a_hundred_phones_at_once(room, capsys, db_backend):
    engine = room
    await engine.goto(DREAMS)
    wishes = [(await engine.add_flipover(g % 4 + 1, f"Ønske {g}")).id for g in range(10)]
    await engine.goto(VOTE)
    await engine.start()
    sessions = [client(n) for n in range(PHONES)]
    try:
        # Each phone opens the page first: the server issues its device id.
        pages = await asyncio.gather(*(s.get(engine.base + "/") for s in sessions))
        assert [p.status for p in pages] == [200] * PHONES
        cookies = [next(c.value for c in s.cookie_jar if c.key == DEVICE_COOKIE) for s in sessions]
        assert len(set(cookies)) == PHONES

        async def mark(n: int, k: int) -> int:
            card = wishes[(n * 7 + k * 3) % len(wishes)]
            async with sessions[n].post(
                engine.base + "/api/votes",
                json={"flipover_id": card},
                headers={"Idempotency-Key": f"phone-{n:03d}-mark-{k}"},
            ) as response:
                await response.read()
                return response.status

        began = time.perf_counter()
        statuses = await asyncio.gather(*(mark(n, k) for n in range(PHONES) for k in range(TRIES)))
        took = time.perf_counter() - began

        async def marks_of(session: aiohttp.ClientSession) -> dict:
            async with session.get(engine.base + "/api/votes/mine") as response:
                return await response.json()

        mine = await asyncio.gather(*(marks_of(s) for s in sessions))
        state = await (await sessions[0].get(engine.base + "/api/state")).json()
        hidden = await (await sessions[0].get(engine.base + "/api/flipovers")).json()
        engine.test_clock.advance(15 * 60 + 1)  # the silent vote is over: totals shown
        shown = await (await sessions[0].get(engine.base + "/api/flipovers")).json()
    finally:
        for session in sessions:
            await session.close()

    tally = Counter(statuses)
    assert tally == {200: PHONES * MARKS, 409: PHONES * (TRIES - MARKS)}, tally
    # No phone exceeds its budget, and each has exactly what it was told it got.
    assert [sum(m["mine"].values()) for m in mine] == [MARKS] * PHONES
    assert all(m["left"] == 0 for m in mine)
    # The engine (the projector's "N markeringer fra M telefoner") and the API agree.
    assert engine.vote_progress() == (PHONES * MARKS, PHONES)
    assert (state["board"]["vote"]["cast"], state["board"]["vote"]["voters"]) == (
        PHONES * MARKS,
        PHONES,
    )
    assert all(f["marks"] is None for f in hidden["flipovers"])  # reveal = "end"
    api_marks = {f["id"]: f["marks"] for f in shown["flipovers"]}
    engine_marks = {f.id: f.marks for f in engine.flipovers()}
    assert api_marks == engine_marks
    assert sum(engine_marks.values()) == PHONES * MARKS
    # The database: per device, never over the budget.
    per_device = Counter()
    for cookie in cookies:
        per_device[cookie] = sum(
            engine.store.device_votes(engine.meeting_id, cookie, VOTE).values()
        )
    assert set(per_device.values()) == {MARKS}
    report(
        capsys,
        f"{db_backend}: {PHONES * TRIES} marks from {PHONES} phones at once in {took:.2f} s "
        f"({tally[200]} stored, {tally[409]} refused), API and projector agree",
    )
