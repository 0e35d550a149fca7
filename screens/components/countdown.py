"""The phase countdown, drawn as large as its budget allows, and its state in words.

Two signals for the room live here too: the wrap-up (the phase's last minutes, when the
agenda gives it a ``warning_minutes``) draws the countdown in another style and says
"2 min tilbage" in words; and ``flash`` inverts the colours around the countdown for a
second at a turn change or a phase end (besides the terminal bell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label

from facilitator.clock import warning_text
from screens.components.bigtext import BigText
from screens.words import clock_words

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine

STATE_CLASSES = ("-ready", "-running", "-paused", "-over")
WARNING_CLASS = "-warning"  # the phase's wrap-up: another style, and the word
FLASH_CLASS = "-flash"  # a turn change or a phase end: a second of inverted colours
FLASH_S = 1.0  # how long the flash lasts (tests make it short)


def in_wrap_up(engine: MeetingEngine, now: float) -> bool:
    """The phase is in its wrap-up (state["phase"]["warning"]): started, not over, a
    warning set, and no more than the warning's length left (paused too)."""
    in_warning = getattr(engine.clock, "in_warning", None)
    return bool(in_warning(now)) if callable(in_warning) else False


def clock_display(engine: MeetingEngine, now: float) -> tuple[str, str, str, bool]:
    """(digits, state in words, state class, in the wrap-up): ``clock_words`` with the
    wrap-up's word ("2 min tilbage", or "Pause · 2 min tilbage") in the state's place."""
    digits, words, state_class = clock_words(engine, now)
    if not in_wrap_up(engine, now):
        return digits, words, state_class, False
    word = warning_text(engine.clock.remaining(now))
    return digits, (f"Pause · {word}" if engine.clock.paused else word), state_class, True


def flash(widget: Widget, seconds: float | None = None) -> None:
    """Invert the widget's colours (the ``-flash`` class) for ``seconds`` (``FLASH_S``);
    a new flash while one shows starts the second again."""
    timer = getattr(widget, "_flash_timer", None)
    if timer is not None:
        timer.stop()
    widget.add_class(FLASH_CLASS)

    def done() -> None:
        widget._flash_timer = None  # type: ignore[attr-defined]
        widget.remove_class(FLASH_CLASS)

    widget._flash_timer = widget.set_timer(  # type: ignore[attr-defined]
        FLASH_S if seconds is None else seconds, done, name="flash"
    )


class Countdown(Horizontal):
    """The phase countdown, drawn as large as the screen allows, and its state in words.

    The screen gives it a budget with ``fit(columns, rows)``; the digits take the largest
    block-font scale that fits next to the state ("Klar", "Kører", "Pause",
    "+02:13 over tid"), down to a 3-row font and, on a tiny screen, plain text. The
    state's class (``-ready``, ``-running``, ``-paused``, ``-over``) is set on the widget
    for the stylesheet's colours; the words say it without them. In the phase's wrap-up
    the widget has ``-warning`` too and the state says "2 min tilbage".
    """

    DEFAULT_CSS = """
    Countdown {
        width: auto;
        height: auto;
        padding-left: 2;
        align: left middle;
    }
    Countdown > .state {
        height: 3;
        width: auto;
        min-width: 8;
        padding: 0 1;
        margin-left: 2;
        content-align: center middle;
    }
    """

    def compose(self) -> ComposeResult:
        yield BigText("00:00", id="digits", classes="digits")
        yield Label("", id="clock-state", classes="state")

    def on_mount(self) -> None:
        self._digits = self.query_one("#digits", BigText)
        self._state = self.query_one("#clock-state", Label)
        self._shown: tuple[str, str, str, bool] | None = None
        self._budget: tuple[int, int, int] = (20, 3, 8)

    def fit(self, columns: int, rows: int, max_scale: int = 8) -> None:
        self._budget = (columns, rows, max_scale)
        self._fit_digits()

    def _fit_digits(self) -> None:
        columns, rows, max_scale = self._budget
        words = self._shown[1] if self._shown else "Klar"
        reserve = len(words) + 2 + 2  # the state's padding and its margin
        self._digits.fit(columns - reserve, rows, max_scale)
        choice = self._digits.choice
        top = max(0, ((choice.rows if choice else 1) - 3) // 2)
        self._state.styles.margin = (top, 0, 0, 2)

    def show(self, engine: MeetingEngine, now: float) -> None:
        shown = clock_display(engine, now)
        digits, words, state_class, warning = shown
        if shown == self._shown:
            return
        previous = self._shown
        self._shown = shown
        if previous is None or previous[0] != digits:
            self._digits.update(digits)
        if previous is None or previous[1] != words:
            self._state.update(words)
            if previous is None or len(previous[1]) != len(words):
                self._fit_digits()
        if previous is None or previous[2] != state_class:
            for name in STATE_CLASSES:
                self.set_class(name == state_class, name)
        if previous is None or previous[3] != warning:
            self.set_class(warning, WARNING_CLASS)

    def flash(self, seconds: float | None = None) -> None:
        """A second of inverted colours (a turn change, a phase end)."""
        flash(self, seconds)

    @property
    def warning(self) -> bool:
        """The countdown shows the wrap-up (its style and word)."""
        return bool(self._shown and self._shown[3])

    @property
    def value(self) -> str:
        """The digits shown ("13:59", "+00:05")."""
        return self._digits.value

    @property
    def state_text(self) -> str:
        return self._shown[1] if self._shown else ""
