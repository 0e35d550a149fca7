"""Groups and flip-overs: entering, editing, deleting, særskilt spor, and reading them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, select

from storage.base import StoreBase, remember
from storage.models import Choice, Flipover, Group, Photo, Proposal, Vote, utcnow
from storage.rows import FlipoverRow, Idem


class FlipoverStore(StoreBase):
    def _group_id(self, session: Session, meeting_id: int, grouping: str, number: int) -> int:
        group = session.exec(
            select(Group).where(
                Group.meeting_id == meeting_id, Group.grouping == grouping, Group.number == number
            )
        ).first()
        if group is None:
            group = Group(meeting_id=meeting_id, grouping=grouping, number=number)
            session.add(group)
            session.flush()
        return group.id

    def add_flipover(
        self,
        meeting_id: int,
        *,
        phase_index: int,
        grouping: str,
        group: int,
        kind: str,
        heading: str,
        proposals: Sequence[str],
        idem: Idem = None,
        levels: Sequence[str] = (),
        wish_id: int | None = None,
    ) -> int:
        """A new flip-over; its id. ``levels``: each proposal's level (parallel to
        ``proposals``; missing ones are ""). ``wish_id``: the wish it works on."""

        def work(session: Session) -> int:
            flip = Flipover(
                meeting_id=meeting_id,
                group_id=self._group_id(session, meeting_id, grouping, group),
                phase_index=phase_index,
                kind=kind,
                heading=heading,
                wish_id=wish_id,
            )
            session.add(flip)
            session.flush()
            _add_proposals(session, flip.id, proposals, levels)
            remember(session, meeting_id, idem, str(flip.id))
            return flip.id

        return self._write(work)

    def edit_flipover(
        self,
        meeting_id: int,
        flipover_id: int,
        *,
        grouping: str,
        group: int,
        kind: str,
        heading: str,
        proposals: Sequence[str],
        idem: Idem = None,
        levels: Sequence[str] = (),
        wish_id: int | None = None,
    ) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            flip.group_id = self._group_id(session, meeting_id, grouping, group)
            flip.kind = kind
            flip.heading = heading
            flip.wish_id = wish_id
            flip.updated_at = utcnow()
            session.add(flip)
            for old in session.exec(select(Proposal).where(Proposal.flipover_id == flipover_id)):
                session.delete(old)
            session.flush()
            _add_proposals(session, flipover_id, proposals, levels)
            remember(session, meeting_id, idem, str(flipover_id))
            return True

        return self._write(work)

    def delete_flipover(self, meeting_id: int, flipover_id: int) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            for model in (Proposal, Vote, Choice, Photo):
                for row in session.exec(select(model).where(model.flipover_id == flipover_id)):
                    session.delete(row)
            session.flush()
            session.delete(flip)
            return True

        return self._write(work)

    def set_confidential(self, meeting_id: int, flipover_id: int, confidential: bool) -> bool:
        """Særskilt spor: kept out of the projector, the phones and default exports (and
        out of any theme and the priorities)."""

        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            flip.confidential = confidential
            if confidential:
                flip.theme_id = None
                flip.priority = None
            session.add(flip)
            return True

        return self._write(work)

    def flipovers(self, meeting_id: int, include_confidential: bool = False) -> list[FlipoverRow]:
        """Every flip-over of the meeting, by grouping, group number and entry order."""
        with self._session() as session:
            query = (
                select(Flipover, Group)
                .join(Group, Group.id == Flipover.group_id)
                .where(Flipover.meeting_id == meeting_id)
                .order_by(Group.grouping, Group.number, Flipover.id)
            )
            rows = list(session.exec(query))
            ids = [flip.id for flip, _ in rows]
            proposals: dict[int, list[str]] = {i: [] for i in ids}
            levels: dict[int, list[str]] = {i: [] for i in ids}
            marks: dict[int, int] = {}
            photos: set[int] = set()
            if ids:
                photos = set(
                    session.exec(select(Photo.flipover_id).where(Photo.flipover_id.in_(ids)))
                )
                for prop in session.exec(
                    select(Proposal)
                    .where(Proposal.flipover_id.in_(ids))
                    .order_by(Proposal.flipover_id, Proposal.position)
                ):
                    proposals[prop.flipover_id].append(prop.text)
                    levels[prop.flipover_id].append(prop.level or "")
                for fid, count in session.exec(
                    select(Vote.flipover_id, func.count(Vote.id))
                    .where(Vote.meeting_id == meeting_id)
                    .group_by(Vote.flipover_id)
                ):
                    marks[fid] = count
        return [
            FlipoverRow(
                id=flip.id,
                phase_index=flip.phase_index,
                group=group.number,
                grouping=group.grouping,
                kind=flip.kind,
                heading=flip.heading,
                proposals=tuple(proposals[flip.id]),
                confidential=flip.confidential,
                marks=marks.get(flip.id, 0),
                theme_id=flip.theme_id,
                priority=flip.priority,
                has_photo=flip.id in photos,
                wish_id=flip.wish_id,
                levels=tuple(levels[flip.id]) if any(levels[flip.id]) else (),
            )
            for flip, group in rows
            if include_confidential or not flip.confidential
        ]


def _add_proposals(
    session: Session, flipover_id: int, proposals: Sequence[str], levels: Sequence[str]
) -> None:
    for position, text in enumerate(proposals):
        level = levels[position] if position < len(levels) else ""
        session.add(Proposal(flipover_id=flipover_id, position=position, text=text, level=level))
