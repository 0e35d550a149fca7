"""The prioritering's order: a pure function of the flip-overs, the themes and the marks.

A theme counts as one wish with its members' marks summed. Ties share a rank and are
flagged, so the projector can say "delt 2. plads". Tested without a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from storage.repo import FlipoverRow, ThemeRow


@dataclass(frozen=True)
class RankItem:
    """One line of the prioritering: a lone wish ("f12") or a theme ("t3")."""

    key: str
    title: str
    marks: int
    rank: int
    tied: bool
    flipovers: tuple[FlipoverRow, ...]
    priority: int | None

    @property
    def groups(self) -> tuple[int, ...]:
        return tuple(sorted({f.group for f in self.flipovers}))

    @property
    def is_theme(self) -> bool:
        return self.key.startswith("t")


def rank(flipovers: Iterable[FlipoverRow], themes: Iterable[ThemeRow]) -> list[RankItem]:
    """The open wishes by marks (most first; equal marks in the order written)."""
    by_id = {t.id: t for t in themes}
    members: dict[int, list[FlipoverRow]] = {}
    items: list[tuple[str, str, int, tuple[FlipoverRow, ...], int | None]] = []
    for flip in flipovers:
        if flip.kind != "wish" or flip.confidential:
            continue
        if flip.theme_id in by_id:
            members.setdefault(flip.theme_id, []).append(flip)
            continue
        items.append((f"f{flip.id}", flip.heading, flip.marks, (flip,), flip.priority))
    for theme_id, flips in members.items():
        theme = by_id[theme_id]
        marks = sum(f.marks for f in flips)
        items.append((f"t{theme_id}", theme.name, marks, tuple(flips), theme.priority))
    items.sort(key=lambda i: (-i[2], min(f.id for f in i[3])))
    tally = Counter(marks for _k, _t, marks, _f, _p in items)
    first_at: dict[int, int] = {}
    ranked = []
    for position, (key, title, marks, flips, priority) in enumerate(items, 1):
        first_at.setdefault(marks, position)
        ranked.append(
            RankItem(key, title, marks, first_at[marks], tally[marks] > 1, flips, priority)
        )
    return ranked
