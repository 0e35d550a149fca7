"""The floor for the first frame: a bare Textual app that imports sqlmodel and shows a
``Digits`` under the first phase's title.

    python bench/baselines/bare_tui.py [--import-app]

``--import-app`` also imports the app's own modules first (``facilitator.cli``,
``facilitator.app`` with its screens, engine and storage, and the web server module)
without running any of it: the import cost alone, for the breakdown of what the rest costs.
"""

from __future__ import annotations

import sys

import sqlmodel  # noqa: F401 - the floor includes the ORM's import
from textual.app import App, ComposeResult
from textual.widgets import Digits, Label

if "--import-app" in sys.argv:
    import importlib

    import facilitator.app  # noqa: F401
    import facilitator.cli  # noqa: F401

    try:  # what the app imports when it starts its web server (adapt if it moves)
        importlib.import_module("facilitator.web.server")
    except ModuleNotFoundError:
        pass


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("Fælles intro")
        yield Digits("15:00")


if __name__ == "__main__":
    Bare().run()
