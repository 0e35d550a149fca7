"""Big text for the wall: a bitmap font drawn with block glyphs, as large as its room allows.

The terminal font decides how large ordinary text is; a countdown read from the back of
the room needs more. ``BigText`` draws each character from a 5×7 bitmap (or a 3×5 one for
digits when space is short) with half blocks, so one font pixel is one column wide and half
a row high, which is square on a terminal. It picks the largest integer scale at which the
text fits the budget (columns × rows) the screen gives it, and falls back to plain bold
text when even the smallest font does not fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

# 5×7 glyphs: '#' is ink. Letters are upper case only (text is upper-cased first).
_BIG = {
    "0": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    ":": (".", "#", "#", ".", "#", "#", "."),
    ".": (".", ".", ".", ".", ".", ".", "#"),
    "·": (".", ".", ".", "#", ".", ".", "."),
    "!": ("#", "#", "#", "#", "#", ".", "#"),
    "+": (".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "–": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "→": (".....", "..#..", "...#.", "#####", "...#.", "..#..", "....."),
    "/": ("....#", "...#.", "...#.", "..#..", ".#...", ".#...", "#...."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    " ": ("...", "...", "...", "...", "...", "...", "..."),
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "Æ": (".####", "#.#..", "#.#..", "#####", "#.#..", "#.#..", "#.###"),
    "Ø": (".###.", "#..##", "#.#.#", "#.#.#", "#.#.#", "##..#", ".###."),
    "Å": ("..#..", ".....", ".###.", "#...#", "#####", "#...#", "#...#"),
}

# 3×5 digits: the small fallback, three rows high like Textual's Digits.
_SMALL = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    "-": ("...", "...", "###", "...", "..."),
    " ": ("..", "..", "..", "..", ".."),
}


class Font:
    def __init__(self, name: str, glyphs: dict[str, tuple[str, ...]], height: int) -> None:
        self.name = name
        self.glyphs = glyphs
        self.height = height

    def covers(self, text: str) -> bool:
        return bool(text) and all(ch in self.glyphs for ch in text)

    def width(self, text: str) -> int:
        """Width in font pixels (one pixel of space between glyphs)."""
        if not text:
            return 0
        return sum(len(self.glyphs[ch][0]) for ch in text) + len(text) - 1

    def bitmap(self, text: str) -> list[list[bool]]:
        rows: list[list[bool]] = [[] for _ in range(self.height)]
        for index, ch in enumerate(text):
            glyph = self.glyphs[ch]
            for y in range(self.height):
                if index:
                    rows[y].append(False)
                rows[y].extend(c == "#" for c in glyph[y])
        return rows


BIG = Font("big", _BIG, 7)
SMALL = Font("small", _SMALL, 5)


def rows_for(font: Font, scale: int) -> int:
    """Text rows a font takes at a scale (two pixel rows per text row)."""
    return (font.height * scale + 1) // 2


def draw(text: str, font: Font, scale: int) -> list[str]:
    """The text as lines of block glyphs: each pixel ``scale`` columns wide and
    ``scale`` half-rows high."""
    bitmap = font.bitmap(text)
    half_rows = [[px for px in row for _ in range(scale)] for row in bitmap for _ in range(scale)]
    if len(half_rows) % 2:
        half_rows.append([False] * len(half_rows[0]))
    chars = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return [
        "".join(chars[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(half_rows[::2], half_rows[1::2], strict=True)
    ]


class Choice:
    """How a text is drawn: a font at a scale, or plain (font None)."""

    def __init__(self, text: str, font: Font | None, scale: int) -> None:
        self.text = text
        self.font = font
        self.scale = scale

    @property
    def width(self) -> int:
        if self.font is None:
            return len(self.text)
        return self.font.width(self.text) * self.scale

    @property
    def rows(self) -> int:
        return 1 if self.font is None else rows_for(self.font, self.scale)

    def __repr__(self) -> str:  # for test failures
        name = self.font.name if self.font else "plain"
        return f"Choice({self.text!r}, {name}, {self.scale})"


def choose(
    texts: Sequence[str],
    columns: int,
    rows: int,
    *,
    max_scale: int = 8,
    small: bool = True,
    plain: bool = True,
) -> Choice | None:
    """The largest drawing of the first text that fits in the block font; the next
    alternative only when the first does not fit at any scale.

    The 3×5 font (digits only) comes after the 5×7 font at scale 1; plain text comes
    last (unless ``plain`` is false). Returns None when nothing fits.
    """
    texts = [t for t in texts if t]
    for text in texts:
        upper = text.upper()
        candidates: list[Choice] = []
        if BIG.covers(upper):
            candidates += [Choice(upper, BIG, s) for s in range(max_scale, 0, -1)]
        if small and SMALL.covers(text):
            candidates.append(Choice(text, SMALL, 1))
        for candidate in candidates:
            if candidate.width <= columns and candidate.rows <= rows:
                return candidate
    if not plain:
        return None
    for text in texts:
        if len(text) <= columns and rows >= 1:
            return Choice(text, None, 0)
    return None


class BigText(Widget):
    """Text drawn as large as the screen's budget allows.

    ``fit(columns, rows)`` sets the budget; ``update(text, *alternatives)`` sets what to
    say (the alternatives are shorter versions tried when the first does not fit at
    any scale). ``value`` is the first text, as given.
    """

    DEFAULT_CSS = """
    BigText { width: auto; height: auto; }
    BigText.-plain { text-style: bold; }
    """

    def __init__(
        self,
        text: str = "",
        *alternatives: str,
        max_scale: int = 8,
        small: bool = True,
        plain: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._texts: tuple[str, ...] = (text, *alternatives)
        self._budget = (len(text), 1)
        self._max_scale = max_scale
        self._small = small
        self._plain = plain
        self._choice: Choice | None = None
        self._lines: Text | None = None
        self._choose()

    @property
    def value(self) -> str:
        return self._texts[0] if self._texts else ""

    @property
    def choice(self) -> Choice | None:
        return self._choice

    @property
    def scale(self) -> int:
        """The scale drawn at: 0 for plain text, 1+ for the block font."""
        choice = self._choice
        if choice is None or choice.font is None:
            return 0
        return choice.scale if choice.font is BIG else 1

    def fit(self, columns: int, rows: int, max_scale: int | None = None) -> None:
        if max_scale is not None:
            self._max_scale = max(1, max_scale)
        budget = (max(0, columns), max(0, rows))
        if budget != self._budget:
            self._budget = budget
            self._choose()

    def update(self, text: str, *alternatives: str) -> None:
        texts = (text, *alternatives)
        if texts != self._texts:
            self._texts = texts
            self._choose()

    def _choose(self) -> None:
        old = self._choice
        columns, rows = self._budget
        new = choose(
            self._texts,
            columns,
            rows,
            max_scale=self._max_scale,
            small=self._small,
            plain=self._plain,
        )
        self._choice = new
        self._lines = None
        self.set_class(new is not None and new.font is None, "-plain")
        same_size = (
            old is not None and new is not None and (old.width, old.rows) == (new.width, new.rows)
        )
        self.refresh(layout=not same_size)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._choice.width if self._choice else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._choice.rows if self._choice else 0

    def render(self) -> Text:
        choice = self._choice
        if choice is None:
            return Text("")
        if self._lines is None:
            if choice.font is None:
                self._lines = Text(choice.text, no_wrap=True, overflow="crop", end="")
            else:
                lines = draw(choice.text, choice.font, choice.scale)
                self._lines = Text("\n".join(lines), no_wrap=True, overflow="crop", end="")
        return self._lines
