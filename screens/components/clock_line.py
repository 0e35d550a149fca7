"""The countdown on one line, for the corner of a screen's head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Label

from screens.components.countdown import STATE_CLASSES, WARNING_CLASS, clock_display

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine


class ClockLine(Label):
    """ " 13:59  Kører · Fase 2/6 ", with the state's class (``-over``, ``-paused``…) set
    for the stylesheet's colours; in the phase's wrap-up " 01:59  2 min tilbage · Fase
    2/6 " with ``-warning`` (the word says it without the colour)."""

    DEFAULT_CSS = "ClockLine { width: auto; }"

    def show(self, engine: MeetingEngine, now: float) -> None:
        digits, words, state_class, warning = clock_display(engine, now)
        text = (
            f" {digits}  {words} " if state_class != "-over" else f" {words} "
        ) + f"· Fase {engine.index + 1}/{engine.phase_count} "
        if getattr(self, "_shown", None) != text:
            self._shown = text
            self.update(text)
            for name in STATE_CLASSES:
                self.set_class(name == state_class, name)
            self.set_class(warning, WARNING_CLASS)
