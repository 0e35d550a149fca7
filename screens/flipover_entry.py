"""Flip-over entry, for the assistant at the laptop (the room may be watching).

Choose the group, type the heading and the proposals, save with one key (ctrl+s, or
Enter in the last field). "Gemt" is said only after the engine has committed the
flip-over. A refused save keeps everything that was typed. The list shows the meeting's
flip-overs; choosing one loads it for editing; ctrl+d deletes (after asking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from facilitator.engine import default_flipover_kind
from screens.widgets import (
    COMMAND_ERRORS,
    ClockLine,
    ConfirmScreen,
    EngineScreen,
    literal,
    run_command,
    sentence,
)

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

KIND_LABELS = {"wish": "Ønske / drøm", "strength": "Styrke"}
# Events after which the room's groups may have changed (their number or their names).
GROUP_EVENTS = frozenset(
    {"choice", "priority", "theme", "confidential", "flipover_edited", "flipover_deleted"}
)
MIN_PROPOSALS = 3


class FlipoverEntryScreen(EngineScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Gem", priority=True),
        Binding("enter", "enter", "Næste felt / gem", show=False, priority=True),
        Binding("ctrl+n", "clear", "Ny (ryd)", priority=True),
        Binding("ctrl+t", "toggle_kind", "Ønske/styrke", priority=True),
        Binding("ctrl+d", "delete", "Slet", priority=True),
        Binding("escape", "back", "Tilbage"),
        # Priority bindings run in the order the keys arrive, before the next key is
        # delivered: a fast typist's Tab moves the focus before the next word is typed.
        Binding("tab", "app.focus_next", "Næste felt", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Forrige felt", show=False, priority=True),
    ]

    def __init__(self, engine: MeetingEngine, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.editing: int | None = None  # the flip-over being edited, or None for a new one
        self._kind = default_flipover_kind(engine.phase)
        self._phase_seen = engine.index

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="entry-head"):
            yield Label("", id="entry-title", markup=False)
            yield ClockLine("", id="entry-clock")
        with Horizontal(id="entry-body"):
            with VerticalScroll(id="entry-form"):
                yield Label("", id="entry-mode")
                with Horizontal(classes="field"):
                    yield Label("Gruppe", classes="field-label")
                    yield Select(
                        self._group_options(),
                        value=1,
                        allow_blank=False,
                        compact=True,
                        id="group",
                    )
                with Horizontal(classes="field"):
                    yield Label("Slags", classes="field-label")
                    yield Select(
                        [(label, kind) for kind, label in KIND_LABELS.items()],
                        value=self._kind,
                        allow_blank=False,
                        compact=True,
                        id="kind",
                    )
                with Horizontal(classes="field"):
                    yield Label("Overskrift", classes="field-label")
                    yield Input(placeholder="Overskrift", compact=True, id="heading")
                with Vertical(id="proposals"):
                    for number in range(1, self._proposal_slots() + 1):
                        yield self._proposal_field(number)
                yield Static("", id="entry-message", markup=False)
                yield Label("Gem: ctrl+s eller Enter i sidste felt · Esc: tilbage", id="entry-help")
            with Vertical(id="entry-list"):
                yield Label("Mødets flip-overs (Enter: ret)", id="entry-list-title")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="flipovers")
        yield Footer()

    def _proposal_field(self, number: int) -> Horizontal:
        return Horizontal(
            Label(f"Forslag {number}", classes="field-label"),
            Input(placeholder=f"Forslag {number}", compact=True, classes="proposal"),
            classes="field proposal-field",
        )

    def _proposal_slots(self) -> int:
        return max(self.engine.phase.max_proposals, MIN_PROPOSALS)

    def _grouping(self) -> str:
        return "interview" if self._kind == "strength" else self.engine.current_grouping()

    def _group_options(self) -> list[tuple[str | Text, int]]:
        """The room's groups now; after "brænder for" named by their wish
        ("Gruppe 2: Stabil bemanding"), the wish drawn as typed."""
        grouping = self._grouping()
        count = self.engine.group_count(grouping)
        names = self.engine.group_labels(grouping) or []
        return [
            (literal(f"Gruppe {n}: {names[n - 1]}") if n <= len(names) else f"Gruppe {n}", n)
            for n in range(1, count + 1)
        ]

    def on_mount(self) -> None:
        table = self.query_one("#flipovers", DataTable)
        table.add_columns("Gruppe", "Slags", "Overskrift", "Forslag")
        super().on_mount()
        self._show_mode()
        self.query_one("#heading", Input).focus()
        self._fit(self.app.size.width)
        self._restore_draft()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        self.set_class(width < 120, "-narrow")

    # ------------------------------------------------------------------ drawing
    def redraw(self, snapshot: Snapshot | None = None) -> None:
        engine = self.engine
        self.query_one("#entry-title", Label).update(
            f"Flip-overs · Fase {engine.index + 1}: {engine.phase.title}"
        )
        if engine.index != self._phase_seen:
            self._phase_seen = engine.index
            self._ensure_slots(self._proposal_slots())
            if self.editing is None and self._form_empty():
                self._set_kind(default_flipover_kind(engine.phase))
            else:
                self._refresh_groups()
        elif snapshot is not None and snapshot.event.kind in GROUP_EVENTS:
            self._refresh_groups()
        if (
            snapshot is None
            or snapshot.event.kind.startswith("flipover")
            or (snapshot.event.kind == "phase")
        ):
            self._fill_table()
        self.tick()

    def tick(self) -> None:
        self.query_one("#entry-clock", ClockLine).show(self.engine, self.engine.now())

    def _fill_table(self) -> None:
        table = self.query_one("#flipovers", DataTable)
        keep = table.cursor_row
        table.clear()
        for flip in self.engine.flipovers():
            group = f"{flip.group}" + (" (interview)" if flip.grouping == "interview" else "")
            table.add_row(
                group,
                KIND_LABELS.get(flip.kind, flip.kind),
                literal(flip.heading),
                str(len(flip.proposals)),
                key=str(flip.id),
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def _show_mode(self) -> None:
        label = self.query_one("#entry-mode", Label)
        if self.editing is None:
            label.update("Ny flip-over")
            label.remove_class("-editing")
        else:
            label.update(f"Retter flip-over nr. {self.editing} (ctrl+n: ny i stedet)")
            label.add_class("-editing")

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#entry-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ form values
    def _proposal_inputs(self) -> list[Input]:
        return list(self.query("Input.proposal").results(Input))

    def _form_empty(self) -> bool:
        return not self.query_one("#heading", Input).value.strip() and not any(
            i.value.strip() for i in self._proposal_inputs()
        )

    def _ensure_slots(self, count: int) -> None:
        """At least ``count`` proposal fields; empty ones beyond it are removed."""
        box = self.query_one("#proposals", Vertical)
        fields = list(box.query(".proposal-field"))
        while len(fields) > count:
            last = fields[-1]
            if last.query_one(Input).value.strip():
                break
            last.remove()
            fields.pop()
        for number in range(len(fields) + 1, count + 1):
            field = self._proposal_field(number)
            box.mount(field)
            fields.append(field)

    def _group(self) -> int:
        value = self.query_one("#group", Select).value
        return value if isinstance(value, int) else 1

    def _set_kind(self, kind: str) -> None:
        self._kind = kind
        select = self.query_one("#kind", Select)
        if select.value != kind:
            select.value = kind
        self._refresh_groups()

    def _refresh_groups(self) -> None:
        """The group picker as the room's groups are now, keeping the group chosen."""
        group_select = self.query_one("#group", Select)
        group = self._group()
        options = self._group_options()
        if self.editing is not None:  # a flip-over from a group the room no longer has
            flip = self._flip(self.editing)
            if flip is not None and flip.group > len(options):
                options += [(f"Gruppe {n}", n) for n in range(len(options) + 1, flip.group + 1)]
        group_select.set_options(options)
        group_select.value = min(group, len(options))

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._kind:
            self._set_kind(event.value)

    # ------------------------------------------------------------------ keys
    def action_enter(self) -> None:
        """Enter in a field moves to the next one; in the last proposal it saves.

        A binding (not Input.Submitted) so the focus moves before the next key is read:
        a fast typist's next word lands in the next field, not at the end of this one.
        """
        focused = self.focused
        if not isinstance(focused, Input):
            raise SkipAction()  # the list's Enter (edit) and the Select's Enter (open)
        inputs = self._proposal_inputs()
        if inputs and focused is inputs[-1]:
            self.action_save()
        else:
            self.focus_next(Input)

    def action_save(self) -> None:
        heading = self.query_one("#heading", Input)
        proposals = [i.value for i in self._proposal_inputs()]
        group = self._group()
        if self.editing is None:

            def command():
                return self.engine.add_flipover(group, heading.value, proposals, kind=self._kind)

        else:
            editing = self.editing

            def command():
                return self.engine.edit_flipover(
                    editing, group, heading.value, proposals, kind=self._kind
                )

        try:
            row = command()
        except COMMAND_ERRORS as exc:  # refused or not stored: keep every typed letter
            reason = sentence(str(exc))
            self.notify(reason, severity="error", timeout=6, markup=False)
            self._message(reason, error=True)
            if not heading.value.strip():
                heading.focus()
            return
        # The engine has committed the flip-over: only now is it "Gemt".
        self.notify(f"Gemt: gruppe {row.group} – {row.heading}", timeout=3, markup=False)
        self._message(f"Gemt: gruppe {row.group} – {row.heading}")
        self._clear_form()

    def _clear_form(self) -> None:
        self.editing = None
        heading = self.query_one("#heading", Input)
        heading.value = ""
        for proposal in self._proposal_inputs():
            proposal.value = ""
        self._ensure_slots(self._proposal_slots())
        self._set_kind(default_flipover_kind(self.engine.phase))
        self._show_mode()
        heading.focus()

    def _form_text(self) -> tuple[str, list[str]]:
        heading = self.query_one("#heading", Input).value
        return heading, [i.value for i in self._proposal_inputs()]

    def _has_text(self) -> bool:
        heading, proposals = self._form_text()
        return bool(heading.strip() or any(p.strip() for p in proposals))

    def action_clear(self) -> None:
        """Clear the form; typed text is only thrown away after a Ja."""
        if not self._has_text():
            self._clear_form()
            self._message("")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._clear_form()
                self._message("")

        self.app.push_screen(ConfirmScreen("Ryd formularen? Det skrevne gemmes ikke."), answer)

    def _restore_draft(self) -> None:
        """Text left unsaved when the screen was closed comes back as it was."""
        draft = getattr(self.app, "entry_draft", None)
        if not draft:
            return
        self.app.entry_draft = None
        self._set_kind(draft["kind"])
        self._ensure_slots(max(self._proposal_slots(), len(draft["proposals"])))
        self.query_one("#heading", Input).value = draft["heading"]
        for field, text in zip(self._proposal_inputs(), draft["proposals"], strict=False):
            field.value = text
        group = self.query_one("#group", Select)
        if any(value == draft["group"] for _label, value in self._group_options()):
            group.value = draft["group"]
        self.editing = draft["editing"] if self._flip(draft["editing"] or -1) else None
        self._show_mode()
        self._message("Din kladde er hentet frem igen – den er ikke gemt endnu.")

    def action_toggle_kind(self) -> None:
        self._set_kind("wish" if self._kind == "strength" else "strength")

    def action_back(self) -> None:
        """Back to the projector. Unsaved text is kept as a draft, never thrown away."""
        if self._has_text():
            heading, proposals = self._form_text()
            self.app.entry_draft = {
                "heading": heading,
                "proposals": proposals,
                "group": self._group(),
                "kind": self._kind,
                "editing": self.editing,
            }
            self.notify("Ikke gemt endnu: kladden venter, når du trykker f igen.", timeout=5)
        else:
            self.app.entry_draft = None
        self.dismiss()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Keep the field being typed in on screen, also at 80×24."""
        widget = event.widget
        form = self.query_one("#entry-form")
        for field in self.query(".field"):
            field.set_class(widget.parent is field, "-current")
        if widget in form.query("*"):
            form.scroll_to_widget(widget, animate=False)

    @on(DataTable.RowSelected, "#flipovers")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        flip = self._flip(int(event.row_key.value))
        if flip is not None:
            self._load(flip)

    def _flip(self, flip_id: int) -> FlipoverRow | None:
        for flip in self.engine.flipovers():
            if flip.id == flip_id:
                return flip
        return None

    def _load(self, flip: FlipoverRow) -> None:
        self.editing = flip.id
        self._set_kind(flip.kind)
        options = self._group_options()
        group_select = self.query_one("#group", Select)
        if flip.group > len(options):
            options = [(f"Gruppe {n}", n) for n in range(1, flip.group + 1)]
            group_select.set_options(options)
        group_select.value = flip.group
        self.query_one("#heading", Input).value = flip.heading
        self._ensure_slots(max(self._proposal_slots(), len(flip.proposals)))
        inputs = self._proposal_inputs()
        for index, proposal in enumerate(inputs):
            proposal.value = flip.proposals[index] if index < len(flip.proposals) else ""
        self._show_mode()
        self._message("")
        self.query_one("#heading", Input).focus()

    def action_delete(self) -> None:
        target = self.editing
        table = self.query_one("#flipovers", DataTable)
        if target is None and table.has_focus and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            target = int(key.value)
        flip = self._flip(target) if target is not None else None
        if flip is None:
            self.notify("Vælg først en flip-over i listen (Enter), så den kan slettes.")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if run_command(self, lambda: self.engine.delete_flipover(flip.id) or True):
                self.notify(
                    f"Slettet: gruppe {flip.group} – {flip.heading}", timeout=3, markup=False
                )
                if self.editing == flip.id:
                    self._clear_form()

        self.app.push_screen(
            ConfirmScreen(
                f"Slet flip-over »{flip.heading}« fra gruppe {flip.group}?", yes="Slet", no="Nej"
            ),
            answered,
        )
