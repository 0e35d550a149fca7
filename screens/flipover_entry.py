"""Flip-over entry, for the assistant at the laptop (the room may be watching).

Choose the group, type the heading and the proposals, save with one key (ctrl+s, or
Enter in the last field). "Gemt" is said only after the engine has committed the
flip-over. A refused save keeps everything that was typed. The list shows the meeting's
flip-overs; choosing one loads it for editing; ctrl+d deletes (after asking).

In a 2nd dialogmøde: in "vælg ét ønske" (``engine.wish_mode() == "pick"``) one key opens
the previous meeting's bruttoliste and takes the wish chosen as the heading, and the
flip-over records which wish it is (``wish_id``); in "gruppearbejde om handling"
(``"action"``) one key steps the focused proposal's level on (personalegruppen, lederen,
samarbejdspartnere/kunder, none), written beside it. A refused save puts back the wish and
the levels with the text.

Under 120 columns (the breakpoint class ``-width-narrow``) the list goes under the form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from facilitator.course.model import ProposalLine, Wish
from facilitator.engine import default_flipover_kind
from screens.base import COMMAND_ERRORS, EngineScreen, run_command
from screens.components import ClockLine, HeadBar, KeyFooter
from screens.components.bruttoliste_view import rank_words, status_words
from screens.components.flipover_form import (
    KIND_LABELS,
    FlipoverForm,
    GroupOptions,
)
from screens.dialogs import ConfirmScreen, GuardedDialog
from screens.keys import bind, key_text
from screens.words import literal, marks_words, sentence

if TYPE_CHECKING:
    from facilitator.engine import FlipoverRow, MeetingEngine, Snapshot

# Events after which the room's groups may have changed (their number or their names).
GROUP_EVENTS = frozenset(
    {"choice", "priority", "theme", "confidential", "flipover_edited", "flipover_deleted"}
)
MIN_PROPOSALS = 3


def wish_option(wish: Wish) -> Text:
    """A bruttoliste wish in the picker: rank, heading (as typed), marks, theme, status."""
    line = Text(f"{rank_words(wish):<8}", style="bold")
    line.append_text(literal(wish.heading, style="bold"))
    line.append(f"  ·  {marks_words(wish.marks)}")
    if wish.theme and wish.theme_marks != wish.marks:
        line.append(f" (tema {wish.theme_marks})")
    if wish.theme:
        line.append_text(literal(f"  ·  Tema: {wish.theme}"))
    line.append(f"  ·  {status_words(wish)}")
    return line


class WishPicker(GuardedDialog["int | None"]):
    """The previous meeting's bruttoliste as a list to pick the group's wish from (Enter);
    Escape picks none. Keys typed as it opens are dropped (GuardedDialog)."""

    BINDINGS = [bind("back", "cancel", "Fortryd", show=False)]

    def __init__(self, wishes: tuple[Wish, ...], title: str, current: int | None = None) -> None:
        super().__init__()
        self.wishes = wishes
        self.title_text = title
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            question = Text("Vælg gruppens ønske fra bruttolisten fra ", style="bold")
            question.append_text(literal(self.title_text, style="bold"))
            yield Static(question, classes="question")
            yield OptionList(
                *(Option(wish_option(w), id=str(w.id)) for w in self.wishes), id="wishes"
            )
            yield Label(self._hint(), id="picker-hint", classes="hint", markup=False)

    def _hint(self) -> str:
        back = key_text(self.app, "back")
        return f"↑↓: gå i listen · Enter: tag ønsket som overskrift · {back}: fortryd"

    def focus_answer(self) -> None:
        options = self.query_one("#wishes", OptionList)
        options.focus()
        ids = [w.id for w in self.wishes]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        elif ids:
            options.highlighted = 0

    def show_dropped(self) -> None:
        hint = self.query_one("#picker-hint", Label)
        hint.update(f"{self.DROPPED}\n{self._hint()}")
        hint.add_class("-dropped")

    @on(OptionList.OptionSelected, "#wishes")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0) or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FlipoverEntryScreen(EngineScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-width-narrow"), (120, "-width-wide")]

    BINDINGS = [
        bind("save", "save", "Gem", priority=True),
        bind("enter_next", "enter", "Næste felt / gem", show=False, priority=True),
        bind("clear_form", "clear", "Ny (ryd)", priority=True),
        bind("toggle_kind", "toggle_kind", "Ønske/styrke", priority=True),
        bind("delete", "delete", "Slet", priority=True),
        bind(
            "pick_wish",
            "pick_wish",
            "Ønske fra listen",
            priority=True,
            tooltip="Tag et ønske fra bruttolisten som overskrift",
        ),
        bind(
            "cycle_level",
            "cycle_level",
            "Niveau",
            priority=True,
            tooltip="Forslagets niveau: personalegruppen, lederen, samarbejdspartnere/kunder",
        ),
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
        self._keys_for: tuple[bool, bool] | None = None  # (pick, levels) the keys were made for

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
        self._show_wish_mode()
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
                self.form.set_wish(None)
            else:
                self._refresh_groups()
            self._show_wish_mode()
        elif snapshot is not None and snapshot.event.kind == "course":
            self._show_wish_mode()
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

    # ------------------------------------------------------------------ wish and levels
    def _can_pick(self) -> bool:
        """ "Vælg ét ønske" with a bruttoliste to pick from."""
        engine = self.engine
        brutto = engine.bruttoliste()
        return engine.wish_mode() == "pick" and brutto is not None and bool(brutto.wishes)

    def _levels_shown(self) -> bool:
        """Gruppearbejde om handling, or a flip-over being edited that has levels."""
        return self.engine.wish_mode() == "action" or any(self.form.levels())

    def _show_wish_mode(self) -> None:
        """The levels beside the proposals, the wish line, and the keys that go with them
        (footer and palette), as the phase is now."""
        self.form.show_levels(self._levels_shown())
        self._say_wish()
        keys = (self._can_pick(), self._levels_shown())
        if keys != self._keys_for:
            self._keys_for = keys
            self.refresh_bindings()

    def _wish_words(self, wish_id: int | None) -> Text | str:
        """Which wish the flip-over works on, as a line over the proposals."""
        if wish_id is None:
            if self._can_pick():
                key = key_text(self.app, "pick_wish", first=True)
                return f"{key}: tag gruppens ønske fra bruttolisten i stedet for at skrive det"
            return ""
        wish = self.engine.bruttoliste_wish(wish_id)
        if wish is not None:
            words = Text(f"Ønske fra bruttolisten: {rank_words(wish)} ")
            return words + literal(wish.heading)
        for chosen_id, title in self.engine.chosen_wishes():
            if chosen_id == wish_id:
                return Text("Arbejder med ønsket: ") + literal(title)
        return f"Arbejder med ønske nr. {wish_id}"

    def _say_wish(self, wish_id: int | None = None, *, keep: bool = True) -> None:
        wish_id = self.form.wish_id if keep else wish_id
        self.form.set_wish(wish_id, self._wish_words(wish_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_wish":
            return self._can_pick()
        if action == "cycle_level":
            return self._levels_shown()
        return True

    def action_pick_wish(self) -> None:
        """Open the bruttoliste; the wish picked becomes the heading (what was typed in
        the heading is replaced; the proposals stay)."""
        engine = self.engine
        brutto = engine.bruttoliste()
        if brutto is None or not brutto.wishes:
            reason = engine.bruttoliste_missing() or "Bruttolisten har ingen ønsker."
            self.notify(reason, severity="warning", timeout=6, markup=False)
            return

        def picked(wish_id: int | None) -> None:
            wish = engine.bruttoliste_wish(wish_id) if wish_id is not None else None
            if wish is None:
                self.form.heading.focus()
                return
            self.form.heading.value = wish.heading
            self._say_wish(wish.id, keep=False)
            self.form.say("")
            inputs = self.form.proposal_inputs()
            (inputs[0] if inputs else self.form.heading).focus()

        self.app.push_screen(WishPicker(brutto.wishes, brutto.title, self.form.wish_id), picked)

    def action_cycle_level(self) -> None:
        """Step the focused proposal's level on: personalegruppen, lederen,
        samarbejdspartnere/kunder, none."""
        focused = self.focused
        level = self.form.cycle_level(focused) if isinstance(focused, Input) else None
        if level is None:
            self.notify("Stil markøren i et forslag først – så får det forslag et niveau.")
            return
        self.form.show_levels(True)

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
        levels = form.levels()
        draft = (heading, proposals, form.group(), self.editing, self._kind, form.wish_id, levels)
        self._clear_form()
        form.say("Gemmer …")
        self.run_worker(self._save(*draft), group="engine", exit_on_error=False)

    async def _save(self, heading, proposals, group, editing, kind, wish_id, levels) -> None:  # noqa: ANN001
        form = self.form
        lines: list[str] | list[ProposalLine] = proposals
        if any(levels):
            lines = [
                ProposalLine(text, levels[i] if i < len(levels) else "")
                for i, text in enumerate(proposals)
            ]
        engine = self.engine
        try:
            if editing is None:
                row = await engine.add_flipover(group, heading, lines, kind=kind, wish_id=wish_id)
            else:
                row = await engine.edit_flipover(
                    editing, group, heading, lines, kind=kind, wish_id=wish_id
                )
        except COMMAND_ERRORS as exc:  # refused or not stored: keep every typed letter
            reason = sentence(str(exc))
            if form.is_empty() and self.editing is None:
                self.editing = editing
                self._set_kind(kind)
                form.ensure_slots(max(len(proposals), self._proposal_slots()))
                form.fill(heading, proposals, levels)
                form.set_group(group)
                self._say_wish(wish_id, keep=False)
                self._show_wish_mode()
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
        self._say_wish(None, keep=False)
        self._show_wish_mode()
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
        self.form.fill(draft["heading"], draft["proposals"], draft.get("levels", ()))
        group = self.query_one("#group", Select)
        if any(value == draft["group"] for _label, value in self._group_options()):
            group.value = draft["group"]
        self.editing = draft["editing"] if self._flip(draft["editing"] or -1) else None
        self._say_wish(draft.get("wish_id"), keep=False)
        self._show_wish_mode()
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
                "wish_id": self.form.wish_id,
                "levels": self.form.levels(),
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
        self.form.fill(flip.heading, flip.proposals, flip.levels)
        self._say_wish(flip.wish_id, keep=False)
        self._show_wish_mode()
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
