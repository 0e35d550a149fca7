"""The footer: the screen's keys, on as few rows as the width needs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer

T = TypeVar("T")


class KeyFooter(Footer):
    """Textual's footer, which wraps its keys onto as few rows as the width needs.

    ``fit(width)`` (called by the screen on every resize) keeps one row when every key
    fits; otherwise it lays the keys out in a grid whose columns are as wide as their
    widest key, on two rows or more, so every key stays visible at 80 columns.

    A key a user's keys.toml has changed keeps its place among the others (Textual would
    move it to the end).
    """

    DEFAULT_CSS = """
    KeyFooter.-wrap {
        layout: grid;
        grid-gutter: 0 0;
    }
    KeyFooter.-wrap.-compact FooterKey {
        margin-right: 0;
    }
    """

    PALETTE_COLUMNS = 12  # "^p palette" on the right of a one-row footer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._width = 0
        self.rows = 1

    def _declared(self) -> tuple[dict[str, int], set[str]]:
        """Each action's place among the screen's bindings, then the app's; and the
        actions whose keys a user's keys.toml has changed."""
        keymap = getattr(self.app, "_keymap", None) or {}  # Textual's keymap in force
        order: dict[str, int] = {}
        remapped: set[str] = set()
        for node in (self.screen, self.app):
            for binding in node.BINDINGS:
                if isinstance(binding, Binding):
                    order.setdefault(binding.action, len(order))
                    if binding.id in keymap:
                        remapped.add(binding.action)
        return order, remapped

    def _in_order(self, items: list[T], action: Callable[[T], str]) -> list[T]:
        """``items`` in Textual's order, but a key the user remapped (which Textual moves
        to the end) back among the others where the screen declared it."""
        order, remapped = self._declared()
        result = [item for item in items if action(item) not in remapped]
        moved = sorted(
            (item for item in items if action(item) in remapped),
            key=lambda item: order[action(item)],
        )
        for item in moved:
            place = order[action(item)]
            later = (i for i, other in enumerate(result) if order.get(action(other), -1) > place)
            result.insert(next(later, len(result)), item)
        return result

    def shown_bindings(self) -> list[Binding]:
        """The bindings the footer shows, one per action, in the footer's order."""
        seen: dict[str, Binding] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.show and binding.action not in seen:
                seen[binding.action] = binding
        return self._in_order(list(seen.values()), lambda binding: binding.action)

    def _labels(self, compact: bool = False) -> list[int]:
        """Each shown key's width: key, description and padding (less when compact)."""
        return [
            len(binding.key_display or self.app.get_key_display(binding))
            + len(binding.description)
            + (2 if compact else 3)
            for binding in self.shown_bindings()
        ]

    def _layout(self, width: int) -> tuple[int, list[int]]:
        """(rows, column widths) for the keys in ``width`` columns; wrapped keys are
        drawn compact (less padding)."""
        if sum(self._labels()) <= width:
            return 1, []
        labels = self._labels(compact=True)
        for rows in range(2, len(labels) + 1):
            columns = math.ceil(len(labels) / rows)
            widths = [
                max(labels[i] for i in range(c, len(labels), columns)) for c in range(columns)
            ]
            if sum(widths) <= width:
                return rows, widths
        return len(labels), [max(labels)]

    def compose(self) -> ComposeResult:
        keys: list[Widget] = list(super().compose())
        # The palette's key is docked right and stays last.
        palette = [key for key in keys if key.has_class("-command-palette")]
        others = [key for key in keys if not key.has_class("-command-palette")]
        yield from self._in_order(others, lambda key: getattr(key, "action", ""))
        yield from palette
        if self.has_class("-wrap"):
            rows, widths = self._layout(self._width or self.app.size.width)
            self.styles.grid_size_columns = max(1, len(widths))
            self.styles.grid_columns = " ".join(str(w) for w in widths) or "1fr"

    def fit(self, width: int) -> None:
        self._width = width
        rows, _ = self._layout(width)
        wrap = rows > 1
        changed = wrap != self.has_class("-wrap") or rows != self.rows
        self.rows = rows
        self.set_class(wrap, "-wrap")
        self.compact = wrap
        self.styles.height = rows
        self.show_command_palette = sum(self._labels()) + self.PALETTE_COLUMNS <= width
        if changed or wrap:
            self.refresh(recompose=True)
