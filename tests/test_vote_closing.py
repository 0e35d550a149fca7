"""Issue 7, item 1: a vote ends, and then nothing moves.

Marks close when the vote ends: with reveal = "end" when the totals are revealed (the time
is up, the mødeleder reveals now, or the room moves on); with reveal = "live" when the time
is up or the room moves on. Then a phone's mark or take-back is refused (409, "Afstemningen
er slut"); hand-counted marks stay allowed. +1/+5 before the end keeps the vote open; after
the end only a deliberate ``reopen_vote()`` opens it again. The closed state is stored.

The engine tests and the web tests (aiohttp's test client) run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from facilitator.agenda import parse_agenda
from facilitator.engine import EngineError, MeetingEngine, VoteRefused, create_meeting
from facilitator.web.server import WebServer
from tests.test_web_galleri import LIVE_AGENDA

PHONE_A = "phone-a-0123456789abcdef"
PHONE_B = "phone-b-0123456789abcdef"
VOTE = 4  # dialogmoede-1: "Udvælgelse af vigtige drømme", 15 minutes, reveal = "end"
VOTE_S = 15 * 60


def wishes(engine: MeetingEngine) -> list[int]:
    return [f.id for f in engine.flipovers() if f.kind == "wish"]


def marks(engine: MeetingEngine) -> dict[int, int]:
    return {f.id: f.marks for f in engine.flipovers() if f.kind == "wish"}


@pytest.fixture
async def vote(engine):
    """Three wishes, the meeting on its silent vote (started), two phones have voted."""
    await engine.goto(2)
    for group, heading in enumerate(["Mere sparring", "Ro til opgaverne", "Fælles kaffe"], 1):
        await engine.add_flipover(group, heading, ["Et forslag"])
    await engine.goto(VOTE)
    await engine.start()
    ids = wishes(engine)
    await engine.vote(PHONE_A, ids[0])
    await engine.vote(PHONE_A, ids[0])
    await engine.vote(PHONE_B, ids[1])
    return ids


@pytest.fixture
async def live_engine(store, fake_clock):
    """A meeting whose vote (phase 1) shows its totals live; three wishes, started."""
    mid = create_meeting(
        store, parse_agenda(LIVE_AGENDA, "prøve"), "prøve", "Live", groups=3, participants=12
    )
    eng = MeetingEngine(store, mid, clock=fake_clock)
    for group in (1, 2, 3):
        await eng.add_flipover(group, f"Ønske {group}", ["Et forslag"])
    await eng.goto(1)
    await eng.start()
    yield eng
    eng.release()


async def time_up(engine: MeetingEngine, fake_clock, seconds: float = VOTE_S) -> None:
    """Let the vote's time run out, and the engine's phase-end timer fire."""
    fake_clock.advance(seconds)
    await engine.check_timers()


async def assert_refused(call, *args) -> None:
    with pytest.raises(VoteRefused) as refused:
        await call(*args)
    assert refused.value.status == 409
    assert "Afstemningen er slut" in str(refused.value)


# ------------------------------------------------------------------ reveal = "end"
async def test_time_up_closes_a_silent_vote_and_refuses_phones(engine, vote, fake_clock):
    assert engine.phase.reveal == "end"
    assert engine.vote_closed() is False and engine.voting is True
    fake_clock.advance(VOTE_S - 1)
    await engine.check_timers()
    assert engine.vote_closed() is False
    before = marks(engine)
    fake_clock.advance(1)
    end = await engine.check_timers()
    assert end is not None and end.event.kind == "phase_end"
    assert end.state["board"]["vote"]["closed"] is True
    assert engine.vote_closed() is True and engine.vote_closed(VOTE) is True
    assert engine.voting is False
    assert engine.marks_visible() is True
    await assert_refused(engine.vote, PHONE_A, vote[2])
    await assert_refused(engine.unvote, PHONE_A, vote[0])  # the trial's 3 → 2
    await assert_refused(engine.vote, PHONE_B, vote[0])
    assert marks(engine) == before
    # the phone still sees its own marks
    assert engine.device_marks(PHONE_A)[0] == {vote[0]: 2}


async def test_hand_marks_stay_allowed_after_the_end(engine, vote, fake_clock):
    await time_up(engine, fake_clock)
    assert engine.vote_closed()
    await engine.hand_mark(vote[2], +1)
    await engine.hand_mark(vote[2], +1)
    await engine.hand_mark(vote[2], -1)
    assert marks(engine) == {vote[0]: 2, vote[1]: 1, vote[2]: 1}


async def test_the_time_up_closes_the_vote_even_before_the_timer_has_fired(
    engine, vote, fake_clock
):
    fake_clock.advance(VOTE_S + 30)  # no check_timers(): a timer late, or the app was down
    assert engine.vote_closed() is True
    await assert_refused(engine.vote, PHONE_A, vote[1])


async def test_reveal_now_closes_the_vote_before_the_time(engine, vote, fake_clock):
    fake_clock.advance(60)
    assert engine.marks_visible() is False
    seen = []
    engine.add_listener(seen.append)
    await engine.reveal_now()
    assert engine.vote_closed() is True and engine.voting is False
    assert engine.marks_visible() is True
    assert seen and seen[-1].state["board"]["vote"]["closed"] is True
    assert seen[-1].state["board"]["vote"]["visible"] is True
    assert engine.clock.running  # the phase goes on: the room looks at the result
    await assert_refused(engine.vote, PHONE_A, vote[1])
    await engine.reveal_now()  # twice is harmless
    assert engine.vote_closed() is True


async def test_reveal_now_outside_a_vote_is_refused_in_danish(engine):
    await engine.goto(3)  # Galleri
    with pytest.raises(EngineError, match="afstemning"):
        await engine.reveal_now()
    with pytest.raises(EngineError, match="afstemning"):
        await engine.reopen_vote()
    assert engine.vote_closed() is False


async def test_extending_before_the_end_keeps_the_vote_open(engine, vote, fake_clock):
    fake_clock.advance(VOTE_S - 30)
    await engine.extend(1)
    await time_up(engine, fake_clock, 60)  # 30 s past the old end, 30 s before the new one
    assert engine.vote_closed() is False
    await engine.vote(PHONE_A, vote[2])
    await time_up(engine, fake_clock, 30)
    assert engine.vote_closed() is True


async def test_extending_after_the_end_does_not_reopen(engine, vote, fake_clock):
    await time_up(engine, fake_clock)
    await engine.extend(5)
    assert engine.clock.remaining(fake_clock()) == 300
    assert engine.vote_closed() is True
    await assert_refused(engine.vote, PHONE_A, vote[1])


async def test_extending_after_the_end_does_not_reopen_even_if_the_timer_was_late(
    engine, vote, fake_clock
):
    fake_clock.advance(VOTE_S + 5)  # the timer has not fired yet
    await engine.extend(1)
    assert engine.vote_closed() is True


async def test_reopen_gives_two_minutes_when_the_time_is_up(engine, vote, fake_clock):
    await time_up(engine, fake_clock, VOTE_S + 200)
    seen = []
    engine.add_listener(seen.append)
    await engine.reopen_vote()
    assert engine.vote_closed() is False and engine.voting is True
    assert engine.clock.remaining(fake_clock()) == 120
    assert seen and seen[-1].state["board"]["vote"]["closed"] is False
    await engine.vote(PHONE_A, vote[2])
    await engine.unvote(PHONE_B, vote[1])
    assert marks(engine) == {vote[0]: 2, vote[1]: 0, vote[2]: 1}
    await time_up(engine, fake_clock, 120)  # and it closes again when the two minutes are up
    assert engine.vote_closed() is True
    with pytest.raises(EngineError):
        await engine.extend(0)  # (a bad extension changes nothing)
    assert engine.vote_closed() is True


async def test_reopen_after_reveal_now_keeps_the_time(engine, vote, fake_clock):
    fake_clock.advance(300)
    await engine.reveal_now()
    await engine.reopen_vote()
    assert engine.vote_closed() is False
    assert engine.clock.remaining(fake_clock()) == VOTE_S - 300
    await engine.vote(PHONE_B, vote[2])


async def test_reopen_of_an_open_vote_is_refused(engine, vote):
    with pytest.raises(EngineError, match="ikke slut"):
        await engine.reopen_vote()


# ------------------------------------------------------------------ reveal = "live"
async def test_a_live_vote_stays_open_until_the_time_is_up(live_engine, fake_clock):
    ids = wishes(live_engine)
    assert live_engine.phase.reveal == "live"
    await live_engine.vote(PHONE_A, ids[0])
    assert live_engine.marks_visible() is True  # totals live, and still open
    fake_clock.advance(4 * 60)
    await live_engine.check_timers()
    assert live_engine.vote_closed() is False
    await live_engine.vote(PHONE_A, ids[1])
    await time_up(live_engine, fake_clock, 60)
    assert live_engine.vote_closed() is True
    assert live_engine.state()["board"]["vote"]["closed"] is True
    await assert_refused(live_engine.vote, PHONE_A, ids[2])
    await assert_refused(live_engine.unvote, PHONE_A, ids[0])


async def test_a_live_vote_closes_when_the_room_moves_on(live_engine, fake_clock):
    ids = wishes(live_engine)
    await live_engine.vote(PHONE_A, ids[0])
    await live_engine.next_phase()
    await live_engine.previous_phase()  # back to show the result
    assert live_engine.vote_closed() is True
    await assert_refused(live_engine.vote, PHONE_A, ids[1])


# ------------------------------------------------------------------ moving on
async def test_leaving_the_vote_for_a_later_phase_closes_it(engine, vote, fake_clock):
    fake_clock.advance(120)
    seen = []
    engine.add_listener(seen.append)
    await engine.next_phase()  # Afrunding
    assert engine.vote_closed(VOTE) is True
    assert engine.voting is False
    await engine.previous_phase()
    assert engine.phase.kind == "vote"
    assert engine.vote_closed() is True and engine.marks_visible() is True
    assert seen[-1].state["board"]["vote"]["closed"] is True
    await assert_refused(engine.vote, PHONE_A, vote[2])
    await engine.reopen_vote()  # the time was not up: no extra time, just open
    assert engine.vote_closed() is False
    await engine.vote(PHONE_A, vote[2])


async def test_stepping_back_to_the_galleri_does_not_close_the_vote(engine, vote, fake_clock):
    fake_clock.advance(60)
    await engine.previous_phase()  # back to read the flip-overs again
    await engine.next_phase()
    assert engine.vote_closed() is False
    await engine.vote(PHONE_A, vote[2])


# ------------------------------------------------------------------ stored
async def test_the_closed_state_survives_a_restart(store, engine, vote, fake_clock):
    fake_clock.advance(60)
    await engine.reveal_now()  # closed with time left: only the stored flag says so
    engine.release()
    again = MeetingEngine(store, engine.meeting_id, clock=fake_clock)
    try:
        assert again.phase.kind == "vote"
        assert again.vote_closed() is True and again.voting is False
        assert again.state()["board"]["vote"]["closed"] is True
        await assert_refused(again.vote, PHONE_A, vote[2])
        await again.reopen_vote()
    finally:
        again.release()
    third = MeetingEngine(store, engine.meeting_id, clock=fake_clock)
    try:
        assert third.vote_closed() is False
        await third.vote(PHONE_A, vote[2])
    finally:
        third.release()


async def test_the_closed_state_is_in_the_store(store, engine, vote, fake_clock):
    await time_up(engine, fake_clock)
    runs = {r.phase_index: r for r in store.phase_runs(engine.meeting_id)}
    assert runs[VOTE].vote_closed is True
    assert not any(r.vote_closed for i, r in runs.items() if i != VOTE)


# ------------------------------------------------------------------ web
async def web_client(engine: MeetingEngine) -> TestClient:
    server = WebServer(engine, lan_address="127.0.0.1")
    client = TestClient(TestServer(server.app), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    return client


async def test_a_phone_mark_after_the_end_gets_409_in_danish(engine, vote, fake_clock):
    client = await web_client(engine)
    try:
        await client.get("/")  # the phone opens the page: the server issues its id
        ok = await client.post("/api/votes", json={"flipover_id": vote[2]})
        assert ok.status == 200
        state = await (await client.get("/api/state")).json()
        assert state["board"]["vote"]["closed"] is False
        before = marks(engine)
        await time_up(engine, fake_clock)
        state = await (await client.get("/api/state")).json()
        assert state["board"]["vote"]["closed"] is True
        assert state["board"]["vote"]["visible"] is True
        for method in (client.post, client.delete):
            refused = await method("/api/votes", json={"flipover_id": vote[2]})
            assert refused.status == 409
            body = await refused.json()
            assert "Afstemningen er slut" in body["error"]
            assert body["mine"] == {str(vote[2]): 1}  # the phone still sees its mark
        assert marks(engine) == before
        listed = await (await client.get("/api/flipovers")).json()
        assert {f["id"]: f["mine"] for f in listed["flipovers"]}[vote[2]] == 1
        assert {f["id"]: f["marks"] for f in listed["flipovers"]} == before
    finally:
        await client.close()


async def test_the_remote_control_reveals_now(engine, vote, fake_clock):
    client = await web_client(engine)
    try:
        token = {"Authorization": f"Bearer {engine.control_token}"}
        assert (await client.post("/api/control/reveal")).status == 401
        answer = await client.post("/api/control/reveal", headers=token)
        assert answer.status == 200
        state = await answer.json()
        assert state["board"]["vote"]["closed"] is True
        assert state["board"]["vote"]["visible"] is True
        assert engine.vote_closed() is True
        await client.get("/")
        refused = await client.post("/api/votes", json={"flipover_id": vote[0]})
        assert refused.status == 409
        # no reopening from the remote: that asks first, on the laptop
        assert (await client.post("/api/control/reopen", headers=token)).status == 404
        await engine.goto(3)
        outside = await client.post("/api/control/reveal", headers=token)
        assert outside.status == 409
        assert "afstemning" in (await outside.json())["error"]
    finally:
        await client.close()


async def test_the_remote_page_has_the_reveal_button(engine, vote):
    client = await web_client(engine)
    try:
        page = await client.get(f"/remote?token={engine.control_token}")
        html = await page.text()
        assert "Vis resultatet" in html and 'id="reveal"' in html
        assert "onclick=" not in html
        participant = await (await client.get("/")).text()
        assert "Afstemningen er slut" in participant
    finally:
        await client.close()
