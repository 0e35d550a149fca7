"""A 2nd meeting's flip-overs record the wish they work on and their proposals' levels:
in "vælg ét ønske" a wish from the bruttoliste may be the heading, in "gruppearbejde om
handling" each group's flip-over belongs to the wish the group chose, and each proposal
to a level (personalegruppen, lederen, samarbejdspartnere). Stored, and read back by a
restarted engine and by the exports' reader. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from facilitator.course.model import ProposalLine
from facilitator.engine import EngineError, MeetingEngine
from tests.test_bruttoliste_phase import course, first_meeting, forloeb_of, second_meeting

__all__ = ["course"]  # the fixture


PICK, CHOOSE, ACTION = 2, 3, 4  # dialogmoede-2: vælg ét ønske, brænder for, handling


@pytest.fixture
async def meetings(store, fake_clock, course):
    first = await first_meeting(store, fake_clock)
    second = await second_meeting(store, fake_clock, forloeb_of(store, first.meeting_id))
    yield first, second
    second.writer.close()


def wish_id(engine: MeetingEngine, heading: str) -> int:
    return next(w.id for w in engine.bruttoliste().wishes if w.heading == heading)


async def test_the_phases_say_what_their_flipovers_do_with_a_wish(meetings):
    _first, engine = meetings
    assert [engine.wish_mode(i) for i in range(engine.phase_count)] == [
        None, None, "pick", None, "action", None, None,
    ]  # fmt: skip


async def test_a_bruttoliste_wish_becomes_the_heading_in_vaelg_et_oenske(meetings):
    _first, engine = meetings
    await engine.goto(PICK)
    wish = wish_id(engine, "Ros for små ting")
    flip = await engine.add_flipover(1, "", ["Ugens ros på tavlen"], wish_id=wish)
    assert flip.heading == "Ros for små ting" and flip.wish_id == wish
    # a heading of their own wins, the wish is still recorded
    own = await engine.add_flipover(2, "Ros – også fra lederen", [], wish_id=wish)
    assert own.heading == "Ros – også fra lederen" and own.wish_id == wish
    # no wish: as before
    plain = await engine.add_flipover(3, "Noget helt nyt")
    assert plain.wish_id is None


async def test_a_wish_from_elsewhere_is_refused_in_danish(meetings, store, fake_clock):
    first, engine = meetings
    await engine.goto(PICK)
    with pytest.raises(EngineError, match="hverken på bruttolisten"):
        await engine.add_flipover(1, "", [], wish_id=999_999)
    # a flip-over of another forløb's meeting is no wish here either
    other = await first_meeting(store, fake_clock, wishes=[(1, "Andet sted", [], 1)])
    stranger = other.flipovers()[0].id
    with pytest.raises(EngineError):
        await engine.add_flipover(1, "", [], wish_id=stranger)
    with pytest.raises(EngineError):
        await engine.add_flipover(1, "Overskrift", [], wish_id="3")  # type: ignore[arg-type]
    assert engine.flipovers() == []


async def test_action_groups_record_their_chosen_wish_and_levels(meetings, store, fake_clock):
    _first, engine = meetings
    await engine.goto(PICK)
    stable = await engine.add_flipover(1, "Stabil bemanding", ["Faste vikarer"])
    praise = await engine.add_flipover(
        2, "", ["Ugens ros"], wish_id=wish_id(engine, "Ros for små ting")
    )
    await engine.goto(CHOOSE)
    await engine.hand_choice(f"f{praise.id}")
    await engine.hand_choice(f"f{stable.id}")
    await engine.goto(ACTION)
    chosen = engine.chosen_wishes()  # group 1, 2: in the options' order (as group_labels)
    assert chosen == [(stable.id, "Stabil bemanding"), (praise.id, "Ros for små ting")]
    assert engine.group_labels() == ["Stabil bemanding", "Ros for små ting"]
    group_1_wish, group_1_title = chosen[0]

    flip = await engine.add_flipover(
        1,
        "Sådan gør vi",
        [
            ("Vi roser hinanden på mødet", "personalegruppe"),
            ProposalLine("Lederen giver tid til det", "leder"),
            "Uden niveau",
            ("Vi spørger borgerne", "samarbejdspartnere"),
        ],
    )
    assert flip.wish_id == group_1_wish  # the group's chosen wish, by default
    assert flip.proposals == (
        "Vi roser hinanden på mødet",
        "Lederen giver tid til det",
        "Uden niveau",
        "Vi spørger borgerne",
    )
    assert flip.levels == ("personalegruppe", "leder", "", "samarbejdspartnere")
    second = await engine.add_flipover(2, "", [("Faste vikarer", "leder")])
    assert second.wish_id == chosen[1][0] and second.heading == chosen[1][1]
    # an explicit chosen wish wins over the group's
    crossed = await engine.add_flipover(1, "Også", [], wish_id=chosen[1][0])
    assert crossed.wish_id == chosen[1][0]
    with pytest.raises(EngineError, match="niveau"):
        await engine.add_flipover(1, "Forkert", [("Noget", "direktionen")])
    assert group_1_title

    # an edit keeps the wish and takes new levels
    edited = await engine.edit_flipover(
        flip.id, 1, "Sådan gør vi", [("Vi roser hinanden", "leder"), "Nyt forslag"]
    )
    assert edited.wish_id == group_1_wish and edited.levels == ("leder", "")

    # a restarted engine reads it all back, and so does the exports' reader
    engine.writer.close()
    again = MeetingEngine(store, engine.meeting_id, clock=fake_clock)
    row = again.model.flipover(flip.id)
    assert row.wish_id == group_1_wish and row.levels == ("leder", "")
    assert row.lines == (("Vi roser hinanden", "leder"), ("Nyt forslag", ""))
    assert again.model.flipover(second.id).levels == ("leder",)
    assert again.model.flipover(praise.id).wish_id == wish_id(engine, "Ros for små ting")
    stored = {f.id: f for f in store.flipovers(engine.meeting_id)}
    assert stored[flip.id].wish_id == group_1_wish
    assert stored[flip.id].levels == ("leder", "")
    assert stored[stable.id].wish_id is None and stored[stable.id].levels == ()
    again.writer.close()


async def test_a_flipover_without_levels_reads_as_before(meetings):
    _first, engine = meetings
    await engine.goto(PICK)
    flip = await engine.add_flipover(1, "Overskrift", ["a", "b"])
    assert flip.levels == () and flip.lines == (("a", ""), ("b", ""))


async def test_the_action_groups_flipovers_are_no_wishes_to_rank_or_prioritise(meetings):
    """What the action groups write hangs under its wish: the prioritering and the
    choices list the wishes the groups chose, never the action results."""
    _first, engine = meetings
    await engine.goto(PICK)
    stable = await engine.add_flipover(1, "Stabil bemanding", ["Faste vikarer"])
    await engine.goto(CHOOSE)
    await engine.hand_choice(f"f{stable.id}")
    await engine.goto(ACTION)
    await engine.add_flipover(1, "Konkrete skridt", [("Vikarpulje", "leder")])
    assert [item.title for item in engine.ranking()] == ["Stabil bemanding"]
    assert [item.title for item, _n in engine.choice_counts()] == ["Stabil bemanding"]
