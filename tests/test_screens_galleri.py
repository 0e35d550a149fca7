"""Galleri, prioritering, "brænder for", fremlæggelse and the staff links, driven with keys.

The store, the fake clock and the agenda folder come from tests/conftest.py; the web
server is off (the links screen gets a stand-in with the two addresses).
"""

from __future__ import annotations

from typing import Any

import pytest

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting
from screens.choose import ChooseScreen
from screens.components.bigtext import BIG, SMALL, BigText, choose, draw
from screens.components.card_grid import Card, grid_shape
from screens.dialogs import ConfirmScreen, PromptScreen
from screens.galleri import GalleriScreen
from screens.links import WARNING, StaffLinksScreen
from screens.prioritering import PrioriteringScreen, place_words, priority_count_words
from screens.projector import ProjectorScreen
from tests.screen import on_top, settled, until
from tests.test_screens import Notes, record_notes

BIG_SIZE = (160, 45)
SMALL_SIZE = (80, 24)

WISHES = [
    (1, "Mere tid til faglig sparring", ["Fast møde hver uge"]),
    (1, "Ro til kerneopgaven", ["Færre afbrydelser"]),
    (2, "Bedre overlevering", ["Fælles tjekliste"]),
    (2, "Anerkendelse i hverdagen", ["Sig tak"]),
    (3, "Klar fordeling af opgaver", []),
    (3, "Mere faglig udvikling", ["Kurser"]),
    (4, "Et godt fysisk rum", ["Nyt pauserum"]),
    (4, "Tid til at lære hinanden at kende", ["Fælles frokost"]),
]


def make_engine(store, clock, agenda: str = "dialogmoede-1", groups: int = 4) -> MeetingEngine:
    meeting = create_meeting(
        store, load_agenda(agenda), agenda, "Dialogmøde i Hjemmeplejen", groups=groups
    )
    return MeetingEngine(store, meeting, clock=clock)


async def with_wishes(engine: MeetingEngine, flip_phase: int = 2, then: int = 3) -> list[int]:
    """The wishes written in a flip-over phase; the engine is left on phase ``then``."""
    await engine.goto(flip_phase)
    ids = [(await engine.add_flipover(g, h, p)).id for g, h, p in WISHES]
    await engine.goto(then)
    return ids


def make_app(engine: MeetingEngine) -> tuple[FacilitatorApp, Notes]:
    app = FacilitatorApp(engine.store, engine=engine, web=False)
    return app, record_notes(app)


def marks_of(engine: MeetingEngine, flip_id: int) -> int:
    for item in engine.ranking():
        if any(f.id == flip_id for f in item.flipovers):
            return item.marks if not item.is_theme else -1
    raise AssertionError(f"{flip_id} is not ranked")


def cards(screen: GalleriScreen) -> list[Card]:
    return [c for c in screen.query(Card) if c.display]


def card_texts(screen: GalleriScreen) -> list[str]:
    texts = []
    for card in cards(screen):
        body = str(card.query_one(".card-body").content)
        marks = str(card.query_one(".card-marks").content)
        texts.append(f"{card.border_title} | {body} | {marks}")
    return texts


async def open_galleri(pilot) -> GalleriScreen:
    await pilot.press("g")
    screen = await on_top(pilot, GalleriScreen)
    await pilot.pause()  # mounted and drawn
    return screen


@pytest.fixture
async def engine8(store, fake_clock, user_agenda_dir):
    engine = make_engine(store, fake_clock)
    engine.ids = await with_wishes(engine)  # type: ignore[attr-defined]
    yield engine
    engine.release()


# ---------------------------------------------------------------------- galleri
async def test_galleri_shows_every_open_wish_as_a_card(engine8):
    app, _ = make_app(engine8)
    async with app.run_test(size=BIG_SIZE) as pilot:
        screen = await open_galleri(pilot)
        assert screen.shape == (4, 2)
        texts = card_texts(screen)
        assert len(texts) == 8
        assert texts[0].startswith(
            "▶ Gruppe 1 | Mere tid til faglig sparring\n• Fast møde hver uge"
        )
        assert texts[0].endswith(" | ")  # no "0 markeringer" before anyone has voted
        assert "Gruppe 4 | Tid til at lære hinanden at kende" in texts[7]
        assert "Galleri · 8 ønsker" in str(screen.query_one("#gal-title").content)
        await pilot.press("escape")
        await on_top(pilot, ProjectorScreen)


