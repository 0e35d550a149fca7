"""The web's fan-out to the open event streams: one engine listener, each change encoded
once for every phone, the phones' own count kept off the phones, board changes coalesced
to two a second, one keep-alive timer; and the pieces around it (a mark's answer, the
pages' common script, the control table).

Time is the hub's injected scheduler, moved by the test: nothing waits real seconds.
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from facilitator.web.hub import COALESCE_S, KEEPALIVE_S, Channel, EventHub, Stream
from facilitator.web.server import ACTIONS, WebServer
from tests.test_web import read_sse_states
from tests.test_web_galleri import JSON, client_for, make_engine, phone


class Timer:
    def __init__(self, when: float, callback) -> None:  # noqa: ANN001
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """The hub's clock and timers, moved by hand."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t
        self.timers: list[Timer] = []

    def now(self) -> float:
        return self.t

    def call_later(self, delay: float, callback) -> Timer:  # noqa: ANN001
        timer = Timer(self.t + delay, callback)
        self.timers.append(timer)
        return timer

    def pending(self) -> list[Timer]:
        return [t for t in self.timers if not t.cancelled and t.when is not None]

    def advance(self, seconds: float) -> None:
        """Move the clock on, running each timer that falls due at its own instant."""
        end = self.t + seconds
        while True:
            due = [t for t in self.pending() if t.when <= end + 1e-9]
            if not due:
                self.t = end
                return
            timer = min(due, key=lambda t: t.when)
            self.t, timer.when = max(self.t, timer.when), None  # run once
            timer.callback()


@pytest.fixture
async def engine(db_url):
    """Two wishes written, now in a live vote (5 marks a phone, 2 a card)."""
    store, eng = make_engine(db_url, "live")
    await eng.add_flipover(1, "Mere sparring", ["Fast møde"])
    await eng.add_flipover(2, "Ro til opgaverne", ["Stille rum"])
    await eng.goto(1)
    yield eng
    eng.release()
    store.close()


@pytest.fixture
async def client(engine):
    c = await client_for(engine)
    c.server_obj.hub.scheduler = ManualScheduler()  # before any stream opens
    yield c
    await c.close()


def hub_of(client) -> EventHub:  # noqa: ANN001
    return client.server_obj.hub


async def stream(client, headers=None, staff: bool = False):  # noqa: ANN001
    """An open event stream, its first state read."""
    response = await client.get("/api/events" + ("?role=staff" if staff else ""), headers=headers)
    assert response.status == 200
    await asyncio.wait_for(read_sse_states(response, 1), 5)
    return response


async def next_state(response) -> dict:  # noqa: ANN001
    return (await asyncio.wait_for(read_sse_states(response, 1), 5))[0]


def count_encodes(hub: EventHub) -> list[int]:
    calls: list[int] = []
    encode = hub.encode

    def counted(snapshot):  # noqa: ANN001
        calls.append(snapshot.event.version)
        return encode(snapshot)

    hub.encode = counted  # type: ignore[method-assign]
    return calls


# ---------------------------------------------------------------------- one change, once
async def test_fifty_phones_get_a_phase_change_once_and_it_is_encoded_once(client, engine):
    phones = [await stream(client) for _ in range(50)]
    staff = await stream(client, staff=True)
    hub = hub_of(client)
    assert engine.phones == 50 and len(hub.streams) == 51
    # One timer for the whole hub (the keep-alive), none per stream.
    assert len(hub.scheduler.pending()) == 1
    encodes = count_encodes(hub)

    await engine.next_phase()  # the vote ends, the choose phase begins
    states = await asyncio.gather(*(next_state(r) for r in phones))
    assert all(s["phase"]["index"] == 2 for s in states)
    assert len(encodes) == 1  # for 50 phones and a staff page

    await engine.start()  # the next thing each phone reads is this, not the phase change again
    states = await asyncio.gather(*(next_state(r) for r in phones))
    assert all(s["phase"]["index"] == 2 and s["phase"]["started"] for s in states)
    assert len(encodes) == 2
    assert (await next_state(staff))["phase"]["index"] == 2
    for response in [*phones, staff]:
        response.close()


async def test_a_phone_joining_sends_nothing_to_the_other_phones(client, engine):
    first = await stream(client, phone("anna"))
    staff = await stream(client, staff=True)
    encodes = count_encodes(hub_of(client))
    await stream(client, phone("bent"))
    assert engine.phones == 2
    # The projector's side hears of it (the staff pages too)...
    assert (await next_state(staff))["meeting"]["phones"] == 2
    # ... the phones do not: the next thing the first phone reads is the next real change,
    # and it carries the count.
    await engine.next_phase()
    state = await next_state(first)
    assert state["phase"]["index"] == 2 and state["meeting"]["phones"] == 2
    assert len(encodes) == 2  # the count for the staff page, the phase for everyone


