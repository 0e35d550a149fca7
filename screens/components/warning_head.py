"""The warning across the top of a screen that is not for the projector."""

from __future__ import annotations

from textual.widgets import Static


class WarningHead(Static):
    """ "IKKE TIL PROJEKTOREN – …": three rows, centred (the stylesheet gives the colour)."""

    DEFAULT_CSS = """
    WarningHead {
        height: 3;
        padding: 0 1;
        content-align: center middle;
        text-align: center;
    }
    """