async def test_plus_and_minus_count_marks_by_hand(engine8):
    app, notes = make_app(engine8)
    first, second = engine8.ids[:2]
    async with app.run_test(size=BIG_SIZE) as pilot:
        screen = await open_galleri(pilot)
        await pilot.press("plus", "plus", "equals_sign")
        await until(pilot, lambda: marks_of(engine8, first) == 3, "three marks")
        await pilot.press("minus")

        def two_marks_drawn() -> None:  # marks are redrawn at most every 0.2 s
            assert marks_of(engine8, first) == 2
            assert card_texts(screen)[0].endswith("2 markeringer")

        await settled(pilot, two_marks_drawn)
        await pilot.press("right", "plus")
        await until(pilot, lambda: marks_of(engine8, second) == 1, "a mark on the second")
        await until(
            pilot,
            lambda: card_texts(screen)[1].startswith("▶ Gruppe 1 | Ro til kerneopgaven"),
            "the second card selected",
        )
        # Taking a mark from a card with none is refused with a message, not a crash.
        await pilot.press("left", "left", "down", "minus")
        await until(
            pilot, lambda: "ingen håndtalte markeringer" in notes.messages(), "the refusal told"
        )
        assert app.is_running


async def test_theme_of_two_cards_sums_marks_and_split_undoes_it(engine8):
    app, notes = make_app(engine8)
    ids = engine8.ids
    for _ in range(3):
        await engine8.hand_mark(ids[0])
    for _ in range(2):
        await engine8.hand_mark(ids[5])
    async with app.run_test(size=BIG_SIZE) as pilot:
        screen = await open_galleri(pilot)
        await pilot.press("T")  # nothing picked yet
        await until(pilot, lambda: "Vælg mindst to kort" in notes.messages(), "the hint")
        await pilot.press("t")  # card 1 (Gruppe 1)
        await pilot.press("down", "right", "t")  # card 6 (Gruppe 3, second row)
        await pilot.pause()
        picked = [c for c in cards(screen) if c.has_class("-picked")]
        assert [c.border_subtitle for c in picked] == ["✓ valgt til tema"] * 2
        await pilot.press("T")
        prompt_screen = await on_top(pilot, PromptScreen)
        await pilot.pause()
        prompt = prompt_screen.query_one("#prompt-input")
        prompt.value = ""
        await pilot.press(*"Faglighed", "enter")
        await on_top(pilot, GalleriScreen)

        def theme_made() -> None:
            (theme,) = [i for i in engine8.ranking() if i.is_theme]
            assert theme.title == "Faglighed" and theme.marks == 5
            assert {f.id for f in theme.flipovers} == {ids[0], ids[5]}
            assert "Tema: Faglighed" in str(cards(screen)[5].query_one(".card-theme").content)
            assert not screen.picked

        await settled(pilot, theme_made)
        # Split it again from one of its cards.
        await pilot.press("u")
        await until(
            pilot, lambda: not [i for i in engine8.ranking() if i.is_theme], "the theme split"
        )
        assert marks_of(engine8, ids[0]) == 3 and marks_of(engine8, ids[5]) == 2
        await pilot.press("left", "u")  # a card without a theme
        await until(pilot, lambda: "Kortet er ikke i et tema." in notes.messages(), "no theme told")


async def test_theme_prompt_escape_makes_no_theme(engine8):
    app, _ = make_app(engine8)
    async with app.run_test(size=BIG_SIZE) as pilot:
        await open_galleri(pilot)
        await pilot.press("t", "right", "t", "T")
        await on_top(pilot, PromptScreen)
        await pilot.pause()
        await pilot.press("escape")
        await on_top(pilot, GalleriScreen)
        await pilot.pause()
        assert engine8.themes() == []
        assert len(app.screen.picked) == 2


