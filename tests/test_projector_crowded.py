"""A crowded room on the projector and in the galleri (issue 7, items 3 and 4, and the vote's
end from the keyboard, item 1).

Nothing on the wall is cut without saying so: nine questions, nine or more wishes, ten
groups either show in full or say "+N mere" / "side 1 af N". The galleri shows no big "0"
before anyone has voted, and a hand count is typed as a number.

The screen's text is read from what Textual actually draws (the compositor's lines), so a
line below the fold or under a scrollbar does not count as shown.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting
from screens.components import Card
from screens.components.board import PAGE_SECONDS
from screens.galleri import GalleriScreen
from screens.projector import ProjectorScreen
from tests.screen import on_top, settled, until
from tests.test_screens import Notes, record_notes

BIG = (160, 45)
SMALL = (80, 24)
SIZES = [BIG, SMALL]

ACTION_PHASE = 4  # dialogmoede-2: "Gruppearbejde om handling", nine questions
VOTE_PHASE = 4  # dialogmoede-1: "Udvælgelse af vigtige drømme"
GALLERY_PHASE = 3

WISHES = [
    "Mere tid til faglig sparring med kollegerne",
    "Ro til kerneopgaven uden afbrydelser",
    "Bedre overlevering mellem vagterne",
    "Anerkendelse i hverdagen fra ledelsen",
    "Klar fordeling af opgaver på tavlen",
    "Mere faglig udvikling og kurser",
    "Et godt fysisk rum at mødes i",
    "Tid til at lære hinanden at kende",
    "Stabil bemanding i weekenderne",
    "Færre dobbeltregistreringer i systemet",
]


def shown_wishes(text: str, count: int = 9) -> list[str]:
    """The wishes whose heading starts on the screen (a card wraps the rest of it)."""
    return [w for w in WISHES[:count] if w[:15].rstrip() in text]


def screen_text(app: FacilitatorApp) -> str:
    """Every line Textual draws for the current screen, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def flat(text: str) -> str:
    """The text with its line breaks and runs of spaces folded, to find a wrapped phrase."""
    return re.sub(r"\s+", " ", text)


def _has(text: str, expected: str) -> str:
    """`text`, once `expected` is in it; for `settled`."""
    assert expected in text, f"{expected!r} is not drawn:\n{text}"
    return text


def more_count(text: str) -> int:
    """N of a visible "+N mere", or 0."""
    found = re.findall(r"\+(\d+) mere", text)
    return sum(int(n) for n in found)


def make_app(engine: MeetingEngine) -> tuple[FacilitatorApp, Notes]:
    app = FacilitatorApp(engine.store, engine=engine, web=False, lan_address="192.168.1.20")
    return app, record_notes(app)


@pytest.fixture
async def action_engine(store, fake_clock, user_agenda_dir):
    meeting = create_meeting(
        store, load_agenda("dialogmoede-2"), "dialogmoede-2", "2. dialogmøde", groups=4
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    await engine.goto(ACTION_PHASE)
    await engine.start()
    yield engine
    engine.release()


async def wishes_engine(store, clock, count: int, groups: int = 5) -> MeetingEngine:
    meeting = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "1. dialogmøde", groups=groups
    )
    engine = MeetingEngine(store, meeting, clock=clock)
    await engine.goto(2)
    engine.ids = [  # type: ignore[attr-defined]
        (await engine.add_flipover(i % groups + 1, WISHES[i % len(WISHES)], ["Et forslag"])).id
        for i in range(count)
    ]
    return engine


@pytest.fixture
async def vote_engine(store, fake_clock, user_agenda_dir):
    engine = await wishes_engine(store, fake_clock, 9)
    await engine.goto(VOTE_PHASE)
    await engine.start()
    yield engine
    engine.release()


@pytest.fixture
async def gallery_engine(store, fake_clock, user_agenda_dir):
    engine = await wishes_engine(store, fake_clock, 8, groups=4)
    await engine.goto(GALLERY_PHASE)
    yield engine
    engine.release()


# ---------------------------------------------------------------------- the projector
@pytest.mark.parametrize("size", SIZES)
async def test_every_question_is_drawn_or_counted(action_engine, size):
    questions = action_engine.phase.questions
    assert len(questions) == 9
    app, _ = make_app(action_engine)
    async with app.run_test(size=size) as pilot:
        await on_top(pilot, ProjectorScreen)

        def every_question_counted() -> None:
            text = flat(screen_text(app))
            missing = [q for q in questions if q not in text]
            if size == BIG:
                assert missing == [], "at 160×45 every question shows"
            assert len(missing) == more_count(text), text
            # The phase title and the countdown never go.
            assert "Gruppearbejde om handling" in text
            assert app.screen.query_one("#digits").region.height >= 3

        await settled(pilot, every_question_counted)


