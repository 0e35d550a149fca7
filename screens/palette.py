"""The command palette: in Danish, with every key of the screen as a command."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.screen import Screen
from textual.widgets.option_list import Option

from screens.keys import key_name


class DanishCommandPalette(CommandPalette):
    """Textual's command palette, saying "Ingen handlinger passer" instead of "No matches
    found" (Textual has no setting for that text; this follows its own method)."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text("Ingen handlinger passer", style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)


def system_commands(app: Any, screen: Screen) -> Iterable[SystemCommand]:
    """The screen's keys, in Danish, then a few of Textual's own. A command names
    every key of its action ("Tast: g eller Esc"), the hidden ones too. A key kept out of
    the footer for room but given a tooltip (the projector's "+5 min") is a command too."""
    keys: dict[str, list[str]] = {}
    actions: dict[str, tuple[Binding, Any]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        named = keys.setdefault(binding.action, [])
        if binding.description and key_name(key) not in named:
            named.append(key_name(key))
        if binding.description and (binding.show or binding.tooltip):
            actions.setdefault(binding.action, (binding, active.node))
    for action, (binding, node) in actions.items():
        shown = binding.key_display or app.get_key_display(binding)

        def run(action: str = action, node: Any = node) -> None:
            app.call_later(app.run_action, action, node)

        help_text = "Tast: " + " eller ".join(keys[action])
        title = binding.tooltip or binding.description
        yield SystemCommand(f"{title} ({shown})", help_text, run)
    engine = app.engine
    if engine is not None and engine.phase.kind == "vote" and engine.vote_closed():
        yield SystemCommand(
            "Genåbn afstemningen",
            "Telefonerne kan flytte markeringer igen (spørger først)",
            app.ask_reopen_vote,
        )
    yield SystemCommand("Tema", "Skift farvetema", app.action_change_theme)
    yield SystemCommand("Taster", "Vis alle taster", app.action_show_help_panel)