async def test_saerskilt_spor_asks_and_the_card_leaves_every_list(engine8):
    app, _ = make_app(engine8)
    third = engine8.ids[2]
    async with app.run_test(size=BIG_SIZE) as pilot:
        screen = await open_galleri(pilot)
        await pilot.press("right", "right", "s")
        confirm = await on_top(pilot, ConfirmScreen)
        await pilot.pause()
        assert "særskilt spor" in str(confirm.query_one("#confirm-question").content)
        await pilot.press("n")  # Nej keeps it
        await on_top(pilot, GalleriScreen)
        await pilot.pause()
        assert third in {f.id for f in engine8.flipovers()}
        await pilot.press("s")
        await on_top(pilot, ConfirmScreen)
        await pilot.pause()
        await pilot.click("#yes")

        def set_apart() -> None:
            assert third not in {f.id for f in engine8.flipovers()}
            assert third not in {f.id for i in engine8.ranking() for f in i.flipovers}
            assert len(cards(screen)) == 7
            assert not any("Bedre overlevering" in t for t in card_texts(screen))

        await settled(pilot, set_apart)
        # The projector's own board (a galleri phase) no longer lists it either.
        await pilot.press("escape")
        projector = await on_top(pilot, ProjectorScreen)

        def board_without_it() -> None:
            board = projector.query_one("#board")
            assert board.display
            rendered = _plain(app, board.content)
            assert "Ro til kerneopgaven" in rendered
            assert "Bedre overlevering" not in rendered

        await settled(pilot, board_without_it)


def _checked(text: str, expected: str, exact: bool = False) -> str:
    """`text`, once it holds (or is) `expected`; for `settled`."""
    assert (text == expected) if exact else (expected in text), f"{expected!r} not in {text!r}"
    return text


def _plain(app: FacilitatorApp, renderable: Any) -> str:
    from rich.console import Console

    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


async def test_hidden_marks_show_the_total_cast_and_phone_votes_update_the_galleri(
    engine8, fake_clock
):
    await engine8.goto(4)  # the vote, reveal = "end"
    await engine8.start()
    app, _ = make_app(engine8)
    first = engine8.ids[0]
    async with app.run_test(size=BIG_SIZE) as pilot:
        screen = await open_galleri(pilot)
        assert all(t.endswith("skjult") for t in card_texts(screen))
        for n in range(3):  # three phones, as the web would call it
            await engine8.vote(f"telefon-{n:016d}", first)
        await engine8.vote("telefon-0000000000000000", first)
        # Bursts are coalesced into one redraw (within a second on an idle machine).
        await until(
            pilot,
            lambda: (
                "Markeringer skjult – 4 markeringer afgivet fra 3 telefoner"
                in str(screen.query_one("#gal-info").content)
            ),
            "the cast marks counted",
        )
        assert card_texts(screen)[0].endswith("skjult")
        fake_clock.advance(15 * 60 + 1)  # the vote is over: totals show
        await engine8.check_timers()

        def totals_shown() -> None:
            assert card_texts(screen)[0].endswith("4 markeringer")
            assert screen.query(".card-big").first(BigText).value == "4"

        await settled(pilot, totals_shown)


async def test_galleri_pages_at_80x24_with_pagedown_and_says_so(engine8):
    app, notes = make_app(engine8)
    async with app.run_test(size=SMALL_SIZE) as pilot:
        screen = await open_galleri(pilot)
        assert screen.shape == (2, 2) and screen.pages == 2
        assert "side 1 af 2 (PgDn/PgUp)" in str(screen.query_one("#gal-title").content)
        footer_keys = {key.key for key in screen.query("FooterKey")}
        assert {"pagedown", "pageup", "plus", "minus", "t", "T", "u", "s"} <= footer_keys
        await pilot.press("pagedown")
        await pilot.pause()
        assert screen.page == 1 and engine8.index == 3  # a page, not the next phase
        assert card_texts(screen)[0].startswith("▶ Gruppe 3 | Klar fordeling")
        await pilot.press("pagedown")
        await pilot.pause()
        assert "Det er sidste side." in notes.messages()
        await pilot.press("pageup")
        await pilot.pause()
        assert screen.page == 0
        # Arrows cross pages too.
        await pilot.press("down", "down")
        await pilot.pause()
        assert screen.page == 1


async def test_no_key_crashes_the_galleri_prioritering_or_choose(
    store, fake_clock, user_agenda_dir
):
    engine = make_engine(store, fake_clock)  # no wishes at all
    app, notes = make_app(engine)
    keys = ["x", "plus", "minus", "t", "T", "u", "s", "pagedown", "up", "enter", "space", "9"]
    async with app.run_test(size=SMALL_SIZE) as pilot:
        screen = await open_galleri(pilot)
        assert screen.query_one("#gal-empty").display
        await pilot.press(*keys)
        await pilot.pause()
        assert isinstance(app.screen, GalleriScreen)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PrioriteringScreen)
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ChooseScreen)
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert app.is_running
        assert "Der er ingen ønsker i galleriet endnu." in notes.messages()


