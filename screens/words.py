"""What the screens say: typed text as literal ``Text``, times, counts and states in words.

Plain functions of the engine's state and numbers; no widgets here.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from facilitator.clock import format_mmss, format_overrun

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine

# Control characters a stored text may still carry from before the cleaning at the engine's
# door (facilitator.text); line breaks stay. Never sent to the terminal.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def literal(text: str, style: str = "") -> Text:
    """Text a person typed, as Rich ``Text``: drawn exactly as written, never as markup.

    Every heading, proposal, theme name and meeting title reaches Textual and Rich through
    this (or as part of a ``Text`` built from it): a DataTable cell or a ``Static`` given a
    ``str`` would read "[/ bedre akustik]" as a closing tag and crash the screen.
    """
    return Text(_CONTROL.sub("", text), style=style)


_MEASURE = Console(file=io.StringIO(), width=400, color_system=None, legacy_windows=False)


def wrap_lines(text: Text, width: int) -> list[Text]:
    """``text`` wrapped to ``width`` columns, as Rich would draw it."""
    return list(text.wrap(_MEASURE, max(1, width)))


def sentence(text: str) -> str:
    """A message as a sentence: capital first letter."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "Noget gik galt"


def wall_hhmm(instant: float) -> str:
    """A wall instant as the room's clock shows it (local time, HH:MM)."""
    return time.strftime("%H:%M", time.localtime(instant))


def hours_minutes(seconds: float) -> str:
    """A duration as h:mm (the meeting bar)."""
    total = int(max(0.0, seconds) // 60)
    return f"{total // 60}:{total % 60:02d}"


def phones_text(count: int) -> str:
    return f"{count} telefon forbundet" if count == 1 else f"{count} telefoner forbundet"


def more_words(hidden: int) -> str:
    return f"+{hidden} mere"


def marks_words(count: int) -> str:
    return "1 markering" if count == 1 else f"{count} markeringer"


def new_group_numbers(counts: Sequence[tuple[Any, int]]) -> list[int | None]:
    """The group number each "brænder for" option gets: the chosen wishes are numbered in
    order (as the action work and the fremlæggelse number them); a wish nobody chose
    forms no group (None)."""
    numbers: list[int | None] = []
    number = 0
    for _item, count in counts:
        if count > 0:
            number += 1
            numbers.append(number)
        else:
            numbers.append(None)
    return numbers


def vote_progress_words(engine: MeetingEngine) -> str:
    """ "37 markeringer afgivet fra 14 telefoner" (phones' marks in this vote phase),
    against the participant count when the meeting has one, so the room sees a mismatch:
    "37 markeringer afgivet fra 14 af 20 deltageres telefoner"."""
    cast, devices = engine.vote_progress()
    phones = "1 telefon" if devices == 1 else f"{devices} telefoner"
    people = engine.participants
    if people <= 0:
        return f"{marks_words(cast)} afgivet fra {phones}"
    words = f"{marks_words(cast)} afgivet fra {devices} af {people} deltageres telefoner"
    if devices > people:
        words += " – FLERE TELEFONER END DELTAGERE"
    return words


def vote_open(engine: MeetingEngine) -> bool:
    """A vote phase whose marks are still open: "r Vis resultatet nu" may end it."""
    if engine.phase.kind != "vote":
        return False
    return not engine.vote_closed()


def open_wishes(engine: MeetingEngine) -> list[FlipoverRow]:
    """The wishes on the wall: open (not særskilt spor), in phase, group and entry order."""
    wishes = [f for f in engine.flipovers() if f.kind == "wish"]
    return sorted(wishes, key=lambda f: (f.phase_index, f.group, f.id))


def clock_words(engine: MeetingEngine, now: float) -> tuple[str, str, str]:
    """(digits text, state in words, state class) for the current phase's clock.

    The state is always said in words (Klar, Kører, Pause, "+02:13 over tid"), so
    nobody has to read a colour.
    """
    clock = engine.clock
    over = clock.overrun(now)
    if clock.started and over > 0:
        words = format_overrun(over)
        digits = words.split(" ", 1)[0]
        if clock.paused:
            words = f"Pause · {words}"
        return digits, words, "-over"
    digits = format_mmss(clock.remaining(now))
    if not clock.started:
        return digits, "Klar", "-ready"
    if clock.running:
        return digits, "Kører", "-running"
    return digits, "Pause", "-paused"


def turn_words(engine: MeetingEngine, now: float) -> str:
    """The current turn and its time left, or "" for a phase without turns."""
    clock = engine.clock
    if clock.turn_count <= 0:
        return ""
    turn = engine.turn(now)
    if turn is None:
        return "Tid til opsamling" if not clock.is_over(now) else ""
    label = engine.turn_label(turn)
    left = format_mmss(turn.remaining_s)
    if engine.phase.kind == "interview":
        return f"{label} · tur {turn.index + 1} af {turn.count} · {left} tilbage"
    return f"{label} · {left} tilbage"
