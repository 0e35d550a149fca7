"""Flip-over entry, for the assistant at the laptop (the room may be watching).

Choose the group, type the heading and the proposals, save with one key (ctrl+s, or
Enter in the last field). "Gemt" is said only after the engine has committed the
flip-over. A refused save keeps everything that was typed. The list shows the meeting's
flip-overs; choosing one loads it for editing; ctrl+d deletes (after asking).

Under 120 columns (the breakpoint class ``-width-narrow``) the list goes under the form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select

from facilitator.engine import default_flipover_kind
from screens.base import COMMAND_ERRORS, EngineScreen, run_command
from screens.components import ClockLine, HeadBar, KeyFooter
from screens.components.flipover_form import KIND_LABELS, FlipoverForm, GroupOptions
from screens.dialogs import ConfirmScreen
from screens.keys import bind, key_text
from screens.words import literal, sentence

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

# Events after which the room's groups may have changed (their number or their names).
GROUP_EVENTS = frozenset(
    {"choice", "priority", "theme", "confidential", "flipover_edited", "flipover_deleted"}
)
MIN_PROPOSALS = 3


class FlipoverEntryScreen(EngineScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-width-narrow"), (120, "-width-wide")]

    BINDINGS = [
        bind("save", "save", "Gem", priority=True),
        bind("enter_next", "enter", "Næste felt / gem", show=False, priority=True),
        bind("clear_form", "clear", "Ny (ryd)", priority=True),
        bind("toggle_kind", "toggle_kind", "Ønske/styrke", priority=True),
        bind("delete", "delete", "Slet", priority=True),
        bind("back", "back", "Tilbage"),
        # Priority bindings run in the order the keys arrive, before the next key is
        # delivered: a fast typist's Tab moves the focus before the next word is typed.
        bind("focus_next", "app.focus_next", "Næste felt", show=False, priority=True),
        bind("focus_previous", "app.focus_previous", "Forrige felt", show=False, priority=True),
    ]

    def __init__(self, engine: MeetingEngine, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.editing: int | None = None  # the flip-over being edited, or None for a new one
        self._kind = default_flipover_kind(engine.phase)
        self._phase_seen = engine.index

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        app = self.app
        save, enter, back = (key_text(app, i) for i in ("save", "enter_next", "back"))
        with HeadBar():
            yield Label("", id="entry-title", classes="title", markup=False)
            yield ClockLine("", id="entry-clock")
        with Horizontal(classes="entry-body"):
            yield FlipoverForm(
                self._group_options(),
                self._kind,
                self._proposal_slots(),
                f"Gem: {save} eller {enter} i sidste felt · {back}: tilbage",
                id="entry-form",
            )
            with Vertical(classes="entry-list"):
                yield Label("Mødets flip-overs (Enter: ret)", classes="title")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="flipovers")
        yield KeyFooter()

    @property
    def form(self) -> FlipoverForm:
        return self.query_one(FlipoverForm)

    def _proposal_slots(self) -> int:
        return max(self.engine.phase.max_proposals, MIN_PROPOSALS)

    def _grouping(self) -> str:
        return "interview" if self._kind == "strength" else self.engine.current_grouping()

    def _group_options(self) -> GroupOptions:
        """The room's groups now; after "brænder for" named by their wish
        ("Gruppe 2: Stabil bemanding"), the wish drawn as typed."""
        grouping = self._grouping()
        count = self.engine.group_count(grouping)
        names = self.engine.group_labels(grouping) or []
        options: GroupOptions = [
            (literal(f"Gruppe {n}: {names[n - 1]}") if n <= len(names) else f"Gruppe {n}", n)
            for n in range(1, count + 1)
        ]
        return options

    def on_mount(self) -> None:
        table = self.query_one("#flipovers", DataTable)
        table.add_columns("Gruppe", "Slags", "Overskrift", "Forslag")
        super().on_mount()
        self._show_mode()
        self.form.heading.focus()
        self._restore_draft()

    # ------------------------------------------------------------------ drawing
    def redraw(self, snapshot: Snapshot | None = None) -> None:
        engine = self.engine
        self.query_one("#entry-title", Label).update(
            f"Flip-overs · Fase {engine.index + 1}: {engine.phase.title}"
        )
        if engine.index != self._phase_seen:
            self._phase_seen = engine.index
            self.form.ensure_slots(self._proposal_slots())
            if self.editing is None and self.form.is_empty():
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
        self.query_one(ClockLine).show(self.engine, self.engine.now())

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
        self.form.show_mode(self.editing, key_text(self.app, "clear_form"))

    def _set_kind(self, kind: str) -> None:
        self._kind = kind
        self.form.set_kind(kind)
        self._refresh_groups()

    def _refresh_groups(self) -> None:
        """The group picker as the room's groups are now, keeping the group chosen."""
        group = self.form.group()
        options = self._group_options()
        if self.editing is not None:  # a flip-over from a group the room no longer has
            flip = self._flip(self.editing)
            if flip is not None and flip.group > len(options):
                options += [(f"Gruppe {n}", n) for n in range(len(options) + 1, flip.group + 1)]
        self.form.set_groups(options, min(group, len(options)))

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
        inputs = self.form.proposal_inputs()
        if inputs and focused is inputs[-1]:
            self.action_save()
        else:
            self.focus_next(Input)

    def action_save(self) -> None:
        """Save what was typed, keys still on their way included: the save waits for the
        keys the focused field has not taken in yet (a fast typist's last word)."""
        focused = self.focused
        if isinstance(focused, Input):
            focused.call_later(self._save_typed)
        else:
            self._save_typed()

    def _save_typed(self) -> None:
        """Take the typed flip-over out of the form and write it in a worker: the form is
        empty at once, so the next flip-over can be typed while this one is stored. A
        refused or failed save puts the text back (or, if the next one is already being
        typed, says what was not saved), so no word is lost."""
        form = self.form
        heading, proposals = form.text()
        if not heading.strip():
            reason = "Overskriften mangler – skriv den, før du gemmer."
            self.notify(reason, severity="error", timeout=6, markup=False)
            form.say(reason, error=True)
            form.heading.focus()
            return
        draft = (heading, proposals, form.group(), self.editing, self._kind)
        self._clear_form()
        form.say("Gemmer …")
        self.run_worker(self._save(*draft), group="engine", exit_on_error=False)

    async def _save(self, heading, proposals, group, editing, kind) -> None:  # noqa: ANN001
        form = self.form
        try:
            if editing is None:
                row = await self.engine.add_flipover(group, heading, proposals, kind=kind)
            else:
                row = await self.engine.edit_flipover(editing, group, heading, proposals, kind=kind)
        except COMMAND_ERRORS as exc:  # refused or not stored: keep every typed letter
            reason = sentence(str(exc))
            if form.is_empty() and self.editing is None:
                self.editing = editing
                self._set_kind(kind)
                form.ensure_slots(max(len(proposals), self._proposal_slots()))
                form.fill(heading, proposals)
                form.set_group(group)
                self._show_mode()
                self.notify(reason, severity="error", timeout=6, markup=False)
                form.say(reason, error=True)
            else:
                self.notify(
                    f"Ikke gemt: «{heading}» – {reason} Skriv den igen.",
                    severity="error",
                    timeout=15,
                    markup=False,
                )
            return
        # The engine has committed the flip-over: only now is it "Gemt".
        self.notify(f"Gemt: gruppe {row.group} – {row.heading}", timeout=3, markup=False)
        form.say(f"Gemt: gruppe {row.group} – {row.heading}")

    def _clear_form(self) -> None:
        self.editing = None
        self.form.fill("", [])
        self.form.ensure_slots(self._proposal_slots())
        self._set_kind(default_flipover_kind(self.engine.phase))
        self._show_mode()
        self.form.heading.focus()

    def action_clear(self) -> None:
        """Clear the form; typed text is only thrown away after a Ja."""
        if self.form.is_empty():
            self._clear_form()
            self.form.say("")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._clear_form()
                self.form.say("")

        self.app.push_screen(ConfirmScreen("Ryd formularen? Det skrevne gemmes ikke."), answer)

    def _restore_draft(self) -> None:
        """Text left unsaved when the screen was closed comes back as it was."""
        draft = getattr(self.app, "entry_draft", None)
        if not draft:
            return
        self.app.entry_draft = None
        self._set_kind(draft["kind"])
        self.form.ensure_slots(max(self._proposal_slots(), len(draft["proposals"])))
        self.form.fill(draft["heading"], draft["proposals"])
        group = self.query_one("#group", Select)
        if any(value == draft["group"] for _label, value in self._group_options()):
            group.value = draft["group"]
        self.editing = draft["editing"] if self._flip(draft["editing"] or -1) else None
        self._show_mode()
        self.form.say("Din kladde er hentet frem igen – den er ikke gemt endnu.")

    def action_toggle_kind(self) -> None:
        self._set_kind("wish" if self._kind == "strength" else "strength")

    def action_back(self) -> None:
        """Back to the projector. Unsaved text is kept as a draft, never thrown away."""
        if not self.form.is_empty():
            heading, proposals = self.form.text()
            self.app.entry_draft = {
                "heading": heading,
                "proposals": proposals,
                "group": self.form.group(),
                "kind": self._kind,
                "editing": self.editing,
            }
            key = key_text(self.app, "flipovers", first=True)
            self.notify(f"Ikke gemt endnu: kladden venter, når du trykker {key} igen.", timeout=5)
        else:
            self.app.entry_draft = None
        self.dismiss()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Keep the field being typed in on screen, also at 80×24."""
        self.form.follow_focus(event.widget)

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
        if flip.group > len(options):
            options = [(f"Gruppe {n}", n) for n in range(1, flip.group + 1)]
            self.form.set_groups(options, flip.group)
        else:
            self.query_one("#group", Select).value = flip.group
        self.form.ensure_slots(max(self._proposal_slots(), len(flip.proposals)))
        self.form.fill(flip.heading, flip.proposals)
        self._show_mode()
        self.form.say("")
        self.form.heading.focus()

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

            def deleted(_: object) -> None:
                self.notify(
                    f"Slettet: gruppe {flip.group} – {flip.heading}", timeout=3, markup=False
                )
                if self.editing == flip.id:
                    self._clear_form()

            run_command(self, lambda: self.engine.delete_flipover(flip.id), deleted)

        self.app.push_screen(
            ConfirmScreen(
                f"Slet flip-over »{flip.heading}« fra gruppe {flip.group}?", yes="Slet", no="Nej"
            ),
            answered,
        )
