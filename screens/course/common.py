"""What the course's screens share: calling the course door off the drawing loop, and
its numbers, dates and flags in words.

The door (facilitator.course.service.Course) does database work, so every call runs in
a thread; the answer is drawn back on the loop. A refusal or a failure becomes one Danish
notification (or goes to ``failed``), never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from rich.cells import cell_len
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from facilitator.course.model import ACTION_STATUSES, ASSESSMENT_STATUSES
from screens.components import KeyFooter
from screens.components.course_form import failure_words
from screens.words import literal

FLAG = "⚠"


def run_course(
    widget: Widget,
    call: Callable[[], Any],
    then: Callable[[Any], None] | None = None,
    failed: Callable[[str], None] | None = None,
) -> None:
    """``call()`` in a thread; ``then(result)`` on the loop once it has answered; a
    failure to ``failed(reason)``, or as a notification."""

    async def run() -> None:
        try:
            result = await asyncio.to_thread(call)
        except Exception as exc:  # noqa: BLE001 - the screen says what went wrong
            reason = failure_words(exc)
            if failed is not None:
                failed(reason)
            else:
                widget.app.notify(reason, severity="error", timeout=8)
            return
        if then is not None and widget.is_attached:
            try:
                then(result)
            except Exception as exc:  # noqa: BLE001 - said, not swallowed by the worker
                widget.app.log.error(f"drawing the course's answer: {exc!r}")
                widget.app.notify(
                    f"Skærmen kunne ikke vise svaret: {exc}", severity="error", timeout=10
                )
                raise

    # On the app, not the widget: a screen that closes must not cancel the answer.
    widget.app.run_worker(run(), group="engine", exit_on_error=False)


class CourseScreen(Screen):
    """A course screen: the course door, a footer fitted to the width."""

    def __init__(self, course: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.course = course

    def on_mount(self) -> None:
        self.query_one(KeyFooter).fit(self.app.size.width)
        self.reload()

    def on_resize(self, event: Any) -> None:
        self.query_one(KeyFooter).fit(event.size.width)

    def reload(self) -> None:
        """Read again through the door and draw (subclasses)."""

    def call(
        self,
        call: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        run_course(self, call, then, failed)


# --------------------------------------------------------------------- words
def percent_text(value: float | None) -> str:
    """A fraværsprocent as Danes write it: one decimal, a comma: "5,0 %"."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") + " %"


def number_text(value: float) -> str:
    """12.5 → "12,5"; 12.0 → "12"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def parse_number(text: str, what: str) -> float:
    """A typed number ("12,5", "12.5", "12"); a refusal in Danish when it is not one."""
    from screens.components.course_form import SaveRefused

    raw = text.strip().replace(" ", "").replace(",", ".")
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise SaveRefused(f"{what} skal være et tal, fx 12,5 – ikke «{text.strip()}»") from None
    if value < 0:
        raise SaveRefused(f"{what} kan ikke være negativ")
    return value


def date_text(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


def flags_text(flags: Sequence[str]) -> Text:
    """Flags as words with a symbol (never colour alone)."""
    if not flags:
        return Text("")
    return Text(f"{FLAG} " + " · ".join(flags), style="bold")


def flags_lines(flags: Sequence[str]) -> Text:
    """Flags as words with a symbol, one a line (a table's cell, never cut)."""
    if not flags:
        return Text("")
    return Text("\n".join(f"{FLAG} {flag}" for flag in flags), style="bold")


def assessment_text(status: str) -> str:
    return ASSESSMENT_STATUSES.get(status, "– ingen vurdering –" if not status else status)


def action_status_text(status: str) -> str:
    return ACTION_STATUSES.get(status, status or "–")


def lines_text(lines: Sequence[str], sep: str = " · ") -> Text:
    return literal(sep.join(lines))


_FILLS: WeakKeyDictionary[DataTable, int] = WeakKeyDictionary()  # fillings of each table


def fit_widths(
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Text | str]]],
    *,
    min_widths: dict[int, int] | None = None,
    room: int | None = None,
    shrink: Sequence[int] = (),
    floors: dict[int, int] | None = None,
    rest: int | None = None,
    padding: int = 1,
    last: Sequence[int] = (),
    spare: Sequence[int] = (),
) -> list[int]:
    """Each column's width: as wide as its widest cell; with ``room`` (the cells the
    table has across), the ``shrink`` columns give up room, widest first, down to their
    floor (their heading, or ``floors``), until every column fits; the ``spare`` columns
    before them, the ``last`` columns after them. The ``rest`` column takes what is left
    over."""
    widths = [cell_len(title) for title in columns]
    for index, width in (min_widths or {}).items():
        widths[index] = max(widths[index], width)
    for _key, cells in rows:
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], cell_width(cell))
    if room is None:
        return widths
    available = room - 2 * padding * len(columns)
    over = sum(widths) - available
    for group in (spare, shrink, last):
        lowest = {i: max(cell_len(columns[i]), (floors or {}).get(i, 6)) for i in group}
        while over > 0:
            can = [i for i in group if widths[i] > lowest[i]]
            if not can:
                break
            widest = max(can, key=lambda i: widths[i])
            widths[widest] -= 1
            over -= 1
    if rest is not None and over < 0:
        widths[rest] += -over
    return widths


