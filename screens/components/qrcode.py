"""A QR code drawn with half blocks, black on white, at an integer scale.

The QR library (``facilitator.qr``, which imports ``qrcode``) is imported only when a code
is first given an address: the first frame, drawn before the web server has one, does
without it.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

BLACK = "#000000"
WHITE = "#ffffff"


def qr_text(matrix: list[list[bool]], scale: int = 1) -> Text:
    """A QR matrix drawn with '▀': two module rows per text row, black on white.

    ``scale`` s makes each module s columns wide and s half-rows high. The colours are
    explicit, so the code reads the same on a dark or a light terminal.
    """
    scale = max(1, scale)
    rows = [[cell for cell in row for _ in range(scale)] for row in matrix for _ in range(scale)]
    if len(rows) % 2:
        rows.append([False] * (len(rows[0]) if rows else 0))
    styles = {
        (top, bottom): Style(color=BLACK if top else WHITE, bgcolor=BLACK if bottom else WHITE)
        for top in (False, True)
        for bottom in (False, True)
    }
    text = Text(no_wrap=True, overflow="crop", end="")
    for y in range(0, len(rows), 2):
        top_row, bottom_row = rows[y], rows[y + 1]
        run_style = None
        run = 0
        for top, bottom in zip(top_row, bottom_row, strict=True):
            style = styles[(top, bottom)]
            if style is run_style:
                run += 1
                continue
            if run:
                text.append("▀" * run, run_style)
            run_style, run = style, 1
        if run:
            text.append("▀" * run, run_style)
        if y + 2 < len(rows):
            text.append("\n")
    return text


class QRCode(Widget):
    """A QR code for a URL; ``scale`` may be changed to fill a screen."""

    DEFAULT_CSS = "QRCode { width: auto; height: auto; }"

    def __init__(self, url: str | None = None, scale: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._url: str | None = None
        self._matrix: list[list[bool]] = []
        self._scale = max(1, scale)
        self._text: Text | None = None
        self.set_url(url)

    @property
    def url(self) -> str | None:
        return self._url

    @property
    def modules(self) -> int:
        return len(self._matrix)

    def set_url(self, url: str | None) -> None:
        if url == self._url:
            return
        self._url = url
        if url:
            from facilitator.qr import qr_matrix

            self._matrix = qr_matrix(url)
        else:
            self._matrix = []
        self._text = None
        self.refresh(layout=True)

    def set_scale(self, scale: int) -> None:
        scale = max(1, scale)
        if scale != self._scale:
            self._scale = scale
            self._text = None
            self.refresh(layout=True)

    @property
    def scale(self) -> int:
        return self._scale

    def size_at(self, scale: int) -> Size:
        n = len(self._matrix) * scale
        return Size(n, (n + 1) // 2)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.size_at(self._scale).width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.size_at(self._scale).height

    def render(self) -> Text:
        if not self._matrix:
            return Text("")
        if self._text is None:
            self._text = qr_text(self._matrix, self._scale)
        return self._text
