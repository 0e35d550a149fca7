"""What a live meeting's read model is loaded from, read with SQLAlchemy Core in a few
queries: the flip-overs with their proposals, every mark, the themes, the choices and the
idempotency keys. The engine reads this once when a meeting opens, and the structure
(themes, priorities, særskilt spor, choices) again after a command that rearranges it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import Choice, Flipover, Group, IdempotencyKey, Photo, Proposal, Theme, Vote
from storage.repo import Store, ThemeRow

FLIP = Flipover.__table__.c
GROUP = Group.__table__.c
PROPOSAL = Proposal.__table__.c
VOTE = Vote.__table__.c
CHOICE = Choice.__table__.c
THEME = Theme.__table__.c
PHOTO = Photo.__table__.c
IDEM = IdempotencyKey.__table__.c


@dataclass(frozen=True)
class FlipBase:
    """A flip-over without its marks (the read model counts those)."""

    id: int
    phase_index: int
    group: int
    grouping: str
    kind: str
    heading: str
    proposals: tuple[str, ...]
    confidential: bool
    theme_id: int | None
    priority: int | None
    has_photo: bool
    wish_id: int | None = None
    levels: tuple[str, ...] = ()  # each proposal's level, parallel to ``proposals``


# (phase index, device id, ("f" or "t", id)); device "" for a choice entered by hand.
ChoiceRow = tuple[int, str, tuple[str, int]]


@dataclass(frozen=True)
class Structure:
    """How the flip-overs are arranged: theme, priority and særskilt spor per flip-over,
    the themes, and the choices (which a theme's end can take away)."""

    flips: dict[int, tuple[int | None, int | None, bool]]
    themes: tuple[ThemeRow, ...]
    choices: tuple[ChoiceRow, ...]


@dataclass(frozen=True)
class LiveRows:
    flips: tuple[FlipBase, ...]
    votes: tuple[tuple[int, str, int], ...]  # (flip-over id, device id, phase index), in order
    structure: Structure
    keys: dict[str, tuple[str, str]]  # idempotency key → (scope, result)


def load_live(store: Store, meeting_id: int) -> LiveRows:
    """Everything the live meeting shows and checks, as plain data."""
    with store._session() as session:
        run = session.connection().execute
        proposals: dict[int, list[str]] = {}
        levels: dict[int, list[str]] = {}
        for fid, text, level in run(
            select(PROPOSAL.flipover_id, PROPOSAL.text, PROPOSAL.level)
            .join(Flipover.__table__, FLIP.id == PROPOSAL.flipover_id)
            .where(FLIP.meeting_id == meeting_id)
            .order_by(PROPOSAL.flipover_id, PROPOSAL.position)
        ):
            proposals.setdefault(fid, []).append(text)
            levels.setdefault(fid, []).append(level or "")
        photos = {
            fid
            for (fid,) in run(
                select(PHOTO.flipover_id)
                .join(Flipover.__table__, FLIP.id == PHOTO.flipover_id)
                .where(FLIP.meeting_id == meeting_id)
            )
        }
        flips = tuple(
            FlipBase(
                id=row.id,
                phase_index=row.phase_index,
                group=row.number,
                grouping=row.grouping,
                kind=row.kind,
                heading=row.heading,
                proposals=tuple(proposals.get(row.id, ())),
                confidential=bool(row.confidential),
                theme_id=row.theme_id,
                priority=row.priority,
                has_photo=row.id in photos,
                wish_id=row.wish_id,
                levels=_levels(levels.get(row.id, ())),
            )
            for row in run(
                select(
                    FLIP.id,
                    FLIP.phase_index,
                    FLIP.kind,
                    FLIP.heading,
                    FLIP.confidential,
                    FLIP.theme_id,
                    FLIP.priority,
                    FLIP.wish_id,
                    GROUP.number,
                    GROUP.grouping,
                )
                .join(Group.__table__, GROUP.id == FLIP.group_id)
                .where(FLIP.meeting_id == meeting_id)
                .order_by(FLIP.id)
            )
        )
        votes = tuple(
            (fid, device, phase)
            for fid, device, phase in run(
                select(VOTE.flipover_id, VOTE.device_id, VOTE.phase_index)
                .where(VOTE.meeting_id == meeting_id)
                .order_by(VOTE.id)
            )
        )
        keys = {
            key: (scope, result)
            for key, scope, result in run(
                select(IDEM.key, IDEM.scope, IDEM.result).where(IDEM.meeting_id == meeting_id)
            )
        }
        structure = _structure(run, meeting_id)
    return LiveRows(flips, votes, structure, keys)


def _levels(levels: Sequence[str]) -> tuple[str, ...]:
    """A flip-over's levels, or () when no proposal has one (as before levels existed)."""
    return tuple(levels) if any(levels) else ()


def load_structure(store: Store, meeting_id: int) -> Structure:
    """The arrangement again, after a command changed it (run on the writer thread, in the
    command's own transaction, so it sees the change)."""
    with store._session() as session:
        return _structure(session.connection().execute, meeting_id)


def _structure(run, meeting_id: int) -> Structure:  # noqa: ANN001 - Connection.execute
    flips = {
        fid: (theme_id, priority, bool(confidential))
        for fid, theme_id, priority, confidential in run(
            select(FLIP.id, FLIP.theme_id, FLIP.priority, FLIP.confidential).where(
                FLIP.meeting_id == meeting_id
            )
        )
    }
    themes = tuple(
        ThemeRow(tid, name, priority)
        for tid, name, priority in run(
            select(THEME.id, THEME.name, THEME.priority)
            .where(THEME.meeting_id == meeting_id)
            .order_by(THEME.id)
        )
    )
    choices = tuple(
        (phase, device, ("f", fid) if fid else ("t", tid))
        for phase, device, fid, tid in run(
            select(CHOICE.phase_index, CHOICE.device_id, CHOICE.flipover_id, CHOICE.theme_id)
            .where(CHOICE.meeting_id == meeting_id)
            .order_by(CHOICE.id)
        )
    )
    return Structure(flips, themes, choices)
