"""The small screens over the others: a yes/no question, one line of text, a black screen.

A dialog opened while someone types must not take their letters as its answer (the
assistant typing "Stabil bemanding" pressed ctrl+n after "Stabil ": the question's "n"
answered it, and the rest went into the field). So every key but Escape is dropped until
the keyboard has been quiet for ``DIALOG_QUIET_S`` after the dialog opened; a key in that
moment starts the quiet moment over, and the dialog says the keys were not used. Escape
(the safe answer) and the mouse always work. Tests set the clock and the time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from screens.keys import bind, key_text

DIALOG_QUIET_S = 0.6
dialog_clock: Callable[[], float] = time.monotonic
DialogResult = TypeVar("DialogResult")


class GuardedDialog(ModalScreen[DialogResult]):
    """A modal dialog that ignores the keys of someone still typing as it opens.

    Subclasses focus their widget in ``focus_answer`` (called once the keyboard is quiet:
    a focused text field would take the letters itself)."""

    AUTO_FOCUS = ""  # nothing is focused until the keyboard is quiet
    DROPPED = "Du skrev videre – tasterne er ikke brugt."

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self._clock = clock
        self._quiet_from = 0.0
        self._answerable = False
        self.dropped_keys = 0

    def _now(self) -> float:
        return (self._clock or dialog_clock)()

    def on_mount(self) -> None:
        self._quiet_from = self._now()
        if not self._check_quiet():
            self.focus_early()
            self._quiet_timer = self.set_interval(0.05, self._check_quiet, name="quiet")

    @property
    def guarding(self) -> bool:
        """Whether keys are being dropped now (someone may still be typing)."""
        return not self._answerable

    def _check_quiet(self) -> bool:
        if self._answerable:
            return True
        if self._now() - self._quiet_from < DIALOG_QUIET_S:
            return False
        self._answerable = True
        timer = getattr(self, "_quiet_timer", None)
        if timer is not None:
            timer.stop()
        self.focus_answer()
        return True

    def focus_early(self) -> None:
        """What may have the focus while keys are dropped (nothing, by default)."""

    def focus_answer(self) -> None:
        """Give the focus to the dialog's answer (subclasses)."""

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" or self._check_quiet():
            return
        event.stop()
        event.prevent_default()
        self._quiet_from = self._now()  # still typing: the quiet moment starts over
        self.dropped_keys += 1
        if self.dropped_keys == 1:
            self.show_dropped()

    def show_dropped(self) -> None:
        """Say that the typed keys were not used (subclasses put it in their hint)."""


class ConfirmScreen(GuardedDialog[bool]):
    """A yes/no question. Escape (and n) means no; j/y means yes; Enter presses the
    focused button (Nej, at first). Keys typed as it opens are dropped (GuardedDialog)."""

    BINDINGS = [
        bind("no", "answer(False)", "Nej", show=False),
        bind("yes", "answer(True)", "Ja", show=False),
        bind("switch_button", "app.focus_next", "Skift", show=False),
    ]

    def __init__(
        self,
        question: str,
        yes: str = "Ja",
        no: str = "Nej",
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.question, id="confirm-question", classes="question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="error")
                yield Button(self.no, id="no", variant="primary")
            yield Static(self._hint(), id="confirm-hint", classes="hint", markup=False)

    def _hint(self) -> str:
        yes, no = key_text(self.app, "yes", first=True), key_text(self.app, "no")
        return f"Enter: den markerede knap · {yes}: {self.yes} · {no}: {self.no}"

    def focus_early(self) -> None:
        self.query_one("#no", Button).focus()  # shown, but Enter is dropped as well

    def focus_answer(self) -> None:
        if self.focused is None:
            self.query_one("#no", Button).focus()

    def show_dropped(self) -> None:
        hint = self.query_one("#confirm-hint", Static)
        hint.update(f"{self.DROPPED}\n{self._hint()}")
        hint.add_class("-dropped")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptScreen(GuardedDialog[str | None]):
    """Ask for one line of text (a theme's name). Enter answers, Escape cancels.
    The field takes letters only once the keyboard has been quiet (GuardedDialog)."""

    BINDINGS = [bind("back", "cancel", "Fortryd", show=False)]

    def __init__(
        self,
        question: str,
        value: str = "",
        placeholder: str = "",
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.question, classes="question", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label(self._hint(), id="prompt-hint", classes="hint", markup=False)

    def _hint(self) -> str:
        return f"Enter: gem · {key_text(self.app, 'back')}: fortryd"  # Enter: the field's own

    def focus_answer(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def show_dropped(self) -> None:
        hint = self.query_one("#prompt-hint", Label)
        hint.update(f"{self.DROPPED}\n{self._hint()}")
        hint.add_class("-dropped")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BlankScreen(Screen[None]):
    """A black screen (the mødeleder wants the room's attention); any key returns."""

    DISPLAY = "blank"  # the wall page goes black too

    def compose(self) -> ComposeResult:
        yield Static("")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.dismiss()
