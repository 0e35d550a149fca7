"""Plain data the store hands out (never live ORM objects), and the random tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

# An idempotency key and what it does ("flipover_add", "vote", ...): stored in the same
# transaction as the write it belongs to.
Idem = tuple[str, str] | None


@dataclass(frozen=True)
class FlipoverRow:
    """A flip-over as plain data: what the engine and the UI work with."""

    id: int
    phase_index: int
    group: int  # the group's number within its grouping
    grouping: str
    kind: str
    heading: str
    proposals: tuple[str, ...]
    confidential: bool
    marks: int
    theme_id: int | None = None
    priority: int | None = None
    has_photo: bool = False
    # 2. dialogmøde: the wish the flip-over works on (a bruttoliste wish of the forløb's
    # previous meeting, or a chosen wish of this one), and each proposal's level ("" or
    # "personalegruppe", "leder", "samarbejdspartnere"), parallel to ``proposals``.
    wish_id: int | None = None
    levels: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[tuple[str, str], ...]:
        """(text, level) per proposal ("" where no level was given)."""
        levels = self.levels
        return tuple(
            (text, levels[i] if i < len(levels) else "") for i, text in enumerate(self.proposals)
        )


@dataclass(frozen=True)
class ThemeRow:
    id: int
    name: str
    priority: int | None


class LeaseHeld(Exception):
    """Another live process holds the meeting. ``local``: that process runs on this
    machine (so it can be waited for while it closes)."""

    def __init__(self, where: str, local: bool = False):
        self.where = where
        self.local = local
        super().__init__(where)


def new_token() -> str:
    """128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
