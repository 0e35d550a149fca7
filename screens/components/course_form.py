"""A form over the course's screens: a few labelled fields, saved with one key.

The form saves through the course door in a worker (the door does database work) and
closes only once the save has gone through: a refused or failed save leaves every typed
letter in its field and says in Danish what happened. Escape asks first when something
was typed. Keys typed as it opens are dropped (screens.dialogs.GuardedDialog).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from screens.dialogs import ConfirmScreen, GuardedDialog
from screens.keys import bind, key_text
from screens.words import literal, sentence


@dataclass(frozen=True)
class FormField:
    """One field: ``kind`` "line" (one line), "lines" (one item a line) or "choice"."""

    name: str
    label: str
    value: str = ""
    kind: str = "line"
    choices: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value)
    placeholder: str = ""
    note: str = ""  # drawn beside the field, e.g. a flag


class SaveRefused(Exception):
    """Raised by a form's save function: the message is one Danish line for the user."""


class CourseFormScreen(GuardedDialog[Any]):
    """``save(values)`` runs in a thread; what it returns is the form's result."""

    BINDINGS = [
        bind("save", "save", "Gem", priority=True),
        bind("enter_next", "enter", "Næste felt / gem", show=False, priority=True),
        bind("back", "cancel", "Fortryd"),
        # Priority bindings run in the order the keys arrive, before the next key is
        # delivered: a fast typist's Tab moves the focus before the next word is typed.
        bind("focus_next", "app.focus_next", "Næste felt", show=False, priority=True),
        bind("focus_previous", "app.focus_previous", "Forrige felt", show=False, priority=True),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        save: Callable[[dict[str, Any]], Any],
        *,
        intro: str = "",
        classes: str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self._save_fn = save
        self.intro = intro
        self.saving = False
        if classes:
            self.add_class(*classes.split())

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        save, back = key_text(self.app, "save"), key_text(self.app, "back")
        with Vertical(classes="dialog-box course-form"):
            yield Static(literal(self.form_title), classes="title")
            if self.intro:
                yield Static(literal(self.intro), classes="intro")
            with VerticalScroll(classes="course-fields"):
                for spec in self.fields:
                    yield self._field(spec)
            yield Static("", id="form-message", classes="message", markup=False)
            lists = any(spec.kind == "lines" for spec in self.fields)
            yield Static(
                f"{save}: gem · Enter eller Tab: næste felt (Enter i sidste felt: gem)"
                + (
                    " · en liste: én pr. linje, Enter giver ny linje, Tab går videre"
                    if lists
                    else ""
                )
                + f" · {back}: fortryd",
                classes="hint",
                markup=False,
            )

    def _field(self, spec: FormField) -> Widget:
        widget: Widget
        if spec.kind == "choice":
            options = [(literal(label), value) for label, value in spec.choices]
            values = [value for _label, value in spec.choices]
            widget = Select(
                options,
                value=spec.value if spec.value in values else (values[0] if values else None),
                allow_blank=not values,
                compact=True,
                id=f"f-{spec.name}",
            )
        elif spec.kind == "lines":
            widget = TextArea(spec.value, id=f"f-{spec.name}", classes="lines")
        else:
            widget = Input(
                spec.value, placeholder=spec.placeholder, compact=True, id=f"f-{spec.name}"
            )
        children: list[Widget] = [Label(spec.label, classes="field-label", markup=False), widget]
        if spec.note:
            children.append(Static(literal(spec.note), classes="field-note"))
        return Horizontal(*children, classes="field")

    def on_mount(self) -> None:
        for area in self.query(TextArea):
            area.move_cursor(area.document.end)  # typing adds to what is there
        super().on_mount()

    def focus_answer(self) -> None:
        widgets = self._widgets()
        if widgets:
            widgets[0].focus()

    def on_descendant_focus(self, event: Any) -> None:
        """The field being typed in is plain to see (its label inverted), and a list's
        cursor goes to its end, after what is there."""
        widget = event.widget
        for row in self.query(".field"):
            row.set_class(widget in row.children, "-current")
        widget.scroll_visible()

    def _widgets(self) -> list[Widget]:
        return [self.query_one(f"#f-{spec.name}") for spec in self.fields]

    # ------------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        """Every field as typed: a line as text, lines as a list (empty lines left out),
        a choice as its value."""
        result: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, Select):
                result[spec.name] = widget.value if isinstance(widget.value, str) else ""
            elif isinstance(widget, TextArea):
                result[spec.name] = [ln.strip() for ln in widget.text.splitlines() if ln.strip()]
            else:
                assert isinstance(widget, Input)
                result[spec.name] = widget.value
        return result

    def changed(self) -> bool:
        for spec in self.fields:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, TextArea):
                now = widget.text
            elif isinstance(widget, Select):
                now = widget.value if isinstance(widget.value, str) else ""
                if spec.kind == "choice" and not spec.value:
                    continue  # a default choice is not typing
            else:
                now = widget.value  # type: ignore[attr-defined]
            if now != spec.value:
                return True
        return False

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#form-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ keys
    def action_enter(self) -> None:
        focused = self.focused
        if not isinstance(focused, Input):
            raise SkipAction()  # a TextArea's new line, a Select's list
        widgets = self._widgets()
        if focused is widgets[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            focused.call_later(self._save_typed)  # the keys the field has not taken in yet
        else:
            self._save_typed()

    def _save_typed(self) -> None:
        if self.saving:
            return
        values = self.values()
        self.saving = True
        self.say("Gemmer …")

        async def run() -> None:
            try:
                result = await asyncio.to_thread(self._save_fn, values)
            except Exception as exc:  # noqa: BLE001 - every failure keeps the text
                self.saving = False
                reason = failure_words(exc)
                if self.is_attached:
                    self.say(f"Ikke gemt: {reason} Det skrevne står her stadig.", error=True)
                self.app.notify(f"Ikke gemt: {reason}", severity="error", timeout=8)
                return
            self.saving = False
            if self.is_attached:
                self.dismiss(result)

        self.app.run_worker(run(), group="engine", exit_on_error=False)

    def action_cancel(self) -> None:
        if not self.changed():
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Luk uden at gemme? Det skrevne går tabt.", yes="Luk", no="Nej"),
            answered,
        )

    @on(Select.Changed)
    def _choice(self, event: Select.Changed) -> None:
        event.stop()


def failure_words(exc: BaseException) -> str:
    """A failure as one Danish sentence: the course's own message, else what broke."""
    from facilitator.course.service import CourseError
    from screens.base import COMMAND_ERRORS

    if isinstance(exc, (CourseError, SaveRefused, *COMMAND_ERRORS)):
        return sentence(str(exc)).rstrip(".") + "."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Det gik ikke ({detail})."
