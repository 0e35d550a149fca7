"""What an export reads, selected with SQLAlchemy Core into plain rows (no ORM objects).

Four queries whatever the meeting's size: the meeting; its open flip-overs with their
group number, theme name and mark count (joined); their proposals (joined, in order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, false, func, select

from storage.base import StoreBase
from storage.models import Flipover, Group, Meeting, Proposal, Theme, Vote

MEETING: Table = Meeting.__table__
FLIPOVER: Table = Flipover.__table__
GROUP: Table = Group.__table__
PROPOSAL: Table = Proposal.__table__
THEME: Table = Theme.__table__
VOTE: Table = Vote.__table__


@dataclass(frozen=True, slots=True)
class ExportCard:
    """An open flip-over (not in særskilt spor) as an export shows it."""

    id: int
    phase_index: int
    group: int  # the group's number within its grouping
    kind: str  # "wish" or "strength"
    heading: str
    proposals: tuple[str, ...]
    marks: int  # every mark of the meeting on it, from phones and by hand
    theme: str  # the theme's name; "" when in none


@dataclass(frozen=True, slots=True)
class ExportRows:
    meeting_id: int
    title: str
    agenda_name: str
    agenda_toml: str
    created_at: datetime
    cards: tuple[ExportCard, ...]  # by group number, then entry order


class ExportReadStore(StoreBase):
    def export_rows(self, meeting_id: int) -> ExportRows | None:
        """The meeting and its open flip-overs as plain rows; None if no such meeting."""
        with self._session() as session:
            conn = session.connection()
            meeting = conn.execute(
                select(
                    MEETING.c.title,
                    MEETING.c.agenda_name,
                    MEETING.c.agenda_toml,
                    MEETING.c.created_at,
                ).where(MEETING.c.id == meeting_id)
            ).first()
            if meeting is None:
                return None
            open_cards = (FLIPOVER.c.meeting_id == meeting_id) & (
                FLIPOVER.c.confidential == false()
            )
            proposals: dict[int, list[str]] = {}
            for fid, text in conn.execute(
                select(PROPOSAL.c.flipover_id, PROPOSAL.c.text)
                .join(FLIPOVER, FLIPOVER.c.id == PROPOSAL.c.flipover_id)
                .where(open_cards)
                .order_by(PROPOSAL.c.flipover_id, PROPOSAL.c.position)
            ):
                proposals.setdefault(fid, []).append(text)
            marks = (
                select(VOTE.c.flipover_id, func.count(VOTE.c.id).label("marks"))
                .where(VOTE.c.meeting_id == meeting_id)
                .group_by(VOTE.c.flipover_id)
                .subquery()
            )
            query = (
                select(
                    FLIPOVER.c.id,
                    FLIPOVER.c.phase_index,
                    GROUP.c.number,
                    FLIPOVER.c.kind,
                    FLIPOVER.c.heading,
                    marks.c.marks,
                    THEME.c.name,
                )
                .join(GROUP, GROUP.c.id == FLIPOVER.c.group_id)
                .outerjoin(
                    THEME,
                    (THEME.c.id == FLIPOVER.c.theme_id) & (THEME.c.meeting_id == meeting_id),
                )
                .outerjoin(marks, marks.c.flipover_id == FLIPOVER.c.id)
                .where(open_cards)
                .order_by(GROUP.c.number, FLIPOVER.c.id)
            )
            cards = tuple(
                ExportCard(
                    id=fid,
                    phase_index=phase,
                    group=number,
                    kind=kind,
                    heading=heading,
                    proposals=tuple(proposals.get(fid, ())),
                    marks=count or 0,
                    theme=theme or "",
                )
                for fid, phase, number, kind, heading, count, theme in conn.execute(query)
            )
        return ExportRows(
            meeting_id=meeting_id,
            title=meeting.title,
            agenda_name=meeting.agenda_name,
            agenda_toml=meeting.agenda_toml,
            created_at=meeting.created_at,
            cards=cards,
        )
