"""The projector, join, entry and start screens, driven with keys through Textual's pilot.

A fake clock stands in for the wall, so "five seconds later" is a line of test code.
The store, the fake clock and the meeting (3 groups, 12 participants) come from
tests/conftest.py; the web server is off unless a test fakes it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.engine import MeetingEngine, create_meeting
from screens.components import BigText
from screens.components.qrcode import qr_text
from screens.dialogs import BlankScreen, ConfirmScreen
from screens.flipover_entry import FlipoverEntryScreen
from screens.join import JoinScreen, best_scale
from screens.projector import ProjectorScreen
from screens.start import NewMeetingScreen, StartScreen
from tests.screen import WAIT_LIMIT_S, on_top, until

BIG = (160, 45)
SMALL = (80, 24)


# ---------------------------------------------------------------------- helpers
class Notes(list):
    """Every notification the app shows, as (message, severity)."""

    def messages(self) -> str:
        return "\n".join(message for message, _ in self)


def record_notes(app: FacilitatorApp) -> Notes:
    """Keep every notification the app shows (and still show it)."""
    notes = Notes()
    original = app.notify

    def notify(message: str, **kw: Any) -> None:
        notes.append((str(message), kw.get("severity", "information")))
        original(message, **kw)

    app.notify = notify  # type: ignore[method-assign]
    return notes


def make_app(store, meeting_id, clock, **kwargs: Any) -> tuple[FacilitatorApp, Notes]:
    app = FacilitatorApp(store, meeting_id, web=False, clock=clock, **kwargs)
    return app, record_notes(app)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).content)


def state(app: FacilitatorApp) -> str:
    return text_of(app.screen, "#clock-state")


def digits(app: FacilitatorApp) -> str:
    return app.screen.query_one("#digits", BigText).value


@pytest.fixture
def app_and_notes(store, meeting_id, fake_clock):
    return make_app(store, meeting_id, fake_clock)


# ---------------------------------------------------------------------- the clock keys
async def test_space_starts_and_pauses_the_phase(app_and_notes, fake_clock):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, ProjectorScreen)
        await until(pilot, lambda: state(app) == "Klar", "the clock ready")
        assert digits(app) == "15:00"
        await pilot.press("space")
        await until(pilot, lambda: state(app) == "Kører", "the clock running")
        fake_clock.advance(61)
        assert await drawn_within(pilot, lambda: digits(app) == "13:59")  # the 4 Hz redraw
        await pilot.press("space")
        await until(pilot, lambda: state(app) == "Pause", "the clock paused")
        fake_clock.advance(600)  # paused: time stands
        await pilot.pause(0.3)  # several 4 Hz redraws, none of which may move it
        assert digits(app) == "13:59"


async def test_right_enters_next_phase_ready_and_left_returns_paused(app_and_notes, fake_clock):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("space")
        fake_clock.advance(120)
        await pilot.press("right")
        await pilot.pause()
        assert text_of(app.screen, "#phase-count").startswith("Fase 2 af 6")
        assert text_of(app.screen, "#phase-title") == "Interview i 3-mandsgrupper"
        assert state(app) == "Klar"
        assert digits(app) == "25:00"
        assert "1 interviewer 2" in text_of(app.screen, "#turn")
        await pilot.press("left")
        await pilot.pause()
        assert text_of(app.screen, "#phase-title") == "Fælles intro"
        assert state(app) == "Pause"
        assert digits(app) == "13:00"


async def test_presenter_clicker_pagedown_and_pageup(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert app.engine.index == 2
        assert text_of(app.screen, "#phase-count").startswith("Fase 3 af 6")
        await pilot.press("pageup")
        await pilot.pause()
        assert app.engine.index == 1


async def test_plus_and_five_extend_the_phase(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("plus")
        await pilot.pause()
        assert digits(app) == "16:00"
        await pilot.press("equals_sign")
        await pilot.pause()
        assert digits(app) == "17:00"
        await pilot.press("5")
        await pilot.pause()
        assert digits(app) == "22:00"
        assert app.engine.clock.duration_s == 22 * 60


async def drawn_within(pilot, check, seconds: float = WAIT_LIMIT_S) -> bool:
    """Whether ``check()`` holds once the screen's next ticks have drawn (on a loaded
    machine a tick may come late: wait for it rather than for a fixed time)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await pilot.pause(0.05)
    return check()


