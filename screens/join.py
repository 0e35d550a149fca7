"""The join screen: the QR code as large as the terminal allows, for people arriving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Label, Static

from screens.base import EngineScreen, WebInfo
from screens.components import QRCode
from screens.keys import bind, key_text
from screens.words import phones_text

if TYPE_CHECKING:
    from facilitator.engine import MeetingEngine, Snapshot

ROWS_AROUND = 5  # address, code, phones, hint and a margin
COLUMNS_AROUND = 2


def best_scale(modules: int, width: int, height: int) -> int:
    """The largest integer scale at which a QR of ``modules`` fits in width × height cells.

    At scale s a module is s columns wide and s half-rows high.
    """
    if modules <= 0:
        return 1
    scale = 1
    while modules * (scale + 1) <= width and (modules * (scale + 1) + 1) // 2 <= height:
        scale += 1
    return scale


class JoinScreen(EngineScreen):
    """Opens and closes on one key (j); Escape closes it too."""

    DISPLAY = "join"  # the wall page shows the QR code large too

    BINDINGS = [
        bind("join", "close", "Luk", priority=True),  # j closes what it opened
        bind("back", "close", "Luk", priority=True),
    ]

    def __init__(self, engine: MeetingEngine, web: WebInfo | None = None, **kwargs) -> None:
        super().__init__(engine, **kwargs)
        self.web = web or WebInfo()

    def compose(self) -> ComposeResult:
        with Vertical(classes="join"):
            with Center():
                yield QRCode(self.web.url, id="join-qr")
            yield Static(self._address_text(), id="join-address", classes="address", markup=False)
            yield Label(
                f"Mødekode: {self.engine.code}", id="join-code", classes="code", markup=False
            )
            yield Label("", id="join-phones")
            yield Static(self.web.error or "", id="join-error", classes="error", markup=False)
            keys = key_text(self.app, "join", "back")
            yield Label(f"Tryk {keys} for at lukke", classes="hint", markup=False)

    def _address_text(self) -> str:
        if self.web.url:
            return f"Scan koden eller skriv:  {self.web.url}"
        if not self.web.enabled:
            return "Web er slået fra – telefonerne kan ikke komme på"
        if self.web.starting:
            return "Telefonsiden starter – et øjeblik …"
        if self.web.error:
            return "Telefonsiden kører ikke – telefonerne kan ikke komme på endnu"
        return "Ingen netværk – tjek at computeren er på samme Wi-Fi som deltagerne"

    def on_mount(self) -> None:
        qr = self.query_one("#join-qr", QRCode)
        qr.display = self.web.url is not None
        self.query_one("#join-error").display = bool(self.web.error)
        super().on_mount()
        self._fit(self.app.size.width, self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        qr = self.query_one("#join-qr", QRCode)
        qr.set_scale(best_scale(qr.modules, width - COLUMNS_AROUND, height - ROWS_AROUND))

    def redraw(self, snapshot: Snapshot | None = None) -> None:
        phones = self.query_one("#join-phones", Label)
        phones.display = self.web.enabled
        phones.update(phones_text(self.engine.phones))

    def action_close(self) -> None:
        self.dismiss()
