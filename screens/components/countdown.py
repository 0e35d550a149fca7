"""The phase countdown, drawn as large as its budget allows, and its state in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from screens.components.bigtext import BigText
from screens.words import clock_words

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine

STATE_CLASSES = ("-ready", "-running", "-paused", "-over")


class Countdown(Horizontal):
    """The phase countdown, drawn as large as the screen allows, and its state in words.

    The screen gives it a budget with ``fit(columns, rows)``; the digits take the largest
    block-font scale that fits next to the state ("Klar", "Kører", "Pause",
    "+02:13 over tid"), down to a 3-row font and, on a tiny screen, plain text. The
    state's class (``-ready``, ``-running``, ``-paused``, ``-over``) is set on the widget
    for the stylesheet's colours; the words say it without them.
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
        self._shown: tuple[str, str, str] | None = None
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
        digits, words, state_class = clock_words(engine, now)
        shown = (digits, words, state_class)
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

    @property
    def value(self) -> str:
        """The digits shown ("13:59", "+00:05")."""
        return self._digits.value

    @property
    def state_text(self) -> str:
        return self._shown[1] if self._shown else ""
