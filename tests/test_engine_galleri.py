"""Galleri and prioritering in the engine: marks, hand marks, ranking, themes, brænder for."""

from __future__ import annotations

import pytest

from facilitator.agenda import load_agenda
from facilitator.engine import EngineError, MeetingEngine, VoteRefused, create_meeting

PHONE_A = "phone-a-0123456789abcdef"
PHONE_B = "phone-b-0123456789abcdef"


@pytest.fixture
async def gallery(engine):
    """Four wishes from three groups, and the meeting on the vote phase (started)."""
    await engine.goto(2)
    ids = [
        (await engine.add_flipover(1, "Mere tid til faglig sparring")).id,
        (await engine.add_flipover(2, "Færre afbrydelser")).id,
        (await engine.add_flipover(3, "Fælles frokost om fredagen")).id,
        (await engine.add_flipover(1, "Ros for små ting")).id,
    ]
    await engine.goto(4)
    await engine.start()
    return ids


async def test_a_phone_has_the_agendas_marks_and_may_stack_them(engine, gallery):
    first = gallery[0]
    assert engine.device_marks(PHONE_A) == ({}, 3)
    await engine.vote(PHONE_A, first)
    await engine.vote(PHONE_A, first)
    mine, left = await engine.vote(PHONE_A, gallery[1])
    assert mine == {first: 2, gallery[1]: 1} and left == 0
    with pytest.raises(VoteRefused) as refused:
        await engine.vote(PHONE_A, gallery[2])
    assert refused.value.status == 409 and "alle dine 3" in str(refused.value)
    # another phone has its own budget
    assert (await engine.vote(PHONE_B, gallery[2]))[1] == 2


async def test_taking_a_mark_back_frees_it(engine, gallery):
    for _ in range(3):
        await engine.vote(PHONE_A, gallery[0])
    mine, left = await engine.unvote(PHONE_A, gallery[0])
    assert mine == {gallery[0]: 2} and left == 1
    with pytest.raises(VoteRefused):
        await engine.unvote(PHONE_A, gallery[1])  # nothing of this phone's there
    assert (await engine.vote(PHONE_A, gallery[1]))[1] == 0


async def test_cap_per_card_is_enforced(store, fake_clock, user_agenda_dir):
    text = load_agenda("dialogmoede-1").source.replace("cap_per_card = 3", "cap_per_card = 1")
    (user_agenda_dir / "capped.toml").write_text(text, encoding="utf-8")
    mid = create_meeting(store, load_agenda("capped"), "capped", "Loft", groups=2)
    engine = MeetingEngine(store, mid, clock=fake_clock)
    await engine.goto(2)
    wish = (await engine.add_flipover(1, "Ønske")).id
    await engine.goto(4)
    await engine.vote(PHONE_A, wish)
    with pytest.raises(VoteRefused, match="Højst 1"):
        await engine.vote(PHONE_A, wish)


async def test_phones_cannot_vote_outside_a_vote_phase_or_on_strengths(engine):
    await engine.goto(1)
    strength = (await engine.add_flipover(1, "Vi hjælper hinanden")).id
    with pytest.raises(VoteRefused, match="ikke lige nu"):
        await engine.vote(PHONE_A, strength)
    await engine.goto(4)
    with pytest.raises(VoteRefused, match="kun på ønsker"):
        await engine.vote(PHONE_A, strength)
    with pytest.raises(VoteRefused) as missing:
        await engine.vote(PHONE_A, 9999)
    assert missing.value.status == 404


async def test_marks_are_hidden_until_a_silent_vote_ends(engine, gallery, fake_clock):
    assert engine.phase.reveal == "end"
    await engine.vote(PHONE_A, gallery[0])
    board = engine.state()["board"]
    assert board["vote"]["visible"] is False
    assert board["vote"]["cast"] == 1 and board["vote"]["voters"] == 1
    fake_clock.advance(15 * 60)
    assert engine.marks_visible() is True


async def test_once_revealed_marks_stay_visible_when_the_mødeleder_steps_back(engine, gallery):
    await engine.vote(PHONE_A, gallery[0])
    assert engine.marks_visible() is False
    await engine.next_phase()
    await engine.start()  # afrunding runs: the vote is over
    await engine.previous_phase()  # back to show the result again
    assert engine.phase.kind == "vote"
    assert engine.marks_visible() is True


async def test_hand_marks_add_and_remove_without_touching_phone_marks(engine, gallery):
    await engine.vote(PHONE_A, gallery[1])
    await engine.hand_mark(gallery[1], +1)
    await engine.hand_mark(gallery[1], +1)
    assert engine._find_flipover(gallery[1]).marks == 3
    await engine.hand_mark(gallery[1], -1)
    await engine.hand_mark(gallery[1], -1)
    with pytest.raises(EngineError):
        await engine.hand_mark(gallery[1], -1)  # the phone's mark is not the mødeleder's to remove
    assert engine._find_flipover(gallery[1]).marks == 1


async def test_ranking_shows_ties(engine, gallery):
    await engine.vote(PHONE_A, gallery[2])
    await engine.vote(PHONE_A, gallery[2])
    await engine.vote(PHONE_B, gallery[0])
    await engine.vote(PHONE_B, gallery[1])
    ranking = engine.ranking()
    assert [(i.title, i.marks, i.rank, i.tied) for i in ranking] == [
        ("Fælles frokost om fredagen", 2, 1, False),
        ("Mere tid til faglig sparring", 1, 2, True),
        ("Færre afbrydelser", 1, 2, True),
        ("Ros for små ting", 0, 4, False),
    ]


