"""Faults in front of the room: a full disk, a read-only or locked database, no network.

Where a fault can be caused without privileges it is caused for real: another process holds
the database with BEGIN EXCLUSIVE; SQLite itself refuses writes (``PRAGMA query_only``, its
"attempt to write a readonly database"); the web server binds an address this machine does
not have (EADDRNOTAVAIL). A full disk needs privileges (or filling the disk), so SQLite's own
error for it is raised where the store writes. Each time the TUI must say so in Danish, keep
what was typed, never acknowledge what was not stored, and carry on when the fault clears.
"""

from __future__ import annotations

import io
import socket
import sqlite3
import subprocess
import sys
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import event
from textual.widgets import DataTable, Input, Select

from facilitator.app import FacilitatorApp
from screens.flipover_entry import FlipoverEntryScreen
from screens.projector import ProjectorScreen
from tests.screen import until
from tests.test_screens import BIG, make_app, state

LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""

DANISH = {
    "disk_full": "disken er fuld",
    "read_only": "databasen er skrivebeskyttet",
    "locked": "databasen er låst af et andet program",
}


class Fault:
    """Turns one database fault on and off under a store that is already open."""

    def __init__(self, store: Any, db_path: Any) -> None:
        self.store = store
        self.db_path = db_path
        self.kind: str | None = None
        self._locker: subprocess.Popen | None = None
        event.listen(store.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        dbapi = conn.connection.dbapi_connection
        # A short busy wait, so a locked database fails in a quarter of a second, not five.
        dbapi.execute("PRAGMA busy_timeout = 250")
        dbapi.execute(f"PRAGMA query_only = {int(self.kind == 'read_only')}")
        writes = statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        if self.kind == "disk_full" and writes:
            raise sqlite3.OperationalError("database or disk is full")

    def on(self, kind: str) -> None:
        self.kind = kind
        if kind == "locked":  # another process holds the whole file
            self._locker = subprocess.Popen(
                [sys.executable, "-c", LOCKER, str(self.db_path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self._locker.stdout.readline().strip() == "locked"

    def off(self) -> None:
        self.kind = None
        if self._locker is not None:
            self._locker.stdin.close()
            self._locker.wait(timeout=10)
            self._locker = None


@pytest.fixture
def fault(store, db_path):
    f = Fault(store, db_path)
    yield f
    f.off()


def screen_text(app: FacilitatorApp) -> str:
    """What the terminal shows now (notifications included), as plain text."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return " ".join(console.export_text().split())


def typed(screen: FlipoverEntryScreen) -> tuple[str, list[str]]:
    heading = screen.query_one("#heading", Input).value
    return heading, [i.value for i in screen.query("Input.proposal").results(Input)]


@pytest.mark.parametrize("kind", ["disk_full", "read_only", "locked"])
async def test_a_flipover_that_could_not_be_stored_is_not_acknowledged(
    kind, store, meeting_id, fake_clock, fault
):
    app, notes = make_app(store, meeting_id, fake_clock)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await pilot.press("right", "right")  # groups of four: wishes
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FlipoverEntryScreen)
        screen.query_one("#group", Select).value = 2
        await pilot.press(*"Ro til fordybelse ÆØÅ", "enter", *"Stille time")
        third = list(screen.query("Input.proposal").results(Input))[1]
        third.value = "Skilt på døren"  # typed as fast as the pilot can
        before = typed(screen)

        fault.on(kind)
        await pilot.press("ctrl+s")
        await pilot.pause()
        shown = screen_text(app)
        assert "Kunne ikke gemme" in shown and DANISH[kind] in shown, shown
        message = screen.query_one("#entry-message").content
        assert DANISH[kind] in getattr(message, "plain", str(message))
        assert not any("Gemt" in message for message, _ in notes)
        assert "Gemt" not in shown
        assert typed(screen) == before  # every typed letter is still there
        assert screen.query_one("#flipovers", DataTable).row_count == 0
        assert store.flipovers(meeting_id, include_confidential=True) == []
        assert app.is_running

        fault.off()
        await pilot.press("ctrl+s")  # the same form, saved again once the fault is gone
        await pilot.pause()
        rows = store.flipovers(meeting_id, include_confidential=True)
        assert [(r.group, r.heading, r.proposals) for r in rows] == [
            (2, "Ro til fordybelse ÆØÅ", ("Stille time", "Skilt på døren"))
        ]
        assert any(message.startswith("Gemt") for message, _ in notes)
        assert screen.query_one("#flipovers", DataTable).row_count == 1
        assert typed(screen)[0] == ""  # ready for the next one


@pytest.mark.parametrize("kind", ["disk_full", "read_only", "locked"])
async def test_the_clock_under_a_fault_says_so_and_carries_on(
    kind, store, meeting_id, fake_clock, fault
):
    app, notes = make_app(store, meeting_id, fake_clock)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await pilot.pause()
        assert state(app) == "Klar"
        fault.on(kind)
        await pilot.press("space")  # start: not stored, so not started
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ProjectorScreen)
        assert state(app) == "Klar"
        shown = screen_text(app)
        assert DANISH[kind] in shown, shown
        await pilot.press("right")  # the next phase: not stored either, so not shown
        await pilot.pause()
        assert app.screen.engine.index == 0
        assert store.get_meeting(meeting_id).current_phase == 0
        assert all(not run.started for run in store.phase_runs(meeting_id))

        fault.off()
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Kører"
        assert store.phase_runs(meeting_id)[0].running_since is not None
        fake_clock.advance(5)
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Pause"
        assert store.phase_runs(meeting_id)[0].elapsed_s == pytest.approx(5)
        errors = [m for m, severity in notes if severity == "error"]
        assert errors and all(DANISH[kind] in m for m in errors)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_no_network_says_so_instead_of_a_qr_and_the_meeting_runs(
    store, meeting_id, fake_clock
):
    app = FacilitatorApp(
        store, meeting_id, web=True, port=free_port(), clock=fake_clock, lan_address=None
    )
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        assert "Ingen netværk" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Kører"


async def test_an_address_that_is_gone_is_a_danish_message_not_a_crash(
    store, meeting_id, fake_clock
):
    # 192.0.2.1 (TEST-NET-1) is on no interface of this machine: binding it fails for real
    # with EADDRNOTAVAIL, as after the Wi-Fi adapter went away.
    app = FacilitatorApp(
        store, meeting_id, web=True, host="192.0.2.1", port=free_port(), clock=fake_clock
    )
    notes: list[str] = []
    original = app.notify
    app.notify = lambda message, **kw: (notes.append(str(message)), original(message, **kw))  # type: ignore[method-assign]
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "Adressen 192.0.2.1 findes ikke på" in shown, shown  # wraps in its column
        error = app.screen.query_one("#web-error").content
        assert "Adressen 192.0.2.1 findes ikke på denne maskine" in str(error)
        assert "Telefonsiden kører ikke" in shown and "Ingen netværk" not in shown
        assert any("192.0.2.1" in n for n in notes)
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Kører"
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"Bedre wifi", "ctrl+s")
        await pilot.pause()
        assert [r.heading for r in store.flipovers(meeting_id)] == ["Bedre wifi"]


async def test_a_busy_port_is_said_as_such_and_tried_again_until_it_is_free(
    store, meeting_id, fake_clock
):
    """Another program (a forgotten check, say) holds the port when the meeting opens: the
    projector says the phone page is not running, not "Ingen netværk", and once the port
    is free the phone page starts by itself, without quitting the meeting."""
    port = free_port()
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", port))
    holder.listen()
    notes: list[str] = []
    app = FacilitatorApp(store, meeting_id, web=True, host="127.0.0.1", port=port, clock=fake_clock)
    original = app.notify
    app.notify = lambda message, **kw: (notes.append(str(message)), original(message, **kw))  # type: ignore[method-assign]
    try:
        async with app.run_test(size=BIG, notifications=True) as pilot:
            await pilot.pause()
            await until(pilot, lambda: app.web_info.error is not None, "the failure shown")
            shown = screen_text(app)
            assert "Telefonsiden kører ikke" in shown and "Ingen netværk" not in shown
            assert f"Port {port} er optaget" in shown
            assert not await app.check_network(app.screen)  # still busy: tried, not said again
            assert sum(f"Port {port}" in n for n in notes) == 1

            holder.close()  # the other program lets go
            assert await app.check_network(app.screen)
            await pilot.pause()
            url = f"http://127.0.0.1:{port}/"
            assert app.web_info.url == url and app.web_info.error is None
            assert url in screen_text(app)
            assert not await app.check_network(app.screen)  # running: nothing to do
    finally:
        holder.close()


async def test_the_network_going_and_coming_back_moves_the_qr(store, meeting_id, fake_clock):
    net: dict[str, str | None] = {"address": None}  # the laptop starts with no network
    port = free_port()
    app = FacilitatorApp(
        store,
        meeting_id,
        web=True,
        port=port,
        clock=fake_clock,
        lan_address=lambda: net["address"],
    )
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await pilot.pause()
        assert "Ingen netværk" in screen_text(app)
        assert app._network_timer is not None  # it keeps looking
        assert not await app.check_network(app.screen)  # nothing changed: nothing done

        net["address"] = "127.0.0.1"  # the Wi-Fi is back (loopback stands in for it here)
        assert await app.check_network(app.screen)
        await pilot.pause()
        url = f"http://127.0.0.1:{port}/"
        assert app.web_info.url == url and app.web_server.participant_url == url
        shown = screen_text(app)
        assert url in shown and "Ingen netværk" not in shown.split("Netværket er her")[0]
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Kører"

        net["address"] = None  # the interface is gone in the middle of the meeting
        assert await app.check_network(app.screen)
        await pilot.pause()
        assert app.web_info.url is None
        assert "Ingen netværk" in screen_text(app)
        fake_clock.advance(3)
        await pilot.press("space")
        await pilot.pause()
        assert state(app) == "Pause"
