"""The galleri: every open wish as a card, with its marks, for the wall and the mødeleder.

The cards fill the screen in a grid (4–5 columns at 160×45, 2 at 80×24); more cards than
fit are paged with PageDown/PageUp. The arrow keys select a card; + and - add or remove a
hand-counted mark (paper dots), and a number typed and Enter makes the card's hand count
that number (a paper tally of 7 is "7 Enter", not seven presses); t picks cards for a
theme (marked "✓"), T joins them under a name, u splits the selected card's theme; s moves
the card to særskilt spor after a question. While a vote hides its totals, the cards say
"skjult" and the head says how many marks the phones have cast. Before any marks, outside
a vote, the card is just its wish: no "0" on every card. During a vote, r ends it now ("Vis
resultatet nu").
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Label, Static

from screens.bigtext import BigText
from screens.widgets import (
    REVEAL_BINDING,
    ClockLine,
    ConfirmScreen,
    EngineScreen,
    KeyFooter,
    PromptScreen,
    literal,
    marks_words,
    open_wishes,
    reveal_now,
    run_command,
    vote_open,
    vote_progress_words,
)

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

CARD_MIN_COLUMNS = 30  # a card narrower than this is hard to read
CARD_MIN_ROWS = 9  # border, two heading lines, three proposals, theme, marks
MAX_COLUMNS = 5
HEAD_ROWS = 2
MAX_TYPED_DIGITS = 3  # a hand count up to 999
MARK_NOTE_S = 3.0  # presses of + or - on a card this close together are told once


def grid_shape(count: int, width: int, height: int) -> tuple[int, int]:
    """(columns, rows) of cards for ``count`` cards in a width × height area.

    As many per page as fit; a few cards are spread out (2×2 rather than 1×4).
    """
    max_columns = max(1, min(MAX_COLUMNS, width // CARD_MIN_COLUMNS))
    max_rows = max(1, height // CARD_MIN_ROWS)
    count = max(1, count)
    if count > max_columns * max_rows:
        return max_columns, max_rows
    rows = math.ceil(count / max_columns)
    if rows == 1 and count >= 4 and max_rows >= 2:
        rows = 2
    columns = math.ceil(count / rows)
    return columns, rows


class Card(Vertical):
    """One flip-over on the wall: group, heading, proposals, theme and marks."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="card-body")
        yield Static("", classes="card-theme")
        yield BigText("", classes="card-big", small=False, plain=False, max_scale=3)
        yield Static("", classes="card-marks")

    def show(
        self,
        flip: FlipoverRow,
        *,
        marks: str,
        theme: str | None,
        selected: bool,
        picked: bool,
        big: str = "",
        room: tuple[int, int] = (0, 0),
    ) -> None:
        """Draw the card; ``big`` (the number of marks) is drawn in the block font when
        ``room`` (columns, rows left under the text) allows."""
        self.flip_id = flip.id
        pointer = "▶ " if selected else ""
        self.border_title = f"{pointer}Gruppe {flip.group}"
        self.border_subtitle = "✓ valgt til tema" if picked else ""
        self.set_class(selected, "-selected")
        self.set_class(picked, "-picked")
        body = literal(flip.heading, style="bold")
        for proposal in flip.proposals:
            body.append_text(literal(f"\n• {proposal}"))
        self.query_one(".card-body", Static).update(body)
        theme_line = self.query_one(".card-theme", Static)
        theme_line.update(literal(f"Tema: {theme}") if theme else "")
        theme_line.display = bool(theme)
        number = self.query_one(".card-big", BigText)
        number.fit(*room)
        number.update(big)
        number.display = bool(big) and number.choice is not None
        self.query_one(".card-marks", Static).update(marks)


