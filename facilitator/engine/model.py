"""The live meeting in memory: flip-overs, marks per card and per phone, themes,
priorities, choices and idempotency keys.

Loaded once when the meeting opens (:func:`storage.live.load_live`) and changed by each
command after its write has committed, so no request, publish or redraw reads the
database. Every change moves ``version``; the rows the screens and the phones see are
rebuilt at most once per version and handed out as frozen :class:`BoardView` objects.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from facilitator.engine.ranking import RankItem, rank
from storage.live import FlipBase, LiveRows, Structure
from storage.repo import FlipoverRow, ThemeRow

Option = tuple[str, int]  # ("f", flip-over id) or ("t", theme id)


@dataclass(frozen=True)
class BoardView:
    """The board as of one version: what a screen draws from. Never changes."""

    version: int
    all_flipovers: tuple[FlipoverRow, ...]  # særskilt spor included
    themes: tuple[ThemeRow, ...]
    # 2. dialogmøde: flip-overs written after this phase (the "brænder for" phase) are the
    # action groups' results under their wish, not wishes to rank or prioritise.
    action_from: int | None = None

    @cached_property
    def flipovers(self) -> tuple[FlipoverRow, ...]:
        """The open flip-overs (særskilt spor left out), by grouping, group and entry."""
        return tuple(f for f in self.all_flipovers if not f.confidential)

    @cached_property
    def ranking(self) -> tuple[RankItem, ...]:
        if self.action_from is None:
            return tuple(rank(self.flipovers, self.themes))
        wishes = (f for f in self.flipovers if f.phase_index <= self.action_from)
        return tuple(rank(wishes, self.themes))

    @cached_property
    def prioritised(self) -> tuple[RankItem, ...]:
        return tuple(sorted((i for i in self.ranking if i.priority), key=lambda i: i.priority))


class ReadModel:
    def __init__(self, rows: LiveRows, action_from: int | None = None) -> None:
        self.version = 0
        self.action_from = action_from
        self._flips: dict[int, FlipBase] = {f.id: f for f in rows.flips}
        self._marks: Counter[int] = Counter()  # flip-over → every mark (phones and hands)
        self._hand: Counter[int] = Counter()  # flip-over → hand-counted marks
        self._phones: dict[int, dict[str, Counter[int]]] = {}  # phase → phone → card → marks
        self._spent: dict[int, Counter[str]] = {}  # phase → phone → marks it has there
        self._voters: Counter[int] = Counter()  # phase → phones with a mark there
        self._cast: Counter[int] = Counter()  # phase → marks from phones there
        self._rows: dict[int, FlipoverRow] = {}  # built rows, dropped when a card changes
        self._order: list[int] | None = None  # the cards' order, dropped when it may move
        for fid, device, phase in rows.votes:
            self._count(fid, device, phase, +1)
        self._themes: dict[int, ThemeRow] = {}
        self._choices: dict[int, dict[str, Option]] = {}
        self._hand_choices: dict[int, list[Option]] = {}
        self._arrange(rows.structure)
        self.keys: dict[str, tuple[str, str]] = dict(rows.keys)
        self._view: BoardView | None = None

    # ------------------------------------------------------------------ reading
    def view(self) -> BoardView:
        """The board as it is now (built once per version)."""
        if self._view is None or self._view.version != self.version:
            if self._order is None:
                flips = sorted(self._flips.values(), key=lambda f: (f.grouping, f.group, f.id))
                self._order = [f.id for f in flips]
            self._view = BoardView(
                self.version,
                tuple(self._row(fid) for fid in self._order),
                tuple(self._themes.values()),
                self.action_from,
            )
        return self._view

    def flipover(self, flipover_id: int) -> FlipoverRow | None:
        return self._row(flipover_id) if flipover_id in self._flips else None

    def device_marks(self, device_id: str, phase_index: int) -> dict[int, int]:
        mine = self._phones.get(phase_index, {}).get(device_id)
        return {fid: n for fid, n in mine.items() if n > 0} if mine else {}

    def hand_marks(self, flipover_id: int) -> int:
        return self._hand[flipover_id]

    def vote_totals(self, phase_index: int) -> tuple[int, int]:
        """(marks cast from phones in the phase, phones that have marks in it)."""
        return self._cast[phase_index], self._voters[phase_index]

    def choices(self, phase_index: int) -> list[tuple[str, Option]]:
        """(phone id, option) for every choice in the phase; "" for those made by hand."""
        picks = [(device, option) for device, option in self._choices.get(phase_index, {}).items()]
        picks += [("", option) for option in self._hand_choices.get(phase_index, [])]
        return picks

    def device_choice(self, device_id: str, phase_index: int) -> Option | None:
        return self._choices.get(phase_index, {}).get(device_id)

    def has_hand_choice(self, phase_index: int, option: Option) -> bool:
        return option in self._hand_choices.get(phase_index, [])

    # ------------------------------------------------------------------ changing
    def add_flipover(self, flip: FlipBase) -> None:
        self._flips[flip.id] = flip
        self._order = None
        self._changed()

    def edit_flipover(self, flipover_id: int, **fields: object) -> None:
        self._flips[flipover_id] = replace(self._flips[flipover_id], **fields)
        self._rows.pop(flipover_id, None)
        self._order = None
        self._changed()

    def delete_flipover(self, flipover_id: int, structure: Structure) -> None:
        self._flips.pop(flipover_id, None)
        self._marks.pop(flipover_id, None)
        self._hand.pop(flipover_id, None)
        for phase, phones in self._phones.items():
            for device, cards in phones.items():
                self._spend(phase, device, -cards.pop(flipover_id, 0))
        self._arrange(structure)
        self._changed()

    def add_mark(self, flipover_id: int, device_id: str, phase_index: int) -> None:
        self._count(flipover_id, device_id, phase_index, +1)
        self._changed()

    def remove_mark(self, flipover_id: int, device_id: str, phase_index: int) -> None:
        self._count(flipover_id, device_id, phase_index, -1)
        self._changed()

    def rearrange(self, structure: Structure) -> None:
        """Themes, priorities, særskilt spor and choices as stored after a change."""
        self._arrange(structure)
        self._changed()

    def set_photo(self, flipover_id: int) -> None:
        self.edit_flipover(flipover_id, has_photo=True)

    def set_choice(self, phase_index: int, device_id: str, option: Option | None) -> None:
        picks = self._choices.setdefault(phase_index, {})
        picks.pop(device_id, None)
        if option is not None:
            picks[device_id] = option
        self._changed()

    def add_hand_choice(self, phase_index: int, option: Option) -> None:
        self._hand_choices.setdefault(phase_index, []).append(option)
        self._changed()

    def remove_hand_choice(self, phase_index: int, option: Option) -> None:
        picks = self._hand_choices.get(phase_index, [])
        if option in picks:
            del picks[len(picks) - 1 - picks[::-1].index(option)]
        self._changed()

    def remember(self, key: str | None, scope: str, result: str) -> None:
        if key:
            self.keys[key] = (scope, result)

    # ------------------------------------------------------------------ inside
    def _changed(self) -> None:
        self.version += 1

    def _count(self, fid: int, device: str, phase: int, delta: int) -> None:
        self._marks[fid] += delta
        self._rows.pop(fid, None)
        if device:
            cards = self._phones.setdefault(phase, {}).setdefault(device, Counter())
            cards[fid] += delta
            self._spend(phase, device, delta)
        else:
            self._hand[fid] += delta

    def _spend(self, phase: int, device: str, delta: int) -> None:
        """Keep the vote's totals as marks come and go (no sum over the room per change)."""
        if not delta:
            return
        self._cast[phase] += delta
        spent = self._spent.setdefault(phase, Counter())
        before = spent[device]
        spent[device] = before + delta
        if before <= 0 < spent[device]:
            self._voters[phase] += 1
        elif spent[device] <= 0 < before:
            self._voters[phase] -= 1

    def _arrange(self, structure: Structure) -> None:
        for fid, (theme_id, priority, confidential) in structure.flips.items():
            flip = self._flips.get(fid)
            if flip is not None:
                self._flips[fid] = replace(
                    flip, theme_id=theme_id, priority=priority, confidential=confidential
                )
        self._rows.clear()
        self._order = None
        self._themes = {t.id: t for t in structure.themes}
        self._choices = {}
        self._hand_choices = {}
        for phase, device, option in structure.choices:
            if device:
                self._choices.setdefault(phase, {})[device] = option
            else:
                self._hand_choices.setdefault(phase, []).append(option)

    def _row(self, flipover_id: int) -> FlipoverRow:
        row = self._rows.get(flipover_id)
        if row is None:
            row = self._rows[flipover_id] = self._build(self._flips[flipover_id])
        return row

    def _build(self, flip: FlipBase) -> FlipoverRow:
        """The flip-over as the screens and phones see it: as stored, with its marks."""
        return FlipoverRow(**vars(flip), marks=self._marks[flip.id])
