"""Text a person typed is data, everywhere (issue 6, item 1).

Headings that look like Rich/Textual markup, terminal escapes and arbitrary Unicode go in
through the engine and through the assistant's web API; every screen that shows them is
opened in a pilot, and what is drawn is the literal text that was stored, which is the
cleaned text that was sent. The exports keep it literal too (Markdown escaped, CSV with
spreadsheet formulas neutralised).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.widgets import DataTable, Input

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import (
    MAX_HEADING,
    EngineError,
    MeetingEngine,
    TextRefused,
    create_meeting,
)
from facilitator.export import bruttoliste, render
from facilitator.text import clean_text
from screens.choose import ChooseScreen
from screens.components import Card
from screens.confidential import ConfidentialScreen
from screens.dialogs import PromptScreen
from screens.flipover_entry import FlipoverEntryScreen
from screens.galleri import GalleriScreen
from screens.prioritering import PrioriteringScreen
from screens.projector import ProjectorScreen
from screens.start import StartScreen
from storage.repo import Store
from tests.screen import on_top, settled, until
from tests.test_screens import record_notes

BIG = (160, 45)

# Headings that crashed the flip-over list or lost words there (issue 6, item 1).
MARKUP_HEADINGS = [
    "Mindre støj [/ bedre akustik]",
    "Mere tid [min. 30 min] til sparring",
    "[link=https://x]klik[/link]",
    "[bold red]Rødt[/] og [@click=app.quit]luk[/]",
    "Kaffe \\[ikke te]",
]
MARKUP_THEME = "Tema [b]fed[/b] [/]"
MARKUP_TITLE = "Møde [i]kursiv[/i] [/"
ESCAPES = "Ny\x1b]2;pwned\x07 titel \x1b[31mrød\x1b[0m\x00 nul\x07 \x85c1\x9b2J slut\x9d0;x\x9c"


# ---------------------------------------------------------------------- helpers
def screen_lines(app: FacilitatorApp) -> list[str]:
    """The current screen as the terminal would show it, as plain text, one str a row."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text().splitlines()


def drawn(app: FacilitatorApp, widget: Any) -> str:
    """The text drawn inside a widget's region (all our test texts are one cell a char)."""
    region = widget.content_region
    lines = screen_lines(app)
    return "\n".join(line[region.x : region.right] for line in lines[region.y : region.bottom])


def flat(text: str) -> str:
    """Without whitespace: wrapping on screen moves words onto new lines, nothing else."""
    return "".join(text.split())


def assert_drawn(app: FacilitatorApp, widget: Any, *texts: str) -> None:
    shown = flat(drawn(app, widget))
    for text in texts:
        assert flat(text) in shown, f"{text!r} is not drawn literally in {shown!r}"


def assert_words_drawn(app: FacilitatorApp, widget: Any, *texts: str) -> None:
    """For a grid of narrow cards: every word (that fits a card) is drawn as written."""
    shown = flat(drawn(app, widget))
    for text in texts:
        for word in text.split():
            if len(word) <= 20:
                assert word in shown, f"{word!r} of {text!r} is not drawn in {shown!r}"


def board_texts(board: Any) -> list[str]:
    """The plain text of every card on the projector's board (Rich panels in a grid)."""
    from rich.panel import Panel
    from rich.table import Table

    texts = []
    for part in board.content.renderables:
        if isinstance(part, Table):
            for column in part.columns:
                for cell in column.cells:
                    if isinstance(cell, Panel):
                        texts.append(cell.renderable.plain)
    return texts


def plain(value: Any) -> str:
    """The plain text of a cell or a Static's content (a Text, a Content or a str)."""
    return value.plain if hasattr(value, "plain") else str(value)


def make_engine(store: Store, clock, title: str = "Dialogmøde i Hjemmeplejen") -> MeetingEngine:
    meeting = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", title, groups=4)
    return MeetingEngine(store, meeting, clock=clock)


def make_app(engine: MeetingEngine):
    app = FacilitatorApp(engine.store, engine=engine, web=False)
    return app, record_notes(app)


