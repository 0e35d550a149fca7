"""The whole meeting on one line: planned against elapsed, the wall clock, the expected end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widget import Widget

from screens.words import hours_minutes, wall_hhmm

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine


class MeetingBar(Widget):
    """The whole meeting, planned against elapsed, with the wall clock and expected end."""

    DEFAULT_CSS = "MeetingBar { height: 1; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._values: tuple[str, str, str, float, bool] | None = None

    def show(self, engine: MeetingEngine, now: float) -> None:
        elapsed = engine.meeting_elapsed(now)
        planned = engine.meeting_planned()
        fraction = min(1.0, elapsed / planned) if planned > 0 else 0.0
        left = f"Mødet {hours_minutes(elapsed)} af {hours_minutes(planned)}"
        right = f"Kl. {wall_hhmm(now)}  ·  Forventet slut {wall_hhmm(engine.expected_end(now))}"
        values = (left, right, "", round(fraction, 3), elapsed > planned)
        if values != self._values:
            self._values = values
            self.refresh()

    def render(self) -> Text:
        if self._values is None:
            return Text("")
        left, right, _, fraction, over = self._values
        width = self.size.width
        bar_width = max(0, width - len(left) - len(right) - 6)
        text = Text(left + " ")
        if bar_width >= 6:
            filled = int(round(fraction * bar_width))
            text.append("█" * filled, style="bold")
            text.append("░" * (bar_width - filled), style="dim")
            text.append(" ")
        if over:
            text.append("over plan ", style="bold")
        text.append(" " + right)
        return text

    @property
    def plain(self) -> str:
        return "" if self._values is None else f"{self._values[0]} {self._values[1]}"
