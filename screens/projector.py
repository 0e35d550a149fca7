"""The projector: the phase on the wall, its countdown, the QR code and the meeting bar.

The countdown and the current turn are drawn in a block font as large as the room on the
screen allows (``screens.bigtext``), so the back of the room can read them.

As the terminal shrinks (a big font on a projector leaves few cells) the screen drops,
in this order: the meeting bar, the QR code (its address stays as text), the questions.
The phase title and the countdown are never dropped.

In a galleri or vote phase the body shows the wishes as small cards with their marks (or
how many marks were cast, while they are hidden); in a "brænder for" phase it shows the
options, how many chose each and so the new groups.

Nothing on the wall is cut without saying so. The questions take two or three columns when
one does not hold them, and what still does not fit is counted ("+3 mere"). The cards are
paged when there are more than fit, and the pages turn by themselves every
``PAGE_SECONDS`` on the engine's clock (PageDown/PageUp mean next/previous phase here, for
the presenter's clicker), the head saying "side 1 af 3 · kort 1–3 af 9". The flip-over counts
fold into a compact line ("Gruppe 1: 2 · 2: 0 · …") before they count what is left over.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Label, Static

from facilitator.agenda import KIND_NAMES_DA
from facilitator.clock import format_mmss
from screens.bigtext import BigText
from screens.widgets import (
    REVEAL_BINDING,
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
    new_group_numbers,
    open_wishes,
    phones_text,
    reveal_now,
    run_command,
    vote_open,
    vote_progress_words,
)

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

# Rows and columns the rest of the screen needs around a QR code of a given size.
QR_ROWS_AROUND = 13  # title bar, phase head, flip-over line, footer, address and phones
BAR_ROWS = 2  # the meeting bar (and its margin)
TEXT_COLUMNS = 60  # the phase text keeps at least this much width next to the QR
JOIN_BOX_COLUMNS = 40  # the QR's column: the code, its address, phones, a web error
MIN_ROWS_FOR_QUESTIONS = 19
NOMINAL_QR = 33  # modules of a typical participant address (version 2 + quiet zone)
BOARD_KINDS = ("gallery", "vote", "choose")
CARD_COLUMNS = 28  # a small card on the projector's board
PAGE_SECONDS = 10  # the board's pages turn this often (on the engine's clock)
QUESTION_COLUMN = 36  # a column of questions narrower than this is hard to read
COLUMN_GAP = 3
COUNT_ROWS = 2  # the flip-over counts take at most this many rows

_MEASURE = Console(file=io.StringIO(), width=400, color_system=None, legacy_windows=False)


def wrap_lines(text: Text, width: int) -> list[Text]:
    """``text`` wrapped to ``width`` columns, as Rich would draw it."""
    return list(text.wrap(_MEASURE, max(1, width)))


def more_words(hidden: int) -> str:
    return f"+{hidden} mere"


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


def question_layout(
    questions: list[str], width: int, height: int, roomy: bool
) -> tuple[list[list[Text]], int]:
    """The numbered questions in as few columns as hold them in ``width`` × ``height``:
    (columns of lines, questions left out). One column, with a blank line between the
    questions when the screen is roomy; then without; then 2 or 3 columns; at last as many
    as fit and "+N mere"."""
    items = question_items(questions)
    most = max(1, min(3, (width + COLUMN_GAP) // (QUESTION_COLUMN + COLUMN_GAP)))
    tries = [(1, True), (1, False)] if roomy else [(1, False)]
    tries += [(n, False) for n in range(2, most + 1)]
    for columns, gap in tries:
        laid = _lay_columns(items, width, height, columns, gap)
        if laid is not None:
            return laid, 0
    # Not all fit: as many as do, in the widest layout, and the count of the rest.
    columns = most
    for shown in range(len(items) - 1, -1, -1):
        laid = _lay_columns(items[:shown], width, height - 1, columns, False)
        if laid is not None:
            return laid, len(items) - shown
    return [], len(items)


def question_items(questions: list[str]) -> list[Text]:
    items = []
    for number, question in enumerate(questions, 1):
        item = Text()
        item.append(f"{number}. ", style="bold")
        item.append_text(literal(question))
        items.append(item)
    return items


def _lay_columns(
    items: list[Text], width: int, height: int, columns: int, gap: bool
) -> list[list[Text]] | None:
    """The items poured into ``columns`` columns of ``height`` rows, or None if they
    do not fit."""
    if height <= 0:
        return None if items else []
    column_width = (width - COLUMN_GAP * (columns - 1)) // columns
    if column_width < 8:
        return None
    laid: list[list[Text]] = [[]]
    for item in items:
        lines = wrap_lines(item, column_width)
        column = laid[-1]
        needed = len(lines) + (1 if gap and column else 0)
        if len(column) + needed > height:
            if len(laid) == columns:
                return None
            laid.append([])
            column = laid[-1]
            needed = len(lines)
            if needed > height:
                return None
        if gap and column:
            column.append(Text(""))
        column.extend(lines)
    return laid


class QuestionList(Widget):
    """The phase's questions, numbered, fitted to the widget's size: in columns when one
    does not hold them, and "+N mere" under what fits when even columns do not."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.questions: list[str] = []
        self.roomy = False
        self.hidden = 0  # questions left out at the current size

    def show(self, questions: list[str] | tuple[str, ...], roomy: bool) -> None:
        self.questions = list(questions)
        self.roomy = roomy
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The height the questions want: one column (with its gaps when roomy)."""
        if not self.questions:
            return 0
        items = question_items(self.questions)
        laid = _lay_columns(items, width, 10_000, 1, self.roomy)
        return len(laid[0]) if laid else len(items)

    def render(self) -> RenderableType:
        width, height = self.content_size
        if not self.questions or width <= 0 or height <= 0:
            self.hidden = len(self.questions) if height <= 0 else 0
            return Text("")
        laid, self.hidden = question_layout(self.questions, width, height, self.roomy)
        parts: list[RenderableType] = []
        if len(laid) == 1:
            parts.append(Text("\n").join(laid[0]))
        elif laid:
            grid = Table.grid(padding=(0, COLUMN_GAP, 0, 0), expand=True)
            for _ in laid:
                grid.add_column(ratio=1)
            grid.add_row(*(Text("\n").join(column) for column in laid))
            parts.append(grid)
        if self.hidden:
            parts.append(
                Text(more_words(self.hidden) + " – står også på telefonerne", style="bold")
            )
        return Group(*parts)


class Board(Static):
    """The galleri's cards or the "brænder for" options; drawn for the size it gets."""

    def on_resize(self, event: events.Resize) -> None:
        screen = self.screen
        if isinstance(screen, ProjectorScreen) and self.display:
            screen._draw_board()


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
        REVEAL_BINDING,
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
        self._page_anchor = 0.0  # when the board's page 1 was first shown
        self._board_pages = (1, 0)  # (pages, page shown)
        self._vote_keys: tuple[str, bool] | None = None  # (phase kind, closed) of the keys

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
                    yield TurnLine("", id="turn", markup=False)  # a wish's title, as typed
                    yield Static("", id="turn-wish", markup=False)
                with Vertical(id="phase-body"):
                    yield Static("", id="phase-text", markup=False)
                    yield QuestionList(id="phase-questions")
                    yield Board("", id="board")
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
        fixed += len(self._count_lines(width))  # the flip-over counts
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
            fixed += 1  # the clock's margin above it
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
            rows += 3 + 5 * min(3, math.ceil(wishes / per_row)) if wishes else 1
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
            self.query_one("#phase-questions", QuestionList).show(
                phase.questions, self.has_class("-roomy")
            )
            self.query_one("#phase-questions").set_class(not phase.questions, "-empty")
            self.query_one("#phase-text").set_class(not phase.text, "-empty")
            self.set_class(phase.kind in BOARD_KINDS, "-board")
            self._page_anchor = engine.now()
            self._size_stage()
        self._refresh_vote_keys()
        self._draw_board()
        self._draw_counts()
        self._draw_phones()
        self.tick()

    def tick(self) -> None:
        now = self.engine.now()
        pages, shown = self._board_pages
        if pages > 1 and self._board_page(pages, now) != shown:
            self._draw_board()
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
        texts = [f"{label}  {left}", label]
        if engine.turn_name(turn):  # "Gruppe 2: Stabil bemanding": the number when it is long
            texts += [f"Gruppe {turn.index + 1}  {left}", f"Gruppe {turn.index + 1}"]
        self._turn_big.update(*texts)
        self._turn_big.display = self._turn_big.choice is not None
        # The turn's label names the presenting group's wish; the wish line says no more.
        self.query_one("#turn-wish").display = False

    def _draw_board(self) -> None:
        board = self.query_one("#board", Board)
        kind = self.engine.phase.kind
        board.display = kind in BOARD_KINDS
        self._board_pages = (1, 0)
        size = board.content_size
        if not size.width or not size.height:  # before layout: a guess, redrawn on resize
            size = Size(self._stage_columns(), 40)
        if kind in ("gallery", "vote"):
            board.update(self._gallery_board(size.width, size.height))
        elif kind == "choose":
            board.update(choose_board(self.engine, size.height))

    def _board_page(self, pages: int, now: float) -> int:
        return int(max(0.0, now - self._page_anchor) // PAGE_SECONDS) % max(1, pages)

    def _gallery_board(self, width: int, height: int) -> Group:
        """The wishes as cards in ``width`` × ``height``; paged when they do not fit, the
        pages turning every ``PAGE_SECONDS``. Before any marks (outside a vote) a card is
        just its wish: no "0 markeringer" on every card."""
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
        columns = max(1, min(5, (width + 1) // (CARD_COLUMNS + 1)))
        inner = max(4, (width - (columns - 1)) // columns - 4)  # border and padding
        themes = {t.id: t.name for t in engine.themes()}
        bodies = [self._card_body(f, themes, inner, show_marks, visible) for f in wishes]
        card_rows = 2 + max(len(wrap_lines(body, inner)) for body in bodies)

        # The head decides how many card rows fit; when the cards need pages, the head
        # also carries the page words, which may take a row of their own.
        def fitting(head_text: Text) -> int:
            return columns * max(1, (height - len(wrap_lines(head_text, width))) // card_rows)

        per_page = fitting(head)
        if len(wishes) > per_page:
            per_page = fitting(head + "  ·  side 10 af 10  ·  kort 999–999 af 999")
        pages = max(1, math.ceil(len(wishes) / per_page))
        page = self._board_page(pages, engine.now()) if pages > 1 else 0
        self._board_pages = (pages, page)
        start = page * per_page
        shown = wishes[start : start + per_page]
        if pages > 1:
            # Which cards this page holds, so no page reads as if more were to come.
            head.append(f"  ·  side {page + 1} af {pages}", style="bold")
            first, last = start + 1, start + len(shown)
            cards = f"kort {first}" if first == last else f"kort {first}–{last}"
            head.append(f"  ·  {cards} af {len(wishes)}", style="bold")
        grid = Table.grid(expand=True, padding=(0, 1))
        for _ in range(columns):
            grid.add_column(ratio=1)
        cells = [
            Panel(body, title=f"Gruppe {flip.group}", title_align="left", height=card_rows)
            for flip, body in zip(shown, bodies[start : start + per_page], strict=True)
        ]
        for start in range(0, len(cells), columns):
            row = cells[start : start + columns]
            grid.add_row(*row, *([""] * (columns - len(row))))
        return Group(head, grid)

    @staticmethod
    def _card_body(
        flip: FlipoverRow, themes: dict[int, str], inner: int, show_marks: bool, visible: bool
    ) -> Text:
        """A card's text: the wish (a very long one cut to 3 lines), its theme, its marks."""
        body = literal(flip.heading, style="bold")
        while len(wrap_lines(body, inner)) > 3:
            body = literal(flip.heading[: len(body.plain) - 2].rstrip() + "…", style="bold")
        if flip.theme_id in themes:
            body.append_text(literal(f"\nTema: {themes[flip.theme_id]}", style="italic"))
        if show_marks:
            body.append("\n" + (marks_words(flip.marks) if visible else "skjult"))
        return body

    def _count_lines(self, width: int | None = None) -> list[str]:
        """The flip-over counts per group on at most ``COUNT_ROWS`` lines: "Gruppe 1: 2"
        for each when they fit, else the compact "Gruppe 1: 2 · 2: 0 · …", else "+N mere"."""
        width = (width if width is not None else self._term[0]) - 4  # the line's padding
        counts = sorted(self.engine.flipover_counts().items())
        total = sum(n for _, n in counts)
        prefix = f"Flip-overs ({total}):  "
        full = [f"Gruppe {group}: {n}" for group, n in counts]
        lines, hidden = pack_parts(full, width, 1, prefix)
        if not hidden:
            return lines
        compact = [f"{group}: {n}" for group, n in counts]
        if compact:
            compact[0] = "Gruppe " + compact[0]
        for rows in range(1, COUNT_ROWS + 1):
            lines, hidden = pack_parts(compact, width, rows, prefix, sep=" · ")
            if not hidden:
                return lines
        return lines

    def _draw_counts(self) -> None:
        lines = self._count_lines()
        counts = self.query_one("#flip-counts", Static)
        counts.update(Text("\n".join(lines), no_wrap=True, overflow="crop"))
        counts.styles.height = len(lines)

    # ------------------------------------------------------------------ the vote's end
    def _refresh_vote_keys(self) -> None:
        """Show "r Vis resultatet nu" only while a vote is open (footer and palette)."""
        engine = self.engine
        closed = engine.phase.kind == "vote" and engine.vote_closed()
        keys = (engine.phase.kind, bool(closed))
        if keys != self._vote_keys:
            self._vote_keys = keys
            self.refresh_bindings()
            if self._term[0]:
                self.call_after_refresh(self._refit_footer)

    def _refit_footer(self) -> None:
        self.query_one(KeyFooter).fit(self._term[0])
        self._size_stage()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal_now":
            return vote_open(self.engine)
        return True

    def action_reveal_now(self) -> None:
        reveal_now(self)

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
        engine = self.engine
        ended = engine.phase.kind == "vote" and engine.vote_closed()
        if run_command(self, lambda: engine.extend(minutes)) is not None:
            word = "minut" if minutes == 1 else "minutter"
            if ended and engine.vote_closed():
                self.notify(
                    f"+{minutes} {word} til fasen. Afstemningen er stadig slut – "
                    "genåbn den fra paletten (Ctrl+P: Genåbn afstemningen).",
                    timeout=5,
                )
            else:
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


def choose_board(engine: MeetingEngine, height: int = 1_000) -> Group:
    """The "brænder for" options as new groups: "Gruppe 1: Ønske … – 6 personer"; those
    beyond ``height`` rows are counted ("+2 mere")."""
    counts = engine.choice_counts()
    total = sum(n for _, n in counts)
    head = Text(f"{total} har valgt", style="bold")
    if not counts:
        return Group(head, Text("Ingen prioriterede ønsker endnu – p: prioritering."))
    room = max(1, height - 2)
    hidden = 0
    if len(counts) > room:
        hidden = len(counts) - (room - 1)
        counts = counts[: room - 1]
    most = max(1, max((n for _, n in counts), default=0))
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(max_width=60)
    table.add_column(no_wrap=True, justify="right")
    table.add_column(no_wrap=True)
    for number, (item, count) in zip(new_group_numbers(counts), counts, strict=True):
        people = "1 person" if count == 1 else f"{count} personer"
        bar = "█" * round(20 * count / most) if count else ""
        table.add_row(
            Text(f"Gruppe {number}:" if number else "ingen gruppe:", style="bold"),
            literal(item.title, style="bold"),
            Text(f"– {people}", style="bold"),
            Text(bar),
        )
    parts: list[RenderableType] = [head, Text(""), table]
    if hidden:
        parts.append(Text(more_words(hidden), style="bold"))
    return Group(*parts)