@pytest.mark.parametrize("size", SIZES)
async def test_every_wish_in_a_vote_is_drawn_or_paged(vote_engine, fake_clock, size):
    app, _ = make_app(vote_engine)
    async with app.run_test(size=size) as pilot:

        def cards_drawn() -> str:
            text = flat(screen_text(app))
            assert shown_wishes(text), text
            assert "kort 1" in text or size == BIG, text
            return text

        text = await settled(pilot, cards_drawn)
        shown = shown_wishes(text)
        if size == BIG:
            assert len(shown) == 9, "at 160×45 all nine cards show"
            assert "side 1 af" not in text
            return
        hidden = 9 - len(shown)
        assert hidden > 0  # 80×24 has no room for nine cards
        pages = re.search(r"side 1 af (\d+)", text)
        assert pages, text
        cards = re.search(r"kort 1(?:–(\d+))? af 9", text)
        assert cards, text
        assert int(cards.group(1) or 1) == len(shown) == 9 - hidden
        # The pages turn by themselves on the engine's clock; every wish comes round.
        seen = set(shown)
        for _ in range(int(pages.group(1))):
            page = shown_wishes(flat(screen_text(app)))
            fake_clock.advance(PAGE_SECONDS)
            await until(
                pilot,
                lambda page=page: shown_wishes(flat(screen_text(app))) != page,
                "the page turned",
            )
            seen |= set(shown_wishes(flat(screen_text(app))))
        assert seen == set(WISHES[:9])


@pytest.mark.parametrize("size", SIZES)
async def test_ten_groups_in_the_flipover_line(store, fake_clock, user_agenda_dir, size):
    engine = await wishes_engine(store, fake_clock, 10, groups=10)
    app, _ = make_app(engine)
    async with app.run_test(size=size) as pilot:

        def flipover_line() -> str:
            text = screen_text(app)
            assert "Flip-overs (10)" in text, text
            return text

        text = await settled(pilot, flipover_line)
        section = text[text.index("Flip-overs (10)") :].splitlines()[:3]
        # Each group's number stands with its count on one drawn line ("9:" at a line's
        # end with its "1" on the next was the fault), or a "+N mere" counts it.
        drawn = [
            n for n in range(1, 11) if any(re.search(rf"(?<!\d){n}: 1\b", ln) for ln in section)
        ]
        if size == BIG:
            assert drawn == list(range(1, 11)), section
        else:
            assert len(drawn) + more_count(flat(" ".join(section))) == 10, section
    engine.release()


async def test_the_vote_board_shows_no_zero_before_marks_on_a_galleri_phase(gallery_engine):
    app, _ = make_app(gallery_engine)
    async with app.run_test(size=BIG) as pilot:
        text = await settled(pilot, lambda: _has(screen_text(app), WISHES[0][:15]))
        await pilot.pause(0.3)  # and stays so: nothing is drawn later
        text = screen_text(app)
        assert "markering" not in text
        await gallery_engine.hand_mark(gallery_engine.ids[0])
        await settled(pilot, lambda: _has(screen_text(app), "1 markering"))


# ---------------------------------------------------------------------- the galleri
def card_marks(screen: GalleriScreen) -> list[tuple[str, str]]:
    """(big number, marks line) of every shown card."""
    out = []
    for card in screen.query(Card):
        if not card.display:
            continue
        big = card.query_one(".card-big")
        out.append((big.value if big.display else "", str(card.query_one(".card-marks").content)))
    return out


async def test_galleri_cards_before_the_vote_show_no_zero(gallery_engine):
    app, _ = make_app(gallery_engine)
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("g")
        screen = await on_top(pilot, GalleriScreen)
        await settled(pilot, lambda: _has(screen_text(app), WISHES[7][:15]))
        assert card_marks(screen) == [("", "")] * 8
        assert " 0 " not in f" {screen_text(app)} ".replace("\n", " ")


async def test_typing_a_number_sets_the_hand_count_with_one_notification(gallery_engine):
    app, notes = make_app(gallery_engine)
    first = gallery_engine.ids[0]
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("g")
        screen = await on_top(pilot, GalleriScreen)
        await settled(pilot, lambda: _has(screen_text(app), WISHES[0][:15]))
        await pilot.press("7")
        await settled(pilot, lambda: _has(str(screen.query_one("#gal-info").content), "7"))
        before = len(notes)
        await pilot.press("enter")

        def seven_set() -> None:
            assert marks(gallery_engine, first) == 7
            assert len(notes) - before >= 1
            assert card_marks(screen)[0] == ("7", "7 markeringer")

        await settled(pilot, seven_set)
        await pilot.pause(0.3)  # no second notification follows
        assert len(notes) - before == 1, notes[before:]
        # And back down to 2: the difference is removed, again one notification.
        before = len(notes)
        await pilot.press("2", "enter")
        await until(
            pilot,
            lambda: marks(gallery_engine, first) == 2 and len(notes) > before,
            "the count set to 2, told",
        )
        await pilot.pause(0.3)  # no second notification follows
        assert len(notes) - before == 1, notes[before:]
        # Escape drops a half-typed number instead of leaving the galleri.
        await pilot.press("4", "escape")
        await pilot.pause(0.3)  # nothing happens: the galleri stays and the count too
        assert isinstance(app.screen, GalleriScreen)
        assert marks(gallery_engine, first) == 2


