"""Widgets and small screens shared by the projector, join and entry screens.

Screens never change meeting state themselves: they call the engine and draw what it
says. Time comes from ``engine.now()`` (an injected clock in tests), never from the
wall, so a frozen clock gives a frozen picture.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static

from facilitator.clock import format_mmss, format_overrun
from facilitator.engine import BOARD_EVENTS, EngineError, StorageError
from screens.bigtext import BigText

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

TICK_S = 0.25  # the countdown's redraw interval (4 Hz); only changed text is redrawn
REDRAW_GAP_S = 0.2  # a burst of votes redraws the board at most this often

# Errors a command may raise that the user should read, not a traceback.
COMMAND_ERRORS = (EngineError, StorageError)


# --------------------------------------------------------------------- plain helpers
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


def wall_hhmm(instant: float) -> str:
    """A wall instant as the room's clock shows it (local time, HH:MM)."""
    return time.strftime("%H:%M", time.localtime(instant))


def hours_minutes(seconds: float) -> str:
    """A duration as h:mm (the meeting bar)."""
    total = int(max(0.0, seconds) // 60)
    return f"{total // 60}:{total % 60:02d}"


def phones_text(count: int) -> str:
    return f"{count} telefon forbundet" if count == 1 else f"{count} telefoner forbundet"


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


def marks_words(count: int) -> str:
    return "1 markering" if count == 1 else f"{count} markeringer"


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


# `r` during a vote, in the galleri and on the projector: the result now.
REVEAL_BINDING = Binding(
    "r",
    "reveal_now",
    "Resultat",
    priority=True,
    tooltip="Vis resultatet nu (afslutter afstemningen)",
)


def vote_open(engine: MeetingEngine) -> bool:
    """A vote phase whose marks are still open: "r Vis resultatet nu" may end it."""
    if engine.phase.kind != "vote":
        return False
    return not engine.vote_closed()


def reveal_now(widget: Any) -> None:
    """End the current vote now (the `r` key): the totals show and the phones' marks close."""
    engine = widget.engine
    if run_command(widget, lambda: engine.reveal_now() or True):
        widget.notify(
            "Afstemningen er slut: resultatet vises, og telefonernes markeringer er lukket.",
            timeout=4,
        )


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


def run_command(widget: Widget, command: Callable[[], Any]) -> Any:
    """Run an engine command; a refusal or a storage fault becomes a notification."""
    try:
        return command()
    except COMMAND_ERRORS as exc:
        widget.notify(sentence(str(exc)), severity="error", timeout=6, markup=False)
        return None


def sentence(text: str) -> str:
    """A message as a sentence: capital first letter."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "Noget gik galt"


# --------------------------------------------------------------------- web status
@dataclass
class WebInfo:
    """What the screens need to know about the participant web server."""

    enabled: bool = False  # a server runs (so phones can connect and are counted)
    url: str | None = None
    error: str | None = None

    @property
    def headline(self) -> str:
        """What to show instead of a QR code when there is none."""
        if self.url:
            return self.url
        if not self.enabled:
            return "Web er slået fra"
        return "Ingen netværk"


# --------------------------------------------------------------------- engine events
class EngineChanged(Message):
    """The engine published a snapshot (posted from the engine's listener)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class EngineScreen(Screen):
    """A screen that listens to the engine and redraws its clock four times a second.

    Clock and phase events redraw at once. Board events (votes, flip-overs, themes...)
    come in bursts when a room votes from its phones: the first redraws at once, the
    rest are folded into one redraw at most every ``REDRAW_GAP_S``.
    """

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

    def _engine_listener(self, snapshot: Snapshot) -> None:
        self.post_message(EngineChanged(snapshot))

    def on_engine_changed(self, message: EngineChanged) -> None:
        snapshot = message.snapshot
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


# --------------------------------------------------------------------- countdown
class Countdown(Horizontal):
    """The phase countdown, drawn as large as the screen allows, and its state in words.

    The screen gives it a budget with ``fit(columns, rows)``; the digits take the largest
    block-font scale that fits next to the state ("Klar", "Kører", "Pause",
    "+02:13 over tid"), down to a 3-row font and, on a tiny screen, plain text.
    """

    def compose(self) -> ComposeResult:
        yield BigText("00:00", id="digits")
        yield Label("", id="clock-state")

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
            for name in ("-ready", "-running", "-paused", "-over"):
                self.set_class(name == state_class, name)

    @property
    def value(self) -> str:
        """The digits shown ("13:59", "+00:05")."""
        return self._digits.value

    @property
    def state_text(self) -> str:
        return self._shown[1] if self._shown else ""


class TurnLine(Label):
    """The current turn ("2 interviewer 3", "Person 2 af 4") and its time left."""

    def show(self, engine: MeetingEngine, now: float) -> None:
        text = turn_words(engine, now)
        if getattr(self, "_shown", None) != text:
            self._shown = text
            self.update(text)
            self.display = bool(text)


class ClockLine(Label):
    """The countdown on one line, for a corner of the entry screen."""

    def show(self, engine: MeetingEngine, now: float) -> None:
        digits, words, state_class = clock_words(engine, now)
        text = (
            f" {digits}  {words} " if state_class != "-over" else f" {words} "
        ) + f"· Fase {engine.index + 1}/{engine.phase_count} "
        if getattr(self, "_shown", None) != text:
            self._shown = text
            self.update(text)
            for name in ("-ready", "-running", "-paused", "-over"):
                self.set_class(name == state_class, name)


# --------------------------------------------------------------------- meeting bar
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


# --------------------------------------------------------------------- QR code
BLACK = "#000000"
WHITE = "#ffffff"


def qr_text(matrix: list[list[bool]], scale: int = 1) -> Text:
    """A QR matrix drawn with '▀': two module rows per text row, black on white.

    ``scale`` s makes each module s columns wide and s half-rows high. The colours are
    explicit, so the code reads the same on a dark or a light terminal.
    """
    scale = max(1, scale)
    rows = [[cell for cell in row for _ in range(scale)] for row in matrix for _ in range(scale)]
    if len(rows) % 2:
        rows.append([False] * (len(rows[0]) if rows else 0))
    styles = {
        (top, bottom): Style(color=BLACK if top else WHITE, bgcolor=BLACK if bottom else WHITE)
        for top in (False, True)
        for bottom in (False, True)
    }
    text = Text(no_wrap=True, overflow="crop", end="")
    for y in range(0, len(rows), 2):
        top_row, bottom_row = rows[y], rows[y + 1]
        run_style = None
        run = 0
        for top, bottom in zip(top_row, bottom_row, strict=True):
            style = styles[(top, bottom)]
            if style is run_style:
                run += 1
                continue
            if run:
                text.append("▀" * run, run_style)
            run_style, run = style, 1
        if run:
            text.append("▀" * run, run_style)
        if y + 2 < len(rows):
            text.append("\n")
    return text


class QRCode(Widget):
    """A QR code for a URL; ``scale`` may be changed to fill a screen."""

    DEFAULT_CSS = "QRCode { width: auto; height: auto; }"

    def __init__(self, url: str | None = None, scale: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._url: str | None = None
        self._matrix: list[list[bool]] = []
        self._scale = max(1, scale)
        self._text: Text | None = None
        self.set_url(url)

    @property
    def url(self) -> str | None:
        return self._url

    @property
    def modules(self) -> int:
        return len(self._matrix)

    def set_url(self, url: str | None) -> None:
        if url == self._url:
            return
        self._url = url
        if url:
            from facilitator.qr import qr_matrix

            self._matrix = qr_matrix(url)
        else:
            self._matrix = []
        self._text = None
        self.refresh(layout=True)

    def set_scale(self, scale: int) -> None:
        scale = max(1, scale)
        if scale != self._scale:
            self._scale = scale
            self._text = None
            self.refresh(layout=True)

    @property
    def scale(self) -> int:
        return self._scale

    def size_at(self, scale: int) -> Size:
        n = len(self._matrix) * scale
        return Size(n, (n + 1) // 2)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.size_at(self._scale).width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.size_at(self._scale).height

    def render(self) -> Text:
        if not self._matrix:
            return Text("")
        if self._text is None:
            self._text = qr_text(self._matrix, self._scale)
        return self._text


# --------------------------------------------------------------------- footer
class KeyFooter(Footer):
    """Textual's footer, which wraps its keys onto as few rows as the width needs.

    ``fit(width)`` (called by the screen on every resize) keeps one row when every key
    fits; otherwise it lays the keys out in a grid whose columns are as wide as their
    widest key, on two rows or more, so every key stays visible at 80 columns.
    """

    PALETTE_COLUMNS = 12  # "^p palette" on the right of a one-row footer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._width = 0
        self.rows = 1

    def _labels(self, compact: bool = False) -> list[int]:
        """Each shown key's width: key, description and padding (less when compact)."""
        seen: dict[str, int] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            key = binding.key_display or self.app.get_key_display(binding)
            seen[binding.action] = len(key) + len(binding.description) + (2 if compact else 3)
        return list(seen.values())

    def _layout(self, width: int) -> tuple[int, list[int]]:
        """(rows, column widths) for the keys in ``width`` columns; wrapped keys are
        drawn compact (less padding)."""
        if sum(self._labels()) <= width:
            return 1, []
        labels = self._labels(compact=True)
        for rows in range(2, len(labels) + 1):
            columns = math.ceil(len(labels) / rows)
            widths = [
                max(labels[i] for i in range(c, len(labels), columns)) for c in range(columns)
            ]
            if sum(widths) <= width:
                return rows, widths
        return len(labels), [max(labels)]

    def compose(self) -> ComposeResult:
        yield from super().compose()
        if self.has_class("-wrap"):
            rows, widths = self._layout(self._width or self.app.size.width)
            self.styles.grid_size_columns = max(1, len(widths))
            self.styles.grid_columns = " ".join(str(w) for w in widths) or "1fr"

    def fit(self, width: int) -> None:
        self._width = width
        rows, _ = self._layout(width)
        wrap = rows > 1
        changed = wrap != self.has_class("-wrap") or rows != self.rows
        self.rows = rows
        self.set_class(wrap, "-wrap")
        self.compact = wrap
        self.styles.height = rows
        self.show_command_palette = sum(self._labels()) + self.PALETTE_COLUMNS <= width
        if changed or wrap:
            self.refresh(recompose=True)


# --------------------------------------------------------------------- modal screens
# A dialog opened while someone types must not take their letters as its answer (the
# assistant typing "Stabil bemanding" pressed ctrl+n after "Stabil ": the question's "n"
# answered it, and the rest went into the field). So every key but Escape is dropped
# until the keyboard has been quiet for DIALOG_QUIET_S after the dialog opened; a key in
# that moment starts the quiet moment over, and the dialog says the keys were not used.
# Escape (the safe answer) and the mouse always work. Tests set the clock and the time.
DIALOG_QUIET_S = 0.6
dialog_clock: Callable[[], float] = time.monotonic
DialogResult = TypeVar("DialogResult")


class GuardedDialog(ModalScreen[DialogResult]):
    """A modal dialog that ignores the keys of someone still typing as it opens.

    Subclasses focus their widget in ``focus_answer`` (called once the keyboard is quiet:
    a focused text field would take the letters itself)."""

    AUTO_FOCUS = ""  # nothing is focused until the keyboard is quiet
    DROPPED = "Du skrev videre – tasterne er ikke brugt."

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self._clock = clock
        self._quiet_from = 0.0
        self._answerable = False
        self.dropped_keys = 0

    def _now(self) -> float:
        return (self._clock or dialog_clock)()

    def on_mount(self) -> None:
        self._quiet_from = self._now()
        if not self._check_quiet():
            self.focus_early()
            self._quiet_timer = self.set_interval(0.05, self._check_quiet, name="quiet")

    @property
    def guarding(self) -> bool:
        """Whether keys are being dropped now (someone may still be typing)."""
        return not self._answerable

    def _check_quiet(self) -> bool:
        if self._answerable:
            return True
        if self._now() - self._quiet_from < DIALOG_QUIET_S:
            return False
        self._answerable = True
        timer = getattr(self, "_quiet_timer", None)
        if timer is not None:
            timer.stop()
        self.focus_answer()
        return True

    def focus_early(self) -> None:
        """What may have the focus while keys are dropped (nothing, by default)."""

    def focus_answer(self) -> None:
        """Give the focus to the dialog's answer (subclasses)."""

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" or self._check_quiet():
            return
        event.stop()
        event.prevent_default()
        self._quiet_from = self._now()  # still typing: the quiet moment starts over
        self.dropped_keys += 1
        if self.dropped_keys == 1:
            self.show_dropped()

    def show_dropped(self) -> None:
        """Say that the typed keys were not used (subclasses put it in their hint)."""


class ConfirmScreen(GuardedDialog[bool]):
    """A yes/no question. Escape (and n) means no; j/y means yes; Enter presses the
    focused button (Nej, at first). Keys typed as it opens are dropped (GuardedDialog)."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Nej", show=False),
        Binding("y,j", "answer(True)", "Ja", show=False),
        Binding("left,right,tab", "app.focus_next", "Skift", show=False),
    ]

    def __init__(
        self,
        question: str,
        yes: str = "Ja",
        no: str = "Nej",
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes, id="yes", variant="error")
                yield Button(self.no, id="no", variant="primary")
            yield Static(self._hint(), id="confirm-hint", markup=False)

    def _hint(self) -> str:
        return f"Enter: den markerede knap · j: {self.yes} · n eller Esc: {self.no}"

    def focus_early(self) -> None:
        self.query_one("#no", Button).focus()  # shown, but Enter is dropped as well

    def focus_answer(self) -> None:
        if self.focused is None:
            self.query_one("#no", Button).focus()

    def show_dropped(self) -> None:
        hint = self.query_one("#confirm-hint", Static)
        hint.update(f"{self.DROPPED}\n{self._hint()}")
        hint.add_class("-dropped")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptScreen(GuardedDialog[str | None]):
    """Ask for one line of text (a theme's name). Enter answers, Escape cancels.
    The field takes letters only once the keyboard has been quiet (GuardedDialog)."""

    BINDINGS = [Binding("escape", "cancel", "Fortryd", show=False)]
    HINT = "Enter: gem · Esc: fortryd"

    def __init__(
        self,
        question: str,
        value: str = "",
        placeholder: str = "",
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(self.question, id="prompt-question", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label(self.HINT, id="prompt-hint", markup=False)

    def focus_answer(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def show_dropped(self) -> None:
        hint = self.query_one("#prompt-hint", Label)
        hint.update(f"{self.DROPPED}\n{self.HINT}")
        hint.add_class("-dropped")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BlankScreen(Screen[None]):
    """A black screen (the mødeleder wants the room's attention); any key returns."""

    def compose(self) -> ComposeResult:
        yield Static("", id="blank")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.dismiss()