async def open_screen(pilot, *keys: str, kind: type) -> Any:
    """The screen `keys` open, once it is on top and mounted."""
    await pilot.press(*keys)
    screen = await on_top(pilot, kind)
    await pilot.pause()
    return screen


async def shown(pilot, widget: Any, *texts: str) -> None:
    """Wait until every one of `texts` is drawn literally in `widget` (see assert_drawn)."""
    await settled(pilot, lambda: assert_drawn(pilot.app, widget, *texts))


async def words_shown(pilot, widget: Any, *texts: str) -> None:
    """Wait until every word of `texts` is drawn in `widget` (see assert_words_drawn)."""
    await settled(pilot, lambda: assert_words_drawn(pilot.app, widget, *texts))


async def back_to_projector(pilot) -> None:
    while not isinstance(pilot.app.screen, ProjectorScreen):
        await pilot.press("escape")
        await pilot.pause()


def table_texts(table: DataTable, column: int) -> list[str]:
    return [plain(table.get_row_at(r)[column]) for r in range(table.row_count)]


def card_bodies(screen: GalleriScreen) -> list[str]:
    return [str(c.query_one(".card-body").content) for c in screen.query(Card) if c.display]


@pytest.fixture
async def hostile(store, fake_clock, user_agenda_dir):
    """Each markup heading as an open wish (with markup proposals) and as a særskilt-spor
    copy; two of them joined under a markup theme name, prioritised; on the galleri."""
    engine = make_engine(store, fake_clock, title=MARKUP_TITLE)
    await engine.goto(2)
    open_ids = []
    for number, heading in enumerate(MARKUP_HEADINGS):
        flip = await engine.add_flipover(number % 4 + 1, heading, [f"[i]{number}[/i] forslag"])
        open_ids.append(flip.id)
        hidden = await engine.add_flipover(number % 4 + 1, heading, ["[/]"])
        await engine.set_confidential(hidden.id)
    theme = await engine.create_theme(MARKUP_THEME, open_ids[:2])
    await engine.set_priorities([f"t{theme}", f"f{open_ids[2]}", f"f{open_ids[3]}"])
    await engine.goto(3)
    engine.ids = open_ids  # type: ignore[attr-defined]
    yield engine
    engine.release()


# ---------------------------------------------------------------------- the engine's door
def test_the_engine_stores_markup_as_it_was_typed(hostile):
    headings = [f.heading for f in hostile.flipovers()]
    assert sorted(headings) == sorted(MARKUP_HEADINGS)
    assert [t.name for t in hostile.themes()] == [MARKUP_THEME]
    assert hostile.title == MARKUP_TITLE


async def test_terminal_escapes_and_control_characters_are_never_stored(engine):
    await engine.goto(2)
    flip = await engine.add_flipover(1, ESCAPES, [ESCAPES, "\x1b[2J\x1b[H"])
    stored = engine.flipovers()[0]
    assert stored.heading == flip.heading == "Ny titel rød nul c1 slut"
    assert stored.proposals == ("Ny titel rød nul c1 slut",)  # the empty one is dropped
    for text in (stored.heading, *stored.proposals):
        assert not any(unicodedata.category(c) == "Cc" for c in text)
        assert "pwned" not in text
    theme = await engine.create_theme(
        "Tema\x1b]52;c;aGVq\x07\x00", [flip.id, (await engine.add_flipover(2, "B")).id]
    )
    assert {t.id: t.name for t in engine.themes()}[theme] == "Tema"
    await engine.rename_theme(theme, "\x1b[1mNyt\x1b[0m\u2028navn\x9b")
    assert {t.id: t.name for t in engine.themes()}[theme] == "Nyt navn"


def test_a_meeting_title_is_cleaned(store, user_agenda_dir):
    meeting = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", ESCAPES)
    assert store.get_meeting(meeting).title == "Ny titel rød nul c1 slut"


async def test_text_that_is_only_control_characters_is_empty(engine):
    await engine.goto(2)
    with pytest.raises(EngineError, match="Overskriften mangler"):
        await engine.add_flipover(1, "\x1b]2;x\x07\x00\x1b[31m")


