"""The bruttoliste on the projector: the forløb's previous meeting's wishes, ranked by
marks, with their theme, whether they were prioritised, and the arbejdsmiljøgruppe's
vurdering with its begrundelse.

The engine decides the page ("Side 2 af 3", turned with a key on the projector, the same
page on the phones); this widget draws that page as large and as full as its room allows:
a table with a row per wish and the begrundelse in full (up to a few lines), then tighter
rows, then one line per wish. When even one line per wish does not hold the page (a big
font at 80×24), it shows the page in parts that turn by themselves, saying which wishes
are on screen, so no wish is left out without saying so.

Everything a person typed (headings, themes, begrundelser, the meeting's title) is drawn
as literal ``Text``, never as markup. A confidential wish (særskilt spor) is never drawn,
even if one reached the data.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widgets import Static

from facilitator.course.model import ASSESSMENT_STATUSES, Bruttoliste, Wish
from screens.words import literal, wrap_lines

PART_SECONDS = 10  # the parts of a page too long for the screen turn this often
MIN_WISH_COLUMNS = 24  # one line per wish: below this the status takes its short form
# One line per wish in a narrow room: the status in a word or two (still words, not colour).
SHORT_STATUSES = {
    "work_on": "Videre",
    "in_progress": "I gang",
    "cannot_now": "Ikke nu",
    "separate_track": "Særskilt",
}
WIDE_FROM = 90  # the vurdering gets a column of its own from this width
PRIORITY_MARK = "★"

_MEASURE = Console(file=io.StringIO(), width=400, color_system=None, legacy_windows=False)


# --------------------------------------------------------------------- words
def rank_words(wish: Wish) -> str:
    """ "3." or, for a rank several wishes share, "delt 3."."""
    return f"delt {wish.rank}." if wish.tied else f"{wish.rank}."


def marks_text(wish: Wish) -> str:
    """The wish's marks in digits; in a theme, also the theme's sum that ranks it."""
    if wish.theme and wish.theme_marks != wish.marks:
        return f"{wish.marks} (tema {wish.theme_marks})"
    return str(wish.marks)


def status_words(wish: Wish, short: bool = False) -> str:
    if short:
        return SHORT_STATUSES.get(wish.status, "") or "–"
    return ASSESSMENT_STATUSES.get(wish.status, "") or "Ikke vurderet"


def priority_words(wish: Wish) -> str:
    return f"{PRIORITY_MARK} Prioriteret nr. {wish.priority}" if wish.priority else ""


def shown_wishes(data: Bruttoliste | None) -> list[Wish]:
    """The wishes the wall may show, in rank order: never one in særskilt spor."""
    if data is None:
        return []
    return [w for w in data.wishes if not w.confidential]


def page_count(wishes: int, page_size: int) -> int:
    return max(1, math.ceil(wishes / max(1, page_size)))


def cut(text: Text, width: int, lines: int) -> Text:
    """``text`` in at most ``lines`` lines of ``width``, its end replaced by "…" if cut."""
    wrapped = wrap_lines(text, width)
    if len(wrapped) <= lines:
        return text
    kept = Text("\n").join(wrapped[:lines])
    last = wrapped[lines - 1]
    room = max(1, width - 1)
    if len(last.plain) >= room:
        kept.right_crop(len(last.plain) - room + 1)
    kept.rstrip()
    kept.append("…")
    return kept


# --------------------------------------------------------------------- layouts
@dataclass(frozen=True)
class Look:
    """How much of each wish a layout shows."""

    name: str
    heading_lines: int
    reason_lines: int  # 0: the begrundelse is left out
    details: bool  # theme and priority on lines of their own (else on one line)
    header: bool  # the table's column headings
    leading: int = 0  # blank rows between the wishes


LOOKS = (
    Look("airy", 2, 3, True, True, leading=1),
    Look("full", 2, 3, True, True),
    Look("tight", 1, 1, False, True),
    Look("dense", 1, 0, False, False),
)


@dataclass(frozen=True)
class Columns:
    """The table's column widths ``width`` wide for some wishes in a look. ``vurdering``
    0: the vurdering is in the wish's cell; ``short``: the status in its short form."""

    rank: int
    wish: int
    marks: int
    vurdering: int
    short: bool = False


