"""The handleplan editor: its rows in order (seed 003: "i hvilken rækkefølge"), each with
indsatsområde, mål, aktiviteter, ansvarlig, dates, status and notes, and its follow-up
log (seed 001: regular status, adjustment, celebrating).

Rows start from the 2nd meeting's prioritised wishes (one key), or are added by hand.
A row without ansvarlig or dates is flagged in words with a symbol, never refused.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Label, Static

from facilitator.course.model import ACTION_STATUSES
from screens.components import HeadBar, KeyFooter
from screens.components.course_form import CourseFormScreen, FormField
from screens.course.common import (
    FLAG,
    NARROW,
    CourseScreen,
    Rows,
    action_status_text,
    fill_table,
    flags_lines,
    flags_text,
    percent_text,
    table_room,
)
from screens.dialogs import ConfirmScreen
from screens.keys import bind, key_text
from screens.words import literal

DATE_HINT = "fx 01.03.2027"
COLUMNS = ("Nr.", "Indsatsområde", "Mål", "Ansvarlig", "Start", "Opfølgning", "Status", "Mangler")
# Under NARROW columns: the row's number (with ⚠), what, who, when and how far; the goal,
# the start and the flags in words are in the detail under the table.
NARROW_COLUMNS = (0, 1, 3, 5, 6)


def row_fields(row: Any = None) -> list[FormField]:
    """The fields of a handleplan row, filled from ``row`` (or empty for a new one)."""
    return [
        FormField("area", "Indsatsområde", row.area if row else ""),
        FormField("goal", "Mål", row.goal if row else ""),
        FormField(
            "activities", "Aktiviteter", "\n".join(row.activities) if row else "", kind="lines"
        ),
        FormField(
            "responsible", "Ansvarlig", row.responsible if row else "", placeholder="Én person"
        ),
        FormField("start", "Start", row.start if row else "", placeholder=DATE_HINT),
        FormField("follow_up", "Opfølgning", row.follow_up if row else "", placeholder=DATE_HINT),
        FormField(
            "status",
            "Status",
            row.status if row else "not_started",
            kind="choice",
            choices=[(label, key) for key, label in ACTION_STATUSES.items()],
        ),
        FormField("notes", "Noter", row.notes if row else ""),
    ]


def absence_series(rows: Any) -> Text:
    """The sygefravær's fraværsprocent as a series: "Før: 5,0 % → Efter: 4,1 %"."""
    if not rows:
        return Text("Sygefravær: ingen målinger endnu.")
    parts = [
        f"{row.label or f'Måling {row.position}'}: {percent_text(row.percent)}" for row in rows
    ]
    return Text("Sygefravær (fraværsprocent): ") + literal(" → ".join(parts))


