"""QR codes: a matrix of modules for the terminal, and printable files (SVG card, PNG).

Both writers use only the standard library on top of ``qrcode``'s matrix: no Pillow, no pypng.
"""

from __future__ import annotations

import struct
import zlib
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(text: str, border: int = 4) -> list[list[bool]]:
    """True for a dark module; the quiet zone (``border`` modules) is included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _qr_path(matrix: list[list[bool]]) -> str:
    """One SVG path for the dark modules, a horizontal run at a time."""
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words, out, line = " ".join(text.split()).split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


def svg_card(url: str, title: str = "", code: str = "") -> str:
    """A printable A6 card (105 × 148 mm) for the tables: heading, meeting title, the QR
    code of ``url`` and the address as text. Every text is XML-escaped."""
    matrix = qr_matrix(url)
    size = len(matrix)
    qr_mm = 80.0
    left = (105 - qr_mm) / 2
    top = 38.0
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148mm" '
        'viewBox="0 0 105 148" font-family="Helvetica, Arial, sans-serif">',
        '<rect width="105" height="148" fill="#fff"/>',
        '<text x="52.5" y="15" font-size="7" font-weight="bold" text-anchor="middle">'
        "Følg mødet på din telefon</text>",
    ]
    for i, line in enumerate(_wrap(title, 40, 2)):
        lines.append(
            f'<text x="52.5" y="{24 + i * 5.5}" font-size="4.6" text-anchor="middle">'
            f"{escape(line)}</text>"
        )
    scale = qr_mm / size
    lines.append(
        f'<g transform="translate({left:.3f} {top:.3f}) scale({scale:.5f})">'
        f'<path d="{_qr_path(matrix)}" fill="#000" shape-rendering="crispEdges"/></g>'
    )
    lines.append(
        f'<text x="52.5" y="{top + qr_mm + 9}" font-size="5" font-family="monospace" '
        f'text-anchor="middle">{escape(url)}</text>'
    )
    lines.append(
        f'<text x="52.5" y="{top + qr_mm + 17}" font-size="3.4" text-anchor="middle">'
        "Scan koden med kameraet, eller skriv adressen i browseren.</text>"
    )
    if code:
        lines.append(
            f'<text x="52.5" y="{top + qr_mm + 23}" font-size="3.8" text-anchor="middle">'
            f"Mødekode: {escape(code)}</text>"
        )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def png_qr(text: str, scale: int = 12, border: int = 4) -> bytes:
    """The QR code of ``text`` as a black-and-white PNG (1 bit per pixel), quiet zone kept."""
    matrix = qr_matrix(text, border=border)
    side = len(matrix) * scale
    raw = bytearray()
    for row in matrix:
        bits = "".join(("0" if dark else "1") * scale for dark in row)  # 0 = black
        bits += "1" * (-len(bits) % 8)
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter: none
        raw += line * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"pHYs", struct.pack(">IIB", 11811, 11811, 1))  # 300 dpi when printed
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def svg_qr(text: str, border: int = 4) -> str:
    """The QR code of ``text`` alone as a square SVG (white quiet zone, black modules),
    scaled by whoever shows it: the wall page draws it as large as it has room for."""
    matrix = qr_matrix(text, border=border)
    size = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        'shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{_qr_path(matrix)}" fill="#000"/></svg>\n'
    )
