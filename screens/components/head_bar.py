"""A screen's head line: its title on the left, what it keeps in view on the right."""

from __future__ import annotations

from textual.containers import Horizontal


class HeadBar(Horizontal):
    """One row across the top: the title (a child with the class ``title``) takes the
    room, the rest (a ``ClockLine``, the meeting code) keeps its own width."""

    DEFAULT_CSS = """
    HeadBar { height: 1; padding: 0 1; }
    HeadBar > .title { width: 1fr; }
    """