def columns_for(wishes: Sequence[Wish], width: int, look: Look) -> Columns:
    rank = max(len("Plads") if look.header else 2, *(len(rank_words(w)) for w in wishes))
    marks = max(len("Markeringer") if look.header else 1, *(len(marks_text(w)) for w in wishes))
    rest = width - rank - marks - 3 * 2  # the columns' padding
    if look.name == "dense":
        status = max(len(status_words(w)) for w in wishes)
        if rest - status - 2 < MIN_WISH_COLUMNS:
            short = max(len(status_words(w, short=True)) for w in wishes)
            return Columns(rank, max(8, rest - short - 2), marks, short, short=True)
        return Columns(rank, max(8, rest - status - 2), marks, status)
    if width < WIDE_FROM:
        return Columns(rank, max(8, rest), marks, 0)
    wish = max(8, rest * 5 // 10)
    return Columns(rank, wish, marks, max(8, rest - wish - 2))


def _wish_cell(wish: Wish, look: Look, width: int, with_status: bool) -> Text:
    cell = cut(literal(wish.heading, style="bold"), width, look.heading_lines)
    details: list[Text] = []
    if wish.priority:
        details.append(Text(priority_words(wish), style="bold"))
    if wish.theme and look.name != "dense":
        details.append(literal(f"Tema: {wish.theme}", style="italic"))
    if with_status and look.name != "dense":
        status = _status(wish)
        if wish.reason and look.reason_lines:
            status.append_text(literal(f": {wish.reason}"))
        details.append(cut(status, width, look.reason_lines or 1))
    if not details:
        return cell
    if look.name == "dense":  # the priority mark before the heading, on the one line
        line = Text(f"{PRIORITY_MARK} ", style="bold") + cell
        return cut(line, width, 1)
    if look.details:
        for detail in details:
            cell.append("\n")
            cell.append_text(detail)
        return cell
    line = Text("  ·  ").join(details)
    cell.append("\n")
    cell.append_text(cut(line, width, 1))
    return cell


def _status(wish: Wish) -> Text:
    """The status label, bold; "Ikke vurderet" plain (it is the absence of one)."""
    return Text(status_words(wish), style="bold" if wish.status else "italic")


def _vurdering_cell(wish: Wish, look: Look, width: int, short: bool = False) -> Text:
    if short:
        return Text(status_words(wish, short=True), style="bold" if wish.status else "")
    status = _status(wish)
    if look.reason_lines and wish.reason:
        reason = cut(literal(wish.reason), width, look.reason_lines)
        return status + Text("\n") + reason
    return cut(status, width, 1)


def wish_table(wishes: Sequence[Wish], width: int, look: Look) -> Table:
    """The wishes as a table ``width`` wide in ``look``."""
    widths = columns_for(wishes, width, look)
    table = Table(
        box=box.SIMPLE_HEAD if look.header else None,
        show_header=look.header,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        header_style="bold",
        expand=False,
        leading=look.leading,
    )
    table.add_column("Plads", width=widths.rank, no_wrap=True)
    table.add_column("Ønske", width=widths.wish)
    table.add_column("Markeringer", width=widths.marks, justify="right", no_wrap=True)
    if widths.vurdering:
        table.add_column("Vurdering", width=widths.vurdering)
    for wish in wishes:
        cells: list[RenderableType] = [
            Text(rank_words(wish), style="bold"),
            _wish_cell(wish, look, widths.wish, not widths.vurdering),
            Text(marks_text(wish), style="bold"),
        ]
        if widths.vurdering:
            cells.append(_vurdering_cell(wish, look, widths.vurdering, widths.short))
        table.add_row(*cells)
    return table


def rows_of(renderable: RenderableType, width: int) -> int:
    """How many rows ``renderable`` takes when drawn ``width`` wide."""
    options = _MEASURE.options.update_width(max(1, width))
    return len(_MEASURE.render_lines(renderable, options, pad=False))


@dataclass(frozen=True)
class Drawn:
    """What a page looks like at a size: the renderable, the look used, and the part of
    the page shown (first, last wish on the page, 0-based) with the number of parts."""

    renderable: RenderableType
    look: str
    first: int
    last: int
    parts: int
    part: int = 0


def head_text(
    data: Bruttoliste,
    count: int,
    page: int,
    pages: int,
    keys: str,
    part: str = "",
    width: int = 0,
) -> Text:
    """ "Bruttolisten fra 1. dialogmøde · 12 ønsker · Side 1 af 2 · ↓/↑: side" (the
    keys only when they fit on the line)."""
    head = Text("Bruttolisten fra ", style="bold")
    head.append_text(literal(data.title, style="bold"))
    head.append(f"  ·  {count} ønsker" if count != 1 else "  ·  1 ønske", style="bold")
    if pages > 1:
        head.append(f"  ·  Side {page + 1} af {pages}", style="bold")
    if part:
        head.append(f"  ·  {part}", style="bold")
    if pages > 1 and keys and width and len(head.plain) + len(keys) + 11 <= width:
        head.append(f"  ·  {keys}: side")
    return head


def rows_wanted(
    data: Bruttoliste | None, page: int, page_size: int, width: int, *, keys: str = ""
) -> int:
    """The rows page ``page`` (0-based) takes ``width`` wide in the full look (without
    blank rows between the wishes): what the projector gives the list before the clock."""
    wishes = shown_wishes(data)
    if data is None or not wishes:
        return 2
    pages = page_count(len(wishes), page_size)
    page = min(max(0, page), pages - 1)
    on_page = wishes[page * page_size : (page + 1) * page_size]
    head = head_text(data, len(wishes), page, pages, keys, width=width)
    full = next(look for look in LOOKS if look.name == "full")
    return rows_of(head, width) + 1 + rows_of(wish_table(on_page, width, full), width)


def draw_page(
    data: Bruttoliste | None,
    page: int,
    page_size: int,
    width: int,
    height: int,
    *,
    missing: str = "",
    keys: str = "",
    part: int = 0,
) -> Drawn:
    """Page ``page`` (0-based, clamped) of the bruttoliste in ``width`` × ``height``: the
    fullest look that holds the page's wishes, or, if none does, part ``part`` (modulo
    the parts) of it, one line per wish."""
    if data is None:
        text = Text(missing or "Der er ingen bruttoliste fra et tidligere møde.", style="bold")
        return Drawn(text, "missing", 0, -1, 1)
    wishes = shown_wishes(data)
    if not wishes:
        text = Text("Bruttolisten fra ", style="bold")
        text.append_text(literal(data.title, style="bold"))
        text.append(" har ingen åbne ønsker.", style="bold")
        return Drawn(text, "empty", 0, -1, 1)
    pages = page_count(len(wishes), page_size)
    page = min(max(0, page), pages - 1)
    start = page * page_size
    on_page = wishes[start : start + page_size]
    head = head_text(data, len(wishes), page, pages, keys, width=width)
    head_rows = rows_of(head, width)
    for look in LOOKS:
        table = wish_table(on_page, width, look)
        if head_rows + 1 + rows_of(table, width) <= height:
            return Drawn(Group(head, Text(""), table), look.name, 0, len(on_page) - 1, 1)
    # Not even one line per wish holds the page: show it in parts that turn by themselves.
    dense = LOOKS[-1]
    probe = head_text(data, len(wishes), page, pages, keys, "ønske 99–99 af 99", width)
    room = max(1, height - rows_of(probe, width) - 1)
    per_part = max(1, room)
    parts = math.ceil(len(on_page) / per_part)
    part = part % parts
    shown = on_page[part * per_part : (part + 1) * per_part]
    first, last = start + part * per_part + 1, start + part * per_part + len(shown)
    words = f"ønske {first}" if first == last else f"ønske {first}–{last}"
    head = head_text(data, len(wishes), page, pages, keys, f"{words} af {len(wishes)}", width)
    table = wish_table(shown, width, dense)
    return Drawn(
        Group(head, Text(""), table),
        "parts",
        part * per_part,
        part * per_part + len(shown) - 1,
        parts,
        part,
    )


# --------------------------------------------------------------------- the widget
class BruttolisteView(Static):
    """The bruttoliste phase's list, drawn for the size it gets (``show`` gives it the
    data; it redraws itself on resize, and ``tick`` turns the parts of a long page)."""

    DEFAULT_CSS = "BruttolisteView { height: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.data: Bruttoliste | None = None
        self.page = 0
        self.page_size = 8
        self.missing = ""
        self.keys = ""
        self.fallback_columns = 80
        self.part_anchor = 0.0  # when the page's first part was shown
        self.now = 0.0
        self.drawn: Drawn | None = None

    @property
    def pages(self) -> int:
        return page_count(len(shown_wishes(self.data)), self.page_size)

    def show(
        self,
        data: Bruttoliste | None,
        page: int,
        page_size: int,
        *,
        missing: str = "",
        keys: str = "",
        now: float = 0.0,
    ) -> None:
        if page != self.page or data is not self.data:
            self.part_anchor = now
        self.data, self.page, self.page_size = data, page, max(1, page_size)
        self.missing, self.keys, self.now = missing, keys, now
        self.draw()

    def on_resize(self, event: events.Resize) -> None:
        if self.display:
            self.draw()

    def _part(self, now: float) -> int:
        return int(max(0.0, now - self.part_anchor) // PART_SECONDS)

    def tick(self, now: float) -> None:
        self.now = now
        drawn = self.drawn
        if drawn is not None and drawn.parts > 1 and self._part(now) % drawn.parts != drawn.part:
            self.draw()

    def draw(self) -> None:
        size = self.content_size
        if not size.width or not size.height:  # before layout: a guess, redrawn on resize
            size = Size(self.fallback_columns, 40)
        self.drawn = draw_page(
            self.data,
            self.page,
            self.page_size,
            size.width,
            size.height,
            missing=self.missing,
            keys=self.keys,
            part=self._part(self.now),
        )
        self.update(self.drawn.renderable)