async def test_a_lone_surrogate_is_refused(store, engine, user_agenda_dir):
    await engine.goto(2)
    bad = "Mere\ud800tid"
    with pytest.raises(TextRefused, match="ugyldigt tegn"):
        await engine.add_flipover(1, bad)
    with pytest.raises(TextRefused):
        await engine.add_flipover(1, "God", ["ok", bad])
    assert engine.flipovers() == []
    a, b = (await engine.add_flipover(1, "A")).id, (await engine.add_flipover(2, "B")).id
    with pytest.raises(TextRefused):
        await engine.create_theme(bad, [a, b])
    theme = await engine.create_theme("Tema", [a, b])
    with pytest.raises(TextRefused):
        await engine.rename_theme(theme, "\udfff")
    with pytest.raises(TextRefused):
        create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", bad)
    assert issubclass(TextRefused, EngineError)


async def test_a_theme_name_has_the_same_limit_on_rename(engine):
    await engine.goto(2)
    a, b = (await engine.add_flipover(1, "A")).id, (await engine.add_flipover(2, "B")).id
    theme = await engine.create_theme("Tema", [a, b])
    with pytest.raises(EngineError, match="for langt"):
        await engine.rename_theme(theme, "x" * (MAX_HEADING + 1))


# ---------------------------------------------------------------------- every screen
async def test_every_screen_draws_markup_headings_literally(hostile):
    app, notes = make_app(hostile)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        projector = app.screen
        assert isinstance(projector, ProjectorScreen)
        await shown(pilot, projector.query_one("#meeting-title"), MARKUP_TITLE)
        # The galleri phase: the board on the projector shows every open wish.
        board = projector.query_one("#board")
        cards = board_texts(board)
        assert sorted(c.split("\n")[0] for c in cards) == sorted(MARKUP_HEADINGS)
        assert sum(f"\nTema: {MARKUP_THEME}" in c for c in cards) == 2
        await words_shown(pilot, board, *MARKUP_HEADINGS, f"Tema: {MARKUP_THEME}")

        entry = await open_screen(pilot, "f", kind=FlipoverEntryScreen)
        assert isinstance(entry, FlipoverEntryScreen)
        table = entry.query_one("#flipovers", DataTable)
        assert sorted(table_texts(table, 2)) == sorted(MARKUP_HEADINGS)
        await shown(pilot, table, *MARKUP_HEADINGS)
        await back_to_projector(pilot)

        galleri = await open_screen(pilot, "g", kind=GalleriScreen)
        assert isinstance(galleri, GalleriScreen)
        bodies = card_bodies(galleri)
        for number, heading in enumerate(MARKUP_HEADINGS):
            assert f"{heading}\n• [i]{number}[/i] forslag" in bodies
        for card in galleri.query(Card):
            if card.display:
                body = card.query_one(".card-body")
                await shown(pilot, body, str(body.content))
        themed = [
            c for c in galleri.query(Card) if c.display and c.query_one(".card-theme").display
        ]
        assert len(themed) == 2
        for card in themed:
            await shown(pilot, card.query_one(".card-theme"), f"Tema: {MARKUP_THEME}")

        confidential = await open_screen(pilot, "S", "y", kind=ConfidentialScreen)
        assert isinstance(confidential, ConfidentialScreen)
        table = confidential.query_one("#conf-table", DataTable)
        assert sorted(table_texts(table, 1)) == sorted(MARKUP_HEADINGS)
        assert table_texts(table, 2) == ["[/]"] * len(MARKUP_HEADINGS)
        await shown(pilot, table, *MARKUP_HEADINGS)
        await pilot.press("escape")
        await pilot.pause()

        prioritering = await open_screen(pilot, "p", kind=PrioriteringScreen)
        assert isinstance(prioritering, PrioriteringScreen)
        table = prioritering.query_one("#ranking", DataTable)
        wishes = table_texts(table, 1)
        assert any(w.startswith(f"Tema: {MARKUP_THEME}\n") for w in wishes)
        for heading in MARKUP_HEADINGS[2:]:
            assert any(w.startswith(f"{heading}\n") for w in wishes)
        await shown(pilot, table, f"Tema: {MARKUP_THEME}", *MARKUP_HEADINGS[2:])
        await pilot.press("enter")  # unmark the first: its notification names it
        await until(
            pilot,
            lambda: f"Ikke længere prioriteret: {MARKUP_THEME}" in notes.messages(),
            "the unmarking told",
        )

        choose = await open_screen(pilot, "v", kind=ChooseScreen)
        assert isinstance(choose, ChooseScreen)
        table = choose.query_one("#options", DataTable)
        assert sorted(table_texts(table, 1)) == sorted(MARKUP_HEADINGS[2:4])
        await shown(pilot, table, *MARKUP_HEADINGS[2:4])
        await back_to_projector(pilot)


