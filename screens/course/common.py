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


def assessment_text(status: str) -> str:
    return ASSESSMENT_STATUSES.get(status, "– ingen vurdering –" if not status else status)


def action_status_text(status: str) -> str:
    return ACTION_STATUSES.get(status, status or "–")


def lines_text(lines: Sequence[str], sep: str = " · ") -> Text:
    return literal(sep.join(lines))


def fill_table(
    table: DataTable,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Text | str]]],
    *,
    min_widths: dict[int, int] | None = None,
) -> list[Any]:
    """Put ``rows`` (key, cells) in ``table`` under ``columns``, each column as wide as its
    widest cell, worked out here: the table's own measuring waits for an idle moment, and
    a table filled from a worker could be drawn with its columns as narrow as their
    headings until then. The column keys, in order."""
    widths = [cell_len(title) for title in columns]
    for index, width in (min_widths or {}).items():
        widths[index] = max(widths[index], width)
    for _key, cells in rows:
        for index, cell in enumerate(cells):
            size = cell.cell_len if isinstance(cell, Text) else cell_len(cell)
            widths[index] = max(widths[index], size)
    table.clear(columns=True)
    keys = [
        table.add_column(title, width=width) for title, width in zip(columns, widths, strict=True)
    ]
    for key, cells in rows:
        table.add_row(*cells, key=key)
    return keys


class Rows(list):
    """Rows gathered for ``fill_table``, added as to a DataTable."""

    def add_row(self, *cells: Text | str, key: str) -> None:
        self.append((key, cells))
