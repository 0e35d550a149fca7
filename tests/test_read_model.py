"""The read model follows the disk: after any run of commands, what the live engine shows
from memory is what a fresh engine loads from the database."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.agenda import load_agenda
from facilitator.engine import EngineError, MeetingEngine, create_meeting

FLIPOVER, VOTE = 2, 4  # phases of the built-in dialogmoede-1


def board(engine: MeetingEngine) -> tuple:
    """Everything the screens and phones are shown of the board."""
    return (
        engine.index,
        [
            (f.id, f.group, f.grouping, f.heading, f.proposals, f.marks, f.theme_id, f.priority)
            for f in engine.flipovers(include_confidential=True)
        ],
        [(f.id, f.confidential) for f in engine.flipovers(include_confidential=True)],
        [(t.id, t.name, t.priority) for t in engine.themes()],
        [(i.key, i.marks, i.rank, i.tied) for i in engine.ranking()],
        engine.vote_progress(),
        {f.id: engine.hand_marks(f.id) for f in engine.flipovers(include_confidential=True)},
        engine.device_marks("telefon-0001"),
        {k: v for k, v in engine.state()["board"].items() if k != "version"},
    )


OPS = st.lists(
    st.tuples(
        st.sampled_from(["vote", "unvote", "hand+", "hand-", "theme", "split", "prio", "hide"]),
        st.integers(min_value=0, max_value=5),
        st.integers(min_value=1, max_value=4),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=10)
@given(ops=OPS)
def test_memory_is_what_the_database_holds(store, fake_clock, user_agenda_dir, ops):
    asyncio.run(_run(store, fake_clock, ops))


async def _run(store, fake_clock, ops) -> None:
    meeting = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Model")
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    try:
        await engine.goto(FLIPOVER)
        ids = [
            (await engine.add_flipover(g % 3 + 1, f"Ønske {g}", ["forslag"])).id for g in range(6)
        ]
        await engine.goto(VOTE)
        themes: list[int] = []
        for op, n, phone in ops:
            fid = ids[n]
            device = f"telefon-{phone:04d}"
            try:
                if op == "vote":
                    await engine.vote(device, fid)
                elif op == "unvote":
                    await engine.unvote(device, fid)
                elif op == "hand+":
                    await engine.hand_mark(fid, +1)
                elif op == "hand-":
                    await engine.hand_mark(fid, -1)
                elif op == "theme":
                    themes.append(await engine.create_theme("Tema", [fid, ids[(n + 1) % 6]]))
                elif op == "split" and themes:
                    await engine.split_theme(themes.pop())
                elif op == "prio":
                    items = engine.ranking()
                    if items:
                        await engine.toggle_priority(items[n % len(items)].key)
                elif op == "hide":
                    await engine.set_confidential(fid, phone % 2 == 0)
            except EngineError:
                pass  # refused (budget spent, nothing to take back, …): nothing changed
        fresh = MeetingEngine(store, meeting, clock=fake_clock)
        assert board(fresh) == board(engine)
        fresh.release()
    finally:
        engine.release()


@pytest.fixture
def voting(store, fake_clock, user_agenda_dir):
    meeting = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Model")
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    yield engine
    engine.release()


async def test_a_phones_marks_in_flight_at_once_keep_to_its_budget(voting):
    await voting.goto(FLIPOVER)
    wish = await voting.add_flipover(1, "Mere ro")
    other = await voting.add_flipover(2, "Mere sparring")
    await voting.goto(VOTE)
    marks = voting.phase.marks
    results = await asyncio.gather(
        *[voting.vote("telefon-0007", (wish, other)[i % 2].id) for i in range(marks + 4)],
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 4
    assert voting.device_marks("telefon-0007")[1] == 0
    assert sum(f.marks for f in voting.flipovers()) == marks