async def test_the_choose_board_and_the_vote_board_on_the_projector(hostile):
    app, _ = make_app(hostile)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await hostile.goto(4)  # the vote: the board shows the wishes
        board = app.screen.query_one("#board")

        def every_card() -> None:
            cards = board_texts(board)
            assert sorted(c.split("\n")[0] for c in cards) == sorted(MARKUP_HEADINGS)

        await settled(pilot, every_card)
        await words_shown(pilot, board, *MARKUP_HEADINGS, f"Tema: {MARKUP_THEME}")


async def test_notifications_say_the_heading_and_theme_literally(hostile):
    app, notes = make_app(hostile)
    # run_test() leaves the toasts out unless asked: they are what is drawn here.
    async with app.run_test(size=BIG, notifications=True) as pilot:
        entry = await open_screen(pilot, "f", kind=FlipoverEntryScreen)
        heading = "Mindre støj [/ bedre akustik] [b]nu[/b]"
        entry.query_one("#heading", Input).value = heading
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: f"Gemt: gruppe 1 – {heading}" in notes.messages(), "the save told"
        )
        await until(pilot, lambda: app.screen.query("Toast"), "a toast")
        toasts = list(app.screen.query("Toast"))
        await shown(pilot, toasts[-1], f"Gemt: gruppe 1 – {heading}")
        assert any(f.heading == heading for f in hostile.flipovers())
        await back_to_projector(pilot)

        galleri = await open_screen(pilot, "g", kind=GalleriScreen)
        await pilot.press("t", "right", "t", "T")
        prompt = await on_top(pilot, PromptScreen)
        await pilot.pause()
        name = "Samlet [/] [link=https://x]tema[/link]"
        prompt.query_one("#prompt-input", Input).value = name
        await pilot.press("enter")
        await on_top(pilot, GalleriScreen)
        await until(
            pilot,
            lambda: f"Temaet «{name}» samler 2 ønsker." in notes.messages(),
            "the theme told",
        )
        assert name in {t.name for t in hostile.themes()}
        await until(pilot, lambda: galleri.query("Toast"), "a toast")
        toast = list(galleri.query("Toast"))[-1]
        await shown(pilot, toast, f"Temaet «{name}» samler 2 ønsker.")