# ---------------------------------------------------------------------- board coalescing
async def test_ten_marks_in_a_tenth_of_a_second_reach_a_phone_as_two_updates(client, engine):
    watcher = await stream(client, phone("watcher"))
    hub = hub_of(client)
    clock: ManualScheduler = hub.scheduler
    sent: list[tuple[float, int]] = []  # (fake time, marks cast) of what the phones got
    put = hub.phones.put

    def recorded(payload: bytes) -> None:
        state = json.loads(payload.split(b"data: ", 1)[1])
        sent.append((clock.now(), (state["board"]["vote"] or {}).get("cast")))
        put(payload)

    hub.phones.put = recorded  # type: ignore[method-assign]
    flips = [f.id for f in engine.flipovers()]
    for n in range(10):  # five phones, a mark on each wish each
        who = phone(f"p{n // 2}")
        answer = await client.post(
            "/api/votes", json={"flipover_id": flips[n % 2]}, headers={**who, **JSON}
        )
        assert answer.status == 200
        clock.advance(0.01)
    assert engine.vote_progress()[0] == 10
    assert sent == [(1000.0, 1)]  # the first at once, the rest held back
    assert (await next_state(watcher))["board"]["vote"]["cast"] == 1

    clock.advance(COALESCE_S)  # the held update goes out, with the latest state complete
    assert [cast for _, cast in sent] == [1, 10]
    assert sent[1][0] - sent[0][0] == pytest.approx(COALESCE_S)
    final = await next_state(watcher)
    assert final["board"]["vote"]["cast"] == 10
    assert sum(f.marks for f in engine.flipovers()) == 10

    await engine.next_phase()  # a phase change goes at once; nothing was left in between
    assert (await next_state(watcher))["phase"]["index"] == 2
    assert len(sent) == 3


async def test_a_phase_change_overtakes_a_held_board_update(client, engine):
    watcher = await stream(client, phone("watcher"))
    clock: ManualScheduler = hub_of(client).scheduler
    flip = engine.flipovers()[0].id
    await engine.vote("x" * 45, flip)  # goes at once
    assert (await next_state(watcher))["board"]["vote"]["cast"] == 1
    await engine.vote("y" * 45, flip)  # held back ...
    await engine.next_phase()  # ... and sent with this, which goes at once
    state = await next_state(watcher)
    assert state["phase"]["index"] == 2
    clock.advance(COALESCE_S)  # nothing more was due
    await engine.start()
    assert (await next_state(watcher))["phase"]["started"] is True


async def test_staff_pages_get_every_board_change_at_once(client, engine):
    await stream(client, phone("watcher"))
    staff = await stream(client, staff=True)
    flip = engine.flipovers()[0].id
    for n in range(3):
        await engine.vote(f"{n}" * 45, flip)
        assert (await next_state(staff))["board"]["vote"]["cast"] == n + 1


# ---------------------------------------------------------------------- keep-alive, slow phones
async def test_idle_streams_get_a_keepalive_from_one_hub_timer(client, engine):
    streams = [await stream(client, phone(f"p{n}")) for n in range(3)]
    clock: ManualScheduler = hub_of(client).scheduler
    assert len(clock.pending()) == 1
    clock.advance(KEEPALIVE_S)
    for response in streams:
        line = b"\n"
        while line == b"\n":  # the end of the first state's message
            line = await asyncio.wait_for(response.content.readline(), 5)
        assert line == b": keepalive\n"
    assert len(clock.pending()) == 1  # the same one timer, set again


