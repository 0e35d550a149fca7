"""The start screen (`facilitator` with no arguments): the meetings, and a new one.

The screen gets plain data from the app (a ``MeetingDirectory``); it never sees SQL.
"""

from __future__ import annotations

from typing import Any, Protocol

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from facilitator.meeting_size import GROUPS_MAX, PARTICIPANTS_MAX, group_plan, meeting_size_problem
from screens.base import COMMAND_ERRORS
from screens.components import KeyFooter
from screens.keys import bind, key_text
from screens.words import literal, sentence


class MeetingDirectory(Protocol):
    """What the start screen needs from the app."""

    def list_meetings(self) -> list[dict[str, Any]]:
        """Dicts with id, title, agenda, created, phase, code; newest first."""

    def agendas(self) -> list[tuple[str, str]]:
        """(name, title) of every agenda that can be used."""

    def create_meeting(self, agenda: str, title: str, groups: int, participants: int) -> int:
        """A new meeting's id; raises EngineError with a Danish message."""

    def open_meeting(self, meeting_id: int) -> bool:
        """Put the meeting on the projector; False (after telling why) if it cannot."""


class StartScreen(Screen):
    BINDINGS = [
        bind("open_meeting", "open", "Åbn mødet", priority=True),
        bind("new_meeting", "new", "Nyt møde", priority=True),
        bind("leave", "app.quit", "Afslut", priority=True),
    ]

    def __init__(self, directory: MeetingDirectory, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = directory

    def compose(self) -> ComposeResult:
        open_key, new_key = self._key("open_meeting"), self._key("new_meeting")
        with Vertical(classes="start"):
            yield Label("Facilitator – dialogmøder", classes="title")
            yield Label(
                f"Vælg et møde og tryk {open_key} for at sætte det på projektoren · "
                f"{new_key}: nyt møde",
                classes="help",
            )
            yield DataTable(cursor_type="row", zebra_stripes=True, id="meetings")
            yield Static("", id="start-empty", classes="empty", markup=False)
        yield KeyFooter()

    def _key(self, binding_id: str) -> str:
        return key_text(self.app, binding_id, first=True)

    def on_mount(self) -> None:
        table = self.query_one("#meetings", DataTable)
        table.add_columns("Titel", "Fase", "Oprettet", "Kode", "Dagsorden")
        self.reload()
        table.focus()

    def reload(self, select: int | None = None) -> None:
        table = self.query_one("#meetings", DataTable)
        table.clear()
        meetings = self.directory.list_meetings()
        for meeting in meetings:
            table.add_row(
                literal(meeting["title"]),
                literal(meeting["phase"]),
                meeting["created"],
                meeting["code"],
                literal(meeting["agenda"]),
                key=str(meeting["id"]),
            )
        empty = self.query_one("#start-empty", Static)
        new_key = self._key("new_meeting")
        empty.update("" if meetings else f"Ingen møder endnu – tryk {new_key} for at oprette et.")
        empty.display = not meetings
        if select is not None:
            for row, meeting in enumerate(meetings):
                if meeting["id"] == select:
                    table.move_cursor(row=row)

    def _selected(self) -> int | None:
        table = self.query_one("#meetings", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value)

    def action_open(self) -> None:
        meeting = self._selected()
        if meeting is None:
            self.notify(
                f"Der er ingen møder endnu – tryk {self._key('new_meeting')} for at oprette et."
            )
            return
        self.directory.open_meeting(meeting)

    @on(DataTable.RowSelected, "#meetings")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.directory.open_meeting(int(event.row_key.value))

    def action_new(self) -> None:
        def created(meeting_id: int | None) -> None:
            if meeting_id is not None:
                self.reload(select=meeting_id)
                key = self._key("open_meeting")
                self.notify(f"Mødet er oprettet – tryk {key} for at åbne det.")

        self.app.push_screen(NewMeetingScreen(self.directory), created)


class NewMeetingScreen(ModalScreen[int | None]):
    """Agenda, title, number of groups and participants. Errors are shown, not raised."""

    BINDINGS = [
        bind("save", "create", "Opret", priority=True),
        bind("enter_next", "enter", "Næste felt / opret", show=False, priority=True),
        bind("back", "cancel", "Fortryd"),
    ]

    def __init__(self, directory: MeetingDirectory) -> None:
        super().__init__()
        self.directory = directory
        self._agendas: dict[str, Any] = {}  # name → loaded Agenda (or None if broken)

    def compose(self) -> ComposeResult:
        agendas = self.directory.agendas()
        with Vertical(classes="dialog-box"):
            yield Label("Nyt møde", classes="title")
            with Horizontal(classes="field"):
                yield Label("Dagsorden", classes="field-label")
                yield Select(
                    [(literal(f"{title} ({name})"), name) for name, title in agendas],
                    value=agendas[0][0] if agendas else Select.BLANK,
                    allow_blank=not agendas,
                    compact=True,
                    id="new-agenda",
                )
            with Horizontal(classes="field"):
                yield Label("Titel", classes="field-label")
                yield Input(
                    placeholder="fx 1. dialogmøde i Børnehuset", compact=True, id="new-name"
                )
            with Horizontal(classes="field"):
                yield Label("Grupper", classes="field-label")
                yield Input(
                    placeholder=f"fx 4, 1–{GROUPS_MAX} (tom: ud fra deltagere)",
                    type="integer",
                    compact=True,
                    id="new-groups",
                )
            with Horizontal(classes="field"):
                yield Label("Deltagere", classes="field-label")
                yield Input(
                    placeholder=f"fx 16 (1–{PARTICIPANTS_MAX})",
                    type="integer",
                    compact=True,
                    id="new-participants",
                )
            yield Static("", id="new-plan", classes="plan", markup=False)
            yield Static("", id="new-message", classes="message", markup=False)
            with Horizontal(classes="buttons"):
                save, back = key_text(self.app, "save"), key_text(self.app, "back")
                yield Button(f"Opret ({save})", id="create", variant="primary")
                yield Button(f"Fortryd ({back})", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#new-name", Input).focus()
        self._show_plan()

    # ------------------------------------------------------------------ the group plan
    def _agenda(self) -> Any:
        name = self.query_one("#new-agenda", Select).value
        if not isinstance(name, str):
            return None
        if name not in self._agendas:
            from facilitator.agenda import AgendaError, load_agenda

            try:
                self._agendas[name] = load_agenda(name)
            except AgendaError:
                self._agendas[name] = None
        return self._agendas[name]

    def _typed(self, widget_id: str) -> int | None | str:
        """The field's number, None when empty, or "" when it is not a whole number."""
        raw = self.query_one(widget_id, Input).value.strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            return ""

    def _show_plan(self) -> None:
        """As the mødeleder types: how many groups of which size each grouping gets."""
        plan = self.query_one("#new-plan", Static)
        groups, participants = self._typed("#new-groups"), self._typed("#new-participants")
        agenda = self._agenda()
        if groups == "" or participants == "" or agenda is None:
            plan.update("")
            return
        problem = meeting_size_problem(groups, participants)
        if problem:
            plan.update(sentence(problem))
        elif groups is None and participants is None:
            plan.update("Skriv antal deltagere, så vises grupperne her.")
        else:
            plan.update(group_plan(agenda, groups, participants))

    @on(Input.Changed, "#new-groups, #new-participants")
    @on(Select.Changed, "#new-agenda")
    def _size_changed(self) -> None:
        self._show_plan()

    def action_enter(self) -> None:
        """Enter moves to the next field (at once, before the next key); the last creates."""
        focused = self.focused
        if not isinstance(focused, Input):
            raise SkipAction()
        if focused.id == "new-participants":
            self.action_create()
        else:
            self.focus_next(Input)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "create":
            self.action_create()
        else:
            self.action_cancel()

    def _error(self, text: str) -> None:
        self.query_one("#new-message", Static).update(text)
        self.notify(text, severity="error", markup=False)

    def _number(self, widget_id: str, what: str) -> int | None | bool:
        """The field's number; None when it is empty; False (after saying why) when it
        is not a whole number."""
        value = self._typed(widget_id)
        if value == "":
            self._error(f"Antal {what} skal være et helt tal.")
            self.query_one(widget_id, Input).focus()
            return False
        return value

    def action_create(self) -> None:
        agenda = self.query_one("#new-agenda", Select).value
        if not isinstance(agenda, str):
            self._error("Vælg en dagsorden.")
            return
        title = self.query_one("#new-name", Input).value
        if not title.strip():
            self._error("Mødet skal have en titel.")
            self.query_one("#new-name", Input).focus()
            return
        groups = self._number("#new-groups", "grupper")
        participants = self._number("#new-participants", "deltagere")
        if groups is False or participants is False:
            return
        problem = meeting_size_problem(groups, participants)  # a typed 0 is refused too
        if problem:
            self._error(sentence(problem))
            return
        try:
            meeting_id = self.directory.create_meeting(
                agenda, title, groups or 0, participants or 0
            )
        except COMMAND_ERRORS as exc:
            self._error(sentence(str(exc)))
            return
        self.dismiss(meeting_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
