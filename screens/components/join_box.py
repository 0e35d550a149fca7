"""The projector's join column: the QR code, the address under it, the phones connected,
and the web server's error if it has one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from screens.base import WebInfo
from screens.components.qrcode import QRCode
from screens.words import phones_text

JOIN_BOX_COLUMNS = 40  # the column: the code, its address, phones, a web error
NOMINAL_QR = 33  # modules of a typical participant address (version 2 + quiet zone)


def join_box_width(modules: int) -> int:
    """The column's width for a QR code of ``modules`` modules (at scale 1)."""
    return max(JOIN_BOX_COLUMNS, (modules or NOMINAL_QR) + 2)


class JoinBox(Vertical):
    """The QR code for the phones, with its address, the phones connected and a web error."""

    DEFAULT_CSS = """
    JoinBox {
        width: 40;
        height: auto;
        padding: 1 1 0 1;
        align: center top;
    }
    JoinBox > Static, JoinBox > Label {
        width: 100%;
        text-align: center;
    }
    JoinBox > .address, JoinBox > .error {
        padding-top: 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield QRCode(None, id="qr")
        yield Static("", id="join-url", classes="address", markup=False)
        yield Label("", id="phones")
        yield Static("", id="web-error", classes="error", markup=False)

    @property
    def qr(self) -> QRCode:
        return self.query_one("#qr", QRCode)

    def show(self, web: WebInfo) -> None:
        qr = self.qr
        qr.set_url(web.url)
        qr.display = web.url is not None
        self.styles.width = join_box_width(qr.modules)
        self.query_one("#join-url", Static).update(web.headline)
        error = self.query_one("#web-error", Static)
        error.update(web.error or "")
        error.display = bool(web.error)

    def show_phones(self, web: WebInfo, count: int) -> None:
        phones = self.query_one("#phones", Label)
        phones.display = web.enabled
        phones.update(phones_text(count))
