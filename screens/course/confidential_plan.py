"""Særskilt spor: the forløb's confidential items and each one's plan, with a traditional
approach (seed 000 §10: the problem's kind, gravity and extent, its cause, the solution,
ansvarlig, dates). FORTROLIGT: a screen of the app for the arbejdsmiljøgruppe, never a
projector view; it is opened only after a Ja.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from facilitator.course.model import ACTION_STATUSES
from screens.components import KeyFooter, WarningHead
from screens.components.course_form import CourseFormScreen, FormField
from screens.course.common import (
    CourseScreen,
    Rows,
    action_status_text,
    fill_table,
    flags_text,
)
from screens.keys import bind
from screens.words import literal

COLUMNS = ("Overskrift", "Møde", "Art", "Ansvarlig", "Opfølgning", "Status", "Mangler")
HEADING = "FORTROLIGT – særskilt spor · ikke til projektoren"
PLAN_FIELDS = (
    ("problem_kind", "Art", "fx mobning, chikane, vold, trusler"),
    ("gravity", "Alvor", ""),
    ("extent", "Omfang", "hvor mange, hvor ofte"),
    ("cause", "Årsag", ""),
    ("solution", "Løsning", ""),
    ("responsible", "Ansvarlig", "Én person"),
    ("start", "Start", "fx 01.03.2027"),
    ("follow_up", "Opfølgning", "fx 01.04.2027"),
)


class ConfidentialPlanScreen(CourseScreen):
    BINDINGS = [
        bind("edit_row", "edit", "Ret planen"),
        bind("back", "back", "Luk"),
    ]

    def __init__(self, course: Any, forloeb_id: int, **kwargs: Any) -> None:
        super().__init__(course, **kwargs)
        self.forloeb_id = forloeb_id
        self.items: dict[int, Any] = {}
        self._want: int | None = None

    def compose(self) -> ComposeResult:
        yield WarningHead(HEADING, id="conf-plan-head", markup=False)
        yield Static("Henter særskilt spor …", id="conf-plan-note", classes="note")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="conf-items")
        yield Static("", id="conf-plan-detail", classes="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#conf-items", DataTable)
        fill_table(table, COLUMNS, [])
        super().on_mount()
        table.focus()

    def reload(self, select: int | None = None) -> None:
        if select is not None:
            self._want = select
        self.call(lambda: self.course.confidential_items(self.forloeb_id), self._show)

    def _show(self, items: list[Any]) -> None:
        self.items = {item.id: item for item in items}
        table = self.query_one("#conf-items", DataTable)
        keep = self._want if self._want is not None else self.selected()
        self._want = None
        rows = Rows()
        for item in items:
            rows.add_row(
                literal(item.heading),
                literal(item.meeting_title),
                literal(item.problem_kind or "–"),
                literal(item.responsible or "–"),
                literal(item.follow_up or "–"),
                action_status_text(item.status),
                flags_text(item.flags),
                key=str(item.id),
            )
        fill_table(table, COLUMNS, rows)
        ids = [item.id for item in items]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        note = (
            f"{len(items)} i særskilt spor. Følg op hurtigt og for sig, og fortæl hvor man kan "
            "få hjælp. Vises aldrig på projektoren eller telefonerne."
            if items
            else "Intet er flyttet til særskilt spor i dette forløb."
        )
        self.query_one("#conf-plan-note", Static).update(note)
        self._detail()

    def selected(self) -> int | None:
        table = self.query_one("#conf-items", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _detail(self) -> None:
        item = self.items.get(self.selected() or -1)
        detail = self.query_one("#conf-plan-detail", Static)
        if item is None:
            detail.update("")
            return
        text = Text()
        text.append(literal(item.heading, style="bold"))
        if item.proposals:
            text.append("\n")
            text.append(literal(" · ".join(p.text for p in item.proposals)))
        for name, label, _hint in PLAN_FIELDS:
            text.append(f"\n{label}: ", style="bold")
            text.append(literal(getattr(item, name) or "–"))
        text.append("\nStatus: ", style="bold")
        text.append(action_status_text(item.status))
        if item.notes:
            text.append("\nNoter: ", style="bold")
            text.append(literal(item.notes))
        if item.flags:
            text.append("\n")
            text.append(flags_text(item.flags))
        detail.update(text)

    @on(DataTable.RowHighlighted, "#conf-items")
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected, "#conf-items")
    def _row_selected(self) -> None:
        self.action_edit()

    def action_back(self) -> None:
        self.dismiss()

    def action_edit(self) -> None:
        item = self.items.get(self.selected() or -1)
        if item is None:
            self.notify("Der er intet i særskilt spor at lave en plan for.")
            return
        fields = [
            FormField(name, label, getattr(item, name), placeholder=hint)
            for name, label, hint in PLAN_FIELDS
        ]
        fields.append(
            FormField(
                "status",
                "Status",
                item.status,
                kind="choice",
                choices=[(label, key) for key, label in ACTION_STATUSES.items()],
            )
        )
        fields.append(FormField("notes", "Noter", item.notes))
        course = self.course

        def save(values: dict[str, Any]) -> Any:
            return course.set_confidential_plan(item.id, **values)

        def saved(result: Any) -> None:
            if result is not None:
                self.notify("Planen er gemt (fortroligt).")
                self.reload(select=item.id)

        self.app.push_screen(
            CourseFormScreen(
                f"FORTROLIGT – plan for «{item.heading}»",
                fields,
                save,
                intro="Særskilt spor: en traditionel tilgang – art, alvor, omfang, årsag, "
                "løsning, én ansvarlig og datoer.",
                classes="-tall -confidential",
            ),
            saved,
        )
