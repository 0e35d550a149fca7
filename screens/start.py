"""The start screen (`facilitator` with no arguments): each forløb with its meetings under
it and its next step; open a meeting or a forløb, make a new one.

The screen gets plain data from the app (a ``MeetingDirectory``); it never sees SQL. The
data are read in a thread (database work), never on the loop that draws.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from facilitator.meeting_size import GROUPS_MAX, PARTICIPANTS_MAX, group_plan, meeting_size_problem
from screens.check import (
    AddressScreen,
    CheckScreen,
    address_words,
    db_url_of,
    find_addresses,
    only_this_computer,
)
from screens.components import KeyFooter
from screens.components.course_form import CourseFormScreen, FormField, SaveRefused
from screens.course.common import (
    FLAG,
    NARROW,
    Rows,
    date_text,
    fill_table,
    run_course,
    table_room,
)
from screens.keys import bind, key_text
from screens.words import literal, sentence

COLUMNS = ("Forløb og møder", "Næste skridt / fase", "Oprettet", "Kode", "Dagsorden")
# Under NARROW columns the agenda is left out (a meeting's title and phase say enough).
NARROW_COLUMNS = (0, 1, 2, 3)
OWN_FORLOEB = "own"  # the new-meeting form's "a forløb of its own"


class MeetingDirectory(Protocol):
    """What the start screen needs from the app."""

    course: Any  # facilitator.course.service.Course

    def list_meetings(self) -> list[dict[str, Any]]:
        """Dicts with id, title, agenda, created, phase, code, forloeb; newest first."""

    def forloeb_groups(self) -> list[dict[str, Any]]:
        """Each forløb (ForloebInfo, newest first) with its meetings (list_meetings' dicts)."""

    def agendas(self) -> list[tuple[str, str]]:
        """(name, title) of every agenda that can be used."""

    def create_meeting(
        self,
        agenda: str,
        title: str,
        groups: int,
        participants: int,
        forloeb_id: int | None = None,
    ) -> int:
        """A new meeting's id; raises EngineError with a Danish message."""

    def open_meeting(self, meeting_id: int) -> bool:
        """Put the meeting on the projector; False (after telling why) if it cannot."""


def forloeb_label(info: Any) -> str:
    """A forløb as one line: its workplace and unit (or its name)."""
    name = info.workplace or info.name
    return f"{name} · {info.unit}" if info.unit else name


def meetings_words(count: int) -> str:
    if not count:
        return "ingen møder"
    return "1 møde" if count == 1 else f"{count} møder"


def created_text(created: str, *, short: bool) -> str:
    """When a meeting was made ("07-12-2026 18:35"), or on 8 cells: "07.12.26"."""
    if not short:
        return created
    try:
        return datetime.strptime(created.strip(), "%d-%m-%Y %H:%M").strftime("%d.%m.%y")
    except ValueError:
        return created


def next_step_text(info: Any) -> Text:
    """The forløb's next step, and its overdue follow-ups with a symbol (not colour alone)."""
    text = literal(info.next_step or "–")
    if info.overdue and "overskredet" in (info.next_step or ""):
        text = Text(f"{FLAG} ", style="bold") + literal(info.next_step, style="bold")
    elif info.overdue:
        word = "opfølgning" if info.overdue == 1 else "opfølgninger"
        text.append(f" · {FLAG} {info.overdue} {word} overskredet", style="bold")
    return text


class StartScreen(Screen):
    DEFAULT_CSS = """
    StartScreen #start-address { height: auto; margin-bottom: 1; }
    """

    BINDINGS = [
        bind("open_meeting", "open", "Åbn", priority=True),
        bind("open_forloeb", "open_forloeb", "Forløbet"),
        bind("new_meeting", "new", "Nyt møde", priority=True),
        bind("new_forloeb", "new_forloeb", "Nyt forløb"),
        bind("run_check", "check", "Tjek"),
        bind("pick_address", "pick_address", "Adresse og port"),
        bind("leave", "app.quit", "Afslut", priority=True),
    ]

    def __init__(self, directory: MeetingDirectory, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = directory
        self.groups: list[dict[str, Any]] = []
        self.loaded = False  # the first answer from the database has been drawn
        self._want: str | None = None  # the row to select once the data are drawn
        self.automatic: str | None = None  # the LAN address the automatic choice has now

    def compose(self) -> ComposeResult:
        open_key, new_key = self._key("open_meeting"), self._key("new_meeting")
        forloeb_key, new_forloeb = self._key("open_forloeb"), self._key("new_forloeb")
        with Vertical(classes="start"):
            yield Label("Facilitator – dialogmøder og APV-forløb", classes="title")
            yield Static(
                f"Vælg et møde og tryk {open_key} for at sætte det på projektoren · "
                f"{forloeb_key}: forløbet (planen, vurderingen, handleplanen) · "
                f"{new_key}: nyt møde · {new_forloeb}: nyt forløb",
                classes="help",
                markup=False,
            )
            yield Static(self._address_line(), id="start-address", classes="address")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="meetings")
            yield Static(
                "Henter forløb og møder …", id="start-empty", classes="empty", markup=False
            )
        yield KeyFooter()

    def _key(self, binding_id: str) -> str:
        return key_text(self.app, binding_id, first=True)

    def on_mount(self) -> None:
        table = self.query_one("#meetings", DataTable)
        fill_table(table, COLUMNS, [])
        self.query_one(KeyFooter).fit(self.app.size.width)
        table.focus()

    # ------------------------------------------------------------------ address and port
    def _address_line(self) -> Text:
        """The address and port phones will use when a meeting is opened, and the keys."""
        app = self.app
        text = literal(
            address_words(getattr(app, "host", None), getattr(app, "port", 8765), self.automatic)
        )
        text.append(
            f" ({self._key('pick_address')}: skift)",
            style="dim",
        )
        return text

    def _show_address(self) -> None:
        self.query_one("#start-address", Static).update(self._address_line())

    def _find_automatic(self) -> None:
        """The address the automatic choice gives now (the laptop's interfaces, in a thread)."""

        def found(addresses: tuple[list[Any], str | None]) -> None:
            self.automatic = addresses[1]
            self._show_address()

        run_course(self, find_addresses, found, lambda _reason: None)

    def action_pick_address(self) -> None:
        app = self.app

        def chosen(choice: tuple[str | None, int] | None) -> None:
            if choice is None:
                return
            remember = getattr(app, "remember_address", None)
            if callable(remember):
                remember(*choice)  # kept for the next start too
            else:
                app.host, app.port = choice
            self._show_address()
            where = app.host or "den automatiske adresse"
            message = f"Når et møde åbnes, bruger telefonerne {where}, port {app.port}."
            if only_this_computer(app.host):
                message = (
                    f"{app.host} er kun denne computer – telefonerne kan ikke nå den. "
                    "Vælg en LAN-adresse, før mødet åbnes."
                )
            # The address is data (never markup): "[" in it must not be read as a tag.
            self.notify(
                message,
                markup=False,
                severity="warning" if only_this_computer(app.host) else "information",
            )

        app.push_screen(
            AddressScreen(getattr(app, "host", None), getattr(app, "port", 8765)), chosen
        )

    def action_check(self) -> None:
        app = self.app
        app.push_screen(
            CheckScreen(db_url_of(app), getattr(app, "host", None), getattr(app, "port", 8765))
        )

    def on_resize(self, event: Any) -> None:
        self.query_one(KeyFooter).fit(event.size.width)
        if self.loaded:
            table = self.query_one("#meetings", DataTable)
            keep = self._selected_key()
            keys = self._draw(table)
            if keep in keys:
                table.move_cursor(row=keys.index(keep))

    def on_screen_resume(self) -> None:
        self.reload()
        self._find_automatic()  # the network may have changed meanwhile

    # ------------------------------------------------------------------ the data
    def reload(self, select: int | None = None, *, forloeb: int | None = None) -> None:
        """Read the forløb and meetings again (in a thread) and draw them; ``select`` a
        meeting's row, or ``forloeb`` a forløb's, once drawn."""
        if select is not None:
            self._want = f"m:{select}"
        elif forloeb is not None:
            self._want = f"f:{forloeb}"
        run_course(self, self.directory.forloeb_groups, self._fill, self._failed)

    def _failed(self, reason: str) -> None:
        empty = self.query_one("#start-empty", Static)
        empty.update(f"Forløb og møder kunne ikke hentes: {reason}")
        empty.display = True
        self.notify(reason, severity="error", timeout=8)

    def _fill(self, groups: list[dict[str, Any]]) -> None:
        table = self.query_one("#meetings", DataTable)
        keep = self._want or self._selected_key()
        self._want = None
        self.groups = groups
        keys = self._draw(table)
        self.loaded = True
        empty = self.query_one("#start-empty", Static)
        new_key = self._key("new_meeting")
        empty.update("" if keys else f"Ingen møder endnu – tryk {new_key} for at oprette et.")
        empty.display = not keys
        if keep in keys:
            table.move_cursor(row=keys.index(keep))
        elif keys:
            first_meeting = next((i for i, k in enumerate(keys) if k.startswith("m:")), 0)
            table.move_cursor(row=first_meeting)

    def _draw(self, table: DataTable) -> list[str]:
        """The forløb and their meetings in the columns the width has room for; the next
        step goes on over two lines rather than being cut. The rows' keys."""
        narrow = self.app.size.width < NARROW
        rows = Rows()
        keys: list[str] = []
        for group in self.groups:
            info = group["forloeb"]
            if info is not None:
                # The revision is on the forløb's own screen; at 80 columns the names
                # need the room more.
                revision = ""
                if info.revision_due and not narrow:
                    revision = f"Revision {date_text(info.revision_due)}"
                rows.add_row(
                    Text("▸ ", style="bold") + literal(forloeb_label(info), style="bold"),
                    next_step_text(info),
                    revision,
                    "",
                    Text(meetings_words(len(group["meetings"]))),
                    key=f"f:{info.id}",
                )
                keys.append(f"f:{info.id}")
            for meeting in group["meetings"]:
                rows.add_row(
                    Text("   ") + literal(meeting["title"]),
                    literal(meeting["phase"]),
                    created_text(meeting["created"], short=narrow),
                    meeting["code"],
                    literal(meeting["agenda"]),
                    key=f"m:{meeting['id']}",
                )
                keys.append(f"m:{meeting['id']}")
        shown = NARROW_COLUMNS if narrow else tuple(range(len(COLUMNS)))
        place = {column: index for index, column in enumerate(shown)}
        fill_table(
            table,
            [COLUMNS[i] for i in shown],
            [(key, [cells[i] for i in shown]) for key, cells in rows],
            room=table_room(self, outside=4),
            shrink=[place[i] for i in (0, 4) if i in place],
            wrap=(1,),
            floors={0: 16, 1: 24} | ({place[4]: 12} if 4 in place else {}),
        )
        return keys

    def meeting_ids(self) -> list[int]:
        """The meetings listed, in the order drawn."""
        return [m["id"] for group in self.groups for m in group["meetings"]]

    def _selected_key(self) -> str | None:
        table = self.query_one("#meetings", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _selected(self) -> int | None:
        """The meeting of the selected row (None on a forløb's row)."""
        key = self._selected_key()
        return int(key[2:]) if key and key.startswith("m:") else None

    def selected_forloeb(self) -> Any:
        """The ForloebInfo of the selected row (a forløb's, or a meeting's forløb)."""
        key = self._selected_key()
        if key is None:
            return None
        kind, number = key.split(":")
        for group in self.groups:
            info = group["forloeb"]
            if info is None:
                continue
            if kind == "f" and info.id == int(number):
                return info
            if kind == "m" and any(m["id"] == int(number) for m in group["meetings"]):
                return info
        return None

    # ------------------------------------------------------------------ keys
    def action_open(self) -> None:
        key = self._selected_key()
        if key is None:
            self.notify(
                f"Der er ingen møder endnu – tryk {self._key('new_meeting')} for at oprette et."
            )
            return
        if key.startswith("f:"):
            self.action_open_forloeb()
            return
        self.directory.open_meeting(int(key[2:]))

    @on(DataTable.RowSelected, "#meetings")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key.startswith("m:"):
            self.directory.open_meeting(int(key[2:]))
        elif key.startswith("f:"):
            self.action_open_forloeb()

    def action_open_forloeb(self) -> None:
        info = self.selected_forloeb()
        if info is None:
            self.notify(
                f"Vælg et forløb eller et møde i listen – {self._key('new_forloeb')}: nyt forløb."
            )
            return
        from screens.course.forloeb import ForloebScreen

        self.app.push_screen(ForloebScreen(self.directory.course, info.id, self.directory))

    def action_new(self) -> None:
        def created(meeting_id: int | None) -> None:
            if meeting_id is not None:
                self.reload(select=meeting_id)
                key = self._key("open_meeting")
                self.notify(f"Mødet er oprettet – tryk {key} for at åbne det.")

        choices = [
            (forloeb_label(g["forloeb"]), str(g["forloeb"].id))
            for g in self.groups
            if g["forloeb"] is not None
        ]
        chosen = self.selected_forloeb()
        self.app.push_screen(
            NewMeetingScreen(
                self.directory, choices, str(chosen.id) if chosen is not None else OWN_FORLOEB
            ),
            created,
        )

    def action_new_forloeb(self) -> None:
        course = self.directory.course

        def save(values: dict[str, Any]) -> int:
            if not values["workplace"].strip():
                raise SaveRefused("Arbejdspladsen skal udfyldes")
            return course.create_forloeb(
                values["workplace"],
                unit=values["unit"],
                tovholder=values["tovholder"],
                moedeleder=values["moedeleder"],
            )

        def created(forloeb_id: int | None) -> None:
            if forloeb_id is not None:
                self.reload(forloeb=forloeb_id)
                self.notify(
                    f"Forløbet er oprettet – {self._key('new_meeting')}: et møde i det, "
                    f"{self._key('open_forloeb')}: planen og oplysningerne."
                )

        self.app.push_screen(
            CourseFormScreen(
                "Nyt APV-forløb",
                [
                    FormField("workplace", "Arbejdsplads", placeholder="fx Børnehuset Ærø"),
                    FormField("unit", "Enhed", placeholder="(kan udelades)"),
                    FormField("tovholder", "Tovholder", placeholder="(kan udelades)"),
                    FormField("moedeleder", "Mødeleder", placeholder="(kan udelades)"),
                ],
                save,
                intro="Arbejdspladsen skal udfyldes; resten kan skrives senere.",
            ),
            created,
        )


class NewMeetingScreen(ModalScreen[int | None]):
    """Agenda, title, number of groups and participants. Errors are shown, not raised."""

    BINDINGS = [
        bind("save", "create", "Opret", priority=True),
        bind("enter_next", "enter", "Næste felt / opret", show=False, priority=True),
        bind("back", "cancel", "Fortryd"),
    ]

    def __init__(
        self,
        directory: MeetingDirectory,
        forloeb: list[tuple[str, str]] | None = None,
        chosen: str = OWN_FORLOEB,
    ) -> None:
        super().__init__()
        self.directory = directory
        self._agendas: dict[str, Any] = {}  # name → loaded Agenda (or None if broken)
        self._forloeb = forloeb or []  # (label, id as text) of the forløb to choose from
        self._chosen = chosen
        self.creating = False

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
                yield Label("Forløb", classes="field-label")
                options = [("Et nyt forløb for sig", OWN_FORLOEB)] + [
                    (literal(label), value) for label, value in self._forloeb
                ]
                values = [value for _label, value in options]
                yield Select(
                    options,
                    value=self._chosen if self._chosen in values else OWN_FORLOEB,
                    allow_blank=False,
                    compact=True,
                    id="new-forloeb",
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
        chosen = self.query_one("#new-forloeb", Select).value
        forloeb_id = int(chosen) if isinstance(chosen, str) and chosen.isdigit() else None
        if self.creating:
            return
        self.creating = True
        self.query_one("#new-message", Static).update("Opretter …")

        def create() -> int:
            return self.directory.create_meeting(
                agenda, title, groups or 0, participants or 0, forloeb_id
            )

        def created(meeting_id: int) -> None:
            self.creating = False
            self.dismiss(meeting_id)

        def failed(reason: str) -> None:
            self.creating = False
            self._error(reason)

        run_course(self, create, created, failed)

    def action_cancel(self) -> None:
        self.dismiss(None)