async def test_plus_pressed_many_times_during_a_hidden_vote_notifies_once(vote_engine, monkeypatch):
    # Presses within MARK_NOTE_S (3 s) of each other are one run; a loaded machine (the
    # suite runs on every core) can take longer than that between two pilot presses.
    monkeypatch.setattr("screens.galleri.MARK_NOTE_S", 60.0)
    app, notes = make_app(vote_engine)
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("g")
        await on_top(pilot, GalleriScreen)
        await settled(pilot, lambda: _has(screen_text(app), WISHES[0][:15]))
        before = len(notes)
        await pilot.press("plus", "plus", "plus", "plus")
        await until(
            pilot,
            lambda: marks(vote_engine, vote_engine.ids[0]) == 4 and len(notes) > before,
            "four marks, told",
        )
        await pilot.pause(0.3)  # no second notification follows
        assert len(notes) - before == 1, notes[before:]


def marks(engine: MeetingEngine, flip_id: int) -> int:
    return next(f.marks for f in engine.flipovers() if f.id == flip_id)


# ---------------------------------------------------------------------- the vote's end
def needs_vote_end(engine: Any) -> None:
    if not all(hasattr(engine, name) for name in ("vote_closed", "reveal_now", "reopen_vote")):
        pytest.skip("engine.vote_closed / reveal_now / reopen_vote are not there yet")


@pytest.mark.parametrize("where", ["projector", "galleri"])
async def test_r_during_a_vote_reveals_and_closes(vote_engine, where):
    needs_vote_end(vote_engine)
    app, _ = make_app(vote_engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        if where == "galleri":
            await pilot.press("g")
            await on_top(pilot, GalleriScreen)
        await settled(pilot, lambda: _has(screen_text(app), "skjult"))
        assert not vote_engine.marks_visible()
        await pilot.press("r")
        await until(pilot, vote_engine.vote_closed, "the vote closed")
        assert vote_engine.marks_visible()
        await until(pilot, lambda: "skjult" not in screen_text(app), "the marks shown")


async def test_r_is_no_key_outside_a_vote(gallery_engine):
    app, _ = make_app(gallery_engine)
    async with app.run_test(size=BIG) as pilot:
        await until(pilot, lambda: app.screen.query("FooterKey"), "the footer drawn")
        await pilot.pause(0.3)  # and laid out again if the keys changed
        keys = {k.key for k in app.screen.query("FooterKey")}
        assert "r" not in keys


async def test_r_is_in_the_footer_and_the_palette_during_a_vote(vote_engine):
    app, _ = make_app(vote_engine)
    async with app.run_test(size=BIG) as pilot:
        # The footer is laid out again once the keys change.
        await until(
            pilot,
            lambda: "r" in {k.key for k in app.screen.query("FooterKey")},
            "r in the footer",
        )
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Vis resultatet nu") for t in titles), titles


async def test_extend_after_the_end_keeps_it_closed_and_reopening_asks(vote_engine):
    needs_vote_end(vote_engine)
    from screens.dialogs import ConfirmScreen

    app, _ = make_app(vote_engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        await pilot.pause()
        await pilot.press("r")
        await until(pilot, vote_engine.vote_closed, "the vote closed")
        await pilot.press("plus")
        await pilot.pause(0.3)  # the extension does not reopen it
        assert vote_engine.vote_closed()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Genåbn afstemningen" in commands
        app.call_later(commands["Genåbn afstemningen"].callback)  # as the palette would
        await on_top(pilot, ConfirmScreen)
        await pilot.pause()
        assert vote_engine.vote_closed()  # nothing happens before the answer
        await pilot.click("#yes")
        await until(pilot, lambda: not vote_engine.vote_closed(), "the vote open again")


async def test_a_number_and_enter_typed_in_one_burst_set_the_count(gallery_engine):
    """From the trial: "6 Enter" arriving together (a fast hand, tmux send-keys) lost the
    Enter, because the priority Enter ran before the digit reached the screen."""
    from textual import events

    app, notes = make_app(gallery_engine)
    first = gallery_engine.ids[0]
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("g")
        await on_top(pilot, GalleriScreen)
        await settled(pilot, lambda: _has(screen_text(app), WISHES[0][:15]))
        for key, char in (("6", "6"), ("enter", "\r")):
            app.post_message(events.Key(key, char))  # no pause between them
        await until(pilot, lambda: marks(gallery_engine, first) == 6, "the count set to 6")
        await until(pilot, lambda: len(notes) > 0, "the count told")
        assert "Gruppe 1 «" in notes[-1][0] and "6 håndtalte markeringer" in notes[-1][0]