class HandleplanScreen(CourseScreen):
    BINDINGS = [
        bind("seed_handleplan", "seed", "Hent fra 2. dialogmøde"),
        bind("add_row", "add", "Ny række"),
        bind("edit_row", "edit", "Ret"),
        bind("move_up", "move(-1)", "Flyt op"),
        bind("move_down", "move(1)", "Flyt ned"),
        bind("follow_up", "follow_up", "Opfølgning"),
        bind("delete", "delete", "Slet"),
        bind("back", "back", "Tilbage"),
    ]

    def __init__(self, course: Any, forloeb_id: int, **kwargs: Any) -> None:
        super().__init__(course, **kwargs)
        self.forloeb_id = forloeb_id
        self.plan: Any = None
        self.rows: dict[int, Any] = {}
        self._want: int | None = None
        self._detail_row: int | None = None  # the row whose detail is shown

    def compose(self) -> ComposeResult:
        with HeadBar():
            yield Label("Handleplan", id="handleplan-title", classes="title", markup=False)
        with Vertical(classes="course-body"):
            yield DataTable(cursor_type="row", zebra_stripes=True, id="rows")
            with VerticalScroll(id="row-detail-scroll", classes="detail"):
                yield Static("Henter handleplanen …", id="row-detail")
            yield Static("", id="handleplan-absence", classes="series")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rows", DataTable)
        fill_table(table, COLUMNS, [])
        super().on_mount()
        table.focus()

    # ------------------------------------------------------------------ drawing
    def reload(self, select: int | None = None) -> None:
        if select is not None:
            self._want = select
        self.call(lambda: self.course.handleplan(self.forloeb_id), self._show)

    def _show(self, plan: Any) -> None:
        self.plan = plan
        self.rows = {row.id: row for row in plan.rows}
        name = plan.forloeb.workplace or plan.forloeb.name
        self.query_one("#handleplan-title", Label).update(literal(f"Handleplan · {name}"))
        table = self.query_one("#rows", DataTable)
        keep = self._want if self._want is not None else self.selected()
        self._want = None
        self._fill(table, plan)
        ids = [row.id for row in plan.rows]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        self.query_one("#handleplan-absence", Static).update(absence_series(plan.absence))
        self._detail()

    def _fill(self, table: DataTable, plan: Any) -> None:
        """The rows in the columns the width has room for."""
        rows = Rows()
        for row in plan.rows:
            rows.add_row(
                f"{row.position} {FLAG}" if row.flags else str(row.position),
                literal(row.area),
                literal(row.goal),
                literal(row.responsible) if row.responsible else Text(f"{FLAG} mangler"),
                literal(row.start) if row.start else Text("–"),
                literal(row.follow_up) if row.follow_up else Text("–"),
                action_status_text(row.status),
                flags_lines(row.flags),
                key=str(row.id),
            )
        room = table_room(self)
        if self.app.size.width < NARROW:
            shown = Rows()
            for key, cells in rows:
                shown.append((key, [cells[i] for i in NARROW_COLUMNS]))
            columns = [COLUMNS[i] for i in NARROW_COLUMNS]
            fill_table(table, columns, shown, room=room, shrink=(1, 2), floors={1: 12}, rest=1)
        else:
            fill_table(
                table,
                COLUMNS,
                rows,
                room=room,
                spare=(2,),  # the goal is in the detail under the table
                shrink=(1, 3),
                wrap=(7,),
                floors={1: 16, 2: 16, 3: 10},
            )

    def on_resize(self, event: Any) -> None:
        super().on_resize(event)
        if self.plan is not None:
            table = self.query_one("#rows", DataTable)
            keep = self.selected()
            self._fill(table, self.plan)
            ids = [row.id for row in self.plan.rows]
            if keep in ids:
                table.move_cursor(row=ids.index(keep))

    def selected(self) -> int | None:
        table = self.query_one("#rows", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _detail(self) -> None:
        detail = self.query_one("#row-detail", Static)
        row = self.rows.get(self.selected() or -1)
        if row is None:
            seed, add = key_text(self.app, "seed_handleplan"), key_text(self.app, "add_row")
            detail.update(
                f"Handleplanen har ingen rækker endnu. {seed}: hent de prioriterede ønsker fra "
                f"2. dialogmøde · {add}: en ny række."
            )
            return
        text = Text()
        text.append(f"{row.position}. ", style="bold")
        text.append(literal(row.area or "(intet indsatsområde)", style="bold"))
        if row.flags:
            text.append("   ")
            text.append(flags_text(row.flags))
        text.append("\nAnsvarlig: ", style="bold")
        text.append(literal(row.responsible) if row.responsible else Text(f"{FLAG} mangler"))
        text.append(" · Start: ", style="bold")
        text.append(literal(row.start or "–"))
        text.append(" · Opfølgning: ", style="bold")
        text.append(literal(row.follow_up or "–"))
        text.append(" · Status: ", style="bold")
        text.append(action_status_text(row.status))
        text.append("\nMål: ", style="bold")
        text.append(literal(row.goal or "–"))
        text.append("\nAktiviteter:", style="bold")
        for activity in row.activities or ("–",):
            text.append("\n  • ")
            text.append(literal(activity))
        if row.notes:
            text.append("\nNoter: ", style="bold")
            text.append(literal(row.notes))
        text.append("\nOpfølgningslog:", style="bold")
        if not row.log:
            key = key_text(self.app, "follow_up")
            text.append(f" ingen endnu ({key}: skriv en opfølgning)")
        for entry in row.log:
            text.append("\n  ")
            text.append(literal(entry.date or "–"))
            if entry.status:
                text.append(f" · {action_status_text(entry.status)}")
            if entry.note:
                text.append(" · ")
                text.append(literal(entry.note))
        detail.update(text)
        if row.id != self._detail_row:  # another row's detail starts at its top
            self._detail_row = row.id
            self.query_one("#row-detail-scroll", VerticalScroll).scroll_home(animate=False)

    @on(DataTable.RowHighlighted, "#rows")
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected, "#rows")
    def _row_selected(self) -> None:
        self.action_edit()

    def _row(self) -> Any:
        row = self.rows.get(self.selected() or -1)
        if row is None:
            self.notify("Vælg først en række (handleplanen er tom).")
        return row

    # ------------------------------------------------------------------ keys
    def action_back(self) -> None:
        self.dismiss()

    def action_seed(self) -> None:
        def seeded(count: int) -> None:
            if count:
                rows = "1 række" if count == 1 else f"{count} rækker"
                self.notify(f"{rows} hentet fra 2. dialogmødes prioriterede ønsker.")
            else:
                self.notify(
                    "Ingen nye rækker: de prioriterede ønsker fra 2. dialogmøde har allerede "
                    "en række (eller forløbet har ingen prioriterede ønsker endnu).",
                    timeout=8,
                )
            self.reload()

        self.call(lambda: self.course.seed_handleplan(self.forloeb_id), seeded)

    def action_add(self) -> None:
        course, forloeb_id = self.course, self.forloeb_id

        def save(values: dict[str, Any]) -> int:
            return course.add_action(forloeb_id, **values)

        def added(row_id: int | None) -> None:
            if row_id is not None:
                self.notify("Rækken er tilføjet sidst i handleplanen.")
                self.reload(select=row_id)

        self.app.push_screen(
            CourseFormScreen("Ny række i handleplanen", row_fields(), save, classes="-tall"),
            added,
        )

    def action_edit(self) -> None:
        row = self._row()
        if row is None:
            return
        course = self.course

        def save(values: dict[str, Any]) -> int:
            course.update_action(row.id, **values)
            return row.id

        def saved(row_id: int | None) -> None:
            if row_id is not None:
                self.notify("Rækken er gemt.")
                self.reload(select=row_id)

        intro = ""
        if row.flags:
            intro = f"{FLAG} " + " · ".join(row.flags) + " (gemmes alligevel)"
        self.app.push_screen(
            CourseFormScreen(
                f"Række {row.position}: {row.area}",
                row_fields(row),
                save,
                intro=intro,
                classes="-tall",
            ),
            saved,
        )

    def action_move(self, delta: int) -> None:
        row = self._row()
        if row is None:
            return
        if (delta < 0 and row.position <= 1) or (delta > 0 and row.position >= len(self.rows)):
            self.notify("Rækken er allerede " + ("øverst." if delta < 0 else "nederst."))
            return
        self.call(lambda: self.course.move_action(row.id, delta), lambda _: self.reload(row.id))

    def action_delete(self) -> None:
        row = self._row()
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:

                def deleted(_: object) -> None:
                    self.notify(f"Række {row.position} er slettet.")
                    self.reload()

                self.call(lambda: self.course.delete_action(row.id), deleted)

        self.app.push_screen(
            ConfirmScreen(
                f"Slet række {row.position} «{row.area or 'uden indsatsområde'}» med dens "
                "opfølgningslog?",
                yes="Slet",
                no="Nej",
            ),
            answered,
        )

    def action_follow_up(self) -> None:
        row = self._row()
        if row is None:
            return
        course = self.course
        choices = [("Uændret", "")] + [(label, key) for key, label in ACTION_STATUSES.items()]

        def save(values: dict[str, Any]) -> int:
            return course.add_follow_up(row.id, values["date"], values["status"], values["note"])

        def added(entry: int | None) -> None:
            if entry is not None:
                self.notify("Opfølgningen er skrevet i loggen.")
                self.reload(select=row.id)

        self.app.push_screen(
            CourseFormScreen(
                f"Opfølgning på række {row.position}: {row.area}",
                [
                    FormField("date", "Dato", placeholder=DATE_HINT),
                    FormField("status", "Status", "", kind="choice", choices=choices),
                    FormField("note", "Note", placeholder="Hvad er sket? Hvad skal justeres?"),
                ],
                save,
                intro="En status her bliver også rækkens status. Husk at fejre det, der lykkes.",
            ),
            added,
        )
