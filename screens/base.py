"""What every meeting screen shares: listening to the engine, running its commands, the web
status, the vote's "r" key, the flash at a turn change or a phase end, and telling the
engine which board screen is open (the wall page shows it too).

Screens never change meeting state themselves: they call the engine and draw what it
says. Time comes from ``engine.now()`` (an injected clock in tests), never from the
wall, so a frozen clock gives a frozen picture.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from facilitator.engine import BOARD_EVENTS, EngineError, StorageError
from screens.keys import bind
from screens.words import sentence

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, Snapshot

TICK_S = 0.25  # the countdown's redraw interval (4 Hz); only changed text is redrawn
REDRAW_GAP_S = 0.2  # a burst of votes redraws the board at most this often

# The events the room is signalled at (besides the app's bell): the countdown flashes.
FLASH_EVENTS = frozenset({"turn", "phase_end"})
# What flashes on a meeting screen: the projector's countdown, a board screen's clock line.
FLASHING = "Countdown, ClockLine"

# Errors a command may raise that the user should read, not a traceback.
COMMAND_ERRORS = (EngineError, StorageError)


def run_command(
    widget: Widget,
    command: Callable[[], Awaitable[Any]],
    then: Callable[[Any], None] | None = None,
) -> None:
    """Run an engine command in a worker, so neither the keys nor the countdown wait for
    the disk: a refusal or a storage fault becomes a notification; ``then(result)`` runs
    once the command has answered (its write is on disk by then). Commands run in the
    order they were given (the engine serialises those that depend on each other)."""

    async def run() -> None:
        try:
            result = await command()
        except COMMAND_ERRORS as exc:
            widget.app.notify(sentence(str(exc)), severity="error", timeout=6, markup=False)
            return
        if then is not None and widget.is_attached:
            then(result)

    # On the app, not the widget: a dialog that closes must not cancel its answer.
    widget.app.run_worker(run(), group="engine", exit_on_error=False)


# `r` during a vote, in the galleri and on the projector: the result now.
REVEAL_BINDING = bind(
    "reveal_now",
    "reveal_now",
    "Resultat",
    priority=True,
    tooltip="Vis resultatet nu (afslutter afstemningen)",
)


def reveal_now(widget: Any) -> None:
    """End the current vote now (the `r` key): the totals show and the phones' marks close."""
    run_command(
        widget,
        widget.engine.reveal_now,
        lambda _: widget.notify(
            "Afstemningen er slut: resultatet vises, og telefonernes markeringer er lukket.",
            timeout=4,
        ),
    )


# --------------------------------------------------------------------- web status
@dataclass
class WebInfo:
    """What the screens need to know about the participant web server."""

    enabled: bool = False  # a server runs (so phones can connect and are counted)
    url: str | None = None
    error: str | None = None
    starting: bool = False  # the server starts after the first frame: no address yet

    @property
    def headline(self) -> str:
        """What to show instead of a QR code when there is none."""
        if self.url:
            return self.url
        if not self.enabled:
            return "Web er slået fra"
        if self.starting:
            return "Telefonsiden starter …"
        if self.error:
            return "Telefonsiden kører ikke"  # the error itself is shown beside it
        return "Ingen netværk"


# --------------------------------------------------------------------- engine events
class EngineChanged(Message):
    """The engine published a snapshot (posted from the engine's listener)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


def shown_display(app: App) -> str | None:
    """The board view the mødeleder sees now: the ``DISPLAY`` of the topmost screen that
    is not a dialog (a dialog or the command palette over the galleri leaves the galleri
    on screen), or None."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, ModalScreen):
            continue
        return getattr(screen, "DISPLAY", None)
    return None


class EngineScreen(Screen):
    """A screen that listens to the engine and redraws its clock four times a second.

    Clock and phase events redraw at once. Board events (votes, flip-overs, themes...)
    come in bursts when a room votes from its phones: the first redraws at once, the
    rest are folded into one redraw at most every ``REDRAW_GAP_S``.

    At a turn change or a phase end its countdown (or clock line) flashes. A board screen
    names its view in ``DISPLAY``; whenever a meeting screen is shown, covered or closed,
    the engine is told which view is on top now (``engine.set_display``), so the order
    in which two screens hear of a switch does not matter.
    """

    DISPLAY: ClassVar[str | None] = None  # "galleri", "prioritering", "choose"

    def __init__(self, engine: MeetingEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self._last_redraw = 0.0
        self._pending: Snapshot | None = None
        self._redraw_timer: Any = None

    def on_mount(self) -> None:
        self.engine.add_listener(self._engine_listener)
        self._redraw()
        self.set_interval(TICK_S, self.tick)

    def on_unmount(self) -> None:
        self.engine.remove_listener(self._engine_listener)
        self._tell_display()

    def on_screen_resume(self) -> None:
        self._tell_display()

    def on_screen_suspend(self) -> None:
        self._tell_display()

    def _tell_display(self) -> None:
        """Tell the engine which board view is on top now (it publishes only a change)."""
        set_display = getattr(self.engine, "set_display", None)
        if set_display is None:
            return
        try:
            view = shown_display(self.app)
        except Exception:  # noqa: BLE001 - the app is closing: nothing to show
            return
        set_display(view)

    def _engine_listener(self, snapshot: Snapshot) -> None:
        self.post_message(EngineChanged(snapshot))

    def flash(self) -> None:
        """A second of inverted colours on the countdown (a turn change, a phase end)."""
        from screens.components.countdown import flash  # components import this module

        for widget in self.query(FLASHING):
            flash(widget)

    def on_engine_changed(self, message: EngineChanged) -> None:
        snapshot = message.snapshot
        if snapshot.event.kind in FLASH_EVENTS:
            self.flash()
        if snapshot.event.kind not in BOARD_EVENTS and snapshot.event.kind != "phones":
            self._redraw(snapshot)
            return
        self._pending = snapshot
        if self._redraw_timer is not None:
            return
        wait = self._last_redraw + REDRAW_GAP_S - time.monotonic()
        if wait <= 0:
            self._flush()
        else:
            self._redraw_timer = self.set_timer(wait, self._flush)

    def _flush(self) -> None:
        self._redraw_timer = None
        snapshot, self._pending = self._pending, None
        if snapshot is not None and self.is_mounted:
            self._redraw(snapshot)

    def _redraw(self, snapshot: Snapshot | None = None) -> None:
        self._last_redraw = time.monotonic()
        self.redraw(snapshot)

    def redraw(self, snapshot: Snapshot | None = None) -> None:
        """Draw everything from the engine's state (after an event, and on mount)."""
        self.tick()

    def tick(self) -> None:
        """Draw what changes with time alone (countdown, turn, meeting bar)."""
