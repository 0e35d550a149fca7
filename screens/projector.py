"""The projector: the phase on the wall, its countdown, the QR code and the meeting bar.

The countdown and the current turn are drawn in a block font as large as the room on the
screen allows (``screens.bigtext``), so the back of the room can read them.

As the terminal shrinks (a big font on a projector leaves few cells) the screen drops,
in this order: the meeting bar, the QR code (its address stays as text), the questions.
The phase title and the countdown are never dropped.

In a galleri or vote phase the body shows the wishes as small cards with their marks (or
how many marks were cast, while they are hidden); in a "brænder for" phase it shows the
options, how many chose each and so the new groups.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from facilitator.agenda import KIND_NAMES_DA
from facilitator.clock import format_mmss
from screens.bigtext import BigText
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
    literal,
    marks_words,
    open_wishes,
    phones_text,
    run_command,
    vote_progress_words,
)

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, Snapshot

# Rows and columns the rest of the screen needs around a QR code of a given size.
QR_ROWS_AROUND = 13  # title bar, phase head, flip-over line, footer, address and phones
BAR_ROWS = 2  # the meeting bar (and its margin)
TEXT_COLUMNS = 60  # the phase text keeps at least this much width next to the QR
JOIN_BOX_COLUMNS = 40  # the QR's column: the code, its address, phones, a web error
MIN_ROWS_FOR_QUESTIONS = 19
NOMINAL_QR = 33  # modules of a typical participant address (version 2 + quiet zone)
BOARD_KINDS = ("gallery", "vote", "choose")
CARD_COLUMNS = 28  # a small card on the projector's board


class ProjectorScreen(EngineScreen):
    """The wall. Every key is one action; a refused command becomes a notification."""

    BINDINGS = [
        Binding("space", "toggle", "Start/pause", key_display="␣", priority=True),
        Binding(
            "right,pagedown",
            "next",
            "Næste",
            key_display="→",
            priority=True,
            tooltip="Næste fase",
        ),
        Binding(
            "left,pageup",
            "previous",
            "Forrige",
            key_display="←",
            priority=True,
            tooltip="Forrige fase",
        ),
        Binding(
            "plus,equals_sign",
            "extend(1)",
            "+1 min",
            key_display="+",
            priority=True,
            tooltip="+1 minut",
        ),
        Binding("5", "extend(5)", "+5 min", priority=True, tooltip="+5 minutter"),
        Binding("f", "flipovers", "Flip-overs", priority=True),
        Binding("g", "galleri", "Galleri", priority=True),
        Binding("p", "prioritering", "Prioritering", priority=True),
        Binding("v", "choose", "Brænder for", priority=True),
        Binding("j", "join", "Deltag", priority=True, tooltip="Deltag (QR-kode)"),
        Binding(
            "a",
            "staff_links",
            "Links",
            priority=True,
            tooltip="Assistent- og fjernbetjeningslinks",
        ),
        Binding(
            "b,full_stop", "blank", "Blank", key_display="b", priority=True, tooltip="Blank skærm"
        ),
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
        self._term = (0, 0)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        engine = self.engine
        with Horizontal(id="titlebar"):
            title = engine.title + ("  (demo)" if self.demo else "")
            yield Label(title, id="meeting-title", markup=False)
            yield Label(f"Mødekode {engine.code}", id="meeting-code", markup=False)
        with Horizontal(id="main"):
            with Vertical(id="stage"):
                with Horizontal(id="phase-head"):
                    with Vertical(id="phase-heading"):
                        yield Label("", id="phase-count")
                        yield Static("", id="phase-title", markup=False)
                    yield Countdown(id="countdown")
                with Vertical(id="turn-box"):
                    yield BigText("", id="turn-big", small=False, plain=False)
                    yield TurnLine("", id="turn")
                    yield Static("", id="turn-wish", markup=False)
                with VerticalScroll(id="phase-body", can_focus=False):
                    yield Static("", id="phase-text", markup=False)
                    yield Static("", id="phase-questions", markup=False)
                    yield Static("", id="board")
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
        self._turn_big = self.query_one("#turn-big", BigText)
        self.show_web()
        self._fit(self.app.size.width, self.app.size.height)
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Drop the meeting bar, then the QR code, then the questions, as room runs out."""
        self._term = (width, height)
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
        roomy = height >= 36 and width >= 120
        if roomy != self.has_class("-roomy"):
            self.set_class(roomy, "-roomy")
            self._phase_shown = None  # redraw the questions with their spacing
            if self.is_mounted:
                self.redraw()
        self.query_one(KeyFooter).fit(width)
        self._size_stage()

    @staticmethod
    def _join_box_width(modules: int) -> int:
        return max(JOIN_BOX_COLUMNS, modules + 2)

    def _stage_columns(self) -> int:
        width, _ = self._term
        qr = self.query_one("#qr", QRCode)
        used = self._join_box_width(qr.modules or NOMINAL_QR) if self.shows["qr"] else 0
        return max(10, width - used - (2 if self.has_class("-narrow") else 4))

    def _size_stage(self) -> None:
        """Give the countdown and the turn as many rows as the phase's text leaves."""
        width, height = self._term
        if not width or not self.is_mounted:
            return
        engine = self.engine
        phase = engine.phase
        columns = self._stage_columns()
        roomy = self.has_class("-roomy")
        has_turns = engine.clock.turn_count > 0
        footer = self.query_one(KeyFooter).rows
        title_rows = max(1, math.ceil(len(phase.title) / max(10, columns)))
        narrow = self.has_class("-narrow")
        # titlebar, the head's padding, count, title (and the gap under it), footer
        fixed = 1 + (0 if narrow else 2) + 1 + title_rows + footer
        fixed += 2 if self.shows["meeting_bar"] else 0
        groups = len(engine.flipover_counts())
        fixed += math.ceil((20 + 16 * groups) / max(10, width - 4))  # flip-over counts
        fixed += 0 if self.shows["qr"] else 1  # the join line
        if has_turns:
            fixed += 1 + (1 if phase.kind == "present" else 0)  # the turn (and its wish)
        body = self._body_rows(columns)
        stacked = roomy
        if roomy:
            turn_rows = 0
            if has_turns:
                spare = height - fixed - body - 2 - 11  # a clock of 11 rows comes first
                turn_rows = 7 if spare >= 7 else 4
                fixed += turn_rows + 1
            clock_rows = max(4, min(18, height - fixed - body))
            self._countdown.fit(columns, clock_rows)
            self._turn_big.fit(columns, turn_rows, max_scale=2)
        else:
            # The clock beside the heading; under it when the text leaves room for a
            # clock at least twice as tall as the one beside it.
            count_line = len(f"Fase {engine.index + 1} af {engine.phase_count} · ") + 12
            heading = max(16, min(max(len(phase.title), count_line) + 2, columns // 2))
            under = height - fixed - body - 1
            turn_rows = 4 if has_turns else 0
            if under - turn_rows >= 7:
                stacked = True
                self._countdown.fit(columns, min(11, under - turn_rows), max_scale=3)
                self._turn_big.fit(columns, turn_rows, max_scale=1)
            else:
                clock_rows = 4 if height >= 20 else 3
                self._countdown.fit(columns - heading, clock_rows, max_scale=2)
                spare = height - fixed - body - max(clock_rows, title_rows + 1)
                self._turn_big.fit(columns, 4 if has_turns and spare >= 5 else 0, max_scale=1)
        self.set_class(stacked, "-stacked")

    def _body_rows(self, columns: int) -> int:
        """Rows the phase's text, questions and board would like (an estimate)."""
        phase = self.engine.phase

        def lines(text: str, indent: int = 0) -> int:
            return max(1, math.ceil((len(text) + indent) / max(10, columns)))

        rows = 1 if self.has_class("-narrow") else 2  # the body's padding
        if phase.text:
            rows += lines(phase.text) + 1
        if phase.questions and self.shows["questions"]:
            gap = 1 if self.has_class("-roomy") else 0
            rows += sum(lines(q, 3) for q in phase.questions) + gap * (len(phase.questions) - 1)
        if phase.kind in ("gallery", "vote"):
            wishes = len(open_wishes(self.engine))
            per_row = max(1, columns // CARD_COLUMNS)
            rows += 2 + 4 * min(3, math.ceil(wishes / per_row)) if wishes else 1
        elif phase.kind == "choose":
            rows += 2 + len(self.engine.choice_options())
        return rows

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
            self._size_stage()
        self._draw_board()
        self._draw_counts()
        self._draw_phones()
        self.tick()

    def tick(self) -> None:
        now = self.engine.now()
        self._countdown.show(self.engine, now)
        self._turn.show(self.engine, now)
        self._show_turn_big(now)
        self._bar.show(self.engine, now)

    def _show_turn_big(self, now: float) -> None:
        """The current turn in the block font: "GRUPPE 2 AF 5  02:13"."""
        engine = self.engine
        turn = engine.turn(now) if engine.clock.turn_count > 0 else None
        if turn is None:
            self._turn_big.update("")
            self._turn_big.display = False
            self.query_one("#turn-wish").display = False
            return
        label = engine.turn_label(turn)
        left = format_mmss(turn.remaining_s)
        self._turn_big.update(f"{label}  {left}", label)
        self._turn_big.display = self._turn_big.choice is not None
        wish = self._presenting_wish(turn.index, turn.count)
        self.query_one("#turn-wish", Static).update(wish)
        self.query_one("#turn-wish").display = bool(wish)

    def _presenting_wish(self, index: int, count: int) -> str:
        """In a presenting phase after "brænder for": the wish the group worked on."""
        engine = self.engine
        if engine.phase.kind != "present" or engine.current_grouping() != "wishes":
            return ""
        options = engine.choice_options()
        if len(options) != count or index >= len(options):
            return ""
        return f"Gruppe {index + 1} arbejdede med: {options[index].title}"

    def _draw_board(self) -> None:
        board = self.query_one("#board", Static)
        kind = self.engine.phase.kind
        board.display = kind in BOARD_KINDS
        if kind in ("gallery", "vote"):
            board.update(self._gallery_board())
        elif kind == "choose":
            board.update(choose_board(self.engine))

    def _gallery_board(self) -> Group:
        engine = self.engine
        wishes = open_wishes(engine)
        visible = engine.marks_visible()
        show_marks = engine.phase.kind == "vote" or any(f.marks for f in wishes)
        head = Text()
        if engine.phase.kind == "vote":
            head.append(vote_progress_words(engine), style="bold")
            if not visible:
                head.append("  ·  markeringerne vises, når tiden er gået")
        else:
            head.append(f"{len(wishes)} ønsker på væggen", style="bold")
            head.append("  ·  g: galleriet på skærmen")
        if not wishes:
            return Group(head, Text("Ingen ønsker endnu."))
        columns = max(1, min(5, self._stage_columns() // CARD_COLUMNS))
        grid = Table.grid(expand=True, padding=(0, 1))
        for _ in range(columns):
            grid.add_column(ratio=1)
        themes = {t.id: t.name for t in engine.themes()}
        cells = []
        for flip in wishes:
            body = literal(flip.heading, style="bold")
            if flip.theme_id in themes:
                body.append_text(literal(f"\nTema: {themes[flip.theme_id]}", style="italic"))
            if show_marks:
                body.append("\n" + (marks_words(flip.marks) if visible else "skjult"))
            cells.append(Panel(body, title=f"Gruppe {flip.group}", title_align="left"))
        for start in range(0, len(cells), columns):
            row = cells[start : start + columns]
            grid.add_row(*row, *([""] * (columns - len(row))))
        return Group(head, grid)

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

    def action_galleri(self) -> None:
        from screens.galleri import GalleriScreen

        self.app.push_screen(GalleriScreen(self.engine))

    def action_prioritering(self) -> None:
        from screens.prioritering import PrioriteringScreen

        self.app.push_screen(PrioriteringScreen(self.engine))

    def action_choose(self) -> None:
        from screens.choose import ChooseScreen

        self.app.push_screen(ChooseScreen(self.engine))

    def action_join(self) -> None:
        from screens.join import JoinScreen

        self.app.push_screen(JoinScreen(self.engine, self.web))

    def action_staff_links(self) -> None:
        from screens.links import ask_then_show_links

        ask_then_show_links(self.app, self.engine)

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


def choose_board(engine: MeetingEngine) -> Group:
    """The "brænder for" options as new groups: "Gruppe 1: Ønske … – 6 personer"."""
    counts = engine.choice_counts()
    total = sum(n for _, n in counts)
    head = Text(f"{total} har valgt", style="bold")
    if not counts:
        return Group(head, Text("Ingen prioriterede ønsker endnu – p: prioritering."))
    most = max(1, max(n for _, n in counts))
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(max_width=60)
    table.add_column(no_wrap=True, justify="right")
    table.add_column(no_wrap=True)
    for number, (item, count) in enumerate(counts, 1):
        people = "1 person" if count == 1 else f"{count} personer"
        bar = "█" * round(20 * count / most) if count else ""
        table.add_row(
            Text(f"Gruppe {number}:", style="bold"),
            literal(item.title, style="bold"),
            Text(f"– {people}", style="bold"),
            Text(bar),
        )
    return Group(head, Text(""), table)
