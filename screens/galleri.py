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
from textual.widgets import Label, Static

from screens.base import REVEAL_BINDING, EngineScreen, reveal_now, run_command
from screens.components import CardGrid, CardLook, ClockLine, HeadBar, KeyFooter
from screens.components.card_grid import grid_shape
from screens.dialogs import PromptScreen
from screens.keys import bind, key_text
from screens.words import literal, open_wishes, vote_open, vote_progress_words

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

HEAD_ROWS = 2
MAX_TYPED_DIGITS = 3  # a hand count up to 999
MARK_NOTE_S = 3.0  # presses of + or - on a card this close together are told once


class GalleriScreen(EngineScreen):
    """The galleri. Every key is one action; a refused command becomes a notification."""

    DISPLAY = "galleri"  # the wall page shows it too while it is open

    BINDINGS = [
        bind("select_left", "move(-1, 0)", "Vælg kort", key_display="←↑↓→", priority=True),
        bind("select_right", "move(1, 0)", "Vælg kort", show=False, priority=True),
        bind("select_up", "move(0, -1)", "Vælg kort", show=False, priority=True),
        bind("select_down", "move(0, 1)", "Vælg kort", show=False, priority=True),
        bind(
            "hand_plus",
            "mark(1)",
            "+1",
            key_display="+",
            priority=True,
            tooltip="+1 håndtalt markering",
        ),
        bind(
            "hand_minus",
            "mark(-1)",
            "-1",
            key_display="-",
            priority=True,
            tooltip="-1 håndtalt markering",
        ),
        bind(
            "pick_theme", "pick", "Til tema", priority=True, tooltip="Vælg kortet til et tema (✓)"
        ),
        bind(
            "make_theme",
            "make_theme",
            "Saml tema",
            key_display="T",
            priority=True,
            tooltip="Saml de valgte kort i et tema",
        ),
        bind("split_theme", "split", "Opløs tema", priority=True),
        bind("confidential", "confidential", "Særskilt spor", priority=True),
        bind(
            "show_confidential",
            "show_confidential",
            "Vis særskilt spor",
            priority=True,
            tooltip="Listen over det fortrolige (ikke til projektoren; spørger først)",
        ),
        bind(
            "next_page", "page(1)", "Side", key_display="PgDn", priority=True, tooltip="Næste side"
        ),
        bind(
            "previous_page",
            "page(-1)",
            "Side",
            key_display="PgUp",
            priority=True,
            tooltip="Forrige side",
        ),
        bind("toggle_clock", "toggle_clock", "Start/pause", key_display="␣", priority=True),
        REVEAL_BINDING,
        bind("set_count", "set_count", "Gem antal", show=False, priority=True),
        # Digits as priority bindings too, so "7 Enter" typed fast reaches the screen in
        # the order it was typed (a plain key handler would see the digit after Enter).
        *(bind(f"digit_{d}", f"digit({d})", show=False, priority=True) for d in range(10)),
        bind("prioritering", "prioritering", "Prioritering", priority=True),
        # g closes the galleri it opened (and so does Escape).
        bind("galleri", "close", "Tilbage", priority=True),
        bind("back", "close", "Tilbage", show=False, priority=True),
    ]

    def __init__(self, engine: MeetingEngine, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.wishes: list[FlipoverRow] = []
        self.selected: int | None = None  # the selected card's flip-over id
        self.picked: set[int] = set()  # cards chosen for a theme
        self.page = 0
        self.shape = (1, 1)
        self.typed = ""  # a hand count being typed for the selected card
        self._last_mark: tuple[int, float] | None = None  # (flip-over id, when) of the last press
        self._vote_keys: tuple[str, bool] | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with HeadBar():
            yield Label("", id="gal-title", classes="title", markup=False)
            yield ClockLine("", id="gal-clock")
        yield Static("", id="gal-info", classes="info", markup=False)
        yield CardGrid(id="cards")
        yield Static("", id="gal-empty", classes="empty", markup=False)
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
        self.shape = grid_shape(len(self.wishes), *self._area)
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
        self.query_one(ClockLine).show(self.engine, self.engine.now())

    def _marks_hidden(self) -> bool:
        return not self.engine.marks_visible()

    def _draw_head(self) -> None:
        engine = self.engine
        title = f"Galleri · {len(self.wishes)} ønsker"
        if self.pages > 1:
            keys = f"{self._key('next_page')}/{self._key('previous_page')}"
            title += f" · side {self.page + 1} af {self.pages} ({keys})"
        self.query_one("#gal-title", Label).update(title)
        info = []
        if self.typed:
            flip = self.current()
            group = f"Gruppe {flip.group}" if flip else "kortet"
            save, cancel = self._key("set_count"), self._key("back")
            info.append(
                f"Håndtalt antal for {group}: {self.typed}_  ({save} gemmer, {cancel} fortryder)"
            )
        if engine.phase.kind == "vote":
            progress = vote_progress_words(engine)
            info.append(f"Markeringer skjult – {progress}" if self._marks_hidden() else progress)
        if self.picked:
            info.append(f"{len(self.picked)} valgt til tema ({self._key('make_theme')}: saml)")
        themes = len(engine.themes())
        if themes:
            info.append("1 tema" if themes == 1 else f"{themes} temaer")
        self.query_one("#gal-info", Static).update("  ·  ".join(info))

    def _key(self, binding_id: str) -> str:
        """The key a hint names for one of this screen's bindings."""
        return key_text(self.app, binding_id, first=True)

    def _draw_cards(self) -> None:
        empty = self.query_one("#gal-empty", Static)
        empty.display = not self.wishes
        flipovers = self._key("flipovers")
        empty.update(
            f"Ingen ønsker endnu – {flipovers}: skriv flip-overs." if not self.wishes else ""
        )
        vote = self.engine.phase.kind == "vote"
        look = CardLook(
            hidden=self._marks_hidden(),
            # The count shows once there are marks or the vote is on; before, a card is its wish.
            show_marks=vote or any(f.marks for f in self.wishes),
            vote=vote,
            themes={t.id: t.name for t in self.engine.themes()},
            selected=self.selected,
            picked=self.picked,
        )
        start = self.page * self.page_size
        page = self.wishes[start : start + self.page_size]
        self.query_one(CardGrid).show(page, self.shape, self._area, look)

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

        def counted(_: object) -> None:
            self.redraw()
            if self._marks_hidden():  # the card cannot say it, so say it was counted: once
                self._tell_marks_later(flip.id, delta)

        run_command(self, lambda: self.engine.hand_mark(flip.id, delta), counted)

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
        self.redraw()

        def counted(_: object) -> None:
            self.redraw()
            words = "1 håndtalt markering" if count == 1 else f"{count} håndtalte markeringer"
            later = " (tallet vises, når afstemningen slutter)" if self._marks_hidden() else ""
            heading = literal(flip.heading).plain  # typed text: literal, never markup
            self.notify(
                f"Gruppe {flip.group} «{heading}»: {words}{later}.", markup=False, timeout=3
            )

        run_command(self, lambda: self.engine.set_hand_marks(flip.id, count), counted)

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
                f"Vælg mindst to kort med {self._key('pick_theme')} først (de får et ✓).",
                severity="warning",
                timeout=5,
            )
            return

        def named(name: str | None) -> None:
            if name is None:
                return
            ids = [f.id for f in chosen]

            def made(theme: int) -> None:
                self.picked.clear()
                self.redraw()
                stored = next((t.name for t in self.engine.themes() if t.id == theme), name)
                self.notify(f"Temaet «{stored}» samler {len(ids)} ønsker.", markup=False)

            run_command(self, lambda: self.engine.create_theme(name, ids), made)

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

        def split(_: object) -> None:
            self.redraw()
            self.notify("Temaet er opløst; ønskerne står hver for sig igen.")

        run_command(self, lambda: self.engine.split_theme(theme_id), split)

    def action_confidential(self) -> None:
        from screens.confidential import ask_then_move_to_confidential

        flip = self._need_card()
        if flip is None:
            return

        def moved() -> None:
            self.picked.discard(flip.id)
            self.redraw()

        ask_then_move_to_confidential(self, flip, moved)

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
