"""The galleri's cards: one flip-over each (group, heading, proposals, theme, marks), in a
grid as large as the screen allows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Static

from screens.components.bigtext import BigText
from screens.words import literal, marks_words

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow

CARD_MIN_COLUMNS = 30  # a card narrower than this is hard to read
CARD_MIN_ROWS = 9  # border, two heading lines, three proposals, theme, marks
MAX_COLUMNS = 5


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

    DEFAULT_CSS = """
    Card {
        height: 1fr;
        padding: 0 1;
    }
    Card > .card-body {
        height: 1fr;
        overflow: hidden;
    }
    Card > .card-theme {
        height: auto;
    }
    Card > .card-marks {
        height: 1;
    }
    """

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


@dataclass
class CardLook:
    """What the cards of a page show besides their flip-over."""

    hidden: bool = False  # the vote hides its totals: "skjult"
    show_marks: bool = True  # False before any marks (outside a vote): a card is its wish
    vote: bool = False  # the vote's result is up: a big "0" too
    themes: dict[int, str] = field(default_factory=dict)
    selected: int | None = None
    picked: set[int] = field(default_factory=set)


class CardGrid(Grid):
    """A page of cards in ``shape`` (columns, rows) filling ``area`` (columns, rows)."""

    DEFAULT_CSS = """
    CardGrid {
        height: 1fr;
        grid-gutter: 0 1;
        padding: 0 1;
    }
    """

    def show(
        self,
        page: list[FlipoverRow],
        shape: tuple[int, int],
        area: tuple[int, int],
        look: CardLook,
    ) -> None:
        columns, rows = shape
        self.styles.grid_size_columns = columns
        self.styles.grid_size_rows = rows
        size = columns * rows
        cards = list(self.query(Card))
        if len(cards) < size:
            new = [Card(classes="card") for _ in range(size - len(cards))]
            self.mount_all(new)
            cards += new
        inner = card_inner_size(shape, area)
        for slot, card in enumerate(cards):
            if slot >= len(page) or slot >= size:
                card.display = False
                continue
            flip = page[slot]
            card.display = True
            if card.is_mounted and card.children:
                show_card(card, flip, inner, look)
            else:
                card.call_after_refresh(show_card, card, flip, inner, look)


def card_inner_size(shape: tuple[int, int], area: tuple[int, int]) -> tuple[int, int]:
    """Columns and rows inside a card (within its border and padding)."""
    width, height = area
    columns, rows = shape
    inner_w = (width - 2 - (columns - 1)) // columns - 4
    inner_h = height // rows - 2
    return max(1, inner_w), max(1, inner_h)


def show_card(card: Card, flip: FlipoverRow, inner: tuple[int, int], look: CardLook) -> None:
    theme = look.themes.get(flip.theme_id) if flip.theme_id is not None else None
    inner_w, inner_h = inner
    used = math.ceil(len(flip.heading) / inner_w)
    used += sum(math.ceil((len(p) + 2) / inner_w) for p in flip.proposals)
    used += 1 if theme else 0
    room = (inner_w, inner_h - used - 2)  # the marks line and a gap
    if look.hidden:
        marks, big = "skjult", ""
    elif not look.show_marks:
        marks, big = "", ""
    else:
        marks = marks_words(flip.marks)
        # No big "0" on a card nobody has marked, unless the vote's result is up.
        big = str(flip.marks) if flip.marks or look.vote else ""
    card.show(
        flip,
        marks=marks,
        theme=theme,
        selected=flip.id == look.selected,
        picked=flip.id in look.picked,
        big=big,
        room=room,
    )
