"""One forløb: its details and plan, its meetings, its next step; the doors to the
vurdering, the handleplan, særskilt spor and the sygefravær.

Everything is read and written through the course door, in threads.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static

from facilitator.course.model import PLAN_STEPS
from screens.components import HeadBar, KeyFooter
from screens.components.course_form import CourseFormScreen, FormField, SaveRefused
from screens.course.common import (
    FLAG,
    NARROW,
    CourseScreen,
    Rows,
    date_text,
    fill_table,
    short_date,
    table_room,
)
from screens.dialogs import ConfirmScreen
from screens.keys import bind, key_text
from screens.words import literal

COLUMNS = ("Møde", "Dagsorden", "Oprettet", "Ønsker", "Vurderet")
# Under NARROW columns the agenda is left out (the meeting's title says which it is).
NARROW_COLUMNS = (0, 2, 3, 4)


def details_text(info: Any) -> Text:
    """The forløb's people, help contacts, next step and revision, as lines."""
    text = Text()

    def line(label: str, value: str | Text, *, missing: str = "–") -> None:
        text.append(f"{label}: ", style="bold")
        text.append(value if isinstance(value, Text) else literal(value or missing))
        text.append("\n")

    line("Arbejdsplads", info.workplace)
    line("Enhed", info.unit)
    line("Tovholder", info.tovholder)
    line("Mødeleder", info.moedeleder)
    next_step = literal(info.next_step or "–")
    if info.overdue and "overskredet" in (info.next_step or ""):
        next_step = Text(f"{FLAG} ", style="bold") + literal(info.next_step, style="bold")
    line("Næste skridt", next_step)
    line("Revision senest", date_text(info.revision_due))
    if info.overdue and "overskredet" not in (info.next_step or ""):
        word = "opfølgning" if info.overdue == 1 else "opfølgninger"
        line("Opfølgning", Text(f"{FLAG} {info.overdue} {word} overskredet", style="bold"))
    text.append("Hvor kan du få hjælp:", style="bold")
    if info.help_contacts:
        for contact in info.help_contacts:
            text.append("\n  • ")
            text.append(literal(contact))
    else:
        text.append(" –")
    for flag in info.flags:
        text.append(f"\n{FLAG} ", style="bold")
        text.append(literal(flag, style="bold"))
    return text


def plan_text(info: Any) -> Text:
    """The planned dates, one step a line, in the order of PLAN_STEPS."""
    text = Text("Planen\n", style="bold")
    dates = {step.step: step for step in info.plan}
    for key, label in PLAN_STEPS.items():
        step = dates.get(key)
        text.append(f"{label}: ")
        text.append(literal(step.date) if step and step.date else Text("ikke planlagt", "dim"))
        text.append("\n")
    if info.handleplan_date:
        text.append("Handleplanen vedtaget: ")
        text.append(literal(info.handleplan_date))
    return text.rstrip() or text


