"""The flip-over form: group, kind, heading and the proposals, with a line for what
happened ("Gemt: …", or why not) and the keys that save."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

KIND_LABELS = {"wish": "Ønske / drøm", "strength": "Styrke"}

GroupOptions = list[tuple[str | Text, int]]


def proposal_field(number: int) -> Horizontal:
    return Horizontal(
        Label(f"Forslag {number}", classes="field-label"),
        Input(placeholder=f"Forslag {number}", compact=True, classes="proposal"),
        classes="field proposal-field",
    )


class FlipoverForm(VerticalScroll):
    """The fields of one flip-over. The screen decides what they mean (a new flip-over or
    one being edited) and what the engine is told; this holds and shows the values."""

    DEFAULT_CSS = """
    FlipoverForm {
        width: 1fr;
        height: 1fr;
        padding: 1 2;
    }
    FlipoverForm > .mode {
        margin-bottom: 1;
    }
    FlipoverForm > .proposals, FlipoverForm > .message {
        height: auto;
    }
    FlipoverForm > .help {
        margin-top: 1;
    }
    """

    def __init__(
        self, groups: GroupOptions, kind: str, slots: int, help_text: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._groups = groups
        self._kind = kind
        self._slots = slots
        self._help = help_text

    def compose(self) -> ComposeResult:
        yield Label("", id="entry-mode", classes="mode", markup=False)
        with Horizontal(classes="field"):
            yield Label("Gruppe", classes="field-label")
            yield Select(self._groups, value=1, allow_blank=False, compact=True, id="group")
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
        with Vertical(classes="proposals"):
            for number in range(1, self._slots + 1):
                yield proposal_field(number)
        yield Static("", id="entry-message", classes="message", markup=False)
        yield Label(self._help, classes="help", markup=False)

    # ------------------------------------------------------------------ values
    @property
    def heading(self) -> Input:
        return self.query_one("#heading", Input)

    def proposal_inputs(self) -> list[Input]:
        return list(self.query("Input.proposal").results(Input))

    def text(self) -> tuple[str, list[str]]:
        """The heading and the proposals as typed."""
        return self.heading.value, [i.value for i in self.proposal_inputs()]

    def is_empty(self) -> bool:
        heading, proposals = self.text()
        return not heading.strip() and not any(p.strip() for p in proposals)

    def fill(self, heading: str, proposals: list[str] | tuple[str, ...]) -> None:
        self.heading.value = heading
        for index, field in enumerate(self.proposal_inputs()):
            field.value = proposals[index] if index < len(proposals) else ""

    def ensure_slots(self, count: int) -> None:
        """At least ``count`` proposal fields; empty ones beyond it are removed."""
        box = self.query_one(".proposals", Vertical)
        fields = list(box.query(".proposal-field"))
        while len(fields) > count:
            last = fields[-1]
            if last.query_one(Input).value.strip():
                break
            last.remove()
            fields.pop()
        for number in range(len(fields) + 1, count + 1):
            field = proposal_field(number)
            box.mount(field)
            fields.append(field)

    def group(self) -> int:
        value = self.query_one("#group", Select).value
        return value if isinstance(value, int) else 1

    def set_groups(self, options: GroupOptions, group: int) -> None:
        select = self.query_one("#group", Select)
        select.set_options(options)
        select.value = group

    def set_group(self, group: int) -> None:
        """Choose a group again (a draft put back), if the picker still offers it."""
        select = self.query_one("#group", Select)
        if any(value == group for _prompt, value in select._options):
            select.value = group

    def set_kind(self, kind: str) -> None:
        select = self.query_one("#kind", Select)
        if select.value != kind:
            select.value = kind

    # ------------------------------------------------------------------ what it says
    def show_mode(self, editing: int | None, new_key: str) -> None:
        label = self.query_one("#entry-mode", Label)
        if editing is None:
            label.update("Ny flip-over")
            label.remove_class("-editing")
        else:
            label.update(f"Retter flip-over nr. {editing} ({new_key}: ny i stedet)")
            label.add_class("-editing")

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#entry-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def follow_focus(self, widget: Widget) -> None:
        """Mark the field being typed in, and keep it on screen (also at 80×24)."""
        for field in self.query(".field"):
            field.set_class(widget.parent is field, "-current")
        if widget in self.query("*"):
            self.scroll_to_widget(widget, animate=False)
