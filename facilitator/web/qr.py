"""QR codes as a matrix of modules, for the terminal and for printing."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(text: str, border: int = 4) -> list[list[bool]]:
    """True for a dark module; the quiet zone (``border`` modules) is included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]