async def test_the_start_screen_lists_markup_titles_literally(store, fake_clock, user_agenda_dir):
    agenda = load_agenda("dialogmoede-1")
    create_meeting(store, agenda, "dialogmoede-1", MARKUP_TITLE)
    create_meeting(store, agenda, "dialogmoede-1", MARKUP_HEADINGS[0])
    app = FacilitatorApp(store, web=False, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        start = await on_top(pilot, StartScreen)
        await until(pilot, lambda: start.loaded, "the meetings read")
        table = start.query_one("#meetings", DataTable)
        # Each meeting under its forløb's row (a meeting made alone has a forløb of its own,
        # named as the meeting): all drawn as typed.
        titles = sorted(text.strip(" ▸") for text in table_texts(table, 0))
        assert titles == sorted([MARKUP_TITLE, MARKUP_HEADINGS[0]] * 2)
        await shown(pilot, table, MARKUP_TITLE, MARKUP_HEADINGS[0])


# ---------------------------------------------------------------------- through the web
@pytest.fixture
def web_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/web.db")
    yield store
    store.close()


async def test_headings_posted_by_an_assistant_do_not_stop_the_meeting(web_store, fake_clock):
    from facilitator.web.server import WebServer

    engine = make_engine(web_store, fake_clock)
    await engine.goto(2)
    server = WebServer(engine, lan_address="127.0.0.1")
    auth = {"Authorization": f"Bearer {engine.assistant_token}"}
    app, _ = make_app(engine)
    async with TestClient(TestServer(server.app)) as client:
        first, *rest = MARKUP_HEADINGS
        response = await client.post(
            "/api/flipovers",
            json={"group": 1, "heading": first, "proposals": ["[/]"]},
            headers=auth,
        )
        assert response.status == 201
        assert (await response.json())["heading"] == first
        async with app.run_test(size=BIG) as pilot:
            entry = await open_screen(
                pilot, "f", kind=FlipoverEntryScreen
            )  # the list opens with the heading in it
            assert isinstance(entry, FlipoverEntryScreen)
            for number, heading in enumerate(rest, 2):  # more arrive while it is open
                response = await client.post(
                    "/api/flipovers",
                    json={"group": number % 4 + 1, "heading": heading, "proposals": [heading]},
                    headers=auth,
                )
                assert response.status == 201
            response = await client.post(
                "/api/flipovers",
                json={"group": 1, "heading": ESCAPES, "proposals": []},
                headers=auth,
            )
            assert response.status == 201
            assert (await response.json())["heading"] == "Ny titel rød nul c1 slut"
            table = entry.query_one("#flipovers", DataTable)
            expected = [*MARKUP_HEADINGS, "Ny titel rød nul c1 slut"]

            def every_heading_listed() -> None:
                assert sorted(table_texts(table, 2)) == sorted(expected)

            await settled(pilot, every_heading_listed)
            # The list is narrower than the longest heading: its start is what is drawn.
            await shown(pilot, table, *(heading[:30] for heading in expected))
            await back_to_projector(pilot)
            for flip in engine.flipovers():
                await engine.set_confidential(flip.id)
            confidential = await open_screen(pilot, "g", "S", "y", kind=ConfidentialScreen)
            assert isinstance(confidential, ConfidentialScreen)
            table = confidential.query_one("#conf-table", DataTable)
            assert sorted(table_texts(table, 1)) == sorted(expected)
            await shown(pilot, table, *expected)
        # The web server is still there, and says what it stored.
        listed = await client.get("/api/flipovers")
        assert listed.status == 200


# ---------------------------------------------------------------------- property tests
# Arbitrary Unicode (surrogates apart: they are refused, see above), mixed with pieces of
# markup and terminal escapes so that the interesting cases come up in a few examples.
PIECES = [
    "[",
    "]",
    "[/]",
    "[b]",
    "[/ x]",
    "[link=https://x]",
    "[@click=app.quit]",
    "\\",
    "\x1b",
    "\x1b]2;",
    "\x1b[31m",
    "\x07",
    "\x00",
    "\x9b",
    "\x9d",
    "\u202e",
    "&",
    "<",
]
SOME_TEXT = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12),
    ),
    max_size=8,
).map("".join)
ANY_TEXT = st.text(max_size=60)  # surrogates included


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, multiline=st.booleans())
def test_clean_text_is_idempotent_nfc_and_free_of_control_characters(text, multiline):
    try:
        cleaned = clean_text(text, multiline=multiline)
    except ValueError:
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        return
    assert clean_text(cleaned, multiline=multiline) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    allowed = {"\n"} if multiline else set()
    assert not [c for c in cleaned if unicodedata.category(c) == "Cc" and c not in allowed]
    assert cleaned == cleaned.strip()
    if not multiline:
        assert "  " not in cleaned and "\n" not in cleaned


def test_clean_text_is_linear_on_a_flood_of_escape_introducers():
    import time

    for hostile in ("\x1b]" * 200_000, "\x9d" * 400_000, "\x1b[" * 200_000, "\x1bP" * 200_000):
        started = time.perf_counter()
        cleaned = clean_text(hostile + "\nok")
        assert time.perf_counter() - started < 2.0
        assert cleaned.endswith("ok") and not any(unicodedata.category(c) == "Cc" for c in cleaned)


def test_a_lone_c1_character_does_not_swallow_the_words_after_it():
    assert clean_text("Kaffe\x9d og kage") == "Kaffe og kage"
    assert clean_text("Kaffe \x90og kage") == "Kaffe og kage"