async def test_overrun_is_said_in_words(app_and_notes, fake_clock):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("space")
        fake_clock.advance(15 * 60 + 5)
        assert await drawn_within(pilot, lambda: state(app) == "+00:05 over tid"), state(app)
        assert digits(app) == "+00:05"
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Pause · +00:05 over tid"


async def test_turn_change_and_phase_end_ring_the_bell(app_and_notes, fake_clock):
    app, _ = app_and_notes
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("right", "space")
        fake_clock.advance(301)  # the first interview is over
        await app.engine.check_timers()
        assert await drawn_within(pilot, lambda: "2 interviewer 3" in text_of(app.screen, "#turn"))
        assert len(rings) == 1
        fake_clock.advance(25 * 60)
        await app.engine.check_timers()
        assert await drawn_within(pilot, lambda: "over tid" in state(app))
        assert len(rings) == 2


async def test_refused_command_is_a_notification_not_a_crash(app_and_notes):
    app, notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("left")  # already on the first phase
        await pilot.pause()
        assert ("Det er første fase", "error") in notes
        for key in ("x", "z", "ctrl+x", "tab", "escape", "enter", "up", "down", "0", "minus"):
            await pilot.press(key)
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ProjectorScreen)
        assert app.engine.index == 0 and not app.engine.clock.started


async def test_quit_asks_first_and_no_keeps_the_meeting(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#no")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("escape")  # Escape means no
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        await pilot.press("q")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
    assert not app.is_running


async def test_quitting_releases_the_lease(store, meeting_id, fake_clock):
    app, _ = make_app(store, meeting_id, fake_clock)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        assert store.get_meeting(meeting_id).lease_pid == os.getpid()
        await pilot.press("q", "y")
        await pilot.pause()
    assert store.get_meeting(meeting_id).lease_pid is None


async def test_meeting_held_elsewhere_goes_to_the_start_screen(store, meeting_id, fake_clock):
    store.acquire_lease(meeting_id, os.getppid(), "den anden bærbare", fake_clock())
    app, notes = make_app(store, meeting_id, fake_clock)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "kører allerede (den anden bærbare)" in notes.messages()


# ---------------------------------------------------------------------- blank and join
async def test_blank_screen_returns_on_any_key_without_acting(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BlankScreen)
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert not app.engine.clock.started  # the key only woke the screen


async def test_join_screen_opens_and_closes_on_one_key(store, meeting_id, fake_clock):
    app, _ = make_app(store, meeting_id, fake_clock, lan_address="192.168.1.20")
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        qr = app.screen.query_one("#join-qr")
        assert qr.scale == best_scale(qr.modules, 158, 40) > 1
        assert "http://192.168.1.20:8765/" in text_of(app.screen, "#join-address")
        assert app.engine.code in text_of(app.screen, "#join-code")
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        await pilot.press("j")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)


def test_qr_scale_and_drawing():
    assert best_scale(33, 158, 40) == 2  # 66 columns, 33 rows
    assert best_scale(33, 78, 19) == 1
    matrix = [[True, False], [False, True], [True, True]]
    text = qr_text(matrix)
    assert text.plain == "▀▀\n▀▀"  # two module rows per text row, padded with a light row
    first = text.spans[0].style
    assert str(first.color.name) == "#000000" and str(first.bgcolor.name) == "#ffffff"


# ---------------------------------------------------------------------- web status
class FakeWeb:
    instances: list[FakeWeb] = []

    def __init__(self, engine, host=None, port=8765, lan_address=None, **_: Any):
        self.engine = engine
        self.port = port
        self.participant_url: str | None = None
        self.error: str | None = None
        self.stopped = False
        FakeWeb.instances.append(self)

    @property
    def no_network(self) -> bool:
        return self.participant_url is None

    async def start(self) -> None:
        self.error = (
            f"Port {self.port} er optaget – telefonerne kan ikke komme på (vælg en anden port)"
        )

    async def stop(self) -> None:
        self.stopped = True


