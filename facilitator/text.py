"""The one cleaning function at the engine's door: text a person typed is data.

Every text that enters (web, TUI, CLI, import) passes :func:`clean_text` before it is
stored: Unicode NFC; C0 and C1 control characters removed, ESC together with the
sequence it starts (CSI, OSC, DCS, ...), NUL included; newlines kept only where the field
has lines; other whitespace collapsed. A lone surrogate cannot be stored or encoded and
is refused (:class:`BadText`), which the web answers with 400.
"""

from __future__ import annotations

import re
import unicodedata

# ESC and what it starts: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (ESC ] ... BEL or ST),
# or a two-character escape (ESC + one char). The 8-bit C1 forms (U+009B CSI, U+009D OSC,
# U+0090 DCS, ...) are removed as control characters below, with what they start.
# A string sequence's payload is removed only up to its terminator (BEL or ST): it cannot
# span another introducer, so the scan stays linear however many introducers are sent, and
# an unterminated one (a stray C1 character from a mis-decoded paste) loses only itself,
# never the words after it; what is left of it is plain text once the controls are gone.
_ESCAPE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?                                          # CSI
    | \x1b[\]PX^_][^\x07\x1b\x90-\x9f]*(?:\x07|\x1b\\|\x9c)           # OSC, DCS, SOS, PM, APC
    | \x1b.?                                                          # any other escape
    | \x9b[0-?]*[ -/]*[@-~]?                                          # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x90-\x9f]*(?:\x07|\x1b\\|\x9c) # 8-bit DCS, OSC, ...
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\x85|\u2028|\u2029")
# Bidi overrides and isolates could reorder what the projector shows around the text;
# they are format characters, harmless elsewhere, and removed here.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


class BadText(ValueError):
    """Text that cannot be stored (a lone surrogate); the message is Danish."""


def has_surrogate(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def clean_text(value: object, *, multiline: bool = False) -> str:
    """The cleaned form of a typed text (see the module's docstring).

    ``multiline``: keep line breaks (as ``\\n``, at most one blank line in a row) and
    collapse the whitespace within each line; otherwise everything is one line.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _SURROGATE.search(text):
        raise BadText("Teksten indeholder et ugyldigt tegn (en enlig surrogat).")
    text = _LINE_BREAKS.sub("\n", text)
    text = _ESCAPE.sub("", text)
    text = text.replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = _BIDI.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
