"""The current turn in words, on one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Label

from screens.words import turn_words

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine


class TurnLine(Label):
    """The current turn ("2 interviewer 3", "Person 2 af 4") and its time left; hidden
    in a phase without turns."""

    DEFAULT_CSS = "TurnLine { width: auto; }"

    def show(self, engine: MeetingEngine, now: float) -> None:
        text = turn_words(engine, now)
        if getattr(self, "_shown", None) != text:
            self._shown = text
            self.update(text)
            self.display = bool(text)
