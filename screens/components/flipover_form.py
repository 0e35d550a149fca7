"""The flip-over form: group, kind, heading and the proposals, with a line for what
happened ("Gemt: …", or why not) and the keys that save.

In a 2nd dialogmøde the form also holds the wish the flip-over works on (taken from the
bruttoliste in "vælg ét ønske": a line says which) and, in "gruppearbejde om handling",
each proposal's level (personalegruppen, lederen, samarbejdspartnere/kunder), written as
words beside the proposal, never shown by colour alone."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from facilitator.course.model import LEVELS

KIND_LABELS = {"wish": "Ønske / drøm", "strength": "Styrke"}
LEVEL_ORDER = ("", *LEVELS)  # the order a key steps through a proposal's level
NO_LEVEL = "–"  # no level (yet)

GroupOptions = list[tuple[str | Text, int]]


def level_words(level: str) -> str:
    return LEVELS.get(level, "") or NO_LEVEL


def next_level(level: str) -> str:
    """The level after ``level`` in ``LEVEL_ORDER`` (after the last: none again)."""
    index = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0
    return LEVEL_ORDER[(index + 1) % len(LEVEL_ORDER)]


class LevelLabel(Label):
    """A proposal's level, in words ("Lederen"), beside its field."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(NO_LEVEL, markup=False, classes="level -none", **kwargs)
        self.level = ""

    def set_level(self, level: str) -> None:
        self.level = level if level in LEVELS else ""
        self.update(level_words(self.level))
        self.set_class(not self.level, "-none")


def proposal_field(number: int) -> Horizontal:
    return Horizontal(
        Label(f"Forslag {number}", classes="field-label"),
        Input(placeholder=f"Forslag {number}", compact=True, classes="proposal"),
        LevelLabel(),
        classes="field proposal-field",
    )


Lines = list[str] | tuple[str, ...]


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
    FlipoverForm > .wish-source {
        height: auto;
    }
    FlipoverForm .level {
        display: none;
    }
    FlipoverForm.-levels .level {
        display: block;
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
        self.wish_id: int | None = None  # the wish the flip-over works on, if taken

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
        source = Static("", id="wish-source", classes="wish-source", markup=False)
        source.display = False
        yield source
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

    def level_labels(self) -> list[LevelLabel]:
        return list(self.query(LevelLabel).results(LevelLabel))

    def levels(self) -> list[str]:
        """Each proposal field's level ("" for none), parallel to ``text()``'s proposals."""
        return [label.level for label in self.level_labels()]

    def is_empty(self) -> bool:
        heading, proposals = self.text()
        return not heading.strip() and not any(p.strip() for p in proposals)

    def fill(self, heading: str, proposals: Lines, levels: Lines = ()) -> None:
        self.heading.value = heading
        for index, field in enumerate(self.proposal_inputs()):
            field.value = proposals[index] if index < len(proposals) else ""
        for index, label in enumerate(self.level_labels()):
            label.set_level(levels[index] if index < len(levels) else "")

    def cycle_level(self, field: Input) -> str | None:
        """Step the level of the proposal ``field`` on; its new level, or None when
        ``field`` is not a proposal."""
        parent = field.parent
        if parent is None or not parent.has_class("proposal-field"):
            return None
        label = parent.query_one(LevelLabel)
        label.set_level(next_level(label.level))
        return label.level

    def show_levels(self, shown: bool) -> None:
        """Show each proposal's level (gruppearbejde om handling, or a flip-over that has
        levels); hidden levels are kept, not dropped."""
        self.set_class(shown, "-levels")

    def set_wish(self, wish_id: int | None, words: str | Text = "") -> None:
        """The wish the flip-over works on, and the line that says which (or, with no
        wish, how to take one); typed text comes as a ``Text``, never markup."""
        self.wish_id = wish_id
        source = self.query_one("#wish-source", Static)
        source.update(words)
        source.display = bool(words)

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
            field = proposal_field(number)  # its level is none
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
