"""The Textual app: builds the engine and the web server around a store, pushes screens.

``FacilitatorApp(store, meeting_id)`` opens a meeting on the projector; without a meeting
it starts on the start screen. The CLI may build the engine and take the lease itself
(so it can exit 2 with a message before any frame) and pass ``engine=``.

The first frame comes first: the web server (aiohttp, and the QR code library for its
address) is imported and started only once the projector has been drawn, and a screen the
first frame does not show is imported when it is opened. A user's ``keys.toml`` (see
``screens.keys``) is loaded before any screen, with ``App.set_keymap``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import Theme

from facilitator import meetings
from facilitator.engine import EngineError, MeetingEngine, Snapshot, StorageError
from screens.base import WebInfo
from screens.dialogs import ConfirmScreen
from screens.keys import bind, key_name, keys_file, lost_keys, read_keymap
from screens.palette import DanishCommandPalette, system_commands

if TYPE_CHECKING:
    from screens.projector import ProjectorScreen

AUTO: Any = object()  # lan_address not given: the web server looks it up
NETWORK_CHECK_S = 3.0  # how often a running web server checks that its address still exists

PROJECTOR_THEME = Theme(
    name="facilitator",
    primary="#FFD400",
    secondary="#5FD7FF",
    accent="#FFD400",
    foreground="#FFFFFF",
    background="#000000",
    surface="#101010",
    panel="#1C1C1C",
    warning="#FFB000",
    error="#FF5F5F",
    success="#5FD75F",
    dark=True,
)


class FacilitatorApp(App[int]):
    """The mødeleder's app. See the module docstring for the two ways to open a meeting."""

    CSS_PATH = Path(__file__).resolve().parent.parent / "screens" / "facilitator.tcss"
    TITLE = "Facilitator"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        bind("quit", "quit", "Afslut", show=False, priority=True),
        bind(
            "command_palette",
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="Open the command palette",
        ),
    ]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is literal text, never markup: most of them carry a heading,
        a theme name, a meeting title or an error that quotes one (or an OS error such as
        "[Errno 98] ..."), and "[/ bedre akustik]" read as markup would stop the meeting.
        ``markup`` is accepted, for Textual's signature, and ignored."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_command_palette(self) -> None:
        """The command palette, in Danish."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                DanishCommandPalette(placeholder="Søg efter en handling …", id="--command-palette")
            )

    def __init__(
        self,
        store: Any = None,
        meeting_id: int | None = None,
        *,
        engine: MeetingEngine | None = None,
        web: bool = True,
        host: str | None = None,
        port: int = 8765,
        clock: Callable[[], float] = time.time,
        lan_address: Any = AUTO,
        demo: bool = False,
        web_settings: Any = None,
        keys_path: Path | None = None,
    ) -> None:
        super().__init__()
        # A user's keys (keys.toml in the config folder, or ``keys_path``), before any
        # screen reads a binding; what could not be used is told once the app runs.
        keymap, self._keys_problem = read_keymap(keys_path or keys_file())
        if keymap:
            self.set_keymap(keymap)  # Textual keeps it (normalised) in self._keymap
            if "command_palette" in keymap:  # the footer finds the palette's key by this
                self.COMMAND_PALETTE_BINDING = self._keymap["command_palette"].split(",")[0]
        self._clashes_told: set[frozenset[tuple[str, str]]] = set()
        self.store = store if store is not None else getattr(engine, "store", None)
        self.meeting_id = engine.meeting_id if engine is not None else meeting_id
        self.engine: MeetingEngine | None = engine
        self.web_enabled = web
        self.host = host
        self.port = port
        self.clock = engine.now if engine is not None else clock
        self.lan_address = lan_address
        self.demo = demo
        self.web_settings = web_settings  # WebSettings for the web server, or its defaults
        self.web_server: Any = None
        self.web_info = WebInfo(enabled=web, starting=web)
        self._start_screen: Screen | None = None
        self._course: Any = None
        self._owns_lease = False
        self._web_lan: str | None = None  # the LAN address the web server was started on
        self._network_timer: Any = None
        self._moving_web = False
        self.register_theme(PROJECTOR_THEME)
        self.theme = "facilitator"

    # ------------------------------------------------------------------ lifecycle
    async def on_mount(self) -> None:
        self._catch_hangup()
        if self._keys_problem:
            self.notify(self._keys_problem, severity="warning", timeout=12)
        if self._keymap:
            self.screen_change_signal.subscribe(self, self._tell_lost_keys)
        if self.engine is not None:
            await self._enter_meeting()
        elif self.meeting_id is not None:
            if not await self.open_meeting_async(self.meeting_id):
                self._show_start()
        else:
            self._show_start()

    def _show_start(self) -> None:
        from screens.start import StartScreen

        self._start_screen = StartScreen(self)
        self.push_screen(self._start_screen)

    def _tell_lost_keys(self, screen: Screen) -> None:
        """A key keys.toml gives one action that another action of the same screen had:
        the key from keys.toml is the one that works there, and that is said once."""
        for node in (screen, self):
            lost = lost_keys(list(node.BINDINGS), self._keymap)
            told = frozenset(lost)
            if not lost or told in self._clashes_told:
                continue
            self._clashes_told.add(told)
            what = ", ".join(f"{key_name(key)} ikke længere «{action}»" for key, action in lost)
            self.notify(
                f"keys.toml giver en tast, der var i brug, til en anden handling: {what}.",
                severity="warning",
                timeout=8,
            )

    def _catch_hangup(self) -> None:
        """A closed terminal (SIGHUP: a closed window, tmux kill-session) quits as ctrl+q
        would, without asking: the web server stops and the meeting's lease is given up,
        so `facilitator run` in a new terminal can take the meeting at once. Textual leaves
        SIGHUP alone, and its default would end the process without any of that."""
        if self.is_headless or not hasattr(signal, "SIGHUP"):
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hangup)
        except (NotImplementedError, RuntimeError, ValueError):
            return  # not the main thread, or no signals here
        self._hangup_caught = True

    def _hangup(self) -> None:
        self.exit(0)

    async def on_unmount(self) -> None:
        if getattr(self, "_hangup_caught", False):
            try:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        if self.web_server is not None:
            try:
                await self.web_server.stop()
            except Exception:  # noqa: BLE001 - quitting must never fail
                pass
            self.web_server = None
        if self.engine is not None:
            self.engine.remove_listener(self._engine_event)
            self.engine.release()

    # ------------------------------------------------------------------ meetings
    def _build_engine(self, meeting_id: int) -> MeetingEngine | None:
        try:
            engine = MeetingEngine(self.store, meeting_id, clock=self.clock)
        except (EngineError, StorageError) as exc:
            self.notify(_sentence(str(exc)), severity="error", timeout=8)
            return None
        try:
            engine.acquire(f"pid {os.getpid()} på {socket.gethostname()}")
        except (EngineError, StorageError) as exc:  # MeetingBusy is an EngineError
            self.notify(_sentence(str(exc)), severity="error", timeout=8)
            return None
        self._owns_lease = True
        return engine

    async def open_meeting_async(self, meeting_id: int) -> bool:
        engine = self._build_engine(meeting_id)
        if engine is None:
            return False
        self.engine = engine
        self.meeting_id = meeting_id
        await self._enter_meeting()
        return True

    def open_meeting(self, meeting_id: int) -> bool:
        """From the start screen: the meeting on the projector (False if it cannot be)."""
        if self.engine is not None:
            self.notify("Der er allerede et møde åbent.", severity="warning")
            return False
        engine = self._build_engine(meeting_id)
        if engine is None:
            return False
        self.engine = engine
        self.meeting_id = meeting_id
        self.run_worker(self._enter_meeting(), exclusive=True, group="meeting")
        return True

    async def _enter_meeting(self) -> None:
        from screens.projector import ProjectorScreen

        engine = self.engine
        assert engine is not None
        engine.add_listener(self._engine_event)
        engine.start_timers()
        projector = ProjectorScreen(engine, self.web_info, demo=self.demo)
        if self._start_screen is not None and self.screen is self._start_screen:
            self.switch_screen(projector)
        else:
            self.push_screen(projector)
        self.sub_title = engine.title
        if self.web_enabled:
            # The web server (and aiohttp with it) after the projector's first frame.
            projector.call_after_refresh(self._start_web_later, projector)
        elif self.lan_address is not AUTO and self.lan_address:
            # No server, but a given address: show it (snapshots, a printed hand-out).
            from facilitator.web.net import url_for

            self.web_info = WebInfo(enabled=False, url=url_for(self.lan_address, self.port))
            projector.set_web(self.web_info)

    def _start_web_later(self, projector: ProjectorScreen) -> None:
        self.run_worker(self._start_web(projector), name="web", group="web", exclusive=True)

    async def _start_web(self, projector: ProjectorScreen, quiet: bool = False) -> None:
        """Start the participant web server and show its address; ``quiet``: a retry
        that fails as the last one did says nothing again."""
        try:
            from facilitator.web.server import WebServer

            kwargs: dict[str, Any] = {"host": self.host, "port": self.port}
            self._web_lan = self._lan_now()
            kwargs["lan_address"] = self._web_lan
            if self.web_settings is not None:
                kwargs["settings"] = self.web_settings
            server = WebServer(self.engine, **kwargs)
            await server.start()
        except Exception as exc:  # noqa: BLE001 - the meeting runs on without phones
            self.web_info = WebInfo(enabled=True, url=None, error=f"Webserveren fejlede: {exc}")
        else:
            self.web_server = server
            self.web_info = WebInfo(enabled=True, url=server.participant_url, error=server.error)
        if self.web_info.error and not quiet:
            self.notify(self.web_info.error, severity="error", timeout=10)
        projector.set_web(self.web_info)
        if self._network_timer is None:
            self._network_timer = self.set_interval(
                NETWORK_CHECK_S, lambda: self.check_network(projector), name="network"
            )

    def _lan_now(self) -> str | None:
        """The address phones would use now: the injected value or function, else looked up."""
        if self.lan_address is AUTO:
            from facilitator.web.net import lan_address

            return lan_address()
        return self.lan_address() if callable(self.lan_address) else self.lan_address

    def remember_address(self, host: str | None, port: int) -> None:
        """The start screen's `w`: use this address and port, now and at the next start."""
        from facilitator import address_choice

        self.host, self.port = host, port
        try:
            address_choice.save(host, port)
        except OSError as exc:
            self.notify(
                f"Valget bruges nu, men kunne ikke gemmes til næste gang: {exc.strerror or exc}",
                severity="warning",
                timeout=8,
            )

    def _web_failed(self) -> bool:
        """The phones' server could not start (its port busy, say): no address to show."""
        return bool(self.web_info.error) and not self.web_info.url

    async def check_network(self, projector: ProjectorScreen) -> bool:
        """When the laptop's LAN address has changed (the network went, came back, or gave a
        new address), serve on the new one and show it; when the server could not start
        (its port was busy), try again. True if the server was moved or restarted."""
        if self._moving_web:
            return False
        failed = self._web_failed()
        if not failed and (self.host or self._lan_now() == self._web_lan):
            return False  # --host names the address itself; only a failure is retried
        self._moving_web = True
        try:
            if self.web_server is not None:
                try:
                    await self.web_server.stop()
                except Exception:  # noqa: BLE001 - the old address may be gone already
                    pass
                self.web_server = None
            await self._start_web(projector, quiet=failed)
        finally:
            self._moving_web = False
        if failed and self._web_failed():
            return False  # still failing: said once already
        if self.web_info.url:
            self.notify(f"Netværket er her: telefonerne bruger nu {self.web_info.url}", timeout=8)
        else:
            self.notify(
                "Ingen netværk: telefonerne kan ikke nå denne maskine. Mødet fortsætter.",
                severity="warning",
                timeout=10,
            )
        return True

    def _engine_event(self, snapshot: Snapshot) -> None:
        if snapshot.event.kind in ("turn", "phase_end"):
            self.bell()

    # ------------------------------------------------------------------ start screen data
    # These do database work: the start screen calls them in a thread (screens.course).
    @property
    def course(self) -> Any:
        """The APV course's door (facilitator.course.service.Course) on the app's store."""
        if self._course is None:
            from facilitator.course.service import Course

            self._course = Course(self.store)
        return self._course

    def list_meetings(self) -> list[dict[str, Any]]:
        return meetings.meeting_rows(self.store)

    def forloeb_groups(self) -> list[dict[str, Any]]:
        return meetings.forloeb_groups(self.store, self.course)

    def agendas(self) -> list[tuple[str, str]]:
        return meetings.agenda_choices()

    def create_meeting(
        self,
        agenda: str,
        title: str,
        groups: int,
        participants: int,
        forloeb_id: int | None = None,
    ) -> int:
        return meetings.new_meeting(self.store, agenda, title, groups, participants, forloeb_id)

    # ------------------------------------------------------------------ quitting
    async def action_quit(self) -> None:
        """ctrl+q and the palette's "Afslut": ask first while a meeting is open."""
        if self.engine is None:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        if not isinstance(self.screen, ConfirmScreen):
            self.push_screen(
                ConfirmScreen("Vil du afslutte? Mødet gemmes og kan fortsættes senere."),
                answered,
            )

    # ------------------------------------------------------------------ command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The screen's keys, in Danish, then a few of Textual's own (screens/palette.py)."""
        return system_commands(self, screen)

    def ask_reopen_vote(self) -> None:
        """Open an ended vote again: a deliberate act, so it asks first."""

        def answered(yes: bool | None) -> None:
            engine = self.engine
            if not yes or engine is None:
                return

            async def reopen() -> None:
                try:
                    await engine.reopen_vote()
                except (EngineError, StorageError) as exc:
                    self.notify(_sentence(str(exc)), severity="error", timeout=6)
                    return
                self.notify("Afstemningen er åben igen: telefonerne kan flytte markeringer.")

            self.run_worker(reopen(), group="engine", exit_on_error=False)

        self.push_screen(
            ConfirmScreen(
                "Genåbne afstemningen? Resultatet er vist; telefonerne kan så flytte "
                "markeringer igen."
            ),
            answered,
        )


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "Noget gik galt"
