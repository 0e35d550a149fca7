"""What a pilot's terminal shows, and waiting for it without a fixed sleep.

A loaded CI machine can take longer than any fixed pause to draw the first frame, so a
test waits until the words it expects are drawn (or a generous limit passes, and then the
assertion shows the whole screen).
"""

from __future__ import annotations

import io
import time

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

WAIT_LIMIT_S = 10.0


def screen_text(app: App) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def drawn(pilot: Pilot, *words: str, limit_s: float = WAIT_LIMIT_S) -> str:
    """The screen's text once every one of `words` is on it; fails after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while True:
        text = screen_text(pilot.app)
        missing = [word for word in words if word not in text]
        if not missing:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"not drawn: {missing!r}\n{text}")
        await pilot.pause(0.05)


async def until(pilot: Pilot, check, what: str, limit_s: float = WAIT_LIMIT_S) -> None:
    """Wait until `check()` is true (a screen pushed, a widget mounted); fails after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so after {limit_s} s\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)
