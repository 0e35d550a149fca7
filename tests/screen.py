"""What a pilot's terminal shows, and waiting for it without a fixed sleep.

A loaded CI machine can take longer than any fixed pause to draw the first frame, so a
test waits until the words it expects are drawn (or a generous limit passes, and then the
assertion shows the whole screen).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import TypeVar

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

T = TypeVar("T")
S = TypeVar("S", bound=Screen)

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


async def settled(pilot: Pilot, check: Callable[[], T], limit_s: float = WAIT_LIMIT_S) -> T:
    """Run `check` (plain asserts) until it passes and return what it returns; after
    `limit_s` its last AssertionError is raised, with the screen added. A check that
    returns False has not passed either."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            result = check()
            assert result is not False, "the check returned False"
            return result
        except AssertionError as exc:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{exc}\nafter {limit_s} s:\n{screen_text(pilot.app)}"
                ) from exc
        await pilot.pause(0.05)


async def on_top(pilot: Pilot, kind: type[S], limit_s: float = WAIT_LIMIT_S) -> S:
    """The app's screen once it is a `kind` (a screen pushed or popped); fails after `limit_s`."""
    await until(
        pilot, lambda: isinstance(pilot.app.screen, kind), f"{kind.__name__} on top", limit_s
    )
    return pilot.app.screen  # type: ignore[return-value]


async def steady(pilot: Pilot, quiet_s: float = 0.3, limit_s: float = WAIT_LIMIT_S) -> str:
    """The screen's text once it has not changed for `quiet_s` (layout and redraws done);
    fails after `limit_s`."""
    deadline = time.monotonic() + limit_s
    text = screen_text(pilot.app)
    since = time.monotonic()
    while time.monotonic() - since < quiet_s:
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen kept changing for {limit_s} s\n{text}")
        await pilot.pause(0.05)
        now = screen_text(pilot.app)
        if now != text:
            text, since = now, time.monotonic()
    return text
