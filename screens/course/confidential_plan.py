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
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from facilitator.course.model import ACTION_STATUSES
from screens.components import KeyFooter, WarningHead
from screens.components.course_form import CourseFormScreen, FormField
from screens.course.common import (
    NARROW,
    CourseScreen,
    Rows,
    action_status_text,
    fill_table,
    flags_lines,
    flags_text,
    table_room,
)
from screens.keys import bind
from screens.words import literal

COLUMNS = ("Overskrift", "Møde", "Art", "Ansvarlig", "Opfølgning", "Status", "Mangler")
# Under NARROW columns the meeting and the art are left to the detail under the table.
NARROW_COLUMNS = (0, 3, 4, 5, 6)
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
        self.item_list: list[Any] = []
        self._want: int | None = None
        self._detail_item: int | None = None  # the item whose detail is shown

    def compose(self) -> ComposeResult:
        yield WarningHead(HEADING, id="conf-plan-head", markup=False)
        yield Static("Henter særskilt spor …", id="conf-plan-note", classes="note")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="conf-items")
        with VerticalScroll(id="conf-plan-detail-scroll", classes="detail"):
            yield Static("", id="conf-plan-detail")
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
        self.item_list = items
        self.items = {item.id: item for item in items}
        table = self.query_one("#conf-items", DataTable)
        keep = self._want if self._want is not None else self.selected()
        self._want = None
        self._fill(table)
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

    def _fill(self, table: DataTable) -> None:
        """The items in the columns the width has room for; the flags never cut."""
        rows = Rows()
        for item in self.item_list:
            rows.add_row(
                literal(item.heading),
                literal(item.meeting_title),
                literal(item.problem_kind or "–"),
                literal(item.responsible or "–"),
                literal(item.follow_up or "–"),
                action_status_text(item.status),
                flags_lines(item.flags),
                key=str(item.id),
            )
        shown = NARROW_COLUMNS if self.app.size.width < NARROW else tuple(range(len(COLUMNS)))
        place = {column: index for index, column in enumerate(shown)}
        fill_table(
            table,
            [COLUMNS[i] for i in shown],
            [(key, [cells[i] for i in shown]) for key, cells in rows],
            room=table_room(self, outside=4),
            shrink=[place[i] for i in (0, 1, 2, 3) if i in place],
            wrap=(place[6],),
            floors={place[0]: 16} | {place[i]: 10 for i in (1, 2, 3) if i in place},
            rest=place[6],
        )

    def on_resize(self, event: Any) -> None:
        super().on_resize(event)
        if self.item_list:
            table = self.query_one("#conf-items", DataTable)
            keep = self.selected()
            self._fill(table)
            ids = [item.id for item in self.item_list]
            if keep in ids:
                table.move_cursor(row=ids.index(keep))

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
        text.append("\nMøde: ", style="bold")
        text.append(literal(item.meeting_title or "–"))
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
        if item.id != self._detail_item:  # another item's detail starts at its top
            self._detail_item = item.id
            self.query_one("#conf-plan-detail-scroll", VerticalScroll).scroll_home(animate=False)

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
