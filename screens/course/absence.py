"""Sygefravær (seeds 000 §6, 002): the measurements before and one or two after, and the
fraværsprocent of each as a series.

Fraværsprocent = fravær ÷ (faktiske + fravær) × 100, in dagsværk or hours (the unit
cancels; one dagsværk = 7,4 timer). Shown with one decimal and a Danish comma.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from screens.components import HeadBar, KeyFooter
from screens.components.course_form import CourseFormScreen, FormField
from screens.course.common import (
    CourseScreen,
    Rows,
    fill_table,
    flags_text,
    number_text,
    parse_number,
    percent_text,
)
from screens.course.handleplan import absence_series
from screens.dialogs import ConfirmScreen
from screens.keys import bind
from screens.words import literal

UNITS = {"days": "Dagsværk", "hours": "Timer"}
COLUMNS = ("Måling", "Periode", "Fravær", "Faktiske", "Enhed", "Fraværsprocent", "Mangler")


def absence_fields(row: Any = None) -> list[FormField]:
    return [
        FormField(
            "label", "Måling", row.label if row else "", placeholder="fx Før, Efter 1, Efter 2"
        ),
        FormField(
            "period_start", "Fra", row.period_start if row else "", placeholder="fx 01.01.2026"
        ),
        FormField("period_end", "Til", row.period_end if row else "", placeholder="fx 31.12.2026"),
        FormField(
            "absence",
            "Fravær",
            number_text(row.absence) if row else "",
            placeholder="fraværsdagsværk (eller timer), fx 12,5",
        ),
        FormField(
            "actual",
            "Faktiske",
            number_text(row.actual) if row else "",
            placeholder="faktiske arbejdsdagsværk (eller timer)",
        ),
        FormField(
            "unit",
            "Enhed",
            row.unit if row else "days",
            kind="choice",
            choices=[(label, key) for key, label in UNITS.items()],
        ),
    ]


def numbers(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values with the typed numbers read (a refusal in Danish if not)."""
    values = dict(values)
    values["absence"] = parse_number(values["absence"], "Fravær")
    values["actual"] = parse_number(values["actual"], "Faktiske arbejdsdagsværk")
    return values


class AbsenceScreen(CourseScreen):
    BINDINGS = [
        bind("add_row", "add", "Ny måling"),
        bind("edit_row", "edit", "Ret"),
        bind("delete", "delete", "Slet"),
        bind("back", "back", "Tilbage"),
    ]

    def __init__(self, course: Any, forloeb_id: int, **kwargs: Any) -> None:
        super().__init__(course, **kwargs)
        self.forloeb_id = forloeb_id
        self.rows: dict[int, Any] = {}
        self._want: int | None = None

    def compose(self) -> ComposeResult:
        with HeadBar():
            yield Label("Sygefravær", id="absence-title", classes="title", markup=False)
        with Vertical(classes="course-body"):
            yield Static(
                "Mål før handleplanen og en eller to gange efter. Fraværsprocent = fravær ÷ "
                "(faktiske + fravær) × 100 · 1 dagsværk = 7,4 timer.",
                classes="help",
                markup=False,
            )
            yield DataTable(cursor_type="row", zebra_stripes=True, id="absence")
            yield Static("Henter målingerne …", id="absence-series", classes="series")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#absence", DataTable)
        fill_table(table, COLUMNS, [])
        super().on_mount()
        table.focus()

    def reload(self, select: int | None = None) -> None:
        if select is not None:
            self._want = select
        self.call(lambda: self.course.handleplan(self.forloeb_id), self._show)

    def _show(self, plan: Any) -> None:
        name = plan.forloeb.workplace or plan.forloeb.name
        self.query_one("#absence-title", Label).update(literal(f"Sygefravær · {name}"))
        self.rows = {row.id: row for row in plan.absence}
        table = self.query_one("#absence", DataTable)
        keep = self._want if self._want is not None else self.selected()
        self._want = None
        rows = Rows()
        for row in plan.absence:
            period = " – ".join(p for p in (row.period_start, row.period_end) if p) or "–"
            rows.add_row(
                literal(row.label or f"Måling {row.position}"),
                literal(period),
                number_text(row.absence),
                number_text(row.actual),
                UNITS.get(row.unit, row.unit),
                Text(percent_text(row.percent), style="bold"),
                flags_text(row.flags),
                key=str(row.id),
            )
        fill_table(table, COLUMNS, rows)
        ids = [row.id for row in plan.absence]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        self.query_one("#absence-series", Static).update(absence_series(plan.absence))

    def selected(self) -> int | None:
        table = self.query_one("#absence", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_back(self) -> None:
        self.dismiss()

    def action_add(self) -> None:
        course, forloeb_id = self.course, self.forloeb_id

        def save(values: dict[str, Any]) -> int:
            return course.add_absence(forloeb_id, **numbers(values))

        def added(row_id: int | None) -> None:
            if row_id is not None:
                self.notify("Målingen er gemt.")
                self.reload(select=row_id)

        self.app.push_screen(
            CourseFormScreen("Ny måling af sygefravær", absence_fields(), save), added
        )

    def action_edit(self) -> None:
        row = self.rows.get(self.selected() or -1)
        if row is None:
            self.notify("Der er ingen målinger endnu.")
            return
        course = self.course

        def save(values: dict[str, Any]) -> int:
            course.update_absence(row.id, **numbers(values))
            return row.id

        def saved(row_id: int | None) -> None:
            if row_id is not None:
                self.notify("Målingen er gemt.")
                self.reload(select=row_id)

        self.app.push_screen(
            CourseFormScreen(f"Måling: {row.label}", absence_fields(row), save), saved
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_delete(self) -> None:
        row = self.rows.get(self.selected() or -1)
        if row is None:
            self.notify("Der er ingen målinger endnu.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call(lambda: self.course.delete_absence(row.id), lambda _: self.reload())

        self.app.push_screen(
            ConfirmScreen(f"Slet målingen «{row.label}»?", yes="Slet", no="Nej"), answered
        )
