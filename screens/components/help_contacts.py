"""'Her kan du få hjælp': the forløb's help contacts on the projector, for a phase that
sets ``help_contacts = true`` (seed 004: where to turn about vold, trusler, mobning and
chikane). The contacts are typed by people: drawn as literal ``Text``, never markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

from screens.words import literal

HEADING = "Her kan du få hjælp"
NONE_YET = "Forløbet har endnu ingen hjælpekontakter – skriv dem ind under forløbet."


def contacts_text(contacts: Sequence[str]) -> Text:
    """The heading and one line per contact (or the sentence that none are written)."""
    text = Text(HEADING, style="bold")
    lines = [line for line in contacts if line.strip()]
    if not lines:
        text.append("\n")
        text.append(NONE_YET, style="italic")
        return text
    for line in lines:
        text.append("\n")
        text.append_text(literal(line))
    return text


class HelpContacts(Static):
    """The help contacts, shown while the phase asks for them (``show``); hidden else."""

    DEFAULT_CSS = """
    HelpContacts {
        height: auto;
        border: round $primary;
        padding: 0 1;
        margin-top: 1;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.contacts: tuple[str, ...] | None = None  # what is drawn (None: nothing yet)

    def show(self, shown: bool, contacts: Sequence[str] = ()) -> None:
        self.display = shown
        contacts = tuple(contacts)
        if shown and contacts != self.contacts:
            self.contacts = contacts
            self.update(contacts_text(contacts))