def fill_table(
    table: DataTable,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Text | str]]],
    *,
    min_widths: dict[int, int] | None = None,
    room: int | None = None,
    shrink: Sequence[int] = (),
    wrap: Sequence[int] = (),
    floors: dict[int, int] | None = None,
    rest: int | None = None,
    spare: Sequence[int] = (),
) -> list[Any]:
    """Put ``rows`` (key, cells) in ``table`` under ``columns``, each column as wide as its
    widest cell, worked out here: the table's own measuring waits for an idle moment, and
    a table filled from a worker could be drawn with its columns as narrow as their
    headings until then. The column keys, in order.

    With ``room`` the columns are fitted to it (see ``fit_widths``): a ``spare`` or
    ``shrink`` column's cells too wide for it end in "…", a ``wrap`` column's go on over
    more lines (a flag or a next step is never cut)."""
    generation = _FILLS[table] = _FILLS.get(table, 0) + 1
    if room is not None and not table.size.height:
        # Not laid out yet: fit again once it is (the scrollbar may not be needed),
        # unless the table has been filled anew since.
        def again() -> None:
            if table.size.height and _FILLS.get(table) == generation:
                row = table.cursor_row
                fill_table(
                    table,
                    columns,
                    rows,
                    min_widths=min_widths,
                    room=room,
                    shrink=shrink,
                    wrap=wrap,
                    floors=floors,
                    rest=rest,
                    spare=spare,
                )
                table.move_cursor(row=row)

        table.call_after_refresh(again)
    if room is not None:
        lines = 1 + sum(
            max(
                [1]
                + [
                    (cell.plain if isinstance(cell, Text) else cell).count("\n") + 1
                    for cell in cells
                ]
            )
            for _key, cells in rows
        )
        if not table.size.height or lines > table.size.height:
            room -= 2  # the vertical scrollbar's room
    widths = fit_widths(
        columns,
        rows,
        min_widths=min_widths,
        room=room,
        shrink=shrink,
        last=wrap,
        spare=spare,
        floors=floors,
        rest=rest,
        padding=table.cell_padding,
    )
    table.clear(columns=True)
    keys = [  # keyed by their headings: the same keys when the table is filled again
        table.add_column(title, width=width, key=title)
        for title, width in zip(columns, widths, strict=True)
    ]
    for key, cells in rows:
        fitted: list[Text | str] = []
        tall = False
        for index, cell in enumerate(cells):
            plain = cell.plain if isinstance(cell, Text) else cell
            tall = tall or "\n" in plain
            if cell_width(cell) > widths[index]:
                if index in wrap:
                    tall = True
                    cell = cell if isinstance(cell, Text) else Text(cell)
                else:
                    cell = cut(cell if isinstance(cell, Text) else Text(cell), widths[index])
            fitted.append(cell)
        table.add_row(*fitted, key=key, height=None if tall else 1)
    return keys


def cell_width(cell: Text | str) -> int:
    """The cells across a table cell needs: its longest line."""
    plain = cell.plain if isinstance(cell, Text) else cell
    return max(cell_len(line) for line in plain.split("\n"))


def cut(text: Text, width: int) -> Text:
    """``text`` on one line of at most ``width`` cells, ending in "…" when cut."""
    text = text.copy()
    text.no_wrap = True
    text.truncate(max(1, width), overflow="ellipsis")
    return text


def short_date(value: date | None) -> str:
    """A date on 8 cells: "07.12.26"."""
    return value.strftime("%d.%m.%y") if value else "–"


def table_room(screen: Widget, outside: int = 2) -> int:
    """The cells a full-width table has across on ``screen``: its width less ``outside``
    (padding, margins); ``fill_table`` keeps room for a vertical scrollbar when the rows
    could need one."""
    return screen.app.size.width - outside


NARROW = 100  # below this many columns a screen drops its less important columns


class Rows(list):
    """Rows gathered for ``fill_table``, added as to a DataTable."""

    def add_row(self, *cells: Text | str, key: str) -> None:
        self.append((key, cells))