def accepted(text: str) -> str | None:
    """The stored form of a heading, or None when the engine refuses it."""
    cleaned = clean_text(text)
    return cleaned if cleaned and len(cleaned) <= MAX_HEADING else None


async def quick(pilot, *keys: str) -> Any:
    await pilot.press(*keys)
    await pilot.pause()
    return pilot.app.screen


async def _show_everything(store: Store, texts: list[str]) -> None:
    """Put ``texts`` in through the engine and open every screen that shows them."""
    clock = lambda: 1_800_000_000.0  # noqa: E731
    engine = make_engine(store, clock, title=texts[0] if accepted(texts[0]) else "Møde")
    assert engine.title == (accepted(texts[0]) or "Møde")
    await engine.goto(2)
    stored: list[str] = []
    for number, text in enumerate(texts):
        expected = accepted(text)
        if expected is None:
            with pytest.raises(EngineError):
                await engine.add_flipover(1, text, [text])
            continue
        flip = await engine.add_flipover(number % 4 + 1, text, [text])
        assert flip.heading == expected
        assert flip.proposals == ((expected,) if len(expected) <= 500 else ())
        stored.append(expected)
    assert sorted(f.heading for f in engine.flipovers()) == sorted(stored)
    theme_name = None
    lone = list(stored)
    if len(stored) >= 2:
        name = accepted(texts[-1]) or "Tema"
        themed = engine.flipovers()[:2]
        theme = await engine.create_theme(
            texts[-1] if accepted(texts[-1]) else "Tema", [f.id for f in themed]
        )
        theme_name = {t.id: t.name for t in engine.themes()}[theme]
        assert theme_name == name
        await engine.set_priorities([f"t{theme}"])
        for flip in themed:
            lone.remove(flip.heading)
    hidden = await engine.add_flipover(1, "Særskilt", stored[:1]) if stored else None
    if hidden is not None:
        await engine.set_confidential(hidden.id)
    await engine.goto(3)

    app, _ = make_app(engine)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        projector = app.screen
        assert plain(projector.query_one("#meeting-title").content) == engine.title
        screen_lines(app)  # the whole screen renders

        entry = await quick(pilot, "f")
        table = entry.query_one("#flipovers", DataTable)
        assert sorted(table_texts(table, 2)) == sorted(stored)
        screen_lines(app)
        await back_to_projector(pilot)

        galleri = await quick(pilot, "g")
        bodies = [b.split("\n• ")[0] for b in card_bodies(galleri)]
        assert sorted(bodies) == sorted(stored)
        if theme_name:
            themes = [
                str(c.query_one(".card-theme").content)
                for c in galleri.query(Card)
                if c.display and c.query_one(".card-theme").display
            ]
            assert themes == [f"Tema: {theme_name}"] * 2
        screen_lines(app)

        if hidden is not None:
            confidential = await quick(pilot, "S", "y")
            table = confidential.query_one("#conf-table", DataTable)
            assert table_texts(table, 2) == [stored[0]]
            screen_lines(app)
            await pilot.press("escape")
            await pilot.pause()

        prioritering = await quick(pilot, "p")
        table = prioritering.query_one("#ranking", DataTable)
        titles = [w.rsplit("\n", 1)[0] for w in table_texts(table, 1)]
        expected_titles = [f"Tema: {theme_name}"] if theme_name else []
        expected_titles += lone
        assert len(titles) == len(expected_titles)
        for title in expected_titles:  # long titles are cut with an ellipsis
            assert any(t == title or (t.endswith("…") and title.startswith(t[:-1])) for t in titles)
        screen_lines(app)

        if theme_name:
            choose = await quick(pilot, "v")
            table = choose.query_one("#options", DataTable)
            assert table_texts(table, 1) == [f"Tema: {theme_name}"]
            screen_lines(app)
        await back_to_projector(pilot)
        await engine.goto(4)  # the vote: the projector's board shows the wishes
        await pilot.pause()
        app.screen.redraw()
        assert sorted(c.split("\n")[0] for c in board_texts(app.screen.query_one("#board"))) == (
            sorted(stored)
        )
        screen_lines(app)
    engine.release()