async def test_busy_port_and_no_network_are_shown_not_raised(
    store, meeting_id, fake_clock, monkeypatch
):
    import facilitator.web.server as server

    monkeypatch.setattr(server, "WebServer", FakeWeb)
    FakeWeb.instances.clear()
    app = FacilitatorApp(store, meeting_id, web=True, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        screen = app.screen
        # the cause is said, not a missing network
        assert "Telefonsiden kører ikke" in text_of(screen, "#join-url")
        assert "Port 8765 er optaget" in text_of(screen, "#web-error")
        app.engine.set_phones(3)
        # Phone counts are folded into one redraw every 0.2 s.
        await until(
            pilot,
            lambda: text_of(screen, "#phones") == "3 telefoner forbundet",
            "the phones counted",
        )
        await pilot.press("q", "y")
        await pilot.pause()
    assert FakeWeb.instances[0].stopped


async def test_the_projector_is_drawn_before_the_web_server_starts(
    store, meeting_id, fake_clock, monkeypatch
):
    """The first frame does not wait for the web server: when the server is built, the
    projector is on the screen already, saying the phone page is on its way."""
    import facilitator.web.server as server
    from tests.screen import screen_text, until

    seen: list[str] = []

    class Watching(FakeWeb):
        def __init__(self, engine, **kwargs: Any) -> None:
            seen.append(screen_text(app))
            super().__init__(engine, **kwargs)

        async def start(self) -> None:
            self.participant_url = "http://192.0.2.7:8765/"

    monkeypatch.setattr(server, "WebServer", Watching)
    app = FacilitatorApp(store, meeting_id, web=True, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        await until(pilot, lambda: app.web_server is not None, "the web server")
        assert "Fælles intro" in seen[0] and "Telefonsiden starter" in seen[0], seen[0]
        await until(pilot, lambda: "http://192.0.2.7:8765/" in screen_text(app), "the address")


def test_the_first_frame_imports_no_web_server_and_no_qr_library():
    """aiohttp (the web server) and qrcode (the address's QR) come after the first frame:
    importing the app and the projector brings in neither."""
    import subprocess
    import sys

    code = (
        "import sys, facilitator.app, screens.projector;"
        "print(sorted(m for m in ('aiohttp', 'qrcode', 'facilitator.web.server',"
        " 'screens.start') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------------- responsive
@pytest.mark.parametrize(
    ("size", "bar", "qr", "questions"),
    [
        ((160, 45), True, True, True),
        ((120, 30), False, True, True),
        ((80, 24), False, False, True),
        ((60, 15), False, False, False),
    ],
)
async def test_projector_drops_parts_in_order_as_it_shrinks(
    store, meeting_id, fake_clock, size, bar, qr, questions
):
    app, _ = make_app(store, meeting_id, fake_clock, lan_address="192.168.1.20")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.shows == {"meeting_bar": bar, "qr": qr, "questions": questions}
        # The phase title and the countdown never go.
        assert screen.query_one("#phase-title").region.height >= 1
        assert screen.query_one("#digits").region.height >= 3
        if not qr:
            assert "Deltag: http://192.168.1.20:8765/" in text_of(screen, "#join-line")
            assert screen.query_one("#join-line").region.height >= 1


async def test_meeting_bar_shows_wall_clock_and_expected_end(
    store, meeting_id, fake_clock, monkeypatch
):
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        app, _ = make_app(store, meeting_id, fake_clock)
        async with app.run_test(size=BIG) as pilot:
            await pilot.pause()
            bar = app.screen.query_one("#meeting-bar").plain
            # 2027-01-15 08:00 UTC; the agenda plans 1 h 55 min
            assert "Kl. 08:00" in bar and "Forventet slut 09:55" in bar
            assert "Mødet 0:00 af 1:55" in bar
            await pilot.press("space")
            fake_clock.advance(20 * 60)  # 5 minutes over the intro's 15

            def bar_text() -> str:
                return app.screen.query_one("#meeting-bar").plain

            late = ("Kl. 08:20", "Forventet slut 10:00")  # 5 min late, on the next tick
            assert await drawn_within(pilot, lambda: all(w in bar_text() for w in late))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# ---------------------------------------------------------------------- flip-over entry
async def open_entry(pilot) -> FlipoverEntryScreen:
    await pilot.press("f")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FlipoverEntryScreen)
    return screen


async def test_flipover_saved_with_one_key_is_in_the_store(
    store, meeting_id, fake_clock, app_and_notes
):
    app, notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("right", "right")  # groups of four: wishes
        screen = await open_entry(pilot)
        screen.query_one("#group", Select).value = 2
        await pilot.press(*"Mere tid til faglig sparring")
        await pilot.press("enter")  # next field
        await pilot.press(*"Fast møde hver uge")
        await pilot.press("ctrl+s")
        await pilot.pause()
        rows = store.flipovers(meeting_id)
        assert [(r.group, r.kind, r.heading, r.proposals) for r in rows] == [
            (2, "wish", "Mere tid til faglig sparring", ("Fast møde hver uge",))
        ]
        assert any(m.startswith("Gemt") for m, _ in notes)
        # The form is ready for the next one, for the same group.
        assert screen.query_one("#heading", Input).value == ""
        assert all(i.value == "" for i in screen.query("Input.proposal").results(Input))
        assert screen.query_one("#group", Select).value == 2
        assert screen.query_one("#flipovers", DataTable).row_count == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert "Gruppe 2: 1" in text_of(app.screen, "#flip-counts")
        assert "Gruppe 1: 0" in text_of(app.screen, "#flip-counts")


async def test_empty_heading_is_refused_and_the_typing_stays(store, meeting_id, app_and_notes):
    app, notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        screen = await open_entry(pilot)
        proposal = screen.query("Input.proposal").results(Input).__next__()
        proposal.focus()
        await pilot.press(*"Flere pauser")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.flipovers(meeting_id) == []
        assert "Overskriften mangler" in notes.messages()
        assert "Overskriften mangler" in text_of(screen, "#entry-message")
        assert proposal.value == "Flere pauser"
        assert app.screen.focused is screen.query_one("#heading", Input)


async def test_enter_in_last_field_saves_and_list_edits_and_deletes(
    store, meeting_id, app_and_notes
):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("right")  # the interview: strengths by default
        screen = await open_entry(pilot)
        assert screen.query_one("#kind", Select).value == "strength"
        await pilot.press(*"Vi hjælper hinanden")
        inputs = list(screen.query("Input.proposal").results(Input))
        inputs[-1].focus()
        await pilot.press(*"Altid en hånd", "enter")
        await pilot.pause()
        (row,) = store.flipovers(meeting_id)
        assert row.kind == "strength" and row.proposals == ("Altid en hånd",)
        # Choose it in the list: it loads for editing.
        table = screen.query_one("#flipovers", DataTable)
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        heading = screen.query_one("#heading", Input)
        assert heading.value == "Vi hjælper hinanden"
        heading.value = "Vi hjælper altid hinanden"
        await pilot.press("ctrl+s")
        await pilot.pause()
        (row,) = store.flipovers(meeting_id)
        assert row.heading == "Vi hjælper altid hinanden"
        # Delete asks first; "Nej" keeps it, "Slet" removes it.
        table.focus()
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert len(store.flipovers(meeting_id)) == 1
        table.focus()
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert store.flipovers(meeting_id) == []
        assert table.row_count == 0


async def test_entry_screen_keeps_the_countdown_visible(app_and_notes, fake_clock):
    app, _ = app_and_notes
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        screen = await open_entry(pilot)
        fake_clock.advance(60)
        clock = screen.query_one("#entry-clock")
        assert await drawn_within(pilot, lambda: "14:00" in str(clock.content))  # next tick
        assert "Kører" in str(clock.content)
        assert clock.region.height == 1 and clock.region.right <= 80


# ---------------------------------------------------------------------- start screen
async def test_start_screen_lists_creates_and_opens_meetings(store, meeting_id, fake_clock):
    app, notes = make_app(store, None, fake_clock)
    async with app.run_test(size=BIG) as pilot:
        start = await on_top(pilot, StartScreen)
        await until(pilot, lambda: start.loaded, "the meetings read")
        table = start.query_one("#meetings", DataTable)
        assert start.meeting_ids() == [meeting_id]  # under its own forløb's row
        assert str(table.get_row_at(table.cursor_row)[0]).strip() == "1. dialogmøde på Ærø"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewMeetingScreen)
        await pilot.press("ctrl+s")  # no title
        await pilot.pause()
        assert "Mødet skal have en titel" in text_of(app.screen, "#new-message")
        await pilot.press(*"Personalemøde", "enter", "4", "enter", "1", "6", "enter")
        await on_top(pilot, StartScreen)
        await until(pilot, lambda: len(start.meeting_ids()) == 2, "the new meeting listed")
        await until(
            pilot,
            lambda: str(table.get_row_at(table.cursor_row)[0]).strip() == "Personalemøde",
            "the new meeting selected",
        )
        new = max(m.id for m in store.list_meetings())
        assert store.get_meeting(new).groups == 4
        assert store.get_meeting(new).participants == 16
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert app.engine.meeting_id == new
        assert text_of(app.screen, "#meeting-title") == "Personalemøde"


async def test_prebuilt_engine_is_used_as_given(store, meeting_id, fake_clock):
    engine = MeetingEngine(store, meeting_id, clock=fake_clock)
    await engine.goto(2)
    app = FacilitatorApp(store, engine=engine, web=False)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert app.engine is engine
        assert text_of(app.screen, "#phase-count").startswith("Fase 3 af 6")


async def test_flipover_from_elsewhere_updates_the_projector(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("right", "right")
        await app.engine.add_flipover(3, "Bedre kaffe", ["Ny maskine"])  # as the web would
        # board events are redrawn at most every 0.2 s
        assert await drawn_within(
            pilot, lambda: "Gruppe 3: 1" in text_of(app.screen, "#flip-counts")
        )


def test_second_meeting_helper(store, user_agenda_dir):
    """The factory the brief names works with the app's agenda list."""
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Test", groups=3)
    app = FacilitatorApp(store, web=False)
    titles = [m["title"] for m in app.list_meetings()]
    assert "Test" in titles and mid
    assert ("dialogmoede-1", load_agenda("dialogmoede-1").title) in app.agendas()


async def test_resizing_the_terminal_keeps_every_key_reachable(app_and_notes):
    """Shrinking the window re-lays the footer on two rows; nothing crashes, keys still work."""
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        screen = app.screen
        footer = screen.query_one("KeyFooter")
        await until(pilot, lambda: footer.region.height == 2, "the footer on two rows")
        await until(pilot, lambda: not screen.shows["meeting_bar"], "the meeting bar gone")
        # (+5 min is not in the footer, for room: the palette lists it)
        wanted = {"space", "right", "left", "plus", "f", "j", "b", "w", "q"}
        # The footer lays its keys out anew after a resize: wait for them to be drawn.
        await until(
            pilot,
            lambda: wanted <= {key.key for key in footer.query("FooterKey")},
            "every key in the footer",
        )
        assert screen.shows == {"meeting_bar": False, "qr": False, "questions": True}
        await pilot.press("space")
        await until(pilot, lambda: state(app) == "Kører", "the clock running")
        await pilot.resize_terminal(160, 45)
        await until(pilot, lambda: footer.region.height == 1, "the footer on one row")
        await until(pilot, lambda: screen.shows["meeting_bar"], "the meeting bar back")


async def test_command_palette_lists_the_keys_in_danish_and_runs_them(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Start/pause (␣)", "Næste fase (→)", "+5 minutter (5)", "Afslut (q)"):
            assert title in commands
        assert commands["Næste fase (→)"].help == "Tast: → eller PgDn"
        commands["Start/pause (␣)"].callback()
        await pilot.pause()
        assert state(app) == "Kører"


async def test_the_command_palette_says_no_match_in_danish(app_and_notes):
    app, _ = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"xyzzyq")
        from tests.test_faults import screen_text

        assert await drawn_within(pilot, lambda: "Ingen handlinger passer" in screen_text(app))
        assert "No matches" not in screen_text(app)


async def test_disk_full_is_a_message_and_the_flipover_text_stays(
    store, meeting_id, app_and_notes, monkeypatch
):
    from facilitator.engine import StorageError

    def full(*args: Any, **kwargs: Any) -> None:
        raise StorageError("kunne ikke gemme: database or disk is full")

    app, notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        monkeypatch.setattr(store, "save_clock", full)
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Klar"  # nothing changed, nothing claimed
        assert ("Kunne ikke gemme: database or disk is full", "error") in notes
        monkeypatch.setattr(store, "add_flipover", full)
        screen = await open_entry(pilot)
        await pilot.press(*"Ro til at arbejde", "ctrl+s")
        await pilot.pause()
        assert not any(m.startswith("Gemt") for m, _ in notes)
        assert screen.query_one("#heading", Input).value == "Ro til at arbejde"
        assert app.is_running


async def test_escape_keeps_unsaved_text_as_a_draft(store, meeting_id, app_and_notes):
    app, notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("right", "right")
        screen = await open_entry(pilot)
        screen.query_one("#group", Select).value = 3
        await pilot.press(*"Ugemt tekst ÆØÅ", "tab", *"Første forslag")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert store.flipovers(meeting_id) == []  # nothing saved behind the user's back
        assert any("kladden" in m for m, _ in notes)
        screen = await open_entry(pilot)
        assert screen.query_one("#heading", Input).value == "Ugemt tekst ÆØÅ"
        first = next(screen.query("Input.proposal").results(Input))
        assert first.value == "Første forslag"
        assert screen.query_one("#group", Select).value == 3


async def test_clearing_a_filled_form_asks_first(store, meeting_id, app_and_notes):
    app, _notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        screen = await open_entry(pilot)
        await pilot.press(*"Vigtigt ønske")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("n")  # Nej
        await pilot.pause()
        assert screen.query_one("#heading", Input).value == "Vigtigt ønske"
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("j")  # Ja
        await pilot.pause()
        assert screen.query_one("#heading", Input).value == ""


async def test_tab_moves_to_the_next_field_before_the_next_key(store, meeting_id, app_and_notes):
    app, _notes = app_and_notes
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("right", "right")  # grupper på 4: five proposal lines
        screen = await open_entry(pilot)
        await pilot.press(*"Race", "tab", "B", "tab", "C", "tab", "D", "tab", "E", "tab", "F")
        await pilot.pause()
        proposals = list(screen.query("Input.proposal").results(Input))
        assert screen.query_one("#heading", Input).value == "Race"
        assert [i.value for i in proposals] == ["B", "C", "D", "E", "F"]
        focused = app.screen.focused
        assert focused is proposals[-1]
        form = screen.query_one("#entry-form")
        # at 80×24 the field being typed in is scrolled into view, not hidden below
        assert form.region.y <= focused.region.y and focused.region.bottom <= form.region.bottom


async def test_keys_typed_in_one_burst_are_all_saved_and_the_rest_go_to_a_new_form(
    store, meeting_id, app_and_notes
):
    """Keys that arrive together (a busy moment, a slow link): the save waits for the
    last word still on its way, and what is typed right after goes into a new form."""
    from textual import events

    app, _notes = app_and_notes
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("right", "right")  # groups of four: wishes
        screen = await open_entry(pilot)

        def burst(*keys: str) -> None:
            for key in keys:
                char = key if len(key) == 1 else None
                app.post_message(events.Key(key, char))

        burst(*"Burst", "enter", *"b1", "enter", *"b2", "ctrl+s", *"Næste")
        await until(
            pilot,
            lambda: store.flipovers(meeting_id) and "Næste" in screen.form.text()[1],
            "saved, and the rest typed in a new form",
        )
        await app.workers.wait_for_complete()
        rows = store.flipovers(meeting_id)
        assert [(r.heading, r.proposals) for r in rows] == [("Burst", ("b1", "b2"))]
        # The keys typed after Ctrl+S are not lost and not added to the saved flip-over:
        # they are in the new, empty form (in the field that had the focus as they came).
        heading, proposals = screen.form.text()
        assert heading == "" and [p for p in proposals if p] == ["Næste"]
