"""Prioritering: the wishes ranked by marks, ties said in words, themes as one row.

The mødeleder moves through the ranking with ↑/↓ and marks the 3–5 prioritised wishes with
Enter or space ("★ Prioriteret 1"); they become the options of the next "brænder for"
phase. While a vote hides its totals, the marks and places are hidden here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import DataTable, Label, Static

from screens.base import EngineScreen, run_command
from screens.components import ClockLine, HeadBar, KeyFooter
from screens.keys import bind, key_text
from screens.words import literal, marks_words

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, RankItem, Snapshot

FEWEST = 3
MOST = 5


def place_words(item: RankItem) -> str:
    """ "1. plads", or "delt 2. plads" when others have as many marks."""
    return f"delt {item.rank}. plads" if item.tied else f"{item.rank}. plads"


def groups_words(groups: tuple[int, ...]) -> str:
    if len(groups) == 1:
        return f"Gruppe {groups[0]}"
    return "Grupper " + ", ".join(str(g) for g in groups[:-1]) + f" og {groups[-1]}"


def priority_count_words(count: int) -> tuple[str, bool]:
    """(the count line, whether it is a warning)."""
    line = f"{count} af {FEWEST}–{MOST} prioriteret"
    if count > MOST:
        return (
            f"{line} – mere end {MOST} bliver mange at arbejde videre med; "
            "overvej at samle nogle i temaer",
            True,
        )
    if count < FEWEST:
        return f"{line} – vælg de ønsker, I vil arbejde videre med", False
    return line, False


class RankingTable(DataTable):
    """The ranking. Enter toggles the row at once, in key order (Textual's DataTable
    would post a message that lands behind keys already queued)."""

    def action_select_cursor(self) -> None:
        screen = self.screen
        if isinstance(screen, PrioriteringScreen):
            screen.action_toggle_priority()


class PrioriteringScreen(EngineScreen):
    DISPLAY = "prioritering"  # the wall page shows it too while it is open
    # Not priority bindings: the table handles ↑/↓ in its own queue, and a key that
    # jumped that queue would act on the row before the cursor got there.
    BINDINGS = [
        bind(
            "toggle_priority",
            "toggle_priority",
            "Prioritér",
            key_display="Enter",
            tooltip="Prioritér / fjern prioritering",
        ),
        bind("galleri", "galleri", "Galleri"),
        bind("choose", "choose", "Brænder for"),
        # p closes what it opened (and so does Escape).
        bind("prioritering", "close", "Tilbage"),
        bind("back", "close", "Tilbage", show=False),
    ]

    def __init__(self, engine: MeetingEngine, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.items: list[RankItem] = []

    def compose(self) -> ComposeResult:
        with HeadBar():
            yield Label("Prioritering", classes="title")
            yield ClockLine("", id="prio-clock")
        yield Static("", id="prio-count", classes="count", markup=False)
        yield Static("", id="prio-help", classes="help", markup=False)
        yield RankingTable(cursor_type="row", zebra_stripes=True, id="ranking")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#ranking", DataTable)
        table.add_column("Plads", key="place")
        table.add_column("Ønske", key="wish")
        table.add_column("Markeringer", key="marks")
        table.add_column("Prioriteret", key="priority")
        table.focus()
        self.query_one(KeyFooter).fit(self.app.size.width)
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(KeyFooter).fit(event.size.width)
        self.redraw()

    def _wish_width(self) -> int:
        return max(20, self.app.size.width - 4 - 16 - 14 - 18 - 8)

    def redraw(self, snapshot: Snapshot | None = None) -> None:
        engine = self.engine
        visible = engine.marks_visible()
        self.items = engine.ranking()
        if not visible:  # no order that gives the result away
            self.items.sort(key=lambda i: (min(f.group for f in i.flipovers), i.key))
        table = self.query_one("#ranking", DataTable)
        current = self.current()
        key = current.key if current else None
        table.clear()
        width = self._wish_width()
        for item in self.items:
            title = literal(("Tema: " if item.is_theme else "") + item.title, style="bold")
            detail = groups_words(item.groups)
            if item.is_theme:
                detail += f" · {len(item.flipovers)} ønsker"
            title.append("\n" + detail, style="not bold")
            title.truncate(width * 2, overflow="ellipsis")
            priority = Text(f"★ Prioriteret {item.priority}", style="bold") if item.priority else ""
            table.add_row(
                place_words(item) if visible else "–",
                title,
                marks_words(item.marks) if visible else "skjult",
                priority,
                height=2,
                key=item.key,
            )
        if key is not None:
            for row, item in enumerate(self.items):
                if item.key == key:
                    table.move_cursor(row=row, animate=False)
                    break
        count = sum(1 for i in self.items if i.priority)
        line, warning = priority_count_words(count)
        counter = self.query_one("#prio-count", Static)
        counter.update(line)
        counter.set_class(warning, "-warning")
        keys = key_text(self.app, "toggle_priority", sep="/")
        help_text = (
            f"↑↓: vælg · {keys}: prioritér · de prioriterede bliver valgmulighederne, "
            "når deltagerne vælger, hvad de brænder for"
        )
        if not visible:
            help_text = "Markeringerne er skjult, indtil afstemningen er slut. " + help_text
        if not self.items:
            key = key_text(self.app, "flipovers", first=True)
            help_text = f"Ingen ønsker endnu – de kommer fra flip-overne ({key})."
        self.query_one("#prio-help", Static).update(help_text)
        self.tick()

    def tick(self) -> None:
        self.query_one(ClockLine).show(self.engine, self.engine.now())

    def current(self) -> RankItem | None:
        table = self.query_one("#ranking", DataTable)
        if not self.items or table.row_count == 0:
            return None
        row = min(max(0, table.cursor_row), len(self.items) - 1)
        return self.items[row]

    def action_toggle_priority(self) -> None:
        item = self.current()
        if item is None:
            self.notify("Der er ingen ønsker at prioritere endnu.", severity="warning")
            return

        def toggled(now: bool) -> None:
            self.redraw()
            if now:
                self.notify(f"Prioriteret: {item.title}", timeout=2, markup=False)
            else:
                self.notify(f"Ikke længere prioriteret: {item.title}", timeout=2, markup=False)

        run_command(self, lambda: self.engine.toggle_priority(item.key), toggled)

    def action_galleri(self) -> None:
        from screens.galleri import GalleriScreen

        self.app.switch_screen(GalleriScreen(self.engine))

    def action_choose(self) -> None:
        from screens.choose import ChooseScreen

        self.app.switch_screen(ChooseScreen(self.engine))

    def action_close(self) -> None:
        self.dismiss()