# Each example opens every screen once in a pilot (about 3 s), so CI runs a few examples
# of up to six texts each; FACILITATOR_HOSTILE_EXAMPLES=500 runs a long search.
PILOT_EXAMPLES = int(os.environ.get("FACILITATOR_HOSTILE_EXAMPLES", "5"))


@settings(
    max_examples=PILOT_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(SOME_TEXT, min_size=2, max_size=6))
def test_any_text_is_shown_as_it_was_stored(texts, user_agenda_dir, sqlite_template):
    assume(any(accepted(t) for t in texts))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.db"
        shutil.copyfile(sqlite_template, path)  # a fresh, migrated database (conftest.py)
        store = Store(f"sqlite:///{path}")
        try:
            asyncio.run(_show_everything(store, texts))
        finally:
            store.close()


# ---------------------------------------------------------------------- exports
EXPORT_HEADINGS = [
    "# x",
    "*y* og _z_",
    "<script>alert(1)</script>",
    "[a](b)",
    "![billede](http://x/y.png)",
    "- ikke en liste",
    "1. ikke nummereret",
    "> ikke citat",
    "a | b",
    "`kode`",
    "&lt;b&gt; og &amp;",
    "~~streg~~",
    "Mindre støj [/ bedre akustik]",
]
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x";"klik")']


@pytest.fixture
async def exported(store, fake_clock, user_agenda_dir):
    engine = make_engine(store, fake_clock, title="<b>Møde</b> # 1")
    await engine.goto(2)
    for number, heading in enumerate(EXPORT_HEADINGS + FORMULAS):
        await engine.add_flipover(number % 4 + 1, heading, [heading])
    ids = [f.id for f in engine.flipovers()][:2]
    await engine.create_theme("=tema*", ids)
    yield engine
    engine.release()


def markdown_to_text(md: str) -> str:
    """What a reader sees in rendered Markdown: the HTML with its tags removed."""
    from markdown_it import MarkdownIt

    html_text = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(md)
    return html_text


def test_markdown_export_keeps_hostile_text_literal(exported):
    import html
    import re

    md = render(bruttoliste(exported.store, exported.meeting_id), "md").decode()
    rendered = markdown_to_text(md)
    # No element but those the export writes itself: headings, list items, bold.
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"h1", "h2", "p", "ol", "ul", "li", "strong"}, tags
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for heading in EXPORT_HEADINGS + FORMULAS:
        assert heading in text, heading
    assert "<b>Møde</b> # 1" in text
    assert "=tema*" in text


def test_csv_export_neutralises_formulas_and_keeps_the_rest(exported):
    raw = render(bruttoliste(exported.store, exported.meeting_id), "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    headings = [r[header.index("Overskrift")] for r in body]
    proposals = [r[header.index("Forslag")] for r in body]
    themes = {r[header.index("Tema")] for r in body}
    for formula in FORMULAS:
        assert "'" + formula in headings and "'" + formula in proposals
        assert formula not in headings
    for heading in EXPORT_HEADINGS:
        expected = "'" + heading if heading[0] in "=+-@" else heading
        assert expected in headings
    assert "'=tema*" in themes
    for row in body:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", row


# ---------------------------------------------------------------------- the command line
def test_the_command_line_cleans_a_title_and_refuses_bytes_it_cannot_store(
    tmp_path, capsys, user_agenda_dir
):
    from facilitator.cli import main

    url = f"sqlite:///{tmp_path}/cli.db"
    # A Latin-1 byte in a UTF-8 terminal reaches Python as a lone surrogate (surrogateescape).
    assert main(["new", "--agenda", "dialogmoede-1", "--title", "Caf\udce9", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "ugyldigt tegn" in err and "Traceback" not in err
    assert main(["new", "--agenda", "dialogmoede-1", "--title", ESCAPES, "--db", url]) == 0
    mid = int(capsys.readouterr().out.strip().splitlines()[-1])
    store = Store(url)
    try:
        assert store.get_meeting(mid).title == "Ny titel rød nul c1 slut"
    finally:
        store.close()