class GalleriScreen(EngineScreen):
    """The galleri. Every key is one action; a refused command becomes a notification."""

    BINDINGS = [
        Binding("left", "move(-1, 0)", "Vælg kort", key_display="←↑↓→", priority=True),
        Binding("right", "move(1, 0)", "Vælg kort", show=False, priority=True),
        Binding("up", "move(0, -1)", "Vælg kort", show=False, priority=True),
        Binding("down", "move(0, 1)", "Vælg kort", show=False, priority=True),
        Binding(
            "plus,equals_sign",
            "mark(1)",
            "+1",
            key_display="+",
            priority=True,
            tooltip="+1 håndtalt markering",
        ),
        Binding(
            "minus",
            "mark(-1)",
            "-1",
            key_display="-",
            priority=True,
            tooltip="-1 håndtalt markering",
        ),
        Binding("t", "pick", "Til tema", priority=True, tooltip="Vælg kortet til et tema (✓)"),
        Binding(
            "T,shift+t",
            "make_theme",
            "Saml tema",
            key_display="T",
            priority=True,
            tooltip="Saml de valgte kort i et tema",
        ),
        Binding("u", "split", "Opløs tema", priority=True),
        Binding("s", "confidential", "Særskilt spor", priority=True),
        Binding(
            "S",
            "show_confidential",
            "Vis særskilt spor",
            priority=True,
            tooltip="Listen over det fortrolige (ikke til projektoren; spørger først)",
        ),
        Binding(
            "pagedown", "page(1)", "Side", key_display="PgDn", priority=True, tooltip="Næste side"
        ),
        Binding(
            "pageup", "page(-1)", "Side", key_display="PgUp", priority=True, tooltip="Forrige side"
        ),
        Binding("space", "toggle_clock", "Start/pause", key_display="␣", priority=True),
        REVEAL_BINDING,
        Binding("enter", "set_count", "Gem antal", show=False, priority=True),
        # Digits as priority bindings too, so "7 Enter" typed fast reaches the screen in
        # the order it was typed (a plain key handler would see the digit after Enter).
        *(Binding(str(d), f"digit({d})", show=False, priority=True) for d in range(10)),
        Binding("p", "prioritering", "Prioritering", priority=True),
        Binding("g,escape", "close", "Tilbage", key_display="g", priority=True),
    ]

    def __init__(self, engine: MeetingEngine, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.wishes: list[FlipoverRow] = []
        self.selected: int | None = None  # the selected card's flip-over id
        self.picked: set[int] = set()  # cards chosen for a theme
        self.page = 0
        self.shape = (1, 1)
        self._mounted_cards = 0
        self.typed = ""  # a hand count being typed for the selected card
        self._last_mark: tuple[int, float] | None = None  # (flip-over id, when) of the last press
        self._vote_keys: tuple[str, bool] | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="gal-head"):
            yield Label("", id="gal-title", markup=False)
            yield ClockLine("", id="gal-clock")
        yield Static("", id="gal-info", markup=False)
        yield Grid(id="cards")
        yield Static("", id="gal-empty", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)
        self.redraw()

    def _fit(self, width: int, height: int) -> None:
        footer = self.query_one(KeyFooter)
        footer.fit(width)
        self._area = (width - 2, height - HEAD_ROWS - footer.rows)

    @property
    def page_size(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.wishes) / self.page_size))

    def _index(self) -> int:
        for index, flip in enumerate(self.wishes):
            if flip.id == self.selected:
                return index
        return 0

    # ------------------------------------------------------------------ drawing
    def redraw(self, snapshot: Snapshot | None = None) -> None:
        engine = self.engine
        old_index = self._index() if self.selected is not None else 0
        self.wishes = open_wishes(engine)
        ids = {f.id for f in self.wishes}
        self.picked &= ids
        if self.selected not in ids:
            self.selected = (
                self.wishes[min(old_index, len(self.wishes) - 1)].id if self.wishes else None
            )
        shape = grid_shape(len(self.wishes), *self._area)
        if shape != self.shape:
            self.shape = shape
        self.page = min(self._index() // self.page_size, self.pages - 1)
        self._refresh_vote_keys()
        self._draw_head()
        self._draw_cards()
        self.tick()

    def _refresh_vote_keys(self) -> None:
        """The key "r Resultat" shows only while a vote is open (footer and palette)."""
        keys = (self.engine.phase.kind, vote_open(self.engine))
        if keys != self._vote_keys:
            self._vote_keys = keys
            self.refresh_bindings()
            self.call_after_refresh(self._fit, self.app.size.width, self.app.size.height)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal_now":
            return vote_open(self.engine)
        return True

    def tick(self) -> None:
        self.query_one("#gal-clock", ClockLine).show(self.engine, self.engine.now())

    def _marks_hidden(self) -> bool:
        return not self.engine.marks_visible()

    def _draw_head(self) -> None:
        engine = self.engine
        title = f"Galleri · {len(self.wishes)} ønsker"
        if self.pages > 1:
            title += f" · side {self.page + 1} af {self.pages} (PgDn/PgUp)"
        self.query_one("#gal-title", Label).update(title)
        info = []
        if self.typed:
            flip = self.current()
            group = f"Gruppe {flip.group}" if flip else "kortet"
            info.append(f"Håndtalt antal for {group}: {self.typed}_  (Enter gemmer, Esc fortryder)")
        if engine.phase.kind == "vote":
            progress = vote_progress_words(engine)
            info.append(f"Markeringer skjult – {progress}" if self._marks_hidden() else progress)
        if self.picked:
            info.append(f"{len(self.picked)} valgt til tema (T: saml)")
        themes = len(engine.themes())
        if themes:
            info.append("1 tema" if themes == 1 else f"{themes} temaer")
        self.query_one("#gal-info", Static).update("  ·  ".join(info))

    def _draw_cards(self) -> None:
        grid = self.query_one("#cards", Grid)
        columns, rows = self.shape
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        size = self.page_size
        cards = list(grid.query(Card))
        if len(cards) < size:
            new = [Card(classes="card") for _ in range(size - len(cards))]
            grid.mount_all(new)
            cards += new
        empty = self.query_one("#gal-empty", Static)
        empty.display = not self.wishes
        empty.update("Ingen ønsker endnu – f: skriv flip-overs." if not self.wishes else "")
        hidden = self._marks_hidden()
        themes = {t.id: t.name for t in self.engine.themes()}
        # The count shows once there are marks or the vote is on; before, a card is its wish.
        self._show_marks = self.engine.phase.kind == "vote" or any(f.marks for f in self.wishes)
        start = self.page * size
        page = self.wishes[start : start + size]
        for slot, card in enumerate(cards):
            if slot >= len(page) or slot >= size:
                card.display = False
                continue
            flip = page[slot]
            card.display = True
            if card.is_mounted and card.children:
                self._show_card(card, flip, hidden, themes)
            else:
                card.call_after_refresh(self._show_card, card, flip, hidden, themes)

    def _card_size(self) -> tuple[int, int]:
        """Columns and rows inside a card (within its border and padding)."""
        width, height = self._area
        columns, rows = self.shape
        inner_w = (width - 2 - (columns - 1)) // columns - 4
        inner_h = height // rows - 2
        return max(1, inner_w), max(1, inner_h)

    def _show_card(
        self, card: Card, flip: FlipoverRow, hidden: bool, themes: dict[int, str]
    ) -> None:
        theme = themes.get(flip.theme_id) if flip.theme_id is not None else None
        inner_w, inner_h = self._card_size()
        used = math.ceil(len(flip.heading) / inner_w)
        used += sum(math.ceil((len(p) + 2) / inner_w) for p in flip.proposals)
        used += 1 if theme else 0
        room = (inner_w, inner_h - used - 2)  # the marks line and a gap
        show = getattr(self, "_show_marks", True)
        if hidden:
            marks, big = "skjult", ""
        elif not show:
            marks, big = "", ""
        else:
            marks = marks_words(flip.marks)
            # No big "0" on a card nobody has marked, unless the vote's result is up.
            big = str(flip.marks) if flip.marks or self.engine.phase.kind == "vote" else ""
        card.show(
            flip,
            marks=marks,
            theme=theme,
            selected=flip.id == self.selected,
            picked=flip.id in self.picked,
            big=big,
            room=room,
        )

    # ------------------------------------------------------------------ helpers
    def current(self) -> FlipoverRow | None:
        for flip in self.wishes:
            if flip.id == self.selected:
                return flip
        return None

    def _need_card(self) -> FlipoverRow | None:
        flip = self.current()
        if flip is None:
            self.notify("Der er ingen ønsker i galleriet endnu.", severity="warning", timeout=4)
        return flip

    # ------------------------------------------------------------------ actions
    def action_move(self, dx: int, dy: int) -> None:
        self.typed = ""
        if not self.wishes:
            return
        columns = self.shape[0]
        index = self._index() + dx + dy * columns
        index = max(0, min(len(self.wishes) - 1, index))
        self.selected = self.wishes[index].id
        self.redraw()

    def action_page(self, delta: int) -> None:
        self.typed = ""
        if not self.wishes:
            return
        page = max(0, min(self.pages - 1, self.page + delta))
        if page == self.page:
            self.notify("Det er " + ("sidste" if delta > 0 else "første") + " side.", timeout=2)
            return
        self.selected = self.wishes[page * self.page_size].id
        self.redraw()

    def action_mark(self, delta: int) -> None:
        self.typed = ""
        flip = self._need_card()
        if flip is None:
            return
        row = run_command(self, lambda: self.engine.hand_mark(flip.id, delta))
        if row is None:
            return
        self.redraw()
        if self._marks_hidden():  # the card cannot say it, so say it was counted: once
            self._tell_marks_later(flip.id, delta)

    def _tell_marks_later(self, flip_id: int, delta: int) -> None:
        """A run of presses is told once: the first press of a run notifies, and the
        presses that follow within ``MARK_NOTE_S`` of the one before say nothing more."""
        now = time.monotonic()
        last, self._last_mark = self._last_mark, (flip_id, now)
        if last is not None and last[0] == flip_id and now - last[1] < MARK_NOTE_S:
            return
        done = "tilføjet" if delta > 0 else "fjernet"
        self.notify(
            f"Håndtalt markering {done} – tallet vises, når afstemningen slutter.", timeout=3
        )

    def action_digit(self, digit: int) -> None:
        """Digits type a hand count for the selected card; Enter sets it."""
        if not self.wishes:
            return
        if len(self.typed) < MAX_TYPED_DIGITS:
            self.typed = (self.typed + str(digit)).lstrip("0") or "0"
        self._draw_head()

    def action_set_count(self) -> None:
        """Enter after a typed number: the selected card's hand-counted marks become it."""
        typed, self.typed = self.typed, ""
        if not typed:
            return
        flip = self._need_card()
        if flip is None:
            self._draw_head()
            return
        count = int(typed)
        row = run_command(self, lambda: self.engine.set_hand_marks(flip.id, count))
        self.redraw()
        if row is None:
            return
        words = "1 håndtalt markering" if count == 1 else f"{count} håndtalte markeringer"
        later = " (tallet vises, når afstemningen slutter)" if self._marks_hidden() else ""
        heading = literal(flip.heading).plain  # typed text: literal, never markup
        self.notify(f"Gruppe {flip.group} «{heading}»: {words}{later}.", markup=False, timeout=3)

    def action_reveal_now(self) -> None:
        reveal_now(self)

    def action_pick(self) -> None:
        flip = self._need_card()
        if flip is None:
            return
        if flip.id in self.picked:
            self.picked.discard(flip.id)
        else:
            self.picked.add(flip.id)
        self.redraw()

    def action_make_theme(self) -> None:
        chosen = [f for f in self.wishes if f.id in self.picked]
        if len(chosen) < 2:
            self.notify(
                "Vælg mindst to kort med t først (de får et ✓).", severity="warning", timeout=5
            )
            return

        def named(name: str | None) -> None:
            if name is None:
                return
            ids = [f.id for f in chosen]
            theme = run_command(self, lambda: self.engine.create_theme(name, ids))
            if theme is not None:
                self.picked.clear()
                self.redraw()
                stored = next((t.name for t in self.engine.themes() if t.id == theme), name)
                self.notify(f"Temaet «{stored}» samler {len(ids)} ønsker.", markup=False)

        self.app.push_screen(
            PromptScreen("Navn på temaet:", value=chosen[0].heading, placeholder="Temaets navn"),
            named,
        )

    def action_split(self) -> None:
        flip = self._need_card()
        if flip is None:
            return
        if flip.theme_id is None:
            self.notify("Kortet er ikke i et tema.", severity="warning", timeout=4)
            return
        theme_id = flip.theme_id
        done = run_command(self, lambda: self.engine.split_theme(theme_id) or True)
        if done:
            self.redraw()
            self.notify("Temaet er opløst; ønskerne står hver for sig igen.")

    def action_confidential(self) -> None:
        flip = self._need_card()
        if flip is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            done = run_command(self, lambda: self.engine.set_confidential(flip.id) or True)
            if done:
                self.picked.discard(flip.id)
                self.redraw()
                self.notify("Flyttet til særskilt spor – vises ikke længere.")

        self.app.push_screen(
            ConfirmScreen(
                f"Flyt kortet fra Gruppe {flip.group} til særskilt spor? Det forsvinder fra "
                "projektoren, telefonerne og bruttolisten og håndteres for sig."
            ),
            answered,
        )

    def action_show_confidential(self) -> None:
        from screens.confidential import ask_then_show_confidential

        ask_then_show_confidential(self.app, self.engine)

    def action_toggle_clock(self) -> None:
        run_command(self, self.engine.toggle)

    def action_prioritering(self) -> None:
        from screens.prioritering import PrioriteringScreen

        self.app.switch_screen(PrioriteringScreen(self.engine))

    def action_close(self) -> None:
        if self.typed:  # Escape drops a half-typed number first
            self.typed = ""
            self._draw_head()
            return
        self.dismiss()