def test_grid_shape_fits_4_to_20_cards():
    assert grid_shape(8, 158, 42) == (4, 2)
    assert grid_shape(20, 158, 42) == (5, 4)
    assert grid_shape(4, 158, 42) == (2, 2)
    assert grid_shape(3, 158, 42) == (3, 1)
    assert grid_shape(25, 158, 42) == (5, 4)  # pages
    assert grid_shape(8, 78, 20) == (2, 2)


# ---------------------------------------------------------------------- prioritering
async def test_prioritering_ranks_ties_in_words_and_toggles_priorities(engine8):
    ids = engine8.ids
    for flip_id, n in zip(ids, [5, 3, 3, 0, 7, 2, 1, 4], strict=True):
        for _ in range(n):
            await engine8.hand_mark(flip_id)
    app, notes = make_app(engine8)
    async with app.run_test(size=BIG_SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PrioriteringScreen)
        table = screen.query_one("#ranking")
        rows = [table.get_row_at(r) for r in range(table.row_count)]
        places = [r[0] for r in rows[:5]]
        assert places == ["1. plads", "2. plads", "3. plads", "delt 4. plads", "delt 4. plads"]
        assert str(rows[0][2]) == "7 markeringer"
        assert "0 af 3–5 prioriteret" in str(screen.query_one("#prio-count").content)
        await pilot.press("enter", "down", "space", "down", "enter")
        await pilot.pause()
        assert [i.title for i in engine8.prioritised()] == [
            "Klar fordeling af opgaver",
            "Mere tid til faglig sparring",
            "Tid til at lære hinanden at kende",
        ]
        rows = [table.get_row_at(r) for r in range(table.row_count)]
        assert str(rows[1][3]) == "★ Prioriteret 2"
        assert str(screen.query_one("#prio-count").content) == "3 af 3–5 prioriteret"
        await pilot.press("down", "enter", "down", "enter", "down", "enter")
        await pilot.pause()
        count = screen.query_one("#prio-count")
        assert "6 af 3–5 prioriteret – mere end 5" in str(count.content)
        assert count.has_class("-warning")
        await pilot.press("enter")  # the sixth again: unmark
        await pilot.pause()
        assert len(engine8.prioritised()) == 5
        assert "Ikke længere prioriteret" in notes.messages()


