"""The vurdering: the arbejdsmiljøgruppe gives each wish of a meeting's bruttoliste a
status and a begrundelse (seed 000 §1: be ready to argue why something cannot be done).

The wishes are ranked by marks. On the list, one key per status saves it at once (særskilt
spor asks first: the wish leaves the open list) and puts the cursor in the begrundelse;
Enter there (or the save key) saves the begrundelse. What was typed is never lost: a
begrundelse not yet saved stays with its wish while the cursor moves, and a save that
fails leaves the text in the field and says why.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from facilitator.course.model import ASSESSMENT_STATUSES
from screens.components import HeadBar, KeyFooter
from screens.course.common import (
    NARROW,
    CourseScreen,
    Rows,
    assessment_text,
    cut,
    fill_table,
    table_room,
)
from screens.dialogs import ConfirmScreen
from screens.keys import bind, key_text
from screens.words import literal

COLUMNS = ("Nr.", "Mark.", "Ønske", "Tema", "Vurdering", "Begrundelse")
REASON = 5  # the begrundelse's column
# Under NARROW columns the theme is left to the detail under the table.
NARROW_COLUMNS = (0, 1, 2, 4, 5)
STATUS_KEYS = {
    "work_on": "assess_work_on",
    "in_progress": "assess_in_progress",
    "cannot_now": "assess_cannot_now",
    "separate_track": "assess_separate",
}


class VurderingScreen(CourseScreen):
    BINDINGS = [
        bind("assess_work_on", "status('work_on')", "Arbejdes videre med"),
        bind("assess_in_progress", "status('in_progress')", "Allerede i gang"),
        bind("assess_cannot_now", "status('cannot_now')", "Kan ikke ændres nu"),
        bind("assess_separate", "status('separate_track')", "Særskilt spor"),
        bind("save", "save_reason", "Gem begrundelse", priority=True),
        bind("back", "back", "Tilbage"),
    ]

    def __init__(self, course: Any, meeting_id: int, **kwargs: Any) -> None:
        super().__init__(course, **kwargs)
        self.meeting_id = meeting_id
        self.liste: Any = None
        self.wishes: dict[int, Any] = {}
        self.drafts: dict[int, str] = {}  # begrundelser typed and not yet saved, by wish
        self.field_wish: int | None = None  # the wish whose begrundelse is in the field
        self._filling = False
        self._reason_column: Any = None  # the begrundelse's column key

    def compose(self) -> ComposeResult:
        with HeadBar():
            yield Label("Vurdering", id="vurdering-title", classes="title", markup=False)
        with Vertical(classes="course-body"):
            keys = " · ".join(
                f"{key_text(self.app, binding, first=True)} {ASSESSMENT_STATUSES[status]}"
                for status, binding in STATUS_KEYS.items()
            )
            yield Static(
                f"Vælg et ønske og giv det en status: {keys}. Skriv så begrundelsen, "
                f"og tryk Enter ({key_text(self.app, 'back')}: tilbage til listen).",
                classes="help",
                markup=False,
            )
            yield DataTable(cursor_type="row", zebra_stripes=True, id="wishes")
            yield Static("", id="wish-detail", classes="detail")
            with Horizontal(classes="field reason-field"):
                yield Label("Begrundelse", classes="field-label")
                yield Input(
                    placeholder="Hvorfor? (fx Kræver budget – tages op i 2027)",
                    compact=True,
                    id="reason",
                )
            yield Static("", id="vurdering-message", classes="message", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#wishes", DataTable)
        fill_table(table, COLUMNS, [])
        super().on_mount()
        table.focus()

    # ------------------------------------------------------------------ drawing
    def reload(self, then: Any = None) -> None:
        def shown(liste: Any) -> None:
            self._show(liste)
            if then is not None:
                then()

        self.call(lambda: self.course.bruttoliste(self.meeting_id), shown)

    def _show(self, liste: Any) -> None:
        self.liste = liste
        self.wishes = {wish.id: wish for wish in liste.wishes}
        self._stash_field()  # what is typed now, against what is stored now
        self.query_one("#vurdering-title", Label).update(
            literal(
                f"Vurdering · {liste.title}" + (f" · {liste.workplace}" if liste.workplace else "")
            )
        )
        table = self.query_one("#wishes", DataTable)
        keep = self.selected()
        row_before = table.cursor_row
        self._filling = True
        try:
            self._fill(table)
            ids = [wish.id for wish in liste.wishes]
            if keep in ids:
                table.move_cursor(row=ids.index(keep))
            elif ids:  # the wish left the list (særskilt spor): the one after it
                table.move_cursor(row=min(row_before, len(ids) - 1))
        finally:
            self._filling = False
        if not liste.wishes:
            self.query_one("#wish-detail", Static).update(
                "Mødet har ingen åbne ønsker på bruttolisten endnu."
            )
        self._load_field(self.selected())

    def _fill(self, table: DataTable) -> None:
        """The wishes in the columns the width has room for; the begrundelse takes the
        room that is left."""
        rows = Rows()
        for wish in self.liste.wishes:
            rank = f"delt {wish.rank}." if wish.tied else f"{wish.rank}."
            rows.add_row(
                rank,
                str(wish.theme_marks if wish.theme else wish.marks),
                literal(wish.heading),
                literal(wish.theme),
                assessment_text(wish.status),
                self._reason_text(wish.id),
                key=str(wish.id),
            )
        shown = NARROW_COLUMNS if self.app.size.width < NARROW else tuple(range(len(COLUMNS)))
        place = {column: index for index, column in enumerate(shown)}
        keys = fill_table(
            table,
            [COLUMNS[i] for i in shown],
            [(key, [cells[i] for i in shown]) for key, cells in rows],
            room=table_room(self),
            shrink=[place[i] for i in (2, 3, REASON) if i in place],
            floors={place[i]: 16 for i in (2, REASON)} | ({place[3]: 10} if 3 in place else {}),
            min_widths={place[REASON]: 16},
            rest=place[REASON],
        )
        self._reason_column = keys[place[REASON]]

    def on_resize(self, event: Any) -> None:
        super().on_resize(event)
        if self.liste is not None:
            self._stash_field()
            table = self.query_one("#wishes", DataTable)
            keep = self.selected()
            self._filling = True
            try:
                self._fill(table)
                ids = [wish.id for wish in self.liste.wishes]
                if keep in ids:
                    table.move_cursor(row=ids.index(keep))
            finally:
                self._filling = False

    def _reason_text(self, wish_id: int) -> Text:
        """The begrundelse as the list shows it; one not yet saved says so."""
        if wish_id in self.drafts:
            # First, so a long draft cut to its column still says it is not saved.
            return Text("(ikke gemt) ", style="bold") + literal(self.drafts[wish_id])
        return literal(self.wishes[wish_id].reason)

    def _reason_cell(self, wish_id: int) -> Text:
        """The begrundelse cut to its column ("…" when it goes on)."""
        text = self._reason_text(wish_id)
        table = self.query_one("#wishes", DataTable)
        column = table.columns.get(self._reason_column)
        width = column.width if column is not None else 16
        return cut(text, width) if text.cell_len > width else text

    def selected(self) -> int | None:
        table = self.query_one("#wishes", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _stash_field(self) -> None:
        """Keep what is in the field with its wish (a draft unless it is what is saved)."""
        wish_id = self.field_wish
        if wish_id is None or wish_id not in self.wishes:
            return
        typed = self.query_one("#reason", Input).value
        was = self.drafts.get(wish_id)
        if typed != self.wishes[wish_id].reason:
            self.drafts[wish_id] = typed
        else:
            self.drafts.pop(wish_id, None)
        if self.drafts.get(wish_id) != was:
            table = self.query_one("#wishes", DataTable)
            if str(wish_id) in table.rows:
                table.update_cell(str(wish_id), self._reason_column, self._reason_cell(wish_id))

    def _load_field(self, wish_id: int | None) -> None:
        field = self.query_one("#reason", Input)
        self.field_wish = wish_id
        wish = self.wishes.get(wish_id) if wish_id is not None else None
        if wish is None:
            field.value = ""
            return
        field.value = self.drafts.get(wish.id, wish.reason)
        detail = Text()
        detail.append(literal(wish.heading, style="bold"))
        if wish.proposals:
            detail.append("\n")
            detail.append(literal(" · ".join(p.text for p in wish.proposals)))
        marks = "1 markering" if wish.marks == 1 else f"{wish.marks} markeringer"
        words = f"\nGruppe {wish.group} · {marks}"
        if wish.theme:
            words += f" · tema «{wish.theme}» ({wish.theme_marks} i alt)"
        if wish.priority:
            words += f" · prioriteret nr. {wish.priority}"
        detail.append(words + f" · {assessment_text(wish.status)}")
        self.query_one("#wish-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#wishes")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._filling:
            return
        new = int(event.row_key.value)
        if new != self.field_wish:
            self._stash_field()
            self._load_field(new)

    @on(DataTable.RowSelected, "#wishes")
    def _row_selected(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save_reason()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#vurdering-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ saving
    def _save(self, wish_id: int, status: str, reason: str, done: Any = None) -> None:
        wish = self.wishes[wish_id]

        def saved(_: object) -> None:
            if self.drafts.get(wish_id) == reason:
                self.drafts.pop(wish_id, None)
            gone = status == "separate_track"
            if gone:
                self.say(f"«{wish.heading}» er flyttet til særskilt spor (fortroligt).")
            else:
                self.say(f"Gemt: «{wish.heading}» – {assessment_text(status)}.")
            self.reload(done)

        def failed(reason_text: str) -> None:
            # The typed begrundelse stays, and the field shows it again with its wish.
            if self.field_wish != wish_id and wish_id in self.wishes:
                if reason != self.wishes[wish_id].reason:
                    self.drafts.setdefault(wish_id, reason)
                self._go_to(wish_id)
            self.query_one("#reason", Input).focus()
            message = f"Ikke gemt: {reason_text} Begrundelsen står her stadig."
            self.say(message, error=True)
            self.notify(f"Ikke gemt: {reason_text}", severity="error", timeout=8)

        self.say("Gemmer …")
        self.call(lambda: self.course.assess(wish_id, status, reason), saved, failed)

    def _go_to(self, wish_id: int) -> None:
        """Select the wish and put its begrundelse (a draft, or what is saved) in the field."""
        self._stash_field()
        table = self.query_one("#wishes", DataTable)
        ids = [wish.id for wish in self.liste.wishes] if self.liste is not None else []
        if wish_id in ids:
            table.move_cursor(row=ids.index(wish_id))
        self._load_field(wish_id)

    def _typed_reason(self, wish_id: int) -> str:
        if self.field_wish == wish_id:
            return self.query_one("#reason", Input).value
        return self.drafts.get(wish_id, self.wishes[wish_id].reason)

    def action_status(self, status: str) -> None:
        wish_id = self.selected()
        if wish_id is None or wish_id not in self.wishes:
            self.notify("Der er ingen ønsker at vurdere.")
            return
        wish = self.wishes[wish_id]
        reason = self._typed_reason(wish_id)
        field = self.query_one("#reason", Input)
        if status != "separate_track":
            self._save(wish_id, status, reason)
            field.focus()  # at once: what is typed next is the begrundelse
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(wish_id, status, reason)

        self.app.push_screen(
            ConfirmScreen(
                f"Flyt «{wish.heading}» til særskilt spor? Det forsvinder fra bruttolisten, "
                "projektoren og telefonerne og følges op fortroligt for sig.",
                yes="Flyt",
                no="Nej",
            ),
            answered,
        )

    def action_save_reason(self) -> None:
        field = self.query_one("#reason", Input)
        field.call_later(self._save_reason_now)

    def _save_reason_now(self) -> None:
        wish_id = self.field_wish
        if wish_id is None or wish_id not in self.wishes:
            return
        reason = self.query_one("#reason", Input).value
        self._stash_field()  # a draft until the save has gone through
        # At once, not after the save: the next keys are for the list and the next wish.
        table = self.query_one("#wishes", DataTable)
        table.focus()
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self._save(wish_id, self.wishes[wish_id].status, reason)

    def action_back(self) -> None:
        field = self.query_one("#reason", Input)
        if field.has_focus:
            self._stash_field()
            self.query_one("#wishes", DataTable).focus()
            return
        self._stash_field()
        if not self.drafts:
            self.dismiss()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss()

        count = len(self.drafts)
        what = "1 begrundelse" if count == 1 else f"{count} begrundelser"
        self.app.push_screen(
            ConfirmScreen(
                f"{what} er ikke gemt. Gå tilbage alligevel? Så går det skrevne tabt.",
                yes="Gå tilbage",
                no="Bliv",
            ),
            answered,
        )
