"""The phase's questions, numbered, fitted to the room they get: in columns when one column
does not hold them, and "+N mere" under what fits when even columns do not."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from screens.words import literal, more_words, wrap_lines

QUESTION_COLUMN = 36  # a column of questions narrower than this is hard to read
COLUMN_GAP = 3


def question_items(questions: list[str]) -> list[Text]:
    items = []
    for number, question in enumerate(questions, 1):
        item = Text()
        item.append(f"{number}. ", style="bold")
        item.append_text(literal(question))
        items.append(item)
    return items


def lay_columns(
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
        laid = lay_columns(items, width, height, columns, gap)
        if laid is not None:
            return laid, 0
    # Not all fit: as many as do, in the widest layout, and the count of the rest.
    columns = most
    for shown in range(len(items) - 1, -1, -1):
        laid = lay_columns(items[:shown], width, height - 1, columns, False)
        if laid is not None:
            return laid, len(items) - shown
    return [], len(items)


class QuestionList(Widget):
    """The phase's questions, numbered, fitted to the widget's size: in columns when one
    does not hold them, and "+N mere" under what fits when even columns do not."""

    DEFAULT_CSS = "QuestionList { height: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.questions: list[str] = []
        self.roomy = False
        self.hidden = 0  # questions left out at the current size

    def show(self, questions: list[str] | tuple[str, ...], roomy: bool) -> None:
        self.questions = list(questions)
        self.roomy = roomy
        self.set_class(not self.questions, "-empty")
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The height the questions want: one column (with its gaps when roomy)."""
        if not self.questions:
            return 0
        items = question_items(self.questions)
        laid = lay_columns(items, width, 10_000, 1, self.roomy)
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
