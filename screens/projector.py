"""The projector: the phase on the wall, its countdown, the QR code and the meeting bar.

As the terminal shrinks (a big font on a projector leaves few cells) the screen drops,
in this order: the meeting bar, the QR code (its address stays as text), the questions.
The phase title and the countdown are never dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from facilitator.agenda import KIND_NAMES_DA
from screens.widgets import (
    BlankScreen,
    ConfirmScreen,
    Countdown,
    EngineScreen,
    KeyFooter,
    MeetingBar,
    QRCode,
    TurnLine,
    WebInfo,
    phones_text,
    run_command,
)

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, Snapshot

# Rows and columns the rest of the screen needs around a QR code of a given size.
QR_ROWS_AROUND = 13  # title bar, phase head, flip-over line, footer, address and phones
BAR_ROWS = 2  # the meeting bar (and its margin)
TEXT_COLUMNS = 60  # the phase text keeps at least this much width next to the QR
JOIN_BOX_COLUMNS = 40  # the QR's column: the code, its address, phones, a web error
MIN_ROWS_FOR_QUESTIONS = 19
KEYS_ON_ONE_ROW = 140  # narrower than this, the footer shows its keys on two rows
NOMINAL_QR = 33  # modules of a typical participant address (version 2 + quiet zone)


class ProjectorScreen(EngineScreen):
    """The wall. Every key is one action; a refused command becomes a notification."""

    BINDINGS = [
        Binding("space", "toggle", "Start/pause", key_display="␣", priority=True),
        Binding("right,pagedown", "next", "Næste fase", key_display="→", priority=True),
        Binding("left,pageup", "previous", "Forrige fase", key_display="←", priority=True),
        Binding("plus,equals_sign", "extend(1)", "+1 minut", key_display="+", priority=True),
        Binding("5", "extend(5)", "+5 minutter", priority=True),
        Binding("f", "flipovers", "Flip-overs", priority=True),
        Binding("j", "join", "Deltag (QR)", priority=True),
        Binding("b,full_stop", "blank", "Blank skærm", key_display="b", priority=True),
        Binding("q", "quit_meeting", "Afslut", priority=True),
    ]

    def __init__(
        self,
        engine: MeetingEngine,
        web: WebInfo | None = None,
        *,
        demo: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(engine, **kwargs)
        self.web = web or WebInfo()
        self.demo = demo
        self._phase_shown: int | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        engine = self.engine
        with Horizontal(id="titlebar"):
            title = engine.title + ("  (demo)" if self.demo else "")
            yield Label(title, id="meeting-title", markup=False)
            yield Label(f"Mødekode {engine.code}", id="meeting-code", markup=False)
        with Horizontal(id="phase-head"):
            with Vertical(id="phase-heading"):
                yield Label("", id="phase-count")
                yield Static("", id="phase-title", markup=False)
                yield TurnLine("", id="turn")
            yield Countdown(id="countdown")
        with Horizontal(id="body"):
            with VerticalScroll(id="phase-body", can_focus=False):
                yield Static("", id="phase-text", markup=False)
                yield Static("", id="phase-questions", markup=False)
            with Vertical(id="join-box"):
                yield QRCode(None, id="qr")
                yield Static("", id="join-url", markup=False)
                yield Label("", id="phones")
                yield Static("", id="web-error", markup=False)
        yield Static("", id="join-line", markup=False)
        yield Static("", id="flip-counts", markup=False)
        yield MeetingBar(id="meeting-bar")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._countdown = self.query_one(Countdown)
        self._bar = self.query_one(MeetingBar)
        self._turn = self.query_one(TurnLine)
        self.show_web()
        self._fit(self.app.size.width, self.app.size.height)
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Drop the meeting bar, then the QR code, then the questions, as room runs out."""
        qr = self.query_one("#qr", QRCode)
        modules = qr.modules or NOMINAL_QR
        qr_rows = (modules + 1) // 2
        wide_enough = width >= self._join_box_width(modules) + TEXT_COLUMNS
        show_qr = wide_enough and height >= qr_rows + QR_ROWS_AROUND
        show_bar = show_qr and height >= qr_rows + QR_ROWS_AROUND + BAR_ROWS
        show_questions = height >= MIN_ROWS_FOR_QUESTIONS
        self.set_class(not show_bar, "-no-bar")
        self.set_class(not show_qr, "-no-qr")
        self.set_class(not show_questions, "-no-questions")
        self.set_class(width < 100, "-narrow")
        roomy = height >= 40 and width >= 120
        if roomy != self.has_class("-roomy"):
            self.set_class(roomy, "-roomy")
            self._phase_shown = None  # redraw the questions with their spacing
            if self.is_mounted:
                self.redraw()
        self.query_one(KeyFooter).wrap(width < KEYS_ON_ONE_ROW)

    @staticmethod
    def _join_box_width(modules: int) -> int:
        return max(JOIN_BOX_COLUMNS, modules + 2)

    @property
    def shows(self) -> dict[str, bool]:
        """Which droppable parts are on screen (for tests and the curious)."""
        return {
            "meeting_bar": not self.has_class("-no-bar"),
            "qr": not self.has_class("-no-qr"),
            "questions": not self.has_class("-no-questions"),
        }

    # ------------------------------------------------------------------ drawing
    def redraw(self, snapshot: Snapshot | None = None) -> None:
        engine = self.engine
        if self._phase_shown != engine.index or snapshot is None:
            self._phase_shown = engine.index
            phase = engine.phase
            kind = KIND_NAMES_DA.get(phase.kind, phase.kind)
            self.query_one("#phase-count", Label).update(
                f"Fase {engine.index + 1} af {engine.phase_count} · {kind}"
            )
            self.query_one("#phase-title", Static).update(phase.title)
            self.query_one("#phase-text", Static).update(phase.text)
            questions = Text()
            gap = "\n\n" if self.has_class("-roomy") else "\n"
            for number, question in enumerate(phase.questions, 1):
                if number > 1:
                    questions.append(gap)
                questions.append(f"{number}. ", style="bold")
                questions.append(question)
            self.query_one("#phase-questions", Static).update(questions)
            self.query_one("#phase-questions").set_class(not phase.questions, "-empty")
            self.query_one("#phase-text").set_class(not phase.text, "-empty")
        self._draw_counts()
        self._draw_phones()
        self.tick()

    def tick(self) -> None:
        now = self.engine.now()
        self._countdown.show(self.engine, now)
        self._turn.show(self.engine, now)
        self._bar.show(self.engine, now)

    def _draw_counts(self) -> None:
        counts = self.engine.flipover_counts()
        parts = [f"Gruppe {group}: {n}" for group, n in sorted(counts.items())]
        total = sum(counts.values())
        self.query_one("#flip-counts", Static).update(
            f"Flip-overs ({total}):  " + "  ·  ".join(parts)
        )

    def _draw_phones(self) -> None:
        phones = self.query_one("#phones", Label)
        phones.display = self.web.enabled
        phones.update(phones_text(self.engine.phones))
        line = f"Deltag: {self.web.url}" if self.web.url else self.web.headline
        if self.web.enabled:
            line = f"{line}  ·  {phones_text(self.engine.phones)}"
        if self.web.error:
            line = f"{line}  ·  {self.web.error}"
        self.query_one("#join-line", Static).update(line)

    def set_web(self, web: WebInfo) -> None:
        """The app calls this once the web server has started (or failed)."""
        self.web = web
        if self.is_mounted:
            self.show_web()
            self._fit(self.app.size.width, self.app.size.height)
            self._draw_phones()

    def show_web(self) -> None:
        web = self.web
        qr = self.query_one("#qr", QRCode)
        qr.set_url(web.url)
        qr.display = web.url is not None
        box = self.query_one("#join-box")
        box.styles.width = self._join_box_width(qr.modules or NOMINAL_QR)
        self.query_one("#join-url", Static).update(web.headline)
        error = self.query_one("#web-error", Static)
        error.update(web.error or "")
        error.display = bool(web.error)
        self._draw_phones()

    # ------------------------------------------------------------------ actions
    def action_toggle(self) -> None:
        run_command(self, self.engine.toggle)

    def action_next(self) -> None:
        run_command(self, self.engine.next_phase)

    def action_previous(self) -> None:
        run_command(self, self.engine.previous_phase)

    def action_extend(self, minutes: int) -> None:
        if run_command(self, lambda: self.engine.extend(minutes)) is not None:
            word = "minut" if minutes == 1 else "minutter"
            self.notify(f"+{minutes} {word} til fasen", timeout=2)

    def action_flipovers(self) -> None:
        from screens.flipover_entry import FlipoverEntryScreen

        self.app.push_screen(FlipoverEntryScreen(self.engine))

    def action_join(self) -> None:
        from screens.join import JoinScreen

        self.app.push_screen(JoinScreen(self.engine, self.web))

    def action_blank(self) -> None:
        self.app.push_screen(BlankScreen())

    def action_quit_meeting(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit()

        self.app.push_screen(
            ConfirmScreen("Vil du afslutte? Mødet gemmes og kan fortsættes senere."),
            answered,
        )