async def test_a_theme_sums_its_marks_and_can_be_split_again(engine, gallery):
    await engine.vote(PHONE_A, gallery[0])
    await engine.vote(PHONE_A, gallery[3])
    await engine.vote(PHONE_B, gallery[1])
    theme = await engine.create_theme("Anerkendelse og sparring", [gallery[0], gallery[3]])
    top = engine.ranking()[0]
    assert top.key == f"t{theme}" and top.marks == 2 and top.groups == (1,)
    assert {f.id for f in top.flipovers} == {gallery[0], gallery[3]}
    await engine.rename_theme(theme, "Sparring")
    assert engine.ranking()[0].title == "Sparring"
    await engine.split_theme(theme)
    assert all(not item.is_theme for item in engine.ranking())
    assert len(engine.ranking()) == 4
    with pytest.raises(EngineError):
        await engine.create_theme("Alene", [gallery[0]])  # a theme joins at least two
    with pytest.raises(EngineError):
        await engine.create_theme("  ", gallery[:2])


async def test_prioritised_wishes_become_the_choose_options(store, fake_clock, user_agenda_dir):
    mid = create_meeting(store, load_agenda("dialogmoede-2"), "dialogmoede-2", "2. møde", groups=4)
    engine = MeetingEngine(store, mid, clock=fake_clock)
    await engine.goto(2)  # grupper på 4: vælg ét ønske
    wishes = [(await engine.add_flipover(g, f"Ønske fra gruppe {g}")).id for g in (1, 2, 3, 4)]
    await engine.goto(3)  # hvem brænder for hvad
    # with nothing prioritised, the groups' chosen wishes are the options
    assert [o.title for o in engine.choice_options()] == [
        f"Ønske fra gruppe {g}" for g in (1, 2, 3, 4)
    ]
    await engine.toggle_priority(f"f{wishes[2]}")
    await engine.toggle_priority(f"f{wishes[0]}")
    assert [o.key for o in engine.choice_options()] == [f"f{wishes[2]}", f"f{wishes[0]}"]
    assert await engine.toggle_priority(f"f{wishes[2]}") is False
    assert [o.key for o in engine.choice_options()] == [f"f{wishes[0]}"]


async def test_brænder_for_one_choice_per_phone_and_by_hand(store, fake_clock, user_agenda_dir):
    mid = create_meeting(store, load_agenda("dialogmoede-2"), "dialogmoede-2", "2. møde", groups=4)
    engine = MeetingEngine(store, mid, clock=fake_clock)
    await engine.goto(2)
    a, b = [(await engine.add_flipover(g, f"Ønske {g}")).id for g in (1, 2)]
    with pytest.raises(VoteRefused):
        await engine.choose(PHONE_A, f"f{a}")  # not a choose phase yet
    await engine.goto(3)
    await engine.choose(PHONE_A, f"f{a}")
    await engine.choose(PHONE_A, f"f{b}")  # changed its mind: one choice per phone
    await engine.choose(PHONE_B, f"f{b}")
    await engine.hand_choice(f"f{a}", +1)
    assert [(o.title, n) for o, n in engine.choice_counts()] == [("Ønske 1", 1), ("Ønske 2", 2)]
    assert engine.device_choice(PHONE_A) == f"f{b}"
    assert engine.state()["board"]["choose"]["options"][1]["count"] == 2
    with pytest.raises(VoteRefused):
        await engine.choose(PHONE_A, "f9999")
    # the new groups: one per wish, numbered in the options' order
    await engine.goto(4)
    assert engine.current_grouping() == "wishes"
    assert engine.group_count() == 2


async def test_særskilt_spor_leaves_every_open_list(engine, gallery):
    await engine.set_confidential(gallery[1])
    assert gallery[1] not in {f.id for f in engine.flipovers()}
    assert "Færre afbrydelser" not in {i.title for i in engine.ranking()}
    with pytest.raises(VoteRefused):
        await engine.vote(PHONE_A, gallery[1])
    kept = engine.flipovers(include_confidential=True)
    assert any(f.id == gallery[1] and f.confidential for f in kept)


async def test_photo_is_kept_with_the_flipover(engine, gallery):
    jpeg = b"\xff\xd8\xff" + b"0" * 1000
    await engine.set_photo(gallery[0], "image/jpeg", jpeg)
    assert engine.photo(gallery[0]) == ("image/jpeg", jpeg)
    assert engine._find_flipover(gallery[0]).has_photo
    with pytest.raises(EngineError, match="JPEG"):
        await engine.set_photo(gallery[0], "text/html", b"<script>")
    with pytest.raises(EngineError, match="for stort"):
        await engine.set_photo(gallery[0], "image/jpeg", b"0" * (3 * 1024 * 1024))


async def test_board_version_moves_on_every_change_the_phones_must_refetch(engine, gallery):
    before = engine.state()["board"]["version"]
    await engine.vote(PHONE_A, gallery[0])
    after_vote = engine.state()["board"]["version"]
    await engine.pause()
    assert engine.state()["board"]["version"] == after_vote > before  # clock: no refetch
    await engine.hand_mark(gallery[1])
    assert engine.state()["board"]["version"] > after_vote


async def test_everything_survives_a_restart(engine, gallery, store, fake_clock):
    await engine.vote(PHONE_A, gallery[0])
    theme = await engine.create_theme("Tema", gallery[2:])
    await engine.toggle_priority(f"t{theme}")
    again = MeetingEngine(store, engine.meeting_id, clock=fake_clock)
    assert again.device_marks(PHONE_A) == ({gallery[0]: 1}, 2)
    assert [i.key for i in again.prioritised()] == [f"t{theme}"]
