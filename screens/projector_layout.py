"""How the projector fits the room it gets: what it drops, how large the countdown and the
turn are drawn, how the flip-over counts fold.

Pure arithmetic on the terminal's size and the meeting's state; ``ProjectorScreen`` applies
it. The size classes that depend on the terminal alone are Textual breakpoints on the
screen (``-width-narrow``/``-width-normal``/``-width-wide``, ``-height-low``/
``-height-normal``/``-height-tall``; see ``ProjectorScreen``). What depends on the QR code
is computed here instead: whether the QR code and the meeting bar fit depends on how many
modules the code has (a longer address or an IPv6 host gives a larger code), which no fixed
breakpoint knows, so ``droppable`` sets ``-no-qr`` and ``-no-bar`` from the code's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from screens.components.board import CARD_COLUMNS
from screens.components.bruttoliste_view import rows_wanted
from screens.components.join_box import join_box_width
from screens.words import more_words, open_wishes

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine

# Rows and columns the rest of the screen needs around a QR code of a given size.
QR_ROWS_AROUND = 13  # title bar, phase head, flip-over line, footer, address and phones
BAR_ROWS = 2  # the meeting bar (and its margin)
TEXT_COLUMNS = 60  # the phase text keeps at least this much width next to the QR
COUNT_ROWS = 2  # the flip-over counts take at most this many rows

# The projector's breakpoints (Textual sets one class per axis on the screen).
NARROW_BELOW = 100  # -width-narrow: less padding around the stage
WIDE_FROM = 120  # -width-wide (with -height-tall: roomy, a blank line between questions)
QUESTIONS_FROM = 19  # -height-low below this: the questions are dropped
TALL_FROM = 36  # -height-tall
HORIZONTAL_BREAKPOINTS = [
    (0, "-width-narrow"),
    (NARROW_BELOW, "-width-normal"),
    (WIDE_FROM, "-width-wide"),
]
VERTICAL_BREAKPOINTS = [
    (0, "-height-low"),
    (QUESTIONS_FROM, "-height-normal"),
    (TALL_FROM, "-height-tall"),
]


def droppable(width: int, height: int, modules: int) -> tuple[bool, bool]:
    """(show the QR code, show the meeting bar) for a QR code of ``modules`` modules."""
    qr_rows = (modules + 1) // 2
    wide_enough = width >= join_box_width(modules) + TEXT_COLUMNS
    show_qr = wide_enough and height >= qr_rows + QR_ROWS_AROUND
    show_bar = show_qr and height >= qr_rows + QR_ROWS_AROUND + BAR_ROWS
    return show_qr, show_bar


def stage_columns(width: int, qr_shown: bool, modules: int, narrow: bool) -> int:
    """The columns left for the phase (the stage) beside the QR column."""
    used = join_box_width(modules) if qr_shown else 0
    return max(10, width - used - (2 if narrow else 4))


def pack_parts(
    parts: list[str], width: int, rows: int, prefix: str = "", sep: str = "  ·  "
) -> tuple[list[str], int]:
    """``parts`` laid on at most ``rows`` lines of ``width`` without splitting one; what
    does not fit is counted on the last line ("+3 mere"). (lines, parts left out)."""
    lines: list[str] = []
    line = prefix
    placed = 0
    for index, part in enumerate(parts):
        candidate = part if line in ("", prefix) else sep + part
        if len(line) + len(candidate) <= width:
            line += candidate
            placed = index + 1
            continue
        if len(lines) + 1 >= rows:
            break
        lines.append(line)
        line = part
        if len(line) > width:
            break
        placed = index + 1
    hidden = len(parts) - placed
    if hidden:
        # Make room on the last line for the count, dropping parts from its end if needed.
        tail = (sep if line else "") + more_words(hidden)
        while line and len(line) + len(tail) > width and placed > 0:
            cut = line.rfind(sep)
            if cut < len(prefix):
                line = prefix
            else:
                line = line[:cut]
            placed -= 1
            hidden += 1
            tail = (sep if line.strip() else "") + more_words(hidden)
        line += tail
    lines.append(line)
    return lines, hidden


def count_lines(counts: dict[int, int], width: int) -> list[str]:
    """The flip-over counts per group on at most ``COUNT_ROWS`` lines of a terminal
    ``width`` wide: "Gruppe 1: 2" for each when they fit, else the compact
    "Gruppe 1: 2 · 2: 0 · …", else "+N mere"."""
    width -= 4  # the line's padding
    ordered = sorted(counts.items())
    total = sum(n for _, n in ordered)
    prefix = f"Flip-overs ({total}):  "
    full = [f"Gruppe {group}: {n}" for group, n in ordered]
    lines, hidden = pack_parts(full, width, 1, prefix)
    if not hidden:
        return lines
    compact = [f"{group}: {n}" for group, n in ordered]
    if compact:
        compact[0] = "Gruppe " + compact[0]
    for rows in range(1, COUNT_ROWS + 1):
        lines, hidden = pack_parts(compact, width, rows, prefix, sep=" · ")
        if not hidden:
            return lines
    return lines


def body_rows(
    engine: MeetingEngine, columns: int, *, narrow: bool, roomy: bool, questions: bool
) -> int:
    """Rows the phase's text, questions and board would like (an estimate)."""
    phase = engine.phase

    def lines(text: str, indent: int = 0) -> int:
        return max(1, math.ceil((len(text) + indent) / max(10, columns)))

    rows = 1 if narrow else 2  # the body's padding
    if phase.text:
        rows += lines(phase.text) + 1
    if phase.questions and questions:
        gap = 1 if roomy else 0
        rows += sum(lines(q, 3) for q in phase.questions) + gap * (len(phase.questions) - 1)
    if phase.kind in ("gallery", "vote"):
        wishes = len(open_wishes(engine))
        per_row = max(1, columns // CARD_COLUMNS)
        rows += 3 + 5 * min(3, math.ceil(wishes / per_row)) if wishes else 1
    elif phase.kind == "choose":
        rows += 2 + len(engine.choice_options())
    elif phase.kind == "bruttoliste":
        # The first (fullest) page as the full look draws it (each wish with its theme,
        # priority and begrundelse): in a phase where the room reads, the list comes
        # before a large countdown, and the countdown keeps its size as the pages turn.
        rows += rows_wanted(engine.bruttoliste(), 0, phase.page_size, columns)
    if phase.help_contacts:
        rows += 4 + len(engine.help_contacts())  # its frame, heading and margin
    return rows


@dataclass(frozen=True)
class Stage:
    """How the phase head is laid out: the countdown under the heading (stacked) or beside
    it, and the budgets (columns, rows, largest scale) of the countdown and the turn."""

    stacked: bool
    clock: tuple[int, int, int]
    turn: tuple[int, int, int]


def stage(
    engine: MeetingEngine,
    height: int,
    columns: int,
    *,
    fixed: int,
    body: int,
    title_rows: int,
    roomy: bool,
) -> Stage:
    """Give the countdown and the turn as many rows as the phase's text leaves.

    ``fixed`` is what the rest of the screen takes (title bar, head, counts, footer...),
    ``body`` what the phase's text, questions and board would like."""
    phase = engine.phase
    has_turns = engine.clock.turn_count > 0
    if has_turns:
        fixed += 1 + (1 if phase.kind == "present" else 0)  # the turn (and its wish)
    if roomy:
        turn_rows = 0
        if has_turns:
            spare = height - fixed - body - 2 - 11  # a clock of 11 rows comes first
            turn_rows = 7 if spare >= 7 else 4
            fixed += turn_rows + 1
        fixed += 1  # the clock's margin above it
        clock_rows = max(4, min(18, height - fixed - body))
        return Stage(True, (columns, clock_rows, 8), (columns, turn_rows, 2))
    # The clock beside the heading; under it when the text leaves room for a clock at
    # least twice as tall as the one beside it.
    count_line = len(f"Fase {engine.index + 1} af {engine.phase_count} · ") + 12
    heading = max(16, min(max(len(phase.title), count_line) + 2, columns // 2))
    under = height - fixed - body - 1
    turn_rows = 4 if has_turns else 0
    if under - turn_rows >= 7:
        return Stage(True, (columns, min(11, under - turn_rows), 3), (columns, turn_rows, 1))
    clock_rows = 4 if height >= 20 else 3
    spare = height - fixed - body - max(clock_rows, title_rows + 1)
    turn = (columns, 4 if has_turns and spare >= 5 else 0, 1)
    return Stage(False, (columns - heading, clock_rows, 2), turn)
