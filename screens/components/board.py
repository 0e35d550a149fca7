"""The projector's board: the galleri's wishes as cards with their marks, or the "brænder
for" options as new groups; drawn for the size it gets.

The cards are paged when there are more than fit, and the pages turn by themselves every
``PAGE_SECONDS`` on the engine's clock (PageDown/PageUp mean next/previous phase on the
projector, for the presenter's clicker), the head saying "side 1 af 3 · kort 1–3 af 9".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widgets import Static

from screens.keys import key_text
from screens.words import (
    literal,
    marks_words,
    more_words,
    new_group_numbers,
    open_wishes,
    vote_progress_words,
    wrap_lines,
)

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine

BOARD_KINDS = ("gallery", "vote", "choose")
CARD_COLUMNS = 28  # a small card on the projector's board
PAGE_SECONDS = 10  # the board's pages turn this often (on the engine's clock)


class Board(Static):
    """The galleri's cards or the "brænder for" options, for the phase on the wall."""

    DEFAULT_CSS = "Board { height: 1fr; margin-top: 1; }"

    def __init__(self, engine: MeetingEngine, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.engine = engine
        self.page_anchor = 0.0  # when page 1 was first shown
        self.pages = (1, 0)  # (pages, page shown)
        self.fallback_columns = 80  # the width to draw for before the first layout

    def on_resize(self, event: events.Resize) -> None:
        if self.display:
            self.draw()

    def restart_pages(self) -> None:
        """A new phase: page 1 first."""
        self.page_anchor = self.engine.now()

    def page_at(self, pages: int, now: float) -> int:
        return int(max(0.0, now - self.page_anchor) // PAGE_SECONDS) % max(1, pages)

    def tick(self, now: float) -> None:
        """Turn the page when its time has come."""
        pages, shown = self.pages
        if pages > 1 and self.page_at(pages, now) != shown:
            self.draw()

    def draw(self) -> None:
        kind = self.engine.phase.kind
        self.display = kind in BOARD_KINDS
        self.pages = (1, 0)
        size = self.content_size
        if not size.width or not size.height:  # before layout: a guess, redrawn on resize
            size = Size(self.fallback_columns, 40)
        if kind in ("gallery", "vote"):
            self.update(self.gallery(size.width, size.height))
        elif kind == "choose":
            self.update(choose_board(self.engine, size.height, self.app))

    def gallery(self, width: int, height: int) -> Group:
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
            head.append(f"  ·  {key_text(self.app, 'galleri', first=True)}: galleriet på skærmen")
        if not wishes:
            return Group(head, Text("Ingen ønsker endnu."))
        columns = max(1, min(5, (width + 1) // (CARD_COLUMNS + 1)))
        inner = max(4, (width - (columns - 1)) // columns - 4)  # border and padding
        themes = {t.id: t.name for t in engine.themes()}
        bodies = [card_body(f, themes, inner, show_marks, visible) for f in wishes]
        card_rows = 2 + max(len(wrap_lines(body, inner)) for body in bodies)

        # The head decides how many card rows fit; when the cards need pages, the head
        # also carries the page words, which may take a row of their own.
        def fitting(head_text: Text) -> int:
            return columns * max(1, (height - len(wrap_lines(head_text, width))) // card_rows)

        per_page = fitting(head)
        if len(wishes) > per_page:
            per_page = fitting(head + "  ·  side 10 af 10  ·  kort 999–999 af 999")
        pages = max(1, math.ceil(len(wishes) / per_page))
        page = self.page_at(pages, engine.now()) if pages > 1 else 0
        self.pages = (pages, page)
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


def card_body(
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


def choose_board(engine: MeetingEngine, height: int = 1_000, app: Any = None) -> Group:
    """The "brænder for" options as new groups: "Gruppe 1: Ønske … – 6 personer"; those
    beyond ``height`` rows are counted ("+2 mere")."""
    counts = engine.choice_counts()
    total = sum(n for _, n in counts)
    head = Text(f"{total} har valgt", style="bold")
    if not counts:
        keys = key_text(app, "prioritering", first=True)
        return Group(head, Text(f"Ingen prioriterede ønsker endnu – {keys}: prioritering."))
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
