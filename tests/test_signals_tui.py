"""The signals the room notices, on the TUI (issue 10): the countdown flashes at a turn
change and a phase end (besides the bell), the wrap-up draws the countdown in another
style with its word ("2 min tilbage") at 160×45 and 80×24, the board screens tell the
engine which of them is open (the wall page shows it), and `w` shows the wall's addresses.

The engine's timers run on the fake scheduler (conftest.FakeScheduler): "a minute later"
is a line of test code. The flash lasts ``countdown.FLASH_S``, made short here, so the
test sees it drawn and then gone without waiting a real second.
"""

from __future__ import annotations

from typing import Any

import pytest

import screens.components.countdown as countdown_module
from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting
from screens.choose import ChooseScreen
from screens.components import Countdown
from screens.dialogs import ConfirmScreen
from screens.galleri import GalleriScreen
from screens.links import WallLinksScreen
from screens.palette import system_commands
from screens.prioritering import PrioriteringScreen
from screens.projector import ProjectorScreen
from tests.screen import drawn, on_top, settled, until

BIG = (160, 45)
SMALL = (80, 24)
SIZES = [BIG, SMALL]
WHITE, BLACK = "#ffffff", "#000000"


def amber(colour: str | None) -> bool:
    """The theme's warning colour (#FFB000, as the terminal gets it after blending)."""
    if not colour:
        return False
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return r >= 0xF0 and 0xA0 <= g <= 0xC0 and b <= 0x20


# Two turns of 45 s in a phase of 3 minutes with a wrap-up of 2: the turns change at
# 45 s and 90 s, the wrap-up begins at 60 s, the phase ends at 180 s.
SHORT_AGENDA = """\
format = 1
title = "Kort møde"
method = "anerkendende-interview"
language = "da"

[[phase]]
kind = "rounds"
title = "Tur-runde"
minutes = 3
speakers = 2
turn_seconds = 45
warning_minutes = 2
text = "Hver person fortæller på skift."

[[phase]]
kind = "info"
title = "Afslutning"
minutes = 3
"""
TURN_S, WARNING_AT_S, PHASE_S = 45, 60, 180


@pytest.fixture
def short(store, fake_clock, fake_scheduler, user_agenda_dir):
    """A started phase of the short agenda, its timers on the fake scheduler."""
    (user_agenda_dir / "kort.toml").write_text(SHORT_AGENDA, encoding="utf-8")
    meeting = create_meeting(
        store, load_agenda("kort"), "kort", "Kort møde", groups=3, participants=12
    )
    engine = MeetingEngine(store, meeting, clock=fake_clock, scheduler=fake_scheduler)
    yield engine
    engine.release()


@pytest.fixture
def quick_flash(monkeypatch):
    """A flash of a fraction of a second: drawn, then gone, with no real-second wait."""
    monkeypatch.setattr(countdown_module, "FLASH_S", 0.6)


def make_app(engine: MeetingEngine, **kwargs: Any) -> FacilitatorApp:
    app = FacilitatorApp(engine.store, engine=engine, web=False, **kwargs)
    app.bells = 0  # type: ignore[attr-defined]

    def bell() -> None:
        app.bells += 1  # type: ignore[attr-defined]

    app.bell = bell  # type: ignore[method-assign]
    return app


# ---------------------------------------------------------------------- what is drawn
def cells(app: FacilitatorApp, widget) -> list[tuple[str, str | None, str | None]]:
    """(character, foreground, background) of every cell the widget covers on screen, as
    the terminal gets them (the compositor's strips, colours as #rrggbb)."""
    region = widget.region
    assert region.width > 0 and region.height > 0, f"{widget} is not on screen"
    strips = app.screen._compositor.render_strips()
    found: list[tuple[str, str | None, str | None]] = []
    for y in range(region.y, region.bottom):
        for segment in strips[y].crop(region.x, region.right):
            style = segment.style
            fg = style.color.get_truecolor().hex if style and style.color else None
            bg = style.bgcolor.get_truecolor().hex if style and style.bgcolor else None
            found += [(char, fg, bg) for char in segment.text]
    return found