async def test_a_theme_is_one_row_with_summed_marks_and_its_groups(engine8):
    ids = engine8.ids
    await engine8.hand_mark(ids[0])
    await engine8.hand_mark(ids[4])
    await engine8.hand_mark(ids[4])
    await engine8.create_theme("Faglighed", [ids[0], ids[5]])
    app, _ = make_app(engine8)
    async with app.run_test(size=BIG_SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one("#ranking")
        rows = [table.get_row_at(r) for r in range(table.row_count)]
        assert len(rows) == 7
        wishes = [str(r[1]) for r in rows]
        assert "Tema: Faglighed\nGrupper 1 og 3 · 2 ønsker" in wishes
        theme_row = rows[wishes.index("Tema: Faglighed\nGrupper 1 og 3 · 2 ønsker")]
        assert str(theme_row[2]) == "1 markering"
        assert rows[0][0] == "1. plads" and "Klar fordeling" in str(rows[0][1])


def test_place_and_count_words():
    class Item:
        rank, tied = 2, True

    assert place_words(Item()) == "delt 2. plads"  # type: ignore[arg-type]
    assert priority_count_words(4) == ("4 af 3–5 prioriteret", False)
    assert priority_count_words(6)[1] is True


# ---------------------------------------------------------------------- brænder for
async def test_prioritised_wishes_are_the_choose_options_and_hand_choices_count(
    store, fake_clock, user_agenda_dir
):
    engine = make_engine(store, fake_clock, "dialogmoede-2", groups=5)
    ids = await with_wishes(engine, flip_phase=2, then=2)
    app, notes = make_app(engine)
    async with app.run_test(size=BIG_SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down", "enter", "down", "down", "enter", "down", "enter")
        await pilot.pause()
        chosen = [i.key for i in engine.prioritised()]
        assert len(chosen) == 3
        await pilot.press("escape", "right")  # on to "Hvem brænder for hvad"
        projector = await on_top(pilot, ProjectorScreen)
        await until(pilot, lambda: engine.phase.kind == "choose", "the choose phase")
        assert [o.key for o in engine.choice_options()] == chosen
        titles = [i.title for i in engine.prioritised()]
        board = await settled(
            pilot,
            lambda: _checked(_plain(app, projector.query_one("#board").content), "ingen gruppe: "),
        )
        # Nobody has chosen yet: no wish forms a group so far.
        assert "ingen gruppe: " + titles[0] in board.replace("  ", " ")
        assert "Gruppe 1:" not in board
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChooseScreen)
        await pilot.press("plus", "plus", "down", "plus", "minus", "minus")
        await pilot.pause()
        counts = [n for _, n in engine.choice_counts()]
        assert counts == [2, 0, 0]
        assert "Der er ingen håndtalte valg at fjerne." in notes.messages()
        table = screen.query_one("#options")
        assert [str(c) for c in table.get_row_at(0)[:3]] == ["Gruppe 1", titles[0], "2 personer"]
        assert "2 har valgt · 1 ny gruppe" in str(screen.query_one("#choose-count").content)
        await engine.choose("telefon-0000000000000001", chosen[2])  # a phone's pick
        await settled(pilot, lambda: _checked(str(table.get_row_at(2)[2]), "1 person", exact=True))
        # The groups are numbered as the action work and the fremlæggelse number them:
        # the chosen wishes in order; a wish nobody chose forms no group.
        rows = [[str(c) for c in table.get_row_at(r)[:2]] for r in range(3)]
        assert rows == [
            ["Gruppe 1", titles[0]],
            ["ingen gruppe", titles[1]],
            ["Gruppe 2", titles[2]],
        ]
        assert engine.group_labels("wishes") == [titles[0], titles[2]]
        assert "3 har valgt · 2 nye grupper" in str(screen.query_one("#choose-count").content)
        await pilot.press("v")
        projector = await on_top(pilot, ProjectorScreen)
        board = await settled(
            pilot,
            lambda: _checked(_plain(app, projector.query_one("#board").content), "– 2 personer"),
        )
        assert "– 2 personer" in board and "– 1 person" in board
        assert ids  # the wishes were made in the flip-over phase


# ---------------------------------------------------------------------- fremlæggelse
async def test_present_phase_gives_each_group_its_turn_with_a_bell(
    store, fake_clock, fake_scheduler, user_agenda_dir
):
    meeting = create_meeting(
        store, load_agenda("dialogmoede-2"), "dialogmoede-2", "Fremlæggelse", groups=5
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock, scheduler=fake_scheduler)
    await engine.goto(5)  # "Fremlæggelse i temaer": 5 groups × 3 minutes
    app, _ = make_app(engine)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=BIG_SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "Gruppe 1 af 5" in str(screen.query_one("#turn").content)
        await pilot.press("space")
        await fake_scheduler.advance(179, engine)
        await pilot.pause()
        assert rings == []  # not before the turn is over
        # The first group's three minutes are over: the engine's own timer announces it.
        assert await fake_scheduler.advance(2, engine) == 1
        turn = screen.query_one("#turn")
        await until(
            pilot,
            lambda: str(turn.content) == "Gruppe 2 af 5 · 02:59 tilbage" and rings,
            "the second group's turn is shown and the bell rang",
        )
        assert rings == [1]
        big = screen.query_one("#turn-big", BigText)
        assert big.value == "Gruppe 2 af 5  02:59" and big.scale >= 1
        assert big.region.height >= 4
        await pilot.resize_terminal(*SMALL_SIZE)
        await until(pilot, lambda: turn.region.height == 1, "the turn on one line")
        assert "Gruppe 2 af 5" in str(turn.content)
        assert rings == [1]


# ---------------------------------------------------------------------- staff links
class FakeServer:
    participant_url = "http://192.168.1.20:8765/"

    def assistant_url(self) -> str:
        return self.participant_url + "assist?token=" + "a" * 32

    def remote_url(self) -> str:
        return self.participant_url + "remote?token=" + "c" * 32


async def test_staff_links_ask_first_and_say_not_for_the_projector(engine8):
    app, _ = make_app(engine8)
    async with app.run_test(size=BIG_SIZE) as pilot:
        app.web_server = FakeServer()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Vis nøgler?" in str(app.screen.query_one("#confirm-question").content)
        await pilot.press("escape")  # Nej
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        await pilot.press("a", "y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StaffLinksScreen)
        assert str(screen.query_one("#links-head").content) == WARNING
        assert WARNING.startswith("IKKE TIL PROJEKTOREN")
        urls = [str(u.content) for u in screen.query(".link-url")]
        assert urls == [FakeServer().assistant_url(), FakeServer().remote_url()]
        codes = list(screen.query(".link-qr"))
        assert all(c.display and c.modules > 0 for c in codes)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)


async def test_staff_links_with_web_off_say_so(engine8):
    app, _ = make_app(engine8)
    async with app.run_test(size=SMALL_SIZE) as pilot:
        await pilot.press("a", "y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StaffLinksScreen)
        assert "Web er slået fra" in str(screen.query_one("#links-note").content)
        await pilot.press("x", "tab", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)


# ---------------------------------------------------------------------- big countdown
def test_big_text_picks_the_largest_scale_that_fits():
    assert choose(["23:37"], 116, 14).scale == 4
    assert choose(["23:37"], 116, 10).scale == 2  # 7 pixel rows × 3 would need 11 rows
    small = choose(["23:37"], 24, 3)
    assert small.font is SMALL and small.rows == 3
    assert choose(["23:37"], 10, 3).font is None  # plain text
    assert choose(["23:37"], 10, 3, plain=False) is None
    assert choose(["Gruppe 2 af 5  02:13", "Gruppe 2 af 5"], 90, 4).text == "GRUPPE 2 AF 5"
    assert draw("1", BIG, 1) == [" ▄█  ", "  █  ", "  █  ", " ▀▀▀ "]


@pytest.mark.parametrize(("size", "rows"), [((160, 45), 11), ((80, 24), 4)])
async def test_countdown_grows_with_the_screen(engine8, size, rows):
    await engine8.goto(0)
    app, _ = make_app(engine8)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        digits = app.screen.query_one("#digits", BigText)
        assert digits.value == "15:00"
        assert digits.region.height >= rows
        assert digits.region.right <= size[0]
        state = app.screen.query_one("#clock-state")
        assert str(state.content) == "Klar" and state.region.right <= size[0]


async def test_command_palette_lists_the_galleri_keys_in_danish(engine8):
    app, _ = make_app(engine8)
    async with app.run_test(size=BIG_SIZE) as pilot:
        commands = {c.title for c in app.get_system_commands(app.screen)}
        for title in ("Galleri (g)", "Prioritering (p)", "Brænder for (v)"):
            assert title in commands
        assert "Assistent- og fjernbetjeningslinks (a)" in commands
        await open_galleri(pilot)
        commands = {c.title for c in app.get_system_commands(app.screen)}
        for title in (
            "+1 håndtalt markering (+)",
            "-1 håndtalt markering (-)",
            "Vælg kortet til et tema (✓) (t)",
            "Saml de valgte kort i et tema (T)",
            "Særskilt spor (s)",
            "Næste side (PgDn)",
        ):
            assert title in commands


async def test_saerskilt_spor_list_asks_first_and_can_move_an_item_back(engine8):
    from screens.confidential import WARNING, ConfidentialScreen

    app, notes = make_app(engine8)
    third = engine8.ids[2]
    await engine8.set_confidential(third)
    async with app.run_test(size=BIG_SIZE) as pilot:
        await open_galleri(pilot)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # the projector may be on: ask first
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GalleriScreen)
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfidentialScreen)
        assert WARNING in str(screen.query_one("#links-head").content)
        table = screen.query_one("#conf-table")
        assert table.row_count == 1
        assert str(table.get_row_at(0)[1]).startswith("Bedre overlevering")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert table.row_count == 0
        assert third in {f.id for f in engine8.flipovers()}  # open again, on the projector
        assert "Flyttet tilbage til bruttolisten." in notes.messages()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GalleriScreen)


async def test_the_projector_weighs_the_phones_that_voted_against_the_participants(
    store, fake_clock, user_agenda_dir
):
    """Issue 6: "N markeringer fra M telefoner" against the participant count, so the room
    sees when more phones vote than there are people."""
    meeting = create_meeting(
        store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Lille møde", participants=2
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock)
    ids = await with_wishes(engine, then=4)
    app, _ = make_app(engine)
    try:
        async with app.run_test(size=BIG_SIZE) as pilot:
            await pilot.pause()
            for n in range(3):
                await engine.vote(f"telefon-{n:016d}", ids[0])
            board = await settled(
                pilot,
                lambda: _checked(
                    _plain(app, app.screen.query_one("#board").content),
                    "3 markeringer afgivet fra 3 af 2 deltageres telefoner",
                ),
            )
            assert "FLERE TELEFONER END DELTAGERE" in board
    finally:
        engine.release()
