"""Særskilt spor: the flip-overs moved out of the open bruttoliste, never for the projector.

Bullying, harassment, violence and threats are handled apart, quickly, in a separate
handleplan (METHOD.md). This screen asks first, says at the top that it is not for the
projector, lists what was moved, and can move an item back to the open list after a Ja.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.base import run_command
from screens.components import KeyFooter, WarningHead
from screens.dialogs import ConfirmScreen
from screens.keys import bind, key_text
from screens.words import literal

WARNING = "IKKE TIL PROJEKTOREN – særskilt spor er fortroligt"


def ask_then_show_confidential(app: App, engine: Any) -> None:
    def answered(yes: bool | None) -> None:
        if yes:
            app.push_screen(ConfidentialScreen(engine))

    app.push_screen(
        ConfirmScreen(
            "Vis særskilt spor? Sluk projektoren eller frys billedet først.",
            yes="Vis",
            no="Nej",
        ),
        answered,
    )


def ask_then_move_to_confidential(screen: Any, flip: Any, moved: Callable[[], None]) -> None:
    """Ask Ja/Nej, then move the card to særskilt spor; ``moved`` redraws the screen."""

    def answered(yes: bool | None) -> None:
        if not yes:
            return

        def done(_: object) -> None:
            moved()
            screen.notify("Flyttet til særskilt spor – vises ikke længere.")

        run_command(screen, lambda: screen.engine.set_confidential(flip.id), done)

    screen.app.push_screen(
        ConfirmScreen(
            f"Flyt kortet fra Gruppe {flip.group} til særskilt spor? Det forsvinder fra "
            "projektoren, telefonerne og bruttolisten og håndteres for sig."
        ),
        answered,
    )


class ConfidentialScreen(Screen[None]):
    BINDINGS = [
        bind("back", "close", "Luk", key_display="Esc", priority=True),
        # S closes the list it opened.
        bind("show_confidential", "close", "Luk", show=False, priority=True),
        bind("restore", "restore", "Flyt tilbage til bruttolisten", priority=True),
    ]

    def __init__(self, engine: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine

    def compose(self) -> ComposeResult:
        yield WarningHead(WARNING, id="links-head", markup=False)
        yield Static("", id="conf-note", classes="note", markup=False)
        yield DataTable(cursor_type="row", id="conf-table")
        yield KeyFooter()

    def items(self) -> list[Any]:
        return [f for f in self.engine.flipovers(include_confidential=True) if f.confidential]

    def on_mount(self) -> None:
        table = self.query_one("#conf-table", DataTable)
        table.add_columns("Gruppe", "Overskrift", "Forslag")
        self._fill()
        self.query_one(KeyFooter).fit(self.app.size.width)

    def _fill(self) -> None:
        table = self.query_one("#conf-table", DataTable)
        table.clear()
        items = self.items()
        for flip in items:
            table.add_row(
                str(flip.group),
                literal(flip.heading),
                literal(" · ".join(flip.proposals)),
                key=str(flip.id),
            )
        key = key_text(self.app, "confidential", first=True)
        note = (
            f"{len(items)} i særskilt spor. De vises aldrig på projektoren eller telefonerne og "
            "eksporteres ikke med bruttolisten. Følg op hurtigt, i en særskilt handleplan, og "
            "fortæl hvor man kan få hjælp."
            if items
            else f"Intet er flyttet til særskilt spor ({key} i galleriet flytter et kort hertil)."
        )
        self.query_one("#conf-note", Static).update(note)

    def action_restore(self) -> None:
        table = self.query_one("#conf-table", DataTable)
        if table.row_count == 0:
            self.notify("Der er intet at flytte tilbage.", severity="warning")
            return
        flip_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

        def restored(_: object) -> None:
            self._fill()
            self.notify("Flyttet tilbage til bruttolisten.")

        def answered(yes: bool | None) -> None:
            if yes:
                run_command(self, lambda: self.engine.set_confidential(flip_id, False), restored)

        self.app.push_screen(
            ConfirmScreen(
                "Flyt tilbage til den åbne bruttoliste? Så vises det på projektoren igen.",
                yes="Flyt",
                no="Nej",
            ),
            answered,
        )

    def action_close(self) -> None:
        self.dismiss()