def flashed(app: FacilitatorApp) -> bool:
    """The countdown drawn inverted: every cell on white, its ink black."""
    drawn_cells = cells(app, app.screen.query_one(Countdown))
    return all(bg == WHITE for _, _, bg in drawn_cells) and all(
        fg == BLACK for char, fg, _ in drawn_cells if char.strip()
    )


def plain(app: FacilitatorApp) -> bool:
    """The countdown drawn as usual: on the black screen."""
    drawn_cells = cells(app, app.screen.query_one(Countdown))
    return sum(bg == BLACK for _, _, bg in drawn_cells) > len(drawn_cells) // 2


def all_amber(colours: set[str | None]) -> bool:
    return bool(colours) and all(amber(c) for c in colours)


def ink(app: FacilitatorApp, selector: str) -> set[str | None]:
    """The colours of the glyphs drawn in the countdown's part ``selector``."""
    part = app.screen.query_one(Countdown).query_one(selector)
    return {fg for char, fg, _ in cells(app, part) if char.strip()}


# ---------------------------------------------------------------------- the flash
async def test_the_countdown_flashes_at_a_turn_change_and_at_the_phase_end(
    short, fake_scheduler, quick_flash
):
    engine = short
    await engine.start()
    app = make_app(engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        await drawn(pilot, "Tur-runde")
        await settled(pilot, lambda: plain(app))
        assert not flashed(app)

        # the first turn ends: the bell and a flash, which goes away again
        await fake_scheduler.advance(TURN_S + 0.01, engine)
        await settled(pilot, lambda: flashed(app))
        assert app.bells == 1
        await settled(pilot, lambda: plain(app))
        assert not flashed(app)

        # the phase's time runs out: the bell and the flash again
        await fake_scheduler.advance(PHASE_S - TURN_S, engine)
        await drawn(pilot, "over tid")
        await settled(pilot, lambda: flashed(app))
        assert app.bells == 3  # the second turn's change, then the phase end
        await settled(pilot, lambda: plain(app))


async def test_a_board_screens_clock_line_flashes_too(short, fake_scheduler, quick_flash):
    """With the galleri on the projector, its clock line is what the room sees flash."""
    engine = short
    await engine.start()
    app = make_app(engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        await pilot.press("g")
        galleri = await on_top(pilot, GalleriScreen)
        line = galleri.query_one("ClockLine")

        def backgrounds() -> set[str | None]:
            return {bg for _, _, bg in cells(app, line)}

        await settled(pilot, lambda: WHITE not in backgrounds())
        await fake_scheduler.advance(TURN_S + 0.01, engine)
        await settled(pilot, lambda: backgrounds() == {WHITE})
        assert app.bells == 1
        await settled(pilot, lambda: WHITE not in backgrounds())


async def test_the_wrap_up_warning_does_not_flash(short, fake_scheduler, quick_flash):
    """The warning has its own style and word; the flash is for a turn or the end."""
    engine = short
    await engine.start()
    await fake_scheduler.advance(TURN_S + 1, engine)  # past the first turn change
    app = make_app(engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        await settled(pilot, lambda: plain(app))
        await fake_scheduler.advance(WARNING_AT_S - TURN_S, engine)
        await drawn(pilot, "2 min tilbage")
        for _ in range(5):
            await pilot.pause(0.05)
            assert not flashed(app)
        assert app.bells == 0


# ---------------------------------------------------------------------- the wrap-up
@pytest.mark.parametrize("size", SIZES, ids=["160x45", "80x24"])
async def test_the_wrap_up_shows_its_word_and_style_on_the_projector(
    short, fake_scheduler, quick_flash, size
):
    engine = short
    await engine.start()
    app = make_app(engine)
    async with app.run_test(size=size) as pilot:
        await on_top(pilot, ProjectorScreen)
        countdown = app.screen.query_one(Countdown)
        text = await drawn(pilot, "Tur-runde", "Kører")
        assert "min tilbage" not in text
        assert not any(amber(c) for c in ink(app, "#digits"))

        await fake_scheduler.advance(WARNING_AT_S + 1, engine)  # 1:59 left
        text = await drawn(pilot, "2 min tilbage", "Tur-runde")
        await until(pilot, lambda: countdown.value == "01:59", "the countdown at 01:59")
        assert countdown.warning and countdown.has_class("-warning")
        # another style: the digits and the word in amber, not white and green (once the
        # first turn's flash has gone)
        await settled(pilot, lambda: all_amber(ink(app, "#digits")))
        word = {bg for _, _, bg in cells(app, countdown.query_one("#clock-state"))}
        assert all_amber(word)
        # the countdown and the phase title are still whole on the screen
        assert countdown.region.right <= size[0] and countdown.region.bottom <= size[1]
        assert app.screen.query_one("#phase-title").region.height >= 1

        # paused in the wrap-up: still its word, with the pause said too
        await pilot.press("space")
        await drawn(pilot, "Pause · 2 min tilbage")
        assert all_amber(ink(app, "#digits"))

        # one minute left: the word follows
        await pilot.press("space")
        await fake_scheduler.advance(60, engine)
        await drawn(pilot, "1 min tilbage")

        # the time is up: no longer the wrap-up, but over time
        await fake_scheduler.advance(60, engine)
        text = await drawn(pilot, "over tid")
        assert "min tilbage" not in text
        assert not countdown.has_class("-warning")


async def test_more_time_ends_the_wrap_up(short, fake_scheduler):
    engine = short
    await engine.start()
    await fake_scheduler.advance(WARNING_AT_S + 30, engine)
    app = make_app(engine)
    async with app.run_test(size=SMALL) as pilot:
        await on_top(pilot, ProjectorScreen)
        await drawn(pilot, "2 min tilbage")
        await pilot.press("5")  # +5 minutes: far from the end again
        await drawn(pilot, "Kører")
        countdown = app.screen.query_one(Countdown)
        assert not countdown.has_class("-warning")
        assert not any(amber(c) for c in ink(app, "#digits"))


# ---------------------------------------------------------------------- the board screens
async def test_the_engine_is_told_which_board_screen_is_open(short):
    engine = short
    views: list[str | None] = []
    engine.add_listener(lambda s: views.append(s.event.view) if s.event.kind == "display" else 0)
    app = make_app(engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        assert engine.display is None

        await pilot.press("g")
        await on_top(pilot, GalleriScreen)
        await until(pilot, lambda: engine.display == "galleri", "galleri told")

        # a dialog over the galleri leaves the galleri on the screen (and on the wall)
        app.push_screen(ConfirmScreen("Er du sikker?"))
        await on_top(pilot, ConfirmScreen)
        await pilot.pause()
        assert engine.display == "galleri"
        await pilot.press("escape")
        await on_top(pilot, GalleriScreen)

        # switching between the board screens ends on the one switched to
        await pilot.press("p")
        await on_top(pilot, PrioriteringScreen)
        await until(pilot, lambda: engine.display == "prioritering", "prioritering told")
        await pilot.press("v")
        await on_top(pilot, ChooseScreen)
        await until(pilot, lambda: engine.display == "choose", "choose told")
        await pilot.press("p")
        await on_top(pilot, PrioriteringScreen)
        await until(pilot, lambda: engine.display == "prioritering", "back to prioritering")
        await pilot.press("g")
        await on_top(pilot, GalleriScreen)
        await until(pilot, lambda: engine.display == "galleri", "back to the galleri")
        for _ in range(3):
            await pilot.pause()
        assert engine.display == "galleri"

        # closed: back on the projector, nothing on the wall but the projector's view
        await pilot.press("escape")
        await on_top(pilot, ProjectorScreen)
        await until(pilot, lambda: engine.display is None, "closed told")

        # the wall page is not on the projector: the board view is gone from it too
        await pilot.press("v")
        await on_top(pilot, ChooseScreen)
        await until(pilot, lambda: engine.display == "choose", "choose told")
        await pilot.press("v")
        await on_top(pilot, ProjectorScreen)
        await until(pilot, lambda: engine.display is None, "choose closed")
    assert views == [
        "galleri",
        "prioritering",
        "choose",
        "prioritering",
        "galleri",
        None,
        "choose",
        None,
    ]


async def test_blanking_the_projector_and_the_join_screen_reach_the_wall_too(short):
    """`b` blanks the room's screen: with the wall page on the projector, the engine must
    say so (the wall goes black), and say when it comes back; `j` likewise."""
    from screens.dialogs import BlankScreen
    from screens.join import JoinScreen

    engine = short
    app = make_app(engine)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        await pilot.press("b")
        await on_top(pilot, BlankScreen)
        await until(pilot, lambda: engine.display == "blank", "blank told")
        await pilot.press("x")  # any key brings the projector back
        await on_top(pilot, ProjectorScreen)
        await until(pilot, lambda: engine.display is None, "back told")
        await pilot.press("j")
        await on_top(pilot, JoinScreen)
        await until(pilot, lambda: engine.display == "join", "join told")
        await pilot.press("escape")
        await on_top(pilot, ProjectorScreen)
        await until(pilot, lambda: engine.display is None, "join closed")


async def test_a_board_screens_clock_line_shows_the_wrap_up_in_words(short, fake_scheduler):
    """With the galleri on the projector in the phase's last minutes, its clock line says
    "2 min tilbage" (and takes the wrap-up's colour), as the big countdown does."""
    engine = short
    await engine.start()
    app = make_app(engine)
    async with app.run_test(size=SMALL) as pilot:
        await on_top(pilot, ProjectorScreen)
        await pilot.press("g")
        galleri = await on_top(pilot, GalleriScreen)
        line = galleri.query_one("ClockLine")
        await drawn(pilot, "Kører")
        assert "tilbage" not in str(line.render())
        await fake_scheduler.advance(WARNING_AT_S + 1, engine)
        await drawn(pilot, "2 min tilbage")
        assert "2 min tilbage" in str(line.render())
        await settled(pilot, lambda: any(amber(bg) for _, _, bg in cells(app, line)))


# ---------------------------------------------------------------------- the wall's address
class FakeServer:
    """The web server as the projector's `w` sees it: only its wall addresses."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls

    def wall_urls(self) -> list[str]:
        return list(self.urls)

    async def stop(self) -> None:
        pass


WALL_URLS = ["http://127.0.0.1:8765/wall", "http://192.168.1.20:8765/wall"]


@pytest.mark.parametrize("size", SIZES, ids=["160x45", "80x24"])
async def test_w_shows_the_wall_pages_addresses(short, size):
    app = make_app(short)
    async with app.run_test(size=size) as pilot:
        await on_top(pilot, ProjectorScreen)
        await drawn(pilot, "Vægskærm")  # the key is in the footer
        titles = [command.title for command in system_commands(app, app.screen)]
        assert any(title.startswith("Vægskærm") and "(w)" in title for title in titles)
        # "+5 min" left the footer to make room; the palette still has it
        assert "+5 minutter (5)" in titles

        app.web_server = FakeServer(WALL_URLS)
        await pilot.press("w")
        await on_top(pilot, WallLinksScreen)
        text = await drawn(pilot, *WALL_URLS, "F11", "udvidet skrivebord")
        assert text.index(WALL_URLS[0]) < text.index(WALL_URLS[1])  # the local one first
        assert "token" not in text

        await pilot.press("w")  # w closes it again
        await on_top(pilot, ProjectorScreen)
        await pilot.press("w")
        await on_top(pilot, WallLinksScreen)
        await pilot.press("escape")
        await on_top(pilot, ProjectorScreen)
        app.web_server = None


async def test_w_without_a_web_server_says_so(short):
    app = make_app(short)
    async with app.run_test(size=SMALL) as pilot:
        await on_top(pilot, ProjectorScreen)
        await pilot.press("w")
        await on_top(pilot, WallLinksScreen)
        await drawn(pilot, "Web er slået fra", "ingen vægskærm")


async def test_w_from_the_palette(short):
    app = make_app(short)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        app.web_server = FakeServer(WALL_URLS[:1])
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Vægskærm")
        await drawn(pilot, "Vægskærm: adressen til browseren på projektoren")
        await pilot.press("enter")
        await on_top(pilot, WallLinksScreen)
        await drawn(pilot, WALL_URLS[0])
        app.web_server = None
