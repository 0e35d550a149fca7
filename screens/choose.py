"""Hvem brænder for hvad: the prioritised wishes, how many chose each, the new groups.

The phones choose one wish each; the mødeleder adds choices made by hand (hands in the
air, names on a flip-over): select a wish with ↑/↓ and press + or -. Each wish becomes a
new group ("Gruppe 1: Ønske … – 6 personer"). The projector shows the same counts in a
choose phase; this screen is the one to count on.
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
from screens.words import literal, new_group_numbers

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, RankItem, Snapshot

BAR = 24


def people_words(count: int) -> str:
    return "1 person" if count == 1 else f"{count} personer"


class ChooseScreen(EngineScreen):
    DISPLAY = "choose"  # the wall page shows it too while it is open
    # Not priority bindings: ↑/↓ go through the table's queue, and +/- must come after them.
    BINDINGS = [
        bind(
            "hand_plus",
            "count(1)",
            "+1 person",
            key_display="+",
            tooltip="+1 valgt i hånden",
        ),
        bind(
            "hand_minus",
            "count(-1)",
            "-1 person",
            key_display="-",
            tooltip="-1 valgt i hånden",
        ),
        bind("toggle_clock", "toggle_clock", "Start/pause", key_display="␣"),
        bind("prioritering", "prioritering", "Prioritering"),
        # v closes what it opened (and so does Escape).
        bind("choose", "close", "Tilbage"),
        bind("back", "close", "Tilbage", show=False),
    ]

    def __init__(self, engine: MeetingEngine, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.options: list[tuple[RankItem, int]] = []

    def compose(self) -> ComposeResult:
        plus = key_text(self.app, "hand_plus", first=True)
        minus = key_text(self.app, "hand_minus", first=True)
        with HeadBar():
            yield Label("Hvem brænder for hvad – de nye grupper", classes="title")
            yield ClockLine("", id="choose-clock")
        yield Static("", id="choose-count", classes="count", markup=False)
        yield Static(
            f"↑↓: vælg ønske · {plus}/{minus}: tæl et valg i hånden · "
            "telefonernes valg kommer af sig selv",
            classes="help",
            markup=False,
        )
        yield DataTable(cursor_type="row", zebra_stripes=True, id="options")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#options", DataTable)
        table.add_column("Ny gruppe", key="group")
        table.add_column("Ønske", key="wish")
        table.add_column("Personer", key="people")
        table.add_column("", key="bar")
        table.focus()
        self.query_one(KeyFooter).fit(self.app.size.width)
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(KeyFooter).fit(event.size.width)

    def redraw(self, snapshot: Snapshot | None = None) -> None:
        self.options = self.engine.choice_counts()
        table = self.query_one("#options", DataTable)
        row = table.cursor_row
        table.clear()
        most = max([1, *(n for _, n in self.options)])
        numbers = new_group_numbers(self.options)
        for number, (item, count) in zip(numbers, self.options, strict=True):
            title = literal(("Tema: " if item.is_theme else "") + item.title, style="bold")
            table.add_row(
                Text(f"Gruppe {number}" if number else "ingen gruppe", style="bold"),
                title,
                Text(people_words(count), style="bold"),
                "█" * round(BAR * count / most) if count else "",
                key=item.key,
            )
        if self.options:
            table.move_cursor(row=min(max(0, row), len(self.options) - 1), animate=False)
        total = sum(n for _, n in self.options)
        if self.options:
            groups = sum(1 for n in numbers if n)
            line = f"{total} har valgt · {groups} {'ny gruppe' if groups == 1 else 'nye grupper'}"
        else:
            key = key_text(self.app, "prioritering", first=True)
            line = f"Ingen ønsker at vælge imellem – prioritér først ({key})."
        self.query_one("#choose-count", Static).update(line)
        self.tick()

    def tick(self) -> None:
        self.query_one(ClockLine).show(self.engine, self.engine.now())

    def current(self) -> RankItem | None:
        table = self.query_one("#options", DataTable)
        if not self.options or table.row_count == 0:
            return None
        return self.options[min(max(0, table.cursor_row), len(self.options) - 1)][0]

    def action_count(self, delta: int) -> None:
        item = self.current()
        if item is None:
            self.notify("Der er ingen ønsker at vælge imellem endnu.", severity="warning")
            return
        run_command(self, lambda: self.engine.hand_choice(item.key, delta), lambda _: self.redraw())

    def action_toggle_clock(self) -> None:
        run_command(self, self.engine.toggle)

    def action_prioritering(self) -> None:
        from screens.prioritering import PrioriteringScreen

        self.app.switch_screen(PrioriteringScreen(self.engine))

    def action_close(self) -> None:
        self.dismiss()