class ForloebScreen(CourseScreen):
    BINDINGS = [
        bind("edit_details", "edit", "Ret oplysninger"),
        bind("open_vurdering", "vurdering", "Vurdering"),
        bind("open_handleplan", "handleplan", "Handleplan"),
        bind("open_course_confidential", "confidential", "Særskilt spor"),
        bind("open_absence", "absence", "Sygefravær"),
        bind("open_meeting", "open_meeting", "Åbn mødet", priority=True),
        bind("back", "back", "Tilbage"),
    ]

    def __init__(self, course: Any, forloeb_id: int, directory: Any = None, **kwargs: Any) -> None:
        super().__init__(course, **kwargs)
        self.forloeb_id = forloeb_id
        self.directory = directory  # the app: opens a meeting on the projector
        self.info: Any = None

    def compose(self) -> ComposeResult:
        with HeadBar():
            yield Label("Forløb", id="forloeb-title", classes="title", markup=False)
        with Vertical(classes="course-body"):
            with Horizontal(classes="forloeb-top"):
                yield Static("Henter forløbet …", id="forloeb-details", classes="panel")
                yield Static("", id="forloeb-plan", classes="panel")
            yield Label("Møderne i forløbet", classes="section")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="forloeb-meetings")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#forloeb-meetings", DataTable)
        fill_table(table, COLUMNS, [])
        super().on_mount()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.info is not None:
            self.reload()

    def reload(self) -> None:
        self.call(lambda: self.course.forloeb(self.forloeb_id), self._show)

    def _show(self, info: Any) -> None:
        keep = self.selected_meeting()
        first = self.info is None
        self.info = info
        title = f"Forløb: {info.workplace or info.name}" + (f" · {info.unit}" if info.unit else "")
        self.query_one("#forloeb-title", Label).update(literal(title))
        self.query_one("#forloeb-details", Static).update(details_text(info))
        self.query_one("#forloeb-plan", Static).update(plan_text(info))
        table = self.query_one("#forloeb-meetings", DataTable)
        self._fill(table)
        ids = [m.id for m in info.meetings]
        if keep in ids and not first:
            table.move_cursor(row=ids.index(keep))
        elif ids:
            with_wishes = [i for i, m in enumerate(info.meetings) if m.wishes]
            table.move_cursor(row=with_wishes[-1] if with_wishes else len(ids) - 1)

    def _fill(self, table: DataTable) -> None:
        """The meetings in the columns the width has room for."""
        narrow = self.app.size.width < NARROW
        rows = Rows()
        for meeting in self.info.meetings:
            created = meeting.created_at.date() if meeting.created_at else None
            rows.add_row(
                literal(meeting.title),
                literal(meeting.agenda_title),
                (short_date(created) if narrow else date_text(created)) if created else "",
                str(meeting.wishes),
                f"{meeting.assessed} af {meeting.wishes}",
                key=str(meeting.id),
            )
        shown = NARROW_COLUMNS if narrow else tuple(range(len(COLUMNS)))
        place = {column: index for index, column in enumerate(shown)}
        fill_table(
            table,
            [COLUMNS[i] for i in shown],
            [(key, [cells[i] for i in shown]) for key, cells in rows],
            room=table_room(self),
            shrink=[place[i] for i in (0, 1) if i in place],
            floors={0: 16},
        )

    def on_resize(self, event: Any) -> None:
        super().on_resize(event)
        if self.info is not None:
            table = self.query_one("#forloeb-meetings", DataTable)
            keep = self.selected_meeting()
            self._fill(table)
            ids = [m.id for m in self.info.meetings]
            if keep in ids:
                table.move_cursor(row=ids.index(keep))

    def selected_meeting(self) -> int | None:
        table = self.query_one("#forloeb-meetings", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    # ------------------------------------------------------------------ keys
    def action_back(self) -> None:
        self.dismiss()

    def action_open_meeting(self) -> None:
        meeting = self.selected_meeting()
        if meeting is None or self.directory is None:
            self.notify("Forløbet har ingen møder endnu (n på startskærmen: nyt møde).")
            return
        if self.directory.open_meeting(meeting) and self.is_current:
            self.dismiss()  # the projector takes the start screen's place

    @on(DataTable.RowSelected, "#forloeb-meetings")
    def _row_selected(self) -> None:
        self.action_open_meeting()

    def action_vurdering(self) -> None:
        meeting = self.selected_meeting()
        if meeting is None:
            self.notify("Forløbet har ingen møder endnu – vurderingen kommer efter 1. dialogmøde.")
            return
        from screens.course.vurdering import VurderingScreen

        self.app.push_screen(VurderingScreen(self.course, meeting))

    def action_handleplan(self) -> None:
        from screens.course.handleplan import HandleplanScreen

        self.app.push_screen(HandleplanScreen(self.course, self.forloeb_id))

    def action_absence(self) -> None:
        from screens.course.absence import AbsenceScreen

        self.app.push_screen(AbsenceScreen(self.course, self.forloeb_id))

    def action_confidential(self) -> None:
        from screens.course.confidential_plan import ConfidentialPlanScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(ConfidentialPlanScreen(self.course, self.forloeb_id))

        self.app.push_screen(
            ConfirmScreen(
                "Vis særskilt spor? Det er FORTROLIGT – sluk projektoren eller frys billedet "
                "først.",
                yes="Vis",
                no="Nej",
            ),
            answered,
        )

    def action_edit(self) -> None:
        info = self.info
        if info is None:
            return
        planned = {step.step: step.date for step in info.plan}
        fields = [
            FormField("workplace", "Arbejdsplads", info.workplace),
            FormField("unit", "Enhed", info.unit),
            FormField("tovholder", "Tovholder", info.tovholder),
            FormField("moedeleder", "Mødeleder", info.moedeleder),
            FormField("help_contacts", "Hjælp", "\n".join(info.help_contacts), kind="lines"),
            *(
                FormField(f"plan_{key}", label, planned.get(key, ""), placeholder="fx 14.01.2027")
                for key, label in PLAN_STEPS.items()
            ),
            FormField(
                "handleplan_date",
                "Handleplan vedtaget",
                info.handleplan_date,
                placeholder="fx 01.03.2027 (revision senest tre år efter)",
            ),
        ]
        course, forloeb_id = self.course, self.forloeb_id

        def save(values: dict[str, Any]) -> Any:
            if not values["workplace"].strip():
                raise SaveRefused("Arbejdspladsen skal udfyldes")
            plan = {key: values.pop(f"plan_{key}") for key in PLAN_STEPS}
            return course.update_forloeb(forloeb_id, plan=plan, **values)

        def saved(info: Any) -> None:
            if info is not None:
                self.notify("Forløbets oplysninger er gemt.")
                self.reload()

        hint = key_text(self.app, "save")
        self.app.push_screen(
            CourseFormScreen(
                "Forløbets oplysninger",
                fields,
                save,
                intro=(
                    "Hjælp: én kontakt pr. linje (hvor man kan henvende sig om vold, trusler, "
                    f"mobning og chikane). Datoer skrives som de er aftalt. {hint}: gem."
                ),
                classes="-tall",
            ),
            saved,
        )