class StuckResponse:
    """A phone that stopped reading: its writes never finish."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.stuck = asyncio.get_running_loop().create_future()

    async def write(self, data: bytes) -> None:
        self.written.append(data)
        await self.stuck


class Recording:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.arrived = asyncio.Event()

    async def write(self, data: bytes) -> None:
        self.written.append(data)
        self.arrived.set()


async def test_a_stuck_phone_holds_up_no_one_and_gets_the_latest_when_it_reads():
    channel = Channel("phones")
    slow, fast = StuckResponse(), Recording()
    slow_stream, fast_stream = Stream(slow, channel), Stream(fast, channel)  # type: ignore[arg-type]
    tasks = [asyncio.create_task(s.run()) for s in (slow_stream, fast_stream)]
    await asyncio.sleep(0)
    for n in range(1, 4):
        fast.arrived.clear()
        channel.put(b"v%d" % n)
        await asyncio.wait_for(fast.arrived.wait(), 5)
    assert fast.written == [b"v1", b"v2", b"v3"]  # every version, while the other is stuck
    assert slow.written == [b"v1"]
    slow.stuck.set_result(None)  # it reads again: the latest next, nothing in between
    for _ in range(10):
        await asyncio.sleep(0)
    assert slow.written == [b"v1", b"v3"]
    for task in tasks:
        task.cancel()


# ---------------------------------------------------------------------- a mark's answer
async def test_a_mark_is_answered_with_the_phones_own_marks_only(client, engine):
    flip = engine.flipovers()[0].id
    answer = await client.post("/api/votes", json={"flipover_id": flip}, headers=phone("anna"))
    assert answer.status == 200
    assert await answer.json() == {"mine": {str(flip): 1}, "left": 4}
    back = await client.delete("/api/votes", json={"flipover_id": flip}, headers=phone("anna"))
    assert await back.json() == {"mine": {}, "left": 5}


# ---------------------------------------------------------------------- the common script
async def test_the_pages_load_one_common_script_kept_by_its_version(client, engine):
    pages = {
        "/": None,
        "/assist": engine.assistant_token,
        "/remote": engine.control_token,
    }
    links = set()
    for path, token in pages.items():
        html = await (await client.get(path + (f"?token={token}" if token else ""))).text()
        link = re.search(r'<script src="(/static/common\.js\?v=([0-9a-f]+))"></script>', html)
        assert link is not None, path
        links.add(link.group(1))
        assert "function newKey" not in html and "new XMLHttpRequest" not in html, path
        assert "FAC." in html
    assert len(links) == 1  # one file for all three
    link = links.pop()
    script = await client.get(link)
    body = await script.text()
    assert script.status == 200 and script.content_type == "text/javascript"
    assert "function newKey" in body and "EventSource" in body
    assert "immutable" in script.headers["Cache-Control"]
    etag = script.headers["ETag"]
    again = await client.get(link, headers={"If-None-Match": etag})
    assert again.status == 304
    # Under any other link the browser asks again each time (304 while unchanged).
    plain = await client.get("/static/common.js")
    assert plain.status == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert await plain.text() == body
    # Old phones: plain ES5, no modules.
    for modern in ("=>", "let ", "const ", "class ", "`", "import ", "export ", "async "):
        assert modern not in body, modern


# ---------------------------------------------------------------------- the control table
async def test_every_control_action_does_what_its_row_says(client, engine):
    token = {"Authorization": f"Bearer {engine.control_token}"}
    assert set(ACTIONS) == {
        "start",
        "pause",
        "toggle",
        "next",
        "previous",
        "extend",
        "goto",
        "reveal",
    }
    assert (await client.post("/api/control/start", headers=token)).status == 200
    assert engine.clock.running
    assert (await client.post("/api/control/pause", headers=token)).status == 200
    assert engine.clock.paused
    assert (await client.post("/api/control/reveal", headers=token)).status == 200
    assert engine.vote_closed()
    extend = await client.post("/api/control/extend", json={"minutes": 2}, headers=token)
    assert (await extend.json())["phase"]["duration_s"] == 7 * 60
    bad = await client.post("/api/control/extend", json={"minutes": "2"}, headers=token)
    assert bad.status == 400 and (await bad.json())["error"] == "minutes skal være et tal."
    bad = await client.post("/api/control/goto", json={"index": True}, headers=token)
    assert bad.status == 400 and (await bad.json())["error"] == "index skal være et heltal."
    goto = await client.post("/api/control/goto", json={"index": 3}, headers=token)
    assert goto.status == 200 and engine.index == 3
    assert (await client.post("/api/control/previous", headers=token)).status == 200
    assert engine.index == 2
    unknown = await client.post("/api/control/fly", headers=token)
    assert unknown.status == 404 and (await unknown.json())["error"] == "Ukendt handling: fly"


async def test_a_server_that_stops_leaves_no_listener_on_the_engine(engine, unused_tcp_port):
    import aiohttp

    listeners: list = []
    add, remove = engine.add_listener, engine.remove_listener

    def added(callback):  # noqa: ANN001
        listeners.append(callback)
        add(callback)

    def removed(callback):  # noqa: ANN001
        listeners.remove(callback)
        remove(callback)

    engine.add_listener, engine.remove_listener = added, removed
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port)
    await server.start()
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{unused_tcp_port}/api/events"
        responses = [await session.get(url) for _ in range(3)]
        for response in responses:
            await asyncio.wait_for(read_sse_states(response, 1), 5)
        assert len(listeners) == 1  # one for the web, however many phones
        await asyncio.wait_for(server.stop(), 5)
        for response in responses:
            response.close()
    assert listeners == []
    assert not server.hub.streams
