"""The projector: the phase on the wall, its countdown, the QR code and the meeting bar.

The countdown and the current turn are drawn in a block font as large as the room on the
screen allows (``screens.components.bigtext``), so the back of the room can read them.

As the terminal shrinks (a big font on a projector leaves few cells) the screen drops,
in this order: the meeting bar, the QR code (its address stays as text), the questions.
The phase title and the countdown are never dropped. (``screens.projector_layout`` says
how much room each part needs, and which of that is a breakpoint.)

In a galleri or vote phase the body shows the wishes as small cards with their marks (or
how many marks were cast, while they are hidden); in a "brænder for" phase it shows the
options, how many chose each and so the new groups (``screens.components.board``).

In a bruttoliste phase the body shows the forløb's previous meeting's wishes, ranked, with
their marks, theme, priority and vurdering (``screens.components.bruttoliste_view``), the
page the engine says (↓/↑ turn it; PageDown/PageUp stay next/previous phase), or the
engine's sentence when the forløb has no list to show. A phase with ``help_contacts``
shows the forløb's help contacts ("Her kan du få hjælp").

Nothing on the wall is cut without saying so. The questions take two or three columns when
one does not hold them, and what still does not fit is counted ("+3 mere"). The cards are
paged when there are more than fit, the pages turning by themselves. The flip-over counts
fold into a compact line ("Gruppe 1: 2 · 2: 0 · …") before they count what is left over.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from facilitator.agenda import KIND_NAMES_DA
from facilitator.clock import format_mmss
from screens import projector_layout as layout
from screens.base import REVEAL_BINDING, EngineScreen, WebInfo, reveal_now, run_command
from screens.components import (
    BigText,
    Board,
    Countdown,
    HeadBar,
    JoinBox,
    KeyFooter,
    MeetingBar,
    QuestionList,
    TurnLine,
)
from screens.components.board import BOARD_KINDS
from screens.components.bruttoliste_view import BruttolisteView
from screens.components.help_contacts import HelpContacts
from screens.components.join_box import NOMINAL_QR
from screens.dialogs import BlankScreen, ConfirmScreen
from screens.keys import bind, key_text
from screens.words import phones_text, vote_open

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, Snapshot


class ProjectorScreen(EngineScreen):
    """The wall. Every key is one action; a refused command becomes a notification.

    Its size classes are Textual breakpoints: ``-width-narrow`` (under 100 columns: less
    padding), ``-width-wide`` (120 or more) and ``-height-low`` (under 19 rows: no
    questions), ``-height-tall`` (36 or more); wide and tall together are roomy (the
    countdown under the heading, a blank line between the questions).
    """

    HORIZONTAL_BREAKPOINTS = layout.HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = layout.VERTICAL_BREAKPOINTS

    BINDINGS = [
        bind("toggle_clock", "toggle", "Start/pause", key_display="␣", priority=True),
        bind("next_phase", "next", "Næste", key_display="→", priority=True, tooltip="Næste fase"),
        bind(
            "previous_phase",
            "previous",
            "Forrige",
            key_display="←",
            priority=True,
            tooltip="Forrige fase",
        ),
        bind("extend_1", "extend(1)", "+1 min", key_display="+", priority=True, tooltip="+1 minut"),
        # Not in the footer (it made room there for "w Vægskærm", so the keys keep one row
        # at 160 columns and the countdown its size); the palette lists it, by its tooltip.
        bind("extend_5", "extend(5)", "+5 min", show=False, priority=True, tooltip="+5 minutter"),
        bind("flipovers", "flipovers", "Flip-overs", priority=True),
        bind("galleri", "galleri", "Galleri", priority=True),
        bind("prioritering", "prioritering", "Prioritering", priority=True),
        bind("choose", "choose", "Brænder for", priority=True),
        REVEAL_BINDING,
        # ↓/↑ turn the bruttoliste's page: PageDown/PageUp and →/← are next/previous phase
        bind(
            "bruttoliste_next",
            "bruttoliste_page(1)",
            "Side frem",
            key_display="↓",
            priority=True,
            tooltip="Bruttolisten: næste side",
        ),
        bind(
            "bruttoliste_previous",
            "bruttoliste_page(-1)",
            "Side tilbage",
            key_display="↑",
            priority=True,
            tooltip="Bruttolisten: forrige side",
        ),
        bind("join", "join", "Deltag", priority=True, tooltip="Deltag (QR-kode)"),
        bind(
            "staff_links",
            "staff_links",
            "Links",
            priority=True,
            tooltip="Assistent- og fjernbetjeningslinks",
        ),
        bind("blank", "blank", "Blank", key_display="b", priority=True, tooltip="Blank skærm"),
        bind(
            "wall",
            "wall",
            "Vægskærm",
            priority=True,
            tooltip="Vægskærm: adressen til browseren på projektoren",
        ),
        bind("leave", "quit_meeting", "Afslut", priority=True),
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
        self._roomy = False
        self.stage_plan: layout.Stage | None = None  # the countdown's and turn's budgets
        # (phase kind, vote closed, bruttoliste paged) the footer's keys were made for
        self._keys_for: tuple[str, bool, bool] | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        engine = self.engine
        with HeadBar(classes="titlebar"):
            title = engine.title + ("  (demo)" if self.demo else "")
            yield Label(title, id="meeting-title", classes="title", markup=False)
            yield Label(f"Mødekode {engine.code}", id="meeting-code", markup=False)
        with Horizontal(classes="main"):
            with Vertical(classes="stage"):
                with Horizontal(classes="phase-head"):
                    with Vertical(classes="phase-heading"):
                        yield Label("", id="phase-count", classes="count")
                        yield Static("", id="phase-title", classes="title", markup=False)
                    yield Countdown(id="countdown")
                with Vertical(classes="turn-box"):
                    yield BigText("", id="turn-big", small=False, plain=False)
                    yield TurnLine("", id="turn", markup=False)  # a wish's title, as typed
                    yield Static("", id="turn-wish", classes="wish", markup=False)
                with Vertical(classes="phase-body"):
                    yield Static("", id="phase-text", classes="text", markup=False)
                    yield QuestionList(id="phase-questions")
                    yield HelpContacts(id="help-contacts")
                    yield Board(engine, id="board")
                    yield BruttolisteView(id="bruttoliste")
            yield JoinBox(id="join-box")
        yield Static("", id="join-line", classes="join-line", markup=False)
        yield Static("", id="flip-counts", classes="counts", markup=False)
        yield MeetingBar(id="meeting-bar")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._countdown = self.query_one(Countdown)
        self._bar = self.query_one(MeetingBar)
        self._turn = self.query_one(TurnLine)
        self._turn_big = self.query_one("#turn-big", BigText)
        self._board = self.query_one(Board)
        self._brutto = self.query_one(BruttolisteView)
        self._help = self.query_one(HelpContacts)
        self._join = self.query_one(JoinBox)
        self.show_web()
        self._fit(self.app.size.width, self.app.size.height)
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        # After this event Textual sets the breakpoint classes the fitting reads.
        self.call_next(self._fit, event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Drop the meeting bar, then the QR code, then the questions, as room runs out."""
        self._term = (width, height)
        show_qr, show_bar = layout.droppable(width, height, self._join.qr.modules or NOMINAL_QR)
        self.set_class(not show_bar, "-no-bar")
        self.set_class(not show_qr, "-no-qr")
        roomy = self.has_class("-width-wide") and self.has_class("-height-tall")
        if roomy != self._roomy:
            self._roomy = roomy
            self._phase_shown = None  # redraw the questions with their spacing
            if self.is_mounted:
                self.redraw()
        self.query_one(KeyFooter).fit(width)
        self._size_stage()

    def _stage_columns(self) -> int:
        qr = self._join.qr.modules or NOMINAL_QR
        narrow = self.has_class("-width-narrow")
        return layout.stage_columns(self._term[0], self.shows["qr"], qr, narrow)

    def _size_stage(self) -> None:
        """Give the countdown and the turn as many rows as the phase's text leaves."""
        width, height = self._term
        if not width or not self.is_mounted:
            return
        engine = self.engine
        columns = self._stage_columns()
        narrow = self.has_class("-width-narrow")
        shows = self.shows
        title_rows = max(1, math.ceil(len(engine.phase.title) / max(10, columns)))
        # titlebar, the head's padding, count, title (and the gap under it), footer
        fixed = 1 + (0 if narrow else 2) + 1 + title_rows + self.query_one(KeyFooter).rows
        fixed += 2 if shows["meeting_bar"] else 0
        fixed += len(self._count_lines(width))  # the flip-over counts
        fixed += 0 if shows["qr"] else 1  # the join line
        body = layout.body_rows(
            engine, columns, narrow=narrow, roomy=self._roomy, questions=shows["questions"]
        )
        plan = layout.stage(
            engine,
            height,
            columns,
            fixed=fixed,
            body=body,
            title_rows=title_rows,
            roomy=self._roomy,
        )
        self.stage_plan = plan  # for tests and the curious
        self._countdown.fit(*plan.clock)
        self._turn_big.fit(*plan.turn)
        self.set_class(plan.stacked, "-stacked")

    @property
    def shows(self) -> dict[str, bool]:
        """Which droppable parts are on screen (for tests and the curious)."""
        return {
            "meeting_bar": not self.has_class("-no-bar"),
            "qr": not self.has_class("-no-qr"),
            "questions": not self.has_class("-height-low"),
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
            self.query_one(QuestionList).show(phase.questions, self._roomy)
            self.query_one("#phase-text").set_class(not phase.text, "-empty")
            self.set_class(phase.kind in BOARD_KINDS, "-board")
            self.set_class(phase.kind == "bruttoliste", "-bruttoliste")
            self.set_class(phase.help_contacts, "-help")
            self._board.restart_pages()
            self._size_stage()
        elif snapshot.event.kind == "course":
            self._size_stage()  # the forløb's list and help contacts arrived: their room
        self._refresh_keys()
        self._draw_board()
        self._draw_bruttoliste()
        self._draw_help()
        self._draw_counts()
        self._draw_phones()
        self.tick()

    def tick(self) -> None:
        now = self.engine.now()
        self._board.tick(now)
        self._brutto.tick(now)
        self._countdown.show(self.engine, now)
        self._turn.show(self.engine, now)
        self._show_turn_big(now)
        self._bar.show(self.engine, now)

    def _show_turn_big(self, now: float) -> None:
        """The current turn in the block font: "GRUPPE 2 AF 5  02:13"."""
        engine = self.engine
        turn = engine.turn(now) if engine.clock.turn_count > 0 else None
        # The turn's label names the presenting group's wish; the wish line says no more.
        self.query_one("#turn-wish").display = False
        if turn is None:
            self._turn_big.update("")
            self._turn_big.display = False
            return
        label = engine.turn_label(turn)
        left = format_mmss(turn.remaining_s)
        texts = [f"{label}  {left}", label]
        if engine.turn_name(turn):  # "Gruppe 2: Stabil bemanding": the number when it is long
            texts += [f"Gruppe {turn.index + 1}  {left}", f"Gruppe {turn.index + 1}"]
        self._turn_big.update(*texts)
        self._turn_big.display = self._turn_big.choice is not None

    def _draw_board(self) -> None:
        self._board.fallback_columns = self._stage_columns()
        self._board.draw()

    def _draw_bruttoliste(self) -> None:
        """The previous meeting's ranked wishes, on the page the engine says."""
        engine = self.engine
        shown = engine.phase.kind == "bruttoliste"
        self._brutto.display = shown
        if not shown:
            return
        page, _pages = engine.bruttoliste_paging()
        self._brutto.fallback_columns = self._stage_columns()
        keys = f"{key_text(self.app, 'bruttoliste_next', first=True)}/" + key_text(
            self.app, "bruttoliste_previous", first=True
        )
        self._brutto.show(
            engine.bruttoliste(),
            page - 1,
            engine.phase.page_size,
            missing=engine.bruttoliste_missing() or "",
            keys=keys,
            now=engine.now(),
        )

    def _draw_help(self) -> None:
        """The forløb's help contacts, in a phase that asks for them."""
        shown = bool(self.engine.phase.help_contacts)
        self._help.show(shown, self.engine.help_contacts() if shown else ())

    def _count_lines(self, width: int | None = None) -> list[str]:
        """The flip-over counts; none in a bruttoliste phase (the list needs the room)."""
        width = width if width is not None else self._term[0]
        if self.engine.phase.kind == "bruttoliste":
            return []
        return layout.count_lines(self.engine.flipover_counts(), width)

    def _draw_counts(self) -> None:
        lines = self._count_lines()
        counts = self.query_one("#flip-counts", Static)
        counts.update(Text("\n".join(lines), no_wrap=True, overflow="crop"))
        counts.styles.height = len(lines)

    # ------------------------------------------------------------------ keys that come and go
    def _paged(self) -> bool:
        """A bruttoliste phase whose list has more than one page."""
        engine = self.engine
        return engine.phase.kind == "bruttoliste" and engine.bruttoliste_paging()[1] > 1

    def _refresh_keys(self) -> None:
        """Show "r Vis resultatet nu" only while a vote is open, and ↓/↑ only while the
        bruttoliste has pages to turn (footer and palette)."""
        engine = self.engine
        closed = engine.phase.kind == "vote" and engine.vote_closed()
        keys = (engine.phase.kind, bool(closed), self._paged())
        if keys != self._keys_for:
            self._keys_for = keys
            self.refresh_bindings()
            if self._term[0]:
                self.call_after_refresh(self._refit_footer)

    def _refit_footer(self) -> None:
        self.query_one(KeyFooter).fit(self._term[0])
        self._size_stage()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal_now":
            return vote_open(self.engine)
        if action == "bruttoliste_page":
            return self._paged()
        return True

    def action_reveal_now(self) -> None:
        reveal_now(self)

    # ------------------------------------------------------------------ the phones
    def _draw_phones(self) -> None:
        self._join.show_phones(self.web, self.engine.phones)
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
        self._join.show(self.web)
        self._draw_phones()

    # ------------------------------------------------------------------ actions
    def action_toggle(self) -> None:
        run_command(self, self.engine.toggle)

    def action_next(self) -> None:
        run_command(self, self.engine.next_phase)

    def action_previous(self) -> None:
        run_command(self, self.engine.previous_phase)

    def action_bruttoliste_page(self, delta: int) -> None:
        """Turn the bruttoliste's page (the phones turn with it); at either end, say so."""
        engine = self.engine
        page, pages = engine.bruttoliste_paging()
        if not 1 <= page + delta <= pages:
            where = "sidste" if delta > 0 else "første"
            self.notify(f"Det er bruttolistens {where} side ({page} af {pages}).", timeout=2)
            return
        run_command(self, lambda: engine.bruttoliste_page(delta))

    def action_extend(self, minutes: int) -> None:
        engine = self.engine
        ended = engine.phase.kind == "vote" and engine.vote_closed()
        word = "minut" if minutes == 1 else "minutter"

        def extended(_: object) -> None:
            if ended and engine.vote_closed():
                palette = key_text(self.app, "command_palette", first=True)
                self.notify(
                    f"+{minutes} {word} til fasen. Afstemningen er stadig slut – "
                    f"genåbn den fra paletten ({palette}: Genåbn afstemningen).",
                    timeout=5,
                )
            else:
                self.notify(f"+{minutes} {word} til fasen", timeout=2)

        run_command(self, lambda: engine.extend(minutes), extended)

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

    def action_wall(self) -> None:
        from screens.links import WallLinksScreen

        app = self.app
        self.app.push_screen(
            WallLinksScreen(
                getattr(app, "web_server", None),
                web_enabled=getattr(app, "web_enabled", self.web.enabled),
                error=self.web.error,
            )
        )

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
